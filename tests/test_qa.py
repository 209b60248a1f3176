"""helpers.qa: span decoding checked by hand and against transformers' own QA span scoring.

transformers 5 removed pipeline("question-answering"), but the span scoring it used survives as
``select_starts_ends`` in ``transformers.pipelines.document_question_answering``. ``_pipeline_4x`` below is
the removed pipeline's fast-tokenizer post-processing (``select_starts_ends`` + word alignment), written
out from the 4.x source, so :func:`helpers.qa.answer_question` is compared with what the pipeline returned.
"""

import math

import numpy as np
import pytest
import torch
from transformers.pipelines.document_question_answering import select_starts_ends

from helpers.qa import Span, answer_question, best_spans, context_mask, is_valid_span, naive_argmax_span, span_to_chars

CONTEXT = (
    "Extractive Question Answering is the task of extracting an answer from a text given a question. An "
    "example of a question answering dataset is the SQuAD dataset, which is entirely based on that task. "
    "If you would like to fine-tune a model on a SQuAD task, you may leverage the "
    "examples/question-answering/run_squad.py script."
)
QUESTIONS = [
    ("What is extractive question answering?", CONTEXT),
    ("What is a good example of a question answering dataset?", CONTEXT),
    ("Which script can I use?", CONTEXT),
    (
        "Where do penguins live?",
        "Most penguins live in the Southern Hemisphere. Emperor penguins breed in "
        "Antarctica during the winter, and the males keep the eggs warm.",
    ),
    (
        "Who wrote the report?",
        "The report, written by Dr. Ana Müller-Lüdenscheidt in 2019, found that 42% of "
        "rivers were polluted; the ministry disagreed.",
    ),
    ("When did it open?", "The bridge opened in 1883. It took fourteen years to build."),
]


def _log(p):
    return np.log(np.asarray(p, dtype=np.float64))


# ---------------------------------------------------------------- exact, hand-made cases
def test_argmaxes_give_end_before_start_but_best_span_is_valid():
    start, end = _log([0.1, 0.6, 0.3]), _log([0.5, 0.1, 0.4])
    assert naive_argmax_span(start, end) == (1, 0)  # the seed's decoding: end before start
    assert not is_valid_span(1, 0, [True] * 3)
    spans = best_spans(start, end, [True] * 3, top_k=3)
    # valid spans: (0,0) .05 (0,1) .01 (0,2) .04 (1,1) .06 (1,2) .24 (2,2) .12
    assert [(s.start_token, s.end_token) for s in spans] == [(1, 2), (2, 2), (1, 1)]
    assert [s.score for s in spans] == pytest.approx([0.24, 0.12, 0.06], abs=1e-12)


def test_length_limit_and_mask_change_the_answer():
    start, end = _log([0.1, 0.6, 0.3]), _log([0.5, 0.1, 0.4])
    spans = best_spans(start, end, [True] * 3, top_k=3, max_answer_len=1)
    assert [(s.start_token, s.end_token, round(s.score, 12)) for s in spans] == [
        (2, 2, 0.12),
        (1, 1, 0.06),
        (0, 0, 0.05),
    ]
    # token 2 outside the context: softmax over tokens 0-1 -> p_start (1/7, 6/7), p_end (5/6, 1/6)
    only = best_spans(start, end, [True, True, False], top_k=5)
    assert [(s.start_token, s.end_token) for s in only] == [(1, 1), (0, 0), (0, 1)]
    assert [s.score for s in only] == pytest.approx([1 / 7, 5 / 42, 1 / 42], abs=1e-12)


def test_question_tokens_are_never_part_of_the_answer():
    # tokens: [CLS] q q [SEP] c c [SEP]; both argmaxes fall inside the question
    seq_ids = [None, 0, 0, None, 1, 1, None]
    allowed = context_mask(seq_ids)
    assert allowed.tolist() == [False, False, False, False, True, True, False]
    start = np.array([0.0, 9.0, 0.0, 0.0, 1.0, 0.0, 0.0])
    end = np.array([0.0, 0.0, 9.0, 0.0, 0.0, 2.0, 0.0])
    assert naive_argmax_span(start, end) == (1, 2)
    (best,) = best_spans(start, end, allowed)
    assert (best.start_token, best.end_token) == (4, 5)
    p_s, p_e = math.e / (math.e + 1), math.e**2 / (math.e**2 + 1)
    assert best.score == pytest.approx(p_s * p_e, rel=1e-12)


