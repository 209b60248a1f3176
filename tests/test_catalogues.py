"""The Chinese edition is complete and consistent: every message of every page translated, none fuzzy or obsolete,
code and link targets kept (``scripts/catalogues.py``), and the glossary's key terms used wherever the English
text uses them (``book/glossary.md``)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("catalogues", ROOT / "scripts" / "catalogues.py")
catalogues = importlib.util.module_from_spec(spec)
spec.loader.exec_module(catalogues)

# English (a regular expression, matched outside inline code) -> the Chinese term the translation must use
TERMS = {
    r"\btokenizers?\b": "分词器",
    r"\battention masks?\b": "注意力掩码",
    r"\bfine-?tun": "微调",
    r"\bcheckpoints?\b": "检查点",
    r"\bpretrained\b": "预训练",
    r"\bhidden states?\b": "隐藏状态",
    r"\bperplexity\b": "困惑度",
    r"\bnamed entit": "命名实体",
    r"\blearning rates?\b": "学习率",
    r"\bmixed precision\b": "混合精度",
}


@pytest.fixture(scope="module")
def pot_dir(tmp_path_factory):
    return catalogues.extract(tmp_path_factory.mktemp("gettext"))


def test_every_page_is_translated_completely(pot_dir):
    found = catalogues.problems(pot_dir, "zh_CN")
    assert not found, f"{len(found)} problems (fix with `make locale`, then translate):\n" + "\n".join(found[:40])


def test_every_page_of_the_book_has_a_catalogue(pot_dir):
    pages = {p.relative_to(pot_dir).with_suffix("").as_posix() for p in pot_dir.rglob("*.pot")}
    assert {"book/intro", "book/03_tokenizers", "book/glossary", "book/api"} <= pages, pages


def test_catalogues_hold_only_what_is_translated(tmp_path):
    """Docstring messages stay English and out of the catalogues; no header is left fuzzy (the flag a new
    catalogue starts with), so a tool that counts untranslated and fuzzy messages reports none."""
    for po_path in sorted((catalogues.LOCALE / "zh_CN" / "LC_MESSAGES").rglob("*.po")):
        catalogue = catalogues.read(po_path)
        assert not catalogue.fuzzy, f"{po_path.name}: the header is marked fuzzy (run `make locale`)"
        assert not [m.id for m in catalogue if m.id and catalogues.is_docstring(m)], po_path.name
    po = tmp_path / "api.po"
    po.write_text(
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: ../../helpers/x.py:docstring of helpers.x:1\nmsgid "A docstring."\nmsgstr ""\n\n'
        '#: ../../book/api.md:3\nmsgid "A page paragraph."\nmsgstr "一段。"\n',
        encoding="utf-8",
    )
    catalogues.tidy(po)
    tidied = catalogues.read(po)
    assert not tidied.fuzzy and [m.id for m in tidied if m.id] == ["A page paragraph."]
    assert tidied.get("A page paragraph.").string == "一段。"


def test_the_glossary_lists_the_checked_terms():
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    for chinese in TERMS.values():
        assert f"| {chinese}" in glossary, f"{chinese} is checked but not in the glossary"


def test_translations_use_the_glossary_terms():
    inconsistent = []
    for po_path in sorted((catalogues.LOCALE / "zh_CN" / "LC_MESSAGES").rglob("*.po")):
        if po_path.stem == "glossary":  # the glossary's own table pairs the terms
            continue
        for message in catalogues.read(po_path):
            if not message.id or not message.string or catalogues.is_docstring(message):
                continue
            prose = re.sub(r"`[^`]*`|\]\([^)]*\)", " ", message.id)  # not code, not link targets
            for english, chinese in TERMS.items():
                if re.search(english, prose, re.IGNORECASE) and chinese not in message.string:
                    inconsistent.append(f"{po_path.stem}: {english} -> {chinese}: {message.string[:60]!r}")
    assert not inconsistent, "\n".join(inconsistent)


@pytest.mark.parametrize(
    "english, translated, ok",
    [
        ("Call `f(x)` with {py:func}`g <m.g>`", "用 {py:func}`g <m.g>` 调用 `f(x)`", True),
        ("Call `f(x)`", "调用 `f(y)`", False),  # code changed
        ("See [the next chapter](02b_the_model.ipynb).", "见[下一章](02b_the_model.ipynb)。", True),
        ("See [the next chapter](02b_the_model.ipynb).", "见[下一章](02b.ipynb)。", False),  # target changed
        ("{glue:text}`acc:.3f` of the test set", "测试集上的 {glue:text}`acc:.3f`", True),
        ("{glue:text}`acc:.3f` of the test set", "测试集上的 {glue}`acc:.3f`", False),  # role changed
        # a {ref}'s own title is prose: translated; its target is kept
        ("From the {ref}`original tutorial <original-tutorial>`", "{ref}`原教程 <original-tutorial>`", True),
        ("From the {ref}`original tutorial <original-tutorial>`", "{ref}`原教程 <intro>`", False),
        ("From the {ref}`original tutorial <original-tutorial>`", "{doc}`原教程 <original-tutorial>`", False),
    ],
)
def test_kept_parts_catch_changed_code(english, translated, ok):
    assert (catalogues.kept_parts(english) == catalogues.kept_parts(translated)) is ok


def test_every_figure_label_is_translated():
    """Each label a figure draws (``tr("...")``) and each figure's alt text has a current Chinese translation."""
    found = catalogues.figure_problems("zh_CN")
    assert not found, "\n".join(found)


def test_figure_labels_are_found_in_calls_only():
    code = 'tr["zh"]\nfig = tr("Loss {n}", n=2)\nshow("x", f, alt="A grid")\nother("not a label")\n'
    assert catalogues.labels_in(code) == ["Loss {n}", "A grid"]
