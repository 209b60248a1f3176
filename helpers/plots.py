"""Training curves: the loss and learning rate of a hand-written loop, and a ``Trainer``'s ``log_history``.

Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Loss curve and learning-rate schedule");
:func:`split_log_history` and :func:`draw_log_history` in chapter 12 (``book/12_trainer.ipynb``, "Reading
log_history"), :func:`draw_trainer_timeline` in the same chapter's "Stopping and resuming".
"""

from __future__ import annotations

__all__ = ["smooth", "draw_loss_and_lr", "split_log_history", "draw_log_history", "draw_trainer_timeline"]


def smooth(values, window: int = 10) -> list[float]:
    """Trailing moving average: item ``i`` is the mean of ``values[max(0, i - window + 1) : i + 1]``.

    Same length as ``values`` (the first items average what exists so far); ``window=1`` returns the values.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Loss curve and learning-rate schedule").
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    values = [float(v) for v in values]
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def draw_loss_and_lr(tr, history: dict, smooth_window: int = 10, title: str | None = None):
    """Two panels from a loop's history (``step``, ``loss``, ``lr`` lists, as ``train_classifier`` returns):
    the loss per step (faint) with its moving average, and the learning rate each step used. ``tr`` translates
    the labels (:mod:`helpers.figures`); ``title`` is drawn as given. Returns the figure.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Loss curve and learning-rate schedule").
    """
    import matplotlib.pyplot as plt

    missing = [k for k in ("step", "loss", "lr") if k not in history]
    if missing:
        raise KeyError(f"history needs the keys step, loss and lr; missing {missing}")
    steps, loss, lr = list(history["step"]), list(history["loss"]), list(history["lr"])
    if not steps:
        raise ValueError("history is empty: nothing to plot")
    if not len(steps) == len(loss) == len(lr):
        raise ValueError(f"step, loss and lr must have the same length, got {len(steps)}, {len(loss)}, {len(lr)}")
    fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(6.8, 3.0))
    ax_loss.plot(steps, loss, alpha=0.35, color="#0072B2", label=tr("loss per step"))
    ax_loss.plot(
        steps,
        smooth(loss, smooth_window),
        color="#D55E00",
        label=tr("moving average ({n} steps)", n=smooth_window),
    )
    ax_loss.set(xlabel=tr("step"), ylabel=tr("training loss"), title=tr("Training loss"))
    ax_loss.legend(fontsize=9)
    ax_lr.plot(steps, lr, color="#009E73")
    ax_lr.set(xlabel=tr("step"), ylabel=tr("learning rate"), title=tr("Learning-rate schedule"))
    ax_lr.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    for ax in (ax_loss, ax_lr):
        ax.tick_params(labelsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def split_log_history(log_history: list[dict]) -> dict:
    """``Trainer.state.log_history`` split into two pandas DataFrames indexed by step.

    ``"train"``: the rows with ``loss`` (and ``learning_rate``, ``grad_norm``, ``epoch``);
    ``"eval"``: the rows with ``eval_loss`` (and every ``eval_*`` metric). The end-of-training summary row
    (``train_runtime`` ...) goes to neither.

    Defined in chapter 12 (``book/12_trainer.ipynb``, "Reading log_history").
    """
    import pandas as pd

    if not isinstance(log_history, list) or not all(isinstance(r, dict) for r in log_history):
        raise TypeError("log_history must be a list of dicts (trainer.state.log_history)")
    missing_step = [r for r in log_history if "step" not in r]
    if missing_step:
        raise ValueError(f"every log_history row needs a 'step'; this one has none: {missing_step[0]}")
    train = [r for r in log_history if "loss" in r]
    evals = [r for r in log_history if "eval_loss" in r]
    frame = lambda rows: pd.DataFrame(rows).set_index("step") if rows else pd.DataFrame()  # noqa: E731
    return {"train": frame(train), "eval": frame(evals)}


def draw_log_history(tr, log_history: list[dict], metrics=("eval_accuracy", "eval_f1")):
    """Two panels from a ``Trainer``'s ``log_history``: training and evaluation loss against the step, and the
    evaluation ``metrics`` (those present; their names are drawn as they are, like the log's keys). ``tr``
    translates the labels (:mod:`helpers.figures`). Returns the figure.

    Defined in chapter 12 (``book/12_trainer.ipynb``, "Reading log_history").
    """
    import matplotlib.pyplot as plt

    frames = split_log_history(log_history)
    train, evals = frames["train"], frames["eval"]
    if train.empty and evals.empty:
        raise ValueError("log_history has no training-loss and no eval_loss rows: set logging_steps / eval_strategy")
    fig, (ax_loss, ax_m) = plt.subplots(1, 2, figsize=(6.8, 3.0))
    if not train.empty:
        ax_loss.plot(train.index, train["loss"], marker=".", color="#0072B2", label=tr("training loss"))
    colours = ["#E69F00", "#CC79A7", "#009E73", "#555555"]
    if not evals.empty:
        ax_loss.plot(evals.index, evals["eval_loss"], marker="o", color="#D55E00", label=tr("evaluation loss"))
        present = [m for m in metrics if m in evals]
        for m, colour in zip(present, colours * len(present)):
            ax_m.plot(evals.index, evals[m], marker="o", color=colour, label=m)
    ax_loss.set(xlabel=tr("step"), ylabel=tr("loss"), title=tr("Loss"))
    ax_loss.legend(fontsize=9)
    ax_m.set(xlabel=tr("step"), ylabel=tr("score"), title=tr("Evaluation metrics"))
    if ax_m.lines:
        ax_m.legend(fontsize=9)
    for ax in (ax_loss, ax_m):
        ax.tick_params(labelsize=9)
    fig.tight_layout()
    return fig


def draw_trainer_timeline(
    tr,
    max_steps: int,
    logged: list[int],
    evaluated: dict[int, float],
    saved: list[int],
    kept: list[int],
    best: int,
    stopped: int | None = None,
):
    """A ``Trainer`` run along its steps, from its ``TrainingArguments`` and ``log_history``: the steps that logged
    the training loss (``logged``), the evaluations with their accuracy (``evaluated``, step → accuracy), the
    checkpoints written (``saved``) and those still on disk at the end (``kept``; the others were deleted by
    ``save_total_limit``), the ``best`` one, and — for an interrupted run — the step where it ``stopped`` and
    resumed from its newest checkpoint. ``tr`` translates the labels (:mod:`helpers.figures`). Returns the figure.

    Defined in chapter 12 (``book/12_trainer.ipynb``, "Stopping and resuming").
    """
    import matplotlib.pyplot as plt

    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    every = [*logged, *evaluated, *saved, *kept, best] + ([stopped] if stopped is not None else [])
    outside = [s for s in every if not 0 < s <= max_steps]
    if outside:
        raise ValueError(f"steps must lie in 1..{max_steps}; got {sorted(set(outside))}")
    if not set(kept) <= set(saved) or best not in saved:
        raise ValueError("kept checkpoints and the best one must be among the saved steps")
    lanes = [tr("training loss logged"), tr("evaluation (accuracy)"), tr("checkpoint saved")]
    if stopped is not None:
        lanes.append(tr("interrupted run"))
    fig, ax = plt.subplots(figsize=(6.8, 0.75 * len(lanes) + 1.0))
    y = {i: len(lanes) - 1 - i for i in range(len(lanes))}
    ax.scatter(logged, [y[0]] * len(logged), marker="o", s=30, color="#0072B2", zorder=3)
    steps = sorted(evaluated)
    ax.scatter(steps, [y[1]] * len(steps), marker="D", s=36, color="#E69F00", zorder=3)
    for s in steps:
        ax.text(s, y[1] + 0.22, f"{evaluated[s]:.3f}", ha="center", va="bottom", fontsize=9)
    for s in saved:
        gone = s not in kept
        ax.scatter(
            [s],
            [y[2]],
            marker="s",
            s=60,
            zorder=3,
            color="white" if gone else "#009E73",
            edgecolors="#009E73",
            linewidths=1.5,
        )
        if gone:
            ax.text(s, y[2] - 0.25, tr("deleted"), ha="center", va="top", fontsize=9, color="#555555")
    ax.annotate(
        tr("best"),
        xy=(best, y[2] + 0.12),
        xytext=(best, y[2] + 0.5),
        ha="center",
        fontsize=9,
        weight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "#D55E00"},
        color="#D55E00",
    )
    if stopped is not None:
        ax.plot([0, stopped], [y[3], y[3]], color="#555555", lw=2)
        ax.scatter([stopped], [y[3]], marker="X", s=70, color="#D55E00", zorder=3)
        ax.plot([stopped, max_steps], [y[3], y[3]], color="#CC79A7", lw=2, ls="--")
        ax.text(
            stopped + 0.6,
            y[3] + 0.18,
            tr("resumed from checkpoint-{step}", step=stopped),
            ha="left",
            va="bottom",
            fontsize=9,
            color="#CC79A7",
        )
        ax.text(stopped - 0.6, y[3] + 0.18, tr("stopped"), ha="right", va="bottom", fontsize=9, color="#D55E00")
    ax.set_yticks([y[i] for i in range(len(lanes))], lanes, fontsize=9)
    ax.set_xlim(0, max_steps + 1)
    ax.set_ylim(-0.7, len(lanes) - 0.2)
    ax.set_xticks(sorted({0, *saved, *logged, max_steps}))
    ax.tick_params(axis="x", labelsize=9)
    ax.set_xlabel(tr("step"), fontsize=9)
    ax.grid(axis="x", color="#DDDDDD", lw=0.8)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
