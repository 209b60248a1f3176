"""Paraphrase scores without a pair head: cosine similarity of mean-pooled MiniLM sentence embeddings.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Paraphrase detection").

The seed tutorial classifies sentence pairs with ``bert-base-cased-finetuned-mrpc``. No pair data and no such
head can be had offline, but the zoo's encoder is all-MiniLM-L6-v2, which sentence-transformers trained for
exactly this: mean-pool the last hidden states over the real tokens, L2-normalise, and compare two sentences by
the cosine of their vectors (1 = same direction). A pair counts as a paraphrase when the cosine reaches
:data:`THRESHOLD`.
"""

from __future__ import annotations

#: Cosine at or above which two sentences are called paraphrases. all-MiniLM-L6-v2 puts unrelated sentences
#: near 0 (about -0.1 to 0.3) and rewordings of one statement at about 0.75 to 0.95 (the seed's pair "The company
#: HuggingFace is based in New York City" / "HuggingFace's headquarters are situated in Manhattan": 0.84; vs "Apples
#: are especially bad for your health": 0.03). Sentences on the same topic that say different or even opposite
#: things land in between ("The movie was great." / "The film was terrible.": 0.62), which is why the line sits at
#: 0.7 and not at 0.5. It is a documented rule of thumb (no labelled pairs ship with the book to fit one): read
#: scores between 0.6 and 0.8 as "unsure".
#:
#: Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Offline: similarity of sentence embeddings").
THRESHOLD = 0.7

_CACHE: dict = {}


def _load(folder: str | None):
    from transformers import AutoModel, AutoTokenizer

    from .checkpoints import checkpoint

    folder = folder or checkpoint("minilm")
    if folder not in _CACHE:
        model = AutoModel.from_pretrained(folder).eval()
        _CACHE[folder] = (AutoTokenizer.from_pretrained(folder), model)
    return _CACHE[folder]


def _check_sentences(sentences, what: str = "sentences") -> list[str]:
    if isinstance(sentences, str):
        raise TypeError(f"{what} must be a list of strings, not one string (wrap it: [{sentences[:30]!r}])")
    sentences = list(sentences)
    if not sentences:
        raise ValueError(f"{what} is empty")
    bad = [s for s in sentences if not isinstance(s, str) or not s.strip()]
    if bad:
        raise ValueError(f"{what} must be non-empty strings; got {bad[:3]!r}")
    return sentences


def embed(sentences: list[str], folder: str | None = None, batch_size: int = 32):
    """L2-normalised mean-pooled embeddings (a ``(n, 384)`` float tensor) of ``sentences``.

    Mean pooling averages the encoder's last hidden states over the real tokens only (the attention mask
    removes padding), as sentence-transformers does for all-MiniLM-L6-v2. ``folder`` defaults to
    ``helpers.checkpoint("minilm")``.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Paraphrase detection").
    """
    import torch

    sentences = _check_sentences(sentences)
    tok, model = _load(folder)
    dev = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for i in range(0, len(sentences), batch_size):
            enc = tok(
                sentences[i : i + batch_size], padding=True, truncation=True, max_length=256, return_tensors="pt"
            ).to(dev)
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(torch.nn.functional.normalize(mean, dim=-1))
    return torch.cat(out).cpu()


def similarity(a: list[str], b: list[str], folder: str | None = None) -> list[float]:
    """Cosine similarity of each pair ``(a[i], b[i])`` of sentences, in [-1, 1].

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Paraphrase detection").
    """
    a, b = _check_sentences(a, "a"), _check_sentences(b, "b")
    if len(a) != len(b):
        raise ValueError(f"a and b must pair up: {len(a)} sentences against {len(b)}")
    ea, eb = embed(a, folder), embed(b, folder)
    return (ea * eb).sum(-1).clamp(-1.0, 1.0).tolist()


