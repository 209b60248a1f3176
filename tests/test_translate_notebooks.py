"""The Chinese notebooks for download: every translated message is put back in place of its block, and nothing
else changes (``scripts/translate_notebooks.py``)."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("translate_notebooks", ROOT / "scripts" / "translate_notebooks.py")
tn = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tn)


def notebook(*markdown: str, code: str = "print('hi')") -> dict:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": m.splitlines(keepends=True)} for m in markdown]
    cells.append({"cell_type": "code", "metadata": {}, "source": [code], "outputs": [], "execution_count": 1})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_blocks_are_found_across_line_breaks_and_after_markers():
    nb = notebook(
        "# A title\n\nA paragraph that runs\nover two lines.\n\n- an item\n- another item\n",
        "```{admonition} Solution 1\nThe answer.\n```\n",
        "| a | b |\n|---|---|\n| cell one | cell two |\n",
    )
    pairs = [
        ("A paragraph that runs over two lines.", "一个跨两行的段落。"),
        ("A title", "标题"),
        ("an item", "一项"),
        ("Solution 1", "参考答案 1"),
        ("cell two", "第二格"),
    ]
    missing = tn.translate_cells(nb, pairs)
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert missing == []
    assert "# 标题\n\n一个跨两行的段落。\n\n- 一项\n- another item\n" in text
    assert "```{admonition} 参考答案 1\nThe answer.\n```" in text
    assert "| cell one | 第二格 |" in text


def test_a_message_is_not_replaced_inside_a_longer_block():
    nb = notebook("The tokenizer splits text.\n\ntokenizer\n")
    assert tn.translate_cells(nb, [("tokenizer", "分词器")]) == []
    assert "".join(nb["cells"][0]["source"]) == "The tokenizer splits text.\n\n分词器\n"


def test_code_cells_and_outputs_stay_as_they_are():
    nb = notebook("Some text.", code="x = 'Some text.'")
    before = copy.deepcopy([c for c in nb["cells"] if c["cell_type"] == "code"])
    tn.translate_cells(nb, [("Some text.", "一些文字。")])
    assert [c for c in nb["cells"] if c["cell_type"] == "code"] == before


def test_a_message_that_is_not_there_is_reported():
    assert tn.translate_cells(notebook("Text."), [("Other text.", "别的。")]) == ["Other text."]


@pytest.mark.parametrize("po_path", sorted((ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "book").glob("*.po")))
def test_every_translation_of_a_notebook_finds_its_place(po_path):
    nb_path = ROOT / "book" / f"{po_path.stem}.ipynb"
    if not nb_path.exists():  # a markdown page (intro, glossary, api): served as it is
        assert (ROOT / "book" / f"{po_path.stem}.md").exists(), po_path
        return
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    assert tn.translate_cells(nb, tn.translations(po_path)) == []
