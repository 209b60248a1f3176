"""Unit tests of helpers/inputs.py: the pictures follow the chapter's data and speak the reader's language."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import figures  # noqa: E402
from helpers.inputs import draw_decoder_shift, draw_padding_sides  # noqa: E402

RIGHT = ["[CLS]", "a", "b", "[SEP]", "[PAD]", "[PAD]"]
LEFT = ["[PAD]", "[PAD]", "[CLS]", "a", "b", "[SEP]"]


def sides(right_mask=(1, 1, 1, 1, 0, 0), left_mask=(0, 0, 1, 1, 1, 1)):
    from_mask = (torch.tensor(left_mask).cumsum(-1) - 1).clamp(min=0)
    return dict(
        right_tokens=RIGHT,
        right_mask=list(right_mask),
        left_tokens=LEFT,
        left_mask=list(left_mask),
        left_from_mask=from_mask,
    )


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_padding_sides_shows_where_the_real_tokens_sit():
    fig = figures.draw(draw_padding_sides, "en", **sides())
    bold = [t.get_text() for t in fig.axes[0].texts if t.get_weight() == "bold" and t.get_text().isdigit()]
    # right padding: real tokens at 0-3; left padding: at 2-5 by index, 0-3 from the mask
    assert bold == ["0", "1", "2", "3", "2", "3", "4", "5", "0", "1", "2", "3"]
    assert "from the mask" in texts(fig)
    dashed = [p for p in fig.axes[0].patches if p.get_linestyle() != "-"]
    assert len(dashed) == 4
    plt.close(fig)


def test_padding_sides_follows_its_data_and_speaks_chinese():
    one = figures.to_svg(figures.draw(draw_padding_sides, "en", **sides()))
    other = sides(right_mask=(1, 1, 1, 1, 1, 0), left_mask=(0, 1, 1, 1, 1, 1))
    two = figures.to_svg(figures.draw(draw_padding_sides, "en", **other))
    assert one != two
    zh = figures.to_svg(figures.draw(draw_padding_sides, "zh_CN", **sides()))
    assert "左侧填充" in zh and "left padding" not in zh


def test_padding_sides_rejects_bad_input():
    with pytest.raises(ValueError, match="one token, one mask value"):
        figures.draw(draw_padding_sides, "en", **{**sides(), "left_tokens": LEFT[:3]})
    with pytest.raises(ValueError, match="only 0 and 1"):
        figures.draw(draw_padding_sides, "en", **{**sides(), "right_mask": [1, 1, 1, 1, 0, 2]})


def shift_data(labels):
    labels = torch.tensor(labels)
    decoder = torch.full_like(labels, 0)
    decoder[:, 1:] = labels[:, :-1].masked_fill(labels[:, :-1] == -100, 0)
    decoder[:, 0] = 102
    tok = {101: "[CLS]", 102: "[SEP]", 0: "[PAD]", 7: "a", 8: "b", -100: "-100"}
    return dict(
        labels=labels,
        decoder_input_ids=decoder,
        label_tokens=[[tok[int(v)] for v in row] for row in labels],
        decoder_tokens=[[tok[int(v)] for v in row] for row in decoder],
        start_token_id=102,
    )


def test_decoder_shift_draws_labels_over_their_shifted_copy():
    data = shift_data([[101, 7, 102, -100], [101, 7, 8, 102]])
    fig = figures.draw(draw_decoder_shift, "en", **data)
    shown = texts(fig)
    assert shown.count("[SEP]\n102") == 5  # 2 labels, 2 start tokens, 1 shifted label
    assert shown.count("-100") == 1 and shown.count("[PAD]\n0") == 0  # the -100 is the last label: dropped
    arrows = [c for c in fig.axes[0].get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert len(arrows) == 2 * 3  # label t -> decoder input t + 1
    plt.close(fig)
    longer = shift_data([[101, 7, -100, -100], [101, 7, 8, 102]])
    assert "[PAD]\n0" in texts(figures.draw(draw_decoder_shift, "en", **longer))
    plt.close("all")
    zh = figures.to_svg(figures.draw(draw_decoder_shift, "zh_CN", **data))
    assert "解码器起始词元" in zh and "decoder start" not in zh


def test_decoder_shift_rejects_ragged_input():
    data = shift_data([[101, 7, 102, -100]])
    with pytest.raises(ValueError, match="same"):
        figures.draw(draw_decoder_shift, "en", **{**data, "label_tokens": [["a"]]})
