"""Student notebooks: every chapter with its solutions and all outputs removed, the exercises kept, per edition.

``student.py HTML`` reads the notebooks each edition offers for download (``HTML/<edition>/_sources/**/*.ipynb``:
the English ones, and the translated ones that scripts/translate_notebooks.py writes) and writes
``HTML/<edition>/student/<page>.ipynb`` for each, plus ``HTML/<edition>/student/<ZIP_STEM>-<edition>.zip`` with all of
them; each chapter page's download menu links both (``book/_ext/student_download.py``). ``make book`` runs it last
(``make student`` alone redoes it on a built book); it prints its seconds.

How a solution is marked (the book's convention, CONTRIBUTING.md):

* a cell tagged ``solution`` (code, shown folded with ``hide-input``/``hide-cell``; or markdown, a dropdown
  ``{admonition} Solution ...``) is removed, wherever it is;
* in every markdown cell, a fenced ``{admonition}`` block whose title starts with "Solution" is cut out (the cell goes
  if nothing else is left): the exercise text around it stays;
* a notebook with no cell tagged ``solution`` at all (written before the tag): in its exercises section (from the
  ``## Exercises`` heading to the next heading of level 1 or 2), every code cell is a solution.

A code cell tagged ``exercise`` is the student's to complete: it is kept (without outputs), and the check that a
student notebook runs top to bottom skips it. A translated notebook has the same cells as the English one, and its
admonitions the same fences: what is removed is decided on the English notebook (its titles say "Solution") and
applied cell by cell, block by block, to the translation.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import re
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
ZIP_STEM = "transformers-hands-on-student"
SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
EXERCISES = re.compile(r"^##[ \t]+Exercises[ \t]*$", re.M)
HEADING = re.compile(r"^(#{1,2})[ \t]+\S", re.M)
FENCE = re.compile(r"^[ \t]*(`{3,}|:{3,})[ \t]*(\S*)[ \t]*(.*)$")
SOLUTION_TITLE = re.compile(r"^Solutions?\b")

BANNER = {
    "en": (
        "> **Student notebook.** The exercises at the end are yours to do: their solutions and every output of the\n"
        "> chapter are removed. Run it top to bottom; the book's page for this chapter has the full version."
    ),
    "zh_CN": (
        "> **学生版笔记本。** 章末的练习留给你来完成：解答和本章的全部输出都已删去。请从上到下依次运行；"
        "书中本章的页面有完整版本。"
    ),
}
README = {
    "en": (
        "# Student notebooks: Hugging Face Transformers, hands-on\n\n"
        "Every chapter of the book with the solutions of its exercises and all outputs removed.\n"
        "Open one in Colab (its first cell installs what the chapter needs) or in Jupyter after\n"
        '`pip install "hfbook-helpers @ git+https://github.com/hfbook/transformers-hands-on"`.\n'
    ),
    "zh_CN": (
        "# 学生版笔记本：动手学 Hugging Face Transformers\n\n"
        "本书每一章的笔记本，去掉了练习的解答和全部输出。\n"
        "可以在 Colab 中打开（第一个单元格会安装本章所需的包），或先运行\n"
        '`pip install "hfbook-helpers @ git+https://github.com/hfbook/transformers-hands-on"`，再用 Jupyter 打开。\n'
    ),
}


def text(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


@dataclass
class Block:
    """A fenced directive at the top level of a markdown cell: lines [start, end] (the closing fence included)."""

    start: int
    end: int
    directive: str
    title: str


def top_level_blocks(markdown: str) -> list[Block]:
    """The fenced blocks (``` or :::) at the top level of ``markdown``, nested fences skipped over."""
    blocks: list[Block] = []
    stack: list[tuple[str, int, str, str]] = []  # (fence, start line, directive, title)
    for i, line in enumerate(markdown.split("\n")):
        m = FENCE.match(line)
        if not m:
            continue
        fence, info, rest = m.groups()
        top = stack[-1][0] if stack else None
        closes = top is not None and not info and fence[0] == top[0] and len(fence) >= len(top)
        if closes:
            _, start, directive, title = stack.pop()
            if not stack:
                blocks.append(Block(start, i, directive, title))
        elif top is None or not top.startswith("`") or fence[0] == "`":  # inside ``` only ``` fences count
            directive = info[1:-1] if info.startswith("{") and info.endswith("}") else ""
            stack.append((fence, i, directive, rest.strip()))
    return blocks


def is_solution_block(block: Block) -> bool:
    return block.directive == "admonition" and bool(SOLUTION_TITLE.match(block.title))


def cut_blocks(markdown: str, blocks: list[Block]) -> str:
    lines = markdown.split("\n")
    drop = {i for b in blocks for i in range(b.start, b.end + 1)}
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return re.sub(r"\n{3,}", "\n\n", kept).strip("\n")


def exercise_cells(nb: dict) -> set[int]:
    """Indices of the cells of the exercises section: from the cell with ``## Exercises`` to the next heading of
    level 1 or 2 (or the end)."""
    inside, found = False, set()
    for i, cell in enumerate(nb["cells"]):
        body = text(cell) if cell["cell_type"] == "markdown" else ""
        if inside and cell["cell_type"] == "markdown":
            first = HEADING.search(body)
            if first and not EXERCISES.match(body, first.start()):
                inside = False
        m = EXERCISES.search(body)
        if m:
            inside = True
            found.add(i)
            after = HEADING.search(body, m.end())
            if after:
                inside = False
            continue
        if inside:
            found.add(i)
    return found


@dataclass
class Plan:
    """What goes from each cell: the whole cell (``drop``), or some top-level blocks of a markdown cell (``cut``)."""

    drop: set[int] = field(default_factory=set)
    cut: dict[int, list[int]] = field(default_factory=dict)  # cell index -> indices of its top-level blocks


def plan(nb: dict) -> Plan:
    """Decide on an (English) notebook which cells and blocks are solutions (see the module's docstring)."""
    result = Plan()
    tagged = any(SOLUTION_TAG in tags(c) for c in nb["cells"])
    section = exercise_cells(nb)
    for i, cell in enumerate(nb["cells"]):
        if SOLUTION_TAG in tags(cell):
            result.drop.add(i)
        elif cell["cell_type"] == "markdown":
            blocks = top_level_blocks(text(cell))
            solutions = [k for k, b in enumerate(blocks) if is_solution_block(b)]
            if solutions:
                if not cut_blocks(text(cell), [blocks[k] for k in solutions]).strip():
                    result.drop.add(i)
                else:
                    result.cut[i] = solutions
        elif cell["cell_type"] == "code" and not tagged and i in section and EXERCISE_TAG not in tags(cell):
            result.drop.add(i)
    return result


def apply(nb: dict, decided: Plan, lang: str = "en") -> dict:
    """The student notebook: ``nb`` (an edition's notebook with the cells of the one ``decided`` was made on) without
    the planned cells and blocks, without outputs, with a banner after the title cell."""
    out = copy.deepcopy(nb)
    cells = []
    for i, cell in enumerate(out["cells"]):
        if i in decided.drop:
            continue
        if i in decided.cut:
            blocks = top_level_blocks(text(cell))
            wanted = decided.cut[i]
            if max(wanted) >= len(blocks):
                raise SystemExit(f"cell {i}: the translation has {len(blocks)} fenced blocks, fewer than the English")
            cell["source"] = cut_blocks(text(cell), [blocks[k] for k in wanted])
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
        cells.append(cell)
    first_markdown = next((k for k, c in enumerate(cells) if c["cell_type"] == "markdown"), -1)
    banner = {
        "cell_type": "markdown",
        "metadata": {"tags": ["student-banner"]},
        "source": BANNER.get(lang, BANNER["en"]),
    }
    if "id" in (cells[0] if cells else {}):
        banner["id"] = "student-banner"
    cells.insert(first_markdown + 1, banner)
    out["cells"] = cells
    return out


def student_notebook(nb: dict, english: dict | None = None, lang: str = "en") -> dict:
    """``nb`` as a student notebook; a translated ``nb`` needs its ``english`` original (same cells)."""
    english = nb if english is None else english
    if len(english["cells"]) != len(nb["cells"]):
        raise SystemExit("the translated notebook has other cells than the English one: run `make book` again")
    return apply(nb, plan(english), lang)


def write_zip(path: Path, members: dict[str, bytes]) -> None:
    """A zip whose bytes depend on its contents only (fixed timestamps, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    path.write_bytes(buffer.getvalue())


def edition_notebooks(edition: Path) -> list[Path]:
    return sorted(p for p in (edition / "_sources").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def write_edition(html: Path, lang: str) -> list[Path]:
    """The student notebooks and the zip of the edition ``html/lang``; returns what was written."""
    edition = html / lang
    target = edition / "student"
    notebooks = edition_notebooks(edition)
    if not notebooks:
        raise SystemExit(f"no notebooks in {edition / '_sources'}: run `make book`")
    written, members = [], {}
    folder = f"{ZIP_STEM}-{lang}"
    for path in notebooks:
        rel = path.relative_to(edition / "_sources")
        nb = json.loads(path.read_text(encoding="utf-8"))
        english_path = html / "en" / "_sources" / rel
        english = json.loads(english_path.read_text(encoding="utf-8")) if lang != "en" else None
        student = student_notebook(nb, english, lang)
        body = (json.dumps(student, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(body)
        written.append(out)
        members[f"{folder}/{rel.name}"] = body
    members[f"{folder}/README.md"] = README.get(lang, README["en"]).encode("utf-8")
    archive = target / f"{folder}.zip"
    write_zip(archive, members)
    written.append(archive)
    return written


def write_runnable(edition: Path, dest: Path, only: list[str] | None = None) -> list[Path]:
    """The edition's student notebooks without the cells left to the student (tagged ``exercise``), in ``dest``:
    what ``make student-run`` executes to show that each runs top to bottom."""
    written = []
    for path in sorted((edition / "student").rglob("*.ipynb")):
        if only and path.stem not in only:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb["cells"] = [c for c in nb["cells"] if EXERCISE_TAG not in tags(c)]
        out = dest / path.relative_to(edition / "student")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(out)
    if not written:
        raise SystemExit(f"no student notebooks in {edition / 'student'}: run `make book` (or `make student`)")
    # the scripts the chapters run, next to them as in book/
    shutil.copytree(ROOT / "book" / "scripts", dest / "book" / "scripts", dirs_exist_ok=True, ignore=IGNORE)
    return written


def editions(html: Path) -> list[str]:
    """The edition folders of the assembled site (English first: the translations are planned on it)."""
    found = sorted(p.parent.name for p in html.glob("*/_sources"))
    return sorted(found, key=lambda lang: lang != "en")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("html", type=Path, nargs="?", default=Path("_build/html"), help="the assembled site (_build/html)")
    p.add_argument("--runnable", type=Path, help="write the English ones here without the cells tagged exercise")
    p.add_argument("--only", nargs="*", help="with --runnable: these chapters (notebook names without .ipynb)")
    args = p.parse_args()
    start = time.perf_counter()
    if args.runnable:
        written = write_runnable(args.html / "en", args.runnable, args.only)
        print(f"{len(written)} runnable student notebooks in {args.runnable} ({time.perf_counter() - start:.1f} s)")
        return
    langs = editions(args.html)
    if "en" not in langs:
        raise SystemExit(f"no English edition in {args.html}: run `make book`")
    for lang in langs:
        written = write_edition(args.html, lang)
        print(f"student notebooks ({lang}): {len(written) - 1} notebooks and {written[-1]}")
    print(f"student notebooks written in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
