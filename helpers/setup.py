"""The first cell of every chapter: ``setup_chapter("03_tokenizers")``.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").

It puts the process in offline mode (unless hub mode is on), seeds Python, NumPy and PyTorch, picks the
device, sets the plot style, quiets library logs, shortens tracebacks (``%xmode Minimal``) and prints one
line saying what matters for the chapter (library version, device, torch threads, mode, seed). The library
versions stay in the returned dict and in :func:`versions`. Given the chapter's name, it also builds the
zoo entries that chapter uses.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import random
import re
import sys
import warnings

from .checkpoints import HUB_SWITCH, hub_mode

OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
LIBRARIES = ("transformers", "tokenizers", "huggingface_hub", "datasets", "torch", "accelerate", "numpy")


def go_offline() -> list[str]:
    """Set the offline switches (before transformers is imported, or patched in if it already was).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline mode: the switches then and now").
    """
    return set_offline(True)


def go_online() -> list[str]:
    """Clear the offline switches again, in the environment and in the live constants of the imported libraries.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached"), where the chapter
    downloads from a local hub server and then goes offline again.
    """
    return set_offline(False)


def set_offline(on: bool) -> list[str]:
    """Turn offline mode on or off: the environment variables for libraries imported later, and the constants that
    ``huggingface_hub`` and ``datasets`` read from them at import time (patched when already imported).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    for var in OFFLINE_VARS:
        if on:
            os.environ[var] = "1"
        else:
            os.environ.pop(var, None)
    notes = []
    if "huggingface_hub" in sys.modules:  # the flag is read at import time: patch the live constant
        import huggingface_hub.constants as c

        c.HF_HUB_OFFLINE = on
        notes.append("huggingface_hub was already imported: patched its HF_HUB_OFFLINE constant")
    if "datasets" in sys.modules:
        import datasets.config

        datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = on
    return notes


def seed_everything(seed: int = 0) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators (CPU and CUDA).

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "A classification head: BertForSequenceClassification").
    """
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    import numpy as np
    import torch

    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds CUDA devices


def set_threads() -> int | None:
    """Apply ``$HFBOOK_THREADS`` (if set) to torch's CPU thread count and return it.

    ``make test`` runs two notebooks at once on two cores and sets it to 1: two processes with two threads each
    oversubscribe the cores and run several times slower than with one thread each.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    value = os.environ.get("HFBOOK_THREADS", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"HFBOOK_THREADS must be a positive integer, got {value!r}")
    import torch

    torch.set_num_threads(int(value))
    return int(value)


def pick_device() -> str:
    """``"cuda"`` when a GPU is usable, else ``"cpu"``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def quiet_logs() -> None:
    """Keep library chatter (not errors) and the libraries' own progress bars out of the book.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", category=FutureWarning)
    import datasets
    import huggingface_hub.utils
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    huggingface_hub.utils.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()


def text_progress_bars() -> bool:
    """In a non-interactive run (``HFBOOK_EXECUTING=1``: nbmake, the book build) make ``tqdm.auto`` print plain
    text bars to stderr instead of Jupyter widgets, which a static HTML page cannot show. Returns True if it did.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    if os.environ.get("HFBOOK_EXECUTING") != "1":
        return False
    import tqdm.auto
    import tqdm.std

    tqdm.auto.tqdm = tqdm.std.tqdm
    return True


def plot_style() -> None:
    """Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter")."""
    import matplotlib
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "figure.figsize": (7, 3.5),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )
    matplotlib.rcParams["savefig.bbox"] = "tight"


def versions() -> dict[str, str]:
    """The installed versions of the libraries the book uses (``"not installed"`` where one is missing), and Python's.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    found = {}
    for lib in LIBRARIES:
        try:
            found[lib] = importlib.import_module(lib).__version__
        except ImportError:
            found[lib] = "not installed"
    found["python"] = sys.version.split()[0]
    return found


def short_tracebacks() -> bool:
    """Under IPython (a notebook), show errors as ``%xmode Minimal`` does: the exception's type and message, no
    frames. Returns True if it did, False outside IPython (a plain ``python`` process keeps its tracebacks).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    with contextlib.redirect_stdout(io.StringIO()):  # the magic announces the mode: not worth a line
        shell.run_line_magic("xmode", "Minimal")
    shell.set_custom_exc((ImportError,), _short_import_error)
    return True


def without_path(message: str) -> str:
    """An ImportError's message without the file it names at its end, e.g. ``cannot import name 'AdamW' from
    'transformers' (…/transformers/__init__.py)`` → ``cannot import name 'AdamW' from
    'transformers'``: where the library lives on this machine teaches nothing.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    return re.sub(r" \((?:/|[A-Za-z]:\\)[^()]*\)$", "", message)


def _short_import_error(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """IPython's handler for ImportError: shows the error, one line, as the cell's error output."""
    message = without_path(str(value))
    stb = [f"\x1b[31m{etype.__name__}\x1b[39m: {message}"]
    shell._showtraceback(etype, message, stb)
    return stb


def summary_line(facts: dict) -> str:
    """The one line ``setup_chapter()`` prints, from its facts: e.g.
    ``transformers 5.24.0 · cpu · 1 torch thread · offline, local zoo · seed 0``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    device = facts["device"]
    if facts.get("gpu"):
        device = f"{device} ({facts['gpu']})"
    threads = facts["threads"]
    parts = [
        f"transformers {facts['versions'].get('transformers', '?')}",
        device,
        f"{threads} torch thread" + ("" if threads == 1 else "s"),
        f"hub mode ({HUB_SWITCH}=1)" if facts["hub"] else "offline, local zoo",
        f"seed {facts['seed']}",
    ]
    return " · ".join(parts)


def setup_chapter(chapter: str | None = None, seed: int = 0, quiet: bool = True) -> dict:
    """Prepare a notebook and print one line saying what matters. Returns the facts as a dict (device, gpu,
    threads, seed, hub, versions, short_tracebacks, notes).

    ``chapter`` (the notebook's name, e.g. ``"03_tokenizers"``) also builds the zoo entries that chapter uses
    when they are missing (``helpers/chapters.py`` lists them), with a progress bar and the minutes it expects.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """
    hub = hub_mode()
    notes = [] if hub else go_offline()
    seed_everything(seed)
    set_threads()
    device = pick_device()
    if quiet:
        quiet_logs()
    plot_style()
    text_bars = text_progress_bars()
    import torch

    facts = ChapterSetup(
        device=device,
        gpu=torch.cuda.get_device_name(0) if device == "cuda" else None,
        threads=torch.get_num_threads(),
        seed=seed,
        hub=hub,
        versions=versions(),
        short_tracebacks=short_tracebacks(),
        text_progress_bars=text_bars,
        notes=notes,
    )
    print(summary_line(facts))
    if chapter is not None:
        from .chapters import build_chapter_zoo, check_extras

        check_extras(chapter)
        build_chapter_zoo(chapter, hub=hub)
    return facts


class ChapterSetup(dict):
    """What ``setup_chapter()`` did (device, threads, seed, hub, versions, ...): a dict that Jupyter does not echo.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
    """

    def _ipython_display_(self) -> None:  # the printed summary already said it all
        pass
