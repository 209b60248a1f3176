"""Fine-tuning a classifier in plain PyTorch: parameter groups, the training loop, evaluation, metrics.

Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "AdamW and parameter groups"); the metrics are
reused by ``Trainer`` in chapter 12 (``book/12_trainer.ipynb``, "Metrics: compute_metrics") and the whole
recipe by ``scripts/bench.py``.

The chapter writes each piece out once by hand; this module keeps the same code so later cells, the
benchmark and the tests run exactly what the chapter taught:

* :func:`split_decay_names` / :func:`parameter_groups` — the seed's two AdamW groups (weight decay on
  everything except biases and ``LayerNorm.weight``), refusing patterns that match no parameter name;
* :func:`classification_metrics` — accuracy, precision, recall and F1 from scikit-learn, with the
  signature ``Trainer(compute_metrics=...)`` expects;
* :func:`train_classifier` / :func:`evaluate_classifier` — one pass of the loop (forward with labels,
  backward, optimizer and scheduler steps) and an evaluation pass, on CPU or CUDA;
* :data:`RECIPE` / :func:`build_classifier` — the book's fine-tuning recipe, the one ``make bench``
  measures, and its model (:class:`MeanPoolingClassifier`: the head reads :func:`mean_pool`).
"""

from __future__ import annotations

import math
import time
from typing import Iterable

import torch

__all__ = [
    "NO_DECAY",
    "RECIPE",
    "mean_pool",
    "MeanPoolingClassifier",
    "build_classifier",
    "split_decay_names",
    "parameter_groups",
    "classification_metrics",
    "move_to",
    "train_classifier",
    "evaluate_classifier",
    "draw_training_step",
    "draw_pooling",
]

#: Parameter-name substrings that get no weight decay (the original tutorial's ``no_decay`` list).
#:
#: Used by the helpers of chapter 10 (``book/10_finetune_pytorch.ipynb``, "AdamW and parameter groups").
NO_DECAY = ("bias", "LayerNorm.weight")

#: The book's recipe for the movie sentences, the one definition chapter 10 shows and ``make bench``
#: measures (``scripts/bench.py --only p3``: held-out test accuracy, training time). Chapter 10 trains a
#: shortened version of it (fewer sentences and steps) to stay within a few minutes.
#:
#: Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "The data: movie sentences through 🤗 datasets").
RECIPE = {
    "checkpoint": "encoder",  # all-MiniLM-L6-v2 offline, bert-base-uncased in hub mode
    "pooling": "mean",  # mean of the last hidden states over real tokens ("cls": the [CLS] pooler head)
    "freeze_word_embeddings": True,  # the 30 522 x 384 matrix stays as pretrained (a CPU step ~30 % cheaper)
    # training splits of other sets that join the movie one (helpers.data.load_sentences): the Amazon
    # review sentences, rated by people the same way; validation and test stay movie sentences only
    "extra_train_sets": ["amazon"],
    "max_length": 64,
    "batch_size": 32,
    "epochs": 2,
    "learning_rate": 1e-4,
    "weight_decay": 0.01,  # on weights only: never on biases and LayerNorm weights (NO_DECAY)
    "warmup_ratio": 0.1,  # linear warm-up over 10 % of the steps, then linear decay to 0
    "length_grouped": True,  # dynamic padding + batches of similar length (transformers' LengthGroupedSampler)
    "seed": 0,
}

POOLINGS = ("mean", "cls")


