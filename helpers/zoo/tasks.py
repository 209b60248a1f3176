"""The zoo's task models: small heads trained on the real MiniLM encoder from the book's shipped text.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").

No fine-tuned checkpoint of the seed (DistilBERT SST-2, BERT-large CoNLL-03, BERT-large SQuAD, DistilRoBERTa)
can be had offline, so each of these entries trains a real model, reproducibly, and is named for what it is:

- ``sentiment``: MiniLM-L6 + sequence-classification head (NEGATIVE/POSITIVE) on the movie sentences.
- ``fill-mask``: MiniLM-L6 + a fresh masked-LM head (decoder tied to the word embeddings), 15 % masking.
- ``ner``: MiniLM-L6 + token-classification head with the CoNLL-2003 tags, on spaCy silver labels.
- ``qa``: MiniLM-L6 + extractive QA head, on questions built from the silver entities of shipped sentences.
- ``smollm2-perplexity``: a held-out perplexity of the ``smollm2`` entry on the NYT snippets (scores only).

Every build is seeded and uses fixed splits, so a rebuild prints the same figures; each records its recipe,
data sizes, training seconds and held-out ``scores`` in the manifest, and raises :class:`BuildFailed` (the
old folder is kept) when a score falls below its floor. CPU speed comes from dynamic padding, length-grouped
batches, short maximum lengths and a frozen lower encoder whose hidden states are computed once and cached.
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from pathlib import Path

from .core import BuildFailed, Entry, ZooError, fetch_dist, home, register, sha256, source_record

SEED = 2024
# Floors are gates (a build below one fails); targets are goals (reported, not enforced).
FLOORS = {"sentiment": {"accuracy": 0.80}, "fill-mask": {"top5": 0.30}, "ner": {"f1": 0.60}, "qa": {"f1": 0.50}}
TARGETS = {"sentiment": {"accuracy": 0.86}}
CHECK_SUBSET = 128  # held-out items re-evaluated by the tests (scores recorded as "check_scores")


# ------------------------------------------------------------------------------------------ plumbing
def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def threads() -> int:
    """Set and return torch's CPU thread count: ``$HFBOOK_THREADS`` if set, else torch's default.

    On a machine shared with other jobs, ``HFBOOK_THREADS=1`` is often faster than 2 oversubscribed threads.
    """
    import torch

    n = int(os.environ.get("HFBOOK_THREADS", "0") or 0)
    if n > 0:
        torch.set_num_threads(n)
    return torch.get_num_threads()


def seed_all(seed: int = SEED) -> None:
    import numpy as np
    import torch

    threads()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def minilm_dir(ctx: dict | None = None) -> Path:
    zoo = Path(ctx["zoo"]) if ctx else home() / "zoo"
    return zoo / "minilm"


def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (sorted by length, ties by index): little padding."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def pad(seqs: list[list[int]], value: int = 0):
    import torch

    width = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [value] * (width - len(s)) for s in seqs])


def check_floor(name: str, scores: dict) -> None:
    for metric, floor in FLOORS[name].items():
        if scores[metric] < floor:
            raise BuildFailed(f"{name}: held-out {metric} {scores[metric]:.4f} is below the floor {floor}; the "
                              "model was not cached (any previously built folder is kept). Check the data and "
                              "the recipe, then rebuild with `python -m helpers.zoo build " + name + " --force`")


class SplitEncoder:
    """A BERT encoder cut after layer ``k``: ``lower`` (embeddings + layers < k) and ``upper`` (the rest).

    The lower part is frozen: its output for a fixed input never changes, so it is computed once and cached,
    and only the upper layers and the head are trained.
    """

    def __init__(self, bert, k: int):
        self.bert, self.k = bert, k
        for p in bert.embeddings.parameters():
            p.requires_grad_(False)
        for layer in bert.encoder.layer[:k]:
            for p in layer.parameters():
                p.requires_grad_(False)

    def _mask(self, emb, attention_mask):
        mask, _ = self.bert._create_attention_masks(attention_mask, None, emb, None, None)
        return mask

    def lower(self, input_ids, attention_mask):
        emb = self.bert.embeddings(input_ids=input_ids)
        mask = self._mask(emb, attention_mask)
        h = emb
        for layer in self.bert.encoder.layer[:self.k]:
            h = layer(h, mask)
        return h

    def upper(self, h, attention_mask):
        mask = self._mask(h, attention_mask)
        for layer in self.bert.encoder.layer[self.k:]:
            h = layer(h, mask)
        return h

    def set_train(self, on: bool) -> None:
        self.bert.train(on)
        self.bert.embeddings.eval()
        for layer in self.bert.encoder.layer[:self.k]:
            layer.eval()


def cache_lower(split: SplitEncoder, batches: list[list[int]], ids: list[list[int]], dev: str, desc: str):
    """Run the frozen lower encoder once over fixed batches; keep (hidden, mask, indices) per batch."""
    import torch
    from tqdm.auto import tqdm

    split.bert.eval()
    out = []
    with torch.no_grad():
        for b in tqdm(batches, desc=desc, leave=False):
            x = pad([ids[i] for i in b]).to(dev)
            m = (x != 0).long()
            out.append((split.lower(x, m), m, b))
    return out


def make_optimizer(params, lr: float, total_steps: int, warmup: float = 0.06):
    import torch

    params = [p for p in params if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warm = max(1, int(warmup * total_steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total_steps - s) / max(1, total_steps - warm))))
    return opt, sched


def run_epochs(cached: list, epochs: int, step, params, lr: float, desc: str) -> list[float]:
    """Train over cached batches for ``epochs`` (batch order reshuffled each epoch, seeded); return losses."""
    import torch
    from tqdm.auto import tqdm

    rng = random.Random(SEED)
    total = epochs * len(cached)
    opt, sched = make_optimizer(params, lr, total)
    losses = []
    bar = tqdm(total=total, desc=desc, leave=False)
    for _ in range(epochs):
        order = list(range(len(cached)))
        rng.shuffle(order)
        for j in order:
            loss = step(cached[j])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{sum(losses[-50:]) / len(losses[-50:]):.3f}")
    bar.close()
    return losses


def copy_licence(into: Path, ctx: dict) -> None:
    for name in ("LICENSE", "NOTICE"):
        src = minilm_dir(ctx) / name
        if src.exists():
            shutil.copy(src, into / name)


def base_record(ctx: dict) -> dict:
    info = ctx["manifest"].get("minilm", {})
    return {"zoo_entry": "minilm", "hub_id": info.get("hub_id", "sentence-transformers/all-MiniLM-L6-v2"),
            "sha256": info.get("files", {}).get("model.safetensors")}


def _round(d: dict) -> dict:
    return {k: round(float(v), 4) for k, v in d.items()}


# ------------------------------------------------------------------------------------------ sentiment
SENTIMENT = {"epochs": 2, "lr": 1e-4, "batch": 32, "max_length": 64, "frozen_layers": 3, "warmup": 0.06,
             "weight_decay": 0.01}
LABELS = {0: "NEGATIVE", 1: "POSITIVE"}


def predict_sentiment(folder, sentences: list[str], batch_size: int = 64) -> list[int]:
    """Predicted label ids (0 NEGATIVE, 1 POSITIVE) of a sentiment folder, with the recipe's max length."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder)).to(device()).eval()
    enc = tok(sentences, truncation=True, max_length=SENTIMENT["max_length"])["input_ids"]
    preds = [0] * len(sentences)
    with torch.no_grad():
        for b in length_batches([len(e) for e in enc], batch_size):
            x = pad([enc[i] for i in b]).to(device())
            logits = model(input_ids=x, attention_mask=(x != 0).long()).logits
            for i, p in zip(b, logits.argmax(-1).tolist()):
                preds[i] = p
    return preds


