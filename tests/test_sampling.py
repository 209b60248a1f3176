"""helpers.sampling: top-k/top-p filtering, checked by hand and against transformers' own logits processors.

``generate()`` in transformers 5 filters with ``TopKLogitsWarper`` then ``TopPLogitsWarper`` (it adds the
top-p one only when ``top_p < 1``); the property tests below compare :func:`top_k_top_p_filtering` with
exactly that on many random logits, including ties, ``top_k`` larger than the vocabulary, ``top_p`` of 0
and 1, and batches.
"""

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers.generation.logits_process import TopKLogitsWarper, TopPLogitsWarper

from helpers.sampling import top_k_top_p_filtering

INF = math.inf
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def library(logits, top_k=0, top_p=1.0, filter_value=-INF, min_tokens_to_keep=1):
    """What generate() does with these sampling arguments."""
    scores = logits.unsqueeze(0) if logits.dim() == 1 else logits
    if top_k > 0:
        scores = TopKLogitsWarper(top_k, filter_value, min_tokens_to_keep)(None, scores)
    if top_p < 1.0:
        scores = TopPLogitsWarper(top_p, filter_value, min_tokens_to_keep)(None, scores)
    return scores.squeeze(0) if logits.dim() == 1 else scores


# ---------------------------------------------------------------- exact, hand-made cases
def test_top_k_keeps_the_k_largest():
    logits = torch.tensor([[1.0, 4.0, 2.0, 3.0, 0.0]])
    out = top_k_top_p_filtering(logits, top_k=2)
    assert out.tolist() == [[-INF, 4.0, -INF, 3.0, -INF]]


def test_top_k_keeps_every_logit_tied_with_the_kth():
    logits = torch.tensor([3.0, 1.0, 3.0, 3.0, 2.0])
    assert top_k_top_p_filtering(logits, top_k=2).tolist() == [3.0, -INF, 3.0, 3.0, -INF]


def test_top_k_larger_than_vocab_and_zero_keep_everything():
    logits = torch.tensor([[0.5, -1.0, 2.0]])
    assert torch.equal(top_k_top_p_filtering(logits, top_k=10), logits)
    assert torch.equal(top_k_top_p_filtering(logits, top_k=0), logits)


def test_top_p_keeps_smallest_set_reaching_p():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    logits = probs.log()
    # cumulative mass in order of probability: 0.5, 0.8, 0.95, 1.0
    assert torch.isfinite(top_k_top_p_filtering(logits, top_p=0.5)).tolist() == [True, False, False, False]
    assert torch.isfinite(top_k_top_p_filtering(logits, top_p=0.6)).tolist() == [True, True, False, False]
    assert torch.isfinite(top_k_top_p_filtering(logits, top_p=0.9)).tolist() == [True, True, True, False]
    assert torch.isfinite(top_k_top_p_filtering(logits, top_p=0.99)).tolist() == [True, True, True, True]


def test_top_p_zero_keeps_min_tokens_and_one_keeps_all():
    logits = torch.tensor([[2.0, 0.0, 1.0, -1.0]])
    assert top_k_top_p_filtering(logits, top_p=0.0).tolist() == [[2.0, -INF, -INF, -INF]]
    assert top_k_top_p_filtering(logits, top_p=0.0, min_tokens_to_keep=2).tolist() == [[2.0, -INF, 1.0, -INF]]
    assert torch.equal(top_k_top_p_filtering(logits, top_p=1.0), logits)


def test_top_k_then_top_p_and_custom_filter_value():
    logits = torch.tensor([[0.0, 3.0, 2.9, 1.0, 2.8]])
    # top_k=3 keeps 3.0, 2.9, 2.8 (about 0.37, 0.33, 0.30 after softmax); top_p=0.6 then keeps two of them
    out = top_k_top_p_filtering(logits, top_k=3, top_p=0.6, filter_value=-100.0)
    assert torch.equal(out, torch.tensor([[-100.0, 3.0, 2.9, -100.0, -100.0]]))


def test_rows_are_filtered_independently():
    logits = torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    assert top_k_top_p_filtering(logits, top_k=1).tolist() == [[-INF, -INF, 3.0], [3.0, -INF, -INF]]


def test_input_is_not_modified_and_a_new_tensor_comes_back():
    logits = torch.tensor([[1.0, 2.0, 3.0]])
    before = logits.clone()
    for kwargs in ({"top_k": 1}, {"top_p": 0.1}, {}):
        out = top_k_top_p_filtering(logits, **kwargs)
        assert out.data_ptr() != logits.data_ptr()
    assert torch.equal(logits, before)
    vector = torch.tensor([1.0, 2.0, 3.0])
    out = top_k_top_p_filtering(vector)
    out[0] = 0.0
    assert vector[0] == 1.0


