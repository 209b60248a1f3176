"""The Makefile keeps the promises of the README: `make book` needs no root and no browser; `make test` runs the unit
tests where the default zoo location is empty (so nothing reads ~/.cache/hfbook behind $HFBOOK_HOME's back), every
notebook, the book, then the browser check; the browser packages are installed only as root."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()


def recipe(target: str) -> str:
    m = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", MAKEFILE, re.M)
    assert m, f"no target {target}"
    return m.group(1)


def dry_run(*targets: str) -> str:
    # -o venv -o zoo: the set-up is not part of what is compared here
    return subprocess.run(
        ["make", "-n", "--no-print-directory", "-o", "venv", "-o", "zoo", *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_book_needs_no_root_and_no_browser():
    commands = dry_run("book")
    assert "jupyter-book build" in commands
    assert not re.search(r"apt-get|chromium|check-html|tests/book_html|sudo", commands)


def test_test_runs_unit_notebooks_book_then_the_browser_check_once_each():
    assert re.search(r"^test: lint unit notebooks hub-notebooks book pdf check-html$", MAKEFILE, re.M)
    commands = dry_run("test")
    steps = [
        line for line in commands.splitlines() if "pytest" in line or "jupyter-book" in line or "browser_deps" in line
    ]
    assert [
        "tests/" in steps[0],
        "--nbmake" in steps[1],
        "jupyter-book" in steps[-4] and "zh_CN" not in steps[-4],
        "jupyter-book" in steps[-3] and "--config _site/_config.zh_CN.yml" in steps[-3],
        "browser_deps" in steps[-2],
        "tests/book_html" in steps[-1],
    ] == [True] * 6
    # each edition built once, from the notebooks executed once
    assert commands.count("jupyter-book build") == 2 and "--all" not in commands
    assert "assemble_site.py _build" in commands


def test_notebooks_executes_what_book_would_with_the_same_freshness_key():
    """`make test` right after `make book` executes no notebook whose inputs are unchanged: `notebooks` stages and
    executes exactly like `book` (stage_book.py's key decides), and `ALL=1` executes every one again."""
    notebooks = dry_run("notebooks").splitlines()
    assert notebooks == dry_run("book").splitlines()[:3]
    assert notebooks[0].endswith("stage_book.py prepare _site")
    assert notebooks[1].startswith("if [ -s _site/to-execute.txt ]; then") and "--nbmake" in notebooks[1]
    assert dry_run("notebooks", "ALL=1").splitlines()[0].endswith("stage_book.py prepare _site --all")


def test_unit_tests_run_with_an_empty_home_and_the_zoo_in_hfbook_home():
    unit = recipe("unit")
    assert 'HOME="$$scratch"' in unit and 'HFBOOK_HOME="$$zoo_home"' in unit and "mktemp -d" in unit


def test_browser_packages_are_installed_only_as_root(tmp_path):
    # a fake dpkg-query that knows no package, and a non-root id: the script must print the command, install nothing
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in [("dpkg-query", "exit 1"), ("id", "echo 1000"), ("apt-get", "echo APT-GET-RAN; exit 0")]:
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("CHROMIUM", None)
    run = subprocess.run([str(ROOT / "scripts" / "browser_deps.sh")], env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert "sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk poppler-utils" in run.stderr
    assert "APT-GET-RAN" not in run.stdout
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")  # as root: it installs them
    run = subprocess.run([str(ROOT / "scripts" / "browser_deps.sh")], env=env, capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.count("APT-GET-RAN") == 2, run.stdout + run.stderr


def test_lint_checks_formatting_and_lint_of_the_whole_tree():
    commands = dry_run("lint")
    assert "ruff format --check ." in commands and "ruff check ." in commands


def test_hub_exports_the_zoo_then_serves_it_in_the_foreground():
    commands = dry_run("hub").splitlines()
    assert commands[-2].endswith("-m helpers.zoo export-repos _hub")
    assert commands[-1].endswith("-m helpers.local_hub serve _hub --port 8090")


def _uv_find_links(env: dict) -> str:
    out = subprocess.run(
        ["make", "-p", "-n", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, env=env
    ).stdout
    return re.search(r"^UV_FIND_LINKS :?= ?(.*)$", out, re.M).group(1)


def test_the_venv_is_installed_by_uv_with_pips_find_links(tmp_path):
    commands = subprocess.run(
        ["make", "-n", "-B", "--no-print-directory", ".venv/.installed"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"pip install .*uv==\d+\.\d+\.\d+", commands)
    # --compile-bytecode: where PYTHONDONTWRITEBYTECODE=1 is set, nothing else ever writes the .pyc files
    assert "uv pip install --quiet --compile-bytecode --python .venv/bin/python -r requirements.txt" in commands
    base = {k: v for k, v in os.environ.items() if k not in ("UV_FIND_LINKS", "PIP_FIND_LINKS", "PIP_CONFIG_FILE")}
    # uv doesn't read pip's settings: the torch wheel a machine keeps for pip must reach uv too
    assert _uv_find_links({**base, "PIP_FIND_LINKS": "/wheels/a"}) == "/wheels/a"
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nfind-links = /wheels/b\n")
    assert _uv_find_links({**base, "PIP_CONFIG_FILE": str(conf)}) == "/wheels/b"
    assert _uv_find_links({**base, "UV_FIND_LINKS": "/wheels/c", "PIP_FIND_LINKS": "/wheels/a"}) == "/wheels/c"


def test_the_venvs_packages_are_compiled_to_bytecode():
    # make venv wrote them (uv --compile-bytecode): a kernel then imports transformers without compiling it
    import importlib.util

    import transformers

    compiled = Path(importlib.util.cache_from_source(transformers.__file__))
    assert compiled.exists(), f"{compiled} is missing: rebuild the venv with `make venv`"