def sentiment_scores(folder, data=None, subset: int | None = None) -> dict:
    """Held-out accuracy of a sentiment folder on the movie test split (or its first ``subset`` rows)."""
    from ..data import load_sentences

    test = (data or load_sentences("movie"))["test"]
    sents, labels = list(test["sentence"]), list(test["label"])
    if subset:
        sents, labels = sents[:subset], labels[:subset]
    preds = predict_sentiment(folder, sents)
    return _round({"accuracy": sum(int(p == y) for p, y in zip(preds, labels)) / len(labels)})


def build_sentiment(into: Path, ctx: dict) -> dict:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ..data import load_sentences

    r, dev = SENTIMENT, device()
    seed_all()
    data = load_sentences("movie")
    tok = AutoTokenizer.from_pretrained(str(minilm_dir(ctx)))
    train = data["train"]
    ids = tok(list(train["sentence"]), truncation=True, max_length=r["max_length"])["input_ids"]
    labels = torch.tensor(list(train["label"]))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(minilm_dir(ctx)), num_labels=2, id2label=LABELS, label2id={v: k for k, v in LABELS.items()}).to(dev)
    split = SplitEncoder(model.bert, r["frozen_layers"])
    start = time.perf_counter()
    cached = cache_lower(split, length_batches([len(x) for x in ids], r["batch"]), ids, dev, "sentiment: cache")

    def step(item):
        h, m, b = item
        pooled = model.bert.pooler(split.upper(h, m))
        logits = model.classifier(model.dropout(pooled))
        return torch.nn.functional.cross_entropy(logits, labels[b].to(dev))

    split.set_train(True)
    model.classifier.train()
    losses = run_epochs(cached, r["epochs"], step, list(model.parameters()), r["lr"], "sentiment: train")
    train_seconds = round(time.perf_counter() - start, 1)
    model.eval()
    model.save_pretrained(str(into))
    tok.save_pretrained(str(into))
    copy_licence(into, ctx)
    scores = sentiment_scores(into, data)
    check = sentiment_scores(into, data, subset=CHECK_SUBSET)
    print(f"zoo: sentiment held-out accuracy {scores['accuracy']:.4f} (target {TARGETS['sentiment']['accuracy']}, "
          f"floor {FLOORS['sentiment']['accuracy']})", flush=True)
    check_floor("sentiment", scores)
    return {
        "base": base_record(ctx),
        "data": {"set": "movie (Rotten Tomatoes sentences, VADER valence > 0 = POSITIVE)", "train": len(train),
                 "validation": len(data["validation"]), "test": len(data["test"]), "evaluated_on": "test"},
        "recipe": {**r, "seed": SEED, "optimizer": "AdamW, linear warm-up then decay",
                   "note": f"embeddings and layers 0-{r['frozen_layers'] - 1} frozen (their output cached once); "
                           "upper layers, pooler and classifier trained; length-grouped batches"},
        "train_seconds": train_seconds, "final_train_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
        "device": dev, "threads": threads(), "scores": scores, "targets": TARGETS["sentiment"], "floors": FLOORS["sentiment"],
        "check_scores": {"subset": f"first {CHECK_SUBSET} test rows", **check},
        "labels": LABELS,
    }


register(Entry("sentiment", "model", "MiniLM-L6 + sentiment head trained on Rotten Tomatoes sentences",
               "Apache-2.0 (MiniLM weights); data: VADER sentence sets (MIT)", build_sentiment,
               deps=["minilm", "sentences"], stands_in_for="distilbert-base-uncased-finetuned-sst-2-english"))
