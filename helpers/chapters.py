"""What each chapter needs: the zoo entries it loads and the optional packages it imports, in one table.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").

``setup_chapter("03_tokenizers")`` (the first cell of every chapter) builds the entries its row lists, with their
dependencies, when they are missing, so a reader who opens one chapter waits for that chapter's models only. The
chapter's first cell on Colab installs this package with the extras its row lists
(``pip install "hfbook-helpers[keras] @ git+..."``; the extras are in ``pyproject.toml``).
``tests/test_chapters.py`` checks each row against what the notebook really calls (``checkpoint("...")``,
``load_sentences(...)``, ``entry_dir("...")``, the helper modules and scripts it uses) and imports.

To add a zoo entry that a chapter uses: register it in ``helpers/zoo``, add its name to the chapter's ``zoo`` below
(the test names the chapters that use it) and its build time to ``BUILD_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    """Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter")."""

    notebook: str  # book/<notebook>.ipynb
    zoo: tuple[str, ...]  # the zoo entries it loads (their dependencies are built with them)
    extras: tuple[str, ...] = ()  # optional dependencies (pyproject.toml extras) it imports or builds with
    lists_the_zoo: bool = False  # it also shows whatever else is built (names a scan of its code cannot see)
    exports: tuple[str, ...] = ()  # entries it serves from a hub of its own: needed in hub mode too
    seconds: int = 30  # about how long nbmake executes it on 2 cores (`make notebooks` starts the longest first)


CHAPTERS: dict[str, Chapter] = {
    c.notebook: c
    for c in [
        Chapter(
            "01_installation_and_caching",
            ("minilm", "bert-base-cased-tokenizer", "sentences", "smollm2"),
            lists_the_zoo=True,
            exports=("minilm", "bert-base-cased-tokenizer"),
        ),
        Chapter("02_pipelines", ("sentiment", "sentences")),
        Chapter("02b_the_model", ("minilm", "sentiment")),
        Chapter(
            "03_tokenizers",
            (
                "minilm",
                "bert-base-cased-tokenizer",
                "bert-base-chinese-tokenizer",
                "bert-multilingual-cased-tokenizer",
                "smollm2",
            ),
        ),
        Chapter("04_model_inputs", ("minilm", "bert-base-cased-tokenizer", "smollm2")),
        Chapter("05_classification_and_qa", ("minilm", "sentiment", "qa", "instruct"), extras=("spacy",), seconds=40),
        Chapter("06_language_modelling", ("sentences", "fill-mask", "smollm2", "instruct"), seconds=50),
        Chapter("07_ner", ("sentences", "ner"), extras=("spacy", "sklearn")),
        Chapter("08_summarization_translation", ("instruct",), seconds=130),
        Chapter("09_model_families", ("minilm", "smollm2"), lists_the_zoo=True),
        Chapter("10_finetune_pytorch", ("minilm", "sentences", "smollm2"), extras=("sklearn",), seconds=150),
        Chapter("11_finetune_keras", ("minilm", "sentences"), extras=("keras",), seconds=150),
        Chapter("12_trainer", ("minilm", "sentences"), extras=("sklearn",), seconds=130),
        Chapter("13_scaling_out", ("minilm", "sentences"), seconds=120),
        Chapter("appendix_migration", ("minilm", "smollm2")),
    ]
}

# Seconds each entry takes to build on 2 CPU cores with one torch thread (its `build_seconds` in a manifest of a
# full `make zoo` from empty, rounded up; measured on a 2-core AMD EPYC with AVX512-BF16 and no AMX), for the estimate
# a chapter prints before it builds and for the order in which a parallel build starts the entries.
BUILD_SECONDS: dict[str, int] = {
    "minilm": 10,
    "bert-base-cased-tokenizer": 10,
    "bert-base-chinese-tokenizer": 10,
    "bert-multilingual-cased-tokenizer": 10,
    "smollm2": 30,
    "sentences": 10,
    "sentiment": 160,
    "ner": 280,
    "qa": 200,
    "fill-mask": 540,
    "smollm2-perplexity": 40,
    "instruct": 75,
}
UNKNOWN_SECONDS = 120  # an entry missing from the table above
REPO = "hfbook/transformers-hands-on"  # where the package is installed from (a fork: see the README)
# The module that tells whether an extra of pyproject.toml is installed.
EXTRA_MODULES = {"keras": "keras_hub", "sklearn": "sklearn", "spacy": "spacy"}


