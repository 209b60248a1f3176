"""helpers.paraphrase: mean-pooled MiniLM cosine scores (chapter 5)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import checkpoint
from helpers.paraphrase import THRESHOLD, embed, paraphrase_scores, similarity

SEED = [
    "The company HuggingFace is based in New York City",
    "Apples are especially bad for your health",
    "HuggingFace's headquarters are situated in Manhattan",
]


def test_embed_is_the_normalised_mean_of_the_feature_extraction_pipeline():
    from transformers import pipeline

    extractor = pipeline("feature-extraction", model=checkpoint("minilm"))
    ours = embed(SEED).numpy()
    assert ours.shape == (3, 384)
    for i, s in enumerate(SEED):
        hidden = np.asarray(extractor(s))[0]  # (tokens, 384), one sentence: no padding
        mean = hidden.mean(0)
        np.testing.assert_allclose(ours[i], mean / np.linalg.norm(mean), atol=1e-5)


def test_padding_does_not_change_an_embedding():
    alone = embed(["Short."])
    padded = embed(["Short.", "A much longer sentence that forces the first one to be padded quite a lot."])
    np.testing.assert_allclose(alone[0].numpy(), padded[0].numpy(), atol=1e-5)


def test_seed_pairs_and_threshold():
    para, other = paraphrase_scores([(SEED[0], SEED[2]), (SEED[0], SEED[1])])
    assert para["label"] == "paraphrase" and para["score"] >= THRESHOLD
    assert other["label"] == "not paraphrase" and other["score"] < 0.3
    assert para["score"] == pytest.approx(0.843, abs=0.01)  # the figure the docstring quotes
    same_topic_opposite = similarity(["The movie was great."], ["The film was terrible."])[0]
    assert 0.5 < same_topic_opposite < THRESHOLD  # why the line is at 0.7, not 0.5
    assert similarity(["Identical words."], ["Identical words."])[0] == pytest.approx(1.0, abs=1e-5)
    assert paraphrase_scores([(SEED[0], SEED[2])], threshold=0.9)[0]["label"] == "not paraphrase"


def test_bad_input_raises():
    with pytest.raises(TypeError, match="list of strings"):
        embed("one string")
    with pytest.raises(ValueError, match="empty"):
        embed([])
    with pytest.raises(ValueError, match="non-empty strings"):
        embed(["ok", ""])
    with pytest.raises(ValueError, match="pair up"):
        similarity(["a"], ["b", "c"])
    with pytest.raises(ValueError, match="tuples"):
        paraphrase_scores([("only one",)])
    with pytest.raises(ValueError, match="cosine"):
        paraphrase_scores([("a", "b")], threshold=2)


def test_cross_and_bi_encoder_drawing_shows_the_pair_and_the_cosine():
    import matplotlib

    matplotlib.use("Agg")
    from helpers import figures
    from helpers.paraphrase import draw_cross_and_bi_encoder

    def svg(lang="en", **data):
        return figures.to_svg(figures.draw(draw_cross_and_bi_encoder, lang, **data))

    one = svg(sentence_a="Cats purr.", sentence_b="Cats are purring.", cosine=0.81)
    two = svg(sentence_a="Dogs bark.", sentence_b="Apples fall.", cosine=0.05)
    assert "A: Cats purr." in one and "cos(u, v) = 0.81" in one
    assert "A: Dogs bark." in two and "0.81" not in two
    zh = svg("zh_CN", sentence_a="a", sentence_b="b")
    assert "交叉编码器" in zh and "Cross-encoder" not in zh
    with pytest.raises(ValueError, match="non-empty"):
        draw_cross_and_bi_encoder(lambda s, **k: s, sentence_a=" ", sentence_b="b")
