"""Ablations behind the fill-mask recipe: which text and masking give a masked LM everyday English?

Trains the zoo's fill-mask recipe (helpers/zoo/models/fill_mask.py) with overrides and prints the held-out
top-1/top-5 on the shipped test splits and the hit rates on the book's cloze set, floors not enforced:

    HFBOOK_HOME=... HFBOOK_THREADS=1 python scripts/fill_mask_ablation.py NAME '{"epochs": 2}' [NAME2 '{...}' ...]

Each pair is a variant name and a JSON dict of RECIPE overrides (``mix`` replaces the whole mix). Rows are
appended to ``$HFBOOK_HOME/ablation.jsonl``; each model is kept in ``$HFBOOK_HOME/ablation/NAME``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time


def main(argv: list[str]) -> None:
    from helpers.zoo import kit
    from helpers.zoo.core import home, read_manifest, zoo_dir
    from helpers.zoo.models import fill_mask

    ctx = {"manifest": read_manifest(), "zoo": zoo_dir()}
    kit.check_floor = lambda *a, **k: None  # report every variant, also those below the floor
    default = dict(fill_mask.RECIPE)
    for name, spec in zip(argv[::2], argv[1::2]):
        over = json.loads(spec)
        fill_mask.RECIPE.clear()
        fill_mask.RECIPE.update({**default, **over})
        folder = home() / "ablation" / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        start = time.process_time(), time.perf_counter()
        rec = fill_mask.build_fill_mask(folder, ctx)
        (home() / "ablation" / f"{name}.record.json").write_text(json.dumps(rec, indent=1))
        row = {
            "name": name,
            "overrides": over,
            "scores": rec["scores"],
            "mix": rec["data"]["mix"],
            "train_tokens": rec["data"]["train_tokens"],
            "cloze_overlap": {k: v for k, v in rec["data"]["cloze_overlap"].items() if k != "examples"},
            "train_seconds": rec["train_seconds"],
            "cpu_seconds": round(time.process_time() - start[0], 1),
            "wall_seconds": round(time.perf_counter() - start[1], 1),
        }
        print(json.dumps(row), flush=True)
        with open(home() / "ablation.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
