"""Printing that fits the page: long lists a few items a line, long text wrapped at the column's width.

The book's column shows about 80 characters of output; a list printed by ``print(list)`` is one line of
thousands of pixels that a reader must scroll sideways. ``print_wrapped`` prints the same items, wrapped.

Defined in chapter 2 (``book/02_pipelines.ipynb``, "Pipelines and what happens inside").
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

WIDTH = 80


def wrap_items(items: Iterable, width: int = WIDTH, sep: str = ", ", indent: str = "") -> str:
    """``items`` (each shown with ``str``, or ``repr`` for strings) joined by ``sep``, broken into lines of at most
    ``width`` characters between items, never inside one. An item longer than a line gets a line of its own.

    Defined in chapter 2 (``book/02_pipelines.ipynb``, "Pipelines and what happens inside").
    """
    if width < 10:
        raise ValueError(f"a line of {width} characters is too narrow to wrap into (use 10 or more)")
    words = [repr(x) if isinstance(x, str) else str(x) for x in items]
    lines: list[str] = []
    line = indent
    for i, word in enumerate(words):
        piece = word + (sep.rstrip() if i < len(words) - 1 else "")
        if line.strip() and len(line) + 1 + len(piece) > width:
            lines.append(line.rstrip())
            line = indent
        line += ("" if not line.strip() else " ") + piece
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def print_wrapped(value, width: int = WIDTH, label: str | None = None) -> None:
    """Print a list, tuple or set a few items a line, or a string wrapped at ``width``; ``label`` is printed
    first, on its own line when the value doesn't fit beside it.

    Defined in chapter 2 (``book/02_pipelines.ipynb``, "Pipelines and what happens inside").
    """

    def wrapped(width: int) -> str:
        if isinstance(value, str):
            return "\n".join(textwrap.wrap(value, width, break_long_words=False, break_on_hyphens=False)) or value
        return wrap_items(value, width=width)

    body = wrapped(width)
    if label is None:
        print(body)
    elif "\n" not in body and len(label) + 1 + len(body) <= width:
        print(f"{label} {body}")
    elif isinstance(value, str):
        print(label)
        print(body)
    else:  # indented under the label, within the same width
        print(label)
        print(textwrap.indent(wrapped(width - 2), "  "))
