"""The notebooks a translated edition offers for download: markdown in the edition's language, code as it is.

``translate_notebooks.py SITE HTML_DIR LANG`` writes every executed notebook of the staged book ``SITE`` to
``HTML_DIR/_sources`` (where the "download .ipynb" button of the ``LANG`` edition points) with the translations in
``locale/LANG/LC_MESSAGES/<page>.po``. A
message is one block of MyST source with its line breaks joined (Sphinx's gettext builder cut it out of the
markdown cell), so it is found again as a whole block: at the start of a line after any heading, list or quote
marker, as a directive's title (an admonition's) or as a table cell, with any run of whitespace standing for a
space. Code cells and outputs are left alone, so the downloaded notebook runs exactly like the English one.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
BEFORE = (  # a line's start and its markers (heading, list, quote, a directive's title), or a table cell's start
    r"(?:(?<=\n)|(?<=^)|(?<=\|))"
    r"(?P<lead>[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+\.[ \t]+|>[ \t]*|(?:`{3,}|:{3,})\{[\w:-]+\}[ \t]+)*)"
)
AFTER = r"(?=[ \t]*(?:\||\n|$))"


def block_pattern(message: str) -> re.Pattern:
    """``message`` as a whole block of a markdown cell, with any whitespace where the message has a space."""
    words = [re.escape(word) for word in message.split(" ") if word]
    return re.compile(BEFORE + r"\s+".join(words) + AFTER)


def translations(po_path: Path) -> list[tuple[str, str]]:
    """(English, translation) pairs of a page's catalogue that are translated and current, longest first."""
    with po_path.open("rb") as f:
        catalogue = read_po(f)
    pairs = [(m.id, m.string) for m in catalogue if m.id and m.string and not m.fuzzy and isinstance(m.id, str)]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def translate_cells(nb: dict, pairs: list[tuple[str, str]]) -> list[str]:
    """Translate the markdown cells of ``nb`` in place; return the messages that were not found in them."""
    cells = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    texts = ["".join(c["source"]) for c in cells]
    missing = []
    for english, translated in pairs:
        pattern = block_pattern(english)
        hits = 0
        for i, text in enumerate(texts):
            texts[i], n = pattern.subn(lambda m: m.group("lead") + translated.replace("\\", "\\\\"), text)
            hits += n
        if not hits:
            missing.append(english)
    for cell, text in zip(cells, texts):
        cell["source"] = text.splitlines(keepends=True)
    return missing


def translate_folder(site: Path, html_dir: Path, lang: str) -> dict[str, list[str]]:
    """Translate the notebooks under ``html_dir/_sources`` from their English copies in ``site``.

    Returns the messages not found, by page.
    """
    po_dir = ROOT / "locale" / lang / "LC_MESSAGES"
    not_found = {}
    for nb_path in sorted((html_dir / "_sources").rglob("*.ipynb")):
        page = nb_path.relative_to(html_dir / "_sources").with_suffix("")
        po_path = po_dir / page.with_suffix(".po")
        english = site / page.with_suffix(".ipynb")
        if not po_path.exists() or not english.exists():
            raise SystemExit(f"{page}: no catalogue {po_path} or no staged notebook {english}")
        nb = json.loads(english.read_text(encoding="utf-8"))
        missing = translate_cells(nb, translations(po_path))
        nb_path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if missing:
            not_found[str(page)] = missing
    return not_found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("site", type=Path, help="the staged book (_site)")
    p.add_argument("html_dir", type=Path, help="the edition's HTML folder")
    p.add_argument("lang")
    args = p.parse_args()
    not_found = translate_folder(args.site, args.html_dir, args.lang)
    for page, messages in not_found.items():
        for message in messages:
            print(f"{page}: not found in the notebook: {message[:80]!r}")
    if not_found:
        raise SystemExit("some translations could not be placed (see above); the zh notebooks would mix languages")
    print(f"translated the notebooks in {args.html_dir / '_sources'} into {args.lang}")


if __name__ == "__main__":
    main()
