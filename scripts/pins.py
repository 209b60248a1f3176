"""Write requirements.txt (the full pinned set `make venv` installs) from pyproject.toml, the one list.

``python scripts/pins.py`` rewrites requirements.txt; ``python scripts/pins.py --check`` fails if it is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "# Generated from pyproject.toml by `python scripts/pins.py`: edit pyproject.toml, then run it.\n"
    "# Every line pinned with ==. torch 2.13.0 is the CPU wheel on local disk; any other version pulls a CUDA "
    "build.\n"
)


def groups(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, list[str]]:
    """The dependencies (as group "reader") and every extra, in file order."""
    project = tomllib.loads(pyproject.read_text())["project"]
    return {"reader": project["dependencies"], **project.get("optional-dependencies", {})}


def unpinned(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    return [
        f"{name}: {req}"
        for name, reqs in groups(pyproject).items()
        for req in reqs
        if "==" not in req or any(op in req for op in (">", "<", "~", "!", ","))
    ]


def requirements_text(pyproject: Path = ROOT / "pyproject.toml") -> str:
    lines = [HEADER]
    for name, reqs in groups(pyproject).items():
        label = "every chapter" if name == "reader" else f"extra [{name}]"
        lines.append(f"# {label}\n" + "".join(f"{r}\n" for r in reqs))
    return "".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--check", action="store_true", help="fail if requirements.txt differs from pyproject.toml")
    args = p.parse_args()
    if unpinned():
        print("pin these with ==: " + "; ".join(unpinned()), file=sys.stderr)
        return 1
    target = ROOT / "requirements.txt"
    text = requirements_text()
    if args.check:
        if target.read_text() != text:
            print("requirements.txt is out of date: run `python scripts/pins.py`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