def test_shape_dtype_device_preserved():
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        logits = torch.randn(3, 7, generator=torch.Generator().manual_seed(0)).to(dtype)
        out = top_k_top_p_filtering(logits, top_k=3, top_p=0.7)
        assert out.shape == logits.shape and out.dtype == dtype and out.device == logits.device
        assert torch.equal(out, library(logits, top_k=3, top_p=0.7))


def test_sampling_after_filtering_never_picks_a_filtered_token():
    logits = torch.randn(2, 50, generator=torch.Generator().manual_seed(1))
    filtered = top_k_top_p_filtering(logits, top_k=5, top_p=0.9)
    probs = torch.softmax(filtered, dim=-1)
    draws = torch.multinomial(probs, num_samples=200, replacement=True, generator=torch.Generator().manual_seed(2))
    assert torch.isfinite(filtered.gather(-1, draws)).all()


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"top_p": 1.5}, ValueError, r"top_p must be in \[0, 1\]"),
        ({"top_p": -0.1}, ValueError, r"top_p must be in \[0, 1\]"),
        ({"top_p": float("nan")}, ValueError, r"top_p must be in \[0, 1\]"),
        ({"top_p": "0.9"}, TypeError, "top_p must be a number"),
        ({"top_k": -1}, ValueError, "top_k must be >= 0"),
        ({"top_k": 2.5}, TypeError, "top_k must be an int"),
        ({"top_k": True}, TypeError, "top_k must be an int"),
        ({"min_tokens_to_keep": 0}, ValueError, "min_tokens_to_keep must be an int >= 1"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        top_k_top_p_filtering(torch.zeros(1, 4), **kwargs)


def test_bad_logits_raise_clear_errors():
    with pytest.raises(ValueError, match=r"logits\[:, -1, :\]"):  # a causal LM's whole output
        top_k_top_p_filtering(torch.zeros(1, 5, 10), top_k=2)
    with pytest.raises(ValueError, match="0 dimensions"):
        top_k_top_p_filtering(torch.tensor(1.0))
    with pytest.raises(ValueError, match="empty vocabulary"):
        top_k_top_p_filtering(torch.zeros(2, 0))
    with pytest.raises(TypeError, match="floating-point"):
        top_k_top_p_filtering(torch.tensor([[1, 2, 3]]), top_k=1)
    with pytest.raises(TypeError, match="torch.Tensor"):
        top_k_top_p_filtering([[1.0, 2.0]], top_k=1)


# ---------------------------------------------------------------- properties, against transformers
@st.composite
def cases(draw):
    """Random logits (continuous, rounded to a few values so that many tie, or with huge gaps) and arguments.

    The logits come from a seeded torch generator rather than element by element from hypothesis: the same
    coverage for a fraction of the time (hypothesis still chooses shape, kind, seed and every argument).
    """
    batch = draw(st.integers(1, 4))
    vocab = draw(st.integers(1, 60))
    kind = draw(st.sampled_from(["float", "ties", "spread"]))
    gen = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    logits = torch.randn(batch, vocab, generator=gen) * draw(st.sampled_from([0.1, 1.0, 5.0, 30.0]))
    if kind == "ties":  # a handful of distinct values: ties everywhere, also at the top-k / top-p boundary
        logits = torch.randint(-3, 4, (batch, vocab), generator=gen).float()
    elif kind == "spread":  # probabilities that underflow next to ones that dominate
        logits = torch.tensor([-50.0, -1.0, 0.0, 0.0, 1.0, 20.0])[torch.randint(0, 6, (batch, vocab), generator=gen)]
    top_k = draw(st.one_of(st.just(0), st.integers(1, vocab + 5), st.integers(vocab, vocab + 100)))
    top_p = draw(st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0, 1.0)))
    min_keep = draw(st.sampled_from([1, 1, 1, 2, 3, 50]))
    return logits, top_k, top_p, min_keep


def assert_same_filtering(ours, theirs, logits):
    """Equal up to which of several *tied* logits sits on the boundary of the kept set.

    Same number of kept tokens per row, the same kept values, and the indices differ only among tokens
    whose logit equals the smallest kept one (where sort order, not the distribution, decides).
    """
    kept_ours, kept_theirs = torch.isfinite(ours), torch.isfinite(theirs)
    assert torch.equal(kept_ours.sum(-1), kept_theirs.sum(-1))
    for row in range(logits.shape[0]):
        a, b = kept_ours[row], kept_theirs[row]
        assert torch.equal(logits[row][a].sort().values, logits[row][b].sort().values)
        differ = a ^ b
        if differ.any():
            boundary = logits[row][a].min()
            assert torch.all(logits[row][differ] == boundary)
        assert torch.equal(ours[row][a], logits[row][a])  # kept logits are untouched


