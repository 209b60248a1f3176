"""helpers.ner: entity grouping checked by hand and against pipeline("token-classification")'s own grouping.

A small BERT token classifier with random weights gives varied, messy tag sequences (B- after B-, I- with
no B-, type changes inside a word): a harder test of the grouping rule than a trained model's tidy output.
The zoo's trained NER model is compared too when it is built.
"""

import numpy as np
import pytest
import torch

from helpers import checkpoint
from helpers.ner import group_entities, split_tag, tag_pieces

CONLL = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
SEED_SENTENCE = (
    "Hugging Face Inc. is a company based in New York City. Its headquarters are in DUMBO, therefore "
    "very close to the Manhattan Bridge which is visible from the window."
)


def piece(entity, index, word, start, end, score=0.9):
    return {"entity": entity, "score": score, "index": index, "word": word, "start": start, "end": end}


# ---------------------------------------------------------------- exact, hand-made cases
def test_split_tag():
    assert split_tag("B-PER") == ("B", "PER")
    assert split_tag("I-LOC") == ("I", "LOC")
    assert split_tag("O") == ("I", "O")
    assert split_tag("PER") == ("I", "PER")
    for bad in ("", "B-", None):
        with pytest.raises(ValueError):
            split_tag(bad)


def test_seed_pieces_group_into_the_seed_entities():
    # the seed's printout (4.5.0, IO tags only), with token indices and character offsets added
    pieces = [
        piece("I-ORG", 1, "Hu", 0, 2, 0.9995),
        piece("I-ORG", 2, "##gging", 2, 7, 0.9916),
        piece("I-ORG", 3, "Face", 8, 12, 0.9983),
        piece("I-ORG", 4, "Inc", 13, 16, 0.9994),
        piece("I-LOC", 11, "New", 40, 43, 0.9994),
        piece("I-LOC", 12, "York", 44, 48, 0.9993),
        piece("I-LOC", 13, "City", 49, 53, 0.9994),
        piece("I-LOC", 19, "D", 79, 80, 0.9826),
        piece("I-LOC", 20, "##UM", 80, 82, 0.9370),
        piece("I-LOC", 21, "##BO", 82, 84, 0.8987),
        piece("I-LOC", 29, "Manhattan", 114, 123, 0.9758),
        piece("I-LOC", 30, "Bridge", 124, 130, 0.9902),
    ]
    groups = group_entities(pieces)
    assert [(g["entity_group"], g["word"], g["start"], g["end"]) for g in groups] == [
        ("ORG", "Hugging Face Inc", 0, 16),
        ("LOC", "New York City", 40, 53),
        ("LOC", "DUMBO", 79, 84),
        ("LOC", "Manhattan Bridge", 114, 130),
    ]
    assert groups[2]["score"] == pytest.approx((0.9826 + 0.9370 + 0.8987) / 3)
    assert [SEED_SENTENCE[g["start"] : g["end"]] for g in groups] == [
        "Hugging Face Inc",
        "New York City",
        "DUMBO",
        "Manhattan Bridge",
    ]


def test_b_starts_a_new_entity_and_types_must_match():
    pieces = [
        piece("B-PER", 1, "Ann", 0, 3),
        piece("B-PER", 2, "Bob", 4, 7),
        piece("I-PER", 3, "Smith", 8, 13),
        piece("I-LOC", 4, "Paris", 14, 19),
        piece("I-ORG", 5, "UN", 20, 22),
        piece("B-ORG", 6, "EU", 23, 25),
    ]
    assert [(g["entity_group"], g["word"]) for g in group_entities(pieces)] == [
        ("PER", "Ann"),
        ("PER", "Bob Smith"),
        ("LOC", "Paris"),
        ("ORG", "UN"),
        ("ORG", "EU"),
    ]


def test_a_gap_in_the_indices_splits_an_entity_and_o_pieces_are_dropped():
    # "Ann" [O token] "Lee": the pipeline sees the O token between them, so two entities
    filtered = [piece("B-PER", 1, "Ann", 0, 3), piece("I-PER", 3, "Lee", 8, 11)]
    with_o = [piece("B-PER", 1, "Ann", 0, 3), piece("O", 2, "and", 4, 7), piece("I-PER", 3, "Lee", 8, 11)]
    expected = [("PER", "Ann", 0, 3), ("PER", "Lee", 8, 11)]
    for pieces in (filtered, with_o):
        assert [(g["entity_group"], g["word"], g["start"], g["end"]) for g in group_entities(pieces)] == expected
    assert group_entities([]) == []


def test_bad_pieces_raise():
    with pytest.raises(ValueError, match="lacks"):
        group_entities([{"entity": "B-PER", "score": 0.5}])
    with pytest.raises(ValueError, match="token order"):
        group_entities([piece("B-PER", 2, "a", 2, 3), piece("I-PER", 1, "b", 0, 1)])
    with pytest.raises(ValueError, match="probability"):
        group_entities([piece("B-PER", 1, "a", 0, 1, score=1.5)])


def test_tag_pieces_rejects_mismatched_logits(cased):
    enc = cased("Ann lives here.", return_offsets_mapping=True, return_special_tokens_mask=True)
    n = len(enc["input_ids"])
    id2label = dict(enumerate(CONLL))
    with pytest.raises(ValueError, match="shape"):
        tag_pieces(np.zeros((n + 1, 9)), enc, id2label, "Ann lives here.", cased)
    with pytest.raises(ValueError, match="labels"):
        tag_pieces(np.zeros((n, 5)), enc, id2label, "Ann lives here.", cased)
    with pytest.raises(ValueError, match="return_offsets_mapping"):
        tag_pieces(np.zeros((n, 9)), cased("Ann lives here."), id2label, "Ann lives here.")


