"""Measure the two instruct models the registry carries, as in chapter 8's closing note.

``python scripts/compare_instruct.py 0.5b`` (or ``1.5b``): joins and checks the model's GGUF parts (the zoo's
download cache, ``$HFBOOK_HOME/downloads``), loads the GGUF with transformers (de-quantising it in memory; nothing
is written to the zoo), then scores greedy chat replies on the first 10 sentence pairs per language and the first 4
stories of ``helpers/evalsets`` with the zoo's own prompts. Prints one JSON line per figure. Set
``HFBOOK_THREADS=1`` for the one-thread figures of the note. The 1.5B needs about 9 GB of memory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without an install too


def main(which: str) -> int:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.evalsets import load
    from helpers.zoo.core import home
    from helpers.zoo.instruct import QWEN_0_5B, QWEN_1_5B, join_gguf, summary_scores, translation_scores

    spec = {"0.5b": QWEN_0_5B, "1.5b": QWEN_1_5B}[which]
    if os.environ.get("HFBOOK_THREADS"):
        torch.set_num_threads(int(os.environ["HFBOOK_THREADS"]))

    def emit(obj):
        print(
            json.dumps({"model": which, **obj, "load_avg_1m": round(os.getloadavg()[0], 2)}, ensure_ascii=False),
            flush=True,
        )

    with tempfile.TemporaryDirectory(dir=home()) as tmp:
        start = time.perf_counter()
        join_gguf(spec, Path(tmp) / "model.gguf")
        emit({"figure": "join_and_verify_s", "seconds": round(time.perf_counter() - start, 1)})
        start = time.perf_counter()
        tok = AutoTokenizer.from_pretrained(tmp, gguf_file="model.gguf")
        model = AutoModelForCausalLM.from_pretrained(tmp, gguf_file="model.gguf", dtype=torch.float32).eval()
        emit(
            {
                "figure": "gguf_load_and_dequantise_s",
                "seconds": round(time.perf_counter() - start, 1),
                "params_M": round(model.num_parameters() / 1e6, 1),
            }
        )
    start = time.perf_counter()
    tr = translation_scores(model, tok, load("translation")[:10])
    emit(
        {
            "figure": "translation_first_10_pairs",
            "seconds_for_20": round(time.perf_counter() - start, 1),
            "chrf_zh": tr["zh"]["chrf"],
            "chrf_de": tr["de"]["chrf"],
        }
    )
    start = time.perf_counter()
    su = summary_scores(model, tok, load("stories")[:4])
    emit(
        {
            "figure": "summaries_first_4_stories",
            "seconds": round(time.perf_counter() - start, 1),
            "faithful": f"{su['faithful']}/{su['stories']}",
            "mean_length_ratio": su["mean_length_ratio"],
        }
    )
    emit({"figure": "peak_rss_GB", "GB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)})
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("0.5b", "1.5b"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
