"""Pictures of attention: one head's attention weights as a heatmap with the tokens on both axes.

Defined in chapter 2 (``book/02b_the_model.ipynb``, "Hidden states and attention weights").

The lesson (asking a model for ``output_attentions=True`` and picking a layer and a head out of the
``(batch, heads, query, key)`` tensors it returns) stays in the notebook; this module only draws.
"""

from __future__ import annotations

import numpy as np


def attention_matrix(attentions, layer: int, head: int, example: int = 0, n_tokens: int | None = None) -> np.ndarray:
    """One head's ``(query, key)`` attention matrix as a NumPy array.

    ``attentions`` is what a model returns as ``outputs.attentions``: a tuple with one tensor (or array) of shape
    ``(batch, heads, query_len, key_len)`` per layer. ``n_tokens`` keeps the first ``n_tokens`` rows and columns
    (drop the padding of a batch). Negative ``layer``/``head`` count from the end, as in Python.

    Defined in chapter 2 (``book/02b_the_model.ipynb``, "Hidden states and attention weights").
    """
    if attentions is None or len(attentions) == 0:
        raise ValueError(
            "no attention weights: call the model with output_attentions=True and load it with "
            "attn_implementation='eager' (the default 'sdpa' kernel returns none)"
        )
    n_layers = len(attentions)
    if not -n_layers <= layer < n_layers:
        raise IndexError(f"layer {layer} out of range: the model returned {n_layers} layers of attention")
    weights = attentions[layer]
    if hasattr(weights, "detach"):  # a torch tensor
        weights = weights.detach().float().cpu().numpy()
    weights = np.asarray(weights)
    if weights.ndim != 4:
        raise ValueError(f"each layer's attention must have shape (batch, heads, query, key); got {weights.shape}")
    if not -weights.shape[1] <= head < weights.shape[1]:
        raise IndexError(f"head {head} out of range: layer {layer} has {weights.shape[1]} heads")
    if not -weights.shape[0] <= example < weights.shape[0]:
        raise IndexError(f"example {example} out of range: the batch has {weights.shape[0]} sequences")
    matrix = weights[example, head]
    if n_tokens is not None:
        matrix = matrix[:n_tokens, :n_tokens]
    return matrix


def plot_attention(matrix, tokens: list[str], ax=None, title: str | None = None, cmap: str = "viridis"):
    """Draw a ``(query, key)`` attention matrix with ``tokens`` on both axes; returns the matplotlib Axes.

    Rows are the tokens that attend (queries), columns the tokens attended to (keys); each row sums to 1.

    Defined in chapter 2 (``book/02b_the_model.ipynb``, "Hidden states and attention weights").
    """
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix.detach().cpu() if hasattr(matrix, "detach") else matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square (query, key) matrix; got shape {matrix.shape}")
    if len(tokens) != matrix.shape[0]:
        raise ValueError(f"{len(tokens)} tokens for a {matrix.shape[0]}x{matrix.shape[1]} matrix")
    if ax is None:
        size = max(3.0, 0.35 * len(tokens) + 1.5)
        _, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(matrix, cmap=cmap, vmin=0.0, vmax=max(float(matrix.max()), 1e-9))
    ax.set_xticks(range(len(tokens)), tokens, rotation=90)
    ax.set_yticks(range(len(tokens)), tokens)
    ax.set_xlabel("attended to (key)")
    ax.set_ylabel("attending (query)")
    ax.grid(False)
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def draw_masked_vs_causal(tr, masked_tokens: list[str], causal_tokens: list[str], mask_token: str = "[MASK]"):
    """Who may attend to whom: a masked LM's all-ones mask over its sentence (the mask token's row and column
    marked) beside a causal LM's lower-triangular mask over its prompt. Rows are the tokens that look, columns the
    tokens they may look at.

    Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Causal language modelling: predicting the next token").
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from .boxes import PALETTE

    if not masked_tokens or not causal_tokens:
        raise ValueError("both token lists must be non-empty")
    panels = [
        (masked_tokens, np.ones((len(masked_tokens),) * 2), tr("Masked LM: every token sees every token")),
        (causal_tokens, np.tril(np.ones((len(causal_tokens),) * 2)), tr("Causal LM: each token sees only the past")),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 4.0))
    for ax, (tokens, grid, title), colour in zip(axes, panels, ("blue", "orange")):
        ax.imshow(grid, cmap=ListedColormap(["#FFFFFF", PALETTE[colour][0]]), vmin=0, vmax=1)
        n = len(tokens)
        ax.set_xticks(range(n), tokens, rotation=90, fontsize=9, family="monospace")
        ax.set_yticks(range(n), tokens, fontsize=9, family="monospace")
        ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="#BBBBBB", lw=0.5)
        ax.tick_params(which="minor", length=0)
        ax.tick_params(axis="x", top=True, labeltop=True, bottom=False, labelbottom=False)
        for i, token in enumerate(tokens):
            if token == mask_token:
                ax.add_patch(plt.Rectangle((-0.5, i - 0.5), n, 1, fill=False, ec=PALETTE["red"][0], lw=2))
        ax.set_title(title, fontsize=10, y=-0.12, va="top")
    fig.tight_layout(w_pad=1.0)
    return fig


def draw_attention_heads(tr, panels: list[tuple[int, int, object]], tokens: list[str], n_layers: int):
    """Several heads' attention matrices side by side on ONE colour scale (0 to the largest weight of any panel),
    so their colours compare; ``panels`` holds ``(layer, head, matrix)`` with layer and head counted from 1.

    Defined in chapter 2 (``book/02b_the_model.ipynb``, "Hidden states and attention weights").
    """
    import matplotlib.pyplot as plt

    if not panels:
        raise ValueError("no panels to draw: pass (layer, head, matrix) for each head")
    matrices = []
    for _, _, matrix in panels:
        m = np.asarray(matrix.detach().cpu() if hasattr(matrix, "detach") else matrix, dtype=float)
        if m.ndim != 2 or m.shape != (len(tokens), len(tokens)):
            raise ValueError(f"each matrix must be {len(tokens)}x{len(tokens)} (one row per token); got {m.shape}")
        matrices.append(m)
    vmax = max(float(m.max()) for m in matrices) or 1e-9
    fig, axes = plt.subplots(1, len(panels), figsize=(6.8, 3.9), layout="constrained", squeeze=False)
    for ax, (layer, head, _), m in zip(axes[0], panels, matrices):
        image = ax.imshow(m, cmap="viridis", vmin=0.0, vmax=vmax)
        ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=9)
        ax.set_yticks(range(len(tokens)), tokens if ax is axes[0][0] else [""] * len(tokens), fontsize=9)
        ax.set_xlabel(tr("attended to (key)"), fontsize=9.5)
        ax.set_title(tr("layer {layer} of {n}, head {head}", layer=layer, n=n_layers, head=head), fontsize=10)
        ax.grid(False)
    axes[0][0].set_ylabel(tr("attending (query)"), fontsize=9.5)
    bar = fig.colorbar(image, ax=list(axes[0]), fraction=0.04, pad=0.02)
    bar.ax.tick_params(labelsize=9)
    bar.set_label(tr("attention weight"), fontsize=9.5)
    return fig
