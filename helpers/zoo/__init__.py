"""The offline checkpoint zoo: build, verify and list the book's local models and data.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
Command line: ``python -m helpers.zoo build [NAME ...] [--force] [--jobs N] | verify [NAME ...] | list``.
"""
from . import base  # noqa: F401  (registers the base assets)
from . import tasks  # noqa: F401  (registers the task models)
from . import vocab  # noqa: F401  (registers the Chinese and multilingual vocabularies)
from .core import (REGISTRY, BuildFailed, ZooError, ZooMissingError, build, entry_dir, home, is_built,
                   read_manifest, verify, zoo_dir)

# ner and qa both unpack the spaCy model and fill the silver-label cache (tasks.silver_entities), which is not safe
# from two processes at once: a parallel build (`build --jobs 2`) builds them one after the other.
for _name in ("ner", "qa"):
    REGISTRY[_name].shares = "spaCy model and silver-label cache"

__all__ = ["REGISTRY", "BuildFailed", "ZooError", "ZooMissingError", "build", "entry_dir", "home", "is_built",
           "read_manifest", "verify", "zoo_dir"]
