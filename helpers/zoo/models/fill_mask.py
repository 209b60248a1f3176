"""The ``fill-mask`` entry: MiniLM-L6 + a fresh masked-LM head (decoder tied to the word embeddings), trained
with BERT's 15 % masking on the shipped sentences, and its top-1/top-5 metric.

Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Masked language modelling: the fill-mask pipeline").

It stands in for the seed's ``distilroberta-base``. The masking is drawn once (seeded) and kept; the
output bias starts at the log unigram frequencies of the training text, and logits are computed only at
the masked positions (the vocabulary projection is the expensive part on a CPU).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from ..core import Entry, ZooError, register
from ..kit import (
    SEED,
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

TEXT_SETS = ("nyt", "amazon", "movie", "tweets")  # every sentence set (order fixes the seeded sample)
RECIPE = {
    "epochs": 3,
    "lr": 4e-4,
    "head_lr": 1.5e-3,
    "batch": 32,
    "max_length": 64,
    "frozen_layers": 3,
    "mask_prob": 0.15,
    "max_train_sentences": 4000,
    "warmup": 0.06,
    "weight_decay": 0.01,
}
FLOORS = {"top5": 0.30}


def mask_tokens(ids: list[list[int]], tok, seed: int, train: bool, mask_prob: float = RECIPE["mask_prob"]):
    """Pick ``mask_prob`` of the non-special tokens of each sentence (at least one), seeded.

    Training inputs follow BERT: of the picked tokens 80 % become [MASK], 10 % a random token, 10 % stay.
    Evaluation inputs mask every picked token. Returns (inputs, labels) with -100 where nothing was picked.
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    special = set(tok.all_special_ids)
    inputs, labels = [], []
    for seq in ids:
        x, y = list(seq), [-100] * len(seq)
        cand = [i for i, t in enumerate(seq) if t not in special]
        if cand:
            n = max(1, round(mask_prob * len(cand)))
            picked = [cand[i] for i in torch.randperm(len(cand), generator=g)[:n].tolist()]
            for i in picked:
                y[i] = seq[i]
                u = torch.rand(1, generator=g).item() if train else 0.0
                if u < 0.8:
                    x[i] = tok.mask_token_id
                elif u < 0.9:
                    x[i] = int(torch.randint(999, tok.vocab_size, (1,), generator=g))  # skip [unused] ids
        inputs.append(x)
        labels.append(y)
    return inputs, labels


def mlm_texts(split: str) -> list[str]:
    """Every sentence of one split of the :data:`TEXT_SETS` (the fill-mask model's text)."""
    from ...data import load_sentences

    return [s for n in TEXT_SETS for s in load_sentences(n)[split]["sentence"]]


def mlm_scores(folder, texts: list[str], subset: int | None = None) -> dict:
    """Top-1 / top-5 accuracy of a masked-LM folder at seeded masked positions (every one [MASK])."""
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    texts = texts[:subset] if subset else texts
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForMaskedLM.from_pretrained(str(folder)).to(device()).eval()
    ids = tok(texts, truncation=True, max_length=RECIPE["max_length"])["input_ids"]
    inputs, labels = mask_tokens(ids, tok, SEED + 1, train=False)
    top1 = top5 = total = 0
    with torch.no_grad():
        for b in length_batches([len(x) for x in inputs], 64):
            x = pad([inputs[i] for i in b]).to(device())
            y = pad([labels[i] for i in b], -100).to(device())
            m = pad([[1] * len(inputs[i]) for i in b]).to(device())
            hidden = model.bert(input_ids=x, attention_mask=m).last_hidden_state
            logits = model.cls(hidden[y != -100])  # = model(...).logits at the masked positions only
            gold = y[y != -100]
            best = logits.topk(5, dim=-1).indices
            top1 += int((best[:, 0] == gold).sum())
            top5 += int((best == gold[:, None]).any(-1).sum())
            total += len(gold)
    return {**rounded({"top1": top1 / total, "top5": top5 / total}), "masked_tokens": total}


def build_fill_mask(into: Path, ctx: dict) -> dict:
    """Build the ``fill-mask`` entry: fresh MLM head on MiniLM, static 15 % masking, top-1/top-5 scores."""
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    r, dev = RECIPE, device()
    seed_all()
    tok = AutoTokenizer.from_pretrained(str(minilm_dir(ctx)))
    pool = mlm_texts("train")
    texts = random.Random(SEED).sample(pool, min(len(pool), r["max_train_sentences"]))
    ids = tok(texts, truncation=True, max_length=r["max_length"])["input_ids"]
    inputs, labels = mask_tokens(ids, tok, SEED, train=True)
    model = BertForMaskedLM.from_pretrained(str(minilm_dir(ctx))).to(dev)
    dec, emb = model.cls.predictions.decoder.weight, model.bert.embeddings.word_embeddings.weight
    if dec.data_ptr() != emb.data_ptr():
        raise ZooError("BertForMaskedLM's decoder is not tied to the word embeddings")
    counts = torch.bincount(torch.tensor([t for seq in ids for t in seq[1:-1]]), minlength=model.config.vocab_size)
    with torch.no_grad():  # start the output bias at the log unigram frequency of the training text
        model.cls.predictions.bias.copy_(torch.log((counts.float() + 0.1) / (counts.sum() + 0.1 * len(counts))))
    split = SplitEncoder(model.bert, r["frozen_layers"])  # freezes the embeddings, hence the tied decoder
    start = time.perf_counter()
    cached = cache_lower(split, length_batches([len(x) for x in inputs], r["batch"]), inputs, dev, "fill-mask: cache")

    def step(item):
        h, m, b = item
        y = pad([labels[i] for i in b], -100).to(dev)
        hs = split.upper(h, m)[y != -100]
        return torch.nn.functional.cross_entropy(model.cls(hs), y[y != -100])

    split.set_train(True)
    model.cls.train()
    losses, ran = run_epochs(cached, step, model, r, "fill-mask: train", head=model.cls)
    test = mlm_texts("test")
    return finish_build(
        "fill-mask",
        into,
        ctx,
        model=model,
        tokenizer=tok,
        floors=FLOORS,
        score=lambda subset: mlm_scores(into, test, subset=subset),
        recipe={
            **r,
            "masking": "static (drawn once, seeded): 80 % [MASK] / 10 % random / 10 % kept",
            "head": "fresh BertLMPredictionHead (dense + GELU + LayerNorm) with the decoder tied to the "
            "word embeddings; output bias started at log unigram frequencies",
            "note": f"embeddings (so the tied decoder) and layers 0-{r['frozen_layers'] - 1} frozen; logits "
            "computed only at masked positions",
        },
        losses=losses,
        ran=ran,
        train_seconds=round(time.perf_counter() - start, 1),
        check_subset="first {n} test sentences",
        data={
            "sets": list(TEXT_SETS),
            "train_pool": len(pool),
            "train": len(texts),
            "test": len(test),
            "evaluated_on": "test splits of every set, 15 % of tokens masked (seeded), all as [MASK]",
        },
    )


ENTRY = register(
    Entry(
        "fill-mask",
        "model",
        "MiniLM-L6 + masked-LM head trained on shipped text",
        "Apache-2.0 (MiniLM weights); text: VADER sentence sets (MIT)",
        build_fill_mask,
        deps=["minilm", "sentences"],
        stands_in_for="distilroberta-base",
    )
)
