"""Extractive question answering by hand: the best *valid* answer span from start/end logits.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").

A question-answering head gives every token a start logit and an end logit. The seed tutorial took the
argmax of each independently, which can give an end before the start, or a "span" inside the question.
Here a span is scored as P(start) * P(end) (softmax over the allowed tokens) and only spans with
``start <= end``, both tokens in the context and at most ``max_answer_len`` tokens long are candidates.

transformers 5 removed ``pipeline("question-answering")``; its span scoring survives as
``select_starts_ends`` in ``transformers.pipelines.document_question_answering``, and
``tests/test_qa.py`` checks :func:`best_spans` against it. :func:`answer_question` does what the removed
pipeline did for a fast tokenizer (long contexts split with a stride, answers aligned to whole words) and
returns the same ``{"answer", "score", "start", "end"}`` dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Span:
    """A candidate answer: token positions (``end_token`` inclusive) and its probability.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """

    start_token: int
    end_token: int
    score: float


def _as_1d(name: str, values) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().float().cpu().numpy()
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one sequence of shape (seq_len,) or (1, seq_len); got shape {arr.shape}")
    return arr


def _softmax(logits: np.ndarray, over: np.ndarray) -> np.ndarray:
    out = np.zeros_like(logits, dtype=np.float64)
    z = logits[over].astype(np.float64)
    z = np.exp(z - z.max())
    out[over] = z / z.sum()
    return out


def best_spans(
    start_logits, end_logits, allowed, *, top_k: int = 1, max_answer_len: int = 15, normalise_over=None
) -> list[Span]:
    """The ``top_k`` best valid spans, best first.

    ``start_logits``/``end_logits``: one sequence each (``(seq_len,)`` or ``(1, seq_len)``, NumPy, list or
    torch). ``allowed``: a boolean mask of the tokens an answer may use (the context tokens, see
    :func:`context_mask`). Probabilities are softmaxes over ``normalise_over`` (default: ``allowed``; the
    removed 4.x pipeline also counted ``[CLS]``, see :func:`answer_question`), and a span ``(s, e)`` scores
    ``P_start(s) * P_end(e)``. Valid spans have ``s <= e``, ``e - s + 1 <= max_answer_len`` and both ends in
    ``allowed``. Ties are broken towards the earlier start, then the earlier end (as ``np.argmax`` does).
    Fewer than ``top_k`` spans come back only when fewer valid spans exist.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """
    start = _as_1d("start_logits", start_logits)
    end = _as_1d("end_logits", end_logits)
    mask = _as_1d("allowed", allowed).astype(bool)
    if not (start.shape == end.shape == mask.shape):
        raise ValueError(
            f"start_logits, end_logits and allowed must have the same length; got {start.shape[0]}, "
            f"{end.shape[0]} and {mask.shape[0]}"
        )
    if not mask.any():
        raise ValueError("no token is allowed in the answer (empty context?)")
    if not (np.isfinite(start[mask]).all() and np.isfinite(end[mask]).all()):
        raise ValueError("start_logits/end_logits contain NaN or infinite values at allowed positions")
    if int(top_k) != top_k or top_k < 1:
        raise ValueError(f"top_k must be a positive integer; got {top_k!r}")
    if int(max_answer_len) != max_answer_len or max_answer_len < 1:
        raise ValueError(f"max_answer_len must be a positive integer; got {max_answer_len!r}")
    over = mask if normalise_over is None else _as_1d("normalise_over", normalise_over).astype(bool)
    if over.shape != mask.shape:
        raise ValueError(f"normalise_over must have length {mask.shape[0]}; got {over.shape[0]}")
    if (mask & ~over).any():
        raise ValueError("normalise_over must include every allowed token")

    p_start, p_end = _softmax(start, over), _softmax(end, over)
    n = start.shape[0]
    s_idx, e_idx = np.triu_indices(n)  # s <= e, row-major: earlier start, then earlier end
    keep = (e_idx - s_idx < max_answer_len) & mask[s_idx] & mask[e_idx]
    s_idx, e_idx = s_idx[keep], e_idx[keep]
    scores = p_start[s_idx] * p_end[e_idx]
    order = np.argsort(-scores, kind="stable")[:top_k]
    return [Span(int(s_idx[i]), int(e_idx[i]), float(scores[i])) for i in order]


def naive_argmax_span(start_logits, end_logits) -> tuple[int, int]:
    """The seed's decoding: independent argmaxes of start and end logits (may give ``end < start``).

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """
    start = _as_1d("start_logits", start_logits)
    end = _as_1d("end_logits", end_logits)
    if start.shape != end.shape:
        raise ValueError(f"start_logits and end_logits differ in length: {start.shape[0]} vs {end.shape[0]}")
    return int(start.argmax()), int(end.argmax())


def is_valid_span(start: int, end: int, allowed, max_answer_len: int = 15) -> bool:
    """Whether ``(start, end)`` (inclusive token positions) is a span :func:`best_spans` could return.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """
    mask = _as_1d("allowed", allowed).astype(bool)
    return bool(start <= end and end - start < max_answer_len and mask[start] and mask[end])


def context_mask(encoding, sequence_index: int = 1) -> np.ndarray:
    """Boolean mask of the tokens that belong to sequence ``sequence_index`` (the context, when the
    question was passed first: ``tokenizer(question, context)``).

    ``encoding``: a ``BatchEncoding`` of one example, a ``tokenizers.Encoding``, or a list of sequence ids.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """
    if hasattr(encoding, "sequence_ids"):
        seq_ids = encoding.sequence_ids() if callable(encoding.sequence_ids) else encoding.sequence_ids
    else:
        seq_ids = list(encoding)
    return np.array([s == sequence_index for s in seq_ids], dtype=bool)


def span_to_chars(
    span: Span, offsets, encoding=None, *, align_to_words: bool = False, sequence_index: int = 1
) -> tuple[int, int]:
    """Character positions ``(start, end)`` (end exclusive) of a span in the original context.

    ``offsets``: the tokenizer's ``offset_mapping`` for this sequence (pairs of character positions in the
    text each token came from). With ``align_to_words=True`` (and a ``tokenizers.Encoding``) the span is widened
    to whole words, as the removed pipeline did: a span starting at ``##gging`` starts at ``Hugging``.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """
    offsets = np.asarray(offsets.detach().cpu() if hasattr(offsets, "detach") else offsets)
    if offsets.ndim == 3 and offsets.shape[0] == 1:
        offsets = offsets[0]
    if offsets.ndim != 2 or offsets.shape[1] != 2:
        raise ValueError(f"offsets must have shape (seq_len, 2); got {offsets.shape}")
    if not (0 <= span.start_token <= span.end_token < offsets.shape[0]):
        raise ValueError(f"span {span} does not fit {offsets.shape[0]} tokens")
    if align_to_words:
        if encoding is None:
            raise ValueError("align_to_words=True needs the tokenizers.Encoding (batch_encoding.encodings[i])")
        first = encoding.token_to_word(span.start_token)
        last = encoding.token_to_word(span.end_token)
        if first is not None and last is not None:
            return (
                int(encoding.word_to_chars(first, sequence_index)[0]),
                int(encoding.word_to_chars(last, sequence_index)[1]),
            )
    return int(offsets[span.start_token][0]), int(offsets[span.end_token][1])


