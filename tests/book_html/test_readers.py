"""What a reader of either edition gets beyond the pages (issue 23, items 2 and 4), checked on the built site:
the Chinese search finds every glossary term; the language switcher keeps the section and the query; no English
sentence on a Chinese page outside code, outputs, quotations and the API's docstrings, and no English interface
words; a 404 page per edition; the Chinese pages' Colab buttons open the Chinese notebooks (the branch tree that
``scripts/edition_branch.py`` writes and the pages workflow publishes); one PDF per edition (``make pdf``): linked
from the root page and every page's download menu, with pages, embedded fonts, extractable (Chinese) text, every
chapter title in its text and in its bookmarks, and nothing wider than the page in the print page it came from."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from browser_support import HTML, ROOT, chapters, pages
from bs4 import BeautifulSoup

sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))
import book_pdf  # noqa: E402
import search_terms  # noqa: E402

BRANCHES = Path(os.environ.get("HFBOOK_BRANCHES", ROOT / "_build" / "branches")).resolve()
PRINT_PAGES = Path(os.environ.get("HFBOOK_PDF_WORK", ROOT / "_build" / "pdf")).resolve()
ZH_CONFIG = yaml.safe_load((ROOT / "locale" / "zh_CN" / "config.yml").read_text(encoding="utf-8"))
ENGLISH_JS = (Path(__file__).parent / "english_on_page.js").read_text(encoding="utf-8")


def test_zh_search_finds_every_glossary_term(visit):
    """Each term of the glossary's Chinese column, typed as a reader would, finds the glossary page."""
    terms = [chinese for _, chinese in search_terms.glossary_terms(ROOT / "book" / "glossary.md")]
    v = visit()
    tab = v.open("zh_CN/search.html")
    tab.wait_for_function('() => typeof Search !== "undefined" && Search._index !== null', timeout=30_000)
    found = tab.evaluate(
        """(terms) => Object.fromEntries(terms.map((term) => {
            const parsed = Search._parseQuery(term);
            return [term, Search._performSearch(...parsed).map((r) => r[0])];
        }))""",
        terms,
    )
    missing = [term for term in terms if "book/glossary" not in found[term]]
    assert not missing, f"{len(missing)} of {len(terms)} glossary terms not found: {missing}"
    assert not v.errors, "\n".join(v.errors)


def test_language_switcher_keeps_the_section_and_the_query(visit):
    v = visit()
    tab = v.open("en/book/03_tokenizers.html")
    section = tab.eval_on_selector_all("main section[id]", "els => els.map(e => e.id)")[2]
    tab = v.open(f"en/book/03_tokenizers.html?highlight=padding#{section}")
    tab.locator(".dropdown-language-switcher button").first.click()
    tab.locator("a.btn-language-zh-CN").first.click()
    tab.wait_for_load_state("load")
    assert tab.url == v.base + f"zh_CN/book/03_tokenizers.html?highlight=padding#{section}", tab.url
    assert tab.locator(f"section#{section}").count() == 1, "the section's id differs between the editions"
    # the search page keeps its query
    tab = v.open("zh_CN/search.html?q=%E5%AD%A6%E4%B9%A0%E7%8E%87")
    tab.locator(".dropdown-language-switcher button").first.click()
    tab.locator("a.btn-language-en").first.click()
    tab.wait_for_load_state("load")
    assert tab.url == v.base + "en/search.html?q=%E5%AD%A6%E4%B9%A0%E7%8E%87", tab.url


@pytest.mark.parametrize("page", pages())
def test_no_english_sentence_on_a_chinese_page(visit, page):
    v = visit()
    tab = v.open(f"zh_CN/{page}.html")
    tab.wait_for_timeout(300)  # the scripts that add buttons (togglebutton, copybutton) have run
    english = tab.evaluate(ENGLISH_JS)
    assert not english, f"zh_CN/{page}: English outside code and outputs: {english[:10]}"


def test_a_404_page_per_edition(visit):
    v = visit()
    for folder, title, lang in [("en", "Page not found", "en"), ("zh_CN", "找不到页面", "zh-CN")]:
        assert (HTML / folder / "404.html").exists(), f"no {folder}/404.html"
        tab = v.page
        response = tab.goto(v.base + f"{folder}/book/no-such-page.html")
        assert response.status == 404  # the test server answers as GitHub Pages does: the site's 404.html
        assert tab.locator("section:not([hidden]) h1").inner_text() == title
        assert tab.get_attribute("html", "lang") == lang
        tab.locator("section:not([hidden]) a").click()
        tab.wait_for_load_state("load")
        assert tab.url == v.base + f"{folder}/book/intro.html", tab.url


