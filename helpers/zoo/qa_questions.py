"""Varied training questions for the ``qa`` entry: definitions, why, how and where, besides the entity questions.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").

The first QA head saw only questions about named entities ("who / which place / when / how many ..."), so
"What is extractive question answering?" got "the SQuAD dataset". These templates add the questions a reader
asks of a paragraph, each answer an exact span of its context (built by rules, never written by a model):

- **definitions** from WordNet (:mod:`helpers.zoo.general_text`): the context says "Coffee is a beverage
  consisting of ..." (or "... means ...", "To X means to ..."), the question asks "What is coffee?", "What does
  coffee mean?", "Define coffee." ... and the answer is the definition. The context also holds one or two
  *other* definitions, so the model must match the question's subject, not just find the words after "is";
- **why**: a sentence "A because B." of the shipped or OANC text asks "Why A?" (answer "because B"), and
  "A, so B." asks "Why B?" (answer "A");
- **how**: "A by doing B." asks "How A?" (answer "by doing B");
- **where**: a place entity after "in" / "at" / "near" of the silver-entity sentences asks "Where A?" with the
  place and its preposition taken out, the verb "is" / "was" put first when there is one ("Hugging Face is a
  company based in New York City." asks "Where is Hugging Face a company based?"; answer: the place); and a
  WordNet place ("Avon is a county in southwestern England.") asks "Where is Avon?" (answer "southwestern
  England") in a context that also defines other words, so "Where is X?" and "What is X?" point at different
  spans of the same sentence;
- and some of the entity questions get a definition sentence added to their context, so "is a ..." is not
  always the answer.

Questions keep the sentence's own word order ("Why the film failed?") as the entity questions do: the model
learns which part of the context a question word points at. WordNet synsets and OANC lines are divided into
train (90 %) and a held-out part (10 %) by a hash of their text; the shipped sentences keep their own split.
"""

from __future__ import annotations

import random
import re
import zlib

QUESTION_MIX = {
    "definitions": 600,
    "why": 250,
    "how": 150,
    "where": 150,
    "where_defined": 150,
    "entity_with_definition": 0.25,
}
MAX_DEFINITION_WORDS = 20
_DEF_QUESTIONS = (
    "What is {a}{w}?",
    "What is {a}{w}?",
    "What does {w} mean?",
    "What is meant by {w}?",
    "What is the meaning of {w}?",
    "Define {w}.",
)
_VERB_QUESTIONS = ("What does it mean to {w}?", "What does {w} mean?", "What is meant by '{w}'?")
_PLACES = ("GPE", "LOC", "FAC")
_WHERE_PREPOSITIONS = ("in", "at", "near")


_COMMON_FIRST_WORDS = set(
    "the a an this that these those it its he she they we you his her their our my your there some many most "
    "one two three all no every each another such".split()
)
_AUX = re.compile(r"^(?P<subj>.+?) (?P<aux>is|was|are|were) (?P<rest>.*)$")
_PLACE_DEFINITION = re.compile(
    r"^(?:a|an|the) [^;]*? in (?P<place>(?:(?:north|south|east|west|central|northern|southern|eastern|western|"
    r"northeastern|northwestern|southeastern|southwestern|east-central|west-central|north-central|south-central) )?"
    r"[A-Z][\w-]+(?: [A-Z][\w-]+)*)$"
)


def lower_first(text: str) -> str:
    """``text`` with its first word lower-cased when it is a common word ("The film" -> "the film"), not a name.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in _COMMON_FIRST_WORDS else text


def _article(word: str) -> str:
    if word[:1].isupper():
        return ""  # a name: "What is Paris?"
    return "an " if word[:1].lower() in "aeiou" else "a "


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _definable(synsets: list[dict]) -> list[dict]:
    return [
        s
        for s in synsets
        if s["pos"] in ("n", "v")
        and 4 <= len(s["definition"].split()) <= MAX_DEFINITION_WORDS
        and s["words"][0][:1].isalpha()
    ]


def definition_sentence(s: dict, rng: random.Random) -> tuple[str, str, str]:
    """(sentence, text before the definition, question) for one WordNet synset.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    w, d = s["words"][0], s["definition"].rstrip(". ")
    if s["pos"] == "v":
        lead = f"To {w} means to "
        return lead + d + ".", lead, rng.choice(_VERB_QUESTIONS).format(w=w)
    a = _article(w)
    lead = f"{_cap(a + w)} {rng.choice(('is', 'is', 'means'))} "
    return lead + d + ".", lead, rng.choice(_DEF_QUESTIONS).format(w=w, a=a)


