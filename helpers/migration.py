"""Every API of the 4.5-era original tutorial that moved by transformers 5.24: old line, new line, since when, a check.

Defined in the appendix (``book/appendix_migration.ipynb``, "The table").

``MOVES`` is the only copy of the table: the appendix renders it with ``migration_table()`` and runs every check
with ``run_checks()``; ``tests/test_migration.py`` runs the same checks under pytest. Each row has two checks:
``old`` proves the tutorial's line is gone (it raises, and the check returns the error text) or, for the few rows whose
status is "still works", shows what it does today; ``new`` runs today's line on a tiny model built from a config
(no download) and returns what it produced. A check that fails raises ``AssertionError``.

"since" is what changelogs, pull requests and source comments say; "by 5.0" where the exact release is not certain.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable

GONE, STILL_WORKS = "gone", "still works"


@dataclass(frozen=True)
class Move:
    """One row: an API of the original tutorial that moved, with a check of its old and its new line.

    Defined in the appendix (``book/appendix_migration.ipynb``, "The table").
    """

    key: str
    topic: str
    old: str  # the original tutorial's (4.5-era) line
    new: str  # the line to write today
    since: str  # when it moved
    status: str  # GONE: the old line fails today; STILL_WORKS: it runs, the new spelling is preferred
    old_check: Callable[[], str]
    new_check: Callable[[], str]


# --- tiny objects the checks share (random weights from small configs: fast, no download) -----------------------


@functools.lru_cache(maxsize=None)
def _tokenizer():
    """The book's MiniLM tokenizer (uncased WordPiece), from the zoo offline or the hub in hub mode."""
    from transformers import AutoTokenizer

    from .checkpoints import checkpoint

    return AutoTokenizer.from_pretrained(checkpoint("minilm"))


def _bert_config(**kw):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=_tokenizer().vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        **kw,
    )


def _seed():
    import torch

    torch.manual_seed(0)


def _raises(fn: Callable[[], object], exc: type[BaseException] | tuple, must_say: str = "") -> str:
    """Run ``fn``; it must raise ``exc`` (whose text contains ``must_say``). Returns the error's first line."""
    try:
        fn()
    except exc as e:  # noqa: PERF203
        text = f"{type(e).__name__}: {e}".splitlines()[0]
        assert must_say in str(e), f"expected {must_say!r} in the error, got {text}"
        # an ImportError ends with the library's file path, which differs on every machine: keep the sentence
        return re.sub(r" \((/|[A-Za-z]:\\)[^)]*\)$", "", text)
    raise AssertionError(f"{fn} did not raise {exc}: the old line still works")


def _gone_from_transformers(*names: str) -> str:
    import transformers

    texts = []
    for name in names:
        assert not hasattr(transformers, name), f"transformers.{name} still exists"
        texts.append(_raises(lambda n=name: exec(f"from transformers import {n}", {}), ImportError, name))
    return texts[0] if len(texts) == 1 else f"{len(texts)} names gone, e.g. " + texts[0]


