"""Showing what a tokenizer did: a token table, and pictures of its output drawn from the real tokens — a padded
batch with its attention mask, a sentence pair with its token type ids, the truncation strategies side by side and
the overlapping windows of a long input.

Every picture is a row of cells, one per token, each labelled with its token as the tokenizer wrote it; the
drawing functions take the chapter's own tokens and masks (``figures.show`` draws them in both languages).

Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Batches: padding, truncation, tensors"); the padded batch is
drawn again in chapter 4 (``book/04_model_inputs.ipynb``, "Attention mask").
"""

from __future__ import annotations

TABLE_COLUMNS = ["token", "id", "sequence", "word_id", "offsets", "text", "special"]


def _plain_list(value) -> list:
    """A tensor / array / list as a plain (possibly nested) Python list."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return list(value)


def token_table(tokenizer, text, text_pair=None, **kwargs):
    """What ``tokenizer`` does to one input, as a ``pandas.DataFrame`` with one row per token.

    Columns: ``token`` (the vocabulary entry), ``id``, ``sequence`` (0 or 1 for the two parts of a pair,
    ``<NA>`` for tokens the tokenizer added), ``word_id`` (which word the token came from, ``<NA>``
    for added tokens), ``offsets`` (``(start, end)`` character span; for pre-tokenized input the span is
    inside that word), ``text`` (the characters that span covers) and ``special`` (the id is one of the
    tokenizer's special tokens, whether it added the token or it was written in the text).

    ``text`` (and ``text_pair``) is one string, or one list of words when ``is_split_into_words=True`` is
    passed; extra keyword arguments (``add_special_tokens``, ``truncation``, ``max_length``...) go to the
    tokenizer call. Needs a fast (Rust-backed) tokenizer, because only those report offsets and word ids.

    Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Offsets: which characters made each token").
    """
    import pandas as pd

    if not getattr(tokenizer, "is_fast", False):
        raise TypeError(
            f"token_table needs a fast tokenizer (offsets and word ids come from the Rust "
            f"tokenizers library); got {type(tokenizer).__name__} with is_fast=False"
        )
    split = bool(kwargs.get("is_split_into_words", False))
    for name, value in (("text", text), ("text_pair", text_pair)):
        if value is None and name == "text_pair":
            continue
        if split:
            if isinstance(value, str) or not all(isinstance(w, str) for w in value):
                raise TypeError(f"with is_split_into_words=True, {name} must be one list of words (str)")
        elif not isinstance(value, str):
            raise TypeError(
                f"{name} must be one string (for a batch, call token_table once per example); "
                f"got {type(value).__name__}"
            )
    for forbidden in ("return_tensors", "padding", "return_overflowing_tokens"):
        if kwargs.get(forbidden):
            raise ValueError(f"token_table shows a single encoding; drop {forbidden}=")
    enc = tokenizer(text, text_pair, return_offsets_mapping=True, **kwargs)
    ids = enc["input_ids"]
    tokens = enc.tokens()
    sequence_ids = enc.sequence_ids()
    word_ids = enc.word_ids()
    special_ids = set(tokenizer.all_special_ids)
    sources = (text, text_pair)
    rows = []
    for tok, tid, seq, wid, (start, end) in zip(tokens, ids, sequence_ids, word_ids, enc["offset_mapping"]):
        if seq is None:
            span = ""
        else:
            source = sources[seq]
            span = source[wid][start:end] if split else source[start:end]
        rows.append(
            {
                "token": tok,
                "id": int(tid),
                "sequence": seq,
                "word_id": wid,
                "offsets": (int(start), int(end)),
                "text": span,
                "special": int(tid) in special_ids,
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    # nullable integers: added tokens show <NA> instead of turning the whole column into floats
    return table.astype({"sequence": "Int64", "word_id": "Int64"})


# --------------------------------------------------------------------------------------------------- pictures
FONT = 9  # points: 12 px in the book's column (figures are at most 6.8 in wide, shown unscaled)
WIDTH_IN = 6.8
LABEL_UNITS = 3.2  # width of the row labels on the left, in cell widths


def _colours():
    from .boxes import PALETTE

    return PALETTE


def _check_rows(tokens, mask=None, name="tokens"):
    """Rows of token strings (and a 0/1 mask of the same shape), as plain lists."""
    rows = [list(map(str, row)) for row in _plain_list(tokens)]
    if not rows or not all(rows):
        raise ValueError(f"{name} must be a non-empty list of non-empty rows of tokens")
    if mask is not None:
        mask = [[int(v) for v in row] for row in _plain_list(mask)]
        if [len(r) for r in mask] != [len(r) for r in rows]:
            raise ValueError("the attention mask must have the shape of the tokens (one 0/1 per token)")
        if any(v not in (0, 1) for row in mask for v in row):
            raise ValueError("attention_mask must contain only 0 and 1")
    return rows, mask


def _grid(columns: int, rows: float, cell_h: float = 1.0):
    """A canvas ``LABEL_UNITS + columns`` cell widths wide, ``rows`` cell heights high; returns fig, ax, unit_pt."""
    from .boxes import canvas

    width = LABEL_UNITS + columns
    fig, ax = canvas(width, rows * cell_h, inches=WIDTH_IN)
    return fig, ax, WIDTH_IN * 72 / width


def _fits(text: str, unit_pt: float, size: float = FONT) -> bool:
    """Whether ``text`` fits across one cell (an estimate: 0.7 em per character)."""
    return len(text) * 0.7 * size <= 0.92 * unit_pt


def _cell(ax, x, y, text, colour="blue", h=1.0, unit_pt=30.0, faded=False, weight="normal", size=FONT):
    """One token cell with its lower-left corner at (x, y): ``text`` across it, or upright when it is too long."""
    from matplotlib.patches import Rectangle

    edge, fill = _colours()[colour]
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
    upright = not _fits(text, unit_pt, size)
    ax.text(
        x + 0.5,
        y + h / 2,
        text,
        ha="center",
        va="center",
        fontsize=size,
        rotation=90 if upright else 0,
        color="#888888" if faded else "black",
        weight=weight,
    )


def _row_label(ax, y, text, h=1.0, size=FONT, family=None):
    ax.text(LABEL_UNITS - 0.2, y + h / 2, text, ha="right", va="center", fontsize=size, family=family)


def _cell_height(tokens, unit_pt, size=FONT):
    """A cell tall enough for the longest token written upright (1 when every token fits across)."""
    longest = max((len(t) for t in tokens if not _fits(t, unit_pt, size)), default=0)
    return max(1.0, (longest * 0.62 * size + 8) / unit_pt)


def draw_padded_batch(tr, tokens, attention_mask):
    """A padded batch as a grid: one row per sequence, one cell per position, labelled with its token; real tokens
    (``attention_mask`` 1) in blue, padding (mask 0) in grey. ``tokens`` are the rows of tokens
    (``tokenizer.convert_ids_to_tokens`` of each row of ``input_ids``); long tokens are written upright.

    Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Batches: padding, truncation, tensors").
    """
    rows, mask = _check_rows(tokens, attention_mask)
    columns = max(len(r) for r in rows)
    if {len(r) for r in rows} != {columns}:
        raise ValueError("the batch is not rectangular (rows of different lengths): tokenize it with padding=True")
    unit_pt = WIDTH_IN * 72 / (LABEL_UNITS + columns)
    h = _cell_height([t for r in rows for t in r], unit_pt)
    fig, ax, unit_pt = _grid(columns, len(rows) * h + 2.4)
    y0 = 1.4
    for c in range(columns):
        ax.text(LABEL_UNITS + c + 0.5, y0 + len(rows) * h + 0.35, str(c), ha="center", fontsize=FONT)
    _row_label(ax, y0 + len(rows) * h, tr("position"), h=0.9)
    for r, (row, row_mask) in enumerate(zip(rows, mask)):
        y = y0 + (len(rows) - 1 - r) * h
        for c, (tok, m) in enumerate(zip(row, row_mask)):
            _cell(ax, LABEL_UNITS + c, y, tok, "blue" if m else "grey", h=h, unit_pt=unit_pt, faded=not m)
        _row_label(ax, y, tr("row {r}: {n} real", r=r, n=sum(row_mask)), h=h)
    ax.text(
        0.2,
        0.55,
        tr("blue: real token, attention_mask = 1;  dashed: padding, attention_mask = 0"),
        ha="left",
        va="center",
        fontsize=FONT,
    )
    return fig


def draw_pair(tr, tokens, input_ids, token_type_ids):
    """A sentence pair as the model receives it, ``[CLS] A [SEP] B [SEP]``: one cell per token, coloured by the
    segment it belongs to, with its id and its token type id underneath.

    Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Pairs of sentences").
    """
    (tokens,), _ = _check_rows([tokens])
    ids = [int(i) for i in _plain_list(input_ids)]
    types = [int(t) for t in _plain_list(token_type_ids)]
    if not len(tokens) == len(ids) == len(types):
        raise ValueError("tokens, input_ids and token_type_ids must have one entry per token")
    columns = len(tokens)
    unit_pt = WIDTH_IN * 72 / (LABEL_UNITS + columns)
    h = _cell_height(tokens, unit_pt)
    fig, ax, unit_pt = _grid(columns, h + 3.6)
    y = 2.0
    for c, (tok, i, t) in enumerate(zip(tokens, ids, types)):
        special = tok.startswith("[") and tok.endswith("]")
        colour = "grey" if special else ("blue" if t == 0 else "orange")
        _cell(ax, LABEL_UNITS + c, y, tok, colour, h=h, unit_pt=unit_pt)
        upright = not _fits(str(i), unit_pt)
        ax.text(LABEL_UNITS + c + 0.5, 1.5, str(i), ha="center", va="center", fontsize=FONT, rotation=90 * upright)
        ax.text(
            LABEL_UNITS + c + 0.5,
            0.5,
            str(t),
            ha="center",
            va="center",
            fontsize=FONT,
            weight="bold",
            color=_colours()["blue" if t == 0 else "orange"][0],
        )
    _row_label(ax, y, tr("tokens"), h=h)
    _row_label(ax, 1.0, "input_ids", family="monospace")
    _row_label(ax, 0.0, "token_type_ids", family="monospace")
    # the two segments, bracketed above the cells
    for segment, colour, name in ((0, "blue", tr("sentence A")), (1, "orange", tr("sentence B"))):
        cols = [c for c, (tok, t) in enumerate(zip(tokens, types)) if t == segment and not tok.startswith("[")]
        if cols:
            x0, x1 = LABEL_UNITS + cols[0] + 0.1, LABEL_UNITS + cols[-1] + 0.9
            top = y + h + 0.25
            ax.plot([x0, x0, x1, x1], [top - 0.15, top, top, top - 0.15], color=_colours()[colour][0], lw=1.5)
            ax.text(
                (x0 + x1) / 2, top + 0.15, name, ha="center", va="bottom", fontsize=FONT, color=_colours()[colour][0]
            )
    return fig


def draw_truncation(tr, first, second, kept, max_length: int):
    """A pair that is too long, once per truncation strategy: ``[CLS] first [SEP] second [SEP]`` with the tokens
    each strategy keeps filled and the ones it cuts dashed. ``kept`` maps a row label (e.g. ``"only_first"``) to
    ``(n_first, n_second)``, how many tokens of each sentence that strategy kept, or to ``None`` when the
    tokenizer refused.

    Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Truncating a pair that is too long").
    """
    (first, second), _ = _check_rows([first, second], name="first and second")
    if not kept:
        raise ValueError("kept must name at least one strategy: {label: (n_first, n_second) or None}")
    columns = len(first) + len(second) + 3
    unit_pt = WIDTH_IN * 72 / (LABEL_UNITS + columns)
    h = _cell_height(first + second + ["[CLS]"], unit_pt)
    n = len(kept)
    fig, ax, unit_pt = _grid(columns, n * (h + 0.5) + 0.9)
    for r, (label, counts) in enumerate(kept.items()):
        y = 0.9 + (n - 1 - r) * (h + 0.5)
        if counts is None:
            a = b = None
        else:
            a, b = counts
            if not (0 <= a <= len(first) and 0 <= b <= len(second)):
                raise ValueError(
                    f"{label}: kept {counts} tokens, but the sentences have {len(first)} and {len(second)}"
                )
        cells = [("[CLS]", "grey", False)]
        cells += [(t, "blue", a is not None and i >= a) for i, t in enumerate(first)]
        cells += [("[SEP]", "grey", False)]
        cells += [(t, "orange", b is not None and i >= b) for i, t in enumerate(second)]
        cells += [("[SEP]", "grey", False)]
        for c, (tok, colour, cut) in enumerate(cells):
            _cell(ax, LABEL_UNITS + c, y, tok, colour, h=h, unit_pt=unit_pt, faded=cut or counts is None)
        total = None if counts is None else a + b + 3
        _row_label(ax, y + 0.25, label, h=h, family="monospace")
        note = tr("refused: error") if counts is None else tr("{a} + {b} + 3 = {n} tokens", a=a, b=b, n=total)
        ax.text(LABEL_UNITS - 0.2, y + 0.1, note, ha="right", va="center", fontsize=FONT, color="#555555")
    ax.text(
        0.2,
        0.35,
        tr("max_length = {m}; dashed: cut", m=max_length),
        ha="left",
        va="center",
        fontsize=FONT,
    )
    return fig


def draw_windows(tr, first, second, windows, stride: int):
    """The overflowing windows of a pair whose second sentence is too long: each window repeats the first sentence
    and carries one slice of the second, drawn under the tokens it came from, so that the ``stride`` tokens two
    windows share line up. ``windows`` lists, per window, ``(start, end)``: the slice of ``second`` it holds.

    Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Truncating a pair that is too long").
    """
    (first, second), _ = _check_rows([first, second], name="first and second")
    spans = [(int(s), int(e)) for s, e in windows]
    if not spans or any(not 0 <= s < e <= len(second) for s, e in spans):
        raise ValueError(f"windows must be (start, end) slices of the {len(second)} tokens of the second sentence")
    columns = len(first) + len(second) + 3
    unit_pt = WIDTH_IN * 72 / (LABEL_UNITS + columns)
    h = _cell_height(first + second + ["[CLS]"], unit_pt)
    n = len(spans) + 1
    fig, ax, unit_pt = _grid(columns, n * (h + 0.3) + 0.9)

    def draw_row(y, lo, hi, full=False):
        """One row: the first sentence, then second[lo:hi] under the positions it came from."""
        x = LABEL_UNITS
        cells = [("[CLS]", "grey")] + [(t, "blue") for t in first] + [("[SEP]", "grey")]
        for c, (tok, colour) in enumerate(cells):
            _cell(ax, x + c, y, tok, colour, h=h, unit_pt=unit_pt)
        x += len(cells)
        shared = set()
        for s, e in spans:
            if (s, e) != (lo, hi):
                shared |= set(range(max(s, lo), min(e, hi)))
        for i in range(lo, hi):
            colour = "red" if (i in shared and not full) else "orange"
            _cell(ax, x + i, y, second[i], colour, h=h, unit_pt=unit_pt)
        _cell(ax, x + hi, y, "[SEP]", "grey", h=h, unit_pt=unit_pt)

    top = 0.9 + (n - 1) * (h + 0.3)
    draw_row(top, 0, len(second), full=True)
    _row_label(ax, top, tr("the pair: {n} tokens", n=columns), h=h)
    for w, (s, e) in enumerate(spans):
        y = 0.9 + (n - 2 - w) * (h + 0.3)
        draw_row(y, s, e)
        _row_label(ax, y, tr("window {w}: {n} tokens", w=w, n=len(first) + (e - s) + 3), h=h)
    ax.text(
        0.2,
        0.35,
        tr("stride = {s}: red tokens are in two windows", s=stride),
        ha="left",
        va="center",
        fontsize=FONT,
    )
    return fig
