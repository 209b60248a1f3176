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


#: How each Keras variable becomes its transformers tensor (see :func:`bert_weight_mapping`).
#:
#: Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
OPERATIONS = ("as is", "transpose", "reshape", "reshape + transpose")


def bert_weight_mapping(backbone) -> list[tuple[str, object, str]]:
    """Every weight of a KerasHub ``BertBackbone`` with its transformers ``BertModel`` name and the operation that
    turns one into the other: ``(transformers name, Keras variable, operation)``, the operation one of
    :data:`OPERATIONS`. Dense kernels are transposed (Keras stores ``[in, out]``, PyTorch ``[out, in]``); the
    attention kernels, which KerasHub keeps per head (``[hidden, heads, head_dim]``), are reshaped back to
    ``[hidden, hidden]`` first, and the query/key/value biases ``[heads, head_dim]`` to ``[hidden]``.

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
    """
    _check_bert_backbone(backbone)
    rows: list[tuple[str, object, str]] = [
        ("embeddings.word_embeddings.weight", backbone.get_layer("token_embedding").embeddings, "as is"),
        (
            "embeddings.position_embeddings.weight",
            backbone.get_layer("position_embedding").position_embeddings,
            "as is",
        ),
        ("embeddings.token_type_embeddings.weight", backbone.get_layer("segment_embedding").embeddings, "as is"),
        ("embeddings.LayerNorm.weight", backbone.get_layer("embeddings_layer_norm").gamma, "as is"),
        ("embeddings.LayerNorm.bias", backbone.get_layer("embeddings_layer_norm").beta, "as is"),
    ]
    for i in range(backbone.num_layers):
        block = backbone.get_layer(f"transformer_layer_{i}")
        attn = block._self_attention_layer
        p = f"encoder.layer.{i}."
        for hf_name, dense in (
            ("attention.self.query", attn.query_dense),
            ("attention.self.key", attn.key_dense),
            ("attention.self.value", attn.value_dense),
        ):
            rows.append((p + hf_name + ".weight", dense.kernel, "reshape + transpose"))
            rows.append((p + hf_name + ".bias", dense.bias, "reshape"))
        rows += [
            (p + "attention.output.dense.weight", attn.output_dense.kernel, "reshape + transpose"),
            (p + "attention.output.dense.bias", attn.output_dense.bias, "as is"),
            (p + "attention.output.LayerNorm.weight", block._self_attention_layer_norm.gamma, "as is"),
            (p + "attention.output.LayerNorm.bias", block._self_attention_layer_norm.beta, "as is"),
            (p + "intermediate.dense.weight", block._feedforward_intermediate_dense.kernel, "transpose"),
            (p + "intermediate.dense.bias", block._feedforward_intermediate_dense.bias, "as is"),
            (p + "output.dense.weight", block._feedforward_output_dense.kernel, "transpose"),
            (p + "output.dense.bias", block._feedforward_output_dense.bias, "as is"),
            (p + "output.LayerNorm.weight", block._feedforward_layer_norm.gamma, "as is"),
            (p + "output.LayerNorm.bias", block._feedforward_layer_norm.beta, "as is"),
        ]
    rows += [
        ("pooler.dense.weight", backbone.get_layer("pooled_dense").kernel, "transpose"),
        ("pooler.dense.bias", backbone.get_layer("pooled_dense").bias, "as is"),
    ]
    return rows


def _convert(array: np.ndarray, operation: str, hidden: int) -> np.ndarray:
    if operation == "as is":
        return array
    if operation == "transpose":
        return array.T
    if operation == "reshape":
        return array.reshape(hidden)
    if operation == "reshape + transpose":
        return array.reshape(hidden, hidden).T  # [in, heads, dim] -> [in, out] -> [out, in]
    raise ValueError(f"unknown operation {operation!r}: one of {OPERATIONS}")


def bert_backbone_state_dict(backbone, prefix: str = "") -> dict[str, np.ndarray]:
    """A KerasHub ``BertBackbone``'s weights as a transformers ``BertModel`` state dict of NumPy arrays.

    Keys are transformers names (``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``,
    ..., ``pooler.dense.weight``), each preceded by ``prefix`` (``"bert."`` inside ``BertForSequenceClassification``);
    each tensor converted as :func:`bert_weight_mapping` says.

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
    """
    mapping = bert_weight_mapping(backbone)
    hidden = backbone.hidden_dim
    return {
        prefix + name: np.ascontiguousarray(_convert(_np(variable), operation, hidden), dtype=np.float32)
        for name, variable, operation in mapping
    }


def draw_weight_mapping(tr, rows: list[tuple[str, tuple, str, tuple, str]], layers: int, total: int):
    """The weight mapping between KerasHub and transformers as a table of arrows: each row a Keras variable (name
    and shape) on the left, its transformers tensor on the right, the arrow coloured and labelled by the operation
    (:data:`OPERATIONS`). ``rows`` are ``(keras name, keras shape, transformers name, shape, operation)`` — the
    matrices of the embeddings, of one layer (repeated ``layers`` times) and of the heads; ``total`` is the
    number of tensors mapped in all. ``tr`` translates the labels (:mod:`helpers.figures`). Returns the figure.

    Defined in chapter 11 (``book/11_finetune_keras.ipynb``, "From Keras back to PyTorch").
    """
    from .boxes import PALETTE, canvas

    if not rows:
        raise ValueError("rows is empty: nothing to draw")
    bad = [r[4] for r in rows if r[4] not in OPERATIONS]
    if bad:
        raise ValueError(f"unknown operation(s) {bad}: each row's operation is one of {OPERATIONS}")
    colours = dict(zip(OPERATIONS, ("grey", "blue", "orange", "red")))
    names = dict(zip(OPERATIONS, (tr("as is"), tr("transpose"), tr("reshape"), tr("reshape + transpose"))))
    row_h = 0.78
    height = row_h * len(rows) + 1.5
    fig, ax = canvas(10, height)
    top = height - 0.4
    ax.text(0.1, top, "KerasHub (Keras 3)", ha="left", va="center", fontsize=10, weight="bold")
    ax.text(5.2, top, "transformers (PyTorch)", ha="left", va="center", fontsize=10, weight="bold")
    for i, (k_name, k_shape, h_name, h_shape, op) in enumerate(rows):
        y = top - 0.75 - i * row_h
        colour = PALETTE[colours[op]][0]
        ax.text(0.1, y + 0.14, k_name, ha="left", va="center", fontsize=9, family="monospace")
        ax.text(
            0.1, y - 0.2, str(list(k_shape)), ha="left", va="center", fontsize=9, family="monospace", color="#555555"
        )
        ax.annotate("", xy=(5.1, y), xytext=(3.9, y), arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.5})
        ax.text(4.5, y + 0.08, names[op], ha="center", va="bottom", fontsize=9, color=colour)
        ax.text(5.2, y + 0.14, h_name, ha="left", va="center", fontsize=9, family="monospace")
        ax.text(
            5.2, y - 0.2, str(list(h_shape)), ha="left", va="center", fontsize=9, family="monospace", color="#555555"
        )
    ax.text(
        0.1,
        0.3,
        tr(
            "{total} tensors in all; a layer's rows repeat for each of the {layers} layers; biases and "
            "LayerNorm γ/β as is",
            total=total,
            layers=layers,
        ),
        ha="left",
        va="center",
        fontsize=9,
        color="#555555",
    )
    return fig


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