def _context_around(sentence: str, others: list[str], answer: str, rng: random.Random) -> str | None:
    """``sentence`` and ``others`` in a seeded random order, joined with spaces; None when ``answer`` or
    ``sentence`` occurs more than once in the result (the answer's span would be ambiguous)."""
    sents = [sentence] + others
    rng.shuffle(sents)
    context = " ".join(sents)
    return context if context.count(answer) == 1 and context.count(sentence) == 1 else None


def _pair(question: str, context: str, sentence: str, answer: str, at: int, kind: str) -> dict:
    """A question-answer pair whose answer starts ``at`` characters into ``sentence`` (once in ``context``)."""
    start = context.index(sentence) + at
    return {"question": question, "context": context, "answer": answer, "answer_start": start, "type": kind}


def definition_pairs(synsets: list[dict], fillers: list[str], rng: random.Random, limit: int) -> list[dict]:
    """Definition questions over WordNet synsets; the context is the defining sentence, one or two other
    definitions, maybe one of the synset's examples and one filler sentence, in a seeded random order.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    cands = _definable(synsets)
    pairs = []
    for s in rng.sample(cands, min(len(cands), limit)):
        sentence, lead, question = definition_sentence(s, rng)
        d = sentence[len(lead) : -1]
        others = [definition_sentence(o, rng)[0] for o in rng.sample(cands, rng.randint(1, 2)) if o is not s]
        others += [_cap(e) + "." for e in s["examples"][: rng.randint(0, 1)]]
        others += rng.sample(fillers, rng.randint(0, 1))
        context = _context_around(sentence, others, d, rng)
        if context is not None:
            pairs.append(_pair(question, context, sentence, d, len(lead), "DEFINITION"))
    return pairs


_BECAUSE = re.compile(r"^(?P<a>[A-Z][^.!?;]{10,}?),? (?P<b>because [^.!?;]{5,}?)[.!?]?$")
_SO = re.compile(r"^(?P<a>[A-Z][^.!?;]{10,}?), so (?P<b>[^.!?;]{5,}?)[.!?]?$")
_BY = re.compile(r"^(?P<a>[A-Z][^.!?;]{10,}?) (?P<b>by [a-z]+ing\b[^.!?;]{3,}?)[.!?]?$")


def clause_pairs(sentences: list[str], fillers: list[str], rng: random.Random, limits: dict) -> list[dict]:
    """Why and how questions from sentences with "because", ", so" and "by ...ing" (see the module docstring);
    the context is the sentence and one or two filler sentences.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    found = {"why": [], "how": []}
    for s in sentences:
        s = s.strip()
        if len(s.split()) > 40:
            continue
        m = _BECAUSE.match(s)
        if m:
            found["why"].append((s, "Why " + lower_first(m["a"]) + "?", m["b"]))
        m = _SO.match(s)
        if m:
            found["why"].append((s, "Why " + m["b"] + "?", m["a"]))
        m = _BY.match(s)
        if m:
            found["how"].append((s, "How " + lower_first(m["a"]) + "?", m["b"]))
    pairs = []
    for kind, rows in found.items():
        for s, q, ans in rng.sample(rows, min(len(rows), limits[kind])):
            context = _context_around(s, rng.sample(fillers, rng.randint(1, 2)), ans, rng)
            if context is not None:
                pairs.append(_pair(q, context, s, ans, s.index(ans), kind.upper()))
    return pairs


