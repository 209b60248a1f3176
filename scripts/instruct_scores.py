"""Score the outputs that ``scripts/bench_instruct_variants.py`` recorded, and write the table chapter 8 shows.

    python scripts/instruct_scores.py            # print the table of every measured variant
    python scripts/instruct_scores.py --write    # also write helpers/zoo/instruct_variants.json

For each variant (the last record of each in ``$HFBOOK_HOME/bench/instruct_variants.jsonl``): chrF en→zh and
en→de on all 40 pairs with sacrebleu's bootstrap 95 % interval (helpers.textmetrics.chrf_interval), and for the
12 summaries the mean share of key facts kept (helpers.textmetrics.coverage), how many invent no number or name
(unsupported) and the mean length ratio; next to them the seconds, tokens per second, load seconds, peak memory
and disk the run recorded. The written file keeps the outputs of every variant too, so the chapter can show
them without generating them again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

OUT = Path(__file__).resolve().parent.parent / "helpers" / "zoo" / "instruct_variants.json"


def records() -> tuple[dict, dict]:
    from helpers.zoo.core import home

    runs, prepared = {}, {}
    path = home() / "bench" / "instruct_variants.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run scripts/bench_instruct_variants.py first")
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "variant" in rec:
            runs[rec["variant"]] = rec
        elif "prepare" in rec:
            prepared[rec["prepare"]] = rec
    return runs, prepared


def weights_sha256(size: str, precision: str) -> str:
    """sha256 of the model.safetensors the variant loaded (int8 quantises the bfloat16 file while loading)."""
    import hashlib

    from bench_instruct_variants import folder

    digest = hashlib.sha256()
    with open(folder(size, precision) / "model.safetensors", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def score(rec: dict) -> dict:
    from helpers.evalsets import load
    from helpers.textmetrics import chrf_interval, coverage, length_ratio, unsupported

    pairs, stories = load("translation"), load("stories")
    out = {}
    for lang in ("zh", "de"):
        value, low, high = chrf_interval(rec["outputs"][f"translation_{lang}"], [p[lang] for p in pairs])
        out[f"chrf_{lang}"] = {"score": value, "low": low, "high": high}
    summaries = rec["outputs"]["summaries"]
    shares = [coverage(s, st["key_facts"]).share for s, st in zip(summaries, stories)]
    out["key_facts_kept"] = round(sum(shares) / len(shares), 3)
    out["faithful"] = sum(not unsupported(s, st["story"]) for s, st in zip(summaries, stories))
    out["length_ratio"] = round(
        sum(length_ratio(s, st["story"]) for s, st in zip(summaries, stories)) / len(stories), 3
    )
    return out


def main(argv: list[str]) -> int:
    runs, prepared = records()
    table = []
    for name in sorted(runs, key=lambda v: (runs[v]["size"], ["fp32", "bf16", "int8"].index(runs[v]["precision"]))):
        rec = runs[name]
        row = {
            "variant": name,
            **score(rec),
            "seconds": rec["seconds"],
            "tokens_per_s": rec["tokens_per_s"],
            "load_s": rec["load_s"],
            "peak_rss_GB": rec["peak_rss_GB"],
            "disk_GB": round(rec["disk_bytes"] / 1e9, 2),
            "weights_sha256": weights_sha256(rec["size"], rec["precision"]),
            "threads": rec["threads"],
            "load_avg_1m": rec["load_avg_1m"],
        }
        table.append(row)
        zh, de = row["chrf_zh"], row["chrf_de"]
        print(
            f"{name:10} zh {zh['score']:5.1f} [{zh['low']:.1f}, {zh['high']:.1f}]  de {de['score']:5.1f} "
            f"[{de['low']:.1f}, {de['high']:.1f}]  facts {row['key_facts_kept']:.2f}  faithful {row['faithful']}/12  "
            f"ratio {row['length_ratio']:.2f}  {sum(rec['seconds'].values()):6.0f} s  "
            f"{row['tokens_per_s']:5.1f} tok/s  "
            f"load {row['load_s']:4.1f} s  RSS {row['peak_rss_GB']:.1f} GB  disk {row['disk_GB']:.1f} GB"
        )
    if "--write" in argv:
        data = {
            "measured_by": "python scripts/bench_instruct_variants.py all; python scripts/instruct_scores.py --write",
            "machine": "2 CPU cores (bfloat16 in hardware: AVX512-BF16), no GPU, nothing else running",
            "sets": "helpers/evalsets: translation (all 40 pairs, en→zh and en→de), stories (all 12)",
            "decoding": "greedy, batches of 8, the prompts of helpers.zoo.instruct",
            "prepared": prepared,
            "variants": table,
            "outputs": {name: runs[name]["outputs"] for name in runs},
        }
        OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
