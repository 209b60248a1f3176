"""scripts/tmp_check.py: what the notebooks leave in their TMPDIR is listed with sizes, and fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import tmp_check  # noqa: E402

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "tmp_check.py"


def test_empty_or_missing_folder_is_clean(tmp_path):
    assert tmp_check.leftovers(tmp_path) == []
    assert tmp_check.leftovers(tmp_path / "absent") == []
    run = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0 and "left nothing" in run.stdout


def test_leftovers_listed_largest_first_with_sizes(tmp_path):
    big = tmp_path / "ch11-abc"
    (big / "nested").mkdir(parents=True)
    (big / "nested" / "weights.bin").write_bytes(b"x" * 2_500_000)
    (big / "config.json").write_bytes(b"y" * 500)
    (tmp_path / "olah.log").write_bytes(b"z" * 1500)
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "link").symlink_to(big)  # a link is counted as itself, not followed
    found = tmp_check.leftovers(tmp_path)
    assert found[0] == "ch11-abc/: 2.5 MB"
    assert found[1] == "olah.log: 1.5 kB"
    assert set(found[2:]) == {"empty-dir/: 0 B", f"link: {len(str(big))} B"}
    run = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "left 4 entries" in run.stderr and "  ch11-abc/: 2.5 MB" in run.stderr


def test_human_sizes():
    assert [tmp_check.human(n) for n in (0, 999, 1000, 175_000_000, 3_200_000_000)] == [
        "0 B",
        "999 B",
        "1.0 kB",
        "175.0 MB",
        "3.2 GB",
    ]


def test_the_makefile_runs_notebooks_in_a_fresh_tmpdir_and_checks_it():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    nbmake = next(line for line in makefile.splitlines() if line.startswith("NBMAKE :="))
    assert "TMPDIR=$(NBTMP)" in nbmake and "rm -rf $(NBTMP) && mkdir -p $(NBTMP)" in nbmake
    for target in ("notebooks", "book"):
        body = makefile.split(f"\n{target}: ", 1)[1].split("\n\n", 1)[0]
        assert "$(NBMAKE)" in body and "scripts/tmp_check.py $(NBTMP)" in body, target


def test_the_runners_and_torchs_own_folders_are_not_leftovers(tmp_path):
    (tmp_path / "pytest-of-root").mkdir()
    (tmp_path / "torchinductor_root").mkdir()
    assert tmp_check.leftovers(tmp_path) == []
    (tmp_path / "torchelastic_x1").mkdir()
    assert tmp_check.leftovers(tmp_path) == ["torchelastic_x1/: 0 B"]
