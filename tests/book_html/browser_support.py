"""Where the built book is and which pages it has (shared by conftest.py and test_browser.py)."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("HFBOOK_HTML", ROOT / "_build" / "html")).resolve()  # the editions side by side
EDITIONS = {"en": "en", "zh_CN": "zh-CN"}  # folder under HTML: the pages' lang attribute
TOC = Path(os.environ.get("HFBOOK_TOC", ROOT / "_toc.yml")).resolve()
SCREENSHOTS = Path(os.environ.get("HFBOOK_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def toc_files(toc: dict) -> list[str]:
    """Every page of a jb-book ``_toc.yml`` in reading order (root first), as paths without suffix."""
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [str(Path(p).with_suffix("")) for p in pages]


@functools.lru_cache(maxsize=None)
def pages() -> list[str]:
    return toc_files(yaml.safe_load(TOC.read_text()))


def chapters() -> list[str]:
    """The pages built from notebooks (their .ipynb is served under _sources/): the book's chapters and appendix."""
    return [p for p in pages() if (HTML / "en" / "_sources" / f"{p}.ipynb").exists()]


# What a rendered output must not show: the machine it was built on.
NOISE = {
    "a temporary path": re.compile(r"/tmp/|/var/folders/|/private/var/"),
    "a home folder": re.compile(r"(?<![\w.])/(?:root|home/\w+)(?:/|\b)"),
    "a virtual environment or site-packages path": re.compile(r"site-packages|dist-packages|/\.?venv/"),
    "a process id": re.compile(r"\bpids?\b", re.IGNORECASE),
    "a local server's port": re.compile(r"\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0):\d{2,5}\b"),
}


def noise_in(text: str) -> list[tuple[str, str]]:
    """(kind, snippet) for each piece of machine noise in an output's text."""
    found = []
    for kind, pattern in NOISE.items():
        for match in pattern.finditer(text):
            start = max(match.start() - 25, 0)
            found.append((kind, " ".join(text[start : match.end() + 25].split())))
    return found
