"""Tiny random twins of the seed's hub checkpoints, served by the local hub under their real repo ids.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
Command line: ``python -m helpers.twins export DIR`` (then ``python -m helpers.local_hub serve DIR``);
``make hub-notebooks`` builds them, serves them and runs every chapter in hub mode against them.

Hub mode (``HFBOOK_HUB=1``) loads the checkpoints the seed tutorial used (``t5-base``, ``gpt2``, ...), which no
machine without internet can download. The way transformers tests itself (``hf-internal-testing/tiny-random-*``),
each of them gets a *twin* here: the real model class and config family, shrunk to 2 layers of width 32 with random
weights from a fixed seed, and the tokenizer in the format the real repository ships (the real vocabularies where
the zoo has them; a small SentencePiece model trained on the book's shipped text for T5 and Marian; a small
byte-level BPE for distilroberta). :func:`export_twins` writes them as hub repositories in the layout of
:mod:`helpers.hub_repos` (``DIR/models/<org>/<name>``, ``DIR/models/<name>`` for ids without an organisation), each
with a model card saying that its outputs are meaningless. With ``HFBOOK_HUB_TWINS=1`` the notebooks know the
weights are random: :func:`helpers.quality.expect` skips (and prints) the assertions about the quality of an output.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .hub_repos import HubRepoError, write_repo

TWINS_SWITCH = "HFBOOK_HUB_TWINS"
SEED = 0
WIDTH, LAYERS, HEADS, FFN = 32, 2, 2, 64
# The weights' standard deviation. With the pretrained models' 0.02 a model of width 32 attends almost uniformly,
# so code-path facts such as "the attention mask changes the hidden states" hold by less than 1e-2; 0.2 keeps them
# clear (the outputs stay meaningless).
INIT_STD = 0.2
CONLL_LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
SST2_LABELS = ["NEGATIVE", "POSITIVE"]
SERVE_HINT = "make hub-notebooks (or `python -m helpers.twins export DIR` and `python -m helpers.local_hub serve DIR`)"
# t5-base's config carries the prefixes its pipelines put before the text (the seed's recipes use them).
T5_TASKS = {
    "summarization": {
        "early_stopping": True,
        "length_penalty": 2.0,
        "max_length": 200,
        "min_length": 30,
        "no_repeat_ngram_size": 3,
        "num_beams": 4,
        "prefix": "summarize: ",
    },
    "translation_en_to_de": {
        "early_stopping": True,
        "max_length": 300,
        "num_beams": 4,
        "prefix": "translate English to German: ",
    },
    "translation_en_to_fr": {
        "early_stopping": True,
        "max_length": 300,
        "num_beams": 4,
        "prefix": "translate English to French: ",
    },
    "translation_en_to_ro": {
        "early_stopping": True,
        "max_length": 300,
        "num_beams": 4,
        "prefix": "translate English to Romanian: ",
    },
}


class TwinError(LookupError):
    """A hub id without a twin, or a twin that cannot be reached; the message names the id and the command.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """


@dataclass(frozen=True)
class Twin:
    """One hub checkpoint's twin: its repo id, the model class it is, and the builder that writes its folder.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """

    repo_id: str
    model_class: str
    tokenizer: str  # where its tokenizer comes from, in words
    build: str  # name of the builder function in this module