def where_pairs(rows: list, fillers: list[str], rng: random.Random, limit: int) -> list[dict]:
    """ "Where" questions from silver place entities after "in" / "at" / "near": "Hugging Face is a company based
    in New York City." asks "Where Hugging Face is a company based?" (answer "New York City").

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    cands = []
    for text, ents in rows:
        for a, b, t in ents:
            before = text[:a].rstrip().rsplit(" ", 1)
            if t in _PLACES and len(before) == 2 and before[1].lower() in _WHERE_PREPOSITIONS:
                pre = before[0].strip()
                if 2 <= len(pre.split()) <= 10 and text.count(text[a:b]) == 1:
                    post = " ".join(text[b:].split(" ")[:7]).rstrip(" .,;:!?\"')")
                    m = _AUX.match(pre)
                    if m:
                        q = f"Where {m['aux']} {lower_first(m['subj'])} {m['rest']}".rstrip() + post + "?"
                    else:
                        q = "Where " + lower_first(pre) + post + "?"
                    cands.append((text, a, b, q))
    pairs = []
    for text, a, b, q in rng.sample(cands, min(len(cands), limit)):
        context = _context_around(text, rng.sample(fillers, rng.randint(1, 2)), text[a:b], rng)
        if context is not None:
            pairs.append(_pair(q, context, text, text[a:b], a, "WHERE"))
    return pairs


def place_definition_pairs(synsets: list[dict], rng: random.Random, limit: int) -> list[dict]:
    """ "Where is X?" over WordNet places defined as "... in PLACE" ("Avon is a county in southwestern England."),
    answered by the place; the context also defines one or two other words.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    cands = _definable(synsets)
    places = [
        s for s in cands if s["pos"] == "n" and s["words"][0][:1].isupper() and _PLACE_DEFINITION.match(s["definition"])
    ]
    pairs = []
    for s in rng.sample(places, min(len(places), limit)):
        w, d = s["words"][0], s["definition"].rstrip(". ")
        place = _PLACE_DEFINITION.match(d)["place"]
        sentence = f"{w} is {d}."
        others = [definition_sentence(o, rng)[0] for o in rng.sample(cands, rng.randint(1, 2)) if o is not s]
        context = _context_around(sentence, others, place, rng)
        if context is None or place == w:
            continue
        question = rng.choice(("Where is {w}?", "Where is {w}?", "Where is {w} located?", "Where is {w} found?"))
        pairs.append(
            _pair(question.format(w=w), context, sentence, place, sentence.index(place, len(w)), "WHERE_DEFINED")
        )
    return pairs


def with_definitions(pairs: list[dict], synsets: list[dict], rng: random.Random, share: float) -> list[dict]:
    """A copy of ``share`` of the (entity) pairs with a definition sentence added before or after the context.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    cands, out = _definable(synsets), []
    for p in rng.sample(pairs, round(share * len(pairs))):
        sentence = definition_sentence(rng.choice(cands), rng)[0]
        first = rng.random() < 0.5
        context = f"{sentence} {p['context']}" if first else f"{p['context']} {sentence}"
        if context.count(p["answer"]) != 1:
            continue
        shift = len(sentence) + 1 if first else 0
        out.append({**p, "context": context, "answer_start": p["answer_start"] + shift, "type": p["type"] + "+DEF"})
    return out


def varied_pairs(split: str, rng: random.Random, silver_rows: list, mix: dict | None = None) -> list[dict]:
    """Definition, why, how and where pairs for one split (``"train"`` or ``"test"``, the latter a fifth as many):
    WordNet synsets and OANC lines split by a hash of their text, the shipped and silver sentences by their own
    split (``silver_rows``: the ``[text, ents]`` rows of that split).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from .general_text import general_text
    from .models.fill_mask import mlm_texts

    mix = {**QUESTION_MIX, **(mix or {})}
    g = general_text()

    def mine(text: str) -> bool:  # a stable 90/10 split by content
        return (zlib.crc32(text.encode()) % 10 != 0) == (split == "train")

    synsets = definition_synsets(split)
    oanc = [t for t in g["oanc"] if mine(t) and 5 <= len(t.split()) <= 30 and '"' not in t]
    shipped = mlm_texts("train" if split == "train" else "test")
    fillers = oanc + [t for t in shipped if 5 <= len(t.split()) <= 30]
    share = 1.0 if split == "train" else 0.2
    pairs = definition_pairs(synsets, fillers, rng, round(mix["definitions"] * share))
    pairs += clause_pairs(
        shipped + oanc, fillers, rng, {"why": round(mix["why"] * share), "how": round(mix["how"] * share)}
    )
    pairs += where_pairs(silver_rows, fillers, rng, round(mix["where"] * share))
    pairs += place_definition_pairs(synsets, rng, round(mix["where_defined"] * share))
    return pairs


def definition_synsets(split: str) -> list[dict]:
    """The WordNet synsets of one split (as :func:`varied_pairs` divides them).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from .general_text import general_text

    return [
        s for s in general_text()["synsets"] if (zlib.crc32(s["definition"].encode()) % 10 != 0) == (split == "train")
    ]
