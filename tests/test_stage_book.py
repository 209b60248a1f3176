"""scripts/stage_book.py: an executed notebook counts as fresh only while none of its inputs changed (the notebook,
any file of helpers/ or book/scripts/, the zoo manifest, the pins)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stage(tmp_path, tmp_home, monkeypatch):
    """stage_book.py run on a miniature checkout in tmp_path (one notebook), with an empty HFBOOK_HOME."""
    spec = importlib.util.spec_from_file_location("stage_book_under_test", ROOT / "scripts" / "stage_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    src = tmp_path / "src"
    (src / "book" / "scripts").mkdir(parents=True)
    (src / "helpers" / "data").mkdir(parents=True)
    (src / "_config.yml").write_text("execute:\n  execute_notebooks: auto\n")
    (src / "_toc.yml").write_text("root: book/ch\n")
    cell = {"cell_type": "code", "source": "print(1)", "metadata": {}, "outputs": [], "execution_count": None}
    (src / "book" / "ch.ipynb").write_text(
        json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )
    (src / "book" / "scripts" / "run.py").write_text("print('script')\n")
    (src / "helpers" / "__init__.py").write_text("X = 1\n")
    (src / "helpers" / "data" / "table.csv").write_text("a,b\n1,2\n")
    (src / "requirements.txt").write_text("torch==2.13.0\n")
    (src / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    zoo = tmp_home / "zoo"
    zoo.mkdir(parents=True)
    (zoo / "manifest.json").write_text('{"minilm": {"build_seconds": 1.0}}\n')
    monkeypatch.setattr(module, "ROOT", src)
    module.src, module.site, module.zoo = src, tmp_path / "site", zoo
    return module


def execute_and_mark(stage) -> None:
    """What the Makefile does between prepare and mark: run the listed notebooks (here: fake their execution)."""
    for listed in (stage.site / "to-execute.txt").read_text().split():
        nb = json.loads(Path(listed).read_text())
        nb["cells"][0]["execution_count"] = 1
        Path(listed).write_text(json.dumps(nb))
    stage.mark(stage.site)


def to_execute(stage) -> list[str]:
    stage.prepare(stage.site, everything=False)
    return [Path(p).name for p in (stage.site / "to-execute.txt").read_text().split()]


def test_an_executed_notebook_is_kept_until_an_input_changes(stage):
    assert to_execute(stage) == ["ch.ipynb"]  # a fresh site: everything runs
    execute_and_mark(stage)
    assert to_execute(stage) == []  # nothing changed: nothing runs again
    assert json.loads((stage.site / "book" / "ch.ipynb").read_text())["cells"][0]["execution_count"] == 1


@pytest.mark.parametrize(
    "change",
    [
        "helpers/__init__.py",
        "helpers/data/table.csv",
        "helpers/new_module.py",
        "book/scripts/run.py",
        "requirements.txt",
        "pyproject.toml",
        "zoo manifest",
        "no zoo manifest",
        "book/ch.ipynb",
    ],
)
def test_a_change_to_any_input_makes_the_notebook_stale(stage, change):
    assert to_execute(stage) == ["ch.ipynb"]
    execute_and_mark(stage)
    if change == "zoo manifest":
        (stage.zoo / "manifest.json").write_text('{"minilm": {"build_seconds": 2.0}}\n')  # an entry was rebuilt
    elif change == "no zoo manifest":
        (stage.zoo / "manifest.json").unlink()
    else:
        path = stage.src / change
        path.write_text((path.read_text() if path.exists() else "") + " \n")
    assert to_execute(stage) == ["ch.ipynb"]
    # and the copy to execute is the pristine source, not the stale executed one
    assert json.loads((stage.site / "book" / "ch.ipynb").read_text())["cells"][0]["execution_count"] is None


def test_bytecode_caches_do_not_count(stage):
    to_execute(stage)
    execute_and_mark(stage)
    (stage.src / "helpers" / "__pycache__").mkdir()
    (stage.src / "helpers" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert to_execute(stage) == []


def test_mark_stamps_the_inputs_seen_at_prepare_time(stage):
    to_execute(stage)
    (stage.src / "helpers" / "__init__.py").write_text("X = 2\n")  # edited while the notebooks run
    execute_and_mark(stage)
    assert to_execute(stage) == ["ch.ipynb"]  # so the outputs made with the old helper are not trusted


def test_the_key_covers_the_real_checkout():
    spec = importlib.util.spec_from_file_location("stage_book_real", ROOT / "scripts" / "stage_book.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    labels = [label for label, _ in module.shared_inputs()]
    assert {"helpers/__init__.py", "helpers/zoo/core.py", "requirements.txt", "pyproject.toml", "zoo manifest"} <= set(
        labels
    )
    assert not [label for label in labels if "__pycache__" in label]


def test_the_longest_notebooks_execute_first(stage):
    from helpers.chapters import CHAPTERS

    listed = [
        Path("book") / f"{name}.ipynb" for name in ("02_pipelines", "new_one", "13_scaling_out", "10_finetune_pytorch")
    ]
    ordered = [nb.stem for nb in stage.execution_order(listed)]
    assert (
        CHAPTERS["10_finetune_pytorch"].seconds > CHAPTERS["13_scaling_out"].seconds > CHAPTERS["02_pipelines"].seconds
    )
    assert ordered == ["10_finetune_pytorch", "13_scaling_out", "02_pipelines", "new_one"]
