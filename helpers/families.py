"""The three families of text transformers drawn side by side: which tokens each one lets a token attend to
(its attention masks) and which task heads the installed library gives it.

The chapter computes, from transformers' own ``MODEL_FOR_..._MAPPING_NAMES``, how many model types each family
has and which heads most of them support, and passes that here as ``families``::

    {"encoder": {"count": 60, "examples": ["bert", "roberta"], "tasks": ["masked LM", "question answering"]},
     "decoder": {...}, "encoder-decoder": {...}}

Defined in chapter 9 (``book/09_model_families.ipynb``, "Encoder, decoder, encoder-decoder").
"""

from __future__ import annotations

import textwrap

__all__ = ["FAMILIES", "draw_families", "mask"]

FAMILIES = ("encoder", "decoder", "encoder-decoder")


def mask(kind: str, rows: int, cols: int | None = None) -> list[list[int]]:
    """The attention mask of one attention block as rows (queries) × columns (keys), 1 where a query may attend
    to a key: ``"full"`` (an encoder's self-attention and every cross-attention) or ``"causal"`` (a decoder's
    self-attention: a token sees itself and the tokens before it).

    Defined in chapter 9 (``book/09_model_families.ipynb``, "Encoder, decoder, encoder-decoder").
    """
    cols = rows if cols is None else cols
    if rows < 1 or cols < 1:
        raise ValueError(f"a mask needs at least one row and one column, not {rows} x {cols}")
    if kind == "full":
        return [[1] * cols for _ in range(rows)]
    if kind == "causal":
        if rows != cols:
            raise ValueError("a causal mask is square: a sequence attending to itself")
        return [[int(j <= i) for j in range(cols)] for i in range(rows)]
    raise ValueError(f"no mask kind {kind!r}: use 'full' or 'causal'")


def _family_label(tr, name):
    return {"encoder": tr("encoder"), "decoder": tr("decoder"), "encoder-decoder": tr("encoder-decoder")}[name]


def _task_label(tr, name):
    labels = {
        "base model": tr("base model"),
        "masked LM": tr("masked LM"),
        "causal LM": tr("causal LM"),
        "seq2seq LM": tr("seq2seq LM"),
        "sequence classification": tr("sequence classification"),
        "token classification": tr("token classification"),
        "question answering": tr("question answering"),
        "multiple choice": tr("multiple choice"),
    }
    if name not in labels:
        raise ValueError(f"no task head {name!r}: use one of {', '.join(labels)}")
    return labels[name]


def _grid(ax, x, y, cells, rows, cols, title, cell=0.3):
    """One mask at (x, y) (its lower-left corner): filled squares where attention is allowed."""
    from matplotlib.patches import Rectangle

    from helpers.boxes import PALETTE

    for i, row in enumerate(cells):
        for j, allowed in enumerate(row):
            ax.add_patch(
                Rectangle(
                    (x + j * cell, y + (len(cells) - 1 - i) * cell),
                    cell,
                    cell,
                    facecolor=PALETTE["blue"][0] if allowed else "white",
                    edgecolor=PALETTE["grey"][0],
                    linewidth=0.6,
                )
            )
    for j, token in enumerate(cols):
        ax.text(
            x + (j + 0.5) * cell, y + len(cells) * cell + 0.05, token, rotation=90, ha="center", va="bottom", fontsize=9
        )
    for i, token in enumerate(rows):
        ax.text(x - 0.05, y + (len(cells) - 0.5 - i) * cell, token, ha="right", va="center", fontsize=9)
    ax.text(x + len(cells[0]) * cell / 2, y - 0.12, title, ha="center", va="top", fontsize=9)


def draw_families(tr, families: dict, tokens=("I", "like", "this", "film"), targets=("Ich", "mag", "den", "Film")):
    """Encoder, decoder and encoder-decoder, one row each: the attention masks of the family on ``tokens`` (and,
    for the encoder-decoder, the output ``targets``), then how many model types the family has, examples, and
    the task heads most of them support.

    Defined in chapter 9 (``book/09_model_families.ipynb``, "Encoder, decoder, encoder-decoder").
    """
    from helpers.boxes import box, canvas

    missing = [f for f in FAMILIES if f not in families]
    if missing:
        raise ValueError(f"families lacks {', '.join(missing)}: pass one entry per family")
    if not tokens or not targets:
        raise ValueError("pass at least one input token and one output token")
    n, m = len(tokens), len(targets)
    cell = 0.3
    row_h = max(n, m) * cell + 1.6
    fig, ax = canvas(10, 3 * row_h + 0.1)
    color = {"encoder": "blue", "decoder": "orange", "encoder-decoder": "green"}
    for r, name in enumerate(FAMILIES):
        y0 = (2 - r) * row_h + 0.05
        info = families[name]
        box(ax, 0.05, y0 + 0.05, 9.9, row_h - 0.1, "", color=color[name])
        gy = y0 + 0.55
        if name == "encoder":
            _grid(ax, 1.0, gy, mask("full", n), tokens, tokens, tr("sees every token"), cell)
        elif name == "decoder":
            _grid(ax, 1.0, gy, mask("causal", n), tokens, tokens, tr("sees the tokens before"), cell)
        else:
            _grid(ax, 0.75, gy, mask("full", n), tokens, tokens, tr("encoder"), cell)
            _grid(ax, 2.55, gy, mask("causal", m), targets, targets, tr("decoder"), cell)
            _grid(ax, 4.35, gy, mask("full", m, n), targets, tokens, tr("cross-attention"), cell)
        left = 5.75 if name == "encoder-decoder" else 3.2
        chars = int((9.8 - left) * 9.5)
        tasks = ", ".join(_task_label(tr, t) for t in info["tasks"])
        title = tr("{family}: {count} model types", family=_family_label(tr, name), count=info["count"])
        lines = [
            *textwrap.wrap(title, chars - 6),
            *textwrap.wrap(tr("e.g. {examples}", examples=", ".join(info["examples"])), chars),
            *textwrap.wrap(tr("heads most of them have: {tasks}", tasks=tasks), chars),
        ]
        heads = len(textwrap.wrap(title, chars - 6))
        top = y0 + row_h - 0.35
        for k, line in enumerate(lines):
            ax.text(
                left,
                top - k * 0.36,
                line,
                ha="left",
                va="top",
                fontsize=10 if k < heads else 9,
                weight="bold" if k < heads else "normal",
            )
    return fig
