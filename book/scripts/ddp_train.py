r"""Data-parallel fine-tuning of a sentence classifier, one process per device:
launch it with torchrun.

Used by chapter 13 (``book/13_scaling_out.ipynb``). The same file runs

    # one process, then two on one machine (gloo on CPU)
    torchrun --standalone --nproc-per-node 1 book/scripts/ddp_train.py
    torchrun --standalone --nproc-per-node 2 book/scripts/ddp_train.py
    # two machines: the same command on each, with its own --node-rank;
    # HOST is machine 1's address, its port 29500 open to machine 2
    torchrun --nnodes 2 --node-rank 0 --nproc-per-node 1 \
        --rdzv-endpoint HOST:29500 book/scripts/ddp_train.py
    torchrun --nnodes 2 --node-rank 1 --nproc-per-node 1 \
        --rdzv-endpoint HOST:29500 book/scripts/ddp_train.py

torchrun starts the processes and gives each one RANK, LOCAL_RANK, WORLD_SIZE,
MASTER_ADDR and MASTER_PORT in its environment; ``init_process_group`` reads
them. On GPUs the backend is NCCL and each process takes the GPU of its
LOCAL_RANK; on CPU it is gloo.

Each process reads its own slice of the training set (``DistributedSampler``),
so the *global* batch is ``--per-process-batch`` x WORLD_SIZE. After
``--steps`` optimizer steps every rank sends its weights to the others and
rank 0 checks that they are identical (with ``--no-ddp`` the model is not
wrapped, gradients are not averaged, and the check shows how far the copies
drifted apart). Rank 0 writes a JSON summary to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    # The description: the docstring's first paragraph, as one line.
    description = " ".join(__doc__.split("\n\n")[0].split())
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--steps",
        type=int,
        default=12,
        help="optimizer steps (the first --warmup are not timed)",
    )
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--per-process-batch", type=int, default=8)
    p.add_argument("--max-length", type=int, default=32)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument(
        "--model",
        choices=["encoder", "tiny"],
        default="encoder",
        help="encoder: the book's MiniLM (helpers.checkpoint('encoder')); "
        "tiny: a 2-layer BERT from a config",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads per process (1: one core per process)",
    )
    p.add_argument(
        "--device",
        choices=["auto", "cpu"],
        default="auto",
        help="auto: one GPU per process (NCCL) when there are enough GPUs, "
        "else CPU (gloo)",
    )
    p.add_argument(
        "--no-ddp",
        action="store_true",
        help="train without DistributedDataParallel (no gradient sync)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="JSON summary written by rank 0"
    )
    return p.parse_args(argv)


def build_model(kind: str, tokenizer):
    from transformers import AutoModelForSequenceClassification, BertConfig

    from helpers import checkpoint

    if kind == "tiny":
        config = BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=128,
            num_labels=2,
        )
        return AutoModelForSequenceClassification.from_config(config)
    return AutoModelForSequenceClassification.from_pretrained(
        checkpoint("encoder"), num_labels=2
    )


def main(argv=None) -> dict:
    args = parse_args(argv)
    # The book's setup, without the printout: offline unless HFBOOK_HUB=1,
    # quiet logs.
    from helpers.checkpoints import hub_mode
    from helpers.setup import go_offline

    if not hub_mode():
        go_offline()
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP
    from torch.utils.data import DataLoader
    from torch.utils.data.distributed import DistributedSampler
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    from helpers import checkpoint
    from helpers.data import load_sentences

    hf_logging.set_verbosity_error()
    torch.set_num_threads(args.threads)

    # processes on this node
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", 1))
    use_cuda = (
        args.device == "auto"
        and torch.cuda.is_available()
        and torch.cuda.device_count() >= local_world
    )
    backend = "nccl" if use_cuda else "gloo"
    # reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set by torchrun
    dist.init_process_group(backend=backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = (
        torch.device(f"cuda:{local_rank}") if use_cuda else torch.device("cpu")
    )
    if use_cuda:
        torch.cuda.set_device(device)

    # the same initial weights on every rank (DDP also broadcasts rank 0's at
    # wrap time)
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint("encoder"))
    model = build_model(args.model, tokenizer).to(device)
    if not args.no_ddp:
        model = DDP(model, device_ids=[local_rank] if use_cuda else None)

    train = load_sentences("movie")["train"]
    sampler = DistributedSampler(
        train,
        num_replicas=world,
        rank=rank,
        shuffle=True,
        seed=0,
        drop_last=True,
    )

    def collate(rows):
        batch = tokenizer(
            [r["sentence"] for r in rows],
            padding="max_length",
            truncation=True,
            max_length=args.max_length,
            return_tensors="pt",
        )
        batch["labels"] = torch.tensor([r["label"] for r in rows])
        return batch

    loader = DataLoader(
        train,
        batch_size=args.per_process_batch,
        sampler=sampler,
        collate_fn=collate,
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    model.train()

    # which examples each rank reads first, and where each rank runs
    first_batch = list(sampler)[: args.per_process_batch]
    node_rank = int(os.environ.get("GROUP_RANK", 0))  # set by torchrun
    first_batches, placement = [None] * world, [None] * world
    dist.all_gather_object(first_batches, first_batch)
    dist.all_gather_object(placement, (rank, node_rank, local_rank))

    losses, seen_ids, start = [], 0, None
    batches = iter(loader)
    for step in range(args.steps):
        if step == args.warmup:
            dist.barrier()
            start = time.perf_counter()
        batch = {k: v.to(device) for k, v in next(batches).items()}
        loss = model(**batch).loss
        loss.backward()  # with DDP: gradients are all-reduced
        # (averaged over ranks) during backward
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        seen_ids += batch["input_ids"].shape[0]
    if use_cuda:
        torch.cuda.synchronize()
    dist.barrier()
    seconds = time.perf_counter() - start
    timed_steps = args.steps - args.warmup

    # Are the copies identical? Gather every rank's flattened weights on every
    # rank and compare with rank 0's.
    raw = model.module if isinstance(model, DDP) else model
    flat = torch.cat([p.detach().reshape(-1) for p in raw.parameters()]).float()
    gathered = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    max_diff = max(float((g - gathered[0]).abs().max()) for g in gathered)
    mean_losses = torch.tensor(losses, device=device)
    dist.all_reduce(mean_losses)  # sum over ranks
    mean_losses = (mean_losses / world).tolist()

    summary = {
        "world_size": world,
        "backend": backend,
        "device": str(device),
        "ddp": not args.no_ddp,
        "model": args.model,
        "parameters": sum(p.numel() for p in raw.parameters()),
        "per_process_batch": args.per_process_batch,
        "global_batch": args.per_process_batch * world,
        "samples_per_rank_per_step": seen_ids // args.steps,
        "steps": args.steps,
        "timed_steps": timed_steps,
        "seconds": seconds,
        "samples_per_second": (
            args.per_process_batch * world * timed_steps / seconds
        ),
        "mean_loss_per_step": mean_losses,
        "max_weight_difference": max_diff,
        # torchrun: the number of nodes (agent groups)
        "nnodes": int(os.environ.get("GROUP_WORLD_SIZE", 1)),
        "node_rank": node_rank,
        # (rank, node_rank, local_rank) of every process
        "ranks": placement,
        "dataset_size": len(train),
        # the sampler's indices of each rank's first batch
        "first_batches": first_batches,
        "threads_per_process": args.threads,
    }
    if not args.no_ddp:
        assert max_diff == 0.0, (
            f"rank weights differ after DDP steps (max |diff| = {max_diff})"
        )
    print(
        f"[rank {rank}/{world}] done: {args.steps} steps, "
        f"max weight difference between ranks {max_diff:.3g}",
        flush=True,
    )
    if rank == 0 and args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2))
    dist.destroy_process_group()
    return summary


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
