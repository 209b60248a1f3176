"""Write (or check) the first code cell of every chapter from helpers/chapters.py: on Colab it installs this package
with the chapter's extras (pyproject.toml declares ranges, so pip keeps what the runtime already has in range:
Colab's CUDA torch and its numpy stay), then ``setup_chapter("<notebook>")`` builds the chapter's zoo entries if
missing.

``python scripts/first_cell.py`` rewrites that one cell in every notebook of book/ (nothing else);
``--check`` fails if one differs. tests/test_chapters.py runs the check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def first_cell_source(notebook: str) -> str:
    from helpers.chapters import REPO, chapter

    extras = f"[{','.join(chapter(notebook).extras)}]" if chapter(notebook).extras else ""
    return (
        "import sys\n\n"
        'if "google.colab" in sys.modules:  # on Colab: install what this chapter needs\n'
        f'    repo = "{REPO}@main"  # a fork: see the README\n'
        "    # the package's ranges keep the runtime's torch, numpy and pandas\n"
        f'    !pip install -q "hfbook-helpers{extras} @ git+https://github.com/{{repo}}"\n'
        "from helpers import setup_chapter\n\n"
        "# also builds the zoo entries this chapter uses, if missing, and sets\n"
        "# %xmode Minimal: an error shows its type and message, not every frame\n"
        f'device = setup_chapter("{notebook}")["device"]'
    )


def as_lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("*.ipynb"))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    wrong = []
    for path in notebooks():
        nb = json.loads(path.read_text())
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        want = as_lines(first_cell_source(path.stem))
        if cell["source"] == want:
            continue
        wrong.append(path.name)
        if not args.check:
            cell["source"] = want
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    if args.check and wrong:
        print(f"first cells out of date: {', '.join(wrong)}; run `python scripts/first_cell.py`", file=sys.stderr)
        return 1
    print(f"{len(wrong)} first cells {'differ' if args.check else 'rewritten'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
