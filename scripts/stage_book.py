"""Stage the book in one folder (``_site``) where every notebook is executed once and then rendered.

``stage_book.py prepare DIR [--all]`` copies the book's sources (``_config.yml``, ``_toc.yml``, ``book/``) into DIR.
A notebook whose executed copy in DIR was made from the same source (its ``.source-sha256`` stamp matches) is
kept; every other one (all of them with ``--all``) is copied fresh and listed in ``DIR/to-execute.txt``.
The staged ``_config.yml`` turns execution off: the Makefile runs the listed notebooks with nbmake first.
``stage_book.py mark DIR`` stamps every listed notebook that ran completely and without an error output.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", ".pytest_cache", "*.ipynb")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stamp_of(nb: Path) -> Path:
    return nb.with_suffix(".source-sha256")


def sources() -> list[Path]:
    return sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def prepare(dest: Path, everything: bool) -> None:
    (dest / "book").mkdir(parents=True, exist_ok=True)
    config = (ROOT / "_config.yml").read_text()
    if "execute_notebooks: auto" not in config:
        raise SystemExit("_config.yml must say `execute_notebooks: auto` (the staged copy turns it off)")
    (dest / "_config.yml").write_text(config.replace("execute_notebooks: auto", 'execute_notebooks: "off"'))
    shutil.copy2(ROOT / "_toc.yml", dest / "_toc.yml")
    shutil.copytree(ROOT / "book", dest / "book", ignore=IGNORE, dirs_exist_ok=True)
    wanted = {nb.relative_to(ROOT) for nb in sources()}
    for old in (dest / "book").rglob("*.ipynb"):  # notebooks deleted from the sources
        if old.relative_to(dest) not in wanted:
            old.unlink()
            stamp_of(old).unlink(missing_ok=True)
    fresh = []
    for nb in sources():
        rel = nb.relative_to(ROOT)
        staged, stamp = dest / rel, stamp_of(dest / rel)
        if not everything and staged.exists() and stamp.exists() and stamp.read_text().strip() == digest(nb):
            continue
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(nb, staged)
        stamp.unlink(missing_ok=True)
        fresh.append(rel)
    (dest / "to-execute.txt").write_text("".join(f"{dest / r}\n" for r in fresh))
    print(f"staged the book in {dest}: {len(wanted) - len(fresh)} notebooks already executed, {len(fresh)} to execute")


def mark(dest: Path) -> None:
    listed = [Path(p) for p in (dest / "to-execute.txt").read_text().split()]
    for staged in listed:
        nb = json.loads(staged.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        ran = all(c.get("execution_count") is not None for c in code)
        errors = any(o.get("output_type") == "error" for c in code for o in c.get("outputs", [])
                     if "raises-exception" not in c.get("metadata", {}).get("tags", []))
        if not ran or errors:
            raise SystemExit(f"{staged} did not execute cleanly; it will be executed again next time")
        stamp_of(staged).write_text(digest(ROOT / staged.relative_to(dest)) + "\n")
    (dest / "to-execute.txt").write_text("")
    print(f"marked {len(listed)} executed notebooks in {dest}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=["prepare", "mark"])
    p.add_argument("dest", type=Path)
    p.add_argument("--all", action="store_true", help="execute every notebook, even up-to-date ones")
    args = p.parse_args()
    dest = args.dest if args.dest.is_absolute() else ROOT / args.dest
    if args.mode == "prepare":
        prepare(dest, args.all)
    else:
        mark(dest)


if __name__ == "__main__":
    main()
