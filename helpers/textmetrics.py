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
from decimal import Decimal

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
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_](?:[\w'’-]*\w)?")
_SENTENCE_END = re.compile(r"(?:^|[.!?:]|\n)[\s\"'“”‘’(\[]*$")


def chrf(hypotheses: list[str], references: list[str]) -> float:
    """Corpus-level chrF (sacrebleu's defaults: character 6-grams, beta 2) of hypotheses against one reference
    each, rounded to 2 decimals.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "chrF: translations against references").
    """
    from sacrebleu.metrics import CHRF

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references: give one reference each")
    return round(CHRF().corpus_score(list(hypotheses), [list(references)]).score, 2)


def chrf_interval(hypotheses: list[str], references: list[str], resamples: int = 1000) -> tuple[float, float, float]:
    """Corpus chrF with sacrebleu's bootstrap 95 % confidence interval: ``(score, low, high)``, rounded to 1 decimal.

    sacrebleu resamples the sentences with replacement ``resamples`` times (seed 12345 unless ``SACREBLEU_SEED``
    says otherwise, so reruns give the same interval) and takes the mean and the half-width of the middle 95 % of
    the resampled scores; ``low`` and ``high`` are the mean minus and plus that half-width. On 40 sentences the
    interval is several points wide: two systems whose intervals overlap that much are not shown to differ.

    The resampling is sacrebleu's own (what ``corpus_score(..., n_bootstrap=resamples)`` runs), and so is the
    formula; only the last step is done here, on the scores as Python floats: sacrebleu's ``estimate_ci`` averages
    them with ``statistics.mean``, which refuses a mix of NumPy and Python floats, and a resample that scores
    exactly 0 gives such a mix (nonsense output, as a random model writes).

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which model, and why").
    """
    from sacrebleu.metrics import CHRF
    from sacrebleu.significance import _bootstrap_resample

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references: give one reference each")
    if len(hypotheses) < 2:
        raise ValueError("a bootstrap interval needs at least 2 sentences")
    metric = CHRF()
    stats = metric._extract_corpus_statistics(list(hypotheses), [list(references)])
    score = float(metric._aggregate_and_compute(stats).score)
    _, resampled = _bootstrap_resample(stats, metric, resamples)
    scores = sorted(float(s.score) for s in resampled)
    cut = len(scores) // 40  # the middle 95 %, as sacrebleu's Score.estimate_ci
    half_width = 0.5 * (scores[len(scores) - cut - 1] - scores[cut])
    mean = sum(scores) / len(scores)
    return round(score, 1), round(mean - half_width, 1), round(mean + half_width, 1)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    """chrF of one hypothesis against one reference (for tables; report the corpus score as the result).

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Translation").
    """
    from sacrebleu.metrics import CHRF

    return round(CHRF().sentence_score(hypothesis, [reference]).score, 2)


def _value(token: str) -> Decimal | None:
    """The number a token stands for ("12,000", "1.4", "twelve", "twenty-four"), or None."""
    if token[0].isdigit():
        return Decimal(token.replace(",", ""))
    parts = token.lower().split("-")
    if all(p in NUMBER_WORDS for p in parts) and (len(parts) == 1 or all(int(NUMBER_WORDS[p]) < 100 for p in parts)):
        return sum((Decimal(NUMBER_WORDS[p]) for p in parts), Decimal(0))
    return None


def _digits(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def numbers(text: str) -> set[str]:
    """The numbers in ``text`` as digit strings, whether written in digits or words.

    "1,400" -> "1400", "ten" -> "10", "twenty-four" -> "24", "2.5" -> "2.5", and a scale word multiplies what
    precedes it: "twelve thousand" and "12,000" are both "12000", "1.4 million" is "1400000".

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    found, current = [], None
    for token in _TOKEN.findall(text):
        scale = SCALES.get(token.lower())
        if scale and current is not None:
            current *= scale
            found[-1] = current
            continue
        current = _value(token)
        if current is not None:
            found.append(current)
    return {_digits(v) for v in found}


def _words(text: str) -> list[str]:
    return [re.sub(r"['’]s$", "", w) for w in _WORD.findall(text)]


def names(text: str) -> set[str]:
    """Capitalised words of ``text`` (possessive 's removed) that are not the first word of a sentence and not
    number words: names and places. "Officials said ..." or "Twelve thousand ..." open a sentence, so their
    capital says nothing.

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    found = set()
    for match in _WORD.finditer(text):
        word = re.sub(r"['’]s$", "", match.group())
        if not word[0].isupper() or _value(word) is not None or word.lower() in SCALES:
            continue
        if _SENTENCE_END.search(text[: match.start()]):
            continue
        found.add(word)
    return found


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


@dataclass
class Coverage:
    """Which key facts of a story a summary keeps (see :func:`coverage`).

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """

    kept: list[str]
    missed: list[str]

    @property
    def share(self) -> float:
        total = len(self.kept) + len(self.missed)
        return round(len(self.kept) / total, 3) if total else 1.0


def _has(text: str, key: str) -> bool:
    """Whether ``text`` contains ``key``: a number (compared after :func:`numbers`, so "twelve thousand" has
    12,000) or words (case-insensitive, each word of the key starting a word of the text, so "flood" matches
    "flooded" and "car park" matches "car parks")."""
    if key[0].isdigit():
        return next(iter(numbers(key))) in numbers(text)
    words = [w.lower() for w in _WORD.findall(text)]
    parts = key.lower().split()
    return any(
        all(words[i + j].startswith(part) for j, part in enumerate(parts)) for i in range(len(words) - len(parts) + 1)
    )


def coverage(summary: str, facts: list[dict]) -> Coverage:
    """The key facts of a story (``[{"fact": ..., "keys": [...]}, ...]``, as in ``helpers/evalsets/stories.jsonl``)
    that ``summary`` keeps.

    A fact is kept when the summary has every one of its ``keys``; a key may offer alternatives separated by
    ``|`` ("30|half" accepts "every 30 minutes" and "every half hour"). Keys are numbers or the words a summary
    cannot avoid when it states the fact (names, places, the event). A number key matches the same number in
    digits or words (:func:`numbers`); a word key matches words that start with it, case-insensitively ("flood"
    matches "flooded", "car park" matches "car parks"). It checks what a summary keeps, not whether its sentence
    is true: read the summary too.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Coverage: does a summary keep the point?").
    """
    kept, missed = [], []
    for fact in facts:
        ok = all(any(_has(summary, alt.strip()) for alt in key.split("|")) for key in fact["keys"])
        (kept if ok else missed).append(fact["fact"])
    return Coverage(kept, missed)


def missing_names(translation: str, names_to_keep: list[str]) -> list[str]:
    """The names of ``names_to_keep`` that ``translation`` does not contain, spelled exactly.

    A translation is scored against a reference, and a swapped name costs it only a few characters; this check
    catches it at once. Give it the names that must survive unchanged (a company's name kept in Latin letters,
    as the prompt asked): place names, which a translation may rightly write in its own script, do not belong.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Translation").
    """
    return [name for name in names_to_keep if name not in translation]
