"""Nothing left behind: the notebooks run with ``TMPDIR`` set to a fresh folder, which must be empty afterwards.

``make notebooks`` and ``make book`` create the folder, run nbmake with ``TMPDIR`` pointing at it (Python's
``tempfile``, and every library that asks it, then writes there), and call ``python scripts/tmp_check.py FOLDER``:
it lists every file or folder a notebook left behind with its size (``ch11-x1y2: 175.2 MB``) and fails.
A notebook cleans up with ``tempfile.TemporaryDirectory()`` as a context manager, or a final cell that removes
what it made and stops the processes it started.
"""

from __future__ import annotations

import argparse
import os
import sys
from fnmatch import fnmatch
from pathlib import Path

# Not a notebook's doing, so not a notebook's to remove: the test runner's own scratch folder (pytest creates
# ``pytest-of-<user>`` in TMPDIR for the run that executes the notebooks) and torch's compile cache
# (``torchinductor_<user>``: torch makes it in TMPDIR on first use and means it to be reused by later runs).
ALLOWED = ("pytest-of-*", "torchinductor_*")


def size_of(path: Path) -> int:
    """Bytes under ``path`` (a file, a folder walked without following links, or a link itself)."""
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    total = 0
    for folder, dirs, files in os.walk(path, onerror=lambda error: None):
        for name in files + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            try:
                total += (Path(folder) / name).lstat().st_size
            except OSError:  # removed while we looked
                pass
    return total


def human(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError  # unreachable


def leftovers(folder: Path) -> list[str]:
    """One line per entry of ``folder`` (``name: size``, largest first); empty when the folder is empty or absent."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries = [
        (size_of(p), p.name + ("/" if p.is_dir() and not p.is_symlink() else ""))
        for p in folder.iterdir()
        if not any(fnmatch(p.name, pattern) for pattern in ALLOWED)
    ]
    return [f"{name}: {human(size)}" for size, name in sorted(entries, key=lambda e: (-e[0], e[1]))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", type=Path, help="the TMPDIR the notebooks ran with")
    args = p.parse_args(argv)
    found = leftovers(args.folder)
    if found:
        print(f"The notebooks left {len(found)} entries in their temporary folder {args.folder}:", file=sys.stderr)
        for line in found:
            print("  " + line, file=sys.stderr)
        print(
            "Remove them in the notebook that made them (a `with tempfile.TemporaryDirectory()` block or a final "
            "clean-up cell; stop any process it started).",
            file=sys.stderr,
        )
        return 1
    print(f"The notebooks left nothing in {args.folder}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
