"""Measure the instruct models the registry carries in three precisions each: the figures behind chapter 8's
"Which model, and why" (size, precision, speed, quality).

    python scripts/bench_instruct_variants.py prepare 1.5b      # de-quantise the GGUF once (timed), keep it
    python scripts/bench_instruct_variants.py run 1.5b bf16     # one variant, in its own process
    python scripts/bench_instruct_variants.py all               # every variant, one process each

Variants: ``0.5b`` and ``1.5b`` (helpers.zoo.instruct's QWEN_0_5B and QWEN_1_5B) in ``fp32`` (the de-quantised
values), ``bf16`` (every weight and activation in bfloat16) and ``int8`` (torchao's ``Int8WeightOnlyConfig``:
weights stored as int8 with one scale per output row, computed in bfloat16). Each run loads the model (timed),
translates all 40 sentence pairs of the book's set into Chinese and German and summarises all 12 stories with
the zoo's prompts (greedy, batches of 8), and appends one JSON line to ``$HFBOOK_HOME/bench/instruct_variants.jsonl``
with the seconds, generated tokens per second, peak memory (RSS of the process), size on disk and every output.
Scores come from the outputs: ``python scripts/instruct_scores.py``. Run it on an otherwise idle machine; the
threads are ``HFBOOK_THREADS`` or torch's default (all cores).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without an install too

SIZES = ("0.5b", "1.5b")
PRECISIONS = ("fp32", "bf16", "int8")
MAX_NEW_TOKENS = {"translation": 48, "summary": 80}


def bench_dir() -> Path:
    from helpers.zoo.core import home

    path = home() / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spec_of(size: str):
    from helpers.zoo.instruct import QWEN_0_5B, QWEN_1_5B

    return {"0.5b": QWEN_0_5B, "1.5b": QWEN_1_5B}[size]


def folder(size: str, precision: str) -> Path:
    """The saved Hugging Face folder a variant loads from (int8 quantises the bf16 folder while loading)."""
    return bench_dir() / f"qwen-{size}-{'fp32' if precision == 'fp32' else 'bf16'}"


def disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())


def prepare(size: str) -> None:
    """Join and de-quantise the GGUF into a float32 folder and a bfloat16 copy, timing what a zoo build does."""
    import tempfile

    import torch
    from transformers import AutoModelForCausalLM

    from helpers.zoo.instruct import dequantise, join_gguf

    spec = spec_of(size)
    fp32, bf16 = folder(size, "fp32"), folder(size, "bf16")
    timings = {}
    with tempfile.TemporaryDirectory(dir=bench_dir()) as tmp:
        start = time.perf_counter()
        join_gguf(spec, Path(tmp) / "model.gguf")
        timings["join_and_verify_s"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        dequantise(Path(tmp) / "model.gguf", fp32, spec.title, dtype="float32")
        timings["dequantise_and_save_fp32_s"] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(str(fp32), dtype=torch.bfloat16)
    model.save_pretrained(str(bf16))
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        if (fp32 / name).is_file():
            (bf16 / name).write_bytes((fp32 / name).read_bytes())
    timings["save_bf16_copy_s"] = round(time.perf_counter() - start, 1)
    record = {"prepare": size, **timings, "fp32_bytes": disk_bytes(fp32), "bf16_bytes": disk_bytes(bf16)}
    append(record)


def append(record: dict) -> None:
    record = {**record, "load_avg_1m": round(os.getloadavg()[0], 2), "threads": _threads()}
    with open(bench_dir() / "instruct_variants.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in record.items() if k != "outputs"}, ensure_ascii=False), flush=True)


def _threads() -> int:
    import torch

    if os.environ.get("HFBOOK_THREADS"):
        torch.set_num_threads(int(os.environ["HFBOOK_THREADS"]))
    return torch.get_num_threads()


def load(size: str, precision: str):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = folder(size, precision)
    if not path.is_dir():
        raise SystemExit(f"{path} is missing: run `python {sys.argv[0]} prepare {size}` first")
    dtype = torch.float32 if precision == "fp32" else torch.bfloat16
    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype).eval()
    if precision == "int8":
        try:
            from torchao.quantization import Int8WeightOnlyConfig, quantize_
        except ImportError as err:
            raise SystemExit(
                f"int8 needs torchao, which the book's lock leaves out: pip install torchao==0.18.0 ({err})"
            )

        quantize_(model, Int8WeightOnlyConfig())
    return model, tok


def generate_all(model, tok, prompts: list[str], max_new_tokens: int) -> tuple[list[str], int]:
    """The zoo's greedy chat replies (batches of 8) and the number of tokens generated."""
    from helpers.zoo.instruct import chat_replies

    stats = {}
    replies = chat_replies(model, tok, prompts, max_new_tokens=max_new_tokens, batch_size=8, stats=stats)
    return replies, stats["generated_tokens"]


def run(size: str, precision: str) -> None:
    from helpers.evalsets import load as load_set
    from helpers.zoo.instruct import LANGUAGES, SUMMARY_PROMPT, TRANSLATE_PROMPT

    threads = _threads()
    start = time.perf_counter()
    model, tok = load(size, precision)
    load_s = round(time.perf_counter() - start, 1)
    pairs, stories = load_set("translation"), load_set("stories")
    outputs, seconds, tokens = {}, {}, {}
    for lang, language in LANGUAGES.items():
        prompts = [TRANSLATE_PROMPT.format(language=language, text=p["en"]) for p in pairs]
        start = time.perf_counter()
        outputs[f"translation_{lang}"], tokens[lang] = generate_all(model, tok, prompts, MAX_NEW_TOKENS["translation"])
        seconds[lang] = round(time.perf_counter() - start, 1)
    prompts = [SUMMARY_PROMPT.format(text=s["story"]) for s in stories]
    start = time.perf_counter()
    outputs["summaries"], tokens["summaries"] = generate_all(model, tok, prompts, MAX_NEW_TOKENS["summary"])
    seconds["summaries"] = round(time.perf_counter() - start, 1)
    total_s, total_tokens = sum(seconds.values()), sum(tokens.values())
    append(
        {
            "variant": f"{size}-{precision}",
            "size": size,
            "precision": precision,
            "threads": threads,
            "load_s": load_s,
            "seconds": seconds,
            "generated_tokens": tokens,
            "tokens_per_s": round(total_tokens / total_s, 1),
            "peak_rss_GB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
            "disk_bytes": disk_bytes(folder(size, precision)),
            "max_new_tokens": MAX_NEW_TOKENS,
            "outputs": outputs,
        }
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["prepare"] and len(argv) == 2 and argv[1] in SIZES:
        prepare(argv[1])
    elif argv[:1] == ["run"] and len(argv) == 3 and argv[1] in SIZES and argv[2] in PRECISIONS:
        run(argv[1], argv[2])
    elif argv == ["all"]:
        for size in SIZES:
            for precision in PRECISIONS:
                subprocess.run([sys.executable, __file__, "run", size, precision], check=True)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