def paraphrase_scores(
    pairs: list[tuple[str, str]], threshold: float = THRESHOLD, folder: str | None = None
) -> list[dict]:
    """For each ``(sentence1, sentence2)``: ``{"score": cosine, "label": "paraphrase" | "not paraphrase"}``.

    The label is ``"paraphrase"`` when the cosine is at least ``threshold`` (default :data:`THRESHOLD`).

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Paraphrase detection").
    """
    pairs = list(pairs)
    if not pairs:
        raise ValueError("pairs is empty")
    if any(not isinstance(p, (tuple, list)) or len(p) != 2 for p in pairs):
        raise ValueError("pairs must be (sentence1, sentence2) tuples")
    if not -1.0 <= threshold <= 1.0:
        raise ValueError(f"threshold {threshold} is not a cosine (between -1 and 1)")
    scores = similarity([p[0] for p in pairs], [p[1] for p in pairs], folder)
    return [{"score": s, "label": "paraphrase" if s >= threshold else "not paraphrase"} for s in scores]


def draw_cross_and_bi_encoder(tr, sentence_a: str, sentence_b: str, cosine: float | None = None):
    """Two ways to compare a sentence pair: a cross-encoder reads ``[CLS] A [SEP] B [SEP]`` as one input and its
    head outputs "paraphrase or not"; a bi-encoder encodes A and B separately into vectors and compares them by
    their cosine (``cosine``: the value this run computed, printed in the picture).

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "Paraphrase detection").
    """
    from .boxes import arrow, box, canvas

    if not sentence_a.strip() or not sentence_b.strip():
        raise ValueError("both sentences must be non-empty")
    fig, ax = canvas(10, 8.4)
    ax.text(0.1, 8.15, f"A: {sentence_a}", fontsize=10, va="center")
    ax.text(0.1, 7.65, f"B: {sentence_b}", fontsize=10, va="center")
    # cross-encoder, left: one input, one pass, one decision
    ax.text(2.4, 6.95, tr("Cross-encoder (BERT fine-tuned on MRPC)"), ha="center", fontsize=10, weight="bold")
    box(ax, 0.1, 5.5, 4.6, 1.0, "[CLS] A [SEP] B [SEP]", color="grey", family="monospace")
    arrow(ax, (2.4, 5.5), (2.4, 4.7))
    box(ax, 0.1, 3.5, 4.6, 1.2, tr("encoder reads A and B together"), color="blue")
    arrow(ax, (2.4, 3.5), (2.4, 2.7))
    box(ax, 0.1, 1.6, 4.6, 1.1, tr("classification head: 2 logits"), color="orange")
    arrow(ax, (2.4, 1.6), (2.4, 0.9))
    box(ax, 0.1, 0.1, 4.6, 0.8, tr("P(paraphrase)"), color="green")
    # bi-encoder, right: each sentence on its own, then a comparison of two vectors
    ax.text(7.55, 6.95, tr("Bi-encoder (offline: all-MiniLM-L6-v2)"), ha="center", fontsize=10, weight="bold")
    for x, name, vec in ((5.2, "A", "u"), (7.7, "B", "v")):
        box(ax, x, 5.5, 2.2, 1.0, name, color="grey", family="monospace")
        arrow(ax, (x + 1.1, 5.5), (x + 1.1, 4.7))
        box(ax, x, 3.5, 2.2, 1.2, tr("encoder,\nmean pooling"), color="blue")
        arrow(ax, (x + 1.1, 3.5), (x + 1.1, 2.7))
        box(ax, x, 1.6, 2.2, 1.1, tr("vector {name}", name=vec), color="orange")
    arrow(ax, (6.3, 1.6), (7.2, 0.9))
    arrow(ax, (8.8, 1.6), (7.9, 0.9))
    result = "cos(u, v)" if cosine is None else f"cos(u, v) = {cosine:.2f}"
    box(ax, 5.8, 0.1, 3.5, 0.8, result, color="green")
    return fig
