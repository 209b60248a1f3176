"""Training curves: the loss and learning rate of a hand-written loop, and a ``Trainer``'s ``log_history``.

Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Loss curve and learning-rate schedule");
:func:`split_log_history` and :func:`plot_log_history` in chapter 12 (``book/12_trainer.ipynb``, "Reading log_history").
"""

from __future__ import annotations

__all__ = ["smooth", "plot_loss_and_lr", "split_log_history", "plot_log_history"]


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


def plot_loss_and_lr(history: dict, smooth_window: int = 10, title: str | None = None):
    """Two panels from a loop's history (``step``, ``loss``, ``lr`` lists, as ``train_classifier`` returns):
    the loss per step (faint) with its moving average, and the learning rate each step used. Returns the figure.

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
    fig, (ax_loss, ax_lr) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax_loss.plot(steps, loss, alpha=0.3, label="loss per step")
    ax_loss.plot(steps, smooth(loss, smooth_window), label=f"moving average ({smooth_window} steps)")
    ax_loss.set(xlabel="step", ylabel="training loss", title="Training loss")
    ax_loss.legend()
    ax_lr.plot(steps, lr, color="tab:green")
    ax_lr.set(xlabel="step", ylabel="learning rate", title="Learning-rate schedule")
    ax_lr.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    if title:
        fig.suptitle(title)
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


def plot_log_history(log_history: list[dict], metrics=("eval_accuracy", "eval_f1")):
    """Two panels from a ``Trainer``'s ``log_history``: training and evaluation loss against the step, and the
    evaluation ``metrics`` (those present). Returns the figure.

    Defined in chapter 12 (``book/12_trainer.ipynb``, "Reading log_history").
    """
    import matplotlib.pyplot as plt

    frames = split_log_history(log_history)
    train, evals = frames["train"], frames["eval"]
    if train.empty and evals.empty:
        raise ValueError("log_history has no training-loss and no eval_loss rows: set logging_steps / eval_strategy")
    fig, (ax_loss, ax_m) = plt.subplots(1, 2, figsize=(10, 3.5))
    if not train.empty:
        ax_loss.plot(train.index, train["loss"], marker=".", label="training loss")
    if not evals.empty:
        ax_loss.plot(evals.index, evals["eval_loss"], marker="o", label="evaluation loss")
        for m in metrics:
            if m in evals:
                ax_m.plot(evals.index, evals[m], marker="o", label=m)
    ax_loss.set(xlabel="step", ylabel="loss", title="Loss")
    ax_loss.legend()
    ax_m.set(xlabel="step", ylabel="score", title="Evaluation metrics")
    if ax_m.lines:
        ax_m.legend()
    fig.tight_layout()
    return fig
