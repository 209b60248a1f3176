"""helpers.plots: the moving average by hand, the curves' data equal to the history they were drawn from."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import figures  # noqa: E402
from helpers.plots import (  # noqa: E402
    draw_log_history,
    draw_loss_and_lr,
    draw_trainer_timeline,
    smooth,
    split_log_history,
)

EN = figures.labels("en")


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


def test_draw_loss_and_lr_draws_the_history():
    hist = {"step": [1, 2, 3, 4], "loss": [0.7, 0.5, 0.6, 0.2], "lr": [0.0, 1e-4, 5e-5, 0.0]}
    fig = draw_loss_and_lr(EN, hist, smooth_window=2, title="t")
    ax_loss, ax_lr = fig.axes
    raw, avg = ax_loss.lines
    assert list(raw.get_ydata()) == hist["loss"]
    assert list(avg.get_ydata()) == pytest.approx([0.7, 0.6, 0.55, 0.4])
    assert list(ax_lr.lines[0].get_xdata()) == hist["step"] and list(ax_lr.lines[0].get_ydata()) == hist["lr"]
    plt.close(fig)


def test_draw_loss_and_lr_bad_input():
    with pytest.raises(KeyError, match="lr"):
        draw_loss_and_lr(EN, {"step": [1], "loss": [1.0]})
    with pytest.raises(ValueError, match="same length"):
        draw_loss_and_lr(EN, {"step": [1, 2], "loss": [1.0], "lr": [0.1, 0.2]})
    with pytest.raises(ValueError, match="empty"):
        draw_loss_and_lr(EN, {"step": [], "loss": [], "lr": []})


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


def test_draw_log_history_draws_each_series():
    fig = draw_log_history(EN, LOG)
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
        draw_log_history(EN, [{"train_runtime": 1.0, "step": 3}])


TIMELINE = dict(
    max_steps=40,
    logged=[5, 10, 15, 20, 25, 30, 35, 40],
    evaluated={10: 0.6, 20: 0.71, 30: 0.74, 40: 0.73},
    saved=[10, 20, 30, 40],
    kept=[30, 40],
    best=30,
    stopped=20,
)


def test_timeline_follows_its_data():
    svg = figures.to_svg(figures.draw(draw_trainer_timeline, "en", **TIMELINE))
    assert "0.740" in svg and "checkpoint-20" in svg and svg.count("deleted") == 2
    other = figures.to_svg(
        figures.draw(draw_trainer_timeline, "en", **{**TIMELINE, "kept": [20, 30, 40], "stopped": 30})
    )
    assert other.count("deleted") == 1 and "checkpoint-30" in other


def test_timeline_bad_input():
    with pytest.raises(ValueError, match="1..40"):
        draw_trainer_timeline(EN, **{**TIMELINE, "logged": [45]})
    with pytest.raises(ValueError, match="saved"):
        draw_trainer_timeline(EN, **{**TIMELINE, "kept": [15]})


@pytest.mark.skipif("zh_CN" not in figures.languages(), reason="no Chinese font or catalogue")
def test_chinese_labels():
    hist = {"step": [1, 2, 3], "loss": [0.7, 0.5, 0.6], "lr": [0.0, 1e-4, 0.0]}
    svg = figures.to_svg(figures.draw(draw_loss_and_lr, "zh_CN", history=hist, smooth_window=2))
    assert "学习率" in svg
    svg = figures.to_svg(figures.draw(draw_trainer_timeline, "zh_CN", **TIMELINE))
    assert "检查点" in svg
    svg = figures.to_svg(figures.draw(draw_log_history, "zh_CN", log_history=LOG))
    assert "损失" in svg
