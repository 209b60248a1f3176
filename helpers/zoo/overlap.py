"""How much of an evaluation set a model's training text already holds: the check that a held-out score
measures generalisation, not recall.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").

The ``qa`` entry records it for the book's QA set against its training contexts, the ``fill-mask`` entry for
the cloze set against its training sentences (which also leave out any sentence holding a cloze sentence).
"""

from __future__ import annotations

import re


def words(text: str) -> list[str]:
    """The lower-case words (runs of letters and digits) of ``text``: what overlap is counted in.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return re.findall(r"[a-z0-9]+", text.lower())


def overlap_report(eval_texts: list[str], train_texts: list[str], n: int = 6) -> dict:
    """How much of ``eval_texts`` is in ``train_texts``: evaluation texts found whole (as word sequences) inside
    a training text, and evaluation texts sharing a word ``n``-gram with the training texts.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    train_grams, joined = set(), []
    for t in train_texts:
        w = words(t)
        joined.append(" " + " ".join(w) + " ")
        train_grams.update(tuple(w[i : i + n]) for i in range(len(w) - n + 1))
    blob = "\n".join(joined)
    whole = [e for e in eval_texts if " " + " ".join(words(e)) + " " in blob]
    shared = [
        e
        for e in eval_texts
        if any(tuple(w[i : i + n]) in train_grams for w in [words(e)] for i in range(len(w) - n + 1))
    ]
    return {
        "eval_texts": len(eval_texts),
        "train_texts": len(train_texts),
        "found_whole": len(whole),
        f"sharing_a_{n}_gram": len(shared),
        "examples": (whole + shared)[:5],
    }
