"""The two editions side by side: the switcher's links, the assembled site, the zh configuration and table of
contents that ``scripts/stage_book.py`` writes (``book/_ext/language_switch.py``, ``scripts/assemble_site.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


switch = load("language_switch", ROOT / "book" / "_ext" / "language_switch.py")
assemble = load("assemble_site", ROOT / "scripts" / "assemble_site.py")
stage = load("stage_book_editions", ROOT / "scripts" / "stage_book.py")


@pytest.mark.parametrize(
    "page, folder, url",
    [
        ("book/03_tokenizers", "zh_CN", "../../zh_CN/book/03_tokenizers.html"),
        ("book/03_tokenizers", "en", "../../en/book/03_tokenizers.html"),
        ("search", "zh_CN", "../zh_CN/search.html"),
        ("_modules/helpers/setup", "en", "../../../en/_modules/helpers/setup.html"),
    ],
)
def test_switcher_links_to_the_same_page_of_the_other_edition(page, folder, url):
    assert switch.edition_url(page, folder) == url


def test_assembled_site_has_both_editions_and_a_root_page(tmp_path):
    for folder in ("en", "zh_CN"):
        html = tmp_path / folder / "_build" / "html" / "book"
        html.mkdir(parents=True)
        (html / "intro.html").write_text(f"<p>{folder}</p>")
    site = assemble.assemble(tmp_path)
    assert (site / "en" / "book" / "intro.html").read_text() == "<p>en</p>"
    assert (site / "zh_CN" / "book" / "intro.html").read_text() == "<p>zh_CN</p>"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="en/book/intro.html"' in index and 'href="zh_CN/book/intro.html"' in index


def test_a_missing_edition_says_how_to_build_it(tmp_path):
    with pytest.raises(SystemExit, match="make book"):
        assemble.assemble(tmp_path)


def test_overlay_merges_nested_keys():
    base = {"title": "T", "sphinx": {"config": {"a": 1, "b": 2}}, "html": {"x": 1}}
    got = stage.merged(base, {"title": "标题", "sphinx": {"config": {"b": 3, "language": "zh_CN"}}})
    assert got == {"title": "标题", "sphinx": {"config": {"a": 1, "b": 3, "language": "zh_CN"}}, "html": {"x": 1}}
    assert base["sphinx"]["config"]["b"] == 2  # the base is not changed


def test_zh_table_of_contents_translates_the_part_captions():
    toc = stage.translated_toc("zh_CN")
    english = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert [p["caption"] for p in toc["parts"]] == ["入门", "任务一览", "微调", "附录"]
    assert [p["chapters"] for p in toc["parts"]] == [p["chapters"] for p in english["parts"]]


def test_zh_configuration_is_chinese():
    overlay = yaml.safe_load((ROOT / "locale" / "zh_CN" / "config.yml").read_text(encoding="utf-8"))
    assert overlay["sphinx"]["config"]["language"] == "zh_CN"
    assert "Hugging Face" in overlay["title"] and "动手学" in overlay["title"]