def mean_pool(hidden, attention_mask):
    """The mean of ``hidden`` (batch, length, width) over the positions where ``attention_mask`` is 1.

    This is how sentence-transformers turns all-MiniLM-L6-v2's token vectors into one sentence vector
    (padding positions do not count). Returns a (batch, width) tensor.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Freezing the body").
    """
    if hidden.dim() != 3 or attention_mask.shape != hidden.shape[:2]:
        raise ValueError(
            f"hidden must be (batch, length, width) and attention_mask (batch, length); got "
            f"{tuple(hidden.shape)} and {tuple(attention_mask.shape)}"
        )
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class MeanPoolingClassifier(torch.nn.Module):
    """A pretrained encoder (``body``), mean pooling, dropout and a new linear head.

    Called like ``BertForSequenceClassification`` — ``model(**batch)`` with ``input_ids``,
    ``attention_mask`` (and optional ``token_type_ids`` and ``labels``) — and returns the same
    ``SequenceClassifierOutput`` (``loss`` is the cross-entropy when labels are given), so the
    chapter's loop, :func:`train_classifier` and :func:`evaluate_classifier` run it unchanged. The
    head reads :func:`mean_pool` of the last hidden states instead of the ``[CLS]`` pooler output.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Freezing the body").
    """

    def __init__(self, body, num_labels: int = 2):
        super().__init__()
        if num_labels < 2:
            raise ValueError(f"num_labels must be >= 2 for a classifier, got {num_labels}")
        config = body.config
        self.body = body
        self.num_labels = num_labels
        self.dropout = torch.nn.Dropout(getattr(config, "hidden_dropout_prob", 0.1))
        self.classifier = torch.nn.Linear(config.hidden_size, num_labels)
        # initialised like transformers' heads: normal(0, initializer_range), bias 0
        torch.nn.init.normal_(self.classifier.weight, std=getattr(config, "initializer_range", 0.02))
        torch.nn.init.zeros_(self.classifier.bias)

    @property
    def base_model(self):
        return self.body

    def forward(self, input_ids, attention_mask, token_type_ids=None, labels=None):
        """Logits from the mean of the non-padding tokens' last hidden states (and the loss when ``labels`` are
        given), as a ``SequenceClassifierOutput`` like ``BertForSequenceClassification``'s."""
        from transformers.modeling_outputs import SequenceClassifierOutput

        extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        logits = self.classifier(self.dropout(mean_pool(hidden, attention_mask)))
        loss = None if labels is None else torch.nn.functional.cross_entropy(logits, labels.view(-1))
        return SequenceClassifierOutput(loss=loss, logits=logits)


def build_classifier(recipe: dict = RECIPE, num_labels: int = 2):
    """The recipe's model: its checkpoint's encoder with a new ``num_labels`` head, frozen as it says.

    ``recipe["pooling"]`` is ``"mean"`` (:class:`MeanPoolingClassifier`) or ``"cls"``
    (``AutoModelForSequenceClassification``: the head reads the ``[CLS]`` pooler output);
    ``recipe["freeze_word_embeddings"]`` sets ``requires_grad=False`` on the word-embedding matrix.
    The head is random: seed before calling it (``helpers.setup.seed_everything``).

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "The full recipe").
    """
    from transformers import AutoModel, AutoModelForSequenceClassification

    from .checkpoints import checkpoint

    pooling = recipe.get("pooling")
    if pooling not in POOLINGS:
        raise ValueError(f"recipe['pooling'] must be one of {POOLINGS}, got {pooling!r}")
    path = checkpoint(recipe["checkpoint"])
    if pooling == "mean":
        model = MeanPoolingClassifier(AutoModel.from_pretrained(path, add_pooling_layer=False), num_labels)
    else:
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=num_labels)
    if recipe.get("freeze_word_embeddings"):
        model.base_model.get_input_embeddings().weight.requires_grad_(False)
    return model


def split_decay_names(model, no_decay: Iterable[str] = NO_DECAY, strict: bool = True) -> tuple[list[str], list[str]]:
    """Split ``model``'s trainable parameter names into (with weight decay, without weight decay).

    A name goes to the second list when it contains any of the ``no_decay`` substrings (the seed's rule).
    Frozen parameters (``requires_grad=False``) are left out of both lists. With ``strict=True`` a pattern
    that matches no parameter name raises ``ValueError``: a model whose layer norms are called ``ln_1`` or
    ``input_layernorm`` would otherwise silently get weight decay on them.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "AdamW and parameter groups").
    """
    if isinstance(no_decay, str):
        raise TypeError("no_decay must be a list of name substrings, e.g. ['bias', 'LayerNorm.weight'], not a str")
    no_decay = list(no_decay)
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    if not names:
        raise ValueError("the model has no trainable parameters (all have requires_grad=False)")
    if strict:
        unmatched = [nd for nd in no_decay if not any(nd in n for n in names)]
        if unmatched:
            example = ", ".join(names[:4])
            raise ValueError(
                f"no_decay pattern(s) {unmatched} match no trainable parameter name of "
                f"{type(model).__name__} (names look like: {example}, ...); "
                "check the spelling for this architecture or pass strict=False"
            )
    decay = [n for n in names if not any(nd in n for nd in no_decay)]
    skip = [n for n in names if any(nd in n for nd in no_decay)]
    return decay, skip


