"""A newcomer's path, measured (``make bench-newcomer``): a fresh virtual environment with one chapter's packages,
then that chapter executed from an empty zoo, as on Colab or a laptop.

Prints one JSON object per figure on stdout, then one summary line:

* ``install``  — ``pip install "<this checkout>[<the chapter's extras>]"`` plus ipykernel (Colab, Binder and
                 Jupyter bring a kernel; it is counted apart) into a new venv: wall time and the size of the venv.
* ``sizes``    — installed size of the chapter's packages vs the full pinned set of requirements.txt (what every
                 chapter installed before), both summed from the files each installed distribution lists (RECORD)
                 in the venv running this script, over the dependency closure, so the two are comparable.
* ``execute``  — the chapter executed top to bottom in a kernel of the new venv, with an empty ``HFBOOK_HOME``: its
                 first cell builds the zoo entries it uses, then every cell runs (targets on 2 cores, after the
                 install: ``TARGET_SECONDS``; 180 s for any other chapter).

``--chapter 03_tokenizers`` (default), ``--keep DIR`` keeps the venv and zoo there, ``--downloads`` reuses the
default zoo's download cache (skips the registry downloads of zoo sources). Timings depend on the machine and on
what else runs on it: every figure carries the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
# the issues' targets for a newcomer's chapter, its zoo entries included: chapter 3's 180 s, chapter 8's 5 min (it
# builds the 1.5B chat model)
TARGET_SECONDS = {"03_tokenizers": 180, "08_summarization_translation": 300}
sys.path.insert(0, str(ROOT))


def emit(obj: dict) -> dict:
    obj = {**obj, "load_avg_1m": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count()}
    print(json.dumps(obj), flush=True)
    return obj


def pins() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"reader": project["dependencies"], **project["optional-dependencies"]}


def closure_bytes(requirements: list[str]) -> tuple[int, int]:
    """(number of distributions, bytes) of the requirements and everything they depend on, as installed here."""
    import importlib.metadata as md

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    dists = {canonicalize_name(d.metadata["Name"]): d for d in md.distributions()}
    seen: set[str] = set()
    stack = [canonicalize_name(Requirement(r).name) for r in requirements]
    while stack:
        name = stack.pop()
        if name in seen or name not in dists:
            continue
        seen.add(name)
        for text in dists[name].requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                stack.append(canonicalize_name(req.name))
    total = 0
    for name in seen:
        for f in dists[name].files or []:
            try:
                total += f.locate().stat().st_size
            except OSError:
                pass
    return len(seen), total


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def execute(nb_path: Path, python: Path, env: dict, timeout: int) -> float:
    """Run the notebook in a kernel of ``python`` (nbclient from this venv); return the wall seconds."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    spec_dir = Path(env["JUPYTER_DATA_DIR"]) / "kernels" / "newcomer"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "newcomer",
                "language": "python",
                "env": env,
            }
        )
    )
    os.environ["JUPYTER_PATH"] = str(spec_dir.parent.parent)  # where the kernel manager looks for kernels/newcomer
    assert "newcomer" in KernelSpecManager().find_kernel_specs()
    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="newcomer", resources={"metadata": {"path": str(nb_path.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, Path(env["JUPYTER_DATA_DIR"]).parent / nb_path.name)  # the executed copy, beside the venv
    return seconds


def install(venv: Path, row, kernel_pin: str) -> tuple[float, float, Path, int]:
    """A new venv with this checkout and the chapter's extras, then a kernel; (seconds, kernel seconds, site, bytes)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    python = venv / "bin" / "python"
    src = venv.parent / "src"  # what `pip install git+...` gets: the package and its pyproject.toml (built there,
    shutil.rmtree(src, ignore_errors=True)  # not in this checkout)
    shutil.copytree(ROOT / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", src / "pyproject.toml")
    target = f"{src}[{','.join(row.extras)}]" if row.extras else str(src)
    # at the lock's versions (requirements.txt as constraints), the ones the book is tested and timed with
    constraints = ["-c", str(ROOT / "requirements.txt")]
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *constraints, target],
        check=True,
    )
    install_s = time.perf_counter() - start
    site = next((venv / "lib").glob("python3*/site-packages"))
    chapter_bytes = du(site)
    start = time.perf_counter()
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", kernel_pin], check=True
    )
    return install_s, time.perf_counter() - start, site, chapter_bytes


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chapter", default="03_tokenizers")
    p.add_argument("--keep", type=Path, help="build the venv and zoo in this folder and keep them")
    p.add_argument("--downloads", action="store_true", help="reuse the default zoo's downloads/ folder")
    p.add_argument("--timeout", type=int, default=1800, help="per-cell timeout in seconds")
    p.add_argument("--reuse-venv", action="store_true", help="with --keep: skip the install, reuse the venv there")
    args = p.parse_args()
    for var in ("HFBOOK_THREADS", "HFBOOK_HUB", "HFBOOK_HOME", "PYTHONPATH"):  # a newcomer has none of them set
        os.environ.pop(var, None)
    from helpers.chapters import chapter
    from helpers.zoo.core import downloads_dir

    row = chapter(args.chapter)
    groups = pins()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newcomer-"))
    work.mkdir(parents=True, exist_ok=True)
    venv, home = work / "venv", work / "hfbook"
    # the lock's ipykernel (pyproject.toml declares a range since the reader's install takes ranges)
    lock = (ROOT / "requirements.txt").read_text().splitlines()
    kernel_pin = next(line.strip() for line in lock if line.startswith("ipykernel=="))

    # 1. install
    python = venv / "bin" / "python"
    if args.reuse_venv and python.exists():
        install_s = kernel_s = None  # not measured this time
        site = next((venv / "lib").glob("python3*/site-packages"))
        chapter_bytes = du(site) - sum(du(p) for p in site.glob("ipykernel*"))
    else:
        install_s, kernel_s, site, chapter_bytes = install(venv, row, kernel_pin)
    emit(
        {
            "figure": "install",
            "chapter": args.chapter,
            "extras": list(row.extras),
            "seconds": install_s and round(install_s, 1),
            "venv_MB": round(chapter_bytes / 1e6),
            "kernel_seconds": kernel_s and round(kernel_s, 1),
            "kernel_MB": round((du(site) - chapter_bytes) / 1e6),
        }
    )

    # 2. sizes, comparable: both summed over the installed distributions of this venv
    needed = groups["reader"] + [r for e in row.extras for r in groups[e]]
    full = [r for rs in groups.values() for r in rs]
    n_ch, b_ch = closure_bytes(needed)
    n_all, b_all = closure_bytes(full)
    emit(
        {
            "figure": "sizes",
            "chapter": args.chapter,
            "chapter_distributions": n_ch,
            "chapter_MB": round(b_ch / 1e6),
            "full_distributions": n_all,
            "full_MB": round(b_all / 1e6),
            "ratio": round(b_ch / b_all, 2),
        }
    )

    # 3. execute from an empty zoo
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    if args.downloads and downloads_dir().exists():
        shutil.copytree(downloads_dir(), home / "downloads")
    env = {
        "HFBOOK_HOME": str(home),
        "HFBOOK_EXECUTING": "1",
        "JUPYTER_DATA_DIR": str(work / "jupyter"),
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    seconds = execute(ROOT / "book" / f"{args.chapter}.ipynb", python, env, args.timeout)
    manifest = json.loads((home / "zoo" / "manifest.json").read_text())
    emit(
        {
            "figure": "execute",
            "chapter": args.chapter,
            "seconds": round(seconds, 1),
            "target_seconds": TARGET_SECONDS.get(args.chapter, 180),
            "zoo_built": sorted(manifest),
            "zoo_build_seconds": {k: v["build_seconds"] for k, v in manifest.items()},
        }
    )
    installed = f"{install_s:.0f} s" if install_s is not None else "not timed (--reuse-venv)"
    print(
        f"newcomer {args.chapter}: install {installed} ({chapter_bytes / 1e6:.0f} MB; with a kernel "
        f"{du(site) / 1e6:.0f} MB); chapter packages {b_ch / 1e6:.0f} MB vs the full set {b_all / 1e6:.0f} MB "
        f"({b_ch / b_all:.0%}); executed from an empty zoo in {seconds:.0f} s "
        f"(target {TARGET_SECONDS.get(args.chapter, 180)} s)"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
