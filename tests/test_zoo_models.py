"""The zoo's task models (helpers/zoo/models/): data helpers, metrics, pipelines, recorded scores, floors."""

from __future__ import annotations

import pytest

from helpers import checkpoint
from helpers.zoo import core
from helpers.zoo.core import BuildFailed, read_manifest
from helpers.zoo.kit import CHECK_SUBSET
from helpers.zoo.models import fill_mask, ner, perplexity, qa, sentiment
from helpers.zoo.silver import silver_entities

MODELS = {"sentiment": sentiment, "ner": ner, "qa": qa, "fill-mask": fill_mask}
PARAGRAPH = (
    "Hugging Face Inc. is a company based in New York City. Its headquarters are in DUMBO, therefore very "
    "close to the Manhattan Bridge which is visible from the window."
)


@pytest.fixture(scope="module")
def manifest():
    return read_manifest()


# ------------------------------------------------------------------------------------------ pure helpers
def test_ontonotes_mapping_and_word_level_tags(uncased):
    tok = uncased
    text = "Hugging Face Inc. is based in New York City on 2 May."
    ents = [[0, 17, "ORG"], [30, 43, "GPE"], [47, 52, "DATE"]]
    assert ner.conll_spans(ents) == [(0, 17, "ORG"), (30, 43, "LOC")]  # DATE is no CoNLL entity
    enc = tok(text, return_offsets_mapping=True)
    firsts, tags = ner.align_tags(enc, ner.conll_spans(ents))
    words = [tok.convert_ids_to_tokens(enc["input_ids"][i]) for i in firsts]
    assert list(zip(words, tags))[:5] == [
        ("hugging", "B-ORG"),
        ("face", "I-ORG"),
        ("inc", "I-ORG"),
        (".", "I-ORG"),
        ("is", "O"),
    ]
    assert tags[words.index("new") : words.index("city") + 1] == ["B-LOC", "I-LOC", "I-LOC"]
    assert ner.tag_entities(tags) == {(0, 3, "ORG"), (7, 9, "LOC")}
    assert ner.tag_entities(["I-PER", "I-PER", "O", "B-LOC", "B-LOC"]) == {(0, 1, "PER"), (3, 3, "LOC"), (4, 4, "LOC")}


def test_question_building_and_squad_metrics():
    text = "Harold Washington won a second term in Chicago on Tuesday."
    assert qa.make_question(text, 0, 17, "PERSON", 6) == "Who won a second term in Chicago?"
    assert qa.make_question(text, 39, 46, "GPE", 3) == "second term in which place on Tuesday?"
    assert qa.em_f1("the Manhattan Bridge", "Manhattan Bridge!") == (1.0, 1.0)
    em, f1 = qa.em_f1("New York", "New York City")
    assert em == 0.0 and f1 == pytest.approx(0.8)


# --------------------------------------------------------------------------------- models in pipelines
def test_sentiment_pipeline():
    from transformers import pipeline

    clf = pipeline("sentiment-analysis", model=checkpoint("sentiment"))
    out = clf(["A gorgeous, moving and very funny film.", "Dull, lifeless and a waste of two hours."])
    assert [o["label"] for o in out] == ["POSITIVE", "NEGATIVE"]
    assert all(set(o) == {"label", "score"} and 0.5 < o["score"] <= 1 for o in out)


def test_ner_pipeline():
    from transformers import pipeline

    tagger = pipeline("ner", model=checkpoint("ner"))
    raw = tagger(PARAGRAPH)
    assert raw and all({"entity", "score", "index", "word", "start", "end"} <= set(r) for r in raw)
    assert {r["entity"] for r in raw} <= set(ner.NER_TAGS) - {"O"}
    groups = pipeline("ner", model=checkpoint("ner"), aggregation_strategy="simple")(PARAGRAPH)
    assert {g["entity_group"] for g in groups} <= {"PER", "ORG", "LOC", "MISC"}
    assert any(g["entity_group"] == "LOC" and "york" in g["word"] for g in groups)
    for g in groups:  # offsets point into the text; the word is the lower-cased span (uncased tokenizer)
        span = PARAGRAPH[g["start"] : g["end"]].lower()
        assert span.replace(" ", "") == g["word"].replace(" ", "")