def chapter(notebook: str) -> Chapter:
    """Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter")."""
    try:
        return CHAPTERS[notebook]
    except KeyError:
        raise KeyError(f"unknown chapter {notebook!r}; known: {', '.join(CHAPTERS)} (helpers/chapters.py)") from None


def check_extras(notebook: str) -> None:
    """Fail early, saying what to install, when an optional package the chapter needs is missing.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    import importlib.util

    row = chapter(notebook)
    missing = [e for e in row.extras if importlib.util.find_spec(EXTRA_MODULES.get(e, e)) is None]
    if missing:
        extras = ",".join(row.extras)
        raise ImportError(
            f"{notebook} needs the optional packages [{', '.join(missing)}]: install them with "
            f'`pip install "hfbook-helpers[{extras}] @ git+https://github.com/{REPO}"` (in a clone: '
            f'`pip install -e ".[{extras}]"`; `make venv` installs everything)'
        )


def entries_for(notebook: str, hub: bool = False) -> list[str]:
    """The zoo entries a chapter needs, dependencies first. In hub mode only data entries (the models come from
    the hub) and those the chapter exports to a hub of its own (chapter 1).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    from .zoo import REGISTRY
    from .zoo.core import _order

    row = chapter(notebook)
    names = _order(list(row.zoo))
    return [n for n in names if REGISTRY[n].kind == "data" or n in row.exports] if hub else names


def expected_seconds(names: list[str]) -> int:
    """Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter")."""
    return sum(BUILD_SECONDS.get(n, UNKNOWN_SECONDS) for n in names)


def build_chapter_zoo(notebook: str, hub: bool = False, jobs: int = 2, log=print) -> list[str]:
    """Build the entries a chapter needs that are missing, two at a time in worker processes, with a progress bar
    and the minutes it expects; return the names it built. Prints one line when everything is there.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    from tqdm.auto import tqdm

    from .zoo import build, is_built, read_manifest

    names = entries_for(notebook, hub)
    manifest = read_manifest()
    missing = [n for n in names if not is_built(n, manifest)]
    if not missing:
        log(f"Zoo: this chapter uses {', '.join(names) or 'no zoo entries'}; all built.")
        return []
    minutes = max(1, round(expected_seconds(missing) / 60))
    what = "the entry" if len(missing) == 1 else f"the {len(missing)} entries"
    log(
        f"Zoo: building {what} this chapter needs ({', '.join(missing)}); about {minutes} min on 2 CPU cores, once "
        "(the zoo keeps them) ..."
    )
    bar = tqdm(
        total=expected_seconds(missing),
        unit="s",
        desc="zoo",
        bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s expected [{elapsed}{postfix}]",
    )

    def done(name: str) -> None:
        if name in missing:
            bar.update(BUILD_SECONDS.get(name, UNKNOWN_SECONDS))
            bar.set_postfix_str(f"built {name}")

    try:  # worker processes (one torch thread each, like `make zoo`): the kernel's own state stays untouched
        build(names, jobs=max(2, jobs), quiet_workers=True, on_built=done, log=lambda *a: None, seconds=BUILD_SECONDS)
    finally:
        bar.close()
    return missing


def reader_extras() -> list[str]:
    """Every extra some chapter needs (what Binder, which serves every chapter from one image, installs).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    return sorted({e for c in CHAPTERS.values() for e in c.extras})
