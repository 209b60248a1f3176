"""Measuring generated text: chrF against references, and a faithfulness check for summaries.

Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").

- :func:`chrf` is sacrebleu's chrF (character n-gram F-score, 0–100), the standard implementation, so the
  numbers are comparable with published ones. It works for Chinese too: it compares characters, not words.
- :func:`unsupported` lists the numbers and names of a summary that its source text does not contain: the
  commonest way a summary invents facts ("married 12 times", a person the story never mentions). It cannot see
  a summary that twists facts the story does contain ("she pleaded guilty"); read what it cannot check.
- :func:`length_ratio` is the summary's length in words over the source's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
NUMBER_WORDS.update({w: str(10 * i) for i, w in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)})
NUMBER_WORDS.update(
    {
        "first": "1",
        "second": "2",
        "third": "3",
        "fourth": "4",
        "fifth": "5",
        "sixth": "6",
        "seventh": "7",
        "eighth": "8",
        "ninth": "9",
        "tenth": "10",
        "half": "0.5",
        "twice": "2",
        "once": "1",
        "dozen": "12",
    }
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")


def chrf(hypotheses: list[str], references: list[str]) -> float:
    """Corpus-level chrF (sacrebleu's defaults: character 6-grams, beta 2) of hypotheses against one reference
    each, rounded to 2 decimals.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "chrF: translations against references").
    """
    from sacrebleu.metrics import CHRF

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references: give one reference each")
    return round(CHRF().corpus_score(list(hypotheses), [list(references)]).score, 2)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    """chrF of one hypothesis against one reference (for tables; report the corpus score as the result).

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Translation").
    """
    from sacrebleu.metrics import CHRF

    return round(CHRF().sentence_score(hypothesis, [reference]).score, 2)


def numbers(text: str) -> set[str]:
    """The numbers in ``text`` as digit strings: "1,400" -> "1400", "ten" -> "10", "2.5" -> "2.5".

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    found = {m.group().replace(",", "") for m in _NUMBER.finditer(text)}
    found |= {NUMBER_WORDS[w.lower()] for w in _WORD.findall(text) if w.lower() in NUMBER_WORDS}
    return found


def _words(text: str) -> list[str]:
    return [re.sub(r"['’]s$", "", w) for w in _WORD.findall(text)]


def names(text: str) -> set[str]:
    """Capitalised words of ``text`` (possessive 's removed): names, places, and sentence-initial words.

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    return {w for w in _words(text) if w[0].isupper()}


@dataclass
class Unsupported:
    """What a summary says that its source does not: numbers and capitalised words (names, places).

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """

    numbers: list[str]
    names: list[str]

    def __bool__(self) -> bool:
        return bool(self.numbers or self.names)


def unsupported(summary: str, source: str) -> Unsupported:
    """Numbers and names in ``summary`` that ``source`` does not contain.

    A number counts as supported when the source has it in digits or in words ("ten" = "10"). A capitalised
    word counts as supported when the source has the same word in any case, so a sentence-initial "The" or
    "Police" passes while an invented "Smith" or "Paris" does not.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Faithfulness: does a summary invent anything?").
    """
    source_numbers = numbers(source)
    source_words = {w.lower() for w in _words(source)}
    return Unsupported(
        numbers=sorted(numbers(summary) - source_numbers),
        names=sorted(w for w in names(summary) if w.lower() not in source_words),
    )


def length_ratio(summary: str, source: str) -> float:
    """Words of the summary divided by words of the source (whitespace-separated), rounded to 3 decimals.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Summarizing with chat messages").
    """
    return round(len(summary.split()) / max(1, len(source.split())), 3)
