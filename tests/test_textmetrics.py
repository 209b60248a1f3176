"""helpers.textmetrics: chrF (sacrebleu), the faithfulness check and the length ratio."""

import pytest

from helpers.evalsets import load, names
from helpers.textmetrics import chrf, length_ratio, numbers, sentence_chrf, unsupported

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


def test_numbers_in_digits_and_words():
    assert numbers("12,000 people, eight months, 1.4 million, the 3rd of May, twice") == {"12000", "8", "1.4", "3", "2"}


def test_unsupported_lists_invented_numbers_and_names_only():
    faithful = "Millbrook reopened its library eight months after a flood; Okafor's team saved 3000 books."
    assert not unsupported(faithful, STORY)
    invented = "The library of Millbrook, a town of 15,000, reopened; Mayor John Smith said ten books were lost."
    check = unsupported(invented, STORY)
    assert check.numbers == ["10", "15000"] and check.names == ["John", "Mayor", "Smith"]
    assert check  # truthy when something is unsupported
    assert unsupported("The flood came after twelve days.", STORY).numbers == ["12"]
    assert unsupported("The Repairs were costly.", STORY).names == []  # a capitalised word the story has


def test_length_ratio():
    assert length_ratio("one two three", "a b c d e f") == 0.5
    assert length_ratio("", "") == 0.0


def test_the_books_sets():
    assert {"stories", "translation"} <= set(names())
    pairs, stories = load("translation"), load("stories")
    assert len(pairs) == 40 and all(set(p) == {"id", "en", "zh", "de"} and all(p.values()) for p in pairs)
    assert len({p["en"] for p in pairs}) == 40
    assert len(stories) == 12 and all(80 <= len(s["story"].split()) <= 150 for s in stories)
    with pytest.raises(FileNotFoundError, match="no evaluation set 'nope'"):
        load("nope")
