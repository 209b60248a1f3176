"""What a model is made of and what flows through it, drawn from a chapter's own tensors: the pipeline's stages
with the real ids, logits and probabilities; body and head with which weights were loaded, newly initialised or
resized; the hidden states as the embedding output plus one per layer.

Defined in chapter 2 (``book/02_pipelines.ipynb``, "From logits to the pipeline's scores").
"""

from __future__ import annotations

from collections import OrderedDict

from .boxes import PALETTE, arrow, box, canvas

ROW = 0.36  # height of one line of text inside a box, in canvas units (a canvas is 10 units wide)


def _shape(rows: list) -> tuple:
    shape = []
    while isinstance(rows, (list, tuple)):
        shape.append(len(rows))
        rows = rows[0] if rows else None
    return tuple(shape)


def _stage(ax, y: float, title: str, lines: list[str], color: str, colors: list[str] | None = None) -> float:
    """A box whose top is at ``y``: a bold title line, then ``lines`` in monospace; returns its bottom."""
    height = 0.2 + ROW * (1 + len(lines))
    box(ax, 0.2, y - height, 9.6, height, "", color=color)
    ax.text(0.45, y - 0.1 - ROW / 2, title, ha="left", va="center", fontsize=10, weight="bold")
    for i, line in enumerate(lines):
        ax.text(
            0.45,
            y - 0.1 - ROW * (i + 1.5),
            line,
            ha="left",
            va="center",
            fontsize=9.5,
            family="monospace",
            color=(colors[i] if colors else "black"),
        )
    return y - height


def draw_pipeline(
    tr,
    sentences: list[str],
    input_ids: list[list[int]],
    attention_mask: list[list[int]],
    logits: list[list[float]],
    probabilities: list[list[float]],
    id2label: dict,
    model_class: str = "the model",
):
    """The text-classification pipeline's stages on a batch: text → ``input_ids`` → logits → softmax → label,
    each with its real shape and values.

    Defined in chapter 2 (``book/02_pipelines.ipynb``, "From logits to the pipeline's scores").
    """
    n = len(sentences)
    if not n or not (len(input_ids) == len(attention_mask) == len(logits) == len(probabilities) == n):
        raise ValueError(
            f"one row per sentence is needed: {n} sentences, {len(input_ids)} rows of ids, {len(logits)} of logits, "
            f"{len(probabilities)} of probabilities"
        )
    labels = [id2label.get(i, id2label.get(str(i), str(i))) for i in range(len(logits[0]))]
    gap = 0.75
    heights = [0.2 + ROW * (1 + k) for k in (n, n + 1, n, n, n)]
    total = sum(heights) + gap * 4 + 0.3
    fig, ax = canvas(10, total)
    y = total - 0.15

    def step(y, text):
        arrow(ax, (5, y), (5, y - gap))
        ax.text(5.25, y - gap / 2, text, ha="left", va="center", fontsize=10, color=PALETTE["grey"][0])
        return y - gap

    # characters beyond the fonts (an emoji) written as their code point: the text as it is, readable
    shown = ["".join(c if ord(c) <= 0xFFFF else f"<U+{ord(c):X}>" for c in repr(s)) for s in sentences]
    y = _stage(ax, y, tr("text: {n} sentences", n=n), shown, "grey")
    y = step(y, tr("tokenizer (padding=True)"))
    pads = sum(row.count(0) for row in attention_mask)
    ids = [" ".join(str(i) for i in row) for row in input_ids]
    note = tr("attention_mask: 0 marks the {pads} padding positions", pads=pads)
    y = _stage(
        ax,
        y,
        f"input_ids {_shape(input_ids)}",
        [*ids, note],
        "green",
        ["black"] * n + [PALETTE["grey"][0]],
    )
    y = step(y, tr("model: {name}", name=model_class))
    y = _stage(
        ax,
        y,
        tr("logits {shape}: one score per label", shape=_shape(logits)),
        ["  ".join(f"{v:+7.3f}" for v in row) for row in logits],
        "blue",
    )
    y = step(y, tr("softmax over each row"))
    y = _stage(
        ax,
        y,
        tr("probabilities {shape}: each row sums to 1", shape=_shape(probabilities)),
        ["  ".join(f"{label} {p:.4f}" for label, p in zip(labels, row)) for row in probabilities],
        "orange",
    )
    y = step(y, tr("the largest, named by id2label"))
    best = [max(range(len(row)), key=row.__getitem__) for row in probabilities]
    _stage(
        ax,
        y,
        tr("labels"),
        [f"{labels[b]:10} {row[b]:.4f}" for b, row in zip(best, probabilities)],
        "purple",
    )
    return fig


def parameter_groups(model, loading_info: dict, depth: int = 2) -> list[tuple[str, int, str]]:
    """The model's parameters grouped by the first ``depth`` parts of their names (``bert.embeddings``,
    ``bert.encoder``, ``classifier``, …), each with its count and what ``from_pretrained`` did with it:
    ``"loaded"``, ``"new"`` (missing from the checkpoint, newly initialised) or ``"resized"`` (in the checkpoint
    with another shape, replaced).

    Defined in chapter 2 (``book/02b_the_model.ipynb``, "A new head on a pretrained body").
    """
    for key in ("missing_keys", "mismatched_keys"):
        if key not in loading_info:
            raise ValueError(f"the loading report has no {key!r}: load with output_loading_info=True")
    missing = set(loading_info["missing_keys"])
    resized = {m[0] if isinstance(m, (list, tuple)) else m for m in loading_info["mismatched_keys"]}
    groups: OrderedDict[str, list] = OrderedDict()
    for name, parameter in model.named_parameters():
        group = ".".join(name.rsplit(".", 1)[0].split(".")[:depth])  # the module, without .weight/.bias
        status = "resized" if name in resized else "new" if name in missing else "loaded"
        count, statuses = groups.get(group, (0, set()))
        groups[group] = (count + parameter.numel(), statuses | {status})
    out = []
    for group, (count, statuses) in groups.items():
        status = "resized" if "resized" in statuses else "new" if "new" in statuses else "loaded"
        out.append((group, count, status))
    return out


