"""Tests about the book itself: seed coverage, table of contents, notebook hygiene."""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUTLINE = ROOT.parent / "shared" / "seed" / "OUTLINE.md"  # beside the checkout, where it exists
SEED_IDS = (ROOT / "tests" / "data" / "seed_ids.txt").read_text().split()
SEED_MAP = yaml.safe_load((ROOT / "book" / "seed_map.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "book").glob("*.ipynb"))


def headings(nb_path: Path) -> set[str]:
    nb = json.loads(nb_path.read_text())
    found = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
                if m:
                    found.add(m.group(1))
    return found


def test_seed_id_list_matches_the_outline():
    # tests/data/seed_ids.txt is a copy of the outline's ids, so the book checks itself away from shared/ too
    assert len(set(SEED_IDS)) == len(SEED_IDS) and all(re.fullmatch(r"S\d\.\d+", i) for i in SEED_IDS)
    if OUTLINE.exists():
        assert re.findall(r"^- (S\d+\.\d+) ", OUTLINE.read_text(), re.M) == SEED_IDS


def test_every_seed_id_is_mapped():
    assert len(SEED_IDS) == 64
    assert [i for i in SEED_IDS if i not in SEED_MAP] == []
    assert [i for i in SEED_MAP if i not in SEED_IDS] == []


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_mapped_heading_exists(seed_id):
    entry = SEED_MAP[seed_id]
    nb = ROOT / entry["notebook"]
    assert nb.is_file(), f"{seed_id}: {entry['notebook']} does not exist"
    assert entry["heading"] in headings(nb), f"{seed_id}: no heading {entry['heading']!r} in {entry['notebook']}"
    assert entry["notebook"][: -len(".ipynb")] in toc_files(), f"{entry['notebook']} is not in _toc.yml"


def test_toc_entries_exist_and_every_chapter_is_listed():
    for f in toc_files():
        assert any((ROOT / (f + ext)).is_file() for ext in (".ipynb", ".md")), f"_toc.yml lists missing {f}"
    listed = set(toc_files())
    assert [str(p.relative_to(ROOT))[:-6] for p in notebooks() if str(p.relative_to(ROOT))[:-6] not in listed] == []


@pytest.mark.parametrize("nb_path", notebooks(), ids=lambda p: p.name)
def test_notebook_hygiene(nb_path):
    nb = json.loads(nb_path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "committed with outputs"
    # an empty code cell never executes, so stage_book.py would count the notebook as not run cleanly
    assert all("".join(c["source"]).strip() for c in code), "an empty code cell"
    first = "".join(code[0]["source"])
    assert f'setup_chapter("{nb_path.stem}")' in first, "the first code cell calls setup_chapter(its name)"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    first_md = "".join(nb["cells"][0]["source"])
    assert first_md.startswith("# "), "a notebook starts with its title"
    if nb_path.name[:2].isdigit():
        assert "Exercises" in headings(nb_path), "chapters end with exercises"
        # solutions: dropdown admonitions or cells tagged "solution" (hidden behind one click)
        assert any(
            "solution" in c.get("metadata", {}).get("tags", [])
            or (c["cell_type"] == "markdown" and "class: dropdown" in "".join(c["source"]))
            for c in nb["cells"]
        )


def test_intro_credits_the_seed_in_both_languages():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    section = intro.split("(original-tutorial)=\n## The original tutorial\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "《Huggingface Transformer教程(一)》" in section
        and "by lili, written in 2021 for **transformers 4.5.0**" in section
    )
    po = (ROOT / "locale" / "zh_CN" / "LC_MESSAGES" / "book" / "intro.po").read_text(encoding="utf-8")
    assert "lili 于 2021 年用中文写的博客文章《Huggingface Transformer教程(一)》" in po
