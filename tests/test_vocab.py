"""The rebuilt bert-base-chinese and bert-base-multilingual-cased tokenizers give the hub tokenizers' ids.

Known ids come from printouts of the hub's tokenizers: the build's own checks (``helpers/zoo/vocab.py``), the
README of bert4torch (bert-base-chinese, ``tokenizer.encode``), swift-transformers' multi-script baseline for
distilbert-base-multilingual-cased (the same 119 547-piece vocabulary) and bert-base-multilingual-cased
printouts in public notebooks. The ``##`` pieces of "Weißbier" and "Kartoffel" come from a published test
suite that runs the hub's bert-base-multilingual-cased tokenizer.
"""

import json

import pytest
from transformers import AutoTokenizer

from helpers import checkpoint
from helpers.zoo import read_manifest
from helpers.zoo.base import rebuild_vocab
from helpers.zoo.core import ZooError
from helpers.zoo.vocab import CHINESE_EXAMPLES, CHINESE_SIZE, MULTILINGUAL_EXAMPLES, MULTILINGUAL_SIZE

MULTI_SCRIPT = "Hello 世界! Привет🌍 مرحبا بالعالم  ราชอาณาจักรไทย   tabs\tand\nnewlines."
CHINESE_IDS = CHINESE_EXAMPLES + [
    ("我爱中国", [101, 2769, 4263, 704, 1744, 102]),
    ("我爱人工智能", [101, 2769, 4263, 782, 2339, 3255, 5543, 102]),
    ("我爱北京天安门。", [101, 2769, 4263, 1266, 776, 1921, 2128, 7305, 511, 102]),
]
MULTILINGUAL_IDS = MULTILINGUAL_EXAMPLES + [
    ("Hello world!", [101, 31178, 11356, 106, 102]),
    ("안녕하세요, 반갑습니다", [101, 9521, 118741, 35506, 24982, 48549, 117, 9321, 118610, 119081, 48345, 102]),
    ("Hello my dog isn't retarded", [101, 31178, 15127, 17835, 98370, 112, 188, 62893, 45592, 10162, 102]),
    (
        MULTI_SCRIPT,
        [
            101,
            31178,
            2087,
            5621,
            106,
            100,
            788,
            51052,
            30877,
            10909,
            10961,
            54422,
            22887,
            1427,
            17344,
            42407,
            33178,
            17344,
            62914,
            17344,
            46856,
            69365,
            22765,
            41362,
            100781,
            10107,
            10111,
            10751,
            31782,
            119,
            102,
        ],
    ),
]
ROUND_TRIP = [
    "我爱自然语言处理",
    "截至目前，最新的版本是4.5.0。",
    "i like programming",
    "Hello world, this is a test.",
    "Huggingface Transformer教程(一)",
    "我爱python，我爱编程；I love python",
]


@pytest.fixture(scope="module")
def chinese():
    return AutoTokenizer.from_pretrained(checkpoint("bert-base-chinese"))


@pytest.fixture(scope="module")
def multilingual():
    return AutoTokenizer.from_pretrained(checkpoint("bert-base-multilingual-cased"))


@pytest.mark.parametrize("text,ids", CHINESE_IDS)
def test_chinese_ids_match_the_hub(chinese, text, ids):
    assert chinese(text)["input_ids"] == ids


@pytest.mark.parametrize("text,ids", MULTILINGUAL_IDS)
def test_multilingual_ids_match_the_hub(multilingual, text, ids):
    assert multilingual(text)["input_ids"] == ids


def test_vocab_sizes_and_special_tokens_match_the_hub(chinese, multilingual):
    for tok, size, name in (
        (chinese, CHINESE_SIZE, "bert-base-chinese"),
        (multilingual, MULTILINGUAL_SIZE, "bert-base-multilingual-cased"),
    ):
        assert size == {"bert-base-chinese": 21128, "bert-base-multilingual-cased": 119547}[name]
        assert len(tok) == tok.vocab_size == size
        with open(checkpoint(name) + "/vocab.txt", encoding="utf-8", newline="") as f:
            assert f.read().count("\n") == size
        assert tok.convert_tokens_to_ids(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]) == [0, 100, 101, 102, 103]
        assert (tok.pad_token, tok.unk_token, tok.cls_token, tok.sep_token, tok.mask_token) == (
            "[PAD]",
            "[UNK]",
            "[CLS]",
            "[SEP]",
            "[MASK]",
        )
    assert chinese.convert_tokens_to_ids(["我", "爱"]) == [2769, 4263]


