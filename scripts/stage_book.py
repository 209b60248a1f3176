"""Stage a copy of the book for execution or for the HTML build.

``stage_book.py executed DIR`` copies the book sources to DIR (for ``pytest --nbmake --overwrite``) and records
each notebook's source hash beside it. ``stage_book.py site DIR --executed EXEC`` copies the sources to DIR and,
for every notebook whose executed copy in EXEC was made from the same source, puts the executed copy in its
place, so the Jupyter Book build renders it without running it again.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["_config.yml", "_toc.yml", "book"]
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", ".pytest_cache")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_sources(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        else:
            shutil.copy2(src, dest / name)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=["executed", "site"])
    p.add_argument("dest", type=Path)
    p.add_argument("--executed", type=Path, help="folder of executed copies (mode site)")
    args = p.parse_args()
    dest = args.dest if args.dest.is_absolute() else ROOT / args.dest
    copy_sources(dest)
    notebooks = sorted((ROOT / "book").rglob("*.ipynb"))
    notebooks = [nb for nb in notebooks if ".ipynb_checkpoints" not in nb.parts]
    if args.mode == "executed":
        for nb in notebooks:
            rel = nb.relative_to(ROOT)
            (dest / rel).with_suffix(".source-sha256").write_text(digest(nb) + "\n")
        print(f"staged {len(notebooks)} notebooks in {dest} for execution")
        return
    executed = args.executed if args.executed is None or args.executed.is_absolute() else ROOT / args.executed
    reused, fresh = [], []
    for nb in notebooks:
        rel = nb.relative_to(ROOT)
        done = executed / rel if executed else None
        stamp = done.with_suffix(".source-sha256") if done else None
        if done and done.exists() and stamp.exists() and stamp.read_text().strip() == digest(nb):
            shutil.copy2(done, dest / rel)
            reused.append(str(rel))
        else:
            fresh.append(str(rel))
    print(f"staged the book in {dest}: {len(reused)} notebooks already executed by `make test`, "
          f"{len(fresh)} to execute now" + (f" ({', '.join(fresh)})" if fresh else ""))


if __name__ == "__main__":
    main()
