"""Boxes and arrows: the few shapes the book's conceptual diagrams are made of, in one style.

A diagram is drawn on a ``canvas`` measured in its own units (x to the right, y up), with ``box`` for a labelled
rectangle and ``arrow`` for a labelled arrow between two points. Colours come from ``PALETTE`` (readable on the
white card every figure sits on, and distinct for colour-blind readers: the Okabe–Ito colours).

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
"""

from __future__ import annotations

# Okabe-Ito, lightened for box fills; the edge of a box is its colour at full strength.
PALETTE = {
    "blue": ("#0072B2", "#D6EAF8"),
    "orange": ("#E69F00", "#FCEBC7"),
    "green": ("#009E73", "#CDEFE5"),
    "red": ("#D55E00", "#F8DCCB"),
    "purple": ("#CC79A7", "#F5E1EC"),
    "grey": ("#555555", "#EEEEEE"),
}
FONT_SIZE = 10


def canvas(width: float, height: float, inches: float = 6.8):
    """A blank figure ``inches`` wide whose axes run from 0 to ``width`` and 0 to ``height`` (equal scale).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    import matplotlib.pyplot as plt

    if width <= 0 or height <= 0:
        raise ValueError(f"a canvas needs a positive width and height, not {width} x {height}")
    fig, ax = plt.subplots(figsize=(inches, inches * height / width))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    return fig, ax


def box(
    ax, x: float, y: float, w: float, h: float, text: str = "", color: str = "blue", size: float = FONT_SIZE, **text_kw
):
    """A rounded rectangle with its lower-left corner at (x, y), filled in ``color``, ``text`` in its middle.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    from matplotlib.patches import FancyBboxPatch

    if color not in PALETTE:
        raise ValueError(f"no colour {color!r}: use one of {', '.join(PALETTE)}")
    edge, fill = PALETTE[color]
    patch = FancyBboxPatch(
        (x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08", facecolor=fill, edgecolor=edge, linewidth=1.5
    )
    ax.add_patch(patch)
    if text:
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, **text_kw)
    return patch


def arrow(
    ax,
    start: tuple[float, float],
    end: tuple[float, float],
    text: str = "",
    color: str = "grey",
    size: float = FONT_SIZE,
    offset: tuple[float, float] = (0.0, 0.12),
):
    """An arrow from ``start`` to ``end``, with ``text`` beside its middle (moved by ``offset``).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    if color not in PALETTE:
        raise ValueError(f"no colour {color!r}: use one of {', '.join(PALETTE)}")
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": PALETTE[color][0], "lw": 1.5, "shrinkA": 2, "shrinkB": 2},
    )
    if text:
        mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        ax.text(*mid, text, ha="center", va="bottom", fontsize=size, color=PALETTE[color][0])
