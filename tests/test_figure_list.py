"""book/figures.yml is the one list of the book's figures: each listed figure is drawn in its notebook
(``figures.show("name", ...)``) and placed with ``{bookfig} name`` under the heading the list names, captioned and
referred to from the prose (``{numref}``); every figure placed in a notebook is listed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIGURES = yaml.safe_load((ROOT / "book" / "figures.yml").read_text())
DIRECTIVE = re.compile(r"```\{bookfig\}\s+(\S+)\n(?P<options>(?::[^\n]*\n)*)\n?(?P<caption>.*?)```", re.S)
SHOW = re.compile(r"""\bshow\(\s*["']([^"']+)["']""")


def placed(notebook: Path) -> dict[str, dict]:
    """Each figure placed in ``notebook``: its heading, its caption, its :name:, and whether code draws it."""
    found, heading = {}, None
    cells = json.loads(notebook.read_text())["cells"]
    drawn = {m for c in cells if c["cell_type"] == "code" for m in SHOW.findall("".join(c["source"]))}
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            continue
        for line in text.splitlines():
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
        for m in DIRECTIVE.finditer(text):
            label = re.search(r":name:\s*(\S+)", m.group("options"))
            found[m.group(1)] = {
                "heading": heading,
                "caption": m.group("caption").strip(),
                "label": label.group(1) if label else None,
                "drawn": m.group(1) in drawn,
            }
    return found


NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
PLACED = {
    name: {**info, "notebook": nb.relative_to(ROOT).as_posix()} for nb in NOTEBOOKS for name, info in placed(nb).items()
}


def test_every_placed_figure_is_listed():
    assert sorted(set(PLACED) - set(FIGURES)) == [], "placed with {bookfig} but missing from book/figures.yml"


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_listed_figure_is_drawn_and_placed_under_its_heading(name):
    entry = FIGURES[name]
    assert entry["kind"] in {"diagram", "plot"}, name
    assert name in PLACED, f"{name}: no {{bookfig}} {name} in any notebook"
    where = PLACED[name]
    assert where["notebook"] == entry["notebook"], f"{name} is placed in {where['notebook']}"
    assert where["heading"] == entry["heading"], f"{name} sits under {where['heading']!r}, not {entry['heading']!r}"
    assert where["drawn"], f"{name}: no figures.show({name!r}, ...) in {entry['notebook']}"
    assert where["caption"], f"{name}: no caption"
    assert where["label"], f"{name}: no :name: to refer to it by"
    prose = "".join(
        "".join(c["source"])
        for c in json.loads((ROOT / entry["notebook"]).read_text())["cells"]
        if c["cell_type"] == "markdown"
    )
    assert f"{{numref}}`{where['label']}`" in prose, f"{name}: the prose never refers to it ({{numref}})"


def test_the_placer_reads_heading_caption_and_label(tmp_path):
    nb = tmp_path / "x.ipynb"
    cells = [
        {"cell_type": "markdown", "source": ["## Padding\n", "See {numref}`fig-x`."]},
        {"cell_type": "code", "source": ['figures.show("x", draw, alt="a")']},
        {"cell_type": "markdown", "source": ["```{bookfig} x\n", ":name: fig-x\n", "\n", "The caption.\n", "```"]},
    ]
    nb.write_text(json.dumps({"cells": cells}))
    assert placed(nb) == {"x": {"heading": "Padding", "caption": "The caption.", "label": "fig-x", "drawn": True}}


def test_the_book_has_at_least_18_diagrams_and_every_chapter_a_figure():
    kinds = [entry["kind"] for entry in FIGURES.values()]
    assert kinds.count("diagram") >= 18, f"{kinds.count('diagram')} diagrams; the book teaches with at least 18"
    chapters = {nb.relative_to(ROOT).as_posix() for nb in NOTEBOOKS if nb.name[:2].isdigit()}
    without = sorted(chapters - {entry["notebook"] for entry in FIGURES.values()})
    assert not without, f"chapters without a figure: {without}"
