"""The zoo's task models (helpers/zoo/tasks.py): pipelines, recorded scores, floors and --force."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from helpers import checkpoint
from helpers.zoo import core, tasks
from helpers.zoo.core import BuildFailed, read_manifest

MODELS = ("sentiment", "ner", "qa", "fill-mask")
PARAGRAPH = ("Hugging Face Inc. is a company based in New York City. Its headquarters are in DUMBO, therefore very "
             "close to the Manhattan Bridge which is visible from the window.")


@pytest.fixture(scope="module")
def manifest():
    return read_manifest()


# ------------------------------------------------------------------------------------------ pure helpers
def test_length_batches_group_similar_lengths_and_cover_everything():
    lengths = [5, 1, 9, 3, 7, 2]
    batches = tasks.length_batches(lengths, 2)
    assert batches == [[1, 5], [3, 0], [4, 2]]
    assert sorted(i for b in batches for i in b) == list(range(6))


def test_ontonotes_mapping_and_word_level_tags():
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(checkpoint("minilm"))
    text = "Hugging Face Inc. is based in New York City on 2 May."
    ents = [[0, 17, "ORG"], [30, 43, "GPE"], [47, 52, "DATE"]]
    assert tasks.conll_spans(ents) == [(0, 17, "ORG"), (30, 43, "LOC")]  # DATE is no CoNLL entity
    enc = tok(text, return_offsets_mapping=True)
    firsts, tags = tasks.align_tags(enc, tasks.conll_spans(ents))
    words = [tok.convert_ids_to_tokens(enc["input_ids"][i]) for i in firsts]
    assert list(zip(words, tags))[:5] == [("hugging", "B-ORG"), ("face", "I-ORG"), ("inc", "I-ORG"),
                                          (".", "I-ORG"), ("is", "O")]
    assert tags[words.index("new"):words.index("city") + 1] == ["B-LOC", "I-LOC", "I-LOC"]
    assert tasks.tag_entities(tags) == {(0, 3, "ORG"), (7, 9, "LOC")}
    assert tasks.tag_entities(["I-PER", "I-PER", "O", "B-LOC", "B-LOC"]) == {(0, 1, "PER"), (3, 3, "LOC"),
                                                                           (4, 4, "LOC")}


def test_question_building_and_squad_metrics():
    text = "Harold Washington won a second term in Chicago on Tuesday."
    assert tasks.make_question(text, 0, 17, "PERSON", 6) == "Who won a second term in Chicago?"
    assert tasks.make_question(text, 39, 46, "GPE", 3) == "second term in which place on Tuesday?"
    assert tasks.em_f1("the Manhattan Bridge", "Manhattan Bridge!") == (1.0, 1.0)
    em, f1 = tasks.em_f1("New York", "New York City")
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

    ner = pipeline("ner", model=checkpoint("ner"))
    raw = ner(PARAGRAPH)
    assert raw and all({"entity", "score", "index", "word", "start", "end"} <= set(r) for r in raw)
    assert {r["entity"] for r in raw} <= set(tasks.NER_TAGS) - {"O"}
    groups = pipeline("ner", model=checkpoint("ner"), aggregation_strategy="simple")(PARAGRAPH)
    assert {g["entity_group"] for g in groups} <= {"PER", "ORG", "LOC", "MISC"}
    assert any(g["entity_group"] == "LOC" and "york" in g["word"] for g in groups)
    for g in groups:  # offsets point into the text; the word is the lower-cased span (uncased tokenizer)
        span = PARAGRAPH[g["start"]:g["end"]].lower()
        assert span.replace(" ", "") == g["word"].replace(" ", "")


def test_question_answering_pipeline_is_gone_in_transformers_5():
    from transformers import pipeline

    with pytest.raises(KeyError, match="question-answering has been removed"):
        pipeline("question-answering", model=checkpoint("qa"))


def test_qa_model_answers_on_an_unseen_paragraph():
    out = tasks.qa_answer(checkpoint("qa"), "Where is Hugging Face based?", PARAGRAPH)
    assert set(out) == {"answer", "score", "start", "end"}
    assert PARAGRAPH[out["start"]:out["end"]] == out["answer"] and 0 < out["score"] <= 1
    assert out["answer"] == "New York City"
    with pytest.raises(ValueError, match="non-empty"):
        tasks.qa_answer(checkpoint("qa"), " ", PARAGRAPH)


def test_fill_mask_pipeline():
    from transformers import pipeline

    fill = pipeline("fill-mask", model=checkpoint("fill-mask"))
    out = fill("I went to the [MASK] to buy some bread.")
    assert len(out) == 5 and all({"score", "token", "token_str", "sequence"} <= set(o) for o in out)
    assert [o["score"] for o in out] == sorted((o["score"] for o in out), reverse=True)
    assert all(o["token_str"] in o["sequence"] for o in out)


# -------------------------------------------------------------------------- manifest vs re-evaluation
@pytest.mark.parametrize("name", MODELS)
def test_manifest_records_recipe_and_scores(manifest, name):
    info = manifest[name]
    assert info["stands_in_for"] and info["base"]["zoo_entry"] == "minilm"
    assert {"epochs", "lr", "batch", "max_length", "seed"} <= set(info["recipe"])
    assert info["train_seconds"] > 0 and info["data"]
    for metric, floor in tasks.FLOORS[name].items():
        assert info["scores"][metric] >= floor


def _close(a: float, b: float, n: int) -> bool:
    return abs(a - b) <= 1.0 / n + 1e-4  # at most one item may flip between CPU thread counts


def test_rescore_sentiment(manifest):
    got = tasks.sentiment_scores(checkpoint("sentiment"), subset=tasks.CHECK_SUBSET)
    assert _close(got["accuracy"], manifest["sentiment"]["check_scores"]["accuracy"], tasks.CHECK_SUBSET)


def test_rescore_ner(manifest):
    rows = tasks.ner_rows(tasks.silver_entities(), "test")
    got = tasks.ner_scores(checkpoint("ner"), rows, subset=tasks.CHECK_SUBSET)
    assert got["f1"] == pytest.approx(manifest["ner"]["check_scores"]["f1"], abs=0.02)


def test_rescore_qa(manifest):
    _, test = tasks.qa_data(tasks.silver_entities())
    assert len(test) == manifest["qa"]["data"]["test_pairs"]
    got = tasks.qa_scores(checkpoint("qa"), test, subset=tasks.CHECK_SUBSET)
    assert _close(got["exact_match"], manifest["qa"]["check_scores"]["exact_match"], tasks.CHECK_SUBSET)
    assert got["f1"] == pytest.approx(manifest["qa"]["check_scores"]["f1"], abs=0.01)


def test_rescore_fill_mask(manifest):
    got = tasks.mlm_scores(checkpoint("fill-mask"), tasks.mlm_texts("test"), subset=tasks.CHECK_SUBSET)
    check = manifest["fill-mask"]["check_scores"]
    assert got["masked_tokens"] == check["masked_tokens"]
    assert _close(got["top5"], check["top5"], check["masked_tokens"])


def test_smollm2_perplexity(manifest):
    info = manifest["smollm2-perplexity"]
    assert info["model_sha256"] == manifest["smollm2"]["files"]["model.safetensors"]
    assert manifest["smollm2"]["scores"]["nyt_test_perplexity"] == info["scores"]["nyt_test_perplexity"]
    from helpers.data import load_sentences

    texts = list(load_sentences("nyt")["test"]["sentence"])[:16]
    got = tasks.perplexity(checkpoint("causal-lm"), texts)
    assert got["perplexity"] == pytest.approx(info["check_scores"]["perplexity"], rel=1e-3)
    assert 1 < info["scores"]["nyt_test_perplexity"] < 1000


# -------------------------------------------------------------------- floors, --force and the good folder
@pytest.fixture
def zoo_with_sentiment(tmp_home):
    """A temporary zoo holding links to the real minilm/sentences and a copy of the real sentiment folder."""
    real = core.Path(os.environ.get("HFBOOK_REAL_HOME", str(core.Path.home() / ".cache" / "hfbook"))) / "zoo"
    real_manifest = json.loads((real / "manifest.json").read_text())
    dest = core.zoo_dir()
    dest.mkdir(parents=True)
    for name in ("minilm", "sentences"):
        (dest / name).symlink_to(real / name)
    shutil.copytree(real / "sentiment", dest / "sentiment")
    keep = {k: real_manifest[k] for k in ("minilm", "sentences", "sentiment")}
    (dest / "manifest.json").write_text(json.dumps(keep))
    return dest


def test_failed_build_keeps_the_good_model(zoo_with_sentiment, monkeypatch, capsys):
    from helpers.zoo.__main__ import main

    before = core.hash_tree(zoo_with_sentiment / "sentiment")
    manifest_before = read_manifest()["sentiment"]
    calls = []
    # A build whose model falls under the floor: skip the training, pretend the held-out accuracy is 0.55.
    monkeypatch.setattr(tasks, "cache_lower", lambda *a, **k: [])
    monkeypatch.setattr(tasks, "run_epochs", lambda *a, **k: [0.7])
    monkeypatch.setattr(tasks, "sentiment_scores", lambda *a, **k: calls.append(1) or {"accuracy": 0.55})

    core.build(["sentiment"])  # already built, no --force: nothing runs
    assert calls == []
    with pytest.raises(BuildFailed, match="below the floor 0.8"):
        core.build(["sentiment"], force=True)
    assert calls
    assert core.hash_tree(zoo_with_sentiment / "sentiment") == before
    assert read_manifest()["sentiment"] == manifest_before
    assert not list(zoo_with_sentiment.glob(".build-*"))

    assert main(["build", "sentiment", "--force"]) == 2  # the command line says why and exits non-zero
    assert "below the floor" in capsys.readouterr().err
    assert core.hash_tree(zoo_with_sentiment / "sentiment") == before


def test_check_floor_message():
    with pytest.raises(BuildFailed, match=r"qa: held-out f1 0\.4000 is below the floor 0\.5"):
        tasks.check_floor("qa", {"f1": 0.4, "exact_match": 0.3})
    tasks.check_floor("qa", {"f1": 0.5, "exact_match": 0.3})  # at the floor passes
