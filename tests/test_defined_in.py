"""Every "Defined in" of the helpers names a notebook that exists and a heading that it really has.

A helper's docstrings say where the book teaches it, d2l style:
``Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering")``
(or ``Defined in the appendix (``book/appendix_migration.ipynb``, "The table")``). The API reference page
(``book/api.md``) turns each of them into a link to that heading, so a wrong name would be a dead link; this
test reads every module under ``helpers/`` (the zoo included) without importing it and checks that
* every module docstring says "Defined in ...";
* every "Defined in" is followed by a complete reference (chapter, notebook, quoted heading);
* every reference (also "used again in chapter 4 (...)") names an existing notebook whose number matches the
  chapter, and a heading of one of its markdown cells (compared as text: markup such as backticks removed).
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p for p in (ROOT / "helpers").rglob("*.py") if "__pycache__" not in p.parts)

# chapter 5 (``book/05_x.ipynb``, "Heading")  |  the appendix (``book/appendix_x.ipynb``, "Heading")
REFERENCE = re.compile(
    r"(?:chapter (?P<number>\d+)|the appendix) \(``(?P<notebook>book/[^`]+\.ipynb)``, "
    r'"(?P<heading>[^"]+)"\)'
)
DEFINED_IN = re.compile(r"Defined in\b")
NOTEBOOK_MENTION = re.compile(r"``book/[^`]+\.ipynb``")


def docstrings(path: Path) -> list[tuple[str, str]]:
    """(where, docstring) for the module and every class and function in it, whitespace collapsed."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = [("module", ast.get_docstring(tree))]
    found += [
        (f"{node.name}()", ast.get_docstring(node))
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    return [(where, " ".join(doc.split())) for where, doc in found if doc]


def plain(heading: str) -> str:
    """A markdown heading's text without its markup: `code`, **bold**, *italic*, [links](url), {role}`x`."""
    text = re.sub(r"\{[\w:-]+\}`([^`]*)`", r"\1", heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("`", "").replace("**", "").replace("*", "")
    return " ".join(text.split())


@cache
def headings(notebook: str) -> frozenset[str]:
    """The plain text of every markdown heading (#..######) of a notebook, outside fenced code."""
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    found = set()
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in "".join(cell["source"]).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            match = None if fenced else re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
            if match:
                found.add(plain(match.group(1)))
    return frozenset(found)


def label(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_helper_module_is_read():
    names = {label(p) for p in MODULES}
    assert {"helpers/qa.py", "helpers/training.py", "helpers/zoo/core.py"} <= names, names


def test_headings_are_read_as_plain_text():
    assert (
        plain("Minimum and maximum length (`min_length`, `max_length`)")
        == "Minimum and maximum length (min_length, max_length)"
    )
    assert (
        plain("Several machines: `--nnodes` and [rendezvous](https://x.y)")
        == "Several machines: --nnodes and rendezvous"
    )
    assert "Extractive question answering" in headings("book/05_classification_and_qa.ipynb")
    assert "Beam search (num_beams)" in headings("book/08_summarization_translation.ipynb")
    assert "Reading log_history" in headings("book/12_trainer.ipynb")


@pytest.mark.parametrize("path", MODULES, ids=label)
def test_module_docstring_says_where_it_is_defined(path):
    if path.name == "__main__.py":  # the zoo's command line: documented by helpers/zoo/__init__.py
        return
    module_doc = dict(docstrings(path)).get("module", "")
    assert DEFINED_IN.search(module_doc) and REFERENCE.search(module_doc), (
        f'{label(path)}: the module docstring must say Defined in chapter N (``book/NN_x.ipynb``, "Heading")'
    )


@pytest.mark.parametrize("path", MODULES, ids=label)
def test_every_defined_in_names_a_real_heading(path):
    problems = []
    for where, doc in docstrings(path):
        for found in DEFINED_IN.finditer(doc):
            if not REFERENCE.match(doc, found.end() + 1):
                problems.append(
                    f"{where}: incomplete {doc[found.start() : found.start() + 90]!r}; write "
                    f'Defined in chapter N (``book/NN_x.ipynb``, "Heading")'
                )
        references = list(REFERENCE.finditer(doc))
        covered = {m.start("notebook") - 2 for m in references}
        for mention in NOTEBOOK_MENTION.finditer(doc):
            if mention.start() not in covered:
                problems.append(f"{where}: {mention.group(0)} without a chapter and a quoted heading")
        for ref in references:
            notebook, heading, number = ref["notebook"], ref["heading"], ref["number"]
            stem = Path(notebook).stem
            if not (ROOT / notebook).is_file():
                problems.append(f"{where}: {notebook} does not exist")
                continue
            if number is None and not stem.startswith("appendix"):
                problems.append(f"{where}: {notebook} is not an appendix (say 'chapter N')")
            if number is not None and not re.match(rf"{int(number):02d}[a-z]?_", stem):
                problems.append(f"{where}: chapter {number} is not {notebook}")
            if heading not in headings(notebook):
                problems.append(
                    f'{where}: {notebook} has no heading "{heading}"; its headings: {sorted(headings(notebook))}'
                )
    assert not problems, f"{label(path)}:\n" + "\n".join(problems)
