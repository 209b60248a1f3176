"""helpers.training: parameter groups (checked against Trainer's own decay rule), metrics (checked against hand
counts), the loop and evaluation on a tiny randomly initialised BERT (no zoo, no download)."""

import math

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    BertModel,
    EvalPrediction,
    LlamaConfig,
    LlamaForCausalLM,
    Trainer,
    get_linear_schedule_with_warmup,
)

import helpers.checkpoints
from helpers.training import (
    NO_DECAY,
    RECIPE,
    MeanPoolingClassifier,
    build_classifier,
    classification_metrics,
    evaluate_classifier,
    mean_pool,
    move_to,
    parameter_groups,
    split_decay_names,
    train_classifier,
)


def tiny_bert(num_labels=2, seed=0):
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
        num_labels=num_labels,
    )
    return BertForSequenceClassification(config)


def tiny_batches(n_batches=4, batch_size=4, seq_len=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        {
            "input_ids": torch.randint(1, 50, (batch_size, seq_len), generator=g),
            "attention_mask": torch.ones(batch_size, seq_len, dtype=torch.long),
            "labels": torch.randint(0, 2, (batch_size,), generator=g),
        }
        for _ in range(n_batches)
    ]


# ---------------------------------------------------------------- parameter groups
def test_split_matches_the_seed_rule_on_bert_names():
    model = tiny_bert()
    decay, skip = split_decay_names(model)
    names = [n for n, _ in model.named_parameters()]
    assert sorted(decay + skip) == sorted(names)
    assert "bert.embeddings.LayerNorm.weight" in skip and "bert.embeddings.LayerNorm.bias" in skip
    assert "classifier.bias" in skip and "bert.encoder.layer.0.attention.self.query.bias" in skip
    assert "classifier.weight" in decay and "bert.embeddings.word_embeddings.weight" in decay
    # every skipped name is a bias or a LayerNorm weight, nothing else
    assert all(n.endswith(".bias") or n.endswith("LayerNorm.weight") for n in skip)
    # 2 layers x (6 Linear biases + 2 LayerNorm x 2) + embeddings LayerNorm (2) + pooler bias + classifier bias
    assert len(skip) == 2 * (6 + 4) + 2 + 1 + 1 == 24
    assert len(decay) == len(names) - 24


def test_split_equals_trainer_decay_rule_for_bert():
    model = tiny_bert()
    decay, _ = split_decay_names(model)
    assert sorted(decay) == sorted(Trainer.get_decay_parameter_names(None, model))


def test_parameter_groups_feed_adamw_with_right_decay():
    model = tiny_bert()
    groups = parameter_groups(model, weight_decay=0.01)
    assert [g["weight_decay"] for g in groups] == [0.01, 0.0]
    assert sum(p.numel() for g in groups for p in g["params"]) == sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(groups, lr=1e-3)
    assert [g["weight_decay"] for g in opt.param_groups] == [0.01, 0.0]
    assert opt.param_groups[1]["names"] == groups[1]["names"]


def test_unmatched_pattern_is_refused_for_llama_names():
    config = LlamaConfig(
        vocab_size=32,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
    )
    model = LlamaForCausalLM(config)
    with pytest.raises(ValueError, match="LayerNorm.weight"):
        split_decay_names(model)
    decay, skip = split_decay_names(model, ("bias", "LayerNorm.weight"), strict=False)
    assert skip == []  # Llama has no biases and names its norms input_layernorm / norm: the seed rule skips nothing
    _, skip = split_decay_names(model, ("norm.weight",))
    assert sorted(skip) == [
        "model.layers.0.input_layernorm.weight",
        "model.layers.0.post_attention_layernorm.weight",
        "model.norm.weight",
    ]


def test_frozen_parameters_are_left_out():
    model = tiny_bert()
    for p in model.base_model.parameters():
        p.requires_grad = False
    decay, skip = split_decay_names(model, ("bias",))
    assert decay == ["classifier.weight"] and skip == ["classifier.bias"]
    with pytest.raises(ValueError, match="LayerNorm.weight"):  # the only LayerNorms are frozen now
        split_decay_names(model)
    for p in model.parameters():
        p.requires_grad = False
    with pytest.raises(ValueError, match="no trainable parameters"):
        split_decay_names(model)


