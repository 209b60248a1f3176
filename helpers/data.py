"""The book's datasets, loaded with 🤗 datasets from the zoo's local CSV files.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The book's data").

Four sentence sets from the VADER paper (Hutto & Gilbert, 2014): ``movie`` (10 568 Rotten Tomatoes
sentences with non-zero valence), ``tweets``, ``amazon`` and ``nyt``. Columns: ``id``, ``sentence``,
``label`` (a ``ClassLabel``: 1 "positive" if the human-rated valence is positive, else 0 "negative") and
``valence`` (mean rating in [-4, 4]).
Splits are fixed (seeded shuffle, 80/10/10) at zoo build time, so every chapter sees the same ones.
"""

from __future__ import annotations

from pathlib import Path

from .zoo.base import SENTENCE_SETS
from .zoo.core import ZooMissingError, check_unchanged, entry_dir, read_manifest

SPLITS = ("train", "validation", "test")
LABELS = ("negative", "positive")  # label 0 and 1


def sentence_files(name: str = "movie") -> dict[str, str]:
    """The CSV file of each split of sentence set ``name`` (``movie``, ``tweets``, ``amazon``, ``nyt``).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "The book's data").
    """
    if name not in SENTENCE_SETS:
        raise KeyError(f"unknown sentence set {name!r}; known: {', '.join(SENTENCE_SETS)}")
    manifest = read_manifest()
    if "sentences" not in manifest:
        raise ZooMissingError("the sentence data is not built; run `python -m helpers.zoo build sentences`")
    check_unchanged("sentences", manifest)  # a missing or changed file: an error naming the rebuild command
    folder = entry_dir("sentences")
    return {split: str(folder / f"{name}_{split}.csv") for split in SPLITS}


def load_sentences(name: str = "movie"):
    """A ``datasets.DatasetDict`` with train/validation/test splits of sentence set ``name``.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The book's data").
    """
    from datasets import ClassLabel, Features, Value, load_dataset

    files = sentence_files(name)
    missing = [f for f in files.values() if not Path(f).is_file()]
    if missing:
        raise ZooMissingError(f"missing {missing}; run `python -m helpers.zoo build sentences --force`")
    features = Features(
        {
            "id": Value("string"),
            "sentence": Value("string"),
            "label": ClassLabel(names=list(LABELS)),
            "valence": Value("float64"),
        }
    )
    return load_dataset("csv", data_files=files, features=features)
