"""The training kit every task model of the zoo is built with: batching, a frozen lower encoder, AdamW and
its schedule, the epoch loop, and the one tail every build ends with (:func:`finish_build`).

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").

CPU speed comes from dynamic padding, length-grouped batches, short maximum lengths, a frozen lower
encoder whose hidden states are computed once and cached (:class:`SplitEncoder`), and bfloat16 autocast
where the processor computes in bfloat16 natively (:func:`precision`; the weights and the optimizer stay in
float32, and the held-out scores are computed in float32). The optimizer follows
chapter 10: AdamW with two kinds of parameter groups (weight decay on weights, none on biases and LayerNorm
weights, the rule of :func:`helpers.training.split_decay_names`) and transformers' linear warm-up then
linear decay. Every number comes from the entry's recipe, and :func:`run_epochs` returns what ran so the
manifest records it. Device, threads and seeds come from :mod:`helpers.setup`.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import Callable

from .core import BuildFailed, home

SEED = 2024
CHECK_SUBSET = 128  # held-out items re-evaluated by the tests (scores recorded as "check_scores")


# ------------------------------------------------------------------------- device, threads, seeds
def device() -> str:
    """``"cuda"`` when a GPU is usable, else ``"cpu"`` (:func:`helpers.setup.pick_device`).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from ..setup import pick_device  # imported here: helpers.setup imports the zoo's core

    return pick_device()


def threads() -> int:
    """Apply ``$HFBOOK_THREADS`` (validated by :func:`helpers.setup.set_threads`); return torch's count.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch

    from ..setup import set_threads

    set_threads()
    return torch.get_num_threads()


def seed_all(seed: int = SEED) -> None:
    """Apply ``$HFBOOK_THREADS`` and seed Python, NumPy and PyTorch before a build.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from ..setup import seed_everything

    threads()
    seed_everything(seed)


def precision(dev: str) -> str:
    """``"bf16"`` when training runs under bfloat16 autocast, else ``"fp32"``.

    bfloat16 where the hardware computes it natively (a CUDA GPU that supports it; a CPU with AVX512-BF16 or
    AMX, where a training step takes about 40 % of its float32 time), float32 elsewhere. ``$HFBOOK_PRECISION``
    (``bf16`` or ``fp32``) overrides the choice, e.g. to reproduce a float32 build.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import os

    import torch

    asked = os.environ.get("HFBOOK_PRECISION", "").strip().lower()
    if asked:
        if asked not in ("bf16", "fp32"):
            raise ValueError(f"HFBOOK_PRECISION={asked!r}: use bf16 or fp32 (or unset it to let the zoo choose)")
        return asked
    if dev == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    return "bf16" if dev == "cpu" and native else "fp32"


def autocast(dev: str):
    """The autocast context of :func:`precision` for device ``dev`` (a no-op in float32).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch

    return torch.autocast(dev, dtype=torch.bfloat16, enabled=precision(dev) == "bf16")


# --------------------------------------------------------------------------------------- batching
def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (sorted by length, ties by index): little padding.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def pad(seqs: list[list[int]], value: int = 0):
    """Right-pad lists of ids to one tensor (dynamic padding: only to the longest in the batch).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch

    width = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [value] * (width - len(s)) for s in seqs])


# ------------------------------------------------------------------------------ the split encoder
class SplitEncoder:
    """A BERT encoder cut after layer ``k``: ``lower`` (embeddings + layers < k) and ``upper`` (the rest).

    The lower part is frozen: its output for a fixed input never changes, so it is computed once and cached,
    and only the upper layers and the head are trained. The attention mask comes from the model's own
    (private) ``_create_attention_masks``; ``tests/test_zoo_kit.py`` checks that lower + upper equals the
    full model, so a transformers upgrade that changes it fails there, not silently in a build.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
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
        for layer in self.bert.encoder.layer[: self.k]:
            h = layer(h, mask)
        return h

    def upper(self, h, attention_mask):
        mask = self._mask(h, attention_mask)
        for layer in self.bert.encoder.layer[self.k :]:
            h = layer(h, mask)
        return h

    def set_train(self, on: bool) -> None:
        self.bert.train(on)
        self.bert.embeddings.eval()
        for layer in self.bert.encoder.layer[: self.k]:
            layer.eval()


def cache_lower(
    split: SplitEncoder,
    batches: list[list[int]],
    ids: list[list[int]],
    dev: str,
    desc: str,
    types: list[list[int]] | None = None,
):
    """Run the frozen lower encoder once over fixed batches; keep (hidden, mask, indices) per batch.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from tqdm.auto import tqdm

    split.bert.eval()
    out = []
    with torch.no_grad(), autocast(dev):
        for b in tqdm(batches, desc=desc, leave=False):
            x = pad([ids[i] for i in b]).to(dev)
            m = pad([[1] * len(ids[i]) for i in b]).to(dev)
            t = pad([types[i] for i in b]).to(dev) if types is not None else None
            out.append((split.lower(x, m, t), m, b))
    return out


# ------------------------------------------------------------------------- optimizer and epochs
def make_optimizer(model, recipe: dict, total_steps: int, head=None):
    """AdamW over ``model``'s trainable parameters, and transformers' linear warm-up then decay to 0.

    Groups: weight decay ``recipe["weight_decay"]`` on weights and 0 on biases and LayerNorm weights (the
    rule of :func:`helpers.training.split_decay_names`); the parameters of ``head`` (a fresh head) at
    ``recipe["head_lr"]``, the rest at ``recipe["lr"]``. Warm-up lasts ``recipe["warmup"]`` of the steps.
    Each group carries its parameter ``names``. Returns ``(optimizer, scheduler)``.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    from ..training import split_decay_names

    decay, skip = split_decay_names(model, strict=False)
    params = dict(model.named_parameters())
    head_ids = {id(p) for p in head.parameters()} if head is not None else set()
    groups = []
    for in_head, lr in ((False, recipe["lr"]), (True, recipe.get("head_lr", recipe["lr"]))):
        for names, wd in ((decay, recipe["weight_decay"]), (skip, 0.0)):
            chosen = [n for n in names if (id(params[n]) in head_ids) == in_head]
            if chosen:
                groups.append({"params": [params[n] for n in chosen], "names": chosen, "lr": lr, "weight_decay": wd})
    opt = torch.optim.AdamW(groups, lr=recipe["lr"])
    warmup_steps = round(recipe["warmup"] * total_steps)
    return opt, get_linear_schedule_with_warmup(opt, warmup_steps, total_steps)


