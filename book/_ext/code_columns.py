"""Code cells and printed outputs show 80 columns without scrolling sideways
(``static/code_columns.css``; ``tests/book_html/test_page_quality.py``
measures every cell of both editions at 1280 px)."""

from __future__ import annotations

from pathlib import Path

STATIC = str(Path(__file__).parent / "static")


def add_static(app, config) -> None:
    if STATIC not in config.html_static_path:
        config.html_static_path.append(STATIC)


def setup(app):
    app.connect("config-inited", add_static)
    app.add_css_file("code_columns.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
