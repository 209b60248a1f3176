"""An interrupted Trainer run, resumed with ``resume_from_checkpoint``, ends exactly where an uninterrupted one does.

Chapter 12 (``book/12_trainer.ipynb``, "Stopping and resuming") shows it on MiniLM; here it runs on a tiny randomly
initialised BERT and 48 random sentences so it takes seconds. Dropout is on, the sampler shuffles and the stop falls
mid-epoch, so the checkpoint has to restore the weights, the optimizer and scheduler states, the RNG states and the
position in the data; anything forgotten shows up as different weights.
"""

import pytest
import torch
from datasets import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainerCallback, TrainingArguments

from helpers.training import classification_metrics

STOP_AT = 15  # of 24 steps: epoch 2 of 2, three batches into it


def data(n, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, 50, (n, 8), generator=g)
    labels = (ids[:, 0] > 25).long()  # learnable: the first token decides
    return Dataset.from_dict(
        {"input_ids": ids.tolist(), "attention_mask": torch.ones_like(ids).tolist(), "labels": labels.tolist()}
    )


class StopAt(TrainerCallback):
    """Ends training after step ``step``, as a crash or a killed job would (the checkpoint at that step is saved)."""

    def __init__(self, step):
        self.step = step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            control.should_training_stop = True


def make_trainer(output_dir, callbacks=()):
    torch.manual_seed(1)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    args = TrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=2,
        per_device_train_batch_size=4,
        per_device_eval_batch_size=8,
        learning_rate=5e-3,
        warmup_steps=3,
        weight_decay=0.01,
        logging_steps=3,
        eval_strategy="steps",
        eval_steps=5,
        save_strategy="steps",
        save_steps=5,
        seed=0,
        use_cpu=True,
        report_to="none",
        disable_tqdm=True,
    )
    return Trainer(
        model=BertForSequenceClassification(config),
        args=args,
        train_dataset=data(48, 0),
        eval_dataset=data(16, 1),
        compute_metrics=classification_metrics,
        callbacks=list(callbacks),
    )


def test_resumed_run_ends_with_the_same_weights_and_metrics(tmp_path):
    full = make_trainer(tmp_path / "full")
    full.train()
    assert full.state.global_step == 24

    first = make_trainer(tmp_path / "interrupted", callbacks=[StopAt(STOP_AT)])
    first.train()
    assert first.state.global_step == STOP_AT
    assert (tmp_path / "interrupted" / f"checkpoint-{STOP_AT}").is_dir()
    # the part before the stop already agrees with the uninterrupted run
    assert [r for r in first.state.log_history if r["step"] <= STOP_AT and "loss" in r] == [
        r for r in full.state.log_history if r["step"] <= STOP_AT and "loss" in r
    ]

    resumed = make_trainer(tmp_path / "interrupted")  # a new process would build everything anew, too
    resumed.train(resume_from_checkpoint=True)  # True: the latest checkpoint in output_dir
    assert resumed.state.global_step == 24

    full_weights, resumed_weights = full.model.state_dict(), resumed.model.state_dict()
    assert full_weights.keys() == resumed_weights.keys()
    for name in full_weights:
        assert torch.allclose(full_weights[name], resumed_weights[name], rtol=0, atol=1e-6), name

    def strip(rows):
        return [
            {k: v for k, v in r.items() if "runtime" not in k and "per_second" not in k}
            for r in rows
            if r["step"] > STOP_AT and ("loss" in r or "eval_loss" in r)
        ]

    after_full, after_resumed = strip(full.state.log_history), strip(resumed.state.log_history)
    assert len(after_full) == len(after_resumed) >= 3
    for a, b in zip(after_full, after_resumed):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key] == pytest.approx(b[key], abs=1e-6), (a["step"], key)

    final_full, final_resumed = full.evaluate(), resumed.evaluate()
    for key in ("eval_loss", "eval_accuracy", "eval_precision", "eval_recall", "eval_f1"):
        assert final_full[key] == pytest.approx(final_resumed[key], abs=1e-6), key