def test_ties_prefer_the_earliest_span_and_torch_and_batch_axis_are_accepted():
    spans = best_spans(torch.zeros(1, 4), torch.zeros(1, 4), np.ones(4, bool), top_k=2)
    assert [(s.start_token, s.end_token) for s in spans] == [(0, 0), (0, 1)]
    assert spans[0].score == pytest.approx(1 / 16)


def test_fewer_spans_than_top_k_when_few_are_valid():
    spans = best_spans([0.0, 1.0], [0.0, 1.0], [False, True], top_k=5)
    assert spans == [Span(1, 1, 1.0)]


def test_span_to_chars_with_and_without_word_alignment(uncased):
    context = "Hugging Face Inc. is based in New York City."
    enc = uncased("Where is it?", context, return_offsets_mapping=True)
    tokens = enc.tokens()
    hug = tokens.index("hugging") if "hugging" in tokens else None
    ny = tokens.index("new")
    city = tokens.index("city")
    span = Span(ny, city, 1.0)
    assert span_to_chars(span, enc["offset_mapping"]) == (context.index("New"), context.index("City") + 4)
    # a span that starts inside a word widens to the whole word only with align_to_words
    pieces = [i for i, t in enumerate(tokens) if t.startswith("##")]
    if pieces:
        inner = pieces[0]
        s_plain, _ = span_to_chars(Span(inner, inner, 1.0), enc["offset_mapping"])
        s_word, _ = span_to_chars(Span(inner, inner, 1.0), enc["offset_mapping"], enc.encodings[0], align_to_words=True)
        assert s_word < s_plain
    assert hug is None or span_to_chars(Span(hug, hug, 1.0), enc["offset_mapping"]) == (0, 7)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "args, message",
    [
        (([0.0, 1.0], [0.0, 1.0, 2.0], [True, True]), "same length"),
        ((np.zeros((2, 3)), np.zeros((2, 3)), np.ones(3, bool)), "one sequence"),
        (([0.0, 1.0], [0.0, 1.0], [False, False]), "empty context"),
        (([0.0, float("nan")], [0.0, 1.0], [True, True]), "NaN"),
    ],
)
def test_bad_logits_raise(args, message):
    with pytest.raises(ValueError, match=message):
        best_spans(*args)


@pytest.mark.parametrize("kwargs", [{"top_k": 0}, {"max_answer_len": 0}, {"top_k": 1.5}])
def test_bad_options_raise(kwargs):
    with pytest.raises(ValueError):
        best_spans([0.0], [0.0], [True], **kwargs)


def test_bad_offsets_raise():
    with pytest.raises(ValueError, match="shape"):
        span_to_chars(Span(0, 0, 1.0), [0, 1, 2])
    with pytest.raises(ValueError, match="does not fit"):
        span_to_chars(Span(0, 5, 1.0), [(0, 1), (1, 2)])


def test_answer_question_rejects_bad_input(tiny_qa):
    model, tok = tiny_qa
    with pytest.raises(ValueError, match="context is empty"):
        answer_question("Who?", "   ", model, tok)
    with pytest.raises(ValueError, match="question is empty"):
        answer_question("", CONTEXT, model, tok)
    with pytest.raises(ValueError, match="no room"):
        answer_question("why " * 400, CONTEXT, model, tok)
    with pytest.raises(ValueError, match="doc_stride"):
        answer_question("Why?", CONTEXT, model, tok, max_seq_len=64, doc_stride=60)