TWINS: dict[str, Twin] = {
    t.repo_id: t
    for t in [
        Twin("bert-base-uncased", "BertForMaskedLM", "bert-base-uncased vocabulary (zoo: minilm)", "_bert"),
        Twin("sentence-transformers/all-MiniLM-L6-v2", "BertModel", "its vocabulary (zoo: minilm)", "_bert"),
        Twin("bert-base-cased", "BertForMaskedLM", "blingfire's cased vocabulary (zoo)", "_bert"),
        Twin("bert-base-chinese", "BertForMaskedLM", "blingfire's Chinese vocabulary (zoo)", "_bert"),
        Twin("bert-base-multilingual-cased", "BertForMaskedLM", "blingfire's multilingual vocabulary (zoo)", "_bert"),
        Twin("HuggingFaceTB/SmolLM2-135M-Instruct", "LlamaForCausalLM", "its GGUF BPE and chat template", "_causal"),
        Twin("gpt2", "GPT2LMHeadModel", "SmolLM2's byte-level BPE (GGUF), as vocab.json + merges.txt", "_gpt2"),
        Twin(
            "distilbert-base-uncased-finetuned-sst-2-english",
            "DistilBertForSequenceClassification",
            "bert-base-uncased vocabulary (zoo: minilm)",
            "_distilbert",
        ),
        Twin(
            "dbmdz/bert-large-cased-finetuned-conll03-english",
            "BertForTokenClassification",
            "blingfire's cased vocabulary (zoo)",
            "_bert",
        ),
        Twin(
            "bert-large-uncased-whole-word-masking-finetuned-squad",
            "BertForQuestionAnswering",
            "bert-base-uncased vocabulary (zoo: minilm)",
            "_bert",
        ),
        Twin("distilroberta-base", "RobertaForMaskedLM", "byte-level BPE trained on shipped text", "_roberta"),
        Twin(
            "bert-base-cased-finetuned-mrpc",
            "BertForSequenceClassification",
            "blingfire's cased vocabulary (zoo)",
            "_bert",
        ),
        Twin("t5-base", "T5ForConditionalGeneration", "SentencePiece (spiece.model) trained on shipped text", "_t5"),
        Twin(
            "Helsinki-NLP/opus-mt-en-zh",
            "MarianMTModel",
            "SentencePiece source.spm/target.spm + vocab.json trained on shipped text",
            "_marian",
        ),
        Twin("Qwen/Qwen2.5-Coder-1.5B-Instruct", "Qwen2ForCausalLM", "its GGUF BPE and chat template", "_causal"),
    ]
}
# The zoo entry each twin's vocabulary (or, for the causal LMs, tokenizer and config family) comes from.
VOCAB_ENTRY = {
    "bert-base-uncased": "minilm",
    "sentence-transformers/all-MiniLM-L6-v2": "minilm",
    "distilbert-base-uncased-finetuned-sst-2-english": "minilm",
    "bert-large-uncased-whole-word-masking-finetuned-squad": "minilm",
    "bert-base-cased": "bert-base-cased-tokenizer",
    "dbmdz/bert-large-cased-finetuned-conll03-english": "bert-base-cased-tokenizer",
    "bert-base-cased-finetuned-mrpc": "bert-base-cased-tokenizer",
    "bert-base-chinese": "bert-base-chinese-tokenizer",
    "bert-base-multilingual-cased": "bert-multilingual-cased-tokenizer",
    "HuggingFaceTB/SmolLM2-135M-Instruct": "smollm2",
    "gpt2": "smollm2",
    "Qwen/Qwen2.5-Coder-1.5B-Instruct": "instruct",
}


def twins_mode() -> bool:
    """True when ``HFBOOK_HUB_TWINS`` is 1/true/yes: hub mode runs against the tiny random twins.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    return os.environ.get(TWINS_SWITCH, "").strip().lower() in {"1", "true", "yes", "on"}


def zoo_entries() -> list[str]:
    """The zoo entries the twins take their vocabularies from (``make zoo`` builds them).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    return sorted(set(VOCAB_ENTRY.values()) | {"sentences"})


def twin(repo_id: str) -> Twin:
    """The twin of hub checkpoint ``repo_id``; :class:`TwinError` naming the id and where to add one if none.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    try:
        return TWINS[repo_id]
    except KeyError:
        raise TwinError(
            f"hub id {repo_id!r} has no tiny twin (HFBOOK_HUB_TWINS=1): add one to TWINS in helpers/twins.py "
            f"and rerun `{SERVE_HINT}`"
        ) from None


def check_served(repo_id: str, endpoint: str | None = None) -> None:
    """Raise :class:`TwinError` (one sentence: the id and the command) unless ``repo_id`` has a twin and a hub
    answers at ``endpoint`` (default ``$HF_ENDPOINT``).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    from .local_hub import HubNotRunning, check_endpoint

    twin(repo_id)
    endpoint = endpoint or os.environ.get("HF_ENDPOINT", "")
    if not endpoint:
        raise TwinError(
            f"the twin of {repo_id!r} is served by the local hub, but HF_ENDPOINT is not set; run `{SERVE_HINT}`"
        )
    try:
        check_endpoint(endpoint, timeout=5)
    except HubNotRunning:
        raise TwinError(
            f"the twin of {repo_id!r} is served by the local hub, but nothing answers at {endpoint}; run `{SERVE_HINT}`"
        ) from None


# --- tokenizers --------------------------------------------------------------------------------------------------


