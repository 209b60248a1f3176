"""Named entities by hand: tag every word piece, then group B-/I- pieces into entities.

Defined in chapter 7 (``book/07_ner.ipynb``, "Grouping pieces into entities by hand").

A token-classification model tags each word piece (``B-PER``, ``I-PER``, ``O``, ...). :func:`tag_pieces`
turns its logits into the per-piece list that ``pipeline("token-classification")`` returns by default, and
:func:`group_entities` merges adjacent pieces into entities with the rule of
``aggregation_strategy="simple"``: a piece joins the entity before it when it directly follows it, has the
same entity type and does not start with ``B-``. ``tests/test_ner.py`` checks both against the pipeline.
"""

from __future__ import annotations

import numpy as np

PIECE_KEYS = ("entity", "score", "index", "word", "start", "end")


def split_tag(label: str) -> tuple[str, str]:
    """``"B-PER"`` → ``("B", "PER")``, ``"I-LOC"`` → ``("I", "LOC")``; any other label (``"O"``, ``"PER"``)
    counts as a continuation: ``("I", label)`` (the pipeline's rule).

    Defined in chapter 7 (``book/07_ner.ipynb``, "Grouping pieces into entities by hand").
    """
    if not isinstance(label, str) or not label:
        raise ValueError(f"a tag must be a non-empty string; got {label!r}")
    if label[:2] in ("B-", "I-"):
        if len(label) == 2:
            raise ValueError(f"tag {label!r} has a prefix but no entity type")
        return label[0], label[2:]
    return "I", label


def tag_pieces(logits, encoding, id2label: dict, text: str, tokenizer=None, ignore_labels=("O",)) -> list[dict]:
    """Per-piece predictions from a token-classification model's logits, like the pipeline's default output.

    ``logits``: ``(seq_len, num_labels)`` (or ``(1, seq_len, num_labels)``) for one text; ``encoding``: the
    ``BatchEncoding`` of ``tokenizer(text, return_offsets_mapping=True, return_special_tokens_mask=True)``.
    Returns dicts with ``entity`` (argmax label), ``score`` (its softmax probability), ``index`` (token
    position), ``word`` (the piece; the original text for ``[UNK]``), ``start``/``end`` (characters), special
    tokens and ``ignore_labels`` left out.

    Defined in chapter 7 (``book/07_ner.ipynb``, "Grouping pieces into entities by hand").
    """
    if hasattr(logits, "detach"):
        logits = logits.detach().float().cpu().numpy()
    logits = np.asarray(logits)
    if logits.ndim == 3 and logits.shape[0] == 1:
        logits = logits[0]
    ids = np.asarray(encoding["input_ids"]).reshape(-1)
    if logits.ndim != 2 or logits.shape[0] != ids.shape[0]:
        raise ValueError(f"logits must have shape ({ids.shape[0]}, num_labels) for this encoding; got {logits.shape}")
    if logits.shape[1] != len(id2label):
        raise ValueError(f"logits have {logits.shape[1]} labels but id2label has {len(id2label)}")
    if "offset_mapping" not in encoding or "special_tokens_mask" not in encoding:
        raise ValueError("encode with return_offsets_mapping=True and return_special_tokens_mask=True")
    offsets = np.asarray(encoding["offset_mapping"]).reshape(-1, 2)
    special = np.asarray(encoding["special_tokens_mask"]).reshape(-1)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs = probs / probs.sum(axis=-1, keepdims=True)
    tokens = encoding.tokens() if hasattr(encoding, "tokens") else None
    unk_id = getattr(tokenizer, "unk_token_id", None)
    pieces = []
    for i in range(ids.shape[0]):
        if special[i]:
            continue
        best = int(probs[i].argmax())
        label = id2label[best]
        if label in ignore_labels:
            continue
        start, end = int(offsets[i][0]), int(offsets[i][1])
        word = tokens[i] if tokens is not None else tokenizer.convert_ids_to_tokens(int(ids[i]))
        if unk_id is not None and int(ids[i]) == unk_id:
            word = text[start:end]
        pieces.append(
            {"entity": label, "score": float(probs[i][best]), "index": i, "word": word, "start": start, "end": end}
        )
    return pieces


def _join_pieces(words: list[str]) -> str:
    """WordPiece detokenisation: ``["Hu", "##gging", "Face"]`` → ``"Hugging Face"``."""
    return " ".join(words).replace(" ##", "").strip()


def group_entities(pieces: list[dict], tokenizer=None, ignore_labels=("O",)) -> list[dict]:
    """Group per-piece predictions into entities, as ``aggregation_strategy="simple"`` does.

    ``pieces``: dicts with ``entity``, ``score``, ``index``, ``word``, ``start``, ``end`` in token order (the
    pipeline's default output, or :func:`tag_pieces`); ``O`` pieces may be present or already left out. A
    piece extends the current entity when its ``index`` is the next one, its type matches and its tag is not
    ``B-``. Each entity: ``entity_group`` (the type), ``score`` (mean of its pieces' scores), ``word`` (the
    pieces joined back into text, by ``tokenizer.convert_tokens_to_string`` when given, else by WordPiece's
    ``##`` rule), ``start``/``end`` (characters, from the first and last piece).

    Defined in chapter 7 (``book/07_ner.ipynb``, "Grouping pieces into entities by hand").
    """
    groups: list[list[dict]] = []
    previous_index = None
    for piece in pieces:
        missing = [k for k in PIECE_KEYS if k not in piece]
        if missing:
            raise ValueError(f"piece {piece!r} lacks {missing}; expected keys {PIECE_KEYS}")
        if previous_index is not None and piece["index"] <= previous_index:
            raise ValueError(
                f"pieces must be in token order with distinct indices; {piece['index']} follows {previous_index}"
            )
        if not 0.0 <= float(piece["score"]) <= 1.0:
            raise ValueError(f"a score must be a probability in [0, 1]; got {piece['score']!r}")
        bi, tag = split_tag(piece["entity"])
        if (
            groups
            and piece["index"] == previous_index + 1
            and bi != "B"
            and split_tag(groups[-1][-1]["entity"])[1] == tag
        ):
            groups[-1].append(piece)
        else:
            groups.append([piece])
        previous_index = piece["index"]

    join = tokenizer.convert_tokens_to_string if tokenizer is not None else _join_pieces
    entities = []
    for group in groups:
        tag = split_tag(group[0]["entity"])[1]
        if tag in ignore_labels:
            continue
        entities.append(
            {
                "entity_group": tag,
                "score": float(np.mean([float(p["score"]) for p in group])),
                "word": join([p["word"] for p in group]),
                "start": group[0]["start"],
                "end": group[-1]["end"],
            }
        )
    return entities


