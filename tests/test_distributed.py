"""helpers.distributed: global ranks; the DDP step and the nodes drawings follow the chapter's runs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from helpers import distributed, figures  # noqa: E402


def test_global_rank_is_node_rank_times_processes_plus_local_rank():
    assert distributed.global_rank(0, 1, 2) == 1
    assert distributed.global_rank(1, 0, 2) == 2
    assert distributed.global_rank(3, 3, 4) == 15
    with pytest.raises(ValueError, match="local_rank 2 is not one of the 2"):
        distributed.global_rank(0, 2, 2)
    with pytest.raises(ValueError, match="at least 1"):
        distributed.global_rank(0, 0, 0)


def test_the_step_shows_each_ranks_indices_and_the_global_batch():
    text = figures.to_svg(figures.draw(distributed.draw_ddp_step, "en", shards=[[11, 12], [21, 22]], dataset_size=90))
    assert "rank 1: 2 examples" in text and "21, 22" in text and "= 4 examples per step" in text
    three = figures.to_svg(
        figures.draw(distributed.draw_ddp_step, "en", shards=[[1, 2, 3], [4, 5, 6], [7, 8, 9]], dataset_size=90)
    )
    assert "rank 2: 3 examples" in three and "3 ranks = 9 examples" in three
    with pytest.raises(ValueError, match="shards differ in length"):
        figures.draw(distributed.draw_ddp_step, "en", shards=[[1], [2, 3]], dataset_size=9)


def test_the_nodes_drawing_follows_the_ranks_and_checks_them():
    ranks = [(0, 0, 0), (1, 0, 1), (2, 1, 0), (3, 1, 1)]
    text = figures.to_svg(figures.draw(distributed.draw_nodes, "en", ranks=ranks, endpoint="node0:29500"))
    assert "local_rank 1 → rank 3" in text and "node0:29500" in text and "--node-rank 1" in text
    two = figures.to_svg(figures.draw(distributed.draw_nodes, "en", ranks=[(0, 0, 0), (1, 1, 0)]))
    assert "local_rank 0 → rank 1" in two and "rank 3" not in two
    with pytest.raises(ValueError, match="rank 5 is not node_rank"):
        figures.draw(distributed.draw_nodes, "en", ranks=[(0, 0, 0), (5, 1, 0)])


def test_the_chinese_drawings_have_chinese_labels():
    text = figures.to_svg(figures.draw(distributed.draw_ddp_step, "zh_CN", shards=[[1], [2]], dataset_size=9))
    assert "全局批次" in text and "global batch" not in text


def test_the_throughput_plot_shows_each_run_and_its_speedup():
    text = figures.to_svg(
        figures.draw(
            distributed.draw_throughput, "en", processes=[1, 2], samples_per_second=[10.0, 15.0], backend="gloo"
        )
    )
    assert "2 processes" in text and "15.0 (1.50×)" in text and "gloo" in text
    with pytest.raises(ValueError, match="one number of processes per"):
        figures.draw(distributed.draw_throughput, "en", processes=[1], samples_per_second=[1.0, 2.0], backend="gloo")