def _zoo(name: str) -> Path:
    from .zoo.core import ZooMissingError, entry_dir, is_built

    if not is_built(name):
        raise ZooMissingError(f"the twins need zoo entry {name!r}; build it with `python -m helpers.zoo build {name}`")
    return entry_dir(name)


def shipped_text(language: str = "en") -> list[str]:
    """Lines of the text the book ships (``helpers/evalsets``; for English also the zoo's movie sentences).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    from .evalsets import load

    lines: list[str] = []
    for row in load("translation"):
        lines.append(row[language])
    if language == "en":
        for row in load("stories"):
            lines += [row["headline"], row["story"]]
        import csv

        with open(_zoo("sentences") / "movie_train.csv", newline="") as f:
            lines += [r["sentence"] for r in csv.DictReader(f)][:3000]
    return [line for line in lines if line.strip()]


def train_sentencepiece(lines: list[str], vocab_size: int, **options) -> bytes:
    """A unigram SentencePiece model trained on ``lines`` (one thread, so the same lines give the same bytes).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        num_threads=1,
        character_coverage=1.0,
        minloglevel=2,
        **options,
    )
    return model.getvalue()


def _save_tokenizer(folder: Path, config: dict) -> None:
    """Write ``tokenizer_config.json``, load the folder with AutoTokenizer and save it (adds tokenizer.json)."""
    from transformers import AutoTokenizer

    (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    AutoTokenizer.from_pretrained(folder).save_pretrained(folder)


def _wordpiece(folder: Path, repo_id: str, lower: bool, tokenizer_class: str = "BertTokenizer") -> int:
    vocab = (_zoo(VOCAB_ENTRY[repo_id]) / "vocab.txt").read_text(encoding="utf-8")
    (folder / "vocab.txt").write_text(vocab, encoding="utf-8")
    _save_tokenizer(
        folder,
        {"tokenizer_class": tokenizer_class, "do_lower_case": lower, "model_max_length": 512},
    )
    return len(vocab.splitlines())


# --- models ------------------------------------------------------------------------------------------------------


def _save_model(folder: Path, model_class: str, config) -> None:
    """Save a random ``model_class`` of ``config``; ``config.json`` keeps the architectures the config names (a
    BERT twin saves BertForPreTraining's weights under BertForMaskedLM's name, as the real repositories do)."""
    import json

    import torch
    import transformers

    for name in ("initializer_range", "init_std"):  # wider than the usual 0.02: see INIT_STD
        if hasattr(config, name):
            setattr(config, name, INIT_STD)
    torch.manual_seed(SEED)
    listed = list(config.architectures or [model_class])
    model = getattr(transformers, model_class)(config)
    model.save_pretrained(folder)
    path = folder / "config.json"
    saved = json.loads(path.read_text())
    saved["architectures"] = listed
    # the dtype of the weights saved (a config copied from the zoo's bfloat16 model says bfloat16): a random twin's
    # logits are nearly flat, and in float32 near-ties order the same way in generate() and in a chapter's own loop
    saved["dtype"] = str(next(model.parameters()).dtype).removeprefix("torch.")
    path.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")


def labels(names: list[str]) -> dict:
    """``id2label`` and ``label2id`` for a config (transformers 5 derives neither from the other).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    return {"id2label": dict(enumerate(names)), "label2id": {n: i for i, n in enumerate(names)}}


def _bert(folder: Path, t: Twin) -> None:
    from transformers import BertConfig

    lower = VOCAB_ENTRY[t.repo_id] == "minilm"
    size = _wordpiece(folder, t.repo_id, lower)
    extra = {}
    if t.model_class == "BertForTokenClassification":
        extra = labels(CONLL_LABELS)
    elif t.model_class == "BertForSequenceClassification":
        extra["num_labels"] = 2
    config = BertConfig(
        vocab_size=size,
        hidden_size=WIDTH,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        intermediate_size=FFN,
        **extra,
    )
    config.architectures = [t.model_class]
    # the pretrained BERTs ship BertForPreTraining's weights (pooler and both heads) under BertForMaskedLM's name
    _save_model(folder, "BertForPreTraining" if t.model_class == "BertForMaskedLM" else t.model_class, config)


def _distilbert(folder: Path, t: Twin) -> None:
    from transformers import DistilBertConfig

    size = _wordpiece(folder, t.repo_id, True, "DistilBertTokenizer")
    config = DistilBertConfig(
        vocab_size=size,
        dim=WIDTH,
        n_layers=LAYERS,
        n_heads=HEADS,
        hidden_dim=FFN,
        **labels(SST2_LABELS),
        finetuning_task="sst-2",
    )
    config.architectures = [t.model_class]
    _save_model(folder, t.model_class, config)


def _copy_tokenizer(source: Path, folder: Path) -> None:
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json"):
        if (source / name).is_file():
            shutil.copyfile(source / name, folder / name)


def _causal(folder: Path, t: Twin) -> None:
    """SmolLM2 and Qwen: the zoo model's tokenizer, chat template and config, the config shrunk."""
    from transformers import AutoConfig

    source = _zoo(VOCAB_ENTRY[t.repo_id])
    _copy_tokenizer(source, folder)
    config = AutoConfig.from_pretrained(source)
    config.update(
        {
            "hidden_size": WIDTH,
            "intermediate_size": FFN,
            "num_hidden_layers": LAYERS,
            "num_attention_heads": HEADS,
            "num_key_value_heads": 1,
            "head_dim": WIDTH // HEADS,
            "max_window_layers": LAYERS,
            "tie_word_embeddings": True,  # as both real repositories (the GGUF conversion unties Qwen's)
            "_name_or_path": t.repo_id,
        }
    )
    if getattr(config, "layer_types", None):
        config.layer_types = config.layer_types[:LAYERS]
    _save_model(folder, t.model_class, config)
    shutil.copyfile(source / "generation_config.json", folder / "generation_config.json")


def _gpt2(folder: Path, t: Twin) -> None:
    from transformers import AutoTokenizer, GPT2Config

    data = json.loads((_zoo("smollm2") / "tokenizer.json").read_text(encoding="utf-8"))
    vocab, merges = data["model"]["vocab"], data["model"]["merges"]
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    lines = [m if isinstance(m, str) else " ".join(m) for m in merges]
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(lines) + "\n", encoding="utf-8")
    end = "<|endoftext|>"
    _save_tokenizer(
        folder,
        {
            "tokenizer_class": "GPT2Tokenizer",
            "bos_token": end,
            "eos_token": end,
            "unk_token": end,
            "add_prefix_space": False,
            "model_max_length": 1024,
        },
    )
    size = len(AutoTokenizer.from_pretrained(folder))
    config = GPT2Config(
        vocab_size=size,
        n_positions=1024,
        n_embd=WIDTH,
        n_layer=LAYERS,
        n_head=HEADS,
        n_inner=FFN,
        bos_token_id=vocab[end],
        eos_token_id=vocab[end],
    )
    config.architectures = [t.model_class]
    config.task_specific_params = {"text-generation": {"do_sample": True, "max_length": 50}}
    _save_model(folder, t.model_class, config)


