"""The tree of a translated edition's branch, where its pages' Colab and Binder buttons open the notebooks.

The launch buttons of a page point at ``<repository>/blob/<branch>/<page>.ipynb`` (Colab) and
``<repository>/<branch>?urlpath=tree/<page>.ipynb`` (Binder), with the branch of the edition's ``_config.yml``
(``repository.branch``: ``main`` for English, the Chinese edition's in ``locale/zh_CN/config.yml``). So the
Chinese notebooks must be on a branch of their own: ``edition_branch.py SITE HTML_DIR OUT`` writes to ``OUT/<branch>``
every file git tracks in this checkout (``binder/`` for Binder, ``helpers/``, ...) with each chapter notebook replaced
by the edition's translated one (``HTML_DIR/_sources``, written by ``scripts/translate_notebooks.py``) without its
outputs, as the notebooks on ``main`` are. The pages workflow commits that folder to the branch
(``.github/workflows/pages.yml``); the browser check follows a Chinese page's Colab link into it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def branch_of(config: Path) -> str:
    """The branch that an edition's launch buttons point at (its staged ``_config.<lang>.yml``)."""
    branch = (yaml.safe_load(config.read_text(encoding="utf-8")).get("repository") or {}).get("branch", "main")
    if branch == "main":
        raise SystemExit(f"{config}: the edition's repository.branch is main, where the English notebooks are")
    return branch


def without_outputs(nb: dict) -> dict:
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def write_tree(html_dir: Path, dest: Path) -> int:
    """Every tracked file of this checkout in ``dest``, the notebooks from ``html_dir/_sources``; returns how many
    notebooks were replaced."""
    if dest.exists():
        shutil.rmtree(dest)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    replaced = 0
    for nb_path in sorted((html_dir / "_sources").rglob("*.ipynb")):
        name = nb_path.relative_to(html_dir / "_sources")
        if not (dest / name).exists():
            raise SystemExit(f"{name}: a notebook of the edition that this checkout does not have")
        nb = without_outputs(json.loads(nb_path.read_text(encoding="utf-8")))
        (dest / name).write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        replaced += 1
    if not replaced:
        raise SystemExit(f"no notebooks under {html_dir / '_sources'}: run `make book`")
    return replaced


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", type=Path, help="the edition's staged configuration (_site/_config.zh_CN.yml)")
    p.add_argument("html_dir", type=Path, help="the edition's HTML folder (with _sources/)")
    p.add_argument("out", type=Path, help="where the branches' trees go (_build/branches)")
    args = p.parse_args()
    start = time.perf_counter()
    branch = branch_of(args.config)
    n = write_tree(args.html_dir, args.out / branch)
    print(f"branch {branch}: {n} translated notebooks in {args.out / branch} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
