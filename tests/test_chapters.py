"""helpers/chapters.py against the notebooks: every zoo entry a chapter really loads, and every optional package it
imports, is in its row (and nothing else); the first cell installs and builds exactly that; the chapter build
builds only the missing entries."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from helpers import chapters
from helpers.checkpoints import CHECKPOINTS
from helpers.zoo import REGISTRY, core

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
NAME = r"""\(\s*["']([\w.-]+)["']"""
# How code reaches the zoo: a checkpoint name (mapped through CHECKPOINTS), an entry name, or the sentence data.
CHECKPOINT_USES = [re.compile(r"\bcheckpoint" + NAME), re.compile(r"\bCHECKPOINTS\[\s*[\"']([\w.-]+)[\"']")]
ENTRY_USES = [re.compile(r"\bentry_dir" + NAME), re.compile(r"manifest(?:\(\))?\[\s*[\"']([\w.-]+)[\"']")]
SENTENCE_USES = re.compile(r"\bload_sentences\(")
# Imports that need an extra of pyproject.toml, and the zoo entries whose build needs one.
IMPORT_EXTRAS = {
    "tensorflow": "keras",
    "keras": "keras",
    "keras_hub": "keras",
    "tensorflow_text": "keras",
    "sklearn": "sklearn",
    "spacy": "spacy",
}
ENTRY_EXTRAS = {"ner": "spacy", "qa": "spacy"}  # silver labels from a spaCy model (helpers/zoo/silver.py)


def code_of(nb: Path) -> str:
    cells = json.loads(nb.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def zoo_uses(code: str) -> set[str]:
    found = {CHECKPOINTS[m.group(1)].zoo for p in CHECKPOINT_USES for m in p.finditer(code)} - {None}
    found |= {m.group(1) for p in ENTRY_USES for m in p.finditer(code)}
    if SENTENCE_USES.search(code):
        found.add("sentences")
    return found


def imports(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:import|from)\s+(\w+)", code, re.M))


def what_it_uses(nb: Path) -> tuple[set[str], set[str]]:
    """(zoo entries, extras) of a notebook's code, of the helper modules it imports and the book scripts it runs."""
    code = code_of(nb)
    sources = [code]
    for module in set(re.findall(r"\bhelpers\.(\w+)", code)) - {"zoo", "checkpoints", "chapters"}:
        if (ROOT / "helpers" / f"{module}.py").exists():
            sources.append((ROOT / "helpers" / f"{module}.py").read_text())
    for script in re.findall(r"scripts/(\w+\.py)", code):
        sources.append((ROOT / "book" / "scripts" / script).read_text())
    entries = set().union(*(zoo_uses(s) for s in sources))
    extras = {IMPORT_EXTRAS[i] for s in sources for i in imports(s) if i in IMPORT_EXTRAS}
    extras |= {ENTRY_EXTRAS[e] for e in core._order(sorted(entries)) if e in ENTRY_EXTRAS}
    return entries, extras


def test_every_notebook_has_a_row_and_every_row_a_notebook():
    assert sorted(chapters.CHAPTERS) == [nb.stem for nb in NOTEBOOKS]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_row_lists_what_the_chapter_really_uses(nb):
    row = chapters.CHAPTERS[nb.stem]
    entries, extras = what_it_uses(nb)
    assert set(row.zoo) <= set(REGISTRY), f"{nb.stem}: unknown zoo entries {set(row.zoo) - set(REGISTRY)}"
    assert sorted(entries - set(row.zoo)) == [], f"{nb.stem} uses zoo entries its row in helpers/chapters.py lacks"
    if not row.lists_the_zoo:
        assert sorted(set(row.zoo) - entries) == [], f"{nb.stem}'s row lists entries the chapter does not use"
    assert sorted(row.extras) == sorted(extras), f"{nb.stem}: extras {sorted(extras)} (helpers/chapters.py)"


def test_the_scan_finds_uses_inside_helpers_and_scripts():
    # chapter 13 also reaches the zoo through book/scripts/ddp_train.py and helpers.data
    assert what_it_uses(ROOT / "book" / "13_scaling_out.ipynb")[0] == {"minilm", "sentences"}
    assert zoo_uses('x = checkpoint("paraphrase"); read_manifest()["qa"]; entry_dir(\'ner\')') == {
        "minilm",
        "qa",
        "ner",
    }


def test_every_extra_is_in_pyproject_and_every_entry_has_a_build_time():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert {e for c in chapters.CHAPTERS.values() for e in c.extras} <= set(extras)
    assert set(IMPORT_EXTRAS.values()) <= set(extras)
    assert sorted(set(REGISTRY) - set(chapters.BUILD_SECONDS)) == [], "add their build times to BUILD_SECONDS"


def test_first_cells_are_generated_from_the_table():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "first_cell.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    cells = json.loads((ROOT / "book" / "11_finetune_keras.ipynb").read_text())["cells"]
    cell = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    assert 'pip install -q "hfbook-helpers[keras] @ git+https://github.com/{repo}"' in cell
    assert 'setup_chapter("11_finetune_keras")' in cell
    assert "[" not in code_of(ROOT / "book" / "03_tokenizers.ipynb").splitlines()[4]  # no extras for chapter 3


def test_entries_come_dependencies_first_and_hub_mode_needs_only_data():
    names = chapters.entries_for("05_classification_and_qa")
    assert sorted(names) == ["instruct", "minilm", "qa", "sentences", "sentiment"]
    assert names.index("sentences") < names.index("qa") and names.index("minilm") < names.index("sentiment")
    assert chapters.entries_for("05_classification_and_qa", hub=True) == ["sentences"]
    assert chapters.entries_for("03_tokenizers", hub=True) == []
    # chapter 1 serves two entries from a hub of its own, in hub mode too
    assert sorted(chapters.entries_for("01_installation_and_caching", hub=True)) == [
        "bert-base-cased-tokenizer",
        "minilm",
        "sentences",
    ]
    with pytest.raises(KeyError, match="unknown chapter '03'.*03_tokenizers"):
        chapters.entries_for("03")


def test_a_chapter_builds_only_its_missing_entries(tmp_home, monkeypatch, capsys):
    calls = []

    def fake(name):
        def build(into, ctx):
            calls.append(name)
            (into / "f.txt").write_text(name)
            return {}

        return build

    saved = dict(core.REGISTRY)
    try:
        core.REGISTRY.clear()
        for name, deps in [("base", []), ("head", ["base"]), ("other", [])]:
            core.register(core.Entry(name, "model", name, "MIT", fake(name), deps=deps))
        monkeypatch.setitem(chapters.CHAPTERS, "99_fake", chapters.Chapter("99_fake", ("head",)))
        monkeypatch.setitem(chapters.BUILD_SECONDS, "head", 90)
        monkeypatch.setitem(chapters.BUILD_SECONDS, "base", 30)
        # in-process builds (jobs=1) so that the fake entries exist where they are built
        original = core.build
        monkeypatch.setattr(core, "build", lambda names, **kw: original(names, **{**kw, "jobs": 1}))
        import helpers.zoo as zoo

        monkeypatch.setattr(zoo, "build", core.build)
        assert chapters.build_chapter_zoo("99_fake") == ["base", "head"]
        out = capsys.readouterr()
        assert "building the 2 entries this chapter needs (base, head); about 2 min" in out.out
        assert "120/120 s expected" in out.err  # the bar, weighted by the expected seconds, ends full
        assert chapters.build_chapter_zoo("99_fake") == []
        assert "this chapter uses base, head; all built." in capsys.readouterr().out
    finally:
        core.REGISTRY.clear()
        core.REGISTRY.update(saved)
    assert calls == ["base", "head"]


def test_binder_installs_what_the_chapters_import_and_no_toolchain():
    assert chapters.reader_extras() == ["keras", "sklearn", "spacy"]
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "reader_extras()" in post and '-e ".[${extras}]"' in post
    assert "helpers.zoo build" not in post  # each chapter builds its own entries
    assert not (ROOT / "postBuild").exists()  # repo2docker would run it with the full requirements.txt


def test_a_missing_extra_is_a_clear_error(monkeypatch):
    chapters.check_extras("11_finetune_keras")  # this venv has every extra
    monkeypatch.setitem(chapters.EXTRA_MODULES, "keras", "no_such_module_for_this_test")
    with pytest.raises(
        ImportError,
        match=r"11_finetune_keras needs the optional packages \[keras\].*"
        r'pip install -e "\.\[keras\]"',
    ):
        chapters.check_extras("11_finetune_keras")
    chapters.check_extras("03_tokenizers")  # no extras: nothing to check
