"""helpers.textmetrics: chrF (sacrebleu), the faithfulness check and the length ratio."""

import pytest

from helpers.evalsets import load
from helpers.evalsets import names as set_names
from helpers.textmetrics import (
    chrf,
    chrf_interval,
    coverage,
    length_ratio,
    missing_names,
    names,
    numbers,
    sentence_chrf,
    unsupported,
)

STORY = (
    "Millbrook, a town of 12,000 people, reopened its library on Saturday, eight months after a flood. "
    "Head librarian Sarah Okafor said 3,000 books were saved. The repairs cost 1.4 million pounds."
)


def test_chrf_is_sacrebleus():
    from sacrebleu.metrics import CHRF

    hyps = ["今天的天气很好。", "Das Museum ist am Montag geschlossen."]
    refs = ["今天天气很好。", "Das Museum ist montags geschlossen."]
    assert chrf(hyps, refs) == round(CHRF().corpus_score(hyps, [refs]).score, 2)
    assert chrf(refs, refs) == 100.0 and sentence_chrf("abc", "xyz") == 0.0
    with pytest.raises(ValueError, match="one reference each"):
        chrf(hyps, refs[:1])


def test_chrf_interval_is_sacrebleus_bootstrap():
    from sacrebleu.metrics import CHRF

    hyps = ["今天的天气很好。", "Das Museum ist am Montag geschlossen.", "Ich bin hier.", "Wo ist der Bahnhof?"]
    refs = ["今天天气很好。", "Das Museum ist montags geschlossen.", "Ich bin da.", "Wo ist der Bahnhof?"]
    score, low, high = chrf_interval(hyps, refs)
    full = CHRF().corpus_score(hyps, [refs], n_bootstrap=1000)
    assert score == round(full.score, 1) and (low, high) == (
        round(full._mean - full._ci, 1),
        round(full._mean + full._ci, 1),
    )
    assert low < score < high and chrf_interval(hyps, refs) == (score, low, high)  # seeded: reruns agree
    assert all(type(x) is float for x in (score, low, high))
    with pytest.raises(ValueError, match="at least 2"):
        chrf_interval(hyps[:1], refs[:1])
    # nonsense output: some resamples score exactly 0 (sacrebleu's own estimate_ci fails on that mix of floats)
    assert chrf_interval(["xq", "zzzz", "Das Museum"], ["今天", "Hallo", "Das Museum ist zu"])[1] >= 0


def test_numbers_in_digits_and_words():
    assert numbers("12,000 people, eight months, 1.4 million, the 3rd of May, twice") == {
        "12000",
        "8",
        "1400000",
        "3",
        "2",
    }
    assert numbers("Twelve thousand came; twenty-four left; two hundred stayed") == {"12000", "24", "200"}
    assert numbers("twelve thousand") == numbers("12,000") == {"12000"}
    assert numbers("It costs £1.4m, 2.5 times more") == {"1.4", "2.5"}


def test_names_skip_sentence_starts_and_number_words():
    text = 'Officials said John Smith flew to Paris. Twelve thousand came. "Police know," she said. New York!'
    assert names(text) == {"John", "Smith", "Paris", "York"}


def test_unsupported_lists_invented_numbers_and_names_only():
    faithful = "Millbrook reopened its library eight months after a flood; Okafor's team saved 3000 books."
    assert not unsupported(faithful, STORY)
    invented = "The library of Millbrook, a town of 15,000, reopened; Mayor John Smith said ten books were lost."
    check = unsupported(invented, STORY)
    assert check.numbers == ["10", "15000"] and check.names == ["John", "Mayor", "Smith"]
    assert check  # truthy when something is unsupported
    assert unsupported("The flood came after twelve days.", STORY).numbers == ["12"]
    assert unsupported("The Repairs were costly.", STORY).names == []  # a capitalised word the story has
    # the story says 12,000; "Officials" and "Twelve" open sentences, so their capitals name nobody
    assert not unsupported("Twelve thousand people live in Millbrook. Officials said so.", STORY)


def test_coverage_counts_the_key_facts_a_summary_keeps():
    facts = [
        {"fact": "Millbrook's library reopened", "keys": ["Millbrook", "library", "reopen|open"]},
        {"fact": "after a flood", "keys": ["flood"]},
        {"fact": "a town of 12,000", "keys": ["12,000"]},
        {"fact": "repairs cost 1.4 million pounds", "keys": ["1.4 million"]},
    ]
    all_kept = coverage(
        "Millbrook, home to twelve thousand, reopened its flooded library after £1.4 million repairs", facts
    )
    assert all_kept.missed == [] and all_kept.share == 1.0
    half = coverage("The library in Millbrook opens again after the floods.", facts)
    assert half.kept == ["Millbrook's library reopened", "after a flood"] and half.share == 0.5
    assert coverage("A town held a party.", facts).share == 0.0
    assert coverage("The car parks were full.", [{"fact": "car park", "keys": ["car park"]}]).share == 1.0


def test_every_story_keeps_its_own_key_facts():
    for story in load("stories"):
        assert 2 <= len(story["key_facts"]) <= 4, story["id"]
        assert coverage(story["story"], story["key_facts"]).share == 1.0, story["id"]
        assert coverage(story["headline"], story["key_facts"]).share < 1.0, story["id"]  # a headline is not enough


def test_missing_names_catches_a_swapped_company():
    assert missing_names("阿里云是一家总部位于纽约和巴黎的科技公司", ["Hugging Face"]) == ["Hugging Face"]
    assert missing_names("Hugging Face 是一家总部位于纽约和巴黎的科技公司", ["Hugging Face"]) == []


def test_length_ratio():
    assert length_ratio("one two three", "a b c d e f") == 0.5
    assert length_ratio("", "") == 0.0


def test_the_books_sets():
    assert {"stories", "translation"} <= set(set_names())
    pairs, stories = load("translation"), load("stories")
    assert len(pairs) == 40 and all(set(p) == {"id", "en", "zh", "de"} and all(p.values()) for p in pairs)
    assert len({p["en"] for p in pairs}) == 40
    assert len(stories) == 12 and all(80 <= len(s["story"].split()) <= 150 for s in stories)
    assert all(set(s) == {"id", "headline", "story", "key_facts"} for s in stories)
    with pytest.raises(FileNotFoundError, match="no evaluation set 'nope'"):
        load("nope")
