"""pyproject.toml is the one list of dependencies: ranges for the package a reader installs, and the exact versions
of ``[tool.hfbook.lock]`` that scripts/pins.py writes to requirements.txt (the set `make venv` installs).

The install test needs no network: pip resolves the package (a wheel built from this checkout) into a virtual
environment that already holds, as installed distributions, every dependency at a version in range other than the
locked one, with ``--no-index``, so anything pip wanted to replace or add would fail to resolve.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("pins", ROOT / "scripts" / "pins.py")
pins = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pins)


def test_pyproject_declares_a_range_and_a_locked_version_in_it_for_every_dependency():
    assert pins.problems() == []
    for reqs in pins.groups().values():
        for text in reqs:
            req = Requirement(text)
            assert {s.operator for s in req.specifier} == {">=", "<"}, text
            assert req.specifier.contains(Version(pins.lock()[canonicalize_name(req.name)])), text


def test_requirements_txt_is_the_exact_lock_generated_from_pyproject():
    text = (ROOT / "requirements.txt").read_text()
    assert text == pins.requirements_text(), "run `python scripts/pins.py`"
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert all(line.count("==") == 1 and not set(line) & set("<>~!,;") for line in lines), lines
    assert "torch==2.13.0" in lines  # the CPU wheel on local disk
    assert len(lines) == sum(len(reqs) for reqs in pins.groups().values()) == len(pins.lock())


def test_the_reader_set_leaves_out_the_toolchain_and_tensorflow():
    groups = pins.groups()
    reader = {canonicalize_name(Requirement(r).name) for r in groups["reader"]}
    assert {"torch", "transformers", "numpy"} <= reader
    assert not reader & {"tensorflow", "jupyter-book", "sphinx", "pytest", "playwright", "nbmake", "jupyterlab"}
    assert {"keras", "book", "test"} <= set(groups)


def test_the_runtimes_preinstalled_torch_and_numpy_are_in_range():
    """The versions a Colab runtime ships (older than the lock) satisfy the package's ranges."""
    reader = {canonicalize_name(Requirement(r).name): Requirement(r).specifier for r in pins.groups()["reader"]}
    for name, version in [("torch", "2.8.0"), ("numpy", "2.0.2"), ("pandas", "2.2.2"), ("matplotlib", "3.10.0")]:
        assert reader[name].contains(version), (name, version)
    assert not reader["torch"].contains("3.0.0") and not reader["numpy"].contains("1.26.4")


@pytest.mark.parametrize(
    "pyproject, expected",
    [
        (
            '[project]\ndependencies = ["torch>=2.6,<3", "numpy==2.4.6"]\n'
            '[project.optional-dependencies]\nx = ["pandas"]\n'
            '[tool.hfbook.lock]\ntorch = "3.1.0"\nnumpy = "2.4.6"\nscipy = "1.0"\n',
            [
                "reader: torch>=2.6,<3: the locked 3.1.0 is outside this range",
                "reader: numpy==2.4.6: declare a range, `>=LOWEST,<NEXT_MAJOR`",
                "x: pandas: declare a range, `>=LOWEST,<NEXT_MAJOR`",
                "x: pandas: add its exact version to [tool.hfbook.lock]",
                "[tool.hfbook.lock]: scipy is no dependency: remove it",
            ],
        ),
        ('[project]\ndependencies = ["Torch>=2.6,<3"]\n[tool.hfbook.lock]\ntorch = "2.13.0"\n', []),
    ],
)
def test_what_keeps_a_pyproject_from_giving_a_lock_is_reported(tmp_path, pyproject, expected):
    path = tmp_path / "pyproject.toml"
    path.write_text(pyproject)
    assert pins.problems(path) == expected
    if not expected:
        assert pins.requirements_text(path).endswith("# every chapter\nTorch==2.13.0\n")


def in_range_but_not_locked(text: str, locked: str) -> str:
    """A version of the requirement ``text`` inside its range and different from the locked one."""
    req = Requirement(text)
    lower = next(s.version for s in req.specifier if s.operator == ">=")
    release = list(Version(locked).release)
    release[-1] += 1
    for candidate in (lower, ".".join(map(str, release))):
        if req.specifier.contains(candidate) and Version(candidate) != Version(locked):
            return candidate
    raise AssertionError(f"no version in range besides {locked} found for {text}")


def fake_installed(site: Path, name: str, version: str) -> None:
    """An installed distribution as pip sees one: a dist-info folder with its metadata."""
    info = site / f"{canonicalize_name(name).replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text("")


# pip without this machine's configuration (its find-links, where a torch wheel may wait): the index is nothing.
ISOLATED = {
    **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
    "PIP_CONFIG_FILE": os.devnull,
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The package a reader installs, built from this checkout's pyproject.toml and helpers/ (offline)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(ROOT / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy2(ROOT / "pyproject.toml", src / "pyproject.toml")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(work), str(src)],
        check=True,
        capture_output=True,
        env=ISOLATED,
    )
    return next(work.glob("hfbook_helpers-*.whl"))


def dry_run_install(tmp_path: Path, wheel: Path, installed: dict[str, str]) -> subprocess.CompletedProcess:
    """``pip install --dry-run --report`` of the package with every extra into a venv holding ``installed``."""
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    site = next((env_dir / "lib").glob("python3*/site-packages"))
    for name, version in installed.items():
        fake_installed(site, name, version)
    extras = ",".join(name for name in pins.groups() if name != "reader")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--disable-pip-version-check",
            "--python",
            str(env_dir / "bin" / "python"),
            "install",
            "--dry-run",
            "--no-index",
            "--report",
            str(tmp_path / "report.json"),
            f"hfbook-helpers[{extras}] @ {wheel.as_uri()}",
        ],
        capture_output=True,
        text=True,
        env=ISOLATED,
    )


def test_installing_the_package_keeps_every_installed_version_in_range(tmp_path, wheel):
    locked = pins.lock()
    installed = {
        Requirement(text).name: in_range_but_not_locked(text, locked[canonicalize_name(Requirement(text).name)])
        for reqs in pins.groups().values()
        for text in reqs
    }
    assert installed["torch"] == "2.6" and installed["numpy"] == "2.0"  # older than the lock, as on Colab
    run = dry_run_install(tmp_path, wheel, installed)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    to_install = [(item["metadata"]["name"], item["metadata"]["version"]) for item in report["install"]]
    assert to_install == [("hfbook-helpers", "0.1.0")]  # nothing replaced, nothing added


def test_a_version_out_of_range_would_be_replaced(tmp_path, wheel):
    """The control: torch 3 is out of range, so pip looks for another torch (and, with no index, finds none)."""
    locked = pins.lock()
    installed = {
        Requirement(text).name: in_range_but_not_locked(text, locked[canonicalize_name(Requirement(text).name)])
        for reqs in pins.groups().values()
        for text in reqs
    }
    installed["torch"] = "3.0.0"
    run = dry_run_install(tmp_path, wheel, installed)
    assert run.returncode != 0
    assert "torch<3,>=2.6" in run.stdout + run.stderr
