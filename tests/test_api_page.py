"""The API reference page (``book/api.md``) covers every helper module, and the links to it point somewhere.

The strict book build (``-n``) is what proves each link resolves; these checks are the quick ones that run
without a build: the page lists every module under ``helpers/``, it is in the table of contents, the extension
turns a "Defined in" into the heading's label, and every ``{py:...}`helpers...``` role in a chapter names an
object that exists and is of that kind.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "book" / "api.md"
AUTOMODULE = re.compile(r"^\.\. automodule:: (\S+)\s*$", re.M)
ROLE = re.compile(r"\{py:(?P<kind>func|class|mod|meth|data)\}`(?:[^`<]*<)?(?P<target>helpers[\w.]*)>?`")


def module_names() -> set[str]:
    names = set()
    for path in (ROOT / "helpers").rglob("*.py"):
        if "__pycache__" in path.parts or path.name == "__main__.py":  # the zoo's command line, not an API
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def extension():
    spec = importlib.util.spec_from_file_location("helpers_api", ROOT / "book" / "_ext" / "helpers_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_documents_every_helper_module():
    listed = AUTOMODULE.findall(PAGE.read_text())
    assert len(listed) == len(set(listed)), f"a module is listed twice: {listed}"
    missing, extra = module_names() - set(listed), set(listed) - module_names()
    assert not missing, f"add an automodule section for {sorted(missing)} to book/api.md"
    assert not extra, f"book/api.md lists modules that don't exist: {sorted(extra)}"


def test_page_is_in_the_table_of_contents():
    assert re.search(r"^\s*- file: book/api\s*$", (ROOT / "_toc.yml").read_text(), re.M)


def test_defined_in_becomes_a_link_to_the_heading():
    link = extension().link_references
    doc = 'Defined in chapter 5 (``book/05_classification_and_qa.ipynb``,\n"Extractive question answering").'
    assert link(doc) == (
        'Defined in :ref:`chapter 5, "Extractive question answering" '
        "<book/05_classification_and_qa:Extractive question answering>`."
    )
    doc = 'Defined in the appendix (``book/appendix_migration.ipynb``, "The table").'
    assert link(doc) == 'Defined in :ref:`the appendix, "The table" <book/appendix_migration:The table>`.'
    assert link("Defined in chapter 5.") == "Defined in chapter 5."


KINDS = {
    "func": inspect.isfunction,
    "class": inspect.isclass,
    "mod": inspect.ismodule,
    "meth": inspect.isfunction,
    "data": lambda obj: not callable(obj),
}


def resolve(target: str):
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(target)


def chapter_roles():
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                for match in ROLE.finditer("".join(cell["source"])):
                    yield nb.name, match["kind"], match["target"]


@pytest.mark.parametrize("notebook,kind,target", sorted(set(chapter_roles())) or [("none", "mod", "helpers")])
def test_chapter_links_name_real_helpers(notebook, kind, target):
    obj = resolve(target)
    assert KINDS[kind](obj), f"{notebook}: {{py:{kind}}}`{target}` is not a {kind}"