def parameter_groups(
    model, weight_decay: float = 0.01, no_decay: Iterable[str] = NO_DECAY, strict: bool = True
) -> list[dict]:
    """The seed's ``optimizer_grouped_parameters``: ``[{params, weight_decay}, {params, weight_decay: 0.0}]``.

    Pass the result to ``torch.optim.AdamW``. Each group also carries ``"names"`` (AdamW ignores extra keys,
    and a reader can print them). See :func:`split_decay_names` for the rule and ``strict``.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "AdamW and parameter groups").
    """
    if not (isinstance(weight_decay, (int, float)) and weight_decay >= 0 and math.isfinite(weight_decay)):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")
    decay, skip = split_decay_names(model, no_decay, strict=strict)
    params = dict(model.named_parameters())
    return [
        {"params": [params[n] for n in decay], "weight_decay": float(weight_decay), "names": decay},
        {"params": [params[n] for n in skip], "weight_decay": 0.0, "names": skip},
    ]


def classification_metrics(eval_pred) -> dict[str, float]:
    """Accuracy, precision, recall and F1 (binary, positive class 1) from logits and labels, by scikit-learn.

    ``eval_pred`` is what ``Trainer`` passes to ``compute_metrics`` (an ``EvalPrediction`` with
    ``predictions`` and ``label_ids``) or a plain ``(logits, labels)`` pair. Logits have shape
    ``(n, num_labels)``; predictions are their argmax. Precision/recall are 0.0 (not a warning) when
    undefined.

    Defined in chapter 12 (``book/12_trainer.ipynb``, "Metrics: compute_metrics").
    """
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    if hasattr(eval_pred, "predictions") and hasattr(eval_pred, "label_ids"):
        logits, labels = eval_pred.predictions, eval_pred.label_ids
    else:
        logits, labels = eval_pred
    if isinstance(logits, tuple):  # models that return extra outputs: the logits come first
        logits = logits[0]
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (n_examples, num_labels), got {logits.shape}")
    if labels.shape != (logits.shape[0],):
        raise ValueError(f"labels must have shape ({logits.shape[0]},) to match the logits, got {labels.shape}")
    preds = logits.argmax(-1)
    precision, recall, f1, _ = precision_recall_fscore_support(labels, preds, average="binary", zero_division=0)
    return {
        "accuracy": float(accuracy_score(labels, preds)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }


def move_to(batch, device):
    """A batch (dict of tensors) with every tensor on ``device``.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "On the GPU: .to(device)").
    """
    return {k: v.to(device) for k, v in batch.items()}


def train_classifier(
    model,
    loader,
    optimizer,
    scheduler=None,
    device: str = "cpu",
    max_steps: int | None = None,
    progress: bool = True,
    desc: str = "training",
) -> dict[str, list]:
    """One pass over ``loader`` (or ``max_steps`` batches): the chapter's loop, recording what happened.

    Each step: batch to ``device``, ``outputs = model(**batch)`` (the batch holds ``labels``, so
    ``outputs.loss`` is the cross-entropy), ``loss.backward()``, ``optimizer.step()``,
    ``scheduler.step()``, ``optimizer.zero_grad()``. Returns the history as lists:
    ``step``, ``loss``, ``lr`` (the learning rate the step used), ``examples`` and ``seconds``
    (wall time since the start, CUDA synchronised).

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "The whole loop").
    """
    import torch
    from tqdm import tqdm  # text bar (stderr): renders the same in a terminal, a notebook and the built book

    if max_steps is not None and max_steps < 1:
        raise ValueError(f"max_steps must be >= 1 or None, got {max_steps}")
    total = len(loader) if max_steps is None else min(max_steps, len(loader))
    history = {"step": [], "loss": [], "lr": [], "examples": [], "seconds": []}
    model.train()
    seen, start = 0, time.perf_counter()
    bar = tqdm(total=total, desc=desc, disable=not progress)
    for step, batch in enumerate(loader, start=1):
        if step > total:
            break
        if "labels" not in batch:
            raise KeyError(
                "each batch needs a 'labels' tensor (rename the dataset's 'label' column or let "
                "DataCollatorWithPadding do it)"
            )
        batch = move_to(batch, device)
        lr = optimizer.param_groups[0]["lr"]
        outputs = model(**batch)
        outputs.loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        optimizer.zero_grad()
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        seen += len(batch["labels"])
        history["step"].append(step)
        history["loss"].append(outputs.loss.item())
        history["lr"].append(lr)
        history["examples"].append(seen)
        history["seconds"].append(time.perf_counter() - start)
        bar.update(1)
        bar.set_postfix(loss=f"{history['loss'][-1]:.3f}")
    bar.close()
    return history


def evaluate_classifier(model, loader, device: str = "cpu") -> dict[str, float]:
    """Mean cross-entropy loss plus :func:`classification_metrics` over ``loader``, in eval mode, no gradients.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "The whole loop").
    """
    import numpy as np
    import torch

    was_training = model.training
    model.eval()
    logits, labels, loss_sum = [], [], 0.0
    with torch.no_grad():
        for batch in loader:
            batch = move_to(batch, device)
            out = model(**batch)
            loss_sum += out.loss.item() * len(batch["labels"])
            logits.append(out.logits.float().cpu().numpy())
            labels.append(batch["labels"].cpu().numpy())
    model.train(was_training)
    if not labels:
        raise ValueError("the loader yielded no batches")
    logits, labels = np.concatenate(logits), np.concatenate(labels)
    return {"loss": loss_sum / len(labels), **classification_metrics((logits, labels)), "n": int(len(labels))}


def draw_training_step(tr, step: int, width: int, loss: float, lr: float, next_lr: float, batch_size: int = 16):
    """One step of the training loop as a cycle of six boxes, labelled with a real step's numbers: the batch
    (``batch_size`` sentences padded to ``width`` tokens), the forward pass and its ``loss``, ``backward()``,
    ``optimizer.step()`` at ``lr``, ``scheduler.step()`` setting ``next_lr`` and ``zero_grad()``.
    ``tr`` translates the labels (:mod:`helpers.figures`). Returns the figure.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "The whole loop").
    """
    from .boxes import arrow, box, canvas

    if not (math.isfinite(loss) and math.isfinite(lr) and math.isfinite(next_lr)):
        raise ValueError(f"loss and learning rates must be finite numbers, got {loss}, {lr}, {next_lr}")
    if step < 1 or width < 1 or batch_size < 1:
        raise ValueError(f"step, width and batch_size must be >= 1, got {step}, {width}, {batch_size}")
    fig, ax = canvas(10, 4.6)
    ax.text(5, 4.35, tr("Step {step} of the loop", step=step), ha="center", va="center", fontsize=11, weight="bold")
    w, h = 2.6, 1.25
    top, bottom = 2.45, 0.35
    xs = [0.2, 3.7, 7.2]
    boxes_top = [
        (tr("batch"), tr("{n} sentences × {width} tokens", n=batch_size, width=width), "grey"),
        (tr("forward"), "model(**batch)", "blue"),
        (tr("loss"), f"{loss:.4f}", "red"),
    ]
    boxes_bottom = [
        ("zero_grad()", tr("gradients set to 0"), "grey"),
        ("scheduler.step()", tr("next step's lr: {lr}", lr=f"{next_lr:.2e}"), "purple"),
        ("optimizer.step()", tr("update at lr {lr}", lr=f"{lr:.2e}"), "green"),
    ]
    for row, y in ((boxes_top, top), (boxes_bottom, bottom)):
        for x, (title, detail, colour) in zip(xs, row):
            box(ax, x, y, w, h, "", color=colour)
            mono = title.endswith(")")
            ax.text(
                x + w / 2,
                y + 0.85,
                title,
                ha="center",
                va="center",
                fontsize=10,
                weight="bold",
                family="monospace" if mono else None,
            )
            ax.text(
                x + w / 2,
                y + 0.4,
                detail,
                ha="center",
                va="center",
                fontsize=9,
                family="monospace" if detail.endswith(")") else None,
            )
    for a, b in ((0, 1), (1, 2)):
        arrow(ax, (xs[a] + w, top + h / 2), (xs[b], top + h / 2))
        arrow(ax, (xs[b], bottom + h / 2), (xs[a] + w, bottom + h / 2))
    # loss -> backward -> optimizer, down the right side
    arrow(
        ax, (xs[2] + w / 2, top), (xs[2] + w / 2, bottom + h), "loss.backward()", color="orange", offset=(-0.05, -0.15)
    )
    ax.texts[-1].set_ha("right")
    ax.texts[-1].set_family("monospace")
    ax.text(
        xs[2] + w / 2 + 0.1,
        (top + bottom + h) / 2 - 0.03,
        tr("fills .grad"),
        ha="left",
        va="center",
        fontsize=9,
        color="#E69F00",
    )
    arrow(ax, (xs[0] + w / 2, bottom + h), (xs[0] + w / 2, top), tr("next batch"), offset=(0.1, -0.15))
    ax.texts[-1].set_ha("left")
    return fig


def draw_pooling(tr, tokens: list[str], mask: list[int], cls_accuracy: float, mean_accuracy: float, steps: int):
    """The two read-outs of a BERT encoder side by side, on one padded sentence of the chapter: the ``[CLS]``
    pooler (the first token's vector through dense + tanh) and mean pooling (the average of the vectors where
    ``mask`` is 1), each with the validation accuracy a head trained ``steps`` steps on the frozen body reached.
    ``tr`` translates the labels (:mod:`helpers.figures`); the tokens are drawn as they are. Returns the figure.

    Defined in chapter 10 (``book/10_finetune_pytorch.ipynb``, "Freezing the body").
    """
    from .boxes import arrow, box, canvas

    if not tokens or len(tokens) != len(mask):
        raise ValueError(f"tokens and mask must be non-empty and of the same length, got {len(tokens)}, {len(mask)}")
    if set(mask) - {0, 1} or not any(mask):
        raise ValueError("mask must hold 0s and 1s, at least one 1 (the real tokens)")
    n = len(tokens)
    cell = min(1.0, 9.8 / n)
    fig, ax = canvas(10, 5.4)
    panels = [
        (tr("[CLS] pooler (BertForSequenceClassification)"), "cls", cls_accuracy, 2.85),
        (tr("mean pooling (how sentence-transformers trained MiniLM)"), "mean", mean_accuracy, 0.15),
    ]
    for title, kind, accuracy, y in panels:
        ax.text(0.1, y + 2.3, title, ha="left", va="center", fontsize=10, weight="bold")
        used = [i == 0 for i in range(n)] if kind == "cls" else [m == 1 for m in mask]
        for i, (token, m) in enumerate(zip(tokens, mask)):
            colour = ("orange" if kind == "cls" else "blue") if used[i] else "grey"
            box(ax, 0.1 + i * cell, y + 1.25, cell * 0.92, 0.6, "", color=colour)
            ax.text(
                0.1 + i * cell + cell * 0.46,
                y + 1.55,
                token,
                ha="center",
                va="center",
                fontsize=9,
                family="monospace",
                rotation=0 if len(token) * 0.11 < cell else 90,
                color="#222222" if m else "#777777",
            )
        ax.text(
            0.1,
            y + 0.95,
            tr("attention mask: {mask}", mask=" ".join(map(str, mask))),
            fontsize=9,
            va="center",
            family="monospace",
            color="#555555",
        )
        if kind == "cls":
            how = tr("first vector → dense + tanh")
        else:
            how = tr("mean of the {k} vectors with mask 1", k=sum(mask))
        box(ax, 0.1, y, 4.6, 0.7, how, color="orange" if kind == "cls" else "blue", size=9)
        arrow(ax, (4.7, y + 0.35), (5.5, y + 0.35))
        box(ax, 5.5, y, 1.6, 0.7, tr("head"), color="green", size=9)
        arrow(ax, (7.1, y + 0.35), (7.6, y + 0.35))
        ax.text(
            7.65,
            y + 0.35,
            tr("accuracy {acc}", acc=f"{accuracy:.3f}"),
            ha="left",
            va="center",
            fontsize=10,
            weight="bold",
        )
        ax.text(
            7.65,
            y + 0.95,
            tr("{steps} steps, body frozen", steps=steps),
            ha="left",
            va="center",
            fontsize=9,
            color="#555555",
        )
    return fig