def test_tokenizer_config_is_cased_and_splits_chinese_characters(chinese, multilingual):
    for name in ("bert-base-chinese", "bert-base-multilingual-cased"):
        config = json.loads(open(checkpoint(name) + "/tokenizer_config.json").read())
        assert config["do_lower_case"] is False and config["tokenize_chinese_chars"] is True
        assert config["tokenizer_class"] == "BertTokenizer" and config["model_max_length"] == 512
    # bert-base-chinese has no capital letters, and like the hub's (transformers issue #14990) it does not
    # lower-case: "A" and "B" are both [UNK]; the multilingual vocabulary keeps the case.
    assert chinese(["A", "B", "AAA"])["input_ids"] == [[101, 100, 102]] * 3
    assert multilingual.tokenize("Apple apple") == ["Apple", "app", "##le"]


def test_continuation_pieces_carry_the_mark(chinese, multilingual):
    assert multilingual.tokenize("Ich mag Weißbier und Kartoffel .") == [
        "Ich",
        "mag",
        "Weiß",
        "##bier",
        "und",
        "Kar",
        "##tof",
        "##fel",
        ".",
    ]
    assert multilingual.tokenize("Undetectable paraphrasing") == [
        "Und",
        "##ete",
        "##cta",
        "##ble",
        "para",
        "##ph",
        "##rasi",
        "##ng",
    ]
    # bert4torch's README (bert-base-chinese vocabulary): tokens[2] 'python', tokens[-2] '##nk', tokens[-7] 'program'
    text = "我爱python，我爱编程；I love python, I like programming. Some unkword"
    tokens = chinese.tokenize(text)
    assert (tokens[2], tokens[-2], tokens[-7]) == ("python", "##nk", "program")
    assert chinese(text)["input_ids"][:6] == [101, 2769, 4263, 9030, 8024, 2769]
    assert chinese("我爱python", "我爱编程")["input_ids"] == [101, 2769, 4263, 9030, 102, 2769, 4263, 5356, 4923, 102]
    # every character also has a '##' twin that character splitting never produces
    vocab = chinese.get_vocab()
    assert vocab["爱"] == 4263 and vocab["##爱"] == 17320 and "##爱" not in chinese.tokenize("我爱爱")


def test_whitespace_pieces_are_restored(chinese):
    with open(checkpoint("bert-base-chinese") + "/vocab.txt", encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    assert lines[343] == "\u2028" and lines[13502] == "##\u2028" and lines[342:345:2] == ["‧", "‰"]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip(chinese, multilingual, text):
    for tok in (chinese, multilingual):
        ids = tok(text)["input_ids"]
        back = tok.decode(ids, skip_special_tokens=True)
        if tok.unk_token_id not in ids:  # [UNK] is skipped by decode: nothing to re-encode
            assert tok(back)["input_ids"] == ids
            assert back.replace(" ", "") == text.replace(" ", "")
    assert chinese.decode(chinese("我爱自然语言处理")["input_ids"]) == "[CLS] 我 爱 自 然 语 言 处 理 [SEP]"
    assert (
        multilingual.decode(multilingual("Huggingface Transformer教程(一)")["input_ids"], skip_special_tokens=True)
        == "Huggingface Transformer 教 程 ( 一 )"
    )


def test_rebuild_vocab_restores_stripped_pieces():
    surface = {0: "[PAD]", 1: "a", 2: "", 3: "##", 4: "b"}

    def decode(ids):
        return " ".join(surface[i] for i in ids)

    assert rebuild_vocab(decode, 5, anchor=1, restore={2: "\u2028", 3: "##\u2028"})[2:4] == ["\u2028", "##\u2028"]
    with pytest.raises(ZooError, match="id 4 decodes to 'b'"):
        rebuild_vocab(decode, 5, anchor=1, restore={2: "\u2028", 3: "##\u2028", 4: "\u2028"})


def test_hub_mode_names(monkeypatch):
    monkeypatch.setenv("HFBOOK_HUB", "1")
    assert checkpoint("bert-base-chinese") == "bert-base-chinese"
    assert checkpoint("bert-base-multilingual-cased") == "bert-base-multilingual-cased"


def test_manifest_records_blingfire_as_the_source():
    m = read_manifest()
    for entry, member in (
        ("bert-base-chinese-tokenizer", "blingfire/bert_chinese.i2w"),
        ("bert-multilingual-cased-tokenizer", "blingfire/bert_multi_cased.i2w"),
    ):
        (source,) = m[entry]["sources"]
        assert (source["package"], source["version"], source["member"]) == ("blingfire", "0.1.8", member)
        assert len(source["sha256"]) == 64 and all(len(d) == 64 for d in m[entry]["files"].values())
        assert sorted(m[entry]["files"]) == ["tokenizer_config.json", "vocab.txt"]