def test_question_answering_pipeline_is_gone_in_transformers_5():
    from transformers import pipeline

    with pytest.raises(KeyError, match="question-answering has been removed"):
        pipeline("question-answering", model=checkpoint("qa"))


def test_qa_model_answers_on_an_unseen_paragraph(zoo_qa):
    from helpers.qa import answer_question

    out = answer_question("Where is Hugging Face based?", PARAGRAPH, *zoo_qa)
    assert set(out) == {"answer", "score", "start", "end"}
    assert PARAGRAPH[out["start"] : out["end"]] == out["answer"] and 0 < out["score"] <= 1
    assert out["answer"] == "New York City"


# The seed's context and its first two questions (book/05_classification_and_qa.ipynb, "Answer, score, start and end").
SEED_QA_CONTEXT = (
    "\nExtractive Question Answering is the task of extracting an answer from a text given a question. An example of a"
    "\nquestion answering dataset is the SQuAD dataset, which is entirely based on that task. If you would like to "
    "fine-tune\na model on a SQuAD task, you may leverage the examples/question-answering/run_squad.py script.\n"
)


def test_qa_model_answers_the_seeds_questions(zoo_qa):
    from helpers.qa import answer_question

    first = answer_question("What is extractive question answering?", SEED_QA_CONTEXT, *zoo_qa)
    assert first["answer"].startswith("the task of extracting an answer from a text")  # the seed's: (34, 96)
    second = answer_question("What is a good example of a question answering dataset?", SEED_QA_CONTEXT, *zoo_qa)
    assert "SQuAD" in second["answer"]  # the seed's: "SQuAD dataset"


def test_qa_manifest_scores_the_books_qa_set(manifest):
    from helpers.evalsets import load_qa

    info, items = manifest["qa"], load_qa()
    book = info["data"]["book_qa"]
    assert book["items"] == len(items) >= 40
    assert book["overlap"]["found_whole"] == 0 and book["overlap"]["sharing_a_6_gram"] == 0  # not trained on
    assert {"exact_match", "f1", "bookqa_exact_match", "bookqa_f1", "varied_exact_match", "varied_f1"} <= set(
        info["scores"]
    )
    got = qa.book_qa_scores(checkpoint("qa"), items)
    assert _close(got["bookqa_exact_match"], info["scores"]["bookqa_exact_match"], len(items))
    assert got["bookqa_f1"] == pytest.approx(info["scores"]["bookqa_f1"], abs=0.02)


def test_fill_mask_pipeline():
    from transformers import pipeline

    fill = pipeline("fill-mask", model=checkpoint("fill-mask"))
    out = fill("I went to the [MASK] to buy some bread.")
    assert len(out) == 5 and all({"score", "token", "token_str", "sequence"} <= set(o) for o in out)
    assert [o["score"] for o in out] == sorted((o["score"] for o in out), reverse=True)
    assert all(o["token_str"] in o["sequence"] for o in out)


def test_fill_mask_training_text_mixes_its_sources_and_leaves_out_the_cloze_set():
    from helpers.evalsets import load_cloze

    mix = {"shipped": 30, "examples": 20, "definitions": 10, "oanc": 5}
    texts, sources, parts = fill_mask.training_texts(mix)
    assert (texts, sources) == fill_mask.training_texts(mix)[:2]  # seeded
    assert {n: sources.count(n) for n in mix} == mix == {n: parts[n]["used"] for n in mix}
    assert sources[:10] != sorted(sources[:10])  # shuffled together
    filled = {t.lower() for t in fill_mask.cloze_filled(load_cloze())}
    assert not filled & {t.lower() for t in texts}
    assert fill_mask.definition_text({"words": ["coffee"], "pos": "n", "definition": "a beverage."}) == (
        "coffee is a beverage."
    )