def run_epochs(cached: list, step: Callable, model, recipe: dict, desc: str, head=None) -> tuple[list, dict]:
    """Train over cached batches for ``recipe["epochs"]`` (batch order reshuffled each epoch, seeded).

    ``step(batch)`` returns the loss; it runs under :func:`autocast` (bfloat16 where the hardware has it),
    while the backward pass and the optimizer work on the float32 weights. Returns the losses and a record
    of what ran (groups with their learning rate, weight decay and tensor count; total and warm-up steps;
    the precision) for the manifest.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from tqdm.auto import tqdm

    rng = random.Random(SEED)
    dev = next(p for p in model.parameters()).device.type
    total = recipe["epochs"] * len(cached)
    opt, sched = make_optimizer(model, recipe, total, head)
    ran = {
        "optimizer": "AdamW",
        "schedule": "linear warm-up, then linear decay to 0 (transformers.get_linear_schedule_with_warmup)",
        "total_steps": total,
        "warmup_steps": round(recipe["warmup"] * total),
        "grad_clip_norm": 1.0,
        "precision": precision(dev),
        "groups": [
            {"lr": g["initial_lr"], "weight_decay": g["weight_decay"], "tensors": len(g["params"])}
            for g in opt.param_groups
        ],
    }
    losses = []
    bar = tqdm(total=total, desc=desc, leave=False)
    for _ in range(recipe["epochs"]):
        order = list(range(len(cached)))
        rng.shuffle(order)
        for j in order:
            with autocast(dev):
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
    return losses, ran


# ------------------------------------------------------------------------------ the common tail
def minilm_dir(ctx: dict | None = None) -> Path:
    """The zoo folder of the MiniLM encoder every task model starts from.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    zoo = Path(ctx["zoo"]) if ctx else home() / "zoo"
    return zoo / "minilm"


def base_record(ctx: dict) -> dict:
    """The manifest's record of the base model (zoo entry, hub id, sha256 of its weights).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    info = ctx["manifest"].get("minilm", {})
    return {
        "zoo_entry": "minilm",
        "hub_id": info.get("hub_id", "sentence-transformers/all-MiniLM-L6-v2"),
        "sha256": info.get("files", {}).get("model.safetensors"),
    }


def rounded(d: dict) -> dict:
    """Every value as a float rounded to 4 places (how scores are recorded).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return {k: round(float(v), 4) for k, v in d.items()}


def check_floor(name: str, scores: dict, floors: dict) -> None:
    """Raise :class:`BuildFailed` when a held-out score of entry ``name`` is below its floor.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    for metric, floor in floors.items():
        if scores[metric] < floor:
            raise BuildFailed(
                f"{name}: held-out {metric} {scores[metric]:.4f} is below the floor {floor}; the "
                "model was not cached (any previously built folder is kept). Check the data and "
                "the recipe, then rebuild with `python -m helpers.zoo build " + name + " --force`"
            )


def finish_build(
    name: str,
    into: Path,
    ctx: dict,
    *,
    model,
    tokenizer,
    score: Callable,
    floors: dict,
    recipe: dict,
    losses: list,
    ran: dict,
    train_seconds: float,
    check_subset: str,
    targets: dict | None = None,
    **fields,
) -> dict:
    """The tail of every task model's build; returns its manifest fields.

    Saves the model and tokenizer into ``into``, copies MiniLM's LICENSE and NOTICE, scores the folder on
    the held-out data (``score(None)``) and on the first :data:`CHECK_SUBSET` items (``score(CHECK_SUBSET)``,
    which the tests recompute; ``check_subset`` says which, ``{n}`` standing for the count), gates on
    ``floors`` and records the recipe together with the optimizer that ``ran``.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    model.eval()
    model.save_pretrained(str(into))
    tokenizer.save_pretrained(str(into))
    for licence in ("LICENSE", "NOTICE"):
        src = minilm_dir(ctx) / licence
        if src.exists():
            shutil.copy(src, into / licence)
    start = time.perf_counter()
    scores = score(None)
    check = score(CHECK_SUBSET)
    shown = ", ".join(f"{k} {v:.4f}" for k, v in scores.items() if isinstance(v, float))
    gates = ", ".join(f"{k} {v}" for k, v in floors.items())
    print(f"zoo: {name} held-out {shown} (floor {gates})", flush=True)
    check_floor(name, scores, floors)
    return {
        "base": base_record(ctx),
        "recipe": {**recipe, "seed": SEED, **ran},
        "train_seconds": train_seconds,
        "eval_seconds": round(time.perf_counter() - start, 1),
        "final_train_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
        "device": device(),
        "threads": threads(),
        "scores": scores,
        "floors": floors,
        **({"targets": targets} if targets else {}),
        "check_scores": {"subset": check_subset.format(n=CHECK_SUBSET), **check},
        **fields,
    }
