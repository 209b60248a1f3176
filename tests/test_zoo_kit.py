"""The zoo's training kit (helpers/zoo/kit.py) and the fill-mask masking rule: exact, small, no zoo needed."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest
import torch

from helpers.zoo import kit
from helpers.zoo.core import BuildFailed
from helpers.zoo.models.fill_mask import mask_tokens


def _tiny_bert(cls_name: str = "BertModel", layers: int = 4, **kw):
    import transformers

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=120,
        hidden_size=32,
        num_hidden_layers=layers,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        **kw,
    )
    return getattr(transformers, cls_name)(config).eval()


def test_length_batches_group_similar_lengths_and_cover_everything():
    lengths = [5, 1, 9, 3, 7, 2]
    batches = kit.length_batches(lengths, 2)
    assert batches == [[1, 5], [3, 0], [4, 2]]
    assert sorted(i for b in batches for i in b) == list(range(6))


def test_pad_right_pads_to_the_longest():
    assert kit.pad([[1, 2, 3], [4]]).tolist() == [[1, 2, 3], [4, 0, 0]]
    assert kit.pad([[1], [2, 3]], -100).tolist() == [[1, -100], [2, 3]]


# ----------------------------------------------------------------------------------- the split encoder
@pytest.mark.parametrize("k", [0, 1, 3, 4])
def test_split_encoder_lower_then_upper_equals_the_full_model(k):
    """SplitEncoder builds the attention mask with a private transformers function: if an upgrade changes
    it, lower + upper no longer equals the model, and this test (not a silent zoo build) fails."""
    bert = _tiny_bert()
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 120, (3, 11), generator=g)
    mask = torch.ones(3, 11, dtype=torch.long)
    mask[1, 7:] = 0  # padded rows: the mask must really be applied
    mask[2, 4:] = 0
    types = torch.zeros(3, 11, dtype=torch.long)
    types[:, 5:] = 1
    split = kit.SplitEncoder(bert, k)
    with torch.no_grad():
        full = bert(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        parts = split.upper(split.lower(ids, mask, types), mask)
    keep = mask.bool()
    assert torch.allclose(parts[keep], full[keep], atol=1e-5, rtol=0)
    # and the mask matters: without it the padded rows' real tokens would differ
    with torch.no_grad():
        unmasked = bert(input_ids=ids, token_type_ids=types).last_hidden_state
    assert not torch.allclose(unmasked[2, :4], full[2, :4], atol=1e-3)


def test_split_encoder_freezes_the_lower_part_only():
    bert = _tiny_bert()
    split = kit.SplitEncoder(bert, 2)
    frozen = {n for n, p in bert.named_parameters() if not p.requires_grad}
    assert all(n.startswith(("embeddings.", "encoder.layer.0.", "encoder.layer.1.")) for n in frozen)
    assert {n.split(".")[0] for n in frozen} == {"embeddings", "encoder"} and len(frozen) == 5 + 2 * 16
    split.set_train(True)
    assert not bert.embeddings.training and not bert.encoder.layer[1].training and bert.encoder.layer[2].training


# ------------------------------------------------------------------------------- optimizer and schedule
def test_make_optimizer_no_decay_on_biases_and_layernorm_and_head_lr():
    model = _tiny_bert("BertForSequenceClassification", layers=2, num_labels=2)
    kit.SplitEncoder(model.bert, 1)
    recipe = {"lr": 1e-4, "head_lr": 1e-3, "weight_decay": 0.01, "warmup": 0.1}
    opt, sched = kit.make_optimizer(model, recipe, total_steps=50, head=model.classifier)
    groups = [(g["initial_lr"], g["weight_decay"], g["names"]) for g in opt.param_groups]
    assert [(lr, wd) for lr, wd, _ in groups] == [(1e-4, 0.01), (1e-4, 0.0), (1e-3, 0.01), (1e-3, 0.0)]
    body_decay, body_skip, head_decay, head_skip = (names for _, _, names in groups)
    assert head_decay == ["classifier.weight"] and head_skip == ["classifier.bias"]
    assert body_decay == [
        "bert.encoder.layer.1.attention.self.query.weight",
        "bert.encoder.layer.1.attention.self.key.weight",
        "bert.encoder.layer.1.attention.self.value.weight",
        "bert.encoder.layer.1.attention.output.dense.weight",
        "bert.encoder.layer.1.intermediate.dense.weight",
        "bert.encoder.layer.1.output.dense.weight",
        "bert.pooler.dense.weight",
    ]
    assert all(n.endswith((".bias", "LayerNorm.weight")) for n in body_skip) and len(body_skip) == 11
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert sorted(n for _, _, names in groups for n in names) == sorted(trainable)  # each once, frozen left out
    # transformers' linear warm-up (5 steps of 50) then linear decay to 0
    lrs = []
    for _ in range(50):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == 0.0 and lrs[5] == pytest.approx(1e-4) and lrs[3] == pytest.approx(0.6e-4)
    assert lrs[30] == pytest.approx(1e-4 * 20 / 45) and opt.param_groups[0]["lr"] == 0.0


def test_run_epochs_records_what_ran():
    model = _tiny_bert("BertForSequenceClassification", layers=1, num_labels=2)
    split = kit.SplitEncoder(model.bert, 0)
    ids = [[2, 5, 7], [2, 9], [2, 4, 4, 6]]
    cached = kit.cache_lower(split, [[0, 1], [2]], ids, "cpu", "test")
    labels = torch.tensor([0, 1, 1])

    def step(item):
        h, m, b = item
        logits = model.classifier(model.bert.pooler(split.upper(h, m)))
        return torch.nn.functional.cross_entropy(logits, labels[b])

    recipe = {"epochs": 3, "lr": 1e-3, "weight_decay": 0.1, "warmup": 0.5}
    losses, ran = kit.run_epochs(cached, step, model, recipe, "test")
    assert len(losses) == 6
    assert ran["total_steps"] == 6 and ran["warmup_steps"] == 3 and ran["optimizer"] == "AdamW"
    assert [(g["lr"], g["weight_decay"]) for g in ran["groups"]] == [(1e-3, 0.1), (1e-3, 0.0)]


@pytest.mark.parametrize("asked", ["bf16", "fp32"])
def test_run_epochs_steps_under_the_chosen_precision(monkeypatch, asked):
    monkeypatch.setenv("HFBOOK_PRECISION", asked)
    model = torch.nn.Linear(4, 2)
    seen = []

    def step(x):
        seen.append(model(x).dtype)  # a linear layer computes in bfloat16 under autocast
        return model(x).float().pow(2).mean()

    _, ran = kit.run_epochs(
        [torch.ones(3, 4)], step, model, {"epochs": 2, "lr": 1e-3, "weight_decay": 0.0, "warmup": 0}, "t"
    )
    assert ran["precision"] == asked
    assert seen == [torch.bfloat16 if asked == "bf16" else torch.float32] * 2
    assert model.weight.dtype == torch.float32  # the weights and the optimizer stay in float32


def test_precision_follows_the_hardware_unless_asked(monkeypatch):
    monkeypatch.delenv("HFBOOK_PRECISION", raising=False)
    native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    assert kit.precision("cpu") == ("bf16" if native else "fp32")
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert kit.precision("cpu") == "fp32"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    assert kit.precision("cpu") == "bf16"
    monkeypatch.setenv("HFBOOK_PRECISION", " FP32 ")
    assert kit.precision("cpu") == "fp32"
    monkeypatch.setenv("HFBOOK_PRECISION", "half")
    with pytest.raises(ValueError, match="HFBOOK_PRECISION='half': use bf16 or fp32"):
        kit.precision("cpu")


# ------------------------------------------------------------------- threads, seeds, floors
def test_threads_reuse_the_setup_validation(monkeypatch):
    monkeypatch.setenv("HFBOOK_THREADS", "two")
    with pytest.raises(ValueError, match="HFBOOK_THREADS must be a positive integer, got 'two'"):
        kit.threads()
    with pytest.raises(ValueError, match="HFBOOK_THREADS must be a positive integer"):
        kit.seed_all()


def test_seed_all_makes_torch_repeat(monkeypatch):
    monkeypatch.delenv("HFBOOK_THREADS", raising=False)
    kit.seed_all(7)
    a = torch.rand(3)
    kit.seed_all(7)
    assert torch.equal(a, torch.rand(3))


def test_check_floor_message():
    with pytest.raises(
        BuildFailed,
        match=r"qa: held-out f1 0\.4000 is below the floor 0\.5; .*"
        r"`python -m helpers.zoo build qa --force`",
    ):
        kit.check_floor("qa", {"f1": 0.4, "exact_match": 0.3}, {"f1": 0.5})
    kit.check_floor("qa", {"f1": 0.5, "exact_match": 0.3}, {"f1": 0.5})  # at the floor passes


# ----------------------------------------------------------------------------- the masking rule
TOK = SimpleNamespace(all_special_ids=[0, 100, 101, 102, 103], mask_token_id=103, vocab_size=30522)


def _sentences(n: int = 400):
    rng = random.Random(0)
    return [[101] + [rng.randrange(1000, 30522) for _ in range(rng.randrange(1, 40))] + [102] for _ in range(n)]


def test_mask_tokens_picks_15_percent_of_the_non_special_tokens():
    ids = _sentences()
    inputs, labels = mask_tokens(ids, TOK, seed=5, train=True)
    for seq, x, y in zip(ids, inputs, labels):
        picked = [i for i, t in enumerate(y) if t != -100]
        assert len(picked) == max(1, round(0.15 * (len(seq) - 2)))
        assert 0 not in picked and len(seq) - 1 not in picked  # [CLS] and [SEP] never
        assert all(y[i] == seq[i] for i in picked)
        assert all(x[i] == seq[i] for i in range(len(seq)) if i not in picked)


def test_mask_tokens_80_10_10_exact_counts_with_a_seed():
    ids = _sentences()
    inputs, labels = mask_tokens(ids, TOK, seed=5, train=True)
    masked = kept = random_ = 0
    for seq, x, y in zip(ids, inputs, labels):
        for i, t in enumerate(y):
            if t == -100:
                continue
            if x[i] == TOK.mask_token_id:
                masked += 1
            elif x[i] == seq[i]:
                kept += 1
            else:
                random_ += 1
                assert 999 <= x[i] < TOK.vocab_size  # a random real word piece, never an [unused] id
    total = masked + kept + random_
    assert (masked, random_, kept) == MASK_COUNTS
    assert abs(masked / total - 0.8) < 0.05 and abs(random_ / total - 0.1) < 0.03
    assert mask_tokens(ids, TOK, seed=5, train=True) == (inputs, labels)  # seeded: the same again


def test_mask_tokens_for_evaluation_masks_every_pick():
    ids = _sentences(50)
    inputs, labels = mask_tokens(ids, TOK, seed=6, train=False)
    for x, y in zip(inputs, labels):
        assert all(x[i] == TOK.mask_token_id for i, t in enumerate(y) if t != -100)


MASK_COUNTS = (1016, 101, 119)  # [MASK], random, kept: 82 %, 8 %, 10 % of 1 236 picks


def test_general_text_is_masked_at_whole_content_words_only(uncased):
    from helpers.zoo.models.fill_mask import content_positions, mask_training_text

    texts = ["he ordered a cup of coffee", "the lexicographers wrote a dictionary", "I loved this movie, it was great!"]
    ids = uncased(texts)["input_ids"]
    where = content_positions(uncased)
    words = [[uncased.convert_ids_to_tokens(seq[i]) for i in where(seq)] for seq in ids]
    assert words[0] == ["ordered", "cup", "coffee"]  # no function words
    assert "lexicographers" not in words[1] and all(not w.startswith("##") for w in words[1])  # whole words only
    recipe = {"mask_prob": 0.15, "general_mask_prob": 0.5}
    inputs, labels = mask_training_text(ids, ["examples", "definitions", "shipped"], uncased, recipe)
    for seq, y in zip(ids[:2], labels[:2]):
        picked = [i for i, t in enumerate(y) if t != -100]
        assert picked and set(picked) <= set(where(seq))
        assert len(picked) == min(len(where(seq)), max(1, round(0.5 * (len(seq) - 2))))
    shipped, _ = mask_tokens(ids[2:], uncased, 2024, train=True)  # shipped text: BERT's rule, seed SEED
    assert inputs[2] == shipped[0]
