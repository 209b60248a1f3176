"""The book's own evaluation sets, written for the book (not copied from anywhere), shipped as JSON lines.

Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").

- ``translation``: 40 everyday English sentences, each with a Chinese (``zh``) and a German (``de``) reference.
- ``stories``: 12 short news-like stories (invented people and places, about 100–120 words each) for
  summaries, each with a headline.
- ``qa``: short paragraphs with questions (what / why / how / when / who / definitional) and their gold answers,
  each an exact span of the paragraph (the first is the main one; SQuAD-style scoring takes the best match over
  all of them). Includes the seed's questions on its own paragraph. :func:`load_qa` (chapter 5, "The models
  this chapter runs") checks and loads it.
- ``cloze``: everyday English sentences with one ``[MASK]`` each and the words that make the sentence true and
  grammatical (lower case, each a single token of the uncased BERT vocabulary), by topic (geography, food,
  daily life, family, weather, animals, time, colours, ...). A fill-mask model scores a *hit at k* when one of
  its k best tokens is an acceptable answer. :func:`load_cloze` (chapter 6, "Masked language modelling: the
  fill-mask pipeline") checks and loads it; the fill-mask build checks that no training text contains a
  cloze sentence.
"""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = Path(__file__).parent
MASK = "[MASK]"


def names() -> list[str]:
    """The sets shipped with the book.

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    return sorted(p.stem for p in FOLDER.glob("*.jsonl"))


def load(name: str) -> list[dict]:
    """The rows of set ``name`` (one dict per line of ``helpers/evalsets/<name>.jsonl``).

    Used by the helpers of chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    path = FOLDER / f"{name}.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"no evaluation set {name!r} in {FOLDER}; known: {', '.join(names())}")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def check_qa(items: list[dict]) -> list[dict]:
    """Validate QA items and add ``answer`` and ``answer_start`` (of the first answer); return them.

    Every answer must occur in its context; the main (first) answer exactly once, so its position is known.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").
    """
    out = []
    for n, item in enumerate(items, 1):
        context, question, answers = item.get("context"), item.get("question"), item.get("answers")
        if not (isinstance(context, str) and context.strip() and isinstance(question, str) and question.strip()):
            raise ValueError(f"QA item {n} needs a non-empty 'context' and 'question'")
        if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
            raise ValueError(f"QA item {n} ({question!r}) needs 'answers': a non-empty list of spans")
        missing = [a for a in answers if a not in context]
        if missing:
            raise ValueError(
                f"QA item {n} ({question!r}): {missing} are not spans of its context; copy them from the context "
                "exactly"
            )
        if context.count(answers[0]) != 1:
            raise ValueError(
                f"QA item {n} ({question!r}): the main answer {answers[0]!r} occurs {context.count(answers[0])} "
                "times in the context; make it unique"
            )
        out.append({**item, "answer": answers[0], "answer_start": context.index(answers[0])})
    return out


def load_qa() -> list[dict]:
    """The book's QA set: ``[{"context", "question", "answers", "kind", "answer", "answer_start"}, ...]``.

    Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").
    """
    return check_qa(load("qa"))


def check_cloze(items: list[dict]) -> list[dict]:
    """Validate cloze items: a ``text`` with exactly one ``[MASK]`` and ``answers``, a non-empty list of distinct
    lower-case words; return them.

    Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Masked language modelling: the fill-mask pipeline").
    """
    for n, item in enumerate(items, 1):
        text, answers = item.get("text"), item.get("answers")
        if not isinstance(text, str) or text.count(MASK) != 1:
            raise ValueError(f"cloze item {n} ({text!r}) must have a 'text' with exactly one {MASK}")
        if not answers or not all(isinstance(a, str) and a and a == a.lower().strip() for a in answers):
            raise ValueError(f"cloze item {n} ({text!r}) needs 'answers': a non-empty list of lower-case words")
        if len(set(answers)) != len(answers):
            raise ValueError(f"cloze item {n} ({text!r}) lists an answer twice; remove the repeat")
    return items


def load_cloze() -> list[dict]:
    """The book's cloze set: ``[{"topic", "text" (with one [MASK]), "answers"}, ...]``.

    Defined in chapter 6 (``book/06_language_modelling.ipynb``, "Masked language modelling: the fill-mask pipeline").
    """
    return check_cloze(load("cloze"))
