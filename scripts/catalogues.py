"""The Chinese edition's message catalogues: extract them from the book, update them, check they are complete.

Sphinx's ``gettext`` builder cuts every page into messages (one per paragraph, heading, list item or table cell;
in a notebook, one per markdown block, as raw MyST). The translations live in
``locale/<lang>/LC_MESSAGES/book/<page>.po``, one catalogue per page, and the zh build reads them
(``language = zh_CN``).

``catalogues.py update [--lang zh_CN]`` extracts the messages from the book as it is now and merges them into the
catalogues with ``sphinx-intl``: a new message arrives untranslated, a changed one is marked fuzzy (with the old
translation as a starting point), a deleted one becomes obsolete (``#~``).
``catalogues.py check [--lang zh_CN]`` lists every problem that would make the edition incomplete or wrong (the
unit test ``tests/test_catalogues.py`` calls the same function): a message missing from a catalogue,
untranslated, fuzzy or obsolete, or a translation that changed what must stay as it is (inline code, roles,
link targets, glue keys).

Docstrings that autodoc pulls into the API page stay in English in both editions (they are the code's own
documentation): ``update`` leaves their messages out of the catalogues (listed, they would only count as
untranslated) and clears the header's fuzzy flag that a new catalogue starts with.

The labels of the book's figures (``tr("...")`` in ``helpers/`` and in the notebooks' code, see
``helpers/figures.py``) have a catalogue of their own, ``locale/<lang>/figures.po``: ``update`` adds a new label
untranslated and drops one no longer drawn; ``check`` lists every label untranslated, fuzzy or whose ``{fields}``
changed.
"""

from __future__ import annotations

import argparse
import datetime
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ("zh_CN",)
BIN = Path(sys.executable).parent  # jupyter-book and sphinx-intl of this environment


def stage(dest: Path) -> Path:
    """The book's sources staged as ``make book`` stages them (execution off), in ``dest``."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import stage_book

    with open(Path(tempfile.gettempdir()) / "hfbook-catalogues-stage.log", "w") as log:
        old, sys.stdout = sys.stdout, log
        try:
            stage_book.prepare(dest, everything=True)
        finally:
            sys.stdout = old
    return dest


def extract(work: Path) -> Path:
    """Run Sphinx's gettext builder over a staged copy of the book; return the folder of ``.pot`` templates."""
    site = stage(work / "site")
    out = work / "out"
    run = subprocess.run(
        [
            str(BIN / "jupyter-book"),
            "build",
            str(site),
            "--path-output",
            str(out),
            "--builder",
            "custom",
            "--custom-builder",
            "gettext",
            "-q",
        ],
        capture_output=True,
        text=True,
    )
    pot = out / "_build" / "gettext"
    if run.returncode != 0 or not pot.is_dir():
        raise SystemExit(f"the gettext build failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return pot


PAGE_SOURCES = (".md", ".ipynb")


def is_docstring(message) -> bool:
    """A message that autodoc took from a docstring (API page), not from a page of the book: stays in English.

    (Babel splits a location such as ``helpers/x.py:docstring of helpers.x:1`` at its spaces, so the test is
    that no location is a page's source.)
    """
    return bool(message.locations) and not any(path.endswith(PAGE_SOURCES) for path, _ in message.locations)


# What a translation must keep exactly: inline code, MyST roles with their targets, link targets, glue keys.
KEEP = [
    re.compile(r"`[^`]+`"),  # inline code, also the target part of {role}`...`
    re.compile(r"\{[\w:.-]+\}"),  # role names: {py:func}, {glue:text}, {ref}
    re.compile(r"\]\(([^)\s]+)\)"),  # link targets [text](target)
]


# {ref} and {doc} with a title of their own: the title is prose (translated), the role and target are kept.
PROSE_TITLED = re.compile(r"(\{(?:ref|doc)\})`[^`<]*<([^`>]+)>`")


def kept_parts(text: str) -> Counter:
    found: Counter = Counter(f"{role}<{target}>" for role, target in PROSE_TITLED.findall(text))
    text = PROSE_TITLED.sub(" ", text)
    for pattern in KEEP:
        found.update(pattern.findall(text))
    return found


def read(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def problems(pot_dir: Path, lang: str = "zh_CN") -> list[str]:
    """Every reason the ``lang`` edition is not complete: empty when each page is fully and soundly translated."""
    found: list[str] = []
    po_dir = LOCALE / lang / "LC_MESSAGES"
    for pot in sorted(pot_dir.rglob("*.pot")):
        page = pot.relative_to(pot_dir).with_suffix("")
        po_path = po_dir / page.with_suffix(".po")
        if not po_path.exists():
            found.append(f"{page}: no catalogue {po_path.relative_to(ROOT)} (run `make locale`)")
            continue
        template, catalogue = read(pot), read(po_path)
        for message in template:
            if not message.id or is_docstring(message):
                continue
            entry = catalogue.get(message.id)
            where = f"{page}: {str(message.id)[:70]!r}"
            if entry is None:
                found.append(f"{where} is missing (run `make locale`)")
            elif not entry.string:
                found.append(f"{where} is untranslated")
            elif entry.fuzzy:
                found.append(f"{where} is fuzzy: the English changed; check the translation, then drop the flag")
            elif kept_parts(entry.id) != kept_parts(entry.string):
                lost = kept_parts(entry.id) - kept_parts(entry.string)
                added = kept_parts(entry.string) - kept_parts(entry.id)
                found.append(f"{where}: code, roles or link targets changed (lost {dict(lost)}, added {dict(added)})")
        for old in catalogue.obsolete:
            found.append(f"{page}: obsolete message {str(old)[:70]!r} (delete it)")
    for po_path in sorted(po_dir.rglob("*.po")):
        if not (pot_dir / po_path.relative_to(po_dir).with_suffix(".pot")).exists():
            found.append(f"{po_path.relative_to(ROOT)}: no such page in the book any more (delete it)")
    return found


FIELD = re.compile(r"\{[^{}]*\}")


def labels_in(code: str) -> list[str]:
    """The figure labels in Python source: the first argument of each ``tr("...")`` call and the ``alt="..."`` of
    each ``show(...)`` call (``helpers.figures.show``), in order."""
    import ast

    found = []
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name == "tr" and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, node.args[0].value))
        if name == "show":
            found += [
                (k.value.lineno, k.value.value)
                for k in node.keywords
                if k.arg == "alt" and isinstance(k.value, ast.Constant)
            ]
    return [text for _, text in sorted(found, key=lambda hit: hit[0]) if isinstance(text, str)]


