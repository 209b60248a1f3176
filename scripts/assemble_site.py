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

EDITIONS = [  # folder, language tag, the book's title, "read it in English", first page
    ("en", "en", "Hugging Face Transformers, hands-on", "Read the book in English", "book/intro.html"),
    ("zh_CN", "zh-CN", "动手学 Hugging Face Transformers", "阅读中文版", "book/intro.html"),
]

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
</body>
</html>
"""


def assemble(build: Path) -> Path:
    site = build / "html"
    site.mkdir(parents=True, exist_ok=True)
    links = []
    for folder, tag, title, label, first in EDITIONS:
        source = build / folder / "_build" / "html"
        if not (source / first).exists():
            raise SystemExit(f"no {folder} edition at {source}: run `make book`")
        target = site / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target)
        link = f'<a class="edition" lang="{tag}" hreflang="{tag}" href="{folder}/{first}">'
        links.append(f"{link}{label}: <cite>{title}</cite></a>")
    (site / "index.html").write_text(PAGE.format(links="\n".join(links)), encoding="utf-8")
    return site


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("build", type=Path, help="the build folder (_build)")
    site = assemble(p.parse_args().build)
    print(f"The book is at {site / 'index.html'} (English: en/, 中文: zh_CN/)")


if __name__ == "__main__":
    main()