# -------------------------------------------------------------------------- manifest vs re-evaluation
@pytest.mark.parametrize("name", MODELS)
def test_manifest_records_recipe_and_scores(manifest, name):
    info, module = manifest[name], MODELS[name]
    assert info["stands_in_for"] and info["base"]["zoo_entry"] == "minilm"
    recipe = info["recipe"]
    assert {k: recipe[k] for k in module.RECIPE} == module.RECIPE  # the recipe in the code is the one that ran
    assert recipe["seed"] == 2024 and recipe["optimizer"] == "AdamW"
    assert recipe["precision"] in ("bf16", "fp32")  # kit.precision: what the build's hardware computed in
    assert recipe["warmup_steps"] == round(module.RECIPE["warmup"] * recipe["total_steps"]) > 0
    decays = sorted({g["weight_decay"] for g in recipe["groups"]})
    assert decays == [0.0, module.RECIPE["weight_decay"]]  # biases and LayerNorm weights get none
    assert info["train_seconds"] > 0 and info["data"]
    assert info["floors"] == module.FLOORS
    for metric, floor in module.FLOORS.items():
        assert info["scores"][metric] >= floor


def _close(a: float, b: float, n: int) -> bool:
    return abs(a - b) <= 1.0 / n + 1e-4  # at most one item may flip between CPU thread counts


def test_rescore_sentiment(manifest):
    got = sentiment.sentiment_scores(checkpoint("sentiment"), subset=CHECK_SUBSET)
    assert _close(got["accuracy"], manifest["sentiment"]["check_scores"]["accuracy"], CHECK_SUBSET)


def test_rescore_ner(manifest):
    rows = ner.ner_rows(silver_entities(), "test")
    got = ner.ner_scores(checkpoint("ner"), rows, subset=CHECK_SUBSET)
    assert got["f1"] == pytest.approx(manifest["ner"]["check_scores"]["f1"], abs=0.02)


def test_rescore_qa(manifest):
    _, test = qa.qa_data(silver_entities())
    assert len(test) == manifest["qa"]["data"]["test_pairs"]
    got = qa.qa_scores(checkpoint("qa"), test, subset=CHECK_SUBSET)
    assert _close(got["exact_match"], manifest["qa"]["check_scores"]["exact_match"], CHECK_SUBSET)
    assert got["f1"] == pytest.approx(manifest["qa"]["check_scores"]["f1"], abs=0.01)


def test_rescore_fill_mask(manifest):
    got = fill_mask.mlm_scores(checkpoint("fill-mask"), fill_mask.mlm_texts("test"), subset=CHECK_SUBSET)
    check = manifest["fill-mask"]["check_scores"]
    assert got["masked_tokens"] == check["masked_tokens"]
    assert _close(got["top5"], check["top5"], check["masked_tokens"])


def test_cloze_set_is_well_formed(uncased):
    from helpers.evalsets import check_cloze, load_cloze

    items = load_cloze()
    assert len(items) >= 40 and len({it["text"] for it in items}) == len(items)
    vocab = uncased.get_vocab()
    for it in items:
        assert it["topic"] and it["text"].count("[MASK]") == 1
        assert all(a in vocab for a in it["answers"]), it  # each answer one token of the uncased vocabulary
    for bad in ({"text": "No mask here.", "answers": ["x"]}, {"text": "A [MASK].", "answers": ["Cat"]}):
        with pytest.raises(ValueError, match="cloze item 1"):
            check_cloze([bad])


