"""helpers.families: attention masks of each family; the families drawing follows the chapter's counts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from helpers import families, figures  # noqa: E402


def data(count=61, tasks=("masked LM", "question answering")):
    return {
        "encoder": {"count": count, "examples": ["bert", "roberta"], "tasks": list(tasks)},
        "decoder": {"count": 200, "examples": ["gpt2", "llama"], "tasks": ["causal LM"]},
        "encoder-decoder": {"count": 40, "examples": ["t5", "bart"], "tasks": ["seq2seq LM"]},
    }


def test_masks_full_and_causal():
    assert families.mask("full", 2, 3) == [[1, 1, 1], [1, 1, 1]]
    assert families.mask("causal", 3) == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    with pytest.raises(ValueError, match="causal mask is square"):
        families.mask("causal", 2, 3)
    with pytest.raises(ValueError, match="use 'full' or 'causal'"):
        families.mask("sparse", 2)
    with pytest.raises(ValueError, match="at least one row"):
        families.mask("full", 0)


def test_the_drawing_follows_the_counts_tasks_and_tokens():
    text = figures.to_svg(figures.draw(families.draw_families, "en", families=data()))
    assert "encoder: 61 model types" in text and "question answering" in text and "film" in text
    other = figures.to_svg(
        figures.draw(families.draw_families, "en", families=data(7, ["multiple choice"]), tokens=["a", "b"])
    )
    assert "encoder: 7 model types" in other and "multiple choice" in other and "film" not in other


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="lacks decoder"):
        figures.draw(families.draw_families, "en", families={"encoder": {}, "encoder-decoder": {}})
    with pytest.raises(ValueError, match="no task head 'poetry'"):
        figures.draw(families.draw_families, "en", families=data(tasks=["poetry"]))


def test_the_chinese_drawing_has_chinese_labels():
    text = figures.to_svg(figures.draw(families.draw_families, "zh_CN", families=data()))
    assert "编码器" in text and "model types" not in text
