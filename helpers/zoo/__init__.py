"""The offline checkpoint zoo: build, verify and list the book's local models and data.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
Command line: ``python -m helpers.zoo build [NAME ...] [--force] [--jobs N] | verify [NAME ...] | list``.

Layout (the folder names tell the design):

- ``core.py``: where the zoo lives, its lock, manifest, atomic builds, verification and the cheap
  "changed since verified" check that :func:`helpers.checkpoint` runs;
- ``base.py``: the real weights and data that registry packages carry (MiniLM, SmolLM2, the cased
  vocabulary, the sentence sets);
- ``kit.py``: the training kit of the task models (batching, the frozen :class:`~.kit.SplitEncoder`, AdamW
  with its decay groups and warm-up, the epoch loop) and :func:`~.kit.finish_build`, the tail every task
  build ends with (save, licence, score, check subset, floor gate, manifest fields);
- ``silver.py``: spaCy's silver entity labels of the shipped sentences (for ``ner`` and ``qa``);
- ``models/``: one module per task entry (``sentiment``, ``ner``, ``qa``, ``fill_mask``, ``perplexity``),
  each with its ``RECIPE``, ``FLOORS``, data, scoring and ``build_*`` function.

How to add an entry: write ``models/<name>.py`` (copy the closest existing module) with a
``build_<name>(into, ctx) -> dict`` that writes a standard Hugging Face folder into ``into`` and returns
the manifest fields (for a trained model: train with the kit, then ``return finish_build(...)``); end the
module with ``ENTRY = register(Entry(name, kind, title, licence, build_<name>, deps=[...],
stands_in_for=hub_id))``; import it in ``models/__init__.py``; and, if chapters load it, name it in
``helpers/checkpoints.py``. Keep everything the entry needs (recipe, data, scores) in its own module, so a
change to one model stays in one file. ``python -m helpers.zoo build <name>`` then builds it.
"""

from . import (
    base,  # noqa: F401  (registers the base assets)
    instruct,  # noqa: F401  (registers the instruct model)
    models,  # noqa: F401  (registers the task models)
    vocab,  # noqa: F401  (registers the Chinese and multilingual vocabularies)
)
from .core import (
    REGISTRY,
    BuildFailed,
    ZooChangedError,
    ZooError,
    ZooMissingError,
    ZooStaleError,
    build,
    check_unchanged,
    entry_dir,
    home,
    is_built,
    read_manifest,
    verify,
    zoo_dir,
)

__all__ = [
    "REGISTRY",
    "BuildFailed",
    "ZooChangedError",
    "ZooStaleError",
    "ZooError",
    "ZooMissingError",
    "build",
    "check_unchanged",
    "entry_dir",
    "home",
    "is_built",
    "read_manifest",
    "verify",
    "zoo_dir",
]
