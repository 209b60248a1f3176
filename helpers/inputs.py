"""Model inputs as pictures: where padding goes and what happens to the position ids, and how ``labels`` become
``decoder_input_ids``. Drawn from the chapter's own tokens and ids, one cell per position.

Defined in chapter 4 (``book/04_model_inputs.ipynb``, "Position IDs").
"""

from __future__ import annotations

FONT = 9  # points: 12 px in the book's column (figures are 6.8 in wide, shown unscaled)
WIDTH_IN = 6.8
LABEL_UNITS = 3.4  # width of the row labels, in cell widths


def _plain(value) -> list:
    """A tensor / array / list as a plain Python list."""
    return value.tolist() if hasattr(value, "tolist") else list(value)


def _fits(text: str, unit_pt: float, size: float = FONT) -> bool:
    """Whether ``text`` fits across one cell (an estimate: 0.7 em per character)."""
    return len(text) * 0.7 * size <= 0.92 * unit_pt


def _cell(ax, x, y, text, colour, h, unit_pt, faded=False):
    """One cell with its lower-left corner at (x, y); text across it, or upright when it is too long."""
    from matplotlib.patches import Rectangle

    from .boxes import PALETTE

    edge, fill = PALETTE[colour]
    ax.add_patch(
        Rectangle(
            (x + 0.04, y + 0.04),
            0.92,
            h - 0.08,
            facecolor="white" if faded else fill,
            edgecolor=edge,
            linewidth=1.0,
            linestyle=(0, (2, 2)) if faded else "-",
        )
    )
    lines = text.split("\n")
    upright = not all(_fits(line, unit_pt) for line in lines)
    ax.text(
        x + 0.5,
        y + h / 2,
        text,
        ha="center",
        va="center",
        fontsize=FONT,
        rotation=90 if upright else 0,
        color="#888888" if faded else "black",
        linespacing=1.3,
    )


def _label(ax, y, text, h=1.0, family=None):
    ax.text(LABEL_UNITS - 0.2, y + h / 2, text, ha="right", va="center", fontsize=FONT, family=family)


def draw_padding_sides(tr, right_tokens, right_mask, left_tokens, left_mask, left_from_mask):
    """One sentence padded on the right and on the left: its tokens (real ones blue, padding dashed) and the
    position ids each token gets. BERT numbers positions by their index, 0, 1, 2, … whatever the mask says, so
    left padding moves the real tokens to other positions; ``left_from_mask`` are the positions computed from the
    mask instead (``attention_mask.cumsum(-1) - 1``, what generation does for left-padded causal LMs).

    Defined in chapter 4 (``book/04_model_inputs.ipynb``, "Position IDs").
    """
    from .boxes import PALETTE, canvas

    rt, rm, lt, lm = (
        list(map(str, _plain(right_tokens))),
        [int(v) for v in _plain(right_mask)],
        list(map(str, _plain(left_tokens))),
        [int(v) for v in _plain(left_mask)],
    )
    from_mask = [int(v) for v in _plain(left_from_mask)]
    n = len(rt)
    if not n or not len(rm) == len(lt) == len(lm) == len(from_mask) == n:
        raise ValueError("both paddings must have one token, one mask value and one position per column")
    if any(v not in (0, 1) for v in rm + lm):
        raise ValueError("attention masks must contain only 0 and 1")
    width = LABEL_UNITS + n
    unit_pt = WIDTH_IN * 72 / width
    longest = max((len(t) for t in rt + lt if not _fits(t, unit_pt)), default=0)
    h = max(1.0, (longest * 0.7 * FONT + 8) / unit_pt)
    height = 2 * (h + 1.0) + 1.0 + 2.6
    fig, ax = canvas(width, height, inches=WIDTH_IN)
    blue = PALETTE["blue"][0]

    def numbers(y, values, mask, label, family="monospace"):
        for c, (v, m) in enumerate(zip(values, mask)):
            ax.text(
                LABEL_UNITS + c + 0.5,
                y + 0.5,
                str(v),
                ha="center",
                va="center",
                fontsize=FONT,
                color=blue if m else "#888888",
                weight="bold" if m else "normal",
            )
        _label(ax, y, label, family=family)

    y = height - 0.9
    ax.text(
        0.2,
        y + 0.4,
        tr("right padding (the tokenizer's default)"),
        ha="left",
        va="center",
        fontsize=FONT + 1,
        weight="bold",
    )
    y -= h
    for c, (t, m) in enumerate(zip(rt, rm)):
        _cell(ax, LABEL_UNITS + c, y, t, "blue" if m else "grey", h, unit_pt, faded=not m)
    _label(ax, y, tr("tokens"), h=h)
    y -= 1.0
    numbers(y, range(n), rm, "position_ids")
    y -= 1.3
    ax.text(
        0.2, y + 0.4, tr('left padding (padding_side="left")'), ha="left", va="center", fontsize=FONT + 1, weight="bold"
    )
    y -= h
    for c, (t, m) in enumerate(zip(lt, lm)):
        _cell(ax, LABEL_UNITS + c, y, t, "blue" if m else "grey", h, unit_pt, faded=not m)
    _label(ax, y, tr("tokens"), h=h)
    y -= 1.0
    numbers(y, range(n), lm, "position_ids")
    y -= 1.0
    numbers(y, [v if m else "·" for v, m in zip(from_mask, lm)], lm, tr("from the mask"), family=None)
    return fig