def _roberta(folder: Path, t: Twin) -> None:
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        shipped_text("en"), vocab_size=2000, min_frequency=2, special_tokens=specials, show_progress=False
    )
    bpe.save_model(str(folder))
    _save_tokenizer(folder, {"tokenizer_class": "RobertaTokenizer", "model_max_length": 512, "add_prefix_space": False})
    config = RobertaConfig(
        vocab_size=bpe.get_vocab_size(),
        hidden_size=WIDTH,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        intermediate_size=FFN,
        max_position_embeddings=514,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    config.architectures = [t.model_class]
    _save_model(folder, t.model_class, config)


def _t5(folder: Path, t: Twin) -> None:
    from transformers import AutoTokenizer, T5Config

    spiece = train_sentencepiece(
        shipped_text("en"), 1000, pad_id=0, eos_id=1, unk_id=2, bos_id=-1, model_type="unigram"
    )
    (folder / "spiece.model").write_bytes(spiece)
    _save_tokenizer(folder, {"tokenizer_class": "T5Tokenizer", "extra_ids": 100, "model_max_length": 512})
    config = T5Config(
        vocab_size=len(AutoTokenizer.from_pretrained(folder)),
        d_model=WIDTH,
        d_kv=WIDTH // HEADS,
        d_ff=FFN,
        num_layers=LAYERS,
        num_decoder_layers=LAYERS,
        num_heads=HEADS,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        task_specific_params=T5_TASKS,
    )
    config.architectures = [t.model_class]
    _save_model(folder, t.model_class, config)


def _marian(folder: Path, t: Twin) -> None:
    from transformers import GenerationConfig, MarianConfig

    options = {"unk_id": 1, "eos_id": 0, "bos_id": -1, "pad_id": -1, "unk_piece": "<unk>", "eos_piece": "</s>"}
    source = train_sentencepiece(shipped_text("en"), 800, **options)
    target = train_sentencepiece(shipped_text("zh"), 400, **options)
    (folder / "source.spm").write_bytes(source)
    (folder / "target.spm").write_bytes(target)
    import sentencepiece as spm

    vocab = {"</s>": 0, "<unk>": 1}
    for model in (source, target):
        processor = spm.SentencePieceProcessor(model_proto=model)
        for i in range(processor.get_piece_size()):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=2), encoding="utf-8")
    _save_tokenizer(
        folder,
        {
            "tokenizer_class": "MarianTokenizer",
            "source_lang": "en",
            "target_lang": "zh",
            "separate_vocabs": False,
            "model_max_length": 512,
        },
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=WIDTH,
        encoder_layers=LAYERS,
        decoder_layers=LAYERS,
        encoder_attention_heads=HEADS,
        decoder_attention_heads=HEADS,
        encoder_ffn_dim=FFN,
        decoder_ffn_dim=FFN,
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        scale_embedding=True,
    )
    config.architectures = [t.model_class]
    _save_model(folder, t.model_class, config)
    GenerationConfig(
        bad_words_ids=[[pad]], decoder_start_token_id=pad, eos_token_id=0, pad_token_id=pad, max_length=512, num_beams=4
    ).save_pretrained(folder)


