"""Where the built book is and which pages it has (shared by conftest.py and test_browser.py)."""

from __future__ import annotations

import functools
import os
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