def answer_question(
    question: str,
    context: str,
    model,
    tokenizer,
    *,
    top_k: int = 1,
    max_answer_len: int = 15,
    max_seq_len: int = 384,
    doc_stride: int = 128,
    align_to_words: bool = True,
):
    """Answer ``question`` from ``context`` the way the removed ``pipeline("question-answering")`` did.

    Tokenizes ``(question, context)`` (context truncated into overlapping windows of ``max_seq_len`` tokens with
    ``doc_stride`` tokens of overlap), runs ``model`` (any ``AutoModelForQuestionAnswering``), scores spans
    with :func:`best_spans` (softmax over the context tokens and ``[CLS]``, like the 4.x pipeline), maps them
    to characters with the offsets and returns ``{"answer", "score", "start", "end"}`` (a list of ``top_k``
    of them when ``top_k > 1``). Unlike the 4.x pipeline, a character span is listed once (with its best score) even
    when several token spans or two windows widen to the same words, so ``top_k`` answers are distinct.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Extractive question answering").
    """
    import torch

    if not isinstance(question, str) or not question.strip():
        raise ValueError("the question is empty")
    if not isinstance(context, str) or not context.strip():
        raise ValueError("the context is empty: there is nothing to extract an answer from")
    if tokenizer.padding_side != "right":
        raise ValueError("answer_question expects a tokenizer that pads on the right (question first)")
    n_question = len(tokenizer(question, add_special_tokens=False)["input_ids"])
    n_special = tokenizer.num_special_tokens_to_add(pair=True)
    room = max_seq_len - n_question - n_special
    if room < 1:
        raise ValueError(
            f"the question has {n_question} tokens: with {n_special} special tokens it leaves no room "
            f"for the context within max_seq_len={max_seq_len}"
        )
    if doc_stride >= room:
        raise ValueError(
            f"doc_stride={doc_stride} must be smaller than the room left for the context ({room} "
            f"tokens); lower doc_stride or raise max_seq_len"
        )
    enc = tokenizer(
        question,
        context,
        truncation="only_second",
        max_length=max_seq_len,
        stride=doc_stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding=True,
        return_tensors="pt",
    )
    offsets = enc.pop("offset_mapping")
    enc.pop("overflow_to_sample_mapping", None)
    device = next(model.parameters()).device
    with torch.no_grad():
        out = model(**{k: v.to(device) for k, v in enc.items()})
    found: dict[tuple[int, int], dict] = {}
    for i in range(enc["input_ids"].shape[0]):
        allowed = context_mask(enc.encodings[i]) & enc["attention_mask"][i].numpy().astype(bool)
        if not allowed.any():
            continue
        over = allowed.copy()
        over[enc["input_ids"][i].numpy() == tokenizer.cls_token_id] = True
        every = int(allowed.sum()) * max_answer_len  # at least the number of valid spans
        distinct = 0
        for span in best_spans(
            out.start_logits[i],
            out.end_logits[i],
            allowed,
            top_k=every,
            max_answer_len=max_answer_len,
            normalise_over=over,
        ):
            s, e = span_to_chars(span, offsets[i], enc.encodings[i], align_to_words=align_to_words)
            if (s, e) in found and found[(s, e)]["score"] >= span.score:
                continue  # two token spans can widen to the same words: keep the better one
            distinct += (s, e) not in found
            found[(s, e)] = {"score": span.score, "start": s, "end": e, "answer": context[s:e]}
            if distinct == top_k:
                break
    answers = sorted(found.values(), key=lambda a: -a["score"])[:top_k]
    return answers[0] if top_k == 1 else answers


