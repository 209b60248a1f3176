"""helpers.plots: the moving average by hand, the curves' data equal to the history they were drawn from."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers.plots import plot_log_history, plot_loss_and_lr, smooth, split_log_history  # noqa: E402


def test_smooth_exact():
    assert smooth([1, 2, 3, 4, 5], window=2) == [1.0, 1.5, 2.5, 3.5, 4.5]
    assert smooth([4, 0, 2], window=3) == [4.0, 2.0, 2.0]
    assert smooth([4, 0, 2], window=1) == [4.0, 0.0, 2.0]
    assert smooth([3, 6], window=10) == [3.0, 4.5]
    assert smooth([], window=3) == []


def test_smooth_bad_window():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="window"):
            smooth([1, 2], window=bad)


def test_plot_loss_and_lr_draws_the_history():
    hist = {"step": [1, 2, 3, 4], "loss": [0.7, 0.5, 0.6, 0.2], "lr": [0.0, 1e-4, 5e-5, 0.0]}
    fig = plot_loss_and_lr(hist, smooth_window=2, title="t")
    ax_loss, ax_lr = fig.axes
    raw, avg = ax_loss.lines
    assert list(raw.get_ydata()) == hist["loss"]
    assert list(avg.get_ydata()) == pytest.approx([0.7, 0.6, 0.55, 0.4])
    assert list(ax_lr.lines[0].get_xdata()) == hist["step"] and list(ax_lr.lines[0].get_ydata()) == hist["lr"]
    plt.close(fig)


def test_plot_loss_and_lr_bad_input():
    with pytest.raises(KeyError, match="lr"):
        plot_loss_and_lr({"step": [1], "loss": [1.0]})
    with pytest.raises(ValueError, match="same length"):
        plot_loss_and_lr({"step": [1, 2], "loss": [1.0], "lr": [0.1, 0.2]})
    with pytest.raises(ValueError, match="empty"):
        plot_loss_and_lr({"step": [], "loss": [], "lr": []})


LOG = [
    {"loss": 0.69, "grad_norm": 1.0, "learning_rate": 1e-4, "epoch": 0.5, "step": 5},
    {"eval_loss": 0.6, "eval_accuracy": 0.7, "eval_f1": 0.65, "epoch": 0.5, "step": 5},
    {"loss": 0.5, "grad_norm": 2.0, "learning_rate": 5e-5, "epoch": 1.0, "step": 10},
    {"eval_loss": 0.45, "eval_accuracy": 0.8, "eval_f1": 0.78, "epoch": 1.0, "step": 10},
    {"train_runtime": 3.0, "train_loss": 0.6, "epoch": 1.0, "step": 10},
]


def test_split_log_history():
    frames = split_log_history(LOG)
    assert list(frames["train"].index) == [5, 10] and list(frames["train"]["loss"]) == [0.69, 0.5]
    assert list(frames["eval"].index) == [5, 10] and list(frames["eval"]["eval_accuracy"]) == [0.7, 0.8]
    assert "train_runtime" not in frames["train"] and "train_runtime" not in frames["eval"]


def test_plot_log_history_draws_each_series():
    fig = plot_log_history(LOG)
    ax_loss, ax_m = fig.axes
    assert [list(line.get_ydata()) for line in ax_loss.lines] == [[0.69, 0.5], [0.6, 0.45]]
    assert [line.get_label() for line in ax_m.lines] == ["eval_accuracy", "eval_f1"]
    assert list(ax_m.lines[1].get_ydata()) == [0.65, 0.78]
    plt.close(fig)


def test_log_history_bad_input():
    with pytest.raises(TypeError, match="list of dicts"):
        split_log_history({"loss": 1})
    with pytest.raises(ValueError, match="'step'"):
        split_log_history([{"loss": 1.0}])
    with pytest.raises(ValueError, match="no training-loss"):
        plot_log_history([{"train_runtime": 1.0, "step": 3}])
