"""The one way notebooks name a model: ``checkpoint("sentiment")``.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").

Offline (the default) a name resolves to the absolute path of a folder in the offline checkpoint zoo;
in hub mode (``HFBOOK_HUB=1``) to the hub id of the checkpoint the seed tutorial used. The table below
is the only place where both are written down; ``checkpoint_table()`` shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .zoo.core import ZooMissingError, check_unchanged, entry_dir, is_built, read_manifest

HUB_SWITCH = "HFBOOK_HUB"


@dataclass(frozen=True)
class Checkpoint:
    """One name the book uses: the zoo entry that runs offline (described in words) and the seed's hub id.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """

    name: str
    zoo: str | None  # zoo entry used offline (None: hub mode only)
    offline_model: str  # what really runs offline, in words
    hub: str | None  # the seed's checkpoint, used in hub mode (None: offline only)


QWEN_CHAT = (
    "Qwen2.5-Coder-1.5B-Instruct (de-quantised from 4-bit GGUF, bfloat16; the 0.5B in float32 on a processor "
    "without native bfloat16)"
)
CHECKPOINTS: dict[str, Checkpoint] = {
    c.name: c
    for c in [
        Checkpoint("encoder", "minilm", "all-MiniLM-L6-v2 (BertModel, 6 layers, uncased)", "bert-base-uncased"),
        Checkpoint(
            "minilm",
            "minilm",
            "all-MiniLM-L6-v2 (BertModel, 6 layers, uncased)",
            "sentence-transformers/all-MiniLM-L6-v2",
        ),
        Checkpoint(
            "bert-base-cased",
            "bert-base-cased-tokenizer",
            "bert-base-cased tokenizer (vocabulary rebuilt from blingfire; no weights)",
            "bert-base-cased",
        ),
        Checkpoint(
            "bert-base-chinese",
            "bert-base-chinese-tokenizer",
            "bert-base-chinese tokenizer (vocabulary rebuilt from blingfire; no weights)",
            "bert-base-chinese",
        ),
        Checkpoint(
            "bert-base-multilingual-cased",
            "bert-multilingual-cased-tokenizer",
            "bert-base-multilingual-cased tokenizer (vocabulary rebuilt from blingfire; no weights)",
            "bert-base-multilingual-cased",
        ),
        Checkpoint(
            "causal-lm",
            "smollm2",
            "SmolLM2-135M-Instruct (de-quantised from 4-bit GGUF)",
            "HuggingFaceTB/SmolLM2-135M-Instruct",
        ),
        Checkpoint("gpt2", None, "(hub only: the original tutorial's causal LM)", "gpt2"),
        Checkpoint(
            "sentiment",
            "sentiment",
            "MiniLM-L6 + sentiment head trained on Rotten Tomatoes sentences",
            "distilbert-base-uncased-finetuned-sst-2-english",
        ),
        Checkpoint(
            "ner",
            "ner",
            "MiniLM-L6 + CoNLL tag head trained on spaCy silver labels",
            "dbmdz/bert-large-cased-finetuned-conll03-english",
        ),
        Checkpoint(
            "qa",
            "qa",
            "MiniLM-L6 + extractive QA head trained on questions built from shipped text",
            "bert-large-uncased-whole-word-masking-finetuned-squad",
        ),
        Checkpoint(
            "fill-mask",
            "fill-mask",
            "MiniLM-L6 + masked-LM head trained on shipped text and WordNet's English",
            "distilroberta-base",
        ),
        Checkpoint(
            "paraphrase",
            "minilm",
            "all-MiniLM-L6-v2 embeddings + cosine similarity (no pair head)",
            "bert-base-cased-finetuned-mrpc",
        ),
        Checkpoint("summarization", "instruct", QWEN_CHAT + " asked for a summary in a chat message", "t5-base"),
        Checkpoint("translation", "instruct", QWEN_CHAT + " asked for a translation in a chat message", "t5-base"),
        Checkpoint(
            "translation-en-zh",
            "instruct",
            QWEN_CHAT + " asked for a translation in a chat message",
            "Helsinki-NLP/opus-mt-en-zh",
        ),
        Checkpoint("chat", "instruct", QWEN_CHAT, "Qwen/Qwen2.5-Coder-1.5B-Instruct"),
    ]
}


def hub_mode() -> bool:
    """True when ``HFBOOK_HUB`` is set to 1/true/yes: notebooks then use the seed's hub checkpoints.

    Defined in chapter 2 (``book/02_pipelines.ipynb``, "Sentiment analysis in one line").
    """
    return os.environ.get(HUB_SWITCH, "").strip().lower() in {"1", "true", "yes", "on"}


def checkpoint(name: str) -> str:
    """Resolve a book name to what ``from_pretrained``/``pipeline`` should load.

    Offline: the absolute path of the zoo folder (an error naming the build command if it is missing, or if
    a file of it changed since it was built: see :func:`helpers.zoo.core.check_unchanged`).
    Hub mode: the seed's hub id (with ``HFBOOK_HUB_TWINS=1`` also a :class:`~helpers.twins.TwinError` naming the id
    and the command when it has no tiny twin or the local hub serving them does not answer).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Loading from a local directory").
    """
    try:
        entry = CHECKPOINTS[name]
    except KeyError:
        raise KeyError(f"unknown checkpoint {name!r}; known names: {', '.join(sorted(CHECKPOINTS))}") from None
    if hub_mode():
        if entry.hub is None:
            raise KeyError(f"checkpoint {name!r} exists offline only; unset {HUB_SWITCH}")
        from .twins import check_served, twins_mode

        if twins_mode():  # the tiny random twin of the hub id: it must exist and the local hub must answer
            check_served(entry.hub)
        return entry.hub
    if entry.zoo is None:
        raise KeyError(
            f"checkpoint {name!r} ({entry.hub}) is hub-only: set {HUB_SWITCH}=1 on a machine with internet to run it"
        )
    manifest = read_manifest()
    if entry.zoo not in manifest:
        raise ZooMissingError(
            f"checkpoint {name!r} needs zoo entry {entry.zoo!r}, which is not built at "
            f"{entry_dir(entry.zoo)}; build it with `python -m helpers.zoo build {entry.zoo}` "
            "(or `make zoo`)"
        )
    check_unchanged(entry.zoo, manifest)  # a missing or changed file: an error naming the rebuild command
    return str(entry_dir(entry.zoo))


def checkpoint_table():
    """The table of names as a pandas DataFrame: what runs offline, and what hub mode loads instead.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    import pandas as pd

    rows = [
        {
            "name": c.name,
            "offline (zoo entry)": c.zoo or "—",
            "what runs offline": c.offline_model,
            "hub mode (seed's checkpoint)": c.hub or "—",
            "built": "yes" if c.zoo and is_built(c.zoo) else "no",
        }
        for c in CHECKPOINTS.values()
    ]
    return pd.DataFrame(rows).set_index("name")
