"""scripts/student.py: the student notebooks keep every exercise, and no solution text and no output; each still runs
top to bottom (except the cells tagged ``exercise``, left to the student).

"Runs top to bottom" is checked here without executing: the student notebook's code is the chapter's code minus
the solution cells, the chapter's code runs (``make notebooks``), so it suffices that no code cell the student keeps
after a removed one reads a name that only a removed cell binds. ``make student-run`` executes them for real.
Both editions are checked: the Chinese notebook is made in memory from the English one and the catalogue, as
scripts/translate_notebooks.py makes it for the book.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


student = _load("student")
translate = _load("translate_notebooks")
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))


def source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def english(chapter: str) -> dict:
    return json.loads((ROOT / "book" / f"{chapter}.ipynb").read_text())


def chinese(chapter: str) -> dict:
    nb = english(chapter)
    po = ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "book" / f"{chapter}.po"
    translate.translate_cells(nb, translate.translations(po))
    return nb


def editions(chapter: str) -> list[tuple[str, dict, dict]]:
    """(language, the edition's notebook, its student notebook) for both editions."""
    en, zh = english(chapter), chinese(chapter)
    return [("en", en, student.student_notebook(en)), ("zh_CN", zh, student.student_notebook(zh, en, "zh_CN"))]


# --- what the test sees as exercises and solutions, found independently of student.py -------------------------

SOLUTION_ADMONITION = re.compile(
    r"^(`{3,}|:{3,})\{admonition\}[ \t]*(Solution|解答|答案|参考答案).*?^\1[ \t]*$", re.M | re.S
)


def exercise_section(nb: dict) -> list[dict]:
    """The cells from the one with ``## Exercises`` (or its translation ``## 练习``) to the end."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown" and re.search(r"^## (Exercises|练习)\s*$", source(cell), re.M):
            return nb["cells"][i:]
    raise AssertionError("no exercises section")


def exercises(nb: dict) -> list[str]:
    """The numbered items of the exercises section that are outside any fenced block (an item's first line)."""
    items, depth = [], 0
    for cell in exercise_section(nb):
        if cell["cell_type"] != "markdown":
            continue
        for line in source(cell).splitlines():
            fence = re.match(r"^\s*(`{3,}|:{3,})(\S*)", line)
            if fence:
                depth += 1 if fence.group(2) or depth == 0 else -1
            elif depth == 0 and re.match(r"^\d+\.\s+\S", line):
                items.append(line.strip())
    return items


def solution_texts(nb: dict) -> list[str]:
    """Cells tagged ``solution``, the bodies of Solution admonitions; in a notebook without the tag, the code cells of
    the exercises section."""
    tagged = any("solution" in c.get("metadata", {}).get("tags", []) for c in nb["cells"])
    found = [source(c) for c in nb["cells"] if "solution" in c.get("metadata", {}).get("tags", [])]
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            found += [m.group(0) for m in SOLUTION_ADMONITION.finditer(source(cell))]
    if not tagged:
        found += [
            source(c)
            for c in exercise_section(nb)
            if c["cell_type"] == "code" and "exercise" not in c.get("metadata", {}).get("tags", [])
        ]
    return found


def distinctive_lines(nb: dict) -> list[str]:
    """Lines of the solutions (25 characters or more) that appear nowhere else in the notebook."""
    solutions = solution_texts(nb)
    rest = "\n".join(source(c) for c in nb["cells"])
    for text in solutions:
        rest = rest.replace(text, "")
    return [
        line.strip()
        for text in solutions
        for line in text.splitlines()
        if len(line.strip()) >= 25 and line.strip() not in rest
    ]


# --- the tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_survives_and_no_solution_or_output_does(chapter):
    for lang, nb, kept in editions(chapter):
        items = exercises(nb)
        assert len(items) >= 3, f"{lang}/{chapter}: {items}"
        assert exercises(kept) == items, f"{lang}/{chapter}: exercises lost"
        lines = distinctive_lines(nb)
        assert lines, f"{lang}/{chapter}: no solution found to remove"
        text = "\n".join(source(c) for c in kept["cells"])
        leaked = [line for line in lines if line in text]
        assert not leaked, f"{lang}/{chapter}: solution text left: {leaked[:3]}"
        for cell in kept["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, f"{lang}/{chapter}: an output"
        assert kept["metadata"] == nb["metadata"]
        assert "student-banner" in kept["cells"][1]["metadata"]["tags"]


def bound_and_read(code: str) -> tuple[set[str], set[str]]:
    """The names a cell binds (assignments, imports, defs, loop targets) and those it reads."""
    code = "\n".join("pass" if line.lstrip().startswith(("!", "%")) else line for line in code.splitlines())
    tree = ast.parse(code)
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return bound, read - set(dir(builtins))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_student_notebook_runs_top_to_bottom(chapter):
    """The kept code is the chapter's code minus solution cells, in order, and reads nothing only a solution binds."""
    nb, kept = english(chapter), student.student_notebook(english(chapter))
    code = [source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    runnable = [
        source(c)
        for c in kept["cells"]
        if c["cell_type"] == "code" and "exercise" not in c.get("metadata", {}).get("tags", [])
    ]
    it = iter(code)
    assert all(any(cell == original for original in it) for cell in runnable), "cells changed or reordered"
    bound_kept, bound_removed = set(), set()
    remaining = list(runnable)
    for cell in code:
        bound, read = bound_and_read(cell)
        if remaining and cell == remaining[0]:
            remaining.pop(0)
            missing = (read & bound_removed) - bound_kept
            assert not missing, f"{chapter}: a kept cell reads {sorted(missing)}, bound only by a solution:\n{cell}"
            bound_kept |= bound
        else:
            bound_removed |= bound
    assert runnable[0] == code[0]  # the first cell (setup_chapter) is kept


def cell(kind: str, text: str, *tags: str) -> dict:
    c = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": text}
    if kind == "code":
        c.update(outputs=[{"output_type": "stream", "name": "stdout", "text": "x\n"}], execution_count=3)
    return c


def notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def test_the_solution_tag_decides_first_and_the_admonition_pattern_is_the_fallback():
    nb = notebook(
        cell("markdown", "# Title"),
        cell("code", "x = 1"),
        cell("markdown", "## Exercises\n\n1. Do this.\n2. Do that."),
        cell("markdown", "```{admonition} Solution 1\n:class: dropdown\nThe secret answer.\n```", "solution"),
        cell("code", "secret = x + 1", "solution", "hide-input"),
        cell("code", "from helpers import tool  # for exercise 2"),  # untagged: kept, the notebook uses the tag
        cell("code", "answer = ...  # your code here", "exercise"),
        cell("markdown", "Hint.\n\n````{admonition} Solution 2\n:class: dropdown\n```python\nprint(1)\n```\n````"),
    )
    kept = student.student_notebook(nb)
    texts = [source(c) for c in kept["cells"]]
    assert texts == [
        "# Title",
        student.BANNER["en"],
        "x = 1",
        "## Exercises\n\n1. Do this.\n2. Do that.",
        "from helpers import tool  # for exercise 2",
        "answer = ...  # your code here",
        "Hint.",
    ]
    assert all(c.get("outputs", []) == [] for c in kept["cells"])
    # without any `solution` tag, every code cell of the exercises section is a solution, unless tagged exercise
    for c in nb["cells"]:
        c["metadata"]["tags"] = [t for t in c["metadata"].get("tags", []) if t != "solution"]
    texts = [source(c) for c in student.student_notebook(nb)["cells"]]
    assert "secret = x + 1" not in texts and "from helpers import tool  # for exercise 2" not in texts
    assert "answer = ...  # your code here" in texts and "x = 1" in texts
    assert not any("secret answer" in t or "print(1)" in t for t in texts)


def test_a_translation_is_cut_where_the_english_is():
    en = notebook(
        cell("markdown", "# T"),
        cell("markdown", "## Exercises\n\n1. Q?\n\n:::{admonition} Solution\n:class: dropdown\nA.\n:::\n\n2. R?"),
    )
    zh = copy.deepcopy(en)
    zh["cells"][1]["source"] = "## 练习\n\n1. 问？\n\n:::{admonition} 解答\n:class: dropdown\n答。\n:::\n\n2. 问二？"
    kept = student.student_notebook(zh, en, "zh_CN")
    assert source(kept["cells"][2]) == "## 练习\n\n1. 问？\n\n2. 问二？"
    assert source(kept["cells"][1]) == student.BANNER["zh_CN"]
    zh["cells"].append(cell("markdown", "extra"))
    with pytest.raises(SystemExit, match="other cells"):
        student.student_notebook(zh, en, "zh_CN")


def test_each_edition_gets_its_notebooks_and_one_reproducible_zip(tmp_path):
    en = notebook(cell("markdown", "# T"), cell("markdown", "## Exercises\n\n1. Q?"), cell("code", "1", "solution"))
    zh = copy.deepcopy(en)
    zh["cells"][0]["source"] = "# 标题"
    for lang, nb in [("en", en), ("zh_CN", zh)]:
        folder = tmp_path / lang / "_sources" / "book"
        folder.mkdir(parents=True)
        (folder / "01_x.ipynb").write_text(json.dumps(nb))
    assert student.editions(tmp_path) == ["en", "zh_CN"]
    first = {lang: student.write_edition(tmp_path, lang) for lang in ["en", "zh_CN"]}
    again = {lang: [p.read_bytes() for p in student.write_edition(tmp_path, lang)] for lang in ["en", "zh_CN"]}
    for lang, written in first.items():
        notebook_path, archive = written
        assert notebook_path == tmp_path / lang / "student" / "book" / "01_x.ipynb"
        assert archive.name == f"transformers-hands-on-student-{lang}.zip"
        assert [p.read_bytes() for p in written] == again[lang]  # the same bytes on every build
        with zipfile.ZipFile(archive) as z:
            folder = f"transformers-hands-on-student-{lang}"
            assert sorted(z.namelist()) == [f"{folder}/01_x.ipynb", f"{folder}/README.md"]
            assert z.read(f"{folder}/01_x.ipynb") == notebook_path.read_bytes()
        cells = json.loads(notebook_path.read_text())["cells"]
        assert [source(c) for c in cells][1] == student.BANNER[lang] and len(cells) == 3


def test_each_chapter_page_offers_its_student_notebook_in_the_download_menu():
    ext = _load_ext("student_download")

    class App:
        class config:
            language = "zh_CN"

    def page(pagename: str, ipynb: bool) -> dict:
        # the theme's menu on a page made from an .ipynb: its source (the .ipynb), then "print to PDF"
        buttons = [{"label": "download-source-button"}, {"label": "download-pdf-button"}]
        context = {
            "header_buttons": [{"label": "download-buttons", "buttons": buttons}],
            "pathto": lambda target, resource: "../" + target,  # from book/<page>.html
            "sourcename": pagename + (".ipynb" if ipynb else ".md"),
        }
        ext.add_student_entries(App, pagename, "page.html", context, None)
        return context["header_buttons"][0]["buttons"]

    buttons = page("book/07_ner", ipynb=True)
    assert [b["label"] for b in buttons] == [
        "download-source-button",
        "download-student-notebook-button",
        "download-student-zip-button",
        "download-pdf-button",
    ]
    assert buttons[1]["url"] == "../student/book/07_ner.ipynb" and buttons[1]["text"] == "学生版笔记本"
    assert buttons[2]["url"] == f"../student/{student.ZIP_STEM}-zh_CN.zip"
    assert ext.ZIP_STEM == student.ZIP_STEM
    assert len(page("book/intro", ipynb=False)) == 2  # a page that is no notebook has no student version
    App.config.language = "en"
    assert page("book/07_ner", ipynb=True)[1]["text"] == "student notebook"


def _load_ext(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_under_test", ROOT / "book" / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