def draw_decoder_shift(tr, labels, decoder_input_ids, label_tokens, decoder_tokens, start_token_id: int):
    """``labels`` shifted one step to the right into ``decoder_input_ids``: for each example of the batch, the
    labels on top and the decoder inputs below, an arrow from label *t* to decoder input *t + 1*, the decoder
    start token in front and the ``-100`` of the padded labels turned into the pad id.

    Defined in chapter 4 (``book/04_model_inputs.ipynb``, "Decoder input IDs").
    """
    from .boxes import PALETTE, canvas

    lab = [[int(v) for v in row] for row in _plain(labels)]
    dec = [[int(v) for v in row] for row in _plain(decoder_input_ids)]
    ltok = [list(map(str, row)) for row in _plain(label_tokens)]
    dtok = [list(map(str, row)) for row in _plain(decoder_tokens)]
    shapes = {len(lab), len(dec), len(ltok), len(dtok)}
    if not lab or len(shapes) != 1 or {len(r) for r in lab + dec + ltok + dtok} != {len(lab[0])}:
        raise ValueError("labels, decoder_input_ids and their tokens must have the same (batch, length) shape")
    n = len(lab[0])
    width = LABEL_UNITS + n
    unit_pt = WIDTH_IN * 72 / width
    h = 1.4
    block = 2 * h + 1.0
    height = len(lab) * (block + 0.6) + 0.2 + 0.8
    fig, ax = canvas(width, height, inches=WIDTH_IN)
    grey = PALETTE["grey"][0]
    for r in range(len(lab)):
        top = height - 0.2 - r * (block + 0.6)
        y_lab = top - h
        y_dec = y_lab - 1.0 - h
        ax.text(0.2, top + 0.25, tr("example {r}", r=r), ha="left", va="center", fontsize=FONT, weight="bold")
        for c in range(n):
            v, t = lab[r][c], ltok[r][c]
            text = "-100" if v == -100 else f"{t}\n{v}"
            _cell(ax, LABEL_UNITS + c, y_lab, text, "grey" if v == -100 else "orange", h, unit_pt, faded=v == -100)
            d, dt = dec[r][c], dtok[r][c]
            colour = "green" if c == 0 else ("grey" if c > 0 and lab[r][c - 1] == -100 else "blue")
            _cell(ax, LABEL_UNITS + c, y_dec, f"{dt}\n{d}", colour, h, unit_pt, faded=colour == "grey")
            if c + 1 < n:
                ax.annotate(
                    "",
                    xy=(LABEL_UNITS + c + 1.5, y_dec + h - 0.02),
                    xytext=(LABEL_UNITS + c + 0.5, y_lab + 0.02),
                    arrowprops={"arrowstyle": "-|>", "color": grey, "lw": 1.0, "shrinkA": 1, "shrinkB": 1},
                )
        _label(ax, y_lab, "labels", h=h, family="monospace")
        _label(ax, y_dec, "decoder_input_ids", h=h, family="monospace")
    ax.text(
        0.2,
        0.4,
        tr("green: the decoder start token ({id}); dashed: padding (-100 in labels)", id=start_token_id),
        ha="left",
        va="center",
        fontsize=FONT,
    )
    return fig


def draw_chunking(tr, chunk_sizes, cpu_ms, peak_mib):
    """The trade of ``chunk_size_feed_forward``, measured: one point per chunk size, CPU time per forward pass
    against the peak of memory allocated during it, each point labelled with its chunk size (0: no chunking).

    Defined in chapter 4 (``book/04_model_inputs.ipynb``, "Feed-forward chunking").
    """
    import matplotlib.pyplot as plt

    from .boxes import PALETTE

    sizes = [int(c) for c in _plain(chunk_sizes)]
    times = [float(t) for t in _plain(cpu_ms)]
    peaks = [float(p) for p in _plain(peak_mib)]
    if not sizes or not len(sizes) == len(times) == len(peaks):
        raise ValueError("chunk_sizes, cpu_ms and peak_mib need one value per measurement")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(times, peaks, "o-", color=PALETTE["blue"][0])
    for size, t, p in zip(sizes, times, peaks):
        label = tr("no chunking") if size == 0 else str(size)
        ax.annotate(label, (t, p), xytext=(6, 4), textcoords="offset points", fontsize=FONT)
    ax.set_xlabel(tr("CPU time per forward pass (ms, one thread, best of 3)"), fontsize=FONT + 1)
    ax.set_ylabel(tr("peak allocated (MiB)"), fontsize=FONT + 1)
    ax.tick_params(labelsize=FONT)
    ax.margins(x=0.2, y=0.12)
    return fig