@pytest.mark.parametrize("page", chapters())
def test_zh_launch_buttons_open_the_chinese_notebook(visit, page):
    v = visit()
    tab = v.open(f"zh_CN/{page}.html")
    hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    colab = [h for h in hrefs if h.startswith("https://colab.research.google.com/github/")]
    assert colab, f"{page}: no Colab button"
    match = re.match(r"https://colab.research.google.com/github/[^/]+/[^/]+/blob/([^/]+)/(.+\.ipynb)$", colab[0])
    branch, path = match.groups()
    assert branch == ZH_CONFIG["repository"]["branch"] != "main"
    assert any(f"/{branch}?urlpath=tree/{path}" in h for h in hrefs), f"{page}: the Binder button is not on {branch}"
    published = BRANCHES / branch / path
    assert published.exists(), f"{published}: not in the branch's tree (scripts/edition_branch.py, make book)"
    nb = json.loads(published.read_text(encoding="utf-8"))
    english = json.loads((ROOT / path).read_text(encoding="utf-8"))
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert len(re.findall(r"[\u4e00-\u9fff]", markdown)) > 100, f"{published}: the markdown is not Chinese"
    code = [("".join(c["source"]), c.get("outputs")) for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c for c, _ in code] == ["".join(c["source"]) for c in english["cells"] if c["cell_type"] == "code"]
    assert all(not outputs for _, outputs in code), f"{published}: has outputs (main's notebooks have none)"


# --- the PDFs -------------------------------------------------------------------------------------------------


def pdf_path(edition: str) -> Path:
    return HTML / edition / "_downloads" / book_pdf.EDITIONS[edition][1]


def outline_titles(data: bytes) -> list[str]:
    """The titles of the PDF's bookmarks (chromium writes the outline as plain objects)."""
    titles = []
    for body in re.findall(rb"\d+ 0 obj\s*<<(.*?)>>\s*endobj", data, re.S):
        if b"/Parent" not in body or b"/Dest" not in body:
            continue
        raw = re.search(rb"/Title\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))", body)
        if raw:
            t = raw.group(1)
            if t.startswith(b"<"):
                b = bytes.fromhex(t[1:-1].decode())
                titles.append(b[2:].decode("utf-16-be") if b[:2] == b"\xfe\xff" else b.decode("latin-1"))
            else:
                titles.append(t[1:-1].decode("latin-1"))
    return titles


def chapter_titles(edition: str) -> list[str]:
    titles = []
    for page in pages():
        soup = BeautifulSoup((HTML / edition / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        h1 = soup.select_one("article.bd-article h1") or soup.select_one("main h1")
        for link in h1.select("a.headerlink"):
            link.decompose()
        titles.append(h1.get_text(" ", strip=True))
    return titles


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("edition", ["en", "zh_CN"])
def test_the_pdf_of_each_edition(edition):
    path = pdf_path(edition)
    assert path.exists(), f"{path}: run `make pdf` (after `make book`)"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    page_count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert page_count >= 2 * len(chapters()), page_count
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), f"fonts not embedded:\n{fonts}"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True).stdout
    flat = squash(text)
    if edition == "zh_CN":
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 20_000, "too little Chinese text can be extracted"
    titles = chapter_titles(edition)
    missing_text = [t for t in titles if squash(t) not in flat]
    assert not missing_text, f"chapter titles not in the PDF's text: {missing_text}"
    bookmarks = outline_titles(path.read_bytes())
    missing = [t for t in titles if squash(t) not in {squash(b) for b in bookmarks}]
    assert not missing, f"chapter titles without a bookmark: {missing}"
    assert len(bookmarks) > 3 * len(titles), f"only {len(bookmarks)} bookmarks: the sections are missing"
    doubled = [b for b in bookmarks if re.fullmatch(r"(.{3,})\1", b)]
    assert not doubled, f"bookmarks named twice: {doubled[:3]}"


@pytest.mark.parametrize("edition", ["en", "zh_CN"])
def test_nothing_in_the_pdf_is_cut_at_the_margin(browser, edition):
    source = PRINT_PAGES / f"{edition}.html"
    assert source.exists(), f"{source}: run `make pdf`"
    tab = browser.new_page()
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    tab.emulate_media(media="print")
    tab.set_viewport_size({"width": 794 - 106, "height": 1000})  # A4 at 96 dpi less the margins (28 mm)
    tab.goto(source.as_uri(), wait_until="load")
    cut = book_pdf.overflowing(tab)
    tab.close()
    assert not cut, f"{len(cut)} elements wider than the page: {cut[:5]}"


@pytest.mark.parametrize("edition", ["en", "zh_CN"])
def test_the_pdf_is_linked_from_the_root_page_and_the_download_menu(visit, edition):
    v = visit()
    tab = v.open("index.html")
    links = tab.eval_on_selector_all("a.book-pdf", "els => els.map(e => e.getAttribute('href'))")
    expected = f"{edition}/_downloads/{pdf_path(edition).name}"
    assert expected in links, links
    tab = v.open(f"{edition}/{chapters()[0]}.html")
    href = tab.get_attribute("a.btn-download-book-pdf-button", "href")
    got = tab.request.get(v.base + f"{edition}/" + os.path.normpath(os.path.join(Path(chapters()[0]).parent, href)))
    assert got.ok and got.body()[:5] == b"%PDF-", href
