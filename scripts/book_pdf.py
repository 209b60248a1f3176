"""One PDF of the whole book per edition, made offline from the built HTML by Debian's chromium (Playwright).

``book_pdf.py HTML TOC`` reads every page of each edition under ``HTML`` (``HTML/en/``, ``HTML/zh_CN/``, as
``scripts/assemble_site.py`` lays them out) in the order of ``TOC`` (``_toc.yml``), puts their articles one after
the other in one print page per edition (``OUT/<edition>.html``, default ``_build/pdf``: the edition's stylesheets,
a title page, each chapter starting on a new page, links between pages turned into links inside the document,
hidden cells opened, long code lines and wide outputs wrapped), and prints it to
``HTML/<edition>/_downloads/<name>.pdf`` with chromium's print-to-PDF: the fonts are embedded (the Chinese
edition's Noto CJK from Debian's fonts-noto-cjk) and the PDF outline (bookmarks) is made from the headings, so every
chapter and section is a bookmark. No network and no root: the same chromium as the browser check
(``scripts/browser_deps.sh``); other hosts are never asked (MathJax, for the one page with formulas, comes from a
CDN: the formulas stay as TeX source in the PDF).

Prints each edition's seconds and the PDF's size.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "book_html"))
EDITIONS = {  # folder: (lang attribute, file name, title page's subtitle)
    "en": ("en", "transformers-hands-on.pdf", "An executable book, printed from its web edition"),
    "zh_CN": ("zh-CN", "transformers-hands-on.zh_CN.pdf", "一本可执行的书（由网页版打印）"),
}
FOOTER = '<div style="font-size:8pt;width:100%;text-align:center"><span class="pageNumber"></span></div>'
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: #fff !important; }
body { font-size: 10.5pt; }
.hfbook-title-page { page-break-after: always; padding-top: 35vh; text-align: center; }
.hfbook-title-page h1 { font-size: 26pt; border: 0; }
.hfbook-chapter { page-break-before: always; }
.hfbook-chapter:first-of-type { page-break-before: auto; }
/* nothing cut at the margin: code and outputs wrap, figures and tables shrink to the page */
pre, .highlight pre, .output pre, .cell_output pre {
  white-space: pre-wrap !important; overflow-wrap: anywhere; word-break: break-word; overflow: visible !important;
  max-height: none !important;
}
img, svg, video, canvas { max-width: 100% !important; height: auto !important; }
table { max-width: 100% !important; table-layout: auto; }
td, th, td *, th * { overflow-wrap: anywhere; white-space: normal !important; }
div.cell_output, div.output, .table-wrapper, .pst-scrollable-table-container, div.highlight {
  overflow: visible !important; max-height: none !important; max-width: 100% !important;
}
.pst-scrollable-table-container table { font-size: 8.5pt; }
a.headerlink, button.copybtn, .toggle-button, summary .collapsed, summary .expanded { display: none !important; }
details > summary { display: none; }

figure, img { break-inside: avoid; }
/* at the theme's line-height (1.15) chromium names some headings twice in the PDF outline */
h1, h2, h3, h4, h5, h6 { line-height: 1.4 !important; }
"""


def toc_files(toc_path: Path) -> list[str]:
    from browser_support import toc_files as walk  # the same reading order as the browser check

    return walk(yaml.safe_load(toc_path.read_text(encoding="utf-8")))


def anchor(page: str, fragment: str = "") -> str:
    """The id of a page's section in the print document: pages' own ids may repeat across pages."""
    slug = re.sub(r"[^A-Za-z0-9_-]", "-", page)
    return f"{slug}--{fragment}" if fragment else slug


def chapter_html(edition_dir: Path, page: str, pages: set[str]) -> str:
    """One page's article, its ids and links rewritten for the print document."""
    path = edition_dir / f"{page}.html"
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.select_one("main")
    if article is None:
        raise SystemExit(f"{path}: no article (was it built by `make book`?)")
    folder = str(Path(page).parent)
    for element in article.select("[id]"):
        element["id"] = anchor(page, element["id"])
    for link in article.select("a[href]"):
        href = link["href"]
        if href.startswith("#"):
            link["href"] = "#" + anchor(page, href[1:])
            continue
        if re.match(r"^[a-z]+:", href):
            continue
        target, _, fragment = href.partition("#")
        target_page = os.path.normpath(os.path.join(folder, target)).removesuffix(".html")
        if target.endswith(".html") and target_page in pages:
            link["href"] = "#" + anchor(target_page, fragment)
    for useless in article.select("a.headerlink, button.copybtn, details > summary"):  # nothing to click on paper
        useless.decompose()
    for details in article.select("details"):
        details["open"] = ""
    for src in article.select("[src]"):  # relative to the page: the print page's <base> is the edition's root
        if not re.match(r"^[a-z]+:", src["src"]):
            src["src"] = f"{edition_dir.as_uri()}/{os.path.normpath(os.path.join(folder, src['src']))}"
    return f'<section class="hfbook-chapter" id="{anchor(page)}">\n{article.decode_contents()}\n</section>'


