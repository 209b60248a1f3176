"""The book's QA set (helpers/evalsets/qa.jsonl) and the varied training questions of the qa entry."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from helpers.evalsets import check_qa, load_qa
from helpers.zoo import qa_questions as qq

SEED_CONTEXT = (
    "Extractive Question Answering is the task of extracting an answer from a text given a question. An example "
    "of a question answering dataset is the SQuAD dataset, which is entirely based on that task."
)


def test_the_books_qa_set():
    items = load_qa()
    assert len(items) >= 40
    kinds = Counter(it["kind"] for it in items)
    assert kinds["definition"] >= 5 and kinds["why"] >= 5 and kinds["how"] >= 5 and kinds["what"] >= 5
    assert len({(it["context"], it["question"]) for it in items}) == len(items)
    for it in items:  # every gold answer is a span; the main one is where answer_start says
        assert all(a in it["context"] for a in it["answers"])
        assert it["context"][it["answer_start"] :].startswith(it["answers"][0])
    seed = {it["question"]: it["answers"][0] for it in items}
    assert (
        seed["What is extractive question answering?"]
        == "the task of extracting an answer from a text given a question"
    )


def test_check_qa_says_what_to_fix():
    item = {"context": SEED_CONTEXT, "question": "What is SQuAD?", "answers": ["a dataset"], "kind": "what"}
    with pytest.raises(ValueError, match="not spans of its context; copy them from the context exactly"):
        check_qa([item])
    with pytest.raises(ValueError, match="occurs 2 times in the context; make it unique"):
        check_qa([{**item, "answers": ["dataset"]}])
    with pytest.raises(ValueError, match="needs 'answers'"):
        check_qa([{**item, "answers": []}])
    (ok,) = check_qa([{**item, "answers": ["the SQuAD dataset"]}])
    assert SEED_CONTEXT[ok["answer_start"] :].startswith("the SQuAD dataset") and ok["answer"] == "the SQuAD dataset"


SYNSETS = [
    {"words": ["kettle"], "pos": "n", "definition": "a metal pot for boiling water", "examples": []},
    {"words": ["umbrella"], "pos": "n", "definition": "a light portable shade against the rain", "examples": []},
    {"words": ["jog"], "pos": "v", "definition": "run slowly and steadily for exercise", "examples": ["he jogs"]},
]


def _valid(pairs: list[dict]) -> None:
    for p in pairs:
        assert p["context"][p["answer_start"] : p["answer_start"] + len(p["answer"])] == p["answer"]
        assert p["context"].count(p["answer"]) == 1 and p["question"].endswith(("?", "."))


def test_definition_questions_have_other_definitions_in_the_context():
    pairs = qq.definition_pairs(SYNSETS, ["The sun is out."], random.Random(0), 3)
    _valid(pairs)
    assert {p["answer"] for p in pairs} <= {s["definition"] for s in SYNSETS} and pairs
    for p in pairs:  # the context defines at least two words: the one asked about and another
        assert sum(s["definition"] in p["context"] for s in SYNSETS) >= 2
        assert p["type"] == "DEFINITION"


def test_why_how_and_where_questions():
    sentences = [
        "The match was cancelled because the pitch was flooded.",
        "The bakery was closed, so we bought bread at the market.",
        "She saved money by cycling to work every day.",
    ]
    pairs = qq.clause_pairs(sentences, ["It was a Monday.", "Rain fell."], random.Random(0), {"why": 2, "how": 1})
    _valid(pairs)
    got = {p["question"]: p["answer"] for p in pairs}
    assert got == {
        "Why the match was cancelled?": "because the pitch was flooded",
        "Why we bought bread at the market?": "The bakery was closed",
        "How she saved money?": "by cycling to work every day",
    }
    text = "Hugging Face Inc. is a company based in New York City."
    (where,) = qq.where_pairs([[text, [[40, 53, "GPE"]]]], ["It was a Monday.", "Rain fell."], random.Random(0), 5)
    _valid([where])
    assert (where["question"], where["answer"]) == ("Where is Hugging Face Inc. a company based?", "New York City")


def test_definitions_added_to_entity_contexts_keep_the_answer():
    pairs = [{"question": "Who won?", "context": "Ann Lee won the race.", "answer": "Ann Lee", "answer_start": 0}]
    out = qq.with_definitions([{**p, "type": "PERSON"} for p in pairs * 4], SYNSETS, random.Random(1), 1.0)
    _valid(out)
    assert len(out) == 4 and all(p["type"] == "PERSON+DEF" and len(p["context"]) > 21 for p in out)
