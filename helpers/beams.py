"""Beam search drawn as a tree: at each step every kept beam is extended by its likeliest next tokens, and only
the ``num_beams`` best candidates of the step (by the sum of their log-probabilities) survive.

The chapter steps the model by hand and passes what happened here as ``steps``: one list per generation step,
each candidate a dict ``{"parent": i, "token": "Ich", "score": -0.41, "kept": True}``, where ``parent`` is the
index of the candidate's beam among the *kept* candidates of the step before (0 at the first step, whose only
parent is the prompt) and ``score`` the beam's cumulative log-probability after this token.

Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Generation arguments, explained").
"""

from __future__ import annotations

__all__ = ["check_steps", "draw_beam_tree"]


def check_steps(steps: list[list[dict]]) -> None:
    """Raise a ``ValueError`` that says what is wrong unless ``steps`` is a beam tree as described above: every
    step has candidates with a token, a numeric score and a ``kept`` flag, at least one kept, and every parent
    points at a kept candidate of the step before.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Generation arguments, explained").
    """
    if not steps:
        raise ValueError("no steps: pass one list of candidates per generation step")
    parents = 1  # the prompt
    for n, step in enumerate(steps, 1):
        if not step:
            raise ValueError(f"step {n} has no candidates")
        for c in step:
            missing = {"parent", "token", "score", "kept"} - set(c)
            if missing:
                raise ValueError(f"step {n}: a candidate lacks {', '.join(sorted(missing))}: {c}")
            if not 0 <= int(c["parent"]) < parents:
                raise ValueError(
                    f"step {n}: parent {c['parent']} does not exist (the step before kept {parents} beams)"
                )
        parents = sum(bool(c["kept"]) for c in step)
        if parents == 0:
            raise ValueError(f"step {n} keeps no beam: mark the surviving candidates with kept=True")


def _winner_path(steps):
    """(step, index) of each candidate on the best final beam's path."""
    last = steps[-1]
    kept = [i for i, c in enumerate(last) if c["kept"]]
    best = max(kept, key=lambda i: last[i]["score"])
    path = {(len(steps) - 1, best)}
    parent = last[best]["parent"]
    for t in range(len(steps) - 2, -1, -1):
        kept = [i for i, c in enumerate(steps[t]) if c["kept"]]
        index = kept[parent]
        path.add((t, index))
        parent = steps[t][index]["parent"]
    return path


def draw_beam_tree(tr, steps: list[list[dict]], prompt_tokens: int | None = None):
    """The beam-search tree of ``steps``: one column per step, each candidate a box with its token and the
    beam's log-probability so far; kept candidates in blue, dropped ones grey and dashed, the path of the best
    final beam drawn thick. The first box is the prompt (``prompt_tokens`` long, when given).

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Generation arguments, explained").
    """
    from matplotlib.lines import Line2D

    from helpers.boxes import PALETTE, box, canvas

    check_steps(steps)
    rows = max(len(s) for s in steps)
    col_w, box_w, box_h, row_h = 2.0, 1.6, 0.62, 0.8
    width = col_w * (len(steps) + 1)
    height = rows * row_h + 1.5
    fig, ax = canvas(width, height, inches=min(6.8, 1.36 * (len(steps) + 1)))
    top = height - 0.9

    def y_of(i, count):
        return top - (rows - count) * row_h / 2 - i * row_h - box_h

    label = tr("{n} tokens", n=prompt_tokens) if prompt_tokens is not None else "…"
    box(ax, 0.15, y_of(0, 1), box_w, box_h, label, color="grey", size=9)
    ax.text(0.15 + box_w / 2, height - 0.35, tr("prompt"), ha="center", va="center", fontsize=9)
    winners = _winner_path(steps)
    previous = [(0.15 + box_w, y_of(0, 1) + box_h / 2)]
    for t, step in enumerate(steps):
        x = col_w * (t + 1) + 0.15
        ax.text(x + box_w / 2, height - 0.35, tr("step {n}", n=t + 1), ha="center", va="center", fontsize=9)
        kept_points = []
        for i, c in enumerate(step):
            y = y_of(i, len(step))
            kept, best = bool(c["kept"]), (t, i) in winners
            px, py = previous[int(c["parent"])]
            edge = PALETTE["blue"][0] if kept else PALETTE["grey"][0]
            ax.plot(
                [px, x],
                [py, y + box_h / 2],
                color=PALETTE["orange"][0] if best else edge,
                linewidth=3 if best else 1.2,
                linestyle="-" if kept else (0, (3, 2)),
                zorder=1,
            )
            patch = box(ax, x, y, box_w, box_h, "", color="blue" if kept else "grey")
            if not kept:
                patch.set_linestyle((0, (3, 2)))
            if best:
                patch.set_edgecolor(PALETTE["orange"][0])
                patch.set_linewidth(2.5)
            token = str(c["token"]).strip() or repr(str(c["token"]))
            color = "black" if kept else "#555555"
            ax.text(x + box_w / 2, y + box_h * 0.68, token, ha="center", va="center", fontsize=9, color=color)
            ax.text(
                x + box_w / 2, y + box_h * 0.27, f"{c['score']:.2f}", ha="center", va="center", fontsize=9, color=color
            )
            if kept:
                kept_points.append((x + box_w, y + box_h / 2))
        previous = kept_points
    handles = [
        Line2D([], [], color=PALETTE["blue"][0], linewidth=1.2, label=tr("kept")),
        Line2D([], [], color=PALETTE["grey"][0], linewidth=1.2, linestyle=(0, (3, 2)), label=tr("dropped")),
        Line2D([], [], color=PALETTE["orange"][0], linewidth=3, label=tr("best beam")),
    ]
    ax.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=9,
        frameon=False,
        title=tr("number under each token: log-probability of the beam so far"),
        title_fontsize=9,
    )
    return fig
