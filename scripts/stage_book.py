"""Stage the book in one folder (``_site``) where every notebook is executed once and then rendered.

``stage_book.py prepare DIR [--all]`` copies the book's sources (``_config.yml``, ``_toc.yml``, ``book/``,
``locale/``) into DIR.
A notebook whose executed copy in DIR was made from the same inputs (its ``.source-sha256`` stamp matches
``freshness_key``: the notebook, every file of ``helpers/`` and ``book/scripts/``, the zoo manifest
``$HFBOOK_HOME/zoo/manifest.json`` and the pins in ``requirements.txt`` and ``pyproject.toml``) is kept; every other
one (all of them with ``--all``) is copied fresh and listed in ``DIR/to-execute.txt``, the longest to execute first
(``helpers.chapters``' ``seconds``), so that nbmake's two workers finish at about the same time.
The staged ``_config.yml`` turns execution off: the Makefile runs the listed notebooks with nbmake first.
Each translated edition gets its own ``_config.<lang>.yml`` (``_config.yml`` with ``locale/<lang>/config.yml``
merged in) and ``_toc.<lang>.yml`` (the part captions translated).
``stage_book.py mark DIR`` stamps every listed notebook that ran completely and without an error output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's helpers (for the zoo's location)
IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "_build", ".pytest_cache", "*.ipynb")


PINS = ("requirements.txt", "pyproject.toml")
SHARED_FOLDERS = ("helpers", "book/scripts")  # code the notebooks import or run
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zoo_manifest() -> Path:
    from helpers.zoo.core import zoo_dir  # the same $HFBOOK_HOME rule as the notebooks

    return zoo_dir() / "manifest.json"


def shared_inputs(root: Path | None = None) -> list[tuple[str, Path | None]]:
    """What every notebook's outputs depend on besides the notebook: (label, path or None when absent)."""
    root = ROOT if root is None else root
    found: list[tuple[str, Path | None]] = []
    for folder in SHARED_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not SKIP_PARTS & set(path.parts) and path.suffix not in {".pyc", ".pyo"}:
                found.append((str(path.relative_to(root)), path))
    for name in PINS:
        found.append((name, root / name if (root / name).is_file() else None))
    manifest = zoo_manifest()
    found.append(("zoo manifest", manifest if manifest.is_file() else None))
    return found


def freshness_key(nb: Path, root: Path | None = None) -> str:
    """sha256 over the notebook and its shared inputs (names and contents): equal keys, equal outputs."""
    h = hashlib.sha256()
    for label, path in [("notebook", nb), *shared_inputs(root)]:
        h.update(f"{label}\0{digest(path) if path is not None else 'absent'}\n".encode())
    return h.hexdigest()


def merged(base: dict, overlay: dict) -> dict:
    """``base`` with ``overlay``'s values put in, nested dictionaries merged key by key."""
    out = dict(base)
    for key, value in overlay.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def translated_toc(lang: str) -> dict:
    """``_toc.yml`` with its part captions translated by the root page's catalogue (where gettext puts them)."""
    from babel.messages.pofile import read_po

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    po = ROOT / "locale" / lang / "LC_MESSAGES" / f"{toc['root']}.po"
    catalogue = read_po(po.open("rb")) if po.exists() else None
    for part in toc.get("parts", []):
        message = catalogue.get(part["caption"]) if catalogue is not None and "caption" in part else None
        if message is not None and message.string and not message.fuzzy:
            part["caption"] = message.string
    return toc


def stamp_of(nb: Path) -> Path:
    return nb.with_suffix(".source-sha256")


def sources() -> list[Path]:
    return sorted(p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def execution_order(notebooks: list[Path]) -> list[Path]:
    """``notebooks`` (paths ending in ``<chapter>.ipynb``), longest to execute first, then by path: with the
    long ones started first, nbmake's workers share out the short ones at the end and finish together."""
    from helpers.chapters import CHAPTERS

    def seconds(nb: Path) -> int:
        chapter = CHAPTERS.get(nb.stem)
        return chapter.seconds if chapter else 0

    return sorted(notebooks, key=lambda nb: (-seconds(nb), str(nb)))


def prepare(dest: Path, everything: bool) -> None:
    (dest / "book").mkdir(parents=True, exist_ok=True)
    config = (ROOT / "_config.yml").read_text()
    if "execute_notebooks: auto" not in config:
        raise SystemExit("_config.yml must say `execute_notebooks: auto` (the staged copy turns it off)")
    config = config.replace("execute_notebooks: auto", 'execute_notebooks: "off"')
    (dest / "_config.yml").write_text(config)
    for overlay in sorted(ROOT.glob("locale/*/config.yml")):  # one configuration per translated edition
        lang = overlay.parent.name
        edition = merged(yaml.safe_load(config), yaml.safe_load(overlay.read_text()))
        (dest / f"_config.{lang}.yml").write_text(yaml.safe_dump(edition, allow_unicode=True))
        (dest / f"_toc.{lang}.yml").write_text(yaml.safe_dump(translated_toc(lang), allow_unicode=True))
    shutil.copy2(ROOT / "_toc.yml", dest / "_toc.yml")
    shutil.copytree(ROOT / "book", dest / "book", ignore=IGNORE, dirs_exist_ok=True)
    if (ROOT / "locale").is_dir():  # the translations (the zh build compiles them to .mo files here)
        shutil.copytree(ROOT / "locale", dest / "locale", ignore=shutil.ignore_patterns("*.mo"), dirs_exist_ok=True)
    wanted = {nb.relative_to(ROOT) for nb in sources()}
    for old in (dest / "book").rglob("*.ipynb"):  # notebooks deleted from the sources
        if old.relative_to(dest) not in wanted:
            old.unlink()
            stamp_of(old).unlink(missing_ok=True)
    fresh = []
    for nb in sources():
        rel = nb.relative_to(ROOT)
        staged, stamp = dest / rel, stamp_of(dest / rel)
        if not everything and staged.exists() and stamp.exists() and stamp.read_text().strip() == freshness_key(nb):
            continue
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(nb, staged)
        stamp.unlink(missing_ok=True)
        fresh.append(rel)
    fresh = execution_order(fresh)
    (dest / "to-execute.txt").write_text("".join(f"{dest / r}\n" for r in fresh))
    # the keys of the inputs as they are now: `mark` stamps these, even if a source changes while the notebooks run
    keys = {str(dest / r): freshness_key(ROOT / r) for r in fresh}
    (dest / "to-execute.keys.json").write_text(json.dumps(keys, indent=1) + "\n")
    print(f"staged the book in {dest}: {len(wanted) - len(fresh)} notebooks already executed, {len(fresh)} to execute")


def mark(dest: Path) -> None:
    listed = [Path(p) for p in (dest / "to-execute.txt").read_text().split()]
    keys_file = dest / "to-execute.keys.json"
    keys = json.loads(keys_file.read_text()) if keys_file.exists() else {}
    for staged in listed:
        nb = json.loads(staged.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        ran = all(c.get("execution_count") is not None for c in code)
        errors = any(
            o.get("output_type") == "error"
            for c in code
            for o in c.get("outputs", [])
            if "raises-exception" not in c.get("metadata", {}).get("tags", [])
        )
        if not ran or errors:
            raise SystemExit(f"{staged} did not execute cleanly; it will be executed again next time")
        stamp_of(staged).write_text(keys.get(str(staged)) or freshness_key(ROOT / staged.relative_to(dest)))
    (dest / "to-execute.txt").write_text("")
    keys_file.unlink(missing_ok=True)
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
