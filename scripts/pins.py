"""Write requirements.txt (the book's exact lock, what `make venv` installs) from pyproject.toml, the one list.

pyproject.toml declares, for the package a reader installs, the range of each dependency (``>=`` the lower bound,
``<`` the next major version); its table ``[tool.hfbook.lock]`` holds the one version of each that the book is built
and tested with. ``python scripts/pins.py`` writes them as ``NAME==VERSION`` lines, grouped like pyproject.toml;
``--check`` fails if requirements.txt is out of date; ``--floors`` prints every dependency at its lower bound
(``NAME==LOWEST``, pip constraints: the weekly workflow tests them). All fail if a range lacks a bound or a locked
version is missing, unused, or outside its range. Changing a version: edit ``[tool.hfbook.lock]`` (and the range,
if it has to move), run this script, then ``.venv/bin/pip install NAME==VERSION``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "# Generated from pyproject.toml by `python scripts/pins.py`: edit its ranges and [tool.hfbook.lock], then run.\n"
    "# The book's exact lock: every line pinned with ==, each version inside the range pyproject.toml declares.\n"
    "# torch 2.13.0 is the CPU wheel on local disk; any other version pulls a CUDA build.\n"
)


def load(pyproject: Path = ROOT / "pyproject.toml") -> dict:
    return tomllib.loads(pyproject.read_text())


def groups(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, list[str]]:
    """The dependencies (as group "reader") and every extra, in file order, as pyproject.toml writes them."""
    project = load(pyproject)["project"]
    return {"reader": project["dependencies"], **project.get("optional-dependencies", {})}


def lock(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """``[tool.hfbook.lock]``: canonical package name -> exact version."""
    table = load(pyproject).get("tool", {}).get("hfbook", {}).get("lock", {})
    return {canonicalize_name(name): version for name, version in table.items()}


def problems(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """What keeps pyproject.toml from giving a lock: a range without both bounds, a locked version that is missing,
    unused, or outside its range (one line each, saying what to change)."""
    found = []
    locked = lock(pyproject)
    used = set()
    for group, reqs in groups(pyproject).items():
        for text in reqs:
            req = Requirement(text)
            name = canonicalize_name(req.name)
            used.add(name)
            ops = {spec.operator for spec in req.specifier}
            if ops != {">=", "<"}:
                found.append(f"{group}: {text}: declare a range, `>=LOWEST,<NEXT_MAJOR`")
            if name not in locked:
                found.append(f"{group}: {text}: add its exact version to [tool.hfbook.lock]")
            elif not req.specifier.contains(Version(locked[name]), prereleases=True):
                found.append(f"{group}: {text}: the locked {locked[name]} is outside this range")
    for name in sorted(set(locked) - used):
        found.append(f"[tool.hfbook.lock]: {name} is no dependency: remove it")
    return found


def requirements_text(pyproject: Path = ROOT / "pyproject.toml") -> str:
    locked = lock(pyproject)
    lines = [HEADER]
    for group, reqs in groups(pyproject).items():
        label = "every chapter" if group == "reader" else f"extra [{group}]"
        pins = []
        for text in reqs:
            req = Requirement(text)
            pins.append(f"{req.name}=={locked[canonicalize_name(req.name)]}\n")
        lines.append(f"# {label}\n" + "".join(pins))
    return "".join(lines)


def floors_text(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """Every dependency at the lower bound of its range, as pip constraints (``NAME==LOWEST``)."""
    lines = []
    for reqs in groups(pyproject).values():
        for text in reqs:
            req = Requirement(text)
            lower = next(spec.version for spec in req.specifier if spec.operator == ">=")
            lines.append(f"{req.name}=={lower}\n")
    return "".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="fail if requirements.txt differs from pyproject.toml")
    p.add_argument("--floors", action="store_true", help="print every dependency at its lower bound (constraints)")
    args = p.parse_args()
    if problems():
        print("pyproject.toml:\n  " + "\n  ".join(problems()), file=sys.stderr)
        return 1
    if args.floors:
        print(floors_text(), end="")
        return 0
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