# --- cards, folders, repositories ------------------------------------------------------------------------------


def model_card(t: Twin) -> str:
    """The ``README.md`` of a twin: it says plainly that it is a tiny random twin and its outputs are meaningless.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    return (
        "---\nlicense: apache-2.0\nlibrary_name: transformers\ntags:\n- hfbook\n- tiny-random-twin\n---\n\n"
        f"# {t.repo_id} (tiny random twin)\n\n"
        f"**A tiny random twin of `{t.repo_id}` for testing code paths: its outputs are meaningless.**\n\n"
        f"The same model class (`{t.model_class}`) and tokenizer format as the real repository, shrunk to "
        f"{LAYERS} layers of width {WIDTH}, with random weights (seed {SEED}). Tokenizer: {t.tokenizer}.\n"
        "Written by `python -m helpers.twins export DIR` (the book *Hugging Face Transformers, hands-on*), "
        "served by its local hub so that every hub-mode cell of the book runs without internet.\n"
    )


def build_twin(repo_id: str, into: str | Path) -> Path:
    """Write the twin of ``repo_id`` as a model folder (config, weights, tokenizer, card) into ``into``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    t = twin(repo_id)
    folder = Path(into)
    folder.mkdir(parents=True, exist_ok=True)
    globals()[t.build](folder, t)
    (folder / "README.md").write_text(model_card(t))
    return folder


def repo_path(dest: str | Path, repo_id: str) -> Path:
    """Where the twin's repository lives under ``dest``: ``models/<org>/<name>`` or ``models/<name>``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    return Path(dest) / "models" / repo_id


def export_twins(dest: str | Path, repo_ids: list[str] | None = None, log=print) -> list[Path]:
    """Build the twins (default: all) and write each as a hub repository under ``dest``; return their folders.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    import warnings

    from transformers.utils import logging

    logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
    out = []
    with tempfile.TemporaryDirectory(prefix="twins-") as scratch:
        for repo_id in repo_ids or list(TWINS):
            folder = build_twin(repo_id, Path(scratch) / repo_id)
            repo = repo_path(dest, repo_id)
            commit = write_repo(folder, repo, f"{repo_id}: tiny random twin")
            log(f"twins: model {repo_id} at {commit[:12]} -> {repo}")
            out.append(repo)
    return out


def main(argv: list[str] | None = None) -> int:
    """Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode")."""
    parser = argparse.ArgumentParser(prog="python -m helpers.twins", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="build the twins and write them as hub repositories under DIR")
    e.add_argument("dest", type=Path)
    e.add_argument("repo_ids", nargs="*")
    sub.add_parser("list", help="print every twin: repo id, model class, tokenizer")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "export":
            export_twins(args.dest, args.repo_ids or None)
        else:
            for t in TWINS.values():
                print(f"{t.repo_id:55} {t.model_class:37} {t.tokenizer}")
    except (TwinError, HubRepoError, LookupError) as err:
        print(f"twins: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
