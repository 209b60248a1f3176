"""The Chinese edition's search finds the book's terms: a jieba user dictionary
for Sphinx's zh search.

Sphinx's Chinese search cuts every page into words with jieba
(``jieba.cut_for_search``) but the reader's query is only split at spaces, so a
term is found only when jieba cut it out of the text as a whole word. jieba's
own dictionary cuts many of the field's compound terms apart
(学习率 becomes 学习 + 率, 隐藏状态 becomes 隐藏 + 状态), so searching for them
found nothing. This extension writes a user dictionary of the book's terms
(the Chinese column of
``book/glossary.md`` and every short **bold** Chinese phrase of the Chinese
catalogues, where the book introduces a term) and hands it to the search as
``html_search_options["dict"]``; ``jieba.load_userdict`` adds these words to
its own, so a term is indexed as a whole and its parts still are too.

Only the builds whose ``language`` is Chinese are touched.
"""

from __future__ import annotations

import re
from pathlib import Path

HAN = re.compile(r"[\u4e00-\u9fff]+")
PARENTHESIS = re.compile(r"（[^）]*）|\([^)]*\)")
BOLD = re.compile(r"\*\*([^*\n]{2,12})\*\*")
TERM = re.compile(
    r"^(?!.*(?:的|一个))[\u4e00-\u9fff·]{2,6}$"
)  # a term, not a phrase


def glossary_terms(glossary: Path) -> list[tuple[str, str]]:
    """(English, Chinese) of every row of the glossary's table, the Chinese
    without its parenthetical gloss."""
    rows = []
    for line in glossary.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if (
            len(cells) != 2
            or not line.lstrip().startswith("|")
            or set(cells[0]) <= {"-", ":"}
        ):
            continue
        english, chinese = cells
        if english == "English":
            continue
        rows.append((english, PARENTHESIS.sub("", chinese).strip() or chinese))
    if not rows:
        raise ValueError(
            f"{glossary}: no | English | 中文 | table found"
            " (is it the book's glossary?)"
        )
    return rows


def catalogue_terms(locale_dir: Path) -> list[str]:
    """The short all-Chinese phrases that the Chinese catalogues set in bold
    (where the book introduces a term)."""
    found = set()
    for po in sorted(locale_dir.rglob("*.po")):
        for phrase in BOLD.findall(po.read_text(encoding="utf-8")):
            if TERM.match(phrase):
                found.add(phrase)
    return sorted(found)


def dictionary_words(
    glossary: Path, locale_dir: Path | None = None
) -> list[str]:
    """The words of the user dictionary: each run of Chinese characters of a
    glossary term (字节级 BPE gives 字节级), then the catalogues' bold terms;
    each once, in that order."""
    words: list[str] = []
    for _, chinese in glossary_terms(glossary):
        words.extend(HAN.findall(chinese))
    if locale_dir is not None and locale_dir.is_dir():
        words.extend(catalogue_terms(locale_dir))
    return list(dict.fromkeys(w for w in words if len(w) >= 2))


def write_dictionary(path: Path, words: list[str]) -> Path:
    """A jieba user dictionary: one word a line, no frequency (jieba then
    picks one that keeps the word whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{word}\n" for word in words), encoding="utf-8")
    return path


def add_dictionary(app, config) -> None:
    if not (config.language or "").startswith("zh"):
        return
    src = Path(app.srcdir)
    words = dictionary_words(
        src / "book" / "glossary.md",
        src / "locale" / config.language / "LC_MESSAGES",
    )
    path = write_dictionary(Path(app.doctreedir) / "jieba_userdict.txt", words)
    config.html_search_options = {
        **(config.html_search_options or {}),
        "dict": str(path),
    }


def setup(app):
    app.connect("config-inited", add_dictionary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
