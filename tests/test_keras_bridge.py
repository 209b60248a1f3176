"""helpers.keras_bridge: KerasHub BERT -> transformers BERT, checked against both libraries' own code.

A tiny random BERT (2 layers, hidden 8, a 30-token vocabulary) keeps these tests fast; nothing here needs the zoo.
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import json

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras reading TF variables into NumPy

import keras  # noqa: E402  (requirements.txt pins the TensorFlow/Keras stack: a missing one is a failure)
import keras_hub  # noqa: E402
import torch  # noqa: E402
from transformers import AutoModelForSequenceClassification, AutoTokenizer, BertForSequenceClassification  # noqa: E402

from helpers.keras_bridge import (  # noqa: E402
    KERAS_BERT_GELU,
    bert_backbone_state_dict,
    bert_config_from_keras,
    export_bert_classifier,
    write_vocab_txt,
)

VOCAB = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "the",
    "a",
    "film",
    "is",
    "good",
    "bad",
    "movie",
    "great",
    "not",
    "boring",
    "##s",
    "##ly",
    "fun",
    ",",
    "!",
    ".",
    "it",
    "was",
    "very",
    "i",
    "liked",
    "hated",
    "plot",
    "and",
    "but",
    "cafe",
]
TEXTS = ["The film is GOOD!", "a boring movie, not fun", "i hated the plot but liked the films.", "a café movie"]


@pytest.fixture(scope="module")
def classifier():
    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(VOCAB), num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=16
    )
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=VOCAB, lowercase=True)
    pre = keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length=12)
    clf = keras_hub.models.BertTextClassifier(backbone, num_classes=3, preprocessor=pre)
    # random, non-trivial values everywhere (fresh LayerNorms and biases would be 1 and 0: a swapped pair would pass)
    rng = np.random.default_rng(0)
    for w in clf.weights:
        w.assign(rng.normal(0, 0.5, size=tuple(w.shape)).astype("float32"))
    return clf


@pytest.fixture(scope="module")
def exported(classifier, tmp_path_factory):
    return export_bert_classifier(
        classifier, tmp_path_factory.mktemp("exported"), id2label={0: "neg", 1: "mid", 2: "pos"}
    )


def test_write_vocab_txt_orders_by_id(tmp_path):
    path = write_vocab_txt({"b": 1, "[PAD]": 0, "c": 2}, tmp_path)
    assert path == tmp_path / "vocab.txt"
    assert path.read_text(encoding="utf-8") == "[PAD]\nb\nc\n"


def test_write_vocab_txt_from_transformers_tokenizer_roundtrips(exported, tmp_path):
    tok = AutoTokenizer.from_pretrained(exported)
    tok.save_pretrained(tmp_path)
    assert not (tmp_path / "vocab.txt").exists()  # the transformers 5 trap this helper is for
    write_vocab_txt(tok, tmp_path)
    assert (tmp_path / "vocab.txt").read_text(encoding="utf-8").splitlines() == VOCAB


def test_write_vocab_txt_rejects_gaps_and_empty(tmp_path):
    with pytest.raises(ValueError, match="0..1"):
        write_vocab_txt({"a": 0, "b": 2}, tmp_path)
    with pytest.raises(ValueError, match="empty"):
        write_vocab_txt({}, tmp_path)


def test_state_dict_has_exactly_transformers_names_and_shapes(classifier):
    sd = bert_backbone_state_dict(classifier.backbone, prefix="bert.")
    config = bert_config_from_keras(classifier.backbone, num_labels=3)
    reference = BertForSequenceClassification(config).state_dict()
    expected = {k: tuple(v.shape) for k, v in reference.items() if not k.startswith("classifier.")}
    assert {k: v.shape for k, v in sd.items()} == expected
    assert len(sd) == 5 + 2 * 16 + 2


def test_state_dict_values_are_the_keras_variables(classifier):
    backbone = classifier.backbone
    sd = bert_backbone_state_dict(backbone)
    q = backbone.get_layer("transformer_layer_1")._self_attention_layer.query_dense.kernel.numpy()  # [8, 2, 4]
    assert np.array_equal(sd["encoder.layer.1.attention.self.query.weight"], q.reshape(8, 8).T)
    ff = backbone.get_layer("transformer_layer_0")._feedforward_intermediate_dense.kernel.numpy()  # [8, 16]
    assert np.array_equal(sd["encoder.layer.0.intermediate.dense.weight"], ff.T)
    assert np.array_equal(
        sd["embeddings.word_embeddings.weight"], backbone.get_layer("token_embedding").embeddings.numpy()
    )


def test_config_matches_the_backbone(classifier):
    config = bert_config_from_keras(classifier.backbone, num_labels=3)
    assert (
        config.vocab_size,
        config.hidden_size,
        config.num_hidden_layers,
        config.num_attention_heads,
        config.intermediate_size,
        config.max_position_embeddings,
        config.type_vocab_size,
    ) == (31, 8, 2, 2, 16, 16, 2)
    assert config.hidden_act == KERAS_BERT_GELU == "gelu_pytorch_tanh"
    assert config.layer_norm_eps == pytest.approx(1e-12)


def test_export_folder_loads_and_gives_keras_logits(classifier, exported):
    files = sorted(p.name for p in exported.iterdir())
    assert files == ["config.json", "model.safetensors", "tokenizer_config.json", "vocab.txt"]
    config = json.loads((exported / "config.json").read_text())
    assert config["architectures"] == ["BertForSequenceClassification"]
    assert config["id2label"] == {"0": "neg", "1": "mid", "2": "pos"}

    tok = AutoTokenizer.from_pretrained(exported)
    model = AutoModelForSequenceClassification.from_pretrained(exported).eval()
    assert type(model) is BertForSequenceClassification
    enc = tok(TEXTS, padding="max_length", max_length=12, return_tensors="pt")
    keras_inputs = classifier.preprocessor(TEXTS)
    assert enc["input_ids"].tolist() == keras_inputs["token_ids"].numpy().tolist()
    assert enc["attention_mask"].bool().tolist() == keras_inputs["padding_mask"].numpy().tolist()
    with torch.no_grad():
        pt_logits = model(**enc).logits.numpy()
    keras_logits = classifier.predict(TEXTS, verbose=0)
    assert np.abs(pt_logits - keras_logits).max() < 1e-5


@pytest.mark.parametrize("strip_accents", [False, True])
def test_exported_tokenizer_handles_accents_like_keras(strip_accents, tmp_path):
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=VOCAB, lowercase=True, strip_accents=strip_accents)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(VOCAB), num_layers=1, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=16
    )
    pre = keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length=8)
    export_bert_classifier(keras_hub.models.BertTextClassifier(backbone, num_classes=2, preprocessor=pre), tmp_path)
    ids = AutoTokenizer.from_pretrained(tmp_path)(["a café film"], padding="max_length", max_length=8)["input_ids"]
    assert ids == pre(["a café film"])["token_ids"].numpy().tolist()
    assert ids[0][:5] == [2, 6, 30 if strip_accents else 1, 7, 3]  # [CLS] a cafe|[UNK] film [SEP]


def test_exact_gelu_export_differs(classifier, tmp_path):
    export_bert_classifier(classifier, tmp_path, hidden_act="gelu")
    model = BertForSequenceClassification.from_pretrained(tmp_path).eval()
    enc = AutoTokenizer.from_pretrained(tmp_path)(TEXTS, padding="max_length", max_length=12, return_tensors="pt")
    with torch.no_grad():
        pt_logits = model(**enc).logits.numpy()
    diff = np.abs(pt_logits - classifier.predict(TEXTS, verbose=0)).max()
    assert 1e-5 < diff < 0.5  # same weights, a slightly different activation function


def test_keras_hub_reads_the_export_back_bit_for_bit(classifier, exported):
    backbone = keras_hub.models.BertBackbone.from_preset(str(exported))
    original = {w.path: w.numpy() for w in classifier.backbone.weights}
    reloaded = {w.path: w.numpy() for w in backbone.weights}
    assert original.keys() == reloaded.keys()
    assert all(np.array_equal(original[k], reloaded[k]) for k in original)


def test_bad_inputs_raise(classifier, tmp_path):
    with pytest.raises(TypeError, match="BertTextClassifier"):
        export_bert_classifier(classifier.backbone, tmp_path)
    with pytest.raises(TypeError, match="BertBackbone"):
        bert_backbone_state_dict(classifier)
    with pytest.raises(ValueError, match="id2label"):
        export_bert_classifier(classifier, tmp_path, id2label={0: "neg", 1: "pos"})


def test_weight_mapping_operations_and_figure(classifier):
    from helpers import figures
    from helpers.keras_bridge import OPERATIONS, bert_weight_mapping, draw_weight_mapping

    mapping = bert_weight_mapping(classifier.backbone)
    sd = bert_backbone_state_dict(classifier.backbone)
    assert [name for name, _, _ in mapping] == list(sd)
    ops = {name: op for name, _, op in mapping}
    assert ops["encoder.layer.0.attention.self.query.weight"] == "reshape + transpose"
    assert ops["encoder.layer.0.attention.self.query.bias"] == "reshape"
    assert ops["encoder.layer.0.intermediate.dense.weight"] == "transpose"
    assert ops["embeddings.word_embeddings.weight"] == "as is"
    assert set(ops.values()) == set(OPERATIONS)
    rows = [(v.path, tuple(v.shape), n, sd[n].shape, op) for n, v, op in mapping if len(v.shape) > 1][:4]
    svg = figures.to_svg(figures.draw(draw_weight_mapping, "en", rows=rows, layers=2, total=len(mapping)))
    assert rows[0][2] in svg and f"{len(mapping)} tensors" in svg
    fewer = figures.to_svg(figures.draw(draw_weight_mapping, "en", rows=rows[:1], layers=2, total=len(mapping)))
    assert rows[1][2] not in fewer
    with pytest.raises(ValueError, match="operation"):
        draw_weight_mapping(figures.labels("en"), rows=[("a", (1,), "b", (1,), "rotate")], layers=1, total=1)
    if "zh_CN" in figures.languages():
        assert "转置" in figures.to_svg(figures.draw(draw_weight_mapping, "zh_CN", rows=rows, layers=2, total=9))