#: The colour (a :data:`helpers.boxes.PALETTE` name) of each CoNLL entity type in :func:`draw_tags_and_spans`.
#:
#: Defined in chapter 7 (``book/07_ner.ipynb``, "Grouping pieces into entities by hand").
TYPE_COLOURS = {"PER": "blue", "ORG": "orange", "LOC": "green", "MISC": "purple"}
_CHAR_IN = 0.6 / 72  # width of one DejaVu Sans Mono character per point of font size, in inches (a bit over)


def _wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """``(start, end)`` character ranges of ``text`` cut into lines of at most ``width`` characters at spaces."""
    lines, start = [], 0
    while start < len(text):
        end = min(len(text), start + width)
        if end < len(text):
            cut = text.rfind(" ", start, end + 1)
            end = cut if cut > start else end
        lines.append((start, end))
        start = end + 1 if end < len(text) and text[end] == " " else end
    return lines


def draw_tags_and_spans(tr, tokens: list[str], tags: list[str], text: str, entities: list[dict]):
    """The word pieces of one sentence with their B-/I-/O tags (coloured by entity type), and under them the
    sentence with the entity spans those tags become (``entities``: dicts with ``start``, ``end`` and
    ``entity_group``, as ``aggregation_strategy="simple"`` returns them).

    Defined in chapter 7 (``book/07_ner.ipynb``, "Grouping pieces into entities by hand").
    """
    from matplotlib.patches import Rectangle

    from .boxes import PALETTE, box, canvas

    if len(tokens) != len(tags) or not tokens:
        raise ValueError(f"one tag per token is needed: got {len(tokens)} tokens and {len(tags)} tags")
    width, size, tag_size = 6.8, 10, 9
    # the pieces, wrapped into rows of boxes
    rows, row, x = [], [], 0.0
    for token, tag in zip(tokens, tags):
        w = max(len(token) * size, len(tag) * tag_size) * _CHAR_IN + 0.1
        if row and x + w > width - 0.05:
            rows.append(row)
            row, x = [], 0.0
        row.append((x, w, token, tag))
        x += w + 0.04
    rows.append(row)
    char_w = size * _CHAR_IN
    lines = _wrap_offsets(text, int((width - 0.1) // char_w))
    piece_h, line_h = 0.62, 0.62
    height = 0.35 + len(rows) * piece_h + 0.45 + len(lines) * line_h + 0.1
    fig, ax = canvas(width, height, inches=width)
    y = height - 0.25
    ax.text(0, y, tr("Word pieces and their tags"), fontsize=10, weight="bold", va="center")
    for row in rows:
        y -= piece_h
        for x, w, token, tag in row:
            kind = split_tag(tag)[1] if tag != "O" else None
            colour = TYPE_COLOURS.get(kind, "grey")
            box(ax, x, y + 0.22, w, 0.3, token, color=colour, family="monospace")
            ax.text(
                x + w / 2,
                y + 0.08,
                tag,
                ha="center",
                va="center",
                fontsize=tag_size,
                family="monospace",
                color=PALETTE[colour][0] if kind else "#555555",
            )
    y -= 0.4
    ax.text(0, y, tr("The entities they become"), fontsize=10, weight="bold", va="center")
    for start, end in lines:
        y -= line_h
        cuts = sorted({start, end, *(c for e in entities for c in (e["start"], e["end"]) if start < c < end)})
        for a, b in zip(cuts, cuts[1:]):  # each piece of the line drawn where its first character belongs
            piece = text[a:b]
            a += len(piece) - len(piece.lstrip())  # an SVG viewer drops leading spaces: start after them
            ax.text((a - start) * char_w, y + 0.12, piece.strip(), fontsize=size, family="monospace", va="center")
        for e in entities:
            a, b = max(e["start"], start), min(e["end"], end)
            if a >= b:
                continue
            edge, fill = PALETTE[TYPE_COLOURS.get(e["entity_group"], "grey")]
            x0 = (a - start) * char_w
            ax.add_patch(
                Rectangle((x0 - 0.02, y - 0.03), (b - a) * char_w + 0.04, 0.3, facecolor=fill, edgecolor=edge, lw=1.2)
            )
            if a == e["start"]:
                ax.text(
                    x0,
                    y + 0.3,
                    e["entity_group"],
                    fontsize=tag_size,
                    color=edge,
                    va="bottom",
                    family="monospace",
                    weight="bold",
                )
    return fig
