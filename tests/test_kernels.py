"""helpers.kernels: one-row passes of a bfloat16 model on a CPU switch kernel only when the other is faster, only for
one token of one sequence, and the setting comes back afterwards, even after an error."""

from __future__ import annotations

import pytest
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

from helpers import kernels


def tiny(dtype=torch.bfloat16):
    torch.manual_seed(0)
    config = Qwen2Config(
        vocab_size=300,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    return Qwen2ForCausalLM(config).to(dtype).eval()


def choose(model, monkeypatch, onednn_ms, native_ms):
    """The choice, with the two timings made up (the real ones depend on the processor)."""
    monkeypatch.setattr(kernels, "time_one_row_product", lambda weight, onednn: onednn_ms if onednn else native_ms)
    return kernels.choose_one_row_kernel(model)


def onednn_during_passes(model):
    """Whether oneDNN was on inside each forward pass of the model's first layer."""
    seen = []
    model.model.layers[0].register_forward_pre_hook(lambda m, a: seen.append(torch.backends.mkldnn.enabled))
    return seen


def test_when_pytorchs_kernel_is_faster_one_row_passes_use_it_and_all_others_onednn(monkeypatch):
    model = tiny()
    choice = choose(model, monkeypatch, onednn_ms=40.0, native_ms=20.0)
    assert choice.kernel == kernels.NATIVE and "40.0 ms" in str(choice) and "PyTorch's own kernel" in str(choice)
    seen = onednn_during_passes(model)
    with torch.no_grad():
        model(input_ids=torch.tensor([[5, 6, 7]]))  # a prompt: three rows
        model(input_ids=torch.tensor([[5]]))  # one new token of one sequence
        model(input_ids=torch.tensor([[5], [6]]))  # one new token each of two sequences
        model(torch.tensor([[5]]))  # passed by position
    assert seen == [True, False, True, False]
    assert torch.backends.mkldnn.enabled


def test_a_small_gain_or_a_slower_kernel_changes_nothing(monkeypatch):
    for native_ms in (35.0, 50.0):  # 40 / 35 is less than the margin
        model = tiny()
        choice = choose(model, monkeypatch, onednn_ms=40.0, native_ms=native_ms)
        assert choice.kernel == kernels.ONEDNN
        seen = onednn_during_passes(model)
        with torch.no_grad():
            model(input_ids=torch.tensor([[5]]))
        assert seen == [True]


def test_float32_models_are_left_alone_without_timing(monkeypatch):
    monkeypatch.setattr(kernels, "time_one_row_product", lambda *a, **k: pytest.fail("timed a float32 model"))
    choice = kernels.choose_one_row_kernel(tiny(torch.float32))
    assert choice.kernel == kernels.UNCHANGED
    assert str(choice) == "one-row products: kernel unchanged (torch.float32 on cpu)"
    assert "no linear layer" in str(kernels.choose_one_row_kernel(torch.nn.Embedding(3, 2)))


def test_the_setting_comes_back_after_an_error_and_after_remove(monkeypatch):
    model = tiny()
    choice = choose(model, monkeypatch, onednn_ms=40.0, native_ms=20.0)
    with pytest.raises(IndexError), torch.no_grad():
        model(input_ids=torch.tensor([[1000]]))  # not in the vocabulary
    assert torch.backends.mkldnn.enabled
    choice.remove()
    assert choice.kernel == kernels.ONEDNN
    seen = onednn_during_passes(model)
    with torch.no_grad():
        model(input_ids=torch.tensor([[5]]))
    assert seen == [True]


def test_both_kernels_accumulate_in_float32():
    # one row × a matrix, both ways, against exact arithmetic: each result is off by no more than rounding it once
    # to bfloat16 (2**-8 of its size); adding up the 1 536 products in bfloat16 would be off by far more
    torch.manual_seed(0)
    weight = torch.randn(512, 1536).to(torch.bfloat16)
    row = torch.randn(1, 1536).to(torch.bfloat16)
    exact = row.double() @ weight.double().T
    for onednn in (True, False):
        with kernels.onednn_enabled(onednn):
            product = torch.nn.functional.linear(row, weight).double()
        assert ((product - exact).abs() <= exact.abs() * 2**-8 + 1e-6).all(), onednn


def test_the_timing_is_of_one_real_product():
    weight = torch.randn(256, 128).to(torch.bfloat16)
    for onednn in (True, False):
        assert 0 < kernels.time_one_row_product(weight, onednn=onednn, repeats=2) < 1000
        assert torch.backends.mkldnn.enabled  # as it was before
    with pytest.raises(RuntimeError), kernels.onednn_enabled(False):
        raise RuntimeError
    assert torch.backends.mkldnn.enabled
