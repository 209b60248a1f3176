"""Words a learner knows: chapters name the original tutorial's sections, never the outline's ids.

* ``book/original_sections.yml`` lists the original tutorial's sections in its order with the outline ids each one
  covers; every id of ``book/seed_map.yml`` is in exactly one section.
* The first markdown cell of each chapter with ids has the line
  ``From the {ref}`original tutorial <original-tutorial>`: 安装 (Installation), ...`` naming exactly the sections
  of its ids (in the tutorial's order), and the Chinese catalogue translates it with the Chinese names only.
* No outline id (``S2.5``) and no "seed id(s)" in any notebook's markdown, the intro, glossary or appendix, or in a
  Chinese translation (``book/seed_map.yml`` and the tests are exempt: they are where the ids belong).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = yaml.safe_load((ROOT / "book" / "original_sections.yml").read_text())
SEED_MAP = yaml.safe_load((ROOT / "book" / "seed_map.yml").read_text())
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
PO_DIR = ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "book"
REF = "{ref}`original tutorial <original-tutorial>`"
REF_ZH = "{ref}`原教程 <original-tutorial>`"
OUTLINE_ID = re.compile(r"\bS\d\.\d+\b")
SEED_IDS = re.compile(r"\bseed[ -]?(?:ids?|items?)\b", re.IGNORECASE)


def sections_of(notebook: str) -> list[dict]:
    """The sections of the original tutorial whose ids ``seed_map.yml`` assigns to ``notebook`` (tutorial order)."""
    ids = {i for i, entry in SEED_MAP.items() if entry["notebook"] == notebook}
    return [s for s in SECTIONS if ids & set(s["ids"])]


def name(section: dict) -> str:
    return section["zh"] if section["zh"] == section["en"] else f"{section['zh']} ({section['en']})"


def english_line(notebook: str) -> str:
    return f"From the {REF}: " + ", ".join(name(s) for s in sections_of(notebook)) + "."


def name_zh(section: dict) -> str:
    return section["zh"] + (f"（{section['zh_gloss']}）" if section.get("zh_gloss") else "")


def chinese_line(notebook: str) -> str:
    return f"本章对应{REF_ZH}中的小节：" + "、".join(name_zh(s) for s in sections_of(notebook)) + "。"


def paragraphs(cell: dict) -> list[str]:
    """A markdown cell's paragraphs, each joined into one line (as the catalogues hold them)."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", "".join(cell["source"])) if p.strip()]


def first_markdown(notebook: Path) -> dict:
    return next(c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "markdown")


def test_every_id_in_exactly_one_section():
    listed = [i for s in SECTIONS for i in s["ids"]]
    assert sorted(listed) == sorted(SEED_MAP), "original_sections.yml and seed_map.yml list different ids"
    assert len(listed) == len(set(listed)), "an id is in two sections"
    assert all(s["zh"] and s["en"] and "�" not in s["zh"] for s in SECTIONS)


def test_lines_from_the_data():
    assert english_line("book/07_ner.ipynb") == f"From the {REF}: 命名实体识别 (Named entity recognition)."
    assert chinese_line("book/12_trainer.ipynb") == f"本章对应{REF_ZH}中的小节：Trainer。"
    assert (
        chinese_line("book/10_finetune_pytorch.ipynb")
        == f"本章对应{REF_ZH}中的小节：在PyTorch里进行Fine-tuning（微调）。"
    )
    assert english_line("book/12_trainer.ipynb") == f"From the {REF}: Trainer."
    assert sections_of("book/13_scaling_out.ipynb") == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_names_its_sections(notebook):
    key = f"book/{notebook.name}"
    found = paragraphs(first_markdown(notebook))
    text = " ".join(found)
    assert not re.search(r"\bseed\b", text, re.IGNORECASE), "the first cell says 'seed': say 'the original tutorial'"
    assert not OUTLINE_ID.search(text), "the first cell names an outline id"
    if sections_of(key):
        assert english_line(key) in found, f"expected the paragraph:\n{english_line(key)}\nin:\n" + "\n".join(found)
        assert sum(p.startswith(f"From the {REF}") for p in found) == 1
    else:  # a chapter beyond the original tutorial still says so, with the link
        assert REF in text and not any(p.startswith(f"From the {REF}") for p in found)


@pytest.mark.parametrize("notebook", [n for n in NOTEBOOKS if sections_of(f"book/{n.name}")], ids=lambda p: p.stem)
def test_chinese_line_names_the_sections_in_chinese(notebook):
    key = f"book/{notebook.name}"
    with (PO_DIR / f"{notebook.stem}.po").open("rb") as f:
        catalogue = read_po(f)
    entry = catalogue.get(english_line(key))
    assert entry is not None, f"{notebook.stem}.po has no message for the line {english_line(key)!r}"
    assert entry.string == chinese_line(key) and not entry.fuzzy


def markdown_texts() -> list[tuple[str, str]]:
    """(where, text) for every markdown cell of the notebooks and the intro, glossary and API pages."""
    found = []
    for nb in NOTEBOOKS:
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            if cell["cell_type"] == "markdown":
                found.append((f"{nb.name} cell {i}", "".join(cell["source"])))
    for page in ("intro.md", "glossary.md"):
        found.append((page, (ROOT / "book" / page).read_text()))
    return found


def chinese_texts() -> list[tuple[str, str]]:
    found = []
    for po_path in sorted(PO_DIR.glob("*.po")):
        with po_path.open("rb") as f:
            for message in read_po(f):
                if message.id and message.string:
                    found.append((f"{po_path.name}: {str(message.id)[:40]!r}", message.string))
    return found


def jargon(texts: list[tuple[str, str]]) -> list[str]:
    problems = []
    for where, text in texts:
        for pattern in (OUTLINE_ID, SEED_IDS):
            for match in pattern.finditer(text):
                start = max(match.start() - 30, 0)
                problems.append(f"{where}: {text[start : match.end() + 30]!r}")
    return problems


def test_jargon_finder():
    assert jargon([("x", "covered: S2.1–S2.6 here")]) and jargon([("x", "Seed ids: none")])
    assert jargon([("x", "这正是 S6.4 的要义")])
    assert not jargon([("x", "seed 0, a random seed; S3 buckets; GPT-2 S12.5x; version 4.5")])


def test_no_outline_ids_in_the_book():
    problems = jargon(markdown_texts())
    assert not problems, "outline ids a reader never sees:\n" + "\n".join(problems)


def test_no_outline_ids_in_the_chinese_edition():
    problems = jargon(chinese_texts())
    assert not problems, "outline ids a reader never sees:\n" + "\n".join(problems)
