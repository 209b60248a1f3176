"""Showing what a tokenizer did: a token table, and a padded batch with its attention mask as a picture.

Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Batches: padding, truncation, tensors"); the picture is
used again in chapter 4 (``book/04_model_inputs.ipynb``, "Attention mask").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def plot_padded_batch(batch: Mapping, tokenizer=None, ax=None, title: str | None = None):
    """Draw a padded batch as a grid: one row per sequence, one column per position.

    Cells where ``attention_mask`` is 1 (real tokens) are dark, padding cells (mask 0) light; each cell is
    labelled with its token (when ``tokenizer`` is given) or its id. ``batch`` is what a tokenizer returned
    with ``padding=...`` (lists or tensors): it needs ``input_ids`` and ``attention_mask`` of the same
    rectangular shape. Returns the matplotlib ``Axes``; the image's data is the attention mask itself.

    Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Batches: padding, truncation, tensors").
    """
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import ListedColormap

    for key in ("input_ids", "attention_mask"):
        if key not in batch:
            raise KeyError(
                f"the batch has no {key!r}; tokenize a list of texts with padding=True "
                "(attention masks are returned by default)"
            )
    ids = _plain_list(batch["input_ids"])
    mask = _plain_list(batch["attention_mask"])
    if not ids or not isinstance(ids[0], Sequence):
        raise ValueError("plot_padded_batch draws a batch: input_ids must be a list of sequences")
    lengths = {len(row) for row in ids} | {len(row) for row in mask}
    if len(lengths) != 1 or len(ids) != len(mask):
        raise ValueError("the batch is not rectangular (rows of different lengths): tokenize it with padding=True")
    mask_array = np.asarray(mask, dtype=int)
    if not set(np.unique(mask_array)) <= {0, 1}:
        raise ValueError("attention_mask must contain only 0 and 1")
    n_rows, n_cols = mask_array.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.75 * n_cols), 0.6 * n_rows + 1.0))
    ax.imshow(mask_array, cmap=ListedColormap(["#f2f2f2", "#2b6cb0"]), vmin=0, vmax=1, aspect="auto")
    for r, row in enumerate(ids):
        labels = tokenizer.convert_ids_to_tokens([int(i) for i in row]) if tokenizer is not None else row
        for c, label in enumerate(labels):
            ax.text(
                c, r, str(label), ha="center", va="center", fontsize=7, color="white" if mask_array[r, c] else "#555555"
            )
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels([f"{r}: {int(mask_array[r].sum())} real" for r in range(n_rows)])
    ax.set_xlabel("position (dark: attention_mask = 1, light: padding, attention_mask = 0)")
    ax.grid(False)
    ax.set_title(title or f"padded batch: {n_rows} sequences x {n_cols} positions")
    return ax