# ---------------------------------------------------------------- against transformers' span scoring
def test_best_spans_matches_select_starts_ends_on_random_logits():
    rng = np.random.default_rng(0)
    for trial in range(200):
        n = int(rng.integers(4, 40))
        start, end = rng.normal(0, 3, n), rng.normal(0, 3, n)
        p_mask = (rng.random(n) < 0.4).astype(int)  # 1 = cannot be in the answer
        p_mask[0] = 0  # [CLS] stays in the softmax, as the pipeline left it
        attention = np.ones(n, dtype=int)
        pad = int(rng.integers(0, 3))
        if pad:
            attention[-pad:] = 0
        allowed = (p_mask == 0) & (attention == 1)
        allowed[0] = False
        if allowed.sum() < 2:
            continue
        max_len = int(rng.integers(1, 8))
        n_valid = sum(is_valid_span(s, e, allowed, max_len) for s in range(n) for e in range(s, n))
        top_k = int(rng.integers(1, min(5, n_valid) + 1))
        over = allowed.copy()
        over[0] = True
        mine = best_spans(start, end, allowed, top_k=top_k, max_answer_len=max_len, normalise_over=over)
        starts, ends, scores, _ = select_starts_ends(
            start[None].copy(), end[None].copy(), p_mask, attention, top_k=top_k, max_answer_len=max_len
        )
        assert [(s.start_token, s.end_token) for s in mine] == list(zip(starts.tolist(), ends.tolist())), trial
        assert [s.score for s in mine] == pytest.approx(scores.tolist(), rel=1e-9), trial


def _pipeline_4x(question, context, model, tok, top_k=1, max_answer_len=15, max_seq_len=384, doc_stride=128):
    """transformers 4.x QuestionAnsweringPipeline (fast tokenizer, question first), condensed."""
    enc = tok(
        question,
        context,
        padding="do_not_pad",
        truncation="only_second",
        max_length=max_seq_len,
        stride=doc_stride,
        return_token_type_ids=True,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
    )
    answers = []
    for i in range(len(enc["input_ids"])):
        p_mask = np.asarray([t != 1 for t in enc.sequence_ids(i)]).astype(int)
        p_mask[np.asarray(enc["input_ids"][i]) == tok.cls_token_id] = 0
        inputs = {k: torch.tensor([enc[k][i]]) for k in ("input_ids", "attention_mask", "token_type_ids")}
        with torch.no_grad():
            out = model(**inputs)
        starts, ends, scores, _ = select_starts_ends(
            out.start_logits.double().numpy(),
            out.end_logits.double().numpy(),
            p_mask,
            np.asarray(enc["attention_mask"][i]),
            top_k=top_k,
            max_answer_len=max_answer_len,
        )
        e = enc.encodings[i]
        for s, t, score in zip(starts, ends, scores):
            try:
                a = e.word_to_chars(e.token_to_word(s), sequence_index=1)[0]
                b = e.word_to_chars(e.token_to_word(t), sequence_index=1)[1]
            except Exception:
                a, b = e.offsets[s][0], e.offsets[t][1]
            answers.append({"score": float(score), "start": a, "end": b, "answer": context[a:b]})
    answers = sorted(answers, key=lambda x: -x["score"])
    return answers[0] if top_k == 1 else answers


def _distinct(answers, k):
    """The first ``k`` answers with distinct character spans (answer_question lists each span once)."""
    seen, out = set(), []
    for a in answers:
        if (a["start"], a["end"]) not in seen:
            seen.add((a["start"], a["end"]))
            out.append(a)
    return out[:k]


def _same(mine, theirs):
    assert (mine["answer"], mine["start"], mine["end"]) == (theirs["answer"], theirs["start"], theirs["end"])
    assert mine["score"] == pytest.approx(theirs["score"], rel=1e-5)  # padded batch vs one window


@pytest.mark.parametrize("question, context", QUESTIONS)
def test_answer_question_matches_the_4x_pipeline_on_a_random_model(tiny_qa, question, context):
    model, tok = tiny_qa
    mine = answer_question(question, context, model, tok)
    _same(mine, _pipeline_4x(question, context, model, tok))
    assert mine["answer"] == context[mine["start"] : mine["end"]] and mine["answer"]
    mine4 = answer_question(question, context, model, tok, top_k=4)
    assert len(mine4) == 4
    for a, b in zip(mine4, _distinct(_pipeline_4x(question, context, model, tok, top_k=200), 4), strict=True):
        _same(a, b)


