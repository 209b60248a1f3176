"""Shared fixtures. The zoo must be built (`make zoo`) before the tests run; `make test` does that.

Every test reads the zoo of ``$HFBOOK_HOME`` (default ``~/.cache/hfbook``): :data:`REAL_HOME` is read once,
before any test points ``HFBOOK_HOME`` at a temporary folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import checkpoint
from helpers.zoo.core import home

ROOT = Path(__file__).resolve().parent.parent
REAL_HOME = home()  # read before any test changes HFBOOK_HOME
REAL_ZOO = REAL_HOME / "zoo"


# ------------------------------------------------------------------------- temporary zoos
@pytest.fixture
def tmp_home(tmp_path, monkeypatch):
    """An empty HFBOOK_HOME for tests that must not touch the real zoo."""
    path = tmp_path / "hfbook"
    monkeypatch.setenv("HFBOOK_HOME", str(path))
    monkeypatch.delenv("HFBOOK_HUB", raising=False)
    return path


@pytest.fixture
def make_zoo(tmp_home):
    """``make_zoo(copies=[...], links=[...], downloads=False)``: a zoo in the temporary HFBOOK_HOME holding
    copies of some real entries and symbolic links to others (read-only use), with their manifest records;
    ``downloads=True`` links the real download cache too, so an entry can be rebuilt offline."""

    def make(copies=(), links=(), downloads: bool = False) -> Path:
        manifest = json.loads((REAL_ZOO / "manifest.json").read_text())
        dest = tmp_home / "zoo"
        dest.mkdir(parents=True, exist_ok=True)
        for name in copies:
            shutil.copytree(REAL_ZOO / name, dest / name)
        for name in links:
            (dest / name).symlink_to(REAL_ZOO / name)
        if downloads:
            (tmp_home / "downloads").symlink_to(REAL_HOME / "downloads")
        (dest / "manifest.json").write_text(json.dumps({k: manifest[k] for k in (*copies, *links)}))
        return dest

    return make


@pytest.fixture
def copied_zoo(make_zoo):
    """A copy of the real zoo's small entries (cased tokenizer, sentence data) in a temporary HFBOOK_HOME."""
    return make_zoo(copies=("bert-base-cased-tokenizer", "sentences"))


@pytest.fixture
def registry():
    """The zoo's REGISTRY, emptied for the test and restored afterwards (for fake entries)."""
    from helpers.zoo import core

    saved = dict(core.REGISTRY)
    core.REGISTRY.clear()
    yield core.REGISTRY
    core.REGISTRY.clear()
    core.REGISTRY.update(saved)


# --------------------------------------------------------------------- the zoo's tokenizers and models
@pytest.fixture(scope="session")
def cased():
    """The bert-base-cased tokenizer (vocabulary rebuilt by the zoo)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(checkpoint("bert-base-cased"))


@pytest.fixture(scope="session")
def uncased():
    """MiniLM's uncased tokenizer (the bert-base-uncased vocabulary)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(checkpoint("minilm"))


@pytest.fixture(scope="session")
def bpe():
    """SmolLM2's byte-level BPE tokenizer."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(checkpoint("causal-lm"))


@pytest.fixture(scope="session")
def zoo_qa():
    """The zoo's extractive QA model (eval mode) and its tokenizer."""
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    path = checkpoint("qa")
    return AutoModelForQuestionAnswering.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="session")
def zoo_manifest():
    """The real zoo's manifest."""
    return json.loads((REAL_ZOO / "manifest.json").read_text())


# --------------------------------------------------------------------- the zoo as hub repositories, served locally
@pytest.fixture(scope="session")
def hub_repos(tmp_path_factory):
    """Every built zoo entry exported as a hub repository (``python -m helpers.zoo export-repos``): {name: repo}."""
    from helpers.hub_repos import export_repos

    dest = tmp_path_factory.mktemp("hub-repos")
    return {r.name: r for r in export_repos(dest, log=lambda _: None)}


@pytest.fixture(scope="session")
def local_hub(hub_repos):
    """olah serving ``hub_repos`` on 127.0.0.1 (a free port), with huggingface_hub, transformers and datasets
    pointed at it and online for the session; stopped (by its process id) and restored afterwards."""
    import datasets.config
    import huggingface_hub.constants as hub_constants

    from helpers.local_hub import LocalHub, use_endpoint

    dest = next(iter(hub_repos.values())).path.parents[2]
    with pytest.MonkeyPatch.context() as mp, LocalHub(dest) as hub:
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            mp.delenv(var, raising=False)
        mp.setattr(hub_constants, "HF_HUB_OFFLINE", False)
        mp.setattr(datasets.config, "HF_HUB_OFFLINE", False)
        mp.setattr(datasets.config, "HF_DATASETS_OFFLINE", False)
        for module, names in [
            (hub_constants, ("ENDPOINT", "HUGGINGFACE_CO_URL_TEMPLATE")),
            (datasets.config, ("HF_ENDPOINT", "HUB_DATASETS_URL")),
        ]:
            for name in names:
                mp.setattr(module, name, getattr(module, name))  # restored when the session ends
        mp.setenv("HF_ENDPOINT", hub.endpoint)
        use_endpoint(hub.endpoint)
        yield hub