def draw_span_scores(
    tr,
    tokens: list[str],
    start_probs,
    end_probs,
    best: tuple[int, int],
    max_answer_len: int = 15,
    argmax: tuple[int, int] | None = None,
):
    """Choosing a valid span, for a window of context tokens: P(start) down the left, P(end) along the top, and
    in the grid the score P(start) x P(end) of every span the window holds -- only where ``start <= end`` and the
    span is at most ``max_answer_len`` tokens, the rest greyed out. ``best`` (window positions) is outlined;
    ``argmax`` (window positions, or ``None`` when it lies outside) is crossed.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The best valid span").
    """
    import matplotlib.pyplot as plt

    from .boxes import PALETTE

    p_start, p_end = _as_1d("start_probs", start_probs), _as_1d("end_probs", end_probs)
    n = len(tokens)
    if not n or len(p_start) != n or len(p_end) != n:
        raise ValueError(f"one start and one end probability per token: {n} tokens, {len(p_start)}, {len(p_end)}")
    s_idx, e_idx = np.arange(n)[:, None], np.arange(n)[None, :]
    valid = (e_idx >= s_idx) & (e_idx - s_idx < max_answer_len)
    if not valid[best]:
        raise ValueError(f"best {best} is not a valid span of the window")
    scores = np.where(valid, p_start[:, None] * p_end[None, :], np.nan)
    fig = plt.figure(figsize=(6.8, 6.0))
    grid = fig.add_gridspec(2, 2, width_ratios=(1, 4.5), height_ratios=(1, 4.5), wspace=0.03, hspace=0.03)
    main = fig.add_subplot(grid[1, 1])
    left = fig.add_subplot(grid[1, 0], sharey=main)
    top = fig.add_subplot(grid[0, 1], sharex=main)
    cmap = plt.get_cmap("Greens").with_extremes(bad="#DDDDDD")
    image = main.imshow(scores, cmap=cmap, vmin=0, aspect="auto")
    main.add_patch(plt.Rectangle((best[1] - 0.5, best[0] - 0.5), 1, 1, fill=False, ec=PALETTE["red"][0], lw=2.5))
    if argmax is not None:
        main.plot(argmax[1], argmax[0], marker="x", color=PALETTE["blue"][0], ms=10, mew=2.5)
    main.set_xticks(range(n), tokens, rotation=90, fontsize=9, family="monospace")
    main.tick_params(axis="y", left=False, labelleft=False)
    main.set_xlabel(tr("end token"), fontsize=10)
    main.text(
        0.02,
        0.02,
        tr("grey: end before start, or longer than {n} tokens", n=max_answer_len),
        transform=main.transAxes,
        fontsize=9,
        color="#333333",
    )
    left.barh(range(n), p_start, color=PALETTE["blue"][0])
    left.invert_xaxis()
    left.set_yticks(range(n), tokens, fontsize=9, family="monospace")
    left.set_ylabel(tr("start token"), fontsize=10)
    left.set_xlabel(tr("P(start)"), fontsize=10)
    left.tick_params(axis="x", labelsize=9, rotation=90)
    top.bar(range(n), p_end, color=PALETTE["orange"][0])
    top.set_ylabel(tr("P(end)"), fontsize=10)
    top.tick_params(axis="x", bottom=False, labelbottom=False)
    top.tick_params(axis="y", labelsize=9)
    top.set_title(tr("best valid span: {span}", span=" ".join(tokens[best[0] : best[1] + 1])), fontsize=10)
    bar = fig.colorbar(image, ax=main, fraction=0.04, pad=0.02)
    bar.set_label(tr("P(start) × P(end)"), fontsize=10)
    bar.ax.tick_params(labelsize=9)
    return fig


