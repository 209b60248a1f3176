"""Which kernel multiplies one row by a bfloat16 matrix on a CPU: ``choose_one_row_kernel(model)``.

Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").

Generating text runs the model once per new token, and with one sequence that pass multiplies a single row (the
new token's vector) by every weight matrix: a matrix-vector product, which does little arithmetic and mostly
streams the weights from memory. On a CPU, PyTorch hands bfloat16 matrix products to oneDNN, which is many times
faster than PyTorch's own kernels for the many rows of a prompt or a batch; for a single row, PyTorch's own
matrix-vector kernel (float32 accumulation, like oneDNN) can be the faster one, depending on the processor.
:func:`choose_one_row_kernel` times both on the model's largest matrix and, only if PyTorch's own is faster by
:data:`MARGIN`, turns oneDNN off for the model's one-row passes (a forward pre-hook; a forward hook that always
runs restores the setting). Every other pass, and every other model, is left as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch

MARGIN = 1.25  # switch only when PyTorch's own kernel is at least this many times faster
REPEATS = 3  # products timed per kernel (the best one counts)
ONEDNN = "oneDNN"
NATIVE = "PyTorch's own"
UNCHANGED = "unchanged"


@dataclass
class KernelChoice:
    """What :func:`choose_one_row_kernel` measured and chose; ``remove()`` undoes the choice.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").
    """

    kernel: str  # what one-row passes use from now on: ONEDNN, NATIVE, or UNCHANGED (nothing was timed)
    onednn_ms: float | None = None  # one product with the model's largest matrix; None when nothing was timed
    native_ms: float | None = None
    reason: str = ""
    _handles: list = field(default_factory=list, repr=False)

    def remove(self) -> None:
        """Take the hooks off: one-row passes use oneDNN again."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        if self.kernel == NATIVE:
            self.kernel = ONEDNN

    def __str__(self) -> str:
        if self.onednn_ms is None:
            return f"one-row products: kernel unchanged ({self.reason})"
        return (
            f"one row × the largest matrix: {ONEDNN} {self.onednn_ms:.1f} ms, {NATIVE} {self.native_ms:.1f} ms\n"
            f"one-token steps use: {self.kernel} kernel"
        )


def _largest_weight(model: torch.nn.Module) -> torch.Tensor | None:
    weights = [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear)]
    return max(weights, key=torch.Tensor.numel, default=None)


@contextmanager
def onednn_enabled(enabled: bool) -> Iterator[None]:
    """oneDNN on or off for CPU matrix products inside the ``with`` block, and back as it was afterwards.

    (Not ``torch.backends.mkldnn.flags()``, which also re-sets TF32 and warns about Intel GPUs.)
    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").
    """
    previous = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = enabled
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = previous


def time_one_row_product(weight: torch.Tensor, onednn: bool, repeats: int = REPEATS) -> float:
    """Milliseconds for one product of a single row with ``weight`` (the best of ``repeats``), oneDNN on or off.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").
    """
    row = torch.ones(1, weight.shape[1], dtype=weight.dtype, device=weight.device)
    best = float("inf")
    with torch.no_grad(), onednn_enabled(onednn):
        torch.nn.functional.linear(row, weight)  # a first call may set up the kernel
        for _ in range(repeats):
            start = time.perf_counter()
            torch.nn.functional.linear(row, weight)
            best = min(best, time.perf_counter() - start)
    return best * 1000


def _rows(args: tuple, kwargs: dict) -> int | None:
    ids = kwargs.get("input_ids", args[0] if args else None)
    return ids.numel() if isinstance(ids, torch.Tensor) else None


def choose_one_row_kernel(model: torch.nn.Module) -> KernelChoice:
    """Time one row × the model's largest matrix with oneDNN and with PyTorch's own kernel; if PyTorch's own is
    :data:`MARGIN` times faster, use it for every forward pass of ``model`` on one token of one sequence.

    Only bfloat16 models on a CPU are timed (on a GPU, and in float32, oneDNN is not what multiplies).
    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").
    """
    weight = _largest_weight(model)
    if weight is None:
        return KernelChoice(UNCHANGED, reason="the model has no linear layer")
    if weight.device.type != "cpu" or weight.dtype != torch.bfloat16:
        return KernelChoice(UNCHANGED, reason=f"{weight.dtype} on {weight.device.type}")
    onednn_ms = time_one_row_product(weight, onednn=True)
    native_ms = time_one_row_product(weight, onednn=False)
    choice = KernelChoice(ONEDNN, onednn_ms, native_ms)
    if native_ms * MARGIN > onednn_ms:
        return choice
    previous = []

    def before(module, args, kwargs):
        previous.append(torch.backends.mkldnn.enabled)
        if _rows(args, kwargs) == 1:
            torch.backends.mkldnn.enabled = False

    def after(module, args, output):
        torch.backends.mkldnn.enabled = previous.pop()

    choice._handles = [
        model.register_forward_pre_hook(before, with_kwargs=True),
        model.register_forward_hook(after, always_call=True),
    ]
    choice.kernel = NATIVE
    return choice
