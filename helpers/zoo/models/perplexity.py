"""The ``smollm2-perplexity`` entry: a held-out perplexity of the ``smollm2`` entry on the NYT test snippets
(scores only, no weights).

Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Causal language modelling: predicting the next token").
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from ..core import Entry, register
from ..kit import device, length_batches, pad, seed_all, threads

RECIPE = {"set": "nyt", "split": "test", "max_texts": 200, "batch": 16, "max_length": 128}


def perplexity(folder, texts: list[str], batch_size: int = RECIPE["batch"]) -> dict:
    """Token-level perplexity of a causal LM folder: exp(total NLL / predicted tokens), each text scored on its
    own (no prompt, no chat template; the first token of each text is context only).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32).to(device()).eval()
    ids = tok(texts, truncation=True, max_length=RECIPE["max_length"])["input_ids"]
    nll, n = 0.0, 0
    with torch.no_grad():
        for b in length_batches([len(x) for x in ids], batch_size):
            x = pad([ids[i] for i in b]).to(device())
            m = pad([[1] * len(ids[i]) for i in b]).to(device())
            logits = model(input_ids=x, attention_mask=m).logits[:, :-1].float()
            y = x[:, 1:].masked_fill(m[:, 1:] == 0, -100)
            nll += float(
                torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100, reduction="sum"
                )
            )
            n += int((y != -100).sum())
    return {"perplexity": round(math.exp(nll / n), 3), "tokens": n}


def build_smollm2_perplexity(into: Path, ctx: dict) -> dict:
    """Score SmolLM2 on held-out NYT snippets; record it here and in the ``smollm2`` entry.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from ...data import load_sentences

    seed_all()
    texts = list(load_sentences(RECIPE["set"])[RECIPE["split"]]["sentence"])[: RECIPE["max_texts"]]
    folder = Path(ctx["zoo"]) / "smollm2"
    start = time.perf_counter()
    res = perplexity(folder, texts)
    check = perplexity(folder, texts[:16])
    seconds = round(time.perf_counter() - start, 1)
    scores = {"nyt_test_perplexity": res["perplexity"]}
    record = {
        "model": "smollm2",
        "model_sha256": ctx["manifest"]["smollm2"]["files"].get("model.safetensors"),
        "data": {"set": RECIPE["set"], "split": RECIPE["split"], "texts": len(texts), "tokens": res["tokens"]},
        "scores": scores,
        "check_scores": {"subset": "first 16 texts", "perplexity": check["perplexity"]},
    }
    (into / "scores.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"zoo: SmolLM2 held-out perplexity on NYT test snippets {res['perplexity']:.3f}", flush=True)
    return {
        **record,
        "recipe": RECIPE,
        "eval_seconds": seconds,
        "device": device(),
        "threads": threads(),
        # the figure is mirrored into the smollm2 record too (its model card shows it), under the manifest's lock
        "also_update": {"smollm2": {"scores": {**scores, "computed_by": "smollm2-perplexity"}}},
    }


ENTRY = register(
    Entry(
        "smollm2-perplexity",
        "eval",
        "held-out perplexity of SmolLM2-135M-Instruct on the NYT test snippets",
        "Apache-2.0 (model); text: VADER NYT snippets (MIT)",
        build_smollm2_perplexity,
        deps=["smollm2", "sentences"],
    )
)
