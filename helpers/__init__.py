"""Helpers for the book "Hugging Face Transformers, hands-on" (one idea per module).

Each function's docstring names the chapter that introduces it. The package imports nothing heavy at
import time, so ``from helpers import setup_chapter`` can switch the offline mode on before
transformers is imported.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Setting up a chapter").
"""

from .checkpoints import CHECKPOINTS, checkpoint, checkpoint_table, hub_mode
from .setup import setup_chapter

__all__ = ["CHECKPOINTS", "checkpoint", "checkpoint_table", "hub_mode", "setup_chapter"]
