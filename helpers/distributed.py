"""Data-parallel training drawn: the ranks, the shard of the data each one reads, the all-reduce inside
``backward()`` that averages their gradients, and the global batch; and, across machines, how ``node_rank`` and
``local_rank`` make a process's global rank.

The chapter passes what its own runs did: the world size, the per-rank batch and the indices the
``DistributedSampler`` gave each rank for the first step; and, for the two-node run, the ``(rank, node_rank,
local_rank)`` of every process, which ``book/scripts/ddp_train.py`` gathers into its summary.

Defined in chapter 13 (``book/13_scaling_out.ipynb``, "Global batch and per-process batch").
"""

from __future__ import annotations

__all__ = ["draw_ddp_step", "draw_nodes", "draw_throughput", "global_rank"]


def global_rank(node_rank: int, local_rank: int, nproc_per_node: int) -> int:
    """The rank torchrun gives a process: ``node_rank × nproc_per_node + local_rank``.

    Defined in chapter 13 (``book/13_scaling_out.ipynb``, "One script, many processes").
    """
    if nproc_per_node < 1:
        raise ValueError(f"nproc_per_node must be at least 1, not {nproc_per_node}")
    if not 0 <= local_rank < nproc_per_node:
        raise ValueError(f"local_rank {local_rank} is not one of the {nproc_per_node} processes of a node")
    if node_rank < 0:
        raise ValueError(f"node_rank must be 0 or more, not {node_rank}")
    return node_rank * nproc_per_node + local_rank


def _ids(indices, shown=5):
    head = ", ".join(str(i) for i in indices[:shown])
    return head + (", …" if len(indices) > shown else "")


def draw_ddp_step(tr, shards: list[list[int]], dataset_size: int):
    """One DDP training step, one lane per rank: the rank's shard of the data (the first indices its
    ``DistributedSampler`` gave it), forward and loss on them, backward with the all-reduce joining the lanes,
    and the same optimizer step everywhere; the global batch underneath.

    Defined in chapter 13 (``book/13_scaling_out.ipynb``, "Global batch and per-process batch").
    """
    from helpers.boxes import PALETTE, arrow, box, canvas

    if not shards or any(len(s) == 0 for s in shards):
        raise ValueError("pass one non-empty list of sample indices per rank")
    if len({len(s) for s in shards}) != 1:
        raise ValueError("every rank takes the same per-rank batch: the shards differ in length")
    world, per_rank = len(shards), len(shards[0])
    lane = 1.5
    height = world * lane + 1.5
    fig, ax = canvas(10, height)
    ax.text(0.1, height - 0.3, tr("dataset: {n} examples, shuffled and split", n=dataset_size), fontsize=9, va="center")
    colors = ["blue", "orange", "green", "purple"]
    for r, shard in enumerate(shards):
        y = height - 0.8 - (r + 1) * lane + 0.2
        color = colors[r % len(colors)]
        box(ax, 0.1, y, 3.3, 0.9, "", color=color)
        ax.text(
            1.75,
            y + 0.62,
            tr("rank {rank}: {n} examples", rank=r, n=per_rank),
            ha="center",
            va="center",
            fontsize=9,
            weight="bold",
        )
        ax.text(1.75, y + 0.27, _ids(shard, 4), ha="center", va="center", fontsize=9, family="monospace")
        box(ax, 3.9, y, 1.8, 0.9, tr("forward, loss"), color=color, size=9)
        box(ax, 6.2, y, 1.5, 0.9, tr("backward"), color=color, size=9)
        box(ax, 8.2, y, 1.7, 0.9, tr("optimizer step"), color=color, size=9)
        arrow(ax, (3.4, y + 0.45), (3.9, y + 0.45))
        arrow(ax, (5.7, y + 0.45), (6.2, y + 0.45))
        arrow(ax, (7.7, y + 0.45), (8.2, y + 0.45))
    if world > 1:
        top = height - 0.8 - lane + 0.2
        bottom = height - 0.8 - world * lane + 0.2 + 0.9
        ax.annotate(
            "",
            xy=(6.95, bottom),
            xytext=(6.95, top),
            arrowprops={"arrowstyle": "<->", "color": PALETTE["red"][0], "linewidth": 2},
        )
        ax.text(
            7.05,
            (top + bottom) / 2,
            tr("all-reduce: average of the gradients"),
            fontsize=9,
            va="center",
            color=PALETTE["red"][0],
        )
    ax.text(
        5.0,
        0.25,
        tr(
            "global batch = {per} per rank × {world} ranks = {total} examples per step",
            per=per_rank,
            world=world,
            total=per_rank * world,
        ),
        ha="center",
        va="center",
        fontsize=10,
    )
    return fig