def test_fill_mask_records_and_rescores_the_cloze_set(manifest):
    from helpers.evalsets import load_cloze

    info, items = manifest["fill-mask"], load_cloze()
    scores = info["scores"]
    assert scores["cloze_items"] == len(items) and 0 <= scores["cloze_top1"] <= scores["cloze_top5"] <= 1
    assert info["data"]["cloze_overlap"]["found_whole"] == 0  # no training text holds a filled cloze sentence
    assert all(part["used"] > 0 for part in info["data"]["mix"].values())
    got = fill_mask.cloze_scores(checkpoint("fill-mask"), items)
    assert _close(got["cloze_top5"], scores["cloze_top5"], len(items))
    assert _close(got["cloze_top1"], scores["cloze_top1"], len(items))


def test_smollm2_perplexity(manifest):
    info = manifest["smollm2-perplexity"]
    assert info["model_sha256"] == manifest["smollm2"]["files"]["model.safetensors"]
    assert manifest["smollm2"]["scores"]["nyt_test_perplexity"] == info["scores"]["nyt_test_perplexity"]
    from helpers.data import load_sentences

    texts = list(load_sentences("nyt")["test"]["sentence"])[:16]
    got = perplexity.perplexity(checkpoint("causal-lm"), texts)
    assert got["perplexity"] == pytest.approx(info["check_scores"]["perplexity"], rel=1e-3)
    assert 1 < info["scores"]["nyt_test_perplexity"] < 1000


# -------------------------------------------------------------------- floors, --force and the good folder
def test_failed_build_keeps_the_good_model(make_zoo, monkeypatch, capsys):
    from helpers.zoo.__main__ import main

    zoo = make_zoo(copies=("sentiment",), links=("minilm", "sentences"))
    before = core.hash_tree(zoo / "sentiment")
    manifest_before = read_manifest()["sentiment"]
    calls = []
    # A build whose model falls under the floor: skip the training, pretend the held-out accuracy is 0.55.
    monkeypatch.setattr(sentiment, "cache_lower", lambda *a, **k: [])
    monkeypatch.setattr(sentiment, "run_epochs", lambda *a, **k: ([0.7], {}))
    monkeypatch.setattr(sentiment, "sentiment_scores", lambda *a, **k: calls.append(1) or {"accuracy": 0.55})

    core.build(["sentiment"])  # already built and intact, no --force: nothing runs
    assert calls == []
    with pytest.raises(BuildFailed, match="below the floor 0.8"):
        core.build(["sentiment"], force=True)
    assert calls
    assert core.hash_tree(zoo / "sentiment") == before
    assert read_manifest()["sentiment"] == manifest_before
    assert not list(zoo.glob(".build-*"))

    assert main(["build", "sentiment", "--force"]) == 2  # the command line says why and exits non-zero
    assert "below the floor" in capsys.readouterr().err
    assert core.hash_tree(zoo / "sentiment") == before


# ------------------------------------------------------------------------------ span normalisation, metrics
def test_normalise_spans_strips_a_leading_the_and_drops_letterless_spans():
    text = "The City University of New York and the Bronx Zoo opened in 1999; THE Who played."
    ents = [[0, 31, "ORG"], [36, 49, "FAC"], [60, 64, "DATE"], [66, 73, "PERSON"], [0, 3, "ORG"]]
    assert ner.normalise_spans(text, ents) == [[4, 31, "ORG"], [40, 49, "FAC"], [70, 73, "PERSON"], [0, 3, "ORG"]]
    assert text[4:31] == "City University of New York" and text[40:49] == "Bronx Zoo"
    assert ner.normalise_spans(text, []) == []


def test_prf_micro_and_per_type():
    pred = [{(0, 1, "PER"), (3, 3, "LOC")}, {(2, 2, "ORG")}]
    gold = [{(0, 1, "PER"), (3, 4, "LOC")}, {(2, 2, "ORG"), (5, 5, "MISC")}]
    out = ner.prf(pred, gold)
    assert out["precision"] == pytest.approx(2 / 3) and out["recall"] == pytest.approx(1 / 2)
    assert out["f1"] == pytest.approx(4 / 7) and out["support"] == 4
    assert ner.prf(pred, gold, "LOC") == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert ner.prf(pred, gold, "PER") == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert ner.prf([set()], [set()]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
