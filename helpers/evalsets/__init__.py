"""The book's own evaluation sets, written for the book (not copied from anywhere), shipped as JSON lines.

Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").

- ``translation``: 40 everyday English sentences, each with a Chinese (``zh``) and a German (``de``) reference.
- ``stories``: 12 short news-like stories (invented people and places, about 100–120 words each) for
  summaries, each with a headline.
"""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = Path(__file__).parent


def names() -> list[str]:
    """The sets shipped with the book."""
    return sorted(p.stem for p in FOLDER.glob("*.jsonl"))


def load(name: str) -> list[dict]:
    """The rows of set ``name`` (one dict per line of ``helpers/evalsets/<name>.jsonl``)."""
    path = FOLDER / f"{name}.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"no evaluation set {name!r} in {FOLDER}; known: {', '.join(names())}")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