def _env_probe(code: str, **env: str) -> str:
    """Run ``code`` in a fresh Python with only the hub variables in ``env`` set; return its stdout."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "HUGGINGFACE_"))}
    clean.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


# --- the checks -----------------------------------------------------------------------------------------------


def _lm_head_new() -> str:
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, GPT2Config

    _seed()
    causal = AutoModelForCausalLM.from_config(
        GPT2Config(vocab_size=100, n_embd=32, n_layer=1, n_head=2, bos_token_id=0, eos_token_id=0)
    )
    masked = AutoModelForMaskedLM.from_config(_bert_config())
    assert type(causal).__name__ == "GPT2LMHeadModel" and type(masked).__name__ == "BertForMaskedLM"
    return f"{type(causal).__name__}, {type(masked).__name__}"


def _top_k_top_p_new() -> str:
    import torch
    from transformers import TopKLogitsWarper, TopPLogitsWarper

    _seed()
    logits = torch.randn(1, 100)
    top_k = TopKLogitsWarper(top_k=50)(None, logits.clone())
    assert int(torch.isfinite(top_k).sum()) == 50
    top_p = TopPLogitsWarper(top_p=0.9)(None, top_k.clone())
    kept = torch.isfinite(top_p)
    probs = logits.softmax(-1)[kept]
    assert 0 < kept.sum() <= 50 and probs.min() >= logits.softmax(-1)[~kept].max()  # the most likely ones are kept
    return f"top_k=50 keeps 50 of 100 logits; top_p=0.9 then keeps {int(kept.sum())}"


def _adamw_new() -> str:
    import torch
    from torch.optim import AdamW

    _seed()
    w = torch.nn.Parameter(torch.ones(3))
    opt = AdamW([w], lr=0.1, weight_decay=0.01)
    (w**2).sum().backward()
    opt.step()
    assert torch.all(w < 1)
    return f"torch.optim.AdamW took a step: w = {[round(x, 3) for x in w.tolist()]}"


def _trainer_new() -> str:
    from transformers import Trainer, TrainingArguments

    with tempfile.TemporaryDirectory() as d:
        args = TrainingArguments(output_dir=d, per_device_train_batch_size=16, num_train_epochs=3, report_to=[])
        trainer = Trainer(model=_tiny_classifier(), args=args)
        assert trainer.args.train_batch_size >= 16
    return f"Trainer built ({type(trainer.model).__name__})"


def _tiny_classifier():
    from transformers import AutoModelForSequenceClassification

    _seed()
    return AutoModelForSequenceClassification.from_config(_bert_config(num_labels=2))


def _tf_classes_new() -> str:
    import torch

    model = _tiny_classifier().eval()
    batch = _tokenizer()(["We are very happy.", "We hope you don't hate it."], padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits
    assert tuple(logits.shape) == (2, 2)
    return f"AutoModelForSequenceClassification (PyTorch): logits {tuple(logits.shape)}"


def _return_tensors_tf_old() -> str:
    return _raises(lambda: _tokenizer()("Hello", return_tensors="tf"), ValueError, "tf")


def _return_tensors_new() -> str:
    import numpy as np

    enc = _tokenizer()(["Hello", "Hello world"], padding=True, return_tensors="np")
    assert isinstance(enc["input_ids"], np.ndarray) and enc["input_ids"].shape == enc["attention_mask"].shape
    return f"return_tensors='np': input_ids {enc['input_ids'].shape}, ready for tf.constant or keras"


def _glue_old() -> str:
    _gone_from_transformers("glue_convert_examples_to_features")
    return _raises(lambda: importlib.import_module("transformers.data.processors.glue"), ImportError)


def _glue_new() -> str:
    from datasets import Dataset

    pairs = Dataset.from_dict(
        {"sentence1": ["He said hi.", "It rains."], "sentence2": ["He greeted.", "Sunny."], "label": [1, 0]}
    )
    tok = _tokenizer()
    encoded = pairs.map(lambda b: tok(b["sentence1"], b["sentence2"], truncation=True, max_length=128), batched=True)
    assert {"input_ids", "token_type_ids", "attention_mask", "label"} <= set(encoded.column_names)
    assert 1 in encoded[0]["token_type_ids"]  # the second sentence is marked as segment 1
    return f"Dataset.map(tokenizer(s1, s2)) → columns {sorted(encoded.column_names)}"


def _eval_strategy_old() -> str:
    from transformers import TrainingArguments

    return _raises(
        lambda: TrainingArguments(output_dir=tempfile.gettempdir(), evaluation_strategy="epoch"),
        TypeError,
        "evaluation_strategy",
    )


def _eval_strategy_new() -> str:
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir=tempfile.gettempdir(), eval_strategy="epoch", report_to=[])
    assert str(args.eval_strategy.value if hasattr(args.eval_strategy, "value") else args.eval_strategy) == "epoch"
    return f"eval_strategy = {args.eval_strategy}"


def _trainer_tokenizer_old() -> str:
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=tempfile.gettempdir(), report_to=[])
    return _raises(lambda: Trainer(model=_tiny_classifier(), args=args, tokenizer=_tokenizer()), TypeError, "tokenizer")


def _trainer_tokenizer_new() -> str:
    from transformers import Trainer, TrainingArguments

    args = TrainingArguments(output_dir=tempfile.gettempdir(), report_to=[])
    trainer = Trainer(model=_tiny_classifier(), args=args, processing_class=_tokenizer())
    assert trainer.processing_class is _tokenizer()
    return f"processing_class = {type(trainer.processing_class).__name__}"


def _outputs_old() -> str:
    import torch

    model = _tiny_classifier().eval()
    batch = _tokenizer()(["Hello there"], return_tensors="pt")
    with torch.no_grad():
        as_tuple = model(**batch, return_dict=False)
        out = model(**batch)
    assert isinstance(as_tuple, tuple) and torch.equal(as_tuple[0], out.logits) and torch.equal(out[0], out.logits)
    return "outputs[0] is outputs.logits; return_dict=False still gives a tuple"


def _outputs_new() -> str:
    import torch

    model = _tiny_classifier().eval()
    batch = _tokenizer()(["Hello there"], return_tensors="pt")
    with torch.no_grad():
        out = model(**batch)
    assert type(out).__name__ == "SequenceClassifierOutput" and out.loss is None
    return f"{type(out).__name__} with fields {list(out.keys())}"


_CACHE_PROBE = "import huggingface_hub.constants as c, transformers.utils.hub as h; print(c.HF_HUB_CACHE)"


def _cache_old() -> str:
    import transformers

    assert not hasattr(transformers, "TRANSFORMERS_CACHE")
    where = _env_probe(_CACHE_PROBE, TRANSFORMERS_CACHE="/tmp/old-transformers-cache", HOME=os.path.expanduser("~"))
    assert "old-transformers-cache" not in where, where
    where = where.replace(os.path.expanduser("~"), "~", 1)  # the reader's home, not this machine's
    return f"TRANSFORMERS_CACHE is ignored: the hub cache stays at {where}"


def _cache_new() -> str:
    where = _env_probe(_CACHE_PROBE, HF_HOME="/data/hf", HOME=os.path.expanduser("~"))
    assert where == "/data/hf/hub", where
    return f"HF_HOME=/data/hf → models cached in {where}"


_OFFLINE_PROBE = "import huggingface_hub.constants as c; print(c.HF_HUB_OFFLINE)"


def _offline_old() -> str:
    assert _env_probe(_OFFLINE_PROBE) == "False"
    assert _env_probe(_OFFLINE_PROBE, TRANSFORMERS_OFFLINE="1") == "True"
    return "TRANSFORMERS_OFFLINE=1 still switches huggingface_hub offline (an alias)"


def _offline_new() -> str:
    assert _env_probe(_OFFLINE_PROBE, HF_HUB_OFFLINE="1") == "True"
    return "HF_HUB_OFFLINE=1 → huggingface_hub.constants.HF_HUB_OFFLINE is True"


def _task_alias(alias: str, task: str) -> str:
    from transformers.pipelines import PIPELINE_REGISTRY

    resolved = PIPELINE_REGISTRY.check_task(alias)[0]
    assert resolved == task, resolved
    return f"{alias!r} is an alias of {task!r}" if alias != task else f"task {task!r} exists"


def _tiny_ner():
    from transformers import BertForTokenClassification, pipeline

    _seed()
    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    config = _bert_config(
        num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={label: i for i, label in enumerate(labels)}
    )
    return pipeline("token-classification", model=BertForTokenClassification(config).eval(), tokenizer=_tokenizer())


def _grouped_old() -> str:
    return _raises(
        lambda: _tiny_ner()("Hugging Face is based in New York", grouped_entities=True), TypeError, "grouped_entities"
    )


def _grouped_new() -> str:
    entities = _tiny_ner()("Hugging Face is based in New York", aggregation_strategy="simple")
    assert entities and all("entity_group" in e for e in entities)
    return f"aggregation_strategy='simple' → {len(entities)} grouped entities with an 'entity_group' key"


def _removed_task(task: str) -> Callable[[], str]:
    def check() -> str:
        from transformers import pipeline

        return _raises(lambda: pipeline(task, model=_tiny_classifier(), tokenizer=_tokenizer()), KeyError, "removed")

    return check


def _qa_new() -> str:
    import torch
    from transformers import AutoModelForQuestionAnswering

    _seed()
    model = AutoModelForQuestionAnswering.from_config(_bert_config()).eval()
    batch = _tokenizer()("Where is it?", "It is in Paris.", return_tensors="pt")
    with torch.no_grad():
        out = model(**batch)
    assert out.start_logits.shape == out.end_logits.shape == batch["input_ids"].shape
    return f"AutoModelForQuestionAnswering: start/end logits {tuple(out.start_logits.shape)}"


def _seq2seq_new() -> str:
    import torch
    from transformers import AutoModelForSeq2SeqLM, T5Config

    _seed()
    model = AutoModelForSeq2SeqLM.from_config(
        T5Config(vocab_size=100, d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=2, decoder_start_token_id=0)
    ).eval()
    with torch.no_grad():
        out = model.generate(torch.tensor([[5, 6, 7, 1]]), max_new_tokens=5, num_beams=2, do_sample=False)
    assert out.shape[0] == 1 and 1 < out.shape[1] <= 6
    return f"AutoModelForSeq2SeqLM.generate → {out.shape[1]} tokens"


def _chat_new() -> str:
    from transformers import pipeline

    from .checkpoints import checkpoint

    _seed()
    generator = pipeline("text-generation", model=checkpoint("causal-lm"))
    chat = [{"role": "user", "content": "Translate to German: Hello"}]
    out = generator(chat, max_new_tokens=8, do_sample=False)[0]["generated_text"]
    assert out[0] == chat[0] and out[-1]["role"] == "assistant" and out[-1]["content"].strip()
    return f"pipeline('text-generation') with a chat model answered {out[-1]['content'].strip()[:40]!r}"


MOVES: list[Move] = [
    Move(
        "lm-head",
        "Language-model heads",
        'model = AutoModelWithLMHead.from_pretrained("gpt2")',
        'model = AutoModelForCausalLM.from_pretrained("gpt2")  # AutoModelForMaskedLM for BERT-style, '
        "AutoModelForSeq2SeqLM for T5",
        "deprecated 4.0 (FutureWarning); removed by 5.0",
        GONE,
        lambda: _gone_from_transformers("AutoModelWithLMHead"),
        _lm_head_new,
    ),
    Move(
        "top-k-top-p",
        "Sampling filters",
        "from transformers import top_k_top_p_filtering\n"
        "filtered = top_k_top_p_filtering(next_token_logits, top_k=50, top_p=1.0)",
        "filtered = TopPLogitsWarper(top_p=1.0)(input_ids, TopKLogitsWarper(top_k=50)(input_ids, logits))\n"
        "# or simply: model.generate(input_ids, do_sample=True, top_k=50, top_p=0.95)",
        "removed 4.39",
        GONE,
        lambda: _gone_from_transformers("top_k_top_p_filtering"),
        _top_k_top_p_new,
    ),
    Move(
        "adamw",
        "Optimizer",
        "from transformers import AdamW\noptimizer = AdamW(params, lr=1e-5)",
        "from torch.optim import AdamW\noptimizer = AdamW(params, lr=1e-5)",
        "deprecated in 4.x (FutureWarning); removed by 5.0",
        GONE,
        lambda: _gone_from_transformers("AdamW"),
        _adamw_new,
    ),
    Move(
        "tftrainer",
        "Training loop for TensorFlow",
        "trainer = TFTrainer(model=model, args=TFTrainingArguments(...), train_dataset=...)",
        "trainer = Trainer(model=model, args=TrainingArguments(...), train_dataset=...)  # PyTorch\n"
        "# or Keras: model.compile(...); model.fit(...) with a KerasHub model",
        "deprecated in 4.x; removed by 5.0",
        GONE,
        lambda: _gone_from_transformers("TFTrainer", "TFTrainingArguments"),
        _trainer_new,
    ),
    Move(
        "tf-classes",
        "TensorFlow model classes",
        "model = TFAutoModelForSequenceClassification.from_pretrained(name)\n"
        "tf_model = TFAutoModel.from_pretrained(save_directory, from_pt=True)",
        "model = AutoModelForSequenceClassification.from_pretrained(name)  # PyTorch\n"
        "# TensorFlow/Keras users: keras_hub.models.BertTextClassifier.from_preset(...)",
        "5.0 (TensorFlow and Flax support removed)",
        GONE,
        lambda: _gone_from_transformers(
            "TFAutoModel",
            "TFAutoModelForSequenceClassification",
            "TFBertForSequenceClassification",
            "TFPreTrainedModel",
        ),
        _tf_classes_new,
    ),
    Move(
        "return-tensors-tf",
        "TensorFlow tensors from a tokenizer",
        'batch = tokenizer(texts, padding=True, return_tensors="tf")',
        'batch = tokenizer(texts, padding=True, return_tensors="np")  # then tf.constant(...) or keras',
        "5.0",
        GONE,
        _return_tensors_tf_old,
        _return_tensors_new,
    ),
    Move(
        "glue-features",
        "GLUE preprocessing",
        "from transformers import glue_convert_examples_to_features\n"
        "train = glue_convert_examples_to_features(data['train'], tokenizer, max_length=128, task='mrpc')",
        'train = data["train"].map(lambda b: tokenizer(b["sentence1"], b["sentence2"], truncation=True, '
        "max_length=128), batched=True)",
        "deprecated in 4.x (use 🤗 Datasets); removed by 5.0",
        GONE,
        _glue_old,
        _glue_new,
    ),
    Move(
        "eval-strategy",
        "TrainingArguments",
        'TrainingArguments(output_dir, evaluation_strategy="epoch")',
        'TrainingArguments(output_dir, eval_strategy="epoch")',
        "renamed 4.41; old name removed 4.46",
        GONE,
        _eval_strategy_old,
        _eval_strategy_new,
    ),
    Move(
        "trainer-tokenizer",
        "Trainer",
        "Trainer(model=model, args=args, tokenizer=tokenizer)",
        "Trainer(model=model, args=args, processing_class=tokenizer)",
        "renamed 4.46; old name removed by 5.0",
        GONE,
        _trainer_tokenizer_old,
        _trainer_tokenizer_new,
    ),
    Move(
        "outputs",
        "Model outputs",
        "logits = model(**batch)[0]  # tuples (return_dict=False was the default before 4.0)",
        "logits = model(**batch).logits  # a ModelOutput: named fields, None fields skipped by [i]",
        "ModelOutput by default since 4.0; [0] and return_dict=False still work in 5.24",
        STILL_WORKS,
        _outputs_old,
        _outputs_new,
    ),
    Move(
        "cache",
        "Cache location",
        "TRANSFORMERS_CACHE=/data/hf  # models in ~/.cache/huggingface/transformers/",
        "HF_HOME=/data/hf  # models in $HF_HOME/hub (or set HF_HUB_CACHE itself)",
        "hub cache layout 4.22; TRANSFORMERS_CACHE deprecated 4.36, ignored by 5.0",
        GONE,
        _cache_old,
        _cache_new,
    ),
    Move(
        "offline",
        "Offline switch",
        "TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 python run.py",
        "HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 python run.py  # set before the first import",
        "HF_HUB_OFFLINE since huggingface_hub took over downloads (4.22); TRANSFORMERS_OFFLINE still an alias",
        STILL_WORKS,
        _offline_old,
        _offline_new,
    ),
    Move(
        "task-sentiment",
        "Pipeline task name: sentiment",
        "classifier = pipeline('sentiment-analysis')",
        'classifier = pipeline("text-classification", model=checkpoint)  # name the model',
        "alias kept in 5.24",
        STILL_WORKS,
        lambda: _task_alias("sentiment-analysis", "text-classification"),
        lambda: _task_alias("text-classification", "text-classification"),
    ),
    Move(
        "task-ner",
        "Pipeline task name: NER",
        'nlp = pipeline("ner")',
        'nlp = pipeline("token-classification", model=checkpoint, aggregation_strategy="simple")',
        "alias kept in 5.24",
        STILL_WORKS,
        lambda: _task_alias("ner", "token-classification"),
        lambda: _task_alias("token-classification", "token-classification"),
    ),
    Move(
        "grouped-entities",
        "Entity grouping",
        'nlp = pipeline("ner", grouped_entities=True)',
        'nlp = pipeline("token-classification", aggregation_strategy="simple")',
        "aggregation_strategy 4.7; grouped_entities removed by 5.0",
        GONE,
        _grouped_old,
        _grouped_new,
    ),
    Move(
        "task-qa",
        "Question-answering pipeline",
        'nlp = pipeline("question-answering")',
        "AutoModelForQuestionAnswering + span decoding (chapter 5), or text-generation with a chat model",
        "removed in 5.x (gone by 5.24)",
        GONE,
        _removed_task("question-answering"),
        _qa_new,
    ),
    Move(
        "task-summarization",
        "Summarization pipeline",
        'summarizer = pipeline("summarization")',
        'model.generate(**tokenizer("summarize: " + text, return_tensors="pt"), ...)  # AutoModelForSeq2SeqLM\n'
        '# or pipeline("text-generation", model=chat_model) with a chat prompt',
        "deprecated late 4.x; removed 5.0",
        GONE,
        _removed_task("summarization"),
        _seq2seq_new,
    ),
    Move(
        "task-translation",
        "Translation pipeline",
        'translator = pipeline("translation_en_to_de")',
        'pipeline("text-generation", model=chat_model)([{"role": "user", "content": "Translate to German: ..."}])\n'
        "# or AutoModelForSeq2SeqLM + generate",
        "deprecated late 4.x; removed 5.0",
        GONE,
        _removed_task("translation_en_to_de"),
        _chat_new,
    ),
]

BY_KEY = {m.key: m for m in MOVES}


def move(key: str) -> Move:
    """One row of the table by its key (a clear error names the known keys).

    Defined in the appendix (``book/appendix_migration.ipynb``, "The table").
    """
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"no migration row {key!r}; known: {', '.join(BY_KEY)}") from None


def check(key: str) -> tuple[str, str]:
    """Run one row's two checks; returns (what the old line does today, what the new line produced).

    Defined in the appendix (``book/appendix_migration.ipynb``, "Every row, checked").
    """
    row = move(key)
    return row.old_check(), row.new_check()


def migration_table():
    """The table as a pandas DataFrame (topic, old line, new line, since, status), indexed by key.

    Defined in the appendix (``book/appendix_migration.ipynb``, "The table").
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "key": m.key,
                "topic": m.topic,
                "4.5 (2021)": m.old,
                "5.24 (today)": m.new,
                "since": m.since,
                "old line today": m.status,
            }
            for m in MOVES
        ]
    ).set_index("key")


def run_checks():
    """Run every row's checks; a DataFrame of the evidence (raises AssertionError on the first failing row).

    Defined in the appendix (``book/appendix_migration.ipynb``, "Every row, checked").
    """
    import pandas as pd

    rows = []
    for m in MOVES:
        old, new = check(m.key)
        rows.append({"key": m.key, "old line today": m.status, "evidence (old)": old, "evidence (new)": new})
    return pd.DataFrame(rows).set_index("key")
