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
        # the k-th largest logit of each row: (batch, 1)
        kth_largest = torch.topk(scores, k, dim=-1).values[..., -1:]
        # a new tensor: the input stays untouched
        scores = scores.masked_fill(scores < kth_largest, filter_value)

    if top_p < 1.0:
        ascending, order = torch.sort(scores, dim=-1, stable=True)
        # the mass of each token and of all the less likely ones
        cumulative = ascending.softmax(dim=-1).cumsum(dim=-1)
        # tokens whose own and lower-ranked mass is <= 1 - top_p lie outside
        # the nucleus; the most likely min_tokens_to_keep always stay
        remove_sorted = cumulative <= (1.0 - top_p)
        remove_sorted[..., -min_tokens_to_keep:] = False
        remove = torch.zeros_like(remove_sorted).scatter(-1, order, remove_sorted)
        scores = scores.masked_fill(remove, filter_value)

    return scores.squeeze(0) if squeeze else scores


def draw_top_k_top_p(tr, tokens: list[str], probs, top_k: int, top_p: float, kept: int):
    """The most likely next tokens as bars, sorted, with the ``top_k`` cut and the ``top_p`` cut marked (``kept``:
    how many tokens survive both, as :func:`top_k_top_p_filtering` counts them), and below them the same tokens
    after filtering, renormalised.

    Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Top-k and top-p filtering").
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from .boxes import PALETTE

    probs = np.asarray(probs, dtype=float)
    if len(tokens) != len(probs) or not len(probs):
        raise ValueError(f"one probability per token is needed: got {len(tokens)} tokens, {len(probs)} values")
    if np.any(np.diff(probs) > 1e-12):
        raise ValueError("probs must be sorted from the most likely token down")
    if not 0 < kept <= min(top_k, len(probs)):
        raise ValueError(f"kept must be between 1 and top_k ({top_k}) and within the {len(probs)} tokens shown")
    x = np.arange(len(probs))
    colours = [
        PALETTE["green"][0] if i < kept else PALETTE["orange"][0] if i < top_k else PALETTE["grey"][1] for i in x
    ]
    after = np.where(x < kept, probs, 0.0)
    after = after / after.sum()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.8, 4.6), sharex=True, height_ratios=(1.2, 1))
    top.bar(x, probs, color=colours, edgecolor=[PALETTE["grey"][0]] * len(x), linewidth=0.5)
    for cut, colour in ((top_k, "orange"), (kept, "green")):
        top.axvline(cut - 0.5, color=PALETTE[colour][0], ls="--", lw=1.2)
    top.text(
        top_k - 0.3,
        probs.max() * 0.95,
        tr("top_k={k}: the {k} most likely", k=top_k),
        fontsize=9,
        color=PALETTE["orange"][0],
        va="top",
    )
    top.text(
        kept - 0.3,
        probs.max() * 0.72,
        tr("top_p={p}: {n} tokens reach {pct}", p=top_p, n=kept, pct=f"{top_p:.0%}"),
        fontsize=9,
        color=PALETTE["green"][0],
        va="top",
    )
    top.set_ylabel(tr("probability"), fontsize=10)
    top.set_title(tr("Before filtering"), fontsize=10)
    bottom.bar(x, after, color=[PALETTE["green"][0]] * len(x), edgecolor=PALETTE["grey"][0], linewidth=0.5)
    bottom.set_ylabel(tr("probability"), fontsize=10)
    bottom.set_title(tr("After filtering: the {n} survivors renormalised", n=kept), fontsize=10)
    bottom.set_xticks(x, tokens, rotation=70, ha="right", fontsize=9, family="monospace")
    for ax in (top, bottom):
        ax.tick_params(axis="y", labelsize=9)
        ax.set_xlim(-0.6, len(x) - 0.4)
    fig.tight_layout()
    return fig


def draw_sampling_loop(tr, prompt: str, steps: list[tuple[str, float]]):
    """The sample-and-append loop: one row per step, the text so far and the token drawn at that step (with its
    probability after filtering), above the cycle model → filter → softmax → sample → append.

    Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Sampling the next token, and the loop around it").
    """
    from .boxes import PALETTE, arrow, box, canvas

    if not steps:
        raise ValueError("steps is empty: pass (token, probability) for at least one generation step")
    width, char_w, tail = 6.8, 10 * 0.6 / 72, 44
    height = 1.45 + 0.42 * len(steps)
    fig, ax = canvas(width, height, inches=width)
    stages = [tr("model"), tr("last logits"), tr("filter"), tr("softmax"), tr("sample"), tr("append")]
    w = (width - 0.1 - 0.25 * (len(stages) - 1)) / len(stages)
    y0 = height - 0.55
    for i, stage in enumerate(stages):
        x = 0.05 + i * (w + 0.25)
        box(ax, x, y0, w, 0.4, stage, color="purple" if i == 4 else "blue", size=10)
        if i:
            arrow(ax, (x - 0.25, y0 + 0.2), (x, y0 + 0.2))
    ax.annotate(
        "",
        xy=(0.05 + w / 2, y0 - 0.02),
        xytext=(width - 0.05 - w / 2, y0 - 0.02),
        arrowprops={"arrowstyle": "-|>", "color": PALETTE["grey"][0], "lw": 1.2, "connectionstyle": "arc3,rad=-0.15"},
    )
    ax.text(width / 2, y0 - 0.66, tr("repeat with the longer text"), ha="center", fontsize=9, color="#555555")
    text = prompt
    y = y0 - 1.0
    for n, (token, p) in enumerate(steps, 1):
        shown = text if len(text) <= tail else "…" + text[-(tail - 1) :]
        ax.text(0.08, y, tr("step {n}", n=n), fontsize=9, va="center", color="#555555")
        x = 0.7
        ax.text(x, y, shown, fontsize=10, family="monospace", va="center")
        x += len(shown) * char_w + 0.06
        label = repr(token)
        box(ax, x, y - 0.15, len(label) * char_w + 0.12, 0.3, label, color="purple", family="monospace")
        ax.text(x + len(label) * char_w + 0.2, y, f"p={p:.2f}", fontsize=9, va="center", color="#555555")
        text += token
        y -= 0.42
    return fig
