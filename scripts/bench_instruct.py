"""Benchmark of the zoo's instruct model (issue 11, item 6): ``python scripts/bench_instruct.py``.

Prints one JSON object per figure: the seconds to load ``checkpoint("chat")`` from the zoo (tokenizer and
float32 weights, target ≤ 10 s), the speed of a short greedy reply (new tokens per second), the peak resident
memory, and the zoo's own build record (build and de-quantisation seconds). Timings depend on what else runs on
the machine: every figure carries the load average; compare them within one run.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without an install too

from helpers import checkpoint, setup_chapter  # noqa: E402  (sets the offline switches before transformers)


def emit(obj: dict) -> None:
    print(json.dumps({**obj, "load_avg_1m": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count()}), flush=True)


def main() -> int:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        facts = setup_chapter()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.zoo import read_manifest

    name = checkpoint("chat")
    start = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(name)
    model = AutoModelForCausalLM.from_pretrained(name).to(facts["device"]).eval()
    load = time.perf_counter() - start
    emit(
        {
            "figure": "instruct_load_seconds",
            "seconds": round(load, 2),
            "target": "<= 10",
            "met": load <= 10,
            "dtype": str(model.dtype),
            "params_M": round(model.num_parameters() / 1e6, 1),
            "torch_threads": torch.get_num_threads(),
        }
    )
    messages = [{"role": "user", "content": "Translate this sentence into Chinese: The weather is nice today."}]
    inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True).to(
        facts["device"]
    )
    start = time.perf_counter()
    out = model.generate(**inputs, max_new_tokens=32, min_new_tokens=32, do_sample=False)
    seconds = time.perf_counter() - start
    new = out.shape[1] - inputs["input_ids"].shape[1]
    emit(
        {
            "figure": "instruct_greedy_tokens_per_s",
            "prompt_tokens": inputs["input_ids"].shape[1],
            "new_tokens": new,
            "seconds": round(seconds, 2),
            "tokens_per_s": round(new / seconds, 2),
        }
    )
    emit({"figure": "instruct_peak_rss_GB", "GB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)})
    info = read_manifest().get("instruct", {})
    emit(
        {
            "figure": "instruct_build_record",
            "build_seconds": info.get("build_seconds"),
            "timings_seconds": info.get("timings_seconds"),
            "scores": info.get("scores"),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
