"""Every row of the migration appendix (helpers/migration.py): the seed's line is gone (or, where the table says so,
still works) and today's line works, on the pinned versions. Plus a few direct checks that do not go through the
helper, so a bug in a helper check cannot hide a moved API."""

from __future__ import annotations

import re

import pytest

from helpers import migration
from helpers.migration import GONE, MOVES, STILL_WORKS


def test_the_table_is_complete_and_well_formed():
    keys = [m.key for m in MOVES]
    assert len(keys) == len(set(keys)) >= 15
    assert len({m.topic for m in MOVES}) == len(MOVES)  # the appendix indexes its table by topic
    for m in MOVES:
        assert m.old.strip() and m.new.strip() and m.topic.strip(), m.key
        assert m.status in {GONE, STILL_WORKS}, m.key
        assert re.search(r"\d\.\d", m.since), f"{m.key}: 'since' names no version: {m.since!r}"
    # the seed's names the issue lists are all there
    text = "\n".join(m.old for m in MOVES)
    for name in [
        "AutoModelWithLMHead",
        "top_k_top_p_filtering",
        "AdamW",
        "TFTrainer",
        "TFAutoModel",
        "glue_convert_examples_to_features",
        "evaluation_strategy",
        "TRANSFORMERS_CACHE",
        "TRANSFORMERS_OFFLINE",
        "sentiment-analysis",
        '"ner"',
        "grouped_entities",
        "[0]",
    ]:
        assert name in text, name


@pytest.mark.parametrize("key", [m.key for m in MOVES])
def test_row(key):
    old, new = migration.check(key)
    row = migration.move(key)
    if row.status == GONE:
        # the old line raises (the evidence is the error), or, for an environment variable, is ignored
        assert re.match(r"(\d+ names gone, e\.g\. )?\w*(Error|Exception)\b", old) or " is ignored" in old, old
    assert old and new


def test_unknown_key_is_a_clear_error():
    with pytest.raises(KeyError, match="known: lm-head"):
        migration.move("AutoModelWithLMHead")


def test_table_renders_every_row():
    table = migration.migration_table()
    assert list(table.index) == [m.key for m in MOVES]
    assert table.loc["eval-strategy", "5.24 (today)"] == 'TrainingArguments(output_dir, eval_strategy="epoch")'


# --- direct checks, independent of the helper's check functions -------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "AutoModelWithLMHead",
        "top_k_top_p_filtering",
        "AdamW",
        "TFTrainer",
        "TFAutoModelForSequenceClassification",
        "glue_convert_examples_to_features",
    ],
)
def test_old_names_cannot_be_imported(name):
    with pytest.raises(ImportError):
        exec(f"from transformers import {name}", {})


def test_new_names_import():
    from torch.optim import AdamW  # noqa: F401
    from transformers import (
        AutoModelForSeq2SeqLM,  # noqa: F401
    )


def test_renamed_training_arguments(tmp_path):
    from transformers import TrainingArguments

    with pytest.raises(TypeError):
        TrainingArguments(output_dir=str(tmp_path), evaluation_strategy="epoch")
    assert TrainingArguments(output_dir=str(tmp_path), eval_strategy="steps", report_to=[]).eval_strategy == "steps"


def test_removed_pipeline_tasks_and_kept_aliases():
    from transformers.pipelines import PIPELINE_REGISTRY, check_task

    for task in ["question-answering", "summarization", "translation_en_to_de"]:
        with pytest.raises(KeyError, match="removed"):
            check_task(task)
    assert PIPELINE_REGISTRY.check_task("ner")[0] == "token-classification"
    assert PIPELINE_REGISTRY.check_task("sentiment-analysis")[0] == "text-classification"
