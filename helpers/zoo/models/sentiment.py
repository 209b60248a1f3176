"""The ``sentiment`` entry: MiniLM-L6 + a sequence-classification head (NEGATIVE/POSITIVE) trained on the
movie sentences.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").

It stands in for the seed's DistilBERT fine-tuned on SST-2, which cannot be had offline. Trained on the
train split of the Rotten Tomatoes sentences (VADER valence > 0 = POSITIVE), scored on the test split.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..core import Entry, register
from ..kit import (
    SplitEncoder,
    cache_lower,
    device,
    finish_build,
    length_batches,
    minilm_dir,
    pad,
    rounded,
    run_epochs,
    seed_all,
)

RECIPE = {
    "epochs": 2,
    "lr": 1e-4,
    "batch": 32,
    "max_length": 64,
    "frozen_layers": 3,
    "warmup": 0.06,
    "weight_decay": 0.01,
}
FLOORS = {"accuracy": 0.80}  # a gate: a build below it fails
TARGETS = {"accuracy": 0.86}  # a goal: reported, not enforced
LABELS = {0: "NEGATIVE", 1: "POSITIVE"}


def predict_sentiment(folder, sentences: list[str], batch_size: int = 64) -> list[int]:
    """Predicted label ids (0 NEGATIVE, 1 POSITIVE) of a sentiment folder, with the recipe's max length.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSequenceClassification.from_pretrained(str(folder)).to(device()).eval()
    enc = tok(sentences, truncation=True, max_length=RECIPE["max_length"])["input_ids"]
    preds = [0] * len(sentences)
    with torch.no_grad():
        for b in length_batches([len(e) for e in enc], batch_size):
            x = pad([enc[i] for i in b]).to(device())
            logits = model(input_ids=x, attention_mask=(x != 0).long()).logits
            for i, p in zip(b, logits.argmax(-1).tolist()):
                preds[i] = p
    return preds


def sentiment_scores(folder, data=None, subset: int | None = None) -> dict:
    """Held-out accuracy of a sentiment folder on the movie test split (or its first ``subset`` rows).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from ...data import load_sentences

    test = (data or load_sentences("movie"))["test"]
    sents, labels = list(test["sentence"]), list(test["label"])
    if subset:
        sents, labels = sents[:subset], labels[:subset]
    preds = predict_sentiment(folder, sents)
    return rounded({"accuracy": sum(int(p == y) for p, y in zip(preds, labels)) / len(labels)})


def build_sentiment(into: Path, ctx: dict) -> dict:
    """Build the ``sentiment`` entry: train, then :func:`~helpers.zoo.kit.finish_build` (save, score, gate).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from ...data import load_sentences

    r, dev = RECIPE, device()
    seed_all()
    data = load_sentences("movie")
    tok = AutoTokenizer.from_pretrained(str(minilm_dir(ctx)))
    train = data["train"]
    ids = tok(list(train["sentence"]), truncation=True, max_length=r["max_length"])["input_ids"]
    labels = torch.tensor(list(train["label"]))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(minilm_dir(ctx)), num_labels=2, id2label=LABELS, label2id={v: k for k, v in LABELS.items()}
    ).to(dev)
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
    losses, ran = run_epochs(cached, step, model, r, "sentiment: train")
    return finish_build(
        "sentiment",
        into,
        ctx,
        model=model,
        tokenizer=tok,
        floors=FLOORS,
        targets=TARGETS,
        score=lambda subset: sentiment_scores(into, data, subset=subset),
        recipe={
            **r,
            "note": f"embeddings and layers 0-{r['frozen_layers'] - 1} frozen (their output cached "
            "once); upper layers, pooler and classifier trained; length-grouped batches",
        },
        losses=losses,
        ran=ran,
        train_seconds=round(time.perf_counter() - start, 1),
        check_subset="first {n} test rows",
        data={
            "set": "movie (Rotten Tomatoes sentences, VADER valence > 0 = POSITIVE)",
            "train": len(train),
            "validation": len(data["validation"]),
            "test": len(data["test"]),
            "evaluated_on": "test",
        },
        labels=LABELS,
    )


ENTRY = register(
    Entry(
        "sentiment",
        "model",
        "MiniLM-L6 + sentiment head trained on Rotten Tomatoes sentences",
        "Apache-2.0 (MiniLM weights); data: VADER sentence sets (MIT)",
        build_sentiment,
        deps=["minilm", "sentences"],
        stands_in_for="distilbert-base-uncased-finetuned-sst-2-english",
        revision=2,  # 2: trained under bfloat16 autocast where the CPU has it (kit.precision)
    )
)