@PROPERTY
@given(cases())
def test_matches_transformers_warpers(case):
    logits, top_k, top_p, min_keep = case
    ours = top_k_top_p_filtering(logits, top_k=top_k, top_p=top_p, min_tokens_to_keep=min_keep)
    theirs = library(logits, top_k=top_k, top_p=top_p, min_tokens_to_keep=min_keep)
    assert ours.shape == logits.shape
    assert_same_filtering(ours, theirs, logits)
    one = top_k_top_p_filtering(logits[0], top_k=top_k, top_p=top_p, min_tokens_to_keep=min_keep)
    assert one.shape == logits[0].shape and torch.equal(one, ours[0])  # a vector = a batch of one


@PROPERTY
@given(cases())
def test_exactly_equal_when_no_ties(case):
    logits, top_k, top_p, min_keep = case
    logits = logits + torch.arange(logits.shape[-1]) * 1e-3  # break every tie (values stay in float32 range)
    distinct = all(len(set(row.tolist())) == len(row) for row in logits)
    ours = top_k_top_p_filtering(logits, top_k=top_k, top_p=top_p, min_tokens_to_keep=min_keep)
    theirs = library(logits, top_k=top_k, top_p=top_p, min_tokens_to_keep=min_keep)
    if distinct:
        assert torch.equal(ours, theirs)
    else:
        assert_same_filtering(ours, theirs, logits)


@PROPERTY
@given(cases())
def test_filtering_invariants(case):
    logits, top_k, top_p, min_keep = case
    out = top_k_top_p_filtering(logits, top_k=top_k, top_p=top_p, min_tokens_to_keep=min_keep)
    kept = torch.isfinite(out)
    vocab = logits.shape[-1]
    n_kept = kept.sum(-1)
    assert torch.all(n_kept >= min(min_keep, vocab))  # never fewer than min_tokens_to_keep
    assert torch.equal(out.max(-1).values, logits.max(-1).values)  # the most likely token survives
    for row in range(logits.shape[0]):  # kept tokens are a top set: every kept logit >= every dropped one
        if (~kept[row]).any():
            assert logits[row][kept[row]].min() >= logits[row][~kept[row]].max()
    if top_k == 0 and top_p == 1.0:
        assert torch.equal(out, logits)
    if top_p == 1.0 and top_k > 0:  # top-k alone keeps max(top_k, min_keep) tokens, plus ties
        assert torch.all(n_kept >= min(max(top_k, min_keep), vocab))
    if top_p < 1.0 and min_keep == 1:  # the nucleus holds at least top_p of the mass of what top-k kept
        base = top_k_top_p_filtering(logits, top_k=top_k)
        mass = torch.softmax(base, -1).masked_fill(~kept, 0.0).sum(-1)
        assert torch.all(mass >= top_p - 1e-5)


# The pictures of chapter 6: the top-k/top-p cut and the sample-and-append loop follow their data.
def _svg(draw, lang="en", **data):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import figures

    return figures.to_svg(figures.draw(draw, lang, **data))


def test_top_k_top_p_drawing_marks_its_cuts():
    from helpers.sampling import draw_top_k_top_p

    probs = [0.3, 0.2, 0.15, 0.1, 0.08, 0.05, 0.04, 0.03]
    tokens = [f"t{i}" for i in range(len(probs))]
    one = _svg(draw_top_k_top_p, tokens=tokens, probs=probs, top_k=5, top_p=0.6, kept=3)
    two = _svg(draw_top_k_top_p, tokens=tokens, probs=probs, top_k=6, top_p=0.9, kept=6)
    assert "top_k=5: the 5 most likely" in one and "3 tokens reach 60%" in one
    assert "top_k=6" in two and "top_k=5" not in two
    zh = _svg(draw_top_k_top_p, "zh_CN", tokens=tokens, probs=probs, top_k=5, top_p=0.6, kept=3)
    assert "过滤前" in zh and "Before filtering" not in zh
    with pytest.raises(ValueError, match="sorted"):
        draw_top_k_top_p(lambda s, **k: s, tokens=["a", "b"], probs=[0.1, 0.5], top_k=2, top_p=0.9, kept=1)
    with pytest.raises(ValueError, match="kept must be"):
        draw_top_k_top_p(lambda s, **k: s, tokens=["a", "b"], probs=[0.5, 0.1], top_k=2, top_p=0.9, kept=3)


def test_sampling_loop_drawing_shows_each_step():
    from helpers.sampling import draw_sampling_loop

    svg = _svg(draw_sampling_loop, prompt="The cat", steps=[(" sat", 0.41), (" down", 0.27)])
    assert "&#39; sat&#39;" in svg or "' sat'" in svg
    assert "p=0.41" in svg and "p=0.27" in svg and "step 2" in svg and "step 3" not in svg
    zh = _svg(draw_sampling_loop, "zh_CN", prompt="The cat", steps=[(" sat", 0.41)])
    assert "第 1 步" in zh and "step 1" not in zh
    with pytest.raises(ValueError, match="steps is empty"):
        draw_sampling_loop(lambda s, **k: s, prompt="x", steps=[])
