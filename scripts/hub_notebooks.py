"""Execute the chapters in hub mode: ``make hub-notebooks`` (against the tiny random twins, served by the local hub).

``python scripts/hub_notebooks.py [NOTEBOOK ...]`` exports the twins of :mod:`helpers.twins` into a temporary folder,
serves them with the local hub (:class:`helpers.local_hub.LocalHub`), and runs the notebooks under nbmake (in a
copy of ``book/``, each in a fresh kernel) with ``HFBOOK_HUB=1``, ``HFBOOK_HUB_TWINS=1``, ``HF_ENDPOINT`` pointing
at the hub and an empty ``HF_HOME``; then it stops the hub and deletes the folder, whatever happened, and prints
the seconds it took (``--out DIR`` keeps the executed notebooks). ``--real`` runs the same path against the real
hub (the GPU workflow, with internet): no twins, no local hub, ``HF_ENDPOINT`` and ``HF_HOME`` as the environment
has them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def notebooks(names: list[str]) -> list[str]:
    """The notebooks to run (default: every chapter of helpers/chapters.py), as paths relative to book/."""
    from helpers.chapters import CHAPTERS

    chosen = names or [f"{n}.ipynb" for n in CHAPTERS]
    return [Path(n).name if n.endswith(".ipynb") else f"{Path(n).name}.ipynb" for n in chosen]


def run(names: list[str], real: bool, workers: int, timeout: int, out: Path | None = None) -> int:
    from helpers.chapters import CHAPTERS

    order = sorted(notebooks(names), key=lambda n: -CHAPTERS[n[: -len(".ipynb")]].seconds)  # longest first
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="hub-notebooks-"))
    hub = None
    env = {
        **os.environ,
        "HFBOOK_HUB": "1",
        "HFBOOK_EXECUTING": "1",
        "HFBOOK_THREADS": os.environ.get("HFBOOK_THREADS", "1"),
    }
    try:
        if not real:
            from helpers.local_hub import LocalHub
            from helpers.twins import export_twins

            export_twins(scratch / "hub", log=lambda *a: None)
            built = time.monotonic() - start
            hub = LocalHub(scratch / "hub", state=scratch / "olah").start()
            (scratch / "hf_home").mkdir()
            env.update(HFBOOK_HUB_TWINS="1", HF_ENDPOINT=hub.endpoint, HF_HOME=str(scratch / "hf_home"))
            for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_CACHE"):
                env.pop(var, None)
            print(
                f"hub-notebooks: {len(os.listdir(scratch / 'hub' / 'models'))} twin repositories built in {built:.0f} s"
            )
        shutil.copytree(ROOT / "book", scratch / "book", ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
        command = [sys.executable, "-m", "pytest", "--nbmake", f"--nbmake-timeout={timeout}", "-p", "no:cacheprovider"]
        command += ["--overwrite"] if out is not None else []
        command += ["--durations=0", "--rootdir", str(scratch), *(["-n", str(workers)] if workers > 1 else []), *order]
        status = subprocess.call(command, cwd=scratch / "book", env=env)
        if out is not None:  # the executed notebooks (with their outputs), e.g. for the GPU workflow's artifact
            out.mkdir(parents=True, exist_ok=True)
            for name in order:
                shutil.copyfile(scratch / "book" / name, out / name)
    finally:
        if hub is not None:
            hub.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    mode = "the real hub" if real else "the tiny random twins"
    print(
        f"hub-notebooks: {len(order)} notebooks in hub mode against {mode}: {time.monotonic() - start:.0f} s "
        f"on {os.cpu_count()} cores ({workers} at a time), exit {status}"
    )
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="e.g. 08_summarization_translation (default: every chapter)")
    parser.add_argument("--real", action="store_true", help="the real hub (needs internet): no twins, no local hub")
    parser.add_argument("--workers", "-n", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per notebook")
    parser.add_argument("--out", type=Path, default=None, help="copy the executed notebooks (with outputs) here")
    args = parser.parse_args(argv)
    return run(args.notebooks, args.real, args.workers, args.timeout, args.out)


if __name__ == "__main__":
    sys.exit(main())
