"""pyproject.toml is the one list of dependencies (every one pinned with ==); requirements.txt, the full set that
`make venv` installs, is generated from it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("pins", ROOT / "scripts" / "pins.py")
pins = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pins)


def test_every_dependency_is_pinned():
    assert pins.unpinned() == []


def test_requirements_txt_is_generated_from_pyproject():
    assert (ROOT / "requirements.txt").read_text() == pins.requirements_text(), "run `python scripts/pins.py`"


def test_the_reader_set_leaves_out_the_toolchain_and_tensorflow():
    groups = pins.groups()
    reader = {r.split("==")[0] for r in groups["reader"]}
    assert "torch" in reader and "transformers" in reader
    assert not reader & {"tensorflow", "jupyter-book", "sphinx", "pytest", "playwright", "nbmake", "jupyterlab"}
    assert {"keras", "book", "test"} <= set(groups)
    assert [r for r in groups["reader"] if r.startswith("torch==")] == ["torch==2.13.0"]


def test_an_unpinned_line_is_reported(tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text(
        '[project]\ndependencies = ["torch==2.13.0", "numpy>=2"]\n[project.optional-dependencies]\nx = ["pandas"]\n'
    )
    assert pins.unpinned(bad) == ["reader: numpy>=2", "x: pandas"]
