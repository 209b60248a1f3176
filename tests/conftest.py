"""Shared fixtures. The zoo must be built (`make zoo`) before the tests run; `make test` does that."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers.zoo.core import home

ROOT = Path(__file__).resolve().parent.parent
REAL_ZOO = home() / "zoo"  # read before any test changes HFBOOK_HOME


@pytest.fixture
def tmp_home(tmp_path, monkeypatch):
    """An empty HFBOOK_HOME for tests that must not touch the real zoo."""
    path = tmp_path / "hfbook"
    monkeypatch.setenv("HFBOOK_HOME", str(path))
    monkeypatch.delenv("HFBOOK_HUB", raising=False)
    return path


@pytest.fixture
def copied_zoo(tmp_home):
    """A copy of the real zoo's small entries (cased tokenizer, sentence data) in a temporary HFBOOK_HOME."""
    manifest = json.loads((REAL_ZOO / "manifest.json").read_text())
    keep = {k: manifest[k] for k in ("bert-base-cased-tokenizer", "sentences")}
    dest = tmp_home / "zoo"
    dest.mkdir(parents=True)
    for name in keep:
        shutil.copytree(REAL_ZOO / name, dest / name)
    (dest / "manifest.json").write_text(json.dumps(keep))
    return dest