def print_page(edition_dir: Path, lang: str, pages: list[str], subtitle: str) -> str:
    first = BeautifulSoup((edition_dir / f"{pages[0]}.html").read_text(encoding="utf-8"), "html.parser")
    folder = str(Path(pages[0]).parent)
    styles = []
    for link in first.select('link[rel="stylesheet"]'):
        href = link["href"]
        if not re.match(r"^[a-z]+:", href):
            href = f"{edition_dir.as_uri()}/{os.path.normpath(os.path.join(folder, href))}"
        styles.append(f'<link rel="stylesheet" href="{href}">')
    title = first.select_one("title").get_text().split("—")[-1].strip() if first.select_one("title") else ""
    book_title = (first.select_one(".navbar-brand") or first.select_one("title")).get_text(" ", strip=True) or title
    chapters = "\n".join(chapter_html(edition_dir, page, set(pages)) for page in pages)
    return f"""<!DOCTYPE html>
<html lang="{lang}" data-theme="light" data-mode="light">
<head>
<meta charset="utf-8">
<title>{book_title}</title>
{chr(10).join(styles)}
<style>{PRINT_CSS}</style>
</head>
<body>
<div class="bd-article-container"><article class="bd-article">
<section class="hfbook-title-page"><h1 class="hfbook-book-title">{book_title}</h1><p>{subtitle}</p></section>
{chapters}
</article></div>
</body>
</html>
"""


def overflowing(page) -> list[str]:
    """Elements of the print page wider than the printable width (what the PDF would cut at the margin)."""
    return page.evaluate(
        """() => {
        const width = document.querySelector("article").getBoundingClientRect().right + 1;
        const out = [];
        const wide = "article pre, article img, article table, article .cell_output, article svg";
        for (const el of document.querySelectorAll(wide)) {
            const r = el.getBoundingClientRect();
            const chapter = (el.closest("section.hfbook-chapter") || {}).id;
            if (r.width && r.right > width) out.push(el.tagName + " " + chapter);
        }
        return out;
    }"""
    )


def build(html: Path, toc: Path, editions: list[str], work: Path) -> dict[str, Path]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(
            f"{CHROMIUM} is missing: `sudo apt-get install -y chromium fonts-noto-cjk` (scripts/browser_deps.sh)"
        )
    pages = toc_files(toc)
    made = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for edition in editions:
            start = time.perf_counter()
            lang, name, subtitle = EDITIONS[edition]
            edition_dir = html / edition
            if not (edition_dir / f"{pages[0]}.html").exists():
                raise SystemExit(f"no {edition} edition at {edition_dir}: run `make book`")
            work.mkdir(parents=True, exist_ok=True)
            source = work / f"{edition}.html"
            source.write_text(print_page(edition_dir, lang, pages, subtitle), encoding="utf-8")
            tab = browser.new_page(viewport={"width": 794 - 106, "height": 1000})  # A4 at 96 dpi less the margins
            tab.route(
                "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
            )
            tab.emulate_media(media="print")
            tab.goto(source.as_uri(), wait_until="load")
            tab.evaluate("document.fonts.ready")
            cut = overflowing(tab)
            out = edition_dir / "_downloads" / name
            out.parent.mkdir(parents=True, exist_ok=True)
            tab.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,  # chromium makes the outline from the tagged headings
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            )
            tab.close()
            seconds = time.perf_counter() - start
            print(f"pdf {edition}: {out} ({out.stat().st_size / 1e6:.1f} MB) in {seconds:.0f} s")
            if cut:
                print(f"  wider than the page ({len(cut)}): {', '.join(cut[:5])}")
            made[edition] = out
        browser.close()
    return made


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("html", type=Path, help="the assembled site (_build/html)")
    p.add_argument("toc", type=Path, help="the table of contents the book was built from (_toc.yml)")
    p.add_argument("--edition", action="append", choices=sorted(EDITIONS), help="default: every edition")
    p.add_argument("--work", type=Path, default=ROOT / "_build" / "pdf", help="where the print pages go")
    args = p.parse_args()
    build(args.html.resolve(), args.toc, args.edition or list(EDITIONS), args.work.resolve())


if __name__ == "__main__":
    main()
