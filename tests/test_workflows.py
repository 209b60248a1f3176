"""The GitHub Actions workflows are linted with actionlint (the binary a pip package ships into the venv).

Also checks that the three workflows the book promises exist with the settings that matter (offline CPU run of
`make test`, hub-mode notebooks on the self-hosted GPU runner with a kept cache, a weekly run on unpinned releases),
and that the linter really fails on a broken workflow, so a silent no-op linter cannot pass this test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str:
    """The actionlint binary next to this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: `make venv` installs it from requirements.txt")
    return found


def run_actionlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_actionlint_passes_on_every_workflow():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert len(files) >= 3, files
    result = run_actionlint(*[str(f.relative_to(ROOT)) for f in files])
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / ".github" / "workflows"
    bad.mkdir(parents=True)
    (bad / "bad.yml").write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.nope_not_a_context }}\n"
    )
    result = run_actionlint(".github/workflows/bad.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "nope_not_a_context" in result.stdout


def test_cpu_workflow_runs_make_test_offline():
    wf = load("test.yml")
    job = wf["jobs"]["test"]
    assert job["runs-on"] == "ubuntu-latest"
    assert job["env"]["HF_HUB_OFFLINE"] == "1"
    runs = [s.get("run", "") for s in job["steps"]]
    assert ".ci/run" in runs
    # .ci/run runs the stages of `make test`, which include `make book` and the browser check, in this order
    stages = re.search(r"^STAGES=\((.*)\)$", (ROOT / ".ci" / "run").read_text(), re.M).group(1).split()
    assert stages == ["venv", "lint", "zoo", "unit", "notebooks", "hub-notebooks", "book", "pdf", "check-html"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: lint unit notebooks hub-notebooks book pdf check-html$", makefile, re.M)


def test_gpu_workflow_runs_every_notebook_in_hub_mode_and_keeps_the_cache():
    job = load("gpu-notebooks.yml")["jobs"]["notebooks"]
    assert job["runs-on"] == ["self-hosted", "gpu"]
    assert job["env"]["HFBOOK_HUB"] == "1"
    assert any(
        "actions/cache" in s.get("uses", "") and s["with"]["path"] == job["env"]["HF_HOME"] for s in job["steps"]
    )
    # the code path of `make hub-notebooks` (nbmake against tiny random twins), against the real hub
    assert any("scripts/hub_notebooks.py --real" in s.get("run", "") for s in job["steps"])


def test_weekly_workflow_tests_the_newest_versions_and_the_lower_bounds_of_the_ranges():
    wf = load("weekly-latest.yml")
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True
    assert triggers["schedule"][0]["cron"].split()[4] == "1"  # weekly, on Mondays
    job = wf["jobs"]["latest"]
    assert [row["versions"] for row in job["strategy"]["matrix"]["include"]] == ["newest", "lowest"]
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert "requirements.txt" not in script  # never the lock
    assert "scripts/pins.py --floors > constraints.txt" in script and "-c constraints.txt" in script
    assert "--upgrade-strategy eager" in script and "make test" in script
