"""The offline checkpoint zoo: build, verify and list the book's local models and data.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
Command line: ``python -m helpers.zoo build [NAME ...] [--force] | verify [NAME ...] | list``.
"""
from . import base  # noqa: F401  (registers the base assets)
from . import tasks  # noqa: F401  (registers the task models)
from . import instruct  # noqa: F401  (registers the instruct model)
from .core import (REGISTRY, BuildFailed, ZooError, ZooMissingError, build, entry_dir, home, is_built,
                   read_manifest, verify, zoo_dir)

__all__ = ["REGISTRY", "BuildFailed", "ZooError", "ZooMissingError", "build", "entry_dir", "home", "is_built",
           "read_manifest", "verify", "zoo_dir"]
