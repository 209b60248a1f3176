"""Every entry of the API page (``book/api.md``) says where the book introduces it.

autodoc documents each public function and class of a helpers module (``book/_ext/helpers_api.py`` lists them even
without a docstring; ``__all__`` decides where a module has one) and each module-level name with a ``#:`` comment
before it or a docstring after it. Each of them must say ``Defined in chapter N (``book/NN_x.ipynb``, "Heading")``
or ``Used by ... chapter N (...)`` (``tests/test_defined_in.py`` checks that the chapter and heading exist), and a
data entry's first line must not read as napoleon's ``type: description`` (``NO_DECAY`` once rendered as
"**Type:** The seed's no_decay list").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    p for p in (ROOT / "helpers").rglob("*.py") if "__pycache__" not in p.parts and p.name != "__main__.py"
)
WHERE = re.compile(
    r"\b(?:Defined in|Used by)\b[^.]*?(?:chapter \d+|the appendix) \(``book/[^`]+\.ipynb``, \"[^\"]+\"\)"
)


def docstring_after(body: list, i: int) -> str | None:
    nxt = body[i + 1] if i + 1 < len(body) else None
    if isinstance(nxt, ast.Expr) and isinstance(getattr(nxt, "value", None), ast.Constant):
        return nxt.value.value if isinstance(nxt.value.value, str) else None
    return None


def entries(source: str) -> list[tuple[str, str, str]]:
    """(name, kind, documentation) of each entry autodoc shows for a module's source."""
    tree = ast.parse(source)
    lines = source.splitlines()
    public = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            public = {e.value for e in node.value.elts}
    found = []
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not node.name.startswith("_") and (public is None or node.name in public):
                found.append((node.name, "code", ast.get_docstring(node) or ""))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name) and not t.id.startswith("_")]
            if not names:
                continue
            comment, j = [], node.lineno - 2
            while j >= 0 and lines[j].strip().startswith("#:"):
                comment.insert(0, lines[j].strip()[2:].strip())
                j -= 1
            doc = "\n".join(comment) if comment else docstring_after(tree.body, i)
            if doc is not None:
                found.append((names[0], "data", doc))
    return found


def test_entries_found_in_a_small_module():
    source = (
        '__all__ = ["f", "C", "DATA"]\n'
        '#: Some data.\n#:\n#: Defined in chapter 1 (``book/01_x.ipynb``, "H").\nDATA = 1\n'
        'OTHER = 2\n"""Documented after."""\n_PRIVATE = 3\n'
        'def f():\n    """Doc."""\n'
        "def g():\n    pass\n"
        "class C:\n    pass\n"
    )
    found = {name: (kind, " ".join(doc.split())) for name, kind, doc in entries(source)}
    assert set(found) == {"DATA", "OTHER", "f", "C"}  # g: not in __all__
    assert WHERE.search(found["DATA"][1]) and not WHERE.search(found["f"][1])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_entry_says_where_the_book_introduces_it(path):
    problems = []
    for name, kind, doc in entries(path.read_text()):
        flat = " ".join(doc.split())
        if not WHERE.search(flat):
            problems.append(f"{name}: no 'Defined in chapter N (``book/...``, \"Heading\")' or 'Used by ...' line")
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        # napoleon reads "words: more words" on an attribute's first line as "type: description"
        if kind == "data" and re.match(r"^[^`:]+:\s+\S", first):
            problems.append(f"{name}: the first line {first!r} would render as '**Type:** ...' (no colon there)")
    assert not problems, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


def test_data_entries_render_and_link_to_their_source(tmp_path):
    """autodoc + napoleon + viewcode + book/_ext/helpers_api.py on ``helpers.training``: ``NO_DECAY`` reads as its
    comment says (no "Type:"), and ``RECIPE`` has its [source] link into the module's highlighted code."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\nsys.path.insert(0, {str(ROOT)!r})\n"
        "extensions = ['sphinx.ext.autodoc', 'sphinx.ext.viewcode', 'sphinx.ext.napoleon', 'helpers_api']\n"
    )
    (src / "index.rst").write_text("API\n===\n\n.. automodule:: helpers.training\n   :members:\n")
    out = tmp_path / "html"
    Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html", status=None, warning=None).build()
    html = (out / "index.html").read_text()
    for name in ("RECIPE", "NO_DECAY"):
        entry = html[html.index(f'id="helpers.training.{name}"') :][:1500]
        assert "viewcode-link" in entry, f"{name}: no [source] link"
    no_decay = html[html.index('id="helpers.training.NO_DECAY"') :][:1500]
    assert "Type:" not in re.sub(r"<[^>]+>", "", no_decay)
    assert 'id="line-' in (out / "_modules" / "helpers" / "training.html").read_text() or (
        "RECIPE" in (out / "_modules" / "helpers" / "training.html").read_text()
    )
