"""helpers/twins.py and helpers/quality.py: each tiny twin loads through the local hub by its real repo id with the
Auto class the chapters use, its tokenizer round-trips text, its config is the real architecture's; bad input says
which id and which command."""

from __future__ import annotations

import os

import pytest

from helpers import checkpoint
from helpers.checkpoints import CHECKPOINTS
from helpers.local_hub import free_port, repo_folders
from helpers.quality import expect
from helpers.twins import TWINS, TwinError, check_served, model_card, twin, twins_mode

TEXT = "Hugging Face is a company based in New York and Paris."
# bert-base-chinese keeps case but knows English words in lower case only (as the real vocabulary): Chinese text
TEXT_FOR = {"bert-base-chinese": "抱抱脸是一家位于纽约和巴黎的公司。"}
# The Auto class each chapter loads the hub id with, and the model class it must give.
LOADED_AS = {
    "bert-base-uncased": ("AutoModelForSequenceClassification", "BertForSequenceClassification"),
    "sentence-transformers/all-MiniLM-L6-v2": ("AutoModel", "BertModel"),
    "bert-base-cased": ("AutoModelForMaskedLM", "BertForMaskedLM"),
    "bert-base-chinese": ("AutoModelForMaskedLM", "BertForMaskedLM"),
    "bert-base-multilingual-cased": ("AutoModelForMaskedLM", "BertForMaskedLM"),
    "HuggingFaceTB/SmolLM2-135M-Instruct": ("AutoModelForCausalLM", "LlamaForCausalLM"),
    "gpt2": ("AutoModelForCausalLM", "GPT2LMHeadModel"),
    "distilbert-base-uncased-finetuned-sst-2-english": (
        "AutoModelForSequenceClassification",
        "DistilBertForSequenceClassification",
    ),
    "dbmdz/bert-large-cased-finetuned-conll03-english": (
        "AutoModelForTokenClassification",
        "BertForTokenClassification",
    ),
    "bert-large-uncased-whole-word-masking-finetuned-squad": (
        "AutoModelForQuestionAnswering",
        "BertForQuestionAnswering",
    ),
    "distilroberta-base": ("AutoModelForMaskedLM", "RobertaForMaskedLM"),
    "bert-base-cased-finetuned-mrpc": ("AutoModelForSequenceClassification", "BertForSequenceClassification"),
    "t5-base": ("AutoModelForSeq2SeqLM", "T5ForConditionalGeneration"),
    "Helsinki-NLP/opus-mt-en-zh": ("AutoModelForSeq2SeqLM", "MarianMTModel"),
    "Qwen/Qwen2.5-Coder-1.5B-Instruct": ("AutoModelForCausalLM", "Qwen2ForCausalLM"),
}
# The real repositories' tokenizer class and special tokens.
TOKENIZERS = {
    "bert": (
        "BertTokenizer",
        {"cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]", "pad_token": "[PAD]"},
    ),
    "distilbert": ("DistilBertTokenizer", {"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]"}),
    "roberta": (
        "RobertaTokenizer",
        {"bos_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>", "pad_token": "<pad>"},
    ),
    "gpt2": ("GPT2Tokenizer", {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>"}),
    "t5": ("T5Tokenizer", {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}),
    "marian": ("MarianTokenizer", {"eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}),
    "llama": (None, {"eos_token": "<|im_end|>"}),
    "qwen2": ("Qwen2Tokenizer", {"eos_token": "<|im_end|>"}),
}


@pytest.fixture(scope="module")
def twins_hub(tmp_path_factory):
    """Every twin exported and served by the local hub, with the libraries pointed at it (restored afterwards)."""
    import huggingface_hub.constants as hub_constants

    from helpers.local_hub import LocalHub, use_endpoint
    from helpers.twins import export_twins

    dest = tmp_path_factory.mktemp("twins")
    export_twins(dest, log=lambda _: None)
    before = hub_constants.ENDPOINT
    with pytest.MonkeyPatch.context() as mp, LocalHub(dest) as hub:
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
            mp.delenv(var, raising=False)
        mp.setattr(hub_constants, "HF_HUB_OFFLINE", False)
        mp.setenv("HF_ENDPOINT", hub.endpoint)
        use_endpoint(hub.endpoint)
        try:
            yield hub, dest
        finally:
            use_endpoint(before)


def test_every_hub_id_of_the_book_has_a_twin():
    hub_ids = {c.hub for c in CHECKPOINTS.values() if c.hub}
    assert hub_ids == set(TWINS) == set(LOADED_AS)


@pytest.mark.parametrize("repo_id", list(TWINS))
def test_twin_loads_by_its_repo_id_with_the_chapters_auto_class(twins_hub, tmp_path, repo_id):
    import transformers
    from transformers import AutoConfig, AutoTokenizer

    cache = tmp_path / "cache"
    auto, expected = LOADED_AS[repo_id]
    model = getattr(transformers, auto).from_pretrained(repo_id, cache_dir=cache)
    assert type(model).__name__ == expected
    config = AutoConfig.from_pretrained(repo_id, cache_dir=cache)
    assert config.architectures == [TWINS[repo_id].model_class]
    assert model.num_parameters() < 6_000_000  # tiny: 2 layers of width 32 (the Qwen vocabulary is most of it)
    tokenizer = AutoTokenizer.from_pretrained(repo_id, cache_dir=cache)
    tokenizer_class, specials = TOKENIZERS[config.model_type]
    if tokenizer_class:
        assert type(tokenizer).__name__ == tokenizer_class
    for name, token in specials.items():
        assert getattr(tokenizer, name) == token, name
    text = TEXT_FOR.get(repo_id, TEXT)
    ids = tokenizer(text)["input_ids"]
    assert max(ids) < config.vocab_size and len(ids) > 5
    assert tokenizer.unk_token_id not in ids or config.model_type == "marian"
    back = tokenizer.decode(ids, skip_special_tokens=True)
    uncased = getattr(tokenizer, "do_lower_case", False)
    if config.model_type == "marian":  # a SentencePiece model of shipped text: unknown letters come back as <unk>
        assert back.split()[:3] == text.split()[:3]
    elif repo_id in TEXT_FOR:  # WordPiece decodes Chinese characters with spaces between them
        assert back.replace(" ", "") == text
    else:
        assert back == (text.lower() if uncased else text)


def test_labels_of_the_fine_tuned_twins_are_the_real_ones(twins_hub, tmp_path):
    from transformers import AutoConfig

    sst2 = AutoConfig.from_pretrained("distilbert-base-uncased-finetuned-sst-2-english", cache_dir=tmp_path)
    assert sst2.id2label == {0: "NEGATIVE", 1: "POSITIVE"} and sst2.label2id["POSITIVE"] == 1
    conll = AutoConfig.from_pretrained("dbmdz/bert-large-cased-finetuned-conll03-english", cache_dir=tmp_path)
    assert conll.id2label[3] == "B-PER" and len(conll.id2label) == 9
    t5 = AutoConfig.from_pretrained("t5-base", cache_dir=tmp_path)
    assert t5.task_specific_params["summarization"]["prefix"] == "summarize: "


def test_chat_templates_and_beams_work(twins_hub, tmp_path):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    qwen = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-Coder-1.5B-Instruct", cache_dir=tmp_path)
    prompt = qwen.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
    assert "<|im_start|>user\nHi<|im_end|>" in prompt and prompt.endswith("<|im_start|>assistant\n")
    tokenizer = AutoTokenizer.from_pretrained("t5-base", cache_dir=tmp_path)
    t5 = AutoModelForSeq2SeqLM.from_pretrained("t5-base", cache_dir=tmp_path)
    out = t5.generate(**tokenizer("summarize: " + TEXT, return_tensors="pt"), num_beams=4, max_length=12)
    assert out.shape[0] == 1 and 2 <= out.shape[1] <= 12


def test_cards_say_the_outputs_are_meaningless(twins_hub):
    _, dest = twins_hub
    card = (dest / "models" / "gpt2" / "README.md").read_text()
    assert "tiny random twin of `gpt2`" in card and "meaningless" in card
    assert model_card(TWINS["t5-base"]).startswith("---\nlicense: apache-2.0")
    assert dest / "models" / "gpt2" in repo_folders(dest)  # an id without an organisation is served too


def test_an_id_without_a_twin_names_the_id_and_the_command():
    with pytest.raises(TwinError, match=r"'nobody/no-such-model' has no tiny twin.*make hub-notebooks"):
        twin("nobody/no-such-model")


def test_a_twin_while_the_hub_is_down_names_the_id_and_the_command(monkeypatch):
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TwinError, match=r"twin of 'gpt2'.*nothing answers at http://127\.0\.0\.1.*make hub-notebooks"):
        check_served("gpt2", dead)
    monkeypatch.setenv("HFBOOK_HUB", "1")
    monkeypatch.setenv("HFBOOK_HUB_TWINS", "1")
    monkeypatch.setenv("HF_ENDPOINT", dead)
    assert twins_mode()
    with pytest.raises(TwinError, match="'t5-base'"):
        checkpoint("summarization")
    monkeypatch.delenv("HF_ENDPOINT")
    with pytest.raises(TwinError, match="HF_ENDPOINT is not set"):
        checkpoint("summarization")


def test_checkpoint_gives_the_hub_id_when_the_twins_hub_answers(twins_hub, monkeypatch):
    hub, _ = twins_hub
    monkeypatch.setenv("HFBOOK_HUB", "1")
    monkeypatch.setenv("HFBOOK_HUB_TWINS", "1")
    assert os.environ["HF_ENDPOINT"] == hub.endpoint
    assert checkpoint("translation-en-zh") == "Helsinki-NLP/opus-mt-en-zh"


def test_expect_asserts_unless_the_twins_run(monkeypatch, capsys):
    monkeypatch.delenv("HFBOOK_HUB_TWINS", raising=False)
    assert expect(1 + 1 == 2, "arithmetic") is None
    with pytest.raises(AssertionError, match="the answer is Paris"):
        expect("Berlin" == "Paris", "the answer is Paris")
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("HFBOOK_HUB_TWINS", "1")
    expect(False, "the answer is Paris")
    assert "quality check skipped: the answer is Paris" in capsys.readouterr().out