def test_bad_arguments():
    model = tiny_bert()
    with pytest.raises(TypeError, match="not a str"):
        split_decay_names(model, "bias")
    with pytest.raises(ValueError, match="weight_decay"):
        parameter_groups(model, weight_decay=-0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        parameter_groups(model, weight_decay=math.nan)
    assert NO_DECAY == ("bias", "LayerNorm.weight")


# ---------------------------------------------------------------- metrics
def test_metrics_exact_values():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0], [5.0, -1.0]])  # preds 0 1 0 1 0
    labels = np.array([0, 1, 1, 0, 0])
    # TP=1 (idx 1), FP=1 (idx 3), FN=1 (idx 2), TN=2
    m = classification_metrics((logits, labels))
    assert m == {"accuracy": 0.6, "precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert classification_metrics(EvalPrediction(predictions=logits, label_ids=labels)) == m
    assert classification_metrics(((logits, np.zeros(5)), labels)) == m  # extra model outputs after the logits


def test_metrics_no_positive_prediction_gives_zero_not_warning():
    logits = np.array([[1.0, 0.0], [1.0, 0.0]])
    m = classification_metrics((logits, np.array([1, 0])))
    assert m == {"accuracy": 0.5, "precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_metrics_bad_shapes():
    with pytest.raises(ValueError, match="num_labels"):
        classification_metrics((np.array([0.1, 0.9]), np.array([1, 0])))
    with pytest.raises(ValueError, match="labels must have shape"):
        classification_metrics((np.zeros((3, 2)), np.array([1, 0])))


# ---------------------------------------------------------------- loop and evaluation
def test_train_classifier_steps_schedule_and_loss():
    model = tiny_bert()
    batches = tiny_batches(n_batches=5)
    opt = torch.optim.AdamW(parameter_groups(model), lr=1e-2)
    sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=2, num_training_steps=5)
    before = model.classifier.weight.detach().clone()
    hist = train_classifier(model, batches, opt, sched, max_steps=4, progress=False)
    assert hist["step"] == [1, 2, 3, 4] and hist["examples"] == [4, 8, 12, 16]
    # the LR each step used: warm-up 0 -> 1e-2 over 2 steps, then linear decay to 0 at step 5
    assert hist["lr"] == pytest.approx([0.0, 5e-3, 1e-2, 2 / 3 * 1e-2])
    assert sched.get_last_lr()[0] == pytest.approx(1e-2 / 3)
    assert not torch.equal(before, model.classifier.weight)
    assert all(a <= b for a, b in zip(hist["seconds"], hist["seconds"][1:]))


def test_loop_loss_is_the_cross_entropy_of_the_logits():
    model = tiny_bert()
    model.eval()  # no dropout: the two forward passes must agree
    batch = tiny_batches(1)[0]
    out = model(**batch)
    assert torch.allclose(out.loss, torch.nn.functional.cross_entropy(out.logits, batch["labels"]))


def test_evaluate_matches_a_manual_pass():
    model = tiny_bert()
    batches = tiny_batches(n_batches=3)
    model.train()
    res = evaluate_classifier(model, batches)
    assert model.training  # mode restored
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(**move_to(b, "cpu")).logits for b in batches])
    labels = torch.cat([b["labels"] for b in batches])
    assert res["n"] == 12
    assert res["loss"] == pytest.approx(torch.nn.functional.cross_entropy(logits, labels).item(), rel=1e-5)
    assert res["accuracy"] == pytest.approx((logits.argmax(-1) == labels).float().mean().item())


def test_loop_bad_input():
    model = tiny_bert()
    opt = torch.optim.AdamW(model.parameters())
    batch = tiny_batches(1)[0]
    batch.pop("labels")
    with pytest.raises(KeyError, match="labels"):
        train_classifier(model, [batch], opt, progress=False)
    with pytest.raises(ValueError, match="max_steps"):
        train_classifier(model, tiny_batches(1), opt, max_steps=0, progress=False)
    with pytest.raises(ValueError, match="no batches"):
        evaluate_classifier(model, DataLoader([]))


def test_recipe_is_the_documented_one():
    assert RECIPE["checkpoint"] == "encoder" and RECIPE["max_length"] == 64 and RECIPE["batch_size"] == 32
    assert RECIPE["pooling"] == "mean" and RECIPE["freeze_word_embeddings"] is True
    assert RECIPE["extra_train_sets"] == ["amazon"]
    assert RECIPE["epochs"] == 2 and RECIPE["learning_rate"] == 1e-4 and RECIPE["weight_decay"] == 0.01
    assert RECIPE["length_grouped"] is True and RECIPE["warmup_ratio"] == 0.1


# ---------------------------------------------------------------- mean pooling and the recipe's model
def test_mean_pool_exact_values_and_padding_left_out():
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]], [[5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]])
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    assert torch.equal(mean_pool(hidden, mask), torch.tensor([[2.0, 3.0], [7.0, 8.0]]))
    with pytest.raises(ValueError, match="attention_mask"):
        mean_pool(hidden, mask[:, :2])
    with pytest.raises(ValueError, match="batch, length, width"):
        mean_pool(hidden[0], mask[0])