def figure_labels() -> list[str]:
    """Every figure label of the book (see ``labels_in``) in ``helpers/`` and in the notebooks' code cells, in order
    of first appearance."""
    import json

    labels: dict[str, None] = {}
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        labels.update(dict.fromkeys(labels_in(path.read_text(encoding="utf8"))))
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
                labels.update(dict.fromkeys(labels_in(code)))
    return list(labels)


def figure_catalogue_path(lang: str) -> Path:
    return LOCALE / lang / "figures.po"


def update_figures(lang: str) -> None:
    """Bring ``locale/<lang>/figures.po`` in line with the labels the book draws (translations kept)."""
    from babel.messages.catalog import Catalog

    path = figure_catalogue_path(lang)
    old = read(path) if path.exists() else Catalog(locale=lang)
    fixed = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)  # reruns write the same bytes
    new = Catalog(locale=lang, project="hfbook figures", fuzzy=False, creation_date=fixed, revision_date=fixed)
    for label in figure_labels():
        before = old.get(label)
        new.add(label, before.string if before else "", flags=before.flags if before else ())
    with path.open("wb") as f:
        write_po(f, new, width=0, omit_header=False)


def figure_problems(lang: str) -> list[str]:
    """Every figure label of ``lang`` that is missing, untranslated, fuzzy, unused or lost a ``{field}``."""
    path = figure_catalogue_path(lang)
    where = path.relative_to(ROOT)
    labels = figure_labels()
    if not path.exists():
        return [f"{where}: no catalogue (run `make locale`)"] if labels else []
    catalogue = read(path)
    found = []
    for label in labels:
        entry = catalogue.get(label)
        if entry is None:
            found.append(f"{where}: {label!r} is missing (run `make locale`)")
        elif not entry.string:
            found.append(f"{where}: {label!r} is untranslated")
        elif entry.fuzzy:
            found.append(f"{where}: {label!r} is fuzzy: check the translation, then drop the flag")
        elif sorted(FIELD.findall(label)) != sorted(FIELD.findall(entry.string)):
            found.append(f"{where}: {label!r}: the translation's {{fields}} differ from the label's")
    for message in catalogue:
        if message.id and message.id not in labels:
            found.append(f"{where}: {str(message.id)[:70]!r} is drawn nowhere any more (run `make locale`)")
    return found


def update(pot_dir: Path, lang: str) -> None:
    subprocess.run(
        [str(BIN / "sphinx-intl"), "update", "-p", str(pot_dir), "-l", lang, "-d", str(LOCALE), "-w", "0"],
        check=True,
    )
    for po_path in sorted((LOCALE / lang / "LC_MESSAGES").rglob("*.po")):
        tidy(po_path)
    update_figures(lang)


def tidy(po_path: Path) -> None:
    """Leave the docstring messages (current and obsolete) out of a catalogue and clear its header's fuzzy flag;
    every other message stays as ``sphinx-intl`` left it."""
    catalogue = read(po_path)
    for message in [m for m in catalogue if m.id and is_docstring(m)]:
        del catalogue[message.id]
    for key in [k for k, m in catalogue.obsolete.items() if is_docstring(m)]:
        del catalogue.obsolete[key]
    catalogue.fuzzy = False
    with po_path.open("wb") as f:
        write_po(f, catalogue, width=0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["update", "check"])
    p.add_argument("--lang", default="zh_CN", choices=LANGUAGES)
    p.add_argument("--page", action="append", default=[], help="only these pages (e.g. book/03_tokenizers); repeatable")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="hfbook-gettext-") as work:
        pot_dir = extract(Path(work))
        if args.mode == "update":
            update(pot_dir, args.lang)
        found = problems(pot_dir, args.lang) + figure_problems(args.lang)
    if args.page:
        found = [line for line in found if any(line.startswith(f"{page}:") for page in args.page)]
    for line in found:
        print(line)
    print(f"{len(found)} problems in the {args.lang} catalogues")
    if args.mode == "check" and found:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
