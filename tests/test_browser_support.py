"""The browser check's text rules, without a browser: what counts as machine noise in a rendered output."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "book_html"))
from browser_support import noise_in  # noqa: E402


def kinds(text: str) -> list[str]:
    return [kind for kind, _ in noise_in(text)]


def test_noise_found():
    assert kinds("saved to /tmp/hub-repos-x1y2/minilm") == ["a temporary path"]
    assert kinds("cache: /var/folders/ab/T/x") == ["a temporary path"]
    assert kinds("HF_HOME=/root/.cache/huggingface") == ["a home folder"]
    assert kinds("in /home/lili/notebooks") == ["a home folder"]
    assert set(kinds("/work/wt/.venv/lib/python3.11/site-packages/torch")) == {
        "a virtual environment or site-packages path"
    }
    assert kinds("server started (pid 4242)") == ["a process id"]
    assert kinds("serving on http://127.0.0.1:8090/") == ["a local server's port"]
    assert kinds("HF_ENDPOINT=http://localhost:41235") == ["a local server's port"]
    snippet = noise_in("the repo is exported to /tmp/hub-repos-abc/minilm, ready")[0][1]
    assert "/tmp/hub-repos-abc" in snippet


def test_what_is_not_noise():
    for text in [
        "rapid progress, stupid cupid",  # "pid" only as a word of its own
        "~/.cache/huggingface/hub (the default)",
        "models--hfbook--minilm/snapshots/<sha>/config.json",
        "<tmp>/hub-repos/minilm",
        "https://huggingface.co/models, 4.5.0: 3 of 8 tasks",
        "ratio 127.0 and localhost (no port)",
    ]:
        assert kinds(text) == [], text
