"""The Chinese edition's search dictionary (``book/_ext/search_terms.py``): every glossary term, in a sentence of
the Chinese edition that uses it, is cut out whole by jieba with the dictionary (what the search index stores), as
the browser check's search for every term (tests/book_html) confirms on the built book."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import jieba
import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "book" / "glossary.md"
LOCALE = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"

spec = importlib.util.spec_from_file_location("search_terms", ROOT / "book" / "_ext" / "search_terms.py")
search_terms = importlib.util.module_from_spec(spec)
spec.loader.exec_module(search_terms)


@pytest.fixture(scope="module")
def cutter(tmp_path_factory):
    """A jieba tokenizer of its own (not the global one) with the book's user dictionary loaded."""
    words = search_terms.dictionary_words(GLOSSARY, LOCALE)
    path = search_terms.write_dictionary(tmp_path_factory.mktemp("jieba") / "userdict.txt", words)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(path))
    return tokenizer


def chinese_messages() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(LOCALE.rglob("*.po")))
    return re.findall(r'^msgstr "(.+)"$', text, flags=re.M)


def test_the_glossary_has_its_terms():
    terms = search_terms.glossary_terms(GLOSSARY)
    assert len(terms) >= 50
    assert ("learning rate", "学习率") in terms
    assert ("pipeline", "管道") in terms  # the parenthetical gloss （pipeline） is not part of the search term
    assert ("byte-level BPE", "字节级 BPE") in terms


def test_a_file_without_the_table_is_refused(tmp_path):
    page = tmp_path / "glossary.md"
    page.write_text("# Glossary\n\nNo table here.\n")
    with pytest.raises(ValueError, match="table"):
        search_terms.glossary_terms(page)


def test_the_dictionary_has_each_chinese_run_once():
    words = search_terms.dictionary_words(GLOSSARY, LOCALE)
    assert "学习率" in words and "字节级" in words and "隐藏状态" in words
    assert "BPE" not in words and len(words) == len(set(words))
    assert "离线检查点库" in words  # a bold term of the catalogues
    assert "上面的方案" not in words  # a bold phrase, not a term


@pytest.mark.parametrize("english, chinese", search_terms.glossary_terms(GLOSSARY))
def test_each_glossary_term_is_indexed_whole(cutter, english, chinese):
    """Every Chinese run of the term is one of the words jieba cuts from a sentence of the book that uses it."""
    for run in re.findall(r"[\u4e00-\u9fff]+", chinese):
        sentences = [s for s in chinese_messages() if run in s][:20]
        if not sentences:  # the term is only in the glossary's own table
            sentences = [f"这一页讲{run}。"]
        cut = [set(cutter.cut_for_search(s)) for s in sentences]
        assert any(run in words for words in cut), f"{english}: {run} is never a whole word in {sentences[:2]}"
