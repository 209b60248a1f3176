"""helpers.attention: picking one head out of ``outputs.attentions`` and drawing it.

A tiny randomly initialised BERT (eager attention) gives real ``outputs.attentions``; the selected matrix is
checked against the tensor itself and against softmax(QK^T / sqrt(d)) recomputed from the first layer's weights.
"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from transformers import BertConfig, BertModel  # noqa: E402

from helpers.attention import attention_matrix, plot_attention  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=32,
        max_position_embeddings=32,
        attn_implementation="eager",
    )
    model = BertModel(config).eval()
    ids = torch.tensor([[2, 7, 9, 11, 3, 0], [2, 5, 6, 3, 0, 0]])
    mask = (ids != 0).long()
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, output_attentions=True, output_hidden_states=True)
    return model, ids, mask, out


def test_selects_the_right_slice(tiny):
    _, _, _, out = tiny
    assert len(out.attentions) == 2 and out.attentions[0].shape == (2, 4, 6, 6)
    m = attention_matrix(out.attentions, layer=1, head=2, example=1)
    np.testing.assert_array_equal(m, out.attentions[1][1, 2].numpy())
    last = attention_matrix(out.attentions, layer=-1, head=-1)
    np.testing.assert_array_equal(last, out.attentions[1][0, 3].numpy())
    cropped = attention_matrix(out.attentions, layer=0, head=0, example=1, n_tokens=4)
    assert cropped.shape == (4, 4)
    np.testing.assert_array_equal(cropped, out.attentions[0][1, 0, :4, :4].numpy())


def test_rows_sum_to_one_and_padding_gets_no_attention(tiny):
    _, _, _, out = tiny
    m = attention_matrix(out.attentions, layer=0, head=1, example=1)
    np.testing.assert_allclose(m.sum(axis=-1), np.ones(6), atol=1e-6)
    assert np.all(m[:, 4:] < 1e-6)  # the two padded keys of the second sequence are masked out


def test_matches_attention_recomputed_from_the_weights(tiny):
    model, _, mask, out = tiny
    attn = model.encoder.layer[0].attention.self
    h = out.hidden_states[0][0]  # embeddings of the first sequence, (seq, hidden)
    n_heads, d = 4, 16 // 4
    q = attn.query(h).view(-1, n_heads, d).transpose(0, 1)
    k = attn.key(h).view(-1, n_heads, d).transpose(0, 1)
    scores = q @ k.transpose(-1, -2) / math.sqrt(d)
    scores = scores.masked_fill(mask[0] == 0, torch.finfo(scores.dtype).min)
    expected = torch.softmax(scores, dim=-1).detach().numpy()
    for head in range(n_heads):
        np.testing.assert_allclose(attention_matrix(out.attentions, 0, head), expected[head], atol=1e-5)


def test_plot_puts_tokens_on_both_axes(tiny):
    _, _, _, out = tiny
    tokens = ["[CLS]", "a", "b", "c", "[SEP]", "[PAD]"]
    m = attention_matrix(out.attentions, layer=0, head=0)
    ax = plot_attention(m, tokens, title="layer 1, head 1")
    assert [t.get_text() for t in ax.get_xticklabels()] == tokens
    assert [t.get_text() for t in ax.get_yticklabels()] == tokens
    np.testing.assert_allclose(ax.images[0].get_array(), m)
    assert ax.get_title() == "layer 1, head 1"
    plt.close(ax.figure)


def test_bad_input_raises_clear_errors(tiny):
    _, _, _, out = tiny
    with pytest.raises(ValueError, match="output_attentions=True"):
        attention_matrix((), 0, 0)  # what an sdpa model returns
    with pytest.raises(IndexError, match="2 layers"):
        attention_matrix(out.attentions, layer=2, head=0)
    with pytest.raises(IndexError, match="4 heads"):
        attention_matrix(out.attentions, layer=0, head=4)
    with pytest.raises(ValueError, match="square"):
        plot_attention(np.zeros((2, 3)), ["a", "b"])
    with pytest.raises(ValueError, match="3 tokens"):
        plot_attention(np.zeros((2, 2)), ["a", "b", "c"])


def test_masked_vs_causal_drawing_follows_its_tokens():
    from helpers import figures
    from helpers.attention import draw_masked_vs_causal

    def svg(lang="en", **data):
        return figures.to_svg(figures.draw(draw_masked_vs_causal, lang, **data))

    one = svg(masked_tokens=["[CLS]", "a", "[MASK]", "[SEP]"], causal_tokens=["The", " cat"])
    two = svg(masked_tokens=["[CLS]", "b", "[SEP]"], causal_tokens=["A", " dog", " ran"])
    assert " cat<" in one and " dog<" in two and "cat<" not in two
    assert one.count("<rect") != two.count("<rect") or one != two
    zh = svg("zh_CN", masked_tokens=["a"], causal_tokens=["b"])
    assert "因果语言模型" in zh and "Causal LM" not in zh
    with pytest.raises(ValueError, match="non-empty"):
        draw_masked_vs_causal(lambda s, **k: s, masked_tokens=[], causal_tokens=["a"])


def test_several_heads_share_one_colour_scale_and_follow_their_data():
    from helpers import figures
    from helpers.attention import draw_attention_heads

    tokens = ["[CLS]", "hi", "[SEP]"]
    low = np.full((3, 3), 1 / 3)
    high = np.eye(3) * 0.8 + 0.1 * (1 - np.eye(3))
    fig = figures.draw(draw_attention_heads, "en", panels=[(1, 1, low), (6, 1, high)], tokens=tokens, n_layers=6)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 2 and all(im.get_clim() == (0.0, pytest.approx(0.8)) for im in images)
    text = figures.to_svg(fig)
    assert "layer 6 of 6, head 1" in text and "attention weight" in text
    with pytest.raises(ValueError, match="must be 3x3"):
        draw_attention_heads(figures.Labels("en"), [(1, 1, np.zeros((2, 2)))], tokens, 6)
    if "zh_CN" in figures.languages():
        zh = figures.to_svg(
            figures.draw(draw_attention_heads, "zh_CN", panels=[(1, 1, low)], tokens=tokens, n_layers=6)
        )
        assert "注意力权重" in zh and "attention weight" not in zh