# ---------------------------------------------------------------- against the pipeline
def _sentences(n_per_set=15):
    from helpers.data import load_sentences

    out = [
        SEED_SENTENCE,
        "Ms. Ann-Marie O'Neill met the U.N. delegation in Zürich on 3 May 2021.",
        "ÆØÅ ☃ naïve café — “quoted” text with an emoji 🤗 and Hugging Face.",
    ]
    for name in ("nyt", "tweets", "movie"):
        out += list(load_sentences(name)["test"]["sentence"][:n_per_set])
    return out


def _compare_with_pipeline(model, tok, sentences):
    from transformers import pipeline

    per_piece = pipeline("token-classification", model=model, tokenizer=tok, device="cpu")
    simple = pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="simple", device="cpu")
    n_entities = n_multi = 0
    for text in sentences:
        theirs_pieces = per_piece(text)
        theirs = simple(text)
        # by hand: tokenizer -> model -> logits -> tag_pieces, same as the pipeline's per-piece output
        enc = tok(
            text, return_offsets_mapping=True, return_special_tokens_mask=True, return_tensors="pt", truncation=True
        )
        inputs = {k: v for k, v in enc.items() if k not in ("offset_mapping", "special_tokens_mask")}
        with torch.no_grad():
            logits = model(**inputs).logits[0]
        mine_pieces = tag_pieces(logits, enc, model.config.id2label, text, tok)
        assert [(p["entity"], p["index"], p["word"], p["start"], p["end"]) for p in mine_pieces] == [
            (p["entity"], p["index"], p["word"], p["start"], p["end"]) for p in theirs_pieces
        ], text
        assert [p["score"] for p in mine_pieces] == pytest.approx([float(p["score"]) for p in theirs_pieces], abs=1e-5)
        for pieces in (theirs_pieces, mine_pieces):
            mine = group_entities(pieces, tokenizer=tok)
            assert [(g["entity_group"], g["word"], g["start"], g["end"]) for g in mine] == [
                (g["entity_group"], g["word"], g["start"], g["end"]) for g in theirs
            ], text
            assert [g["score"] for g in mine] == pytest.approx([float(g["score"]) for g in theirs], abs=1e-5)
        n_entities += len(theirs)
        n_multi += sum(g["word"].count(" ") > 0 or "##" in g["word"] for g in theirs)
    return n_entities, n_multi


def test_grouping_matches_the_pipeline_on_a_random_model(tiny_ner, cased):
    sentences = _sentences()
    n_entities, n_multi = _compare_with_pipeline(tiny_ner, cased, sentences)
    assert len(sentences) >= 45 and n_entities > 100 and n_multi > 20  # the comparison had work to do


def test_default_word_joining_matches_the_cased_tokenizer(cased):
    words = cased.tokenize("Hugging Face's DUMBO headquarters")
    pieces = [piece("I-ORG", i + 1, w, 0, 1) for i, w in enumerate(words)]
    assert group_entities(pieces)[0]["word"] == cased.convert_tokens_to_string(words)


def test_grouping_matches_the_pipeline_on_the_zoo_model():
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = AutoModelForTokenClassification.from_pretrained(checkpoint("ner")).eval()
    tok = AutoTokenizer.from_pretrained(checkpoint("ner"))
    n_entities, _ = _compare_with_pipeline(model, tok, _sentences(10))
    assert n_entities > 10


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def tiny_ner(cased):
    from transformers import BertConfig, BertForTokenClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=cased.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        initializer_range=0.5,
        id2label=dict(enumerate(CONLL)),
        label2id={t: i for i, t in enumerate(CONLL)},
    )
    return BertForTokenClassification(config).eval()


# The tags-and-spans picture (chapter 7): it follows its data, and its Chinese drawing has Chinese labels.
def _tags_and_spans_svg(lang="en", tags=("B-ORG", "I-ORG", "O", "B-LOC")):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import figures
    from helpers.ner import draw_tags_and_spans

    text = "acme corp in paris"
    tokens = ["acme", "corp", "in", "paris"]
    spans = {"ORG": (0, 9), "PER": (0, 9), "LOC": (13, 18)}
    entities = [
        {"entity_group": t[2:], "start": spans[t[2:]][0], "end": spans[t[2:]][1]} for t in tags if t.startswith("B-")
    ]
    return figures.to_svg(
        figures.draw(draw_tags_and_spans, lang, tokens=tokens, tags=list(tags), text=text, entities=entities)
    )


def test_tags_and_spans_drawing_follows_its_tags():
    org = _tags_and_spans_svg()
    per = _tags_and_spans_svg(tags=("B-PER", "I-PER", "O", "O"))
    assert ">B-ORG<" in org and ">LOC<" in org and ">B-PER<" not in org
    assert ">B-PER<" in per and ">LOC<" not in per
    assert ">paris<" in org  # the tokens are drawn as they are


def test_tags_and_spans_drawing_in_chinese_and_bad_input():
    from helpers.ner import draw_tags_and_spans

    svg = _tags_and_spans_svg("zh_CN")
    assert "子词及其标签" in svg and "Word pieces" not in svg
    with pytest.raises(ValueError, match="one tag per token"):
        draw_tags_and_spans(lambda s, **k: s, tokens=["a", "b"], tags=["O"], text="a b", entities=[])
