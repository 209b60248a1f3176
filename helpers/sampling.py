"""Top-k and top-p (nucleus) filtering of next-token logits, before sampling one token.

Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Top-k and top-p filtering").

transformers 4.5 exported ``top_k_top_p_filtering``; it was deprecated in 4.x and is gone from
transformers 5, where the same work is done inside ``generate()`` by the logits processors
``TopKLogitsWarper`` and ``TopPLogitsWarper`` (``transformers.generation.logits_process``).
:func:`top_k_top_p_filtering` keeps the old signature and semantics, written out so a reader can see
every step; ``tests/test_sampling.py`` checks it against those two processors on many random logits.

Two differences from the 4.5 function, both deliberate:

* it never changes its input (the old one overwrote ``logits`` in place and returned the same tensor);
* bad arguments raise a ``ValueError``/``TypeError`` that says what was wrong (the old one silently did
  nothing for a negative ``top_k`` and filtered everything it could for ``top_p > 1``).
"""

from __future__ import annotations

import math
import numbers

__all__ = ["top_k_top_p_filtering"]


def _check_arguments(logits, top_k, top_p, min_tokens_to_keep):
    import torch

    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor, got {type(logits).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"logits must be a floating-point tensor, got dtype {logits.dtype}")
    if logits.dim() not in (1, 2):
        hint = (
            (" (for a causal LM's output of shape (batch, seq_len, vocab) take the last position: logits[:, -1, :])")
            if logits.dim() == 3
            else ""
        )
        raise ValueError(
            f"logits must have shape (vocab_size,) or (batch_size, vocab_size); "
            f"got {logits.dim()} dimensions {tuple(logits.shape)}{hint}"
        )
    if logits.shape[-1] == 0:
        raise ValueError("logits has an empty vocabulary dimension (size 0): nothing to filter")
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral):
        raise TypeError(f"top_k must be an int (0 = no top-k filtering), got {top_k!r}")
    if top_k < 0:
        raise ValueError(f"top_k must be >= 0 (0 = no top-k filtering), got {top_k}")
    if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real):
        raise TypeError(f"top_p must be a number in [0, 1] (1.0 = no top-p filtering), got {top_p!r}")
    if math.isnan(top_p) or not 0.0 <= top_p <= 1.0:
        raise ValueError(f"top_p must be in [0, 1] (1.0 = no top-p filtering), got {top_p}")
    if (
        isinstance(min_tokens_to_keep, bool)
        or not isinstance(min_tokens_to_keep, numbers.Integral)
        or min_tokens_to_keep < 1
    ):
        raise ValueError(f"min_tokens_to_keep must be an int >= 1, got {min_tokens_to_keep!r}")


def top_k_top_p_filtering(
    logits, top_k: int = 0, top_p: float = 1.0, filter_value: float = -math.inf, min_tokens_to_keep: int = 1
):
    """Filter a distribution of logits with top-k and/or nucleus (top-p) filtering.

    Args:
        logits: a float tensor of shape ``(vocab_size,)`` or ``(batch_size, vocab_size)`` (rows are
            filtered independently). It is not modified.
        top_k: keep only the ``top_k`` largest logits of each row (every logit equal to the k-th largest
            is kept too, so ties can keep more than ``top_k``). ``0`` switches top-k off; a ``top_k``
            larger than the vocabulary keeps everything.
        top_p: keep the smallest set of most probable tokens whose probabilities (softmax of the row,
            after top-k) add up to at least ``top_p``. ``1.0`` switches top-p off; ``0.0`` keeps only
            ``min_tokens_to_keep`` tokens.
        filter_value: the value written over filtered logits (``-inf``: probability 0 after softmax).
        min_tokens_to_keep: never keep fewer tokens than this per row (the most probable ones).

    Returns:
        A new tensor of the same shape, dtype and device as ``logits``.

    Top-k is applied first, then top-p, as ``generate()`` does with ``TopKLogitsWarper`` and
    ``TopPLogitsWarper``. Top-p is computed the way ``TopPLogitsWarper`` computes it (sort ascending, drop
    the tokens whose cumulative probability from the bottom is at most ``1 - top_p``), so both give the
    same answer even when a cumulative sum lands on the threshold up to float rounding.

    Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Top-k and top-p filtering").
    """
    import torch

    _check_arguments(logits, top_k, top_p, min_tokens_to_keep)
    squeeze = logits.dim() == 1
    scores = logits.unsqueeze(0) if squeeze else logits
    vocab_size = scores.shape[-1]

    if top_k == 0 and top_p >= 1.0:  # nothing to filter: still hand back a new tensor
        return logits.clone()

    if top_k > 0:
        k = min(max(int(top_k), min_tokens_to_keep), vocab_size)
        kth_largest = torch.topk(scores, k, dim=-1).values[..., -1:]  # (batch, 1)
        scores = scores.masked_fill(scores < kth_largest, filter_value)  # a new tensor: input untouched

    if top_p < 1.0:
        sorted_scores, sorted_indices = torch.sort(scores, dim=-1, descending=False, stable=True)
        cumulative = sorted_scores.softmax(dim=-1).cumsum(dim=-1)  # mass of this token and all less likely
        # the tokens whose own and lower-ranked mass is <= 1 - top_p lie outside the nucleus
        remove_sorted = cumulative <= (1.0 - top_p)
        remove_sorted[..., -min_tokens_to_keep:] = False  # the most probable ones always stay
        remove = torch.zeros_like(remove_sorted).scatter(-1, sorted_indices, remove_sorted)
        scores = scores.masked_fill(remove, filter_value)

    return scores.squeeze(0) if squeeze else scores
