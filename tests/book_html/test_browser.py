"""The built HTML book in a real browser (headless Debian chromium, Playwright): every page of _toc.yml loads without
console errors; every chapter shows executed outputs, its images load, and it has its Colab, Binder and .ipynb
download buttons; the search page finds a chapter by a word of it; the navigation reaches every chapter. Saves a
screenshot of a chapter page. Run by ``make check-html`` (the end of ``make book``)."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import yaml

from conftest import HTML, ROOT, SCREENSHOTS, TOC, chapters, pages


def test_the_toc_has_pages_and_chapters():
    assert len(pages()) >= 2 and chapters(), (pages(), HTML)
    assert len(set(pages())) == len(pages())


@pytest.mark.parametrize("page", pages())
def test_page_loads_without_console_errors(visit, page):
    v = visit()
    tab = v.open(f"{page}.html")
    assert tab.locator("main h1").count() >= 1, f"{page}: no title"
    assert not v.errors, f"{page}:\n" + "\n".join(v.errors)
    if v.external:
        print(f"{page}: {len(v.external)} request(s) to other hosts stubbed offline, e.g. {v.external[0]}")


@pytest.mark.parametrize("page", chapters())
def test_chapter_shows_outputs_images_and_buttons(visit, page):
    v = visit()
    tab = v.open(f"{page}.html")
    outputs = tab.locator("div.cell_output")
    assert outputs.count() >= 1, f"{page}: no executed output"
    assert any(text.strip() for text in outputs.all_inner_texts()) or tab.locator("div.cell_output img").count(), \
        f"{page}: outputs are empty"
    images = tab.locator("article img, main img")
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        ok = img.evaluate("el => el.complete && el.naturalWidth > 0")
        assert ok, f"{page}: image {img.get_attribute('src')} did not load"
    # launch buttons and the .ipynb download, driven by _config.yml (repository.url, launch_buttons)
    config = yaml.safe_load((TOC.parent / "_config.yml").read_text())
    repo = config["repository"]["url"].rstrip("/").removeprefix("https://github.com/")
    branch = config["repository"].get("branch", "main")
    hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{page}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=tree/{page}.ipynb"
    assert colab in hrefs, f"{page}: no Colab button {colab}"
    assert binder in hrefs, f"{page}: no Binder button {binder}"
    download = [h for h in hrefs if h.endswith(f"_sources/{page}.ipynb")]
    assert download, f"{page}: no .ipynb download link"
    got = tab.request.get(v.base + f"_sources/{page}.ipynb")
    assert got.ok and got.json()["nbformat"] == 4, f"{page}: the .ipynb download is not a notebook"
    assert not v.errors, f"{page}:\n" + "\n".join(v.errors)


def _search_term(page_text: str) -> str:
    words = re.findall(r"[A-Za-z]{6,}", page_text)
    common = {"notebook", "chapter", "python", "import", "output", "should", "return", "before", "result"}
    return max((w for w in words if w.lower() not in common), key=len)


def test_search_finds_a_chapter(visit):
    chapter = chapters()[0]
    v = visit()
    title = v.open(f"{chapter}.html").locator("main h1").first.inner_text()
    term = _search_term(title) if re.search(r"[A-Za-z]{6,}", title) else "transformers"
    tab = v.open(f"search.html?q={quote(term)}")
    tab.wait_for_selector("#search-results ul.search li a", timeout=30_000)
    hits = tab.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.split("?")[0].split("#")[0].endswith(f"{chapter}.html") for h in hits), (term, hits)
    assert not v.errors, "\n".join(v.errors)


def test_navigation_reaches_every_chapter(visit):
    v = visit()
    tab = v.open(f"{pages()[0]}.html")
    # the sidebar lists every page
    sidebar = tab.eval_on_selector_all("nav.bd-docs-nav a.reference.internal", "els => els.map(e => e.href)")
    for page in pages()[1:]:
        assert any(h.split("#")[0].endswith(f"/{page}.html") for h in sidebar), f"{page} not in the sidebar"
    # and "Next" leads from the first page through every page, in the order of _toc.yml
    visited = [pages()[0]]
    for _ in range(len(pages()) + 2):
        nxt = tab.locator("a.right-next")
        if nxt.count() == 0:
            break
        nxt.first.click()
        tab.wait_for_load_state("load")
        visited.append(tab.url.removeprefix(v.base).split("#")[0].removesuffix(".html"))
    assert visited == pages(), visited
    assert not v.errors, "\n".join(v.errors)


def test_screenshot_of_a_chapter(visit):
    chapter = chapters()[0]
    v = visit()
    tab = v.open(f"{chapter}.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (chapter.replace("/", "_") + ".png")
    tab.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
