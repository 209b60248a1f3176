"""helpers.anatomy: the pipeline's stages, body and head, and hidden states drawn from the data given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import anatomy, figures  # noqa: E402

STAGES = {
    "sentences": ["Good film.", "Bad."],
    "input_ids": [[101, 2204, 2143, 1012, 102], [101, 2919, 1012, 102, 0]],
    "attention_mask": [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]],
    "logits": [[-2.0, 2.5], [1.5, -1.0]],
    "probabilities": [[0.011, 0.989], [0.924, 0.076]],
    "id2label": {0: "NEGATIVE", 1: "POSITIVE"},
    "model_class": "BertForSequenceClassification",
}


def svg(fn, lang="en", **data):
    return figures.to_svg(figures.draw(fn, lang, **data))


def test_the_stages_show_the_real_shapes_ids_and_labels():
    out = svg(anatomy.draw_pipeline, **STAGES)
    assert "input_ids (2, 5)" in out and "101 2919 1012 102 0" in out
    assert "logits (2, 2)" in out and "POSITIVE   0.9890" in out and "NEGATIVE   0.9240" in out
    assert "0 marks the 1 padding positions" in out
    changed = svg(anatomy.draw_pipeline, **{**STAGES, "logits": [[3.25, 0.0], [1.5, -1.0]]})
    assert "+3.250" in changed and "+3.250" not in out


def test_an_emoji_is_written_as_its_code_point():
    out = svg(anatomy.draw_pipeline, **{**STAGES, "sentences": ["I 🤗 it.", "Bad."]})
    assert "&lt;U+1F917&gt;" in out or "<U+1F917>" in out


def test_rows_that_do_not_match_the_sentences_are_refused():
    with pytest.raises(ValueError, match="one row per sentence"):
        anatomy.draw_pipeline(figures.Labels("en"), **{**STAGES, "logits": [[0.0, 1.0]]})


class Tiny(torch.nn.Module):
    def __init__(self, labels=2):
        super().__init__()
        self.bert = torch.nn.Module()
        self.bert.embeddings = torch.nn.Embedding(10, 4)
        self.bert.encoder = torch.nn.Linear(4, 4)
        self.classifier = torch.nn.Linear(4, labels)


def test_parameter_groups_say_what_was_loaded_new_or_resized():
    model = Tiny(3)
    new = anatomy.parameter_groups(
        model, {"missing_keys": ["classifier.weight", "classifier.bias"], "mismatched_keys": []}
    )
    assert new == [("bert.embeddings", 40, "loaded"), ("bert.encoder", 20, "loaded"), ("classifier", 15, "new")]
    resized = anatomy.parameter_groups(
        model, {"missing_keys": [], "mismatched_keys": [("classifier.weight", (2, 4), (3, 4))]}
    )
    assert resized[-1] == ("classifier", 15, "resized")
    with pytest.raises(ValueError, match="output_loading_info=True"):
        anatomy.parameter_groups(model, {})


def test_body_and_head_follow_the_reports():
    groups = anatomy.parameter_groups(Tiny(3), {"missing_keys": ["classifier.weight"], "mismatched_keys": []})
    out = svg(anatomy.draw_body_head, panels=[("encoder", 3, groups)])
    assert "newly initialised" in out and "bert.encoder" in out and ">40<" in out.replace(" ", "")
    loaded = [(g, n, "loaded") for g, n, _ in groups]
    assert "newly initialised" not in svg(anatomy.draw_body_head, panels=[("encoder", 3, loaded)])
    resized = [*groups[:-1], ("classifier", 15, "resized")]
    assert "2 → 3 rows" in svg(anatomy.draw_body_head, panels=[("sentiment", 3, resized)], rows={"classifier": (2, 3)})
    with pytest.raises(ValueError, match="parameter_groups"):
        anatomy.draw_body_head(figures.Labels("en"), panels=[])


def test_hidden_states_are_one_more_than_layers():
    out = svg(
        anatomy.draw_hidden_states, n_layers=3, hidden_shape=(2, 5, 8), attention_shape=(2, 2, 5, 5), input_shape=(2, 5)
    )
    assert "hidden_states[3]" in out and "hidden_states[4]" not in out and "attentions[2]" in out
    assert "4 × (2, 5, 8)" in out and "3 × (2, 2, 5, 5)" in out
    with pytest.raises(ValueError, match="at least one layer"):
        anatomy.draw_hidden_states(figures.Labels("en"), 0, (1,), (1,), (1,))


def test_the_chinese_drawings_have_the_chinese_labels():
    if "zh_CN" not in figures.languages():
        pytest.skip("no Chinese font on this machine")
    out = svg(anatomy.draw_pipeline, "zh_CN", **STAGES)
    assert "对每一行做 softmax" in out and "softmax over each row" not in out
    hidden = svg(
        anatomy.draw_hidden_states,
        "zh_CN",
        n_layers=2,
        hidden_shape=(1, 3, 4),
        attention_shape=(1, 1, 3, 3),
        input_shape=(1, 3),
    )
    assert "嵌入层" in hidden and "第 2 层" in hidden