STATUS_COLOR = {"loaded": "blue", "new": "orange", "resized": "red"}


def draw_body_head(tr, panels: list[tuple[str, int, list[tuple[str, int, str]]]], rows: dict | None = None):
    """Body and head side by side for each ``(checkpoint name, num_labels, parameter_groups(...))`` panel: every
    group a box, coloured by what ``from_pretrained`` did with it (loaded, newly initialised, resized), with its
    parameter count. ``rows`` may give a resized group's rows before and after, e.g. ``{"classifier": (2, 10)}``.

    Defined in chapter 2 (``book/02b_the_model.ipynb``, "A new head on a pretrained body").
    """
    if not panels or any(len(panel) != 3 or not panel[2] for panel in panels):
        raise ValueError("each panel is (checkpoint name, num_labels, parameter_groups(model, info))")
    rows = rows or {}
    step = 0.95
    height = 0.9 + max(len(groups) for _, _, groups in panels) * step
    fig, ax = canvas(10, height)
    width = 9.6 / len(panels)
    words = {"loaded": tr("loaded"), "new": tr("newly initialised"), "resized": tr("resized, re-initialised")}
    for p, (name, n_labels, groups) in enumerate(panels):
        x = 0.2 + p * width
        title = tr("from {name}, num_labels={n}", name=name, n=n_labels)
        ax.text(x + width / 2, height - 0.3, title, ha="center", va="center", fontsize=10, weight="bold")
        for i, (group, count, status) in enumerate(groups):  # the body at the bottom, the head on top
            y = 0.15 + i * step
            box(ax, x + 0.1, y, width - 0.2, 0.8, "", color=STATUS_COLOR[status])
            ax.text(x + 0.25, y + 0.57, f"{group}", ha="left", va="center", fontsize=9.5, family="monospace")
            ax.text(x + width - 0.25, y + 0.57, f"{count:,}", ha="right", va="center", fontsize=9.5, family="monospace")
            extra = words[status]
            if status == "resized" and group in rows:
                extra += ": " + tr("{old} → {new} rows", old=rows[group][0], new=rows[group][1])
            ax.text(
                x + 0.25,
                y + 0.22,
                extra,
                ha="left",
                va="center",
                fontsize=9.5,
                weight="bold" if status != "loaded" else "normal",
            )
    return fig


def draw_hidden_states(tr, n_layers: int, hidden_shape: tuple, attention_shape: tuple, input_shape: tuple):
    """The encoder as a stack: the embeddings and each layer, with the hidden state each one outputs
    (``hidden_states[0]`` is the embedding output, ``hidden_states[i]`` the output of layer ``i``) and the
    attention weights each layer computes (``attentions[i - 1]``).

    Defined in chapter 2 (``book/02b_the_model.ipynb``, "Hidden states and attention weights").
    """
    if n_layers < 1:
        raise ValueError(f"a model has at least one layer, not {n_layers}")
    row = 0.62
    height = 1.8 + (n_layers + 2) * row
    fig, ax = canvas(10, height)
    top = height - 0.3
    ax.text(1.7, top, tr("module"), ha="center", va="center", fontsize=10, weight="bold")
    for x, name, count, shape in [
        (5.25, "hidden_states", n_layers + 1, hidden_shape),
        (8.45, "attentions", n_layers, attention_shape),
    ]:
        ax.text(x, top, name, ha="center", va="center", fontsize=10, weight="bold", family="monospace")
        ax.text(x, top - 0.35, f"{count} × {tuple(shape)}", ha="center", va="center", fontsize=9.5, family="monospace")
    y = top - 0.85
    box(ax, 0.2, y - 0.22, 3.0, 0.44, f"input_ids {tuple(input_shape)}", color="grey", family="monospace", size=9.5)
    for i in range(n_layers + 1):
        y -= row
        arrow(ax, (1.7, y + row - 0.22), (1.7, y + 0.22))
        name = tr("embeddings") if i == 0 else tr("layer {i}", i=i)
        box(ax, 0.2, y - 0.22, 3.0, 0.44, name, color="blue" if i else "purple", size=10)
        arrow(ax, (3.2, y), (3.8, y), color="green")
        box(ax, 3.8, y - 0.22, 2.9, 0.44, f"hidden_states[{i}]", color="green", family="monospace", size=9.5)
        if i:
            arrow(ax, (6.7, y), (7.1, y), color="orange")
            box(ax, 7.1, y - 0.22, 2.7, 0.44, f"attentions[{i - 1}]", color="orange", family="monospace", size=9.5)
    ax.text(
        5,
        0.3,
        tr("hidden_states[0] is the embedding output; hidden_states[{n}] is the encoder's output", n=n_layers),
        ha="center",
        va="center",
        fontsize=9.5,
        color=PALETTE["grey"][0],
    )
    return fig
