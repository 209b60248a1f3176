"""The first cell of every chapter: ``setup_chapter("03_tokenizers")``.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").

It puts the process in offline mode (unless hub mode is on), seeds Python, NumPy and PyTorch, picks the
device, sets the plot style, quiets library logs, and prints a summary of all of it, so nothing it does
is hidden from the reader. Given the chapter's name, it also builds the zoo entries that chapter uses.
"""

from __future__ import annotations

import importlib
import os
import random
import sys
import warnings

from .checkpoints import HUB_SWITCH, hub_mode

OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
LIBRARIES = ("transformers", "tokenizers", "huggingface_hub", "datasets", "torch", "accelerate", "numpy")


def go_offline() -> list[str]:
    """Set the offline switches (before transformers is imported, or patched in if it already was)."""
    return set_offline(True)


def go_online() -> list[str]:
    """Clear the offline switches again, in the environment and in the live constants of the imported libraries.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached"), where the chapter
    downloads from a local hub server and then goes offline again.
    """
    return set_offline(False)


def set_offline(on: bool) -> list[str]:
    """Turn offline mode on or off: the environment variables for libraries imported later, and the constants that
    ``huggingface_hub`` and ``datasets`` read from them at import time (patched when already imported)."""
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
    """Seed Python's, NumPy's and PyTorch's random generators (CPU and CUDA)."""
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
    """``"cuda"`` when a GPU is usable, else ``"cpu"``."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def quiet_logs() -> None:
    """Keep library chatter (not errors) and the libraries' own progress bars out of the book."""
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
    text bars to stderr instead of Jupyter widgets, which a static HTML page cannot show. Returns True if it did."""
    if os.environ.get("HFBOOK_EXECUTING") != "1":
        return False
    import tqdm.auto
    import tqdm.std

    tqdm.auto.tqdm = tqdm.std.tqdm
    return True


def plot_style() -> None:
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


def setup_chapter(chapter: str | None = None, seed: int = 0, quiet: bool = True) -> dict:
    """Prepare a notebook and print what was done. Returns the facts as a dict (device, seed, hub, versions).

    ``chapter`` (the notebook's name, e.g. ``"03_tokenizers"``) also builds the zoo entries that chapter uses
    when they are missing (``helpers/chapters.py`` lists them), with a progress bar and the minutes it expects.
    """
    hub = hub_mode()
    notes = [] if hub else go_offline()
    seed_everything(seed)
    threads = set_threads()
    device = pick_device()
    if quiet:
        quiet_logs()
    plot_style()
    text_bars = text_progress_bars()
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = importlib.import_module(lib).__version__
        except ImportError:
            versions[lib] = "not installed"
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"Python {sys.version.split()[0]}")
    if device == "cuda":
        import torch

        print(f"Device: cuda ({torch.cuda.get_device_name(0)})")
    else:
        print("Device: cpu — no GPU found; everything here runs on CPU (a GPU only makes training faster).")
    if threads:
        print(f"CPU threads for torch: {threads} (HFBOOK_THREADS)")
    if hub:
        print(f"Mode: hub ({HUB_SWITCH}=1) — the seed's checkpoints are downloaded from the Hugging Face hub.")
    else:
        print(
            f"Mode: offline — {', '.join(v + '=1' for v in OFFLINE_VARS)}; models come from the local zoo "
            f"(set {HUB_SWITCH}=1 for the seed's hub checkpoints)."
        )
    print(
        f"Seeded Python, NumPy and PyTorch with {seed}; plot style set"
        + ("; library logs limited to errors and their progress bars off." if quiet else ".")
    )
    if text_bars:
        print("Progress bars: plain text on stderr (non-interactive run, HFBOOK_EXECUTING=1).")
    for note in notes:
        print("Note: " + note)
    if chapter is not None:
        from .chapters import build_chapter_zoo, check_extras

        check_extras(chapter)
        build_chapter_zoo(chapter, hub=hub)
    return ChapterSetup(device=device, seed=seed, hub=hub, versions=versions)


class ChapterSetup(dict):
    """What ``setup_chapter()`` did (device, seed, hub, versions): a dict that Jupyter does not echo."""

    def _ipython_display_(self) -> None:  # the printed summary already said it all
        pass