def draw_start_end_logits(
    tr,
    tokens: list[str],
    start_logits,
    end_logits,
    in_context,
    best: tuple[int, int],
    argmax: tuple[int, int],
    rows: int = 2,
):
    """Start and end logits over every token of the input, in ``rows`` panels on one scale, the tokens outside the
    context shaded, the best valid span marked and the two argmaxes dotted.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Start and end scores over the tokens").
    """
    import matplotlib.pyplot as plt

    from .boxes import PALETTE

    start, end = _as_1d("start_logits", start_logits), _as_1d("end_logits", end_logits)
    inside = np.asarray(in_context, dtype=bool)
    n = len(tokens)
    if not n or len(start) != n or len(end) != n or len(inside) != n:
        raise ValueError("tokens, start_logits, end_logits and in_context must have one entry per token")
    per_row = -(-n // rows)
    low, high = min(start.min(), end.min()), max(start.max(), end.max())
    margin = 0.08 * (high - low or 1)
    fig, axes = plt.subplots(rows, 1, figsize=(6.8, 2.6 * rows), squeeze=False)
    for r, ax in enumerate(axes[:, 0]):
        lo, hi = r * per_row, min(n, (r + 1) * per_row)
        x = np.arange(lo, hi)
        for i in x[~inside[lo:hi]]:
            ax.axvspan(i - 0.5, i + 0.5, color="#E4E4E4", lw=0)
        a, b = max(best[0], lo), min(best[1], hi - 1)
        if a <= b:
            ax.axvspan(a - 0.5, b + 0.5, color=PALETTE["green"][1], lw=0, label=tr("best valid span"))
        ax.plot(x, start[lo:hi], marker="o", ms=3, color=PALETTE["blue"][0], label=tr("start logit"))
        ax.plot(x, end[lo:hi], marker="s", ms=3, color=PALETTE["orange"][0], label=tr("end logit"))
        for pos, colour, label in ((argmax[0], "blue", tr("argmax start")), (argmax[1], "orange", tr("argmax end"))):
            if lo <= pos < hi:
                ax.axvline(pos, color=PALETTE[colour][0], ls=":", lw=1.5, label=label)
        ax.set_xticks(x, tokens[lo:hi], rotation=90, fontsize=9, family="monospace")
        ax.set_xlim(lo - 0.5, lo + per_row - 0.5)
        ax.set_ylim(low - margin, high + margin)
        ax.set_ylabel(tr("logit"), fontsize=10)
        ax.tick_params(axis="y", labelsize=9)
    handles = {}
    for ax in axes[:, 0]:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    fig.legend(handles.values(), handles.keys(), loc="upper center", ncol=3, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / (2.6 * rows)))
    return fig
