"""Carry a BERT model between KerasHub (Keras 3) and 🤗 transformers (PyTorch).

Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").

transformers 4.x did this with ``from_tf=True`` / ``from_pt=True``; transformers 5 has no TensorFlow classes.
KerasHub reads a transformers BERT folder by itself (``from_preset(folder)``), but it has no exporter for BERT
(``export_to_transformers`` knows only Gemma, Llama, Mistral, Qwen and GPT-2 backbones) and never reads or writes a
text classifier's head. This module is the other direction, written as the inverse of KerasHub's own importer
(``keras_hub/src/utils/transformers/convert_bert.py``): each Keras variable becomes the transformers tensor of the same
name, with Dense kernels transposed and the per-head attention kernels reshaped back to 2-D.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# KerasHub's BertBackbone computes GELU with the tanh approximation (keras_hub.src.utils.keras_utils.gelu_approximate);
# transformers calls the same function "gelu_pytorch_tanh". Exporting with it makes PyTorch compute what Keras computed.
KERAS_BERT_GELU = "gelu_pytorch_tanh"


def write_vocab_txt(tokenizer, folder) -> Path:
    """Write ``vocab.txt`` (one token a line, line number = id) for a transformers BERT tokenizer.

    transformers 5's ``save_pretrained`` writes only ``tokenizer.json`` for a BERT tokenizer; KerasHub's BERT
    loader reads ``vocab.txt``. Accepts a tokenizer (anything with ``get_vocab()``) or a ``{token: id}`` dict.
    Returns the path written. Raises ``ValueError`` if the ids are not exactly 0..n-1.

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From PyTorch to Keras").
    """
    vocab = tokenizer if isinstance(tokenizer, dict) else tokenizer.get_vocab()
    if not vocab:
        raise ValueError("the vocabulary is empty")
    by_id = sorted(vocab.items(), key=lambda item: item[1])
    ids = [i for _, i in by_id]
    if ids != list(range(len(ids))):
        missing = sorted(set(range(max(ids) + 1)) - set(ids))[:5]
        raise ValueError(
            f"token ids must be exactly 0..{len(ids) - 1} (one line per id); "
            f"missing or duplicated ids, e.g. missing {missing}"
        )
    for token, _ in by_id:
        if "\n" in token or "\r" in token:
            raise ValueError(f"token {token!r} contains a line break and cannot be written to vocab.txt")
    path = Path(folder) / "vocab.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(token + "\n" for token, _ in by_id), encoding="utf-8")
    return path


def _np(variable) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(variable), dtype=np.float32)


def _check_bert_backbone(backbone) -> None:
    import keras_hub

    if not isinstance(backbone, keras_hub.models.BertBackbone):
        raise TypeError(f"expected a keras_hub.models.BertBackbone, got {type(backbone).__name__}")


def bert_backbone_state_dict(backbone, prefix: str = "") -> dict[str, np.ndarray]:
    """A KerasHub ``BertBackbone``'s weights as a transformers ``BertModel`` state dict of NumPy arrays.

    Keys are transformers names (``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``,
    ..., ``pooler.dense.weight``), each preceded by ``prefix`` (``"bert."`` inside ``BertForSequenceClassification``).
    Dense kernels are transposed (Keras stores ``[in, out]``, PyTorch ``[out, in]``); the attention kernels, which
    KerasHub keeps per head (``[hidden, heads, head_dim]``), are flattened back to ``[hidden, hidden]``.

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
    """
    _check_bert_backbone(backbone)
    hidden = backbone.hidden_dim
    sd: dict[str, np.ndarray] = {}

    def put(name, array):
        sd[prefix + name] = np.ascontiguousarray(array, dtype=np.float32)

    put("embeddings.word_embeddings.weight", _np(backbone.get_layer("token_embedding").embeddings))
    put("embeddings.position_embeddings.weight", _np(backbone.get_layer("position_embedding").position_embeddings))
    put("embeddings.token_type_embeddings.weight", _np(backbone.get_layer("segment_embedding").embeddings))
    put("embeddings.LayerNorm.weight", _np(backbone.get_layer("embeddings_layer_norm").gamma))
    put("embeddings.LayerNorm.bias", _np(backbone.get_layer("embeddings_layer_norm").beta))
    for i in range(backbone.num_layers):
        block = backbone.get_layer(f"transformer_layer_{i}")
        attn = block._self_attention_layer
        p = f"encoder.layer.{i}."
        for hf_name, dense in (
            ("attention.self.query", attn.query_dense),
            ("attention.self.key", attn.key_dense),
            ("attention.self.value", attn.value_dense),
        ):
            put(p + hf_name + ".weight", _np(dense.kernel).reshape(hidden, hidden).T)  # [in, heads, dim] -> [out, in]
            put(p + hf_name + ".bias", _np(dense.bias).reshape(hidden))
        put(p + "attention.output.dense.weight", _np(attn.output_dense.kernel).reshape(hidden, hidden).T)
        put(p + "attention.output.dense.bias", _np(attn.output_dense.bias))
        put(p + "attention.output.LayerNorm.weight", _np(block._self_attention_layer_norm.gamma))
        put(p + "attention.output.LayerNorm.bias", _np(block._self_attention_layer_norm.beta))
        put(p + "intermediate.dense.weight", _np(block._feedforward_intermediate_dense.kernel).T)
        put(p + "intermediate.dense.bias", _np(block._feedforward_intermediate_dense.bias))
        put(p + "output.dense.weight", _np(block._feedforward_output_dense.kernel).T)
        put(p + "output.dense.bias", _np(block._feedforward_output_dense.bias))
        put(p + "output.LayerNorm.weight", _np(block._feedforward_layer_norm.gamma))
        put(p + "output.LayerNorm.bias", _np(block._feedforward_layer_norm.beta))
    put("pooler.dense.weight", _np(backbone.get_layer("pooled_dense").kernel).T)
    put("pooler.dense.bias", _np(backbone.get_layer("pooled_dense").bias))
    return sd


def bert_config_from_keras(backbone, num_labels: int | None = None, hidden_act: str = KERAS_BERT_GELU, **extra):
    """The transformers ``BertConfig`` that describes a KerasHub ``BertBackbone`` (sizes, dropout, GELU flavour).

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
    """
    from transformers import BertConfig

    _check_bert_backbone(backbone)
    ln = backbone.get_layer("embeddings_layer_norm")
    kwargs = dict(
        vocab_size=backbone.vocabulary_size,
        hidden_size=backbone.hidden_dim,
        num_hidden_layers=backbone.num_layers,
        num_attention_heads=backbone.num_heads,
        intermediate_size=backbone.intermediate_dim,
        max_position_embeddings=backbone.max_sequence_length,
        type_vocab_size=backbone.num_segments,
        hidden_dropout_prob=backbone.dropout,
        attention_probs_dropout_prob=backbone.dropout,
        layer_norm_eps=float(ln.epsilon),
        hidden_act=hidden_act,
        pad_token_id=0,
    )
    if num_labels is not None:
        kwargs["num_labels"] = num_labels
    kwargs.update(extra)
    return BertConfig(**kwargs)


def export_bert_classifier(
    classifier, folder, id2label: dict[int, str] | None = None, hidden_act: str = KERAS_BERT_GELU
) -> Path:
    """Save a KerasHub ``BertTextClassifier`` as a transformers ``BertForSequenceClassification`` folder.

    Writes ``config.json`` + ``model.safetensors`` (through ``BertForSequenceClassification.save_pretrained``, after a
    strict ``load_state_dict``, so a missing or extra tensor is an error) and, when the classifier has a preprocessor,
    its vocabulary as ``vocab.txt`` + ``tokenizer_config.json`` (with the Keras tokenizer's ``lowercase`` and
    ``strip_accents``), so ``AutoTokenizer.from_pretrained(folder)`` and
    ``AutoModelForSequenceClassification.from_pretrained(folder)`` both work. ``hidden_act`` defaults to the tanh GELU
    that KerasHub computes; pass ``"gelu"`` to write the exact GELU of the original BERT config instead.
    Returns the folder.

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
    """
    import keras_hub
    import torch
    from transformers import BertForSequenceClassification

    if not isinstance(classifier, keras_hub.models.BertTextClassifier):
        raise TypeError(f"expected a keras_hub.models.BertTextClassifier, got {type(classifier).__name__}")
    if classifier.activation is not None and getattr(classifier.activation, "__name__", "") != "linear":
        raise ValueError(
            "the classifier has an output activation; transformers' head returns raw logits — "
            "build the Keras classifier with activation=None"
        )
    backbone = classifier.backbone
    num_labels = classifier.num_classes
    extra = {"architectures": ["BertForSequenceClassification"]}
    if id2label is not None:
        if sorted(id2label) != list(range(num_labels)):
            raise ValueError(f"id2label must name each of the {num_labels} classes 0..{num_labels - 1}")
        extra["id2label"] = {int(k): v for k, v in id2label.items()}
        extra["label2id"] = {v: int(k) for k, v in id2label.items()}
    config = bert_config_from_keras(backbone, num_labels=num_labels, hidden_act=hidden_act, **extra)

    sd = bert_backbone_state_dict(backbone, prefix="bert.")
    head = classifier.output_dense
    sd["classifier.weight"] = np.ascontiguousarray(_np(head.kernel).T)
    sd["classifier.bias"] = _np(head.bias)
    model = BertForSequenceClassification(config)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)

    folder = Path(folder)
    model.save_pretrained(folder)
    tokenizer = getattr(classifier.preprocessor, "tokenizer", None) if classifier.preprocessor is not None else None
    if tokenizer is not None:
        vocabulary = tokenizer.get_vocabulary()
        write_vocab_txt({token: i for i, token in enumerate(vocabulary)}, folder)
        # strip_accents written out: transformers' default (None) strips accents whenever it lower-cases, KerasHub's
        # BertTokenizer only when built with strip_accents=True
        tok_config = {
            "tokenizer_class": "BertTokenizer",
            "do_lower_case": bool(tokenizer.lowercase),
            "strip_accents": bool(tokenizer.strip_accents),
            "model_max_length": int(classifier.preprocessor.sequence_length),
            "unk_token": "[UNK]",
            "sep_token": "[SEP]",
            "pad_token": "[PAD]",
            "cls_token": "[CLS]",
            "mask_token": "[MASK]",
        }
        (folder / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2) + "\n", encoding="utf-8")
    return folder