def test_long_context_is_split_into_windows(tiny_qa):
    model, tok = tiny_qa
    long = " ".join([CONTEXT] * 6)
    assert len(tok(long)["input_ids"]) > 384
    mine = answer_question("Which script?", long, model, tok, max_seq_len=128, doc_stride=32, top_k=3)
    assert len(mine) == 3 and mine[0]["score"] >= mine[1]["score"] >= mine[2]["score"]
    assert len({(a["start"], a["end"]) for a in mine}) == 3  # one entry per character span
    for a in mine:
        assert a["answer"] == long[a["start"] : a["end"]]
    # the best single answer is the best over all windows, as the 4.x pipeline found it
    _same(
        answer_question("Which script?", long, model, tok, max_seq_len=128, doc_stride=32),
        _pipeline_4x("Which script?", long, model, tok, max_seq_len=128, doc_stride=32),
    )


@pytest.mark.parametrize("question, context", QUESTIONS)
def test_answer_question_matches_the_4x_pipeline_on_the_zoo_model(zoo_qa, question, context):
    model, tok = zoo_qa
    _same(answer_question(question, context, model, tok), _pipeline_4x(question, context, model, tok))
    for a, b in zip(
        answer_question(question, context, model, tok, top_k=3),
        _distinct(_pipeline_4x(question, context, model, tok, top_k=200), 3),
        strict=True,
    ):
        _same(a, b)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def tiny_qa(uncased):
    """A 2-layer BERT QA model with random weights (spread-out logits): decoding logic only."""
    from transformers import BertConfig, BertForQuestionAnswering

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=uncased.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        initializer_range=0.5,
    )
    return BertForQuestionAnswering(config).eval(), uncased


# The pictures of chapter 5: the span grid and the logits over the tokens follow their data.
def _svg(draw, lang="en", **data):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import figures

    return figures.to_svg(figures.draw(draw, lang, **data))


def test_span_scores_drawing_names_the_best_span_and_refuses_an_invalid_one():
    from helpers.qa import draw_span_scores

    tokens = ["the", "squad", "dataset", "is", "big"]
    p = [0.1, 0.5, 0.2, 0.1, 0.1]
    one = _svg(draw_span_scores, tokens=tokens, start_probs=p, end_probs=p, best=(1, 2))
    two = _svg(draw_span_scores, tokens=tokens, start_probs=p, end_probs=p, best=(3, 4), max_answer_len=2)
    assert "best valid span: squad dataset" in one and "best valid span: is big" in two
    assert "longer than 15 tokens" in one and "longer than 2 tokens" in two
    zh = _svg(draw_span_scores, "zh_CN", tokens=tokens, start_probs=p, end_probs=p, best=(1, 2))
    assert "最佳有效片段" in zh and "best valid span" not in zh
    with pytest.raises(ValueError, match="not a valid span"):
        draw_span_scores(lambda s, **k: s, tokens=tokens, start_probs=p, end_probs=p, best=(2, 1))


def test_start_end_logits_drawing_follows_its_tokens():
    from helpers.qa import draw_start_end_logits

    def draw(tokens, **kw):
        n = len(tokens)
        return _svg(
            draw_start_end_logits,
            tokens=tokens,
            start_logits=np.arange(n, dtype=float),
            end_logits=-np.arange(n, dtype=float),
            in_context=[i > 1 for i in range(n)],
            best=(2, 3),
            argmax=(n - 1, 0),
            **kw,
        )

    one, two = draw(["[CLS]", "who", "ann", "lee", "[SEP]"]), draw(["[CLS]", "who", "bob", "ray", "[SEP]"])
    assert ">ann<" in one and ">bob<" in two and ">ann<" not in two
    assert "argmax start" in one and "开始 logit" in draw(["[CLS]", "a", "b", "c"], lang="zh_CN")
    with pytest.raises(ValueError, match="one entry per token"):
        draw_start_end_logits(
            lambda s, **k: s,
            tokens=["a"],
            start_logits=[1.0, 2.0],
            end_logits=[1.0],
            in_context=[True],
            best=(0, 0),
            argmax=(0, 0),
        )
