"""Put the book's editions side by side in one site, with a root page where the reader chooses one.

``assemble_site.py BUILD`` copies each edition's HTML (``BUILD/<lang>/_build/html``, one Jupyter Book build per
language, see the Makefile's ``book`` target) to ``BUILD/html/<lang>/`` and writes ``BUILD/html/index.html``.
Every page of an edition links to the same page of the other (``book/_ext/language_switch.py``), which relies on
exactly this layout.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

EDITIONS = [  # folder, language tag, the book's title, "read it in English", first page, the PDF (make pdf), "PDF"
    (
        "en",
        "en",
        "Hugging Face Transformers, hands-on",
        "Read the book in English",
        "book/intro.html",
        "_downloads/transformers-hands-on.pdf",
        "The whole book as a PDF (English)",
    ),
    (
        "zh_CN",
        "zh-CN",
        "动手学 Hugging Face Transformers",
        "阅读中文版",
        "book/intro.html",
        "_downloads/transformers-hands-on.zh_CN.pdf",
        "全书 PDF（中文版）",
    ),
]
NOT_FOUND = {  # folder: (title, what happened, "go to the first page")
    "en": ("Page not found", "There is no page at this address in this book.", "Go to the book's first page"),
    "zh_CN": ("找不到页面", "本书中没有这个地址的页面。", "前往本书首页"),
}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hugging Face Transformers, hands-on · 动手学 Hugging Face Transformers</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 40rem; margin: 4rem auto;
        padding: 0 1rem; line-height: 1.5; }}
a.edition {{ display: block; margin: 1rem 0; padding: 1rem 1.25rem; border: 1px solid #ccc;
             border-radius: .5rem; text-decoration: none; font-size: 1.2rem; }}
a.edition:hover {{ background: #f3f6fa; }}
cite {{ font-style: normal; font-weight: 600; }}
</style>
</head>
<body>
<h1>Hugging Face Transformers, hands-on</h1>
<p>An executable book: every page was run top to bottom on the day this site was built.
It is published in two editions built from the same executed notebooks.</p>
<p lang="zh-CN">一本可执行的书：每一页都在构建本网站的当天从头到尾运行过。
中英两版由同一批执行过的笔记本构建而成。</p>
{links}
<p class="pdf">{pdfs}</p>
</body>
</html>
"""


def assemble(build: Path) -> Path:
    site = build / "html"
    site.mkdir(parents=True, exist_ok=True)
    links, pdfs = [], []
    for folder, tag, title, label, first, pdf, pdf_label in EDITIONS:
        source = build / folder / "_build" / "html"
        if not (source / first).exists():
            raise SystemExit(f"no {folder} edition at {source}: run `make book`")
        target = site / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
        link = f'<a class="edition" lang="{tag}" hreflang="{tag}" href="{folder}/{first}">'
        links.append(f"{link}{label}: <cite>{title}</cite></a>")
        pdfs.append(f'<a class="book-pdf" lang="{tag}" hreflang="{tag}" href="{folder}/{pdf}">{pdf_label}</a>')
        (target / "404.html").write_text(not_found_page([folder]), encoding="utf-8")
    page = PAGE.format(links="\n".join(links), pdfs=" · ".join(pdfs))
    (site / "index.html").write_text(page, encoding="utf-8")
    (site / "404.html").write_text(not_found_page([folder for folder, *_ in EDITIONS]), encoding="utf-8")
    return site


NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 40rem; margin: 4rem auto;
        padding: 0 1rem; line-height: 1.5; }}
</style>
</head>
<body>
{sections}
<script>
// GitHub Pages answers every missing address with the site's 404.html: show the edition the address was in.
(() => {{
  const sections = document.querySelectorAll("section[data-edition]");
  if (sections.length < 2) return;
  const path = window.location.pathname;
  const here = [...sections].find((s) => path.includes("/" + s.dataset.edition + "/")) || sections[0];
  const at = path.indexOf("/" + here.dataset.edition + "/");
  const base = at >= 0 ? path.slice(0, at + 1) : null;
  for (const s of sections) s.hidden = s !== here;
  document.documentElement.lang = here.lang;
  document.title = here.querySelector("h1").textContent;
  if (base !== null) for (const a of here.querySelectorAll("a[data-first]")) a.href = base + a.dataset.first;
}})();
</script>
</body>
</html>
"""


def not_found_page(folders: list[str]) -> str:
    """The "page not found" page of one edition (its folder's 404.html), or of the whole site (every edition's
    message; the script shows the one of the edition the missing address is in)."""
    by_folder = {folder: (tag, first) for folder, tag, _, _, first, *_ in EDITIONS}
    sections = []
    for folder in folders:
        tag, first = by_folder[folder]
        title, message, back = NOT_FOUND[folder]
        href = first if len(folders) == 1 else f"{folder}/{first}"
        sections.append(
            f'<section lang="{tag}" data-edition="{folder}"><h1>{title}</h1><p>{message}</p>'
            f'<p><a data-first="{folder}/{first}" href="{href}">{back}</a></p></section>'
        )
    lang, _ = by_folder[folders[0]]
    return NOT_FOUND_PAGE.format(lang=lang, title=NOT_FOUND[folders[0]][0], sections="\n".join(sections))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build", type=Path, help="the build folder (_build)")
    site = assemble(p.parse_args().build)
    print(f"The book is at {site / 'index.html'} (English: en/, 中文: zh_CN/)")


if __name__ == "__main__":
    main()