def draw_nodes(tr, ranks: list[tuple[int, int, int]], endpoint: str = "HOST:29500"):
    """The processes of a multi-node job, grouped by machine: each process with its ``local_rank`` and its
    global rank, each machine with its ``node_rank``, and the rendezvous endpoint on node 0 that the others
    connect to. ``ranks`` lists ``(rank, node_rank, local_rank)`` for every process.

    Defined in chapter 13 (``book/13_scaling_out.ipynb``, "One script, many processes").
    """
    from helpers.boxes import arrow, box, canvas

    if not ranks:
        raise ValueError("pass (rank, node_rank, local_rank) for every process")
    nodes = sorted({n for _, n, _ in ranks})
    per_node = {n: sorted((local, rank) for rank, node, local in ranks if node == n) for n in nodes}
    for n, procs in per_node.items():
        for local, rank in procs:
            if rank != global_rank(n, local, len(procs)):
                raise ValueError(f"rank {rank} is not node_rank × nproc_per_node + local_rank for node {n}")
    most = max(len(p) for p in per_node.values())
    width = 10
    node_w = (width - 0.4 - 0.4 * (len(nodes) - 1)) / len(nodes)
    height = 0.55 + 0.9 + most * 0.8 + 0.75
    fig, ax = canvas(width, height)
    for k, n in enumerate(nodes):
        x = 0.2 + k * (node_w + 0.4)
        box(ax, x, 0.55, node_w, height - 1.3, "", color="grey")
        ax.text(
            x + node_w / 2,
            height - 1.05,
            tr("machine {k}: torchrun --node-rank {n}", k=k + 1, n=n),
            ha="center",
            va="center",
            fontsize=9,
            family="monospace",
        )
        for j, (local, rank) in enumerate(per_node[n]):
            y = height - 2.0 - j * 0.8
            box(
                ax,
                x + 0.2,
                y,
                node_w - 0.4,
                0.65,
                tr("local_rank {local} → rank {rank}", local=local, rank=rank),
                color="blue",
                size=9,
            )
    ax.text(
        0.2 + node_w / 2,
        height - 0.35,
        tr("rendezvous at {endpoint} (node 0)", endpoint=endpoint),
        ha="center",
        va="center",
        fontsize=9,
        family="monospace",
    )
    for k in range(1, len(nodes)):
        x = 0.2 + k * (node_w + 0.4)
        arrow(ax, (x + node_w / 2, height - 0.75), (0.2 + node_w * 0.8, height - 0.5))
    ax.text(width / 2, 0.25, tr("rank = node_rank × nproc_per_node + local_rank"), ha="center", va="center", fontsize=9)
    return fig


def draw_throughput(tr, processes: list[int], samples_per_second: list[float], backend: str):
    """Training throughput (samples per second, counted over the global batch) of runs with different numbers
    of processes, as horizontal bars, each labelled with its value and its speed-up over the first run.

    Defined in chapter 13 (``book/13_scaling_out.ipynb``, "Throughput: 1 vs 2 processes").
    """
    import matplotlib.pyplot as plt

    from helpers.boxes import PALETTE

    if not processes or len(processes) != len(samples_per_second):
        raise ValueError("pass one number of processes per measured throughput")
    if any(v <= 0 for v in samples_per_second):
        raise ValueError("a throughput must be positive (samples per second)")
    fig, ax = plt.subplots(figsize=(6.0, 0.6 + 0.55 * len(processes)))
    labels = [tr("{n} processes", n=p) if p != 1 else tr("1 process") for p in processes]
    colors = [PALETTE[c][0] for c in ("blue", "orange", "green", "purple")]
    ax.barh(labels, samples_per_second, color=[colors[i % len(colors)] for i in range(len(processes))])
    base = samples_per_second[0]
    for i, v in enumerate(samples_per_second):
        ax.text(v, i, f" {v:.1f} ({v / base:.2f}×)", va="center", fontsize=10)
    ax.set_xlim(0, max(samples_per_second) * 1.35)
    ax.invert_yaxis()
    ax.set_xlabel(tr("training samples per second (global batch), {backend}", backend=backend), fontsize=10)
    ax.tick_params(labelsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
