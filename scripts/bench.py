"""The book's training and inference benchmark (``make bench`` = ``.venv/bin/python scripts/bench.py``).

Prints one JSON object per figure on stdout (progress bars go to stderr), then one summary line.

* ``p3``        — the book's recipe (``helpers.training.RECIPE``, shown in chapter 10: MiniLM + a 2-label head on
                  the mean-pooled output, word embeddings frozen, 2 epochs on the 8 454 movie + 2 888 Amazon
                  training sentences) → validation accuracy after each epoch, held-out test accuracy (target
                  ≥ 0.87) and training wall and CPU time on 2 CPU threads (target ≤ 600 s); the same recipe on CUDA
                  too when a GPU is present.
                  ``--set KEY=VALUE`` changes one key of the recipe for an experiment (the figure shows the recipe it
                  ran), ``--threads 1`` is kinder to a shared machine.
* ``p4``        — training throughput (examples/s) on the same examples and steps with pad-to-max-length vs dynamic
                  padding vs dynamic padding + length-grouped batches (target: last/first ≥ 2).
* ``inference`` — the ``sentiment`` pipeline, examples/s at batch size 1 vs 32.

Run parts with ``--only p4`` (comma-separated). Timings depend on the machine and on what else runs on it: every
figure carries the load average and the process CPU seconds, and the steps of the variants compared in p4 and
inference are interleaved, so a busy neighbour slows all of them alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without an install too

from helpers import checkpoint, setup_chapter  # noqa: E402  (sets the offline switches before transformers)

PARTS = ("p3", "p4", "inference")


def emit(obj: dict) -> dict:
    obj = {**obj, "load_avg_1m": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count()}
    print(json.dumps(obj), flush=True)
    return obj


def encoded_movie(max_length: int, extra_train_sets=()):
    """The movie sentences tokenized once (MiniLM's tokenizer), ready for DataCollatorWithPadding; the training
    splits of ``extra_train_sets`` (other sets of ``helpers.data``) join the movie training split."""
    from datasets import concatenate_datasets
    from transformers import AutoTokenizer

    from helpers.data import load_sentences

    tok = AutoTokenizer.from_pretrained(checkpoint("encoder"))

    def encode(ds):
        return ds.map(
            lambda b: tok(b["sentence"], truncation=True, max_length=max_length),
            batched=True,
            remove_columns=["id", "sentence", "valence"],
        ).rename_column("label", "labels")

    enc = encode(load_sentences("movie"))
    if extra_train_sets:
        enc["train"] = concatenate_datasets(
            [enc["train"]] + [encode(load_sentences(n))["train"] for n in extra_train_sets]
        )
    return tok, enc


def loaders(tok, enc, batch_size: int, length_grouped: bool, seed: int):
    import torch
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding
    from transformers.trainer_pt_utils import LengthGroupedSampler

    collate = DataCollatorWithPadding(tok)
    g = torch.Generator().manual_seed(seed)
    train = enc["train"]
    if length_grouped:
        sampler = LengthGroupedSampler(batch_size, lengths=[len(x) for x in train["input_ids"]], generator=g)
        train_loader = DataLoader(train, batch_size=batch_size, sampler=sampler, collate_fn=collate)
    else:
        train_loader = DataLoader(train, batch_size=batch_size, shuffle=True, generator=g, collate_fn=collate)
    eval_loaders = {s: DataLoader(enc[s], batch_size=128, collate_fn=collate) for s in ("validation", "test")}
    return train_loader, eval_loaders


def run_recipe(device: str, tok, enc, recipe: dict) -> dict:
    """Train ``recipe`` (helpers.training.RECIPE) on ``enc["train"]``; validation accuracy after each epoch, test
    scores at the end. Training time excludes the evaluation passes."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    from helpers.setup import seed_everything
    from helpers.training import build_classifier, evaluate_classifier, parameter_groups, train_classifier

    seed_everything(recipe["seed"])
    model = build_classifier(recipe).to(device)
    train_loader, eval_loaders = loaders(tok, enc, recipe["batch_size"], recipe["length_grouped"], recipe["seed"])
    steps = recipe["epochs"] * len(train_loader)
    optimizer = torch.optim.AdamW(parameter_groups(model, recipe["weight_decay"]), lr=recipe["learning_rate"])
    scheduler = get_linear_schedule_with_warmup(optimizer, int(recipe["warmup_ratio"] * steps), steps)
    train_s = train_cpu_s = 0.0
    history, per_epoch = {"loss": []}, []
    for epoch in range(recipe["epochs"]):
        cpu0, t0 = time.process_time(), time.perf_counter()
        h = train_classifier(
            model, train_loader, optimizer, scheduler, device=device, desc=f"p3 {device} epoch {epoch + 1}"
        )
        train_s += time.perf_counter() - t0
        train_cpu_s += time.process_time() - cpu0
        history["loss"] += h["loss"]
        val = evaluate_classifier(model, eval_loaders["validation"], device)
        per_epoch.append(
            {
                "epoch": epoch + 1,
                "train_wall_s": round(train_s, 1),
                "train_cpu_s": round(train_cpu_s, 1),
                "train_loss_mean": round(sum(h["loss"]) / len(h["loss"]), 4),
                "validation_accuracy": round(val["accuracy"], 4),
                "validation_loss": round(val["loss"], 4),
            }
        )
        print(f"p3 {device} epoch {epoch + 1}: {per_epoch[-1]}", file=sys.stderr, flush=True)
    scores = {"validation": val, "test": evaluate_classifier(model, eval_loaders["test"], device)}
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {
        "steps": steps,
        "trainable_parameters": trainable,
        "train_wall_s": round(train_s, 1),
        "train_cpu_s": round(train_cpu_s, 1),
        "final_train_loss_mean_last_20": round(sum(history["loss"][-20:]) / min(20, len(history["loss"])), 4),
        "per_epoch": per_epoch,
        "validation": {k: round(v, 4) for k, v in scores["validation"].items()},
        "test": {k: round(v, 4) for k, v in scores["test"].items()},
    }


def bench_p3(args) -> dict:
    import torch

    from helpers.training import RECIPE

    recipe = dict(RECIPE)
    for key, value in args.set or []:  # experiments: --set epochs=2 --set pooling=cls (the figure shows the recipe)
        if key not in recipe:
            raise SystemExit(f"--set {key}=...: not a key of helpers.training.RECIPE ({', '.join(recipe)})")
        recipe[key] = type(recipe[key])(json.loads(value) if not isinstance(recipe[key], str) else value)
    if args.epochs is not None:
        recipe["epochs"] = args.epochs
    tok, enc = encoded_movie(recipe["max_length"], recipe["extra_train_sets"])
    if args.train_limit:  # development only: a shortened run (the figure then says so)
        enc["train"] = enc["train"].select(range(args.train_limit))
        enc["test"] = enc["test"].select(range(min(args.train_limit, len(enc["test"]))))
        enc["validation"] = enc["validation"].select(range(min(args.train_limit, len(enc["validation"]))))
        recipe["train_limit"] = args.train_limit
    threads, n_threads = torch.get_num_threads(), args.threads or min(2, os.cpu_count() or 2)
    torch.set_num_threads(n_threads)
    try:
        cpu = run_recipe("cpu", tok, enc, recipe)
    finally:
        torch.set_num_threads(threads)
    out = emit(
        {
            "figure": "p3_recipe_cpu",
            "device": "cpu",
            "torch_threads": n_threads,
            "model": f"all-MiniLM-L6-v2 + 2-label head on the {recipe['pooling']}-pooled output (offline zoo)",
            "recipe": recipe,
            "train_examples": len(enc["train"]),
            **cpu,
            "test_accuracy": cpu["test"]["accuracy"],
            "target_test_accuracy": 0.87,
            "accuracy_met": cpu["test"]["accuracy"] >= 0.87,
            "target_train_wall_s": 600,
            "time_met": cpu["train_wall_s"] <= 600,
        }
    )
    result = {"cpu": out}
    if torch.cuda.is_available():
        gpu = run_recipe("cuda", tok, enc, recipe)
        result["cuda"] = emit(
            {
                "figure": "p3_recipe_cuda",
                "device": torch.cuda.get_device_name(0),
                "recipe": recipe,
                **gpu,
                "test_accuracy": gpu["test"]["accuracy"],
            }
        )
    return result


def bench_p4(args) -> dict:
    import torch
    from torch.utils.data import DataLoader
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from helpers.setup import pick_device, seed_everything
    from helpers.training import move_to

    device = pick_device()
    max_length, bs, steps = 64, 32, args.p4_steps
    tok, enc = encoded_movie(max_length)
    train = enc["train"]  # all three variants batch the whole training set (length grouping needs a pool to sort)
    lengths = [len(x) for x in train["input_ids"]]
    g = lambda: torch.Generator().manual_seed(0)  # noqa: E731
    variants = {
        "pad_to_max_length": DataLoader(
            train,
            batch_size=bs,
            shuffle=True,
            generator=g(),
            collate_fn=DataCollatorWithPadding(tok, padding="max_length", max_length=max_length),
        ),
        "dynamic_padding": DataLoader(
            train, batch_size=bs, shuffle=True, generator=g(), collate_fn=DataCollatorWithPadding(tok)
        ),
        "dynamic_padding_length_grouped": DataLoader(
            train,
            batch_size=bs,
            sampler=LengthGroupedSampler(bs, lengths=lengths, generator=g()),
            collate_fn=DataCollatorWithPadding(tok),
        ),
    }
    # the same number of steps from each: batches at evenly spaced positions of one epoch, so each variant's sample
    # follows its own length distribution (LengthGroupedSampler puts the longest batch first: position 0 is skipped)
    n_batches = len(train) // bs
    positions = [int((i + 0.5) * n_batches / steps) for i in range(steps)]
    batches = {}
    for k, dl in variants.items():
        every = list(dl)
        batches[k] = [every[p] for p in positions]
    models, opts = {}, {}
    for k in variants:
        seed_everything(0)
        models[k] = (
            AutoModelForSequenceClassification.from_pretrained(checkpoint("encoder"), num_labels=2).to(device).train()
        )
        opts[k] = torch.optim.AdamW(models[k].parameters(), lr=5e-5)
    seconds = {k: 0.0 for k in variants}

    def step(k, batch):
        batch = move_to(batch, device)
        t = time.perf_counter()
        models[k](**batch).loss.backward()
        opts[k].step()
        opts[k].zero_grad()
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - t

    for k in variants:  # one untimed warm-up step each
        step(k, batches[k][0])
    for i in range(steps):  # interleaved: step i of every variant, so load changes hit all of them alike
        for k in variants:
            seconds[k] += step(k, batches[k][i])
        print(f"p4 step {i + 1}/{steps}", file=sys.stderr, flush=True)
    rows = {}
    for k in variants:
        tokens = sum(b["input_ids"].numel() for b in batches[k])
        real = sum(int(b["attention_mask"].sum()) for b in batches[k])
        rows[k] = emit(
            {
                "figure": f"p4_{k}",
                "device": device,
                "steps": steps,
                "batch_size": bs,
                "examples": bs * steps,
                "examples_per_s": round(bs * steps / seconds[k], 2),
                "seconds": round(seconds[k], 2),
                "sampled_from": f"{steps} batches evenly spaced over one epoch of {len(train)} sentences",
                "mean_padded_length": round(tokens / (bs * steps), 1),
                "padding_fraction": round(1 - real / tokens, 3),
            }
        )
    first, last = rows["pad_to_max_length"], rows["dynamic_padding_length_grouped"]
    ratio = last["examples_per_s"] / first["examples_per_s"]
    rows["ratio"] = emit(
        {
            "figure": "p4_ratio_length_grouped_vs_max_length",
            "ratio": round(ratio, 2),
            "target": 2.0,
            "met": ratio >= 2.0,
            "ratio_dynamic_vs_max_length": round(
                rows["dynamic_padding"]["examples_per_s"] / first["examples_per_s"], 2
            ),
        }
    )
    return rows


def bench_inference(args) -> dict:
    import torch
    from transformers import pipeline

    from helpers.data import load_sentences
    from helpers.setup import pick_device

    try:
        path = checkpoint("sentiment")
    except Exception as err:  # noqa: BLE001 — the zoo entry is optional for the other parts
        return {"skipped": emit({"figure": "inference_sentiment_pipeline", "skipped": str(err)})}
    device = pick_device()
    clf = pipeline("sentiment-analysis", model=path, device=0 if device == "cuda" else -1)
    sentences = load_sentences("movie")["test"]["sentence"][: args.inference_n]
    clf(sentences[:8], batch_size=8)  # warm-up
    seconds = {1: 0.0, 32: 0.0}
    outputs = {1: [], 32: []}
    for i in range(0, len(sentences), 32):  # interleaved chunks of 32 sentences
        chunk = sentences[i : i + 32]
        for bs in (1, 32):
            t = time.perf_counter()
            outputs[bs] += clf(chunk, batch_size=bs)
            if device == "cuda":
                torch.cuda.synchronize()
            seconds[bs] += time.perf_counter() - t
    same = sum(a["label"] == b["label"] for a, b in zip(outputs[1], outputs[32]))
    rows = {
        bs: emit(
            {
                "figure": f"inference_batch_{bs}",
                "device": device,
                "examples": len(sentences),
                "batch_size": bs,
                "examples_per_s": round(len(sentences) / seconds[bs], 2),
                "seconds": round(seconds[bs], 2),
            }
        )
        for bs in (1, 32)
    }
    rows["ratio"] = emit(
        {
            "figure": "inference_ratio_batch_32_vs_1",
            "ratio": round(seconds[1] / seconds[32], 2),
            "same_labels": f"{same}/{len(sentences)}",
        }
    )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts to run: {', '.join(PARTS)}")
    parser.add_argument("--epochs", type=int, default=None, help="p3: override the recipe's epochs")
    parser.add_argument(
        "--set",
        type=lambda kv: tuple(kv.split("=", 1)),
        action="append",
        metavar="KEY=VALUE",
        help="p3, experiments: override one key of the recipe (repeatable), e.g. --set pooling=cls",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="p3: torch CPU threads (default: 2, the benchmark's machine; 1 on a shared machine)",
    )
    parser.add_argument(
        "--train-limit",
        type=int,
        default=None,
        help="p3, development only: train and evaluate on the first N examples of each split",
    )
    parser.add_argument("--p4-steps", type=int, default=20, help="p4: training steps per variant (batch size 32)")
    parser.add_argument("--inference-n", type=int, default=256, help="inference: number of test sentences")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {PARTS}")
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()) as setup_out:
        facts = setup_chapter()
    print(setup_out.getvalue(), file=sys.stderr, end="")
    emit(
        {
            "figure": "environment",
            "versions": facts["versions"],
            "device": facts["device"],
            "command": "python scripts/bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "note": "the machine may be shared: compare figures within one run; absolute timings are upper bounds",
        }
    )
    results, t0 = {}, time.perf_counter()
    for part in parts:
        results[part] = {"p3": bench_p3, "p4": bench_p4, "inference": bench_inference}[part](args)
    summary = []
    if "p3" in results:
        c = results["p3"]["cpu"]
        summary.append(
            f"p3 test_acc={c['test_accuracy']:.4f} ({'met' if c['accuracy_met'] else 'MISSED'} ≥0.87), "
            f"train {c['train_wall_s']:.0f}s wall / {c['train_cpu_s']:.0f}s CPU on {c['torch_threads']} threads "
            f"({'met' if c['time_met'] else 'MISSED'} ≤600s)"
            + (f", cuda {results['p3']['cuda']['train_wall_s']:.0f}s" if "cuda" in results["p3"] else "")
        )
    if "p4" in results:
        r = results["p4"]
        summary.append(
            f"p4 ex/s max_length={r['pad_to_max_length']['examples_per_s']} "
            f"dynamic={r['dynamic_padding']['examples_per_s']} "
            f"grouped={r['dynamic_padding_length_grouped']['examples_per_s']} "
            f"ratio={r['ratio']['ratio']} ({'met' if r['ratio']['met'] else 'MISSED'} ≥2)"
        )
    if "inference" in results:
        r = results["inference"]
        summary.append(
            "inference skipped (no sentiment checkpoint)"
            if "skipped" in r
            else f"inference ex/s bs1={r[1]['examples_per_s']} bs32={r[32]['examples_per_s']} "
            f"ratio={r['ratio']['ratio']}"
        )
    print(
        f"SUMMARY ({time.perf_counter() - t0:.0f}s, load {os.getloadavg()[0]:.1f}): " + "; ".join(summary), flush=True
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
