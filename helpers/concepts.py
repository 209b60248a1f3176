"""The library's building blocks as a picture: configuration, model and tokenizer, with ``pipeline`` and
``Trainer`` built on them.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
"""

from __future__ import annotations

from .boxes import arrow, box, canvas


def draw_main_classes(tr, checkpoint: str = "bert-base-cased"):
    """The three main classes loaded from one checkpoint folder, and the two tools built on top of them.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    fig, ax = canvas(10, 5.6)
    ax.text(
        5,
        0.2,
        "↑ from_pretrained()      ↓ save_pretrained()",
        ha="center",
        va="center",
        fontsize=10,
        family="monospace",
        color="#555555",
    )
    box(
        ax,
        0.2,
        0.5,
        9.6,
        0.7,
        tr("checkpoint {name}: config.json, weights, tokenizer files", name=checkpoint),
        color="grey",
    )
    parts = [
        (tr("Configuration"), "AutoConfig", tr("sizes, labels"), "orange"),
        (tr("Model"), "AutoModel…", tr("weights, forward()"), "blue"),
        (tr("Tokenizer"), "AutoTokenizer", tr("text ↔ ids"), "green"),
    ]
    for i, (title, cls, what, color) in enumerate(parts):
        x = 0.4 + i * 3.2
        box(ax, x, 1.9, 2.8, 1.3, "", color=color)
        ax.text(x + 1.4, 2.85, title, ha="center", va="center", fontsize=11, weight="bold")
        ax.text(x + 1.4, 2.5, cls, ha="center", va="center", fontsize=10, family="monospace")
        ax.text(x + 1.4, 2.15, what, ha="center", va="center", fontsize=10)
        arrow(ax, (x + 1.0, 1.2), (x + 1.0, 1.9))
        arrow(ax, (x + 1.8, 1.9), (x + 1.8, 1.2))
    box(ax, 0.4, 4.0, 4.4, 0.9, "pipeline(task)", color="purple", family="monospace")
    box(ax, 5.2, 4.0, 4.4, 0.9, "Trainer", color="red", family="monospace")
    ax.text(2.6, 3.6, tr("model + tokenizer → answers"), ha="center", fontsize=10)
    ax.text(7.4, 3.6, tr("model + data → a fine-tuned model"), ha="center", fontsize=10)
    return fig