def tiny_body(seed=0):
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
    )
    return BertModel(config, add_pooling_layer=False)


def test_mean_pooling_classifier_is_a_head_on_the_mean():
    model = MeanPoolingClassifier(tiny_body(), num_labels=3).eval()
    assert model.base_model is model.body and model.classifier.out_features == 3
    assert torch.equal(model.classifier.bias, torch.zeros(3))
    batch = tiny_batches(1)[0]
    batch["attention_mask"][:, 4:] = 0  # padding at the end of every row
    out = model(**batch)
    hidden = model.body(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    by_hand = hidden[:, :4].mean(1) @ model.classifier.weight.T + model.classifier.bias
    assert torch.allclose(out.logits, by_hand, atol=1e-6)
    assert torch.allclose(out.loss, torch.nn.functional.cross_entropy(out.logits, batch["labels"]))
    assert model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).loss is None
    with pytest.raises(ValueError, match="num_labels"):
        MeanPoolingClassifier(tiny_body(), num_labels=1)


def test_mean_pooling_classifier_runs_in_the_loop():
    model = MeanPoolingClassifier(tiny_body())
    opt = torch.optim.AdamW(parameter_groups(model), lr=1e-2)
    before = model.body.encoder.layer[0].attention.self.query.weight.detach().clone()
    hist = train_classifier(model, tiny_batches(3), opt, progress=False)
    assert hist["step"] == [1, 2, 3]
    assert not torch.equal(before, model.body.encoder.layer[0].attention.self.query.weight)
    assert evaluate_classifier(model, tiny_batches(2))["n"] == 8


def test_build_classifier_follows_the_recipe(tmp_path, monkeypatch):
    tiny_body().save_pretrained(tmp_path)
    monkeypatch.setattr(helpers.checkpoints, "checkpoint", lambda name: str(tmp_path))
    model = build_classifier(RECIPE)
    assert isinstance(model, MeanPoolingClassifier)
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    assert frozen == ["body.embeddings.word_embeddings.weight"]
    assert "pooler" not in " ".join(n for n, _ in model.named_parameters())
    cls = build_classifier({**RECIPE, "pooling": "cls", "freeze_word_embeddings": False})
    assert isinstance(cls, BertForSequenceClassification) and all(p.requires_grad for p in cls.parameters())
    with pytest.raises(ValueError, match="pooling"):
        build_classifier({**RECIPE, "pooling": "max"})


def test_training_step_figure_follows_its_data():
    from helpers import figures
    from helpers.training import draw_training_step

    data = dict(step=10, width=38, loss=0.6789, lr=9.72e-5, next_lr=9.44e-5)
    svg = figures.to_svg(figures.draw(draw_training_step, "en", **data))
    assert "0.6789" in svg and "9.72e-05" in svg and "9.44e-05" in svg and "38 tokens" in svg
    other = figures.to_svg(figures.draw(draw_training_step, "en", **{**data, "loss": 0.25, "step": 3}))
    assert "0.2500" in other and "Step 3" in other and "0.6789" not in other
    with pytest.raises(ValueError, match="finite"):
        draw_training_step(figures.labels("en"), **{**data, "loss": float("nan")})
    if "zh_CN" in figures.languages():
        assert "损失" in figures.to_svg(figures.draw(draw_training_step, "zh_CN", **data))


def test_pooling_figure_follows_its_data():
    from helpers import figures
    from helpers.training import draw_pooling

    data = dict(
        tokens=["[CLS]", "i", "love", "pixar", ".", "[SEP]", "[PAD]"],
        mask=[1, 1, 1, 1, 1, 1, 0],
        cls_accuracy=0.52,
        mean_accuracy=0.72,
        steps=40,
    )
    svg = figures.to_svg(figures.draw(draw_pooling, "en", **data))
    assert "pixar" in svg and "0.520" in svg and "0.720" in svg and "6 vectors" in svg
    other = figures.to_svg(figures.draw(draw_pooling, "en", **{**data, "mask": [1, 1, 1, 1, 0, 0, 0]}))
    assert "4 vectors" in other
    with pytest.raises(ValueError, match="same length"):
        draw_pooling(figures.labels("en"), **{**data, "mask": [1, 1]})
    if "zh_CN" in figures.languages():
        assert "均值池化" in figures.to_svg(figures.draw(draw_pooling, "zh_CN", **data))
