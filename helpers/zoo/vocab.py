"""The zoo's Chinese and multilingual BERT vocabularies, rebuilt from blingfire like bert-base-cased's.

Defined in chapter 3 (``book/03_tokenizers.ipynb``, "Chinese text: characters, WordPiece and byte-level BPE").

- ``bert-base-chinese-tokenizer``: the 21 128-piece vocabulary of bert-base-chinese (``bert_chinese.i2w``).
- ``bert-multilingual-cased-tokenizer``: the 119 547-piece vocabulary of bert-base-multilingual-cased
  (``bert_multi_cased.i2w``).

Both are tokenizers only (no weights). Their ``tokenizer_config.json`` is the hub's: ``do_lower_case`` False
for both (transformers 4.x's ``PRETRAINED_INIT_CONFIGURATION`` for these two checkpoints), and BERT's default
``tokenize_chinese_chars`` True, which puts every CJK ideograph in a word of its own. The build checks the
rebuilt tokenizers against ids the hub's tokenizers print (below).
"""

from __future__ import annotations

from pathlib import Path

from .base import build_wordpiece_tokenizer
from .core import Entry, register

CHINESE_SIZE = 21128
MULTILINGUAL_SIZE = 119547
CHINESE_CONFIG = {"tokenize_chinese_chars": True}
# Two pieces of bert-base-chinese's vocab.txt are U+2028 LINE SEPARATOR; blingfire's model stores them stripped.
# (No input can reach them: the tokenizer turns U+2028 into a space, and transformers strips it when loading.)
CHINESE_WHITESPACE = {343: "\u2028", 13502: "##\u2028"}

# (text, ids of the hub's tokenizer): printouts of bert-base-chinese / bert-base-multilingual-cased runs.
CHINESE_EXAMPLES = [
    ("我爱自然语言处理", [101, 2769, 4263, 5632, 4197, 6427, 6241, 1905, 4415, 102]),
    ("我们一起学习", [101, 2769, 812, 671, 6629, 2110, 739, 102]),
    ("我爱python", [101, 2769, 4263, 9030, 102]),
]
MULTILINGUAL_EXAMPLES = [
    ("Hello world, this is a test.", [101, 31178, 11356, 117, 10531, 10124, 169, 15839, 119, 102]),
    ("人工智慧正在改變世界", [101, 2179, 3584, 4413, 3930, 4791, 3031, 4282, 7292, 2087, 5621, 102]),
    ("Undetectable paraphrasing", [101, 41523, 14766, 24290, 11203, 10220, 28088, 47393, 10376, 102]),
]


def build_chinese_tokenizer(into: Path, ctx: dict) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return build_wordpiece_tokenizer(
        into,
        "bert_chinese",
        CHINESE_SIZE,
        "bert-base-chinese",
        CHINESE_EXAMPLES,
        anchor=143,
        restore=CHINESE_WHITESPACE,  # 143 = "a"
        extra_config=CHINESE_CONFIG,
    )


def build_multilingual_tokenizer(into: Path, ctx: dict) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return build_wordpiece_tokenizer(
        into,
        "bert_multi_cased",
        MULTILINGUAL_SIZE,
        "bert-base-multilingual-cased",
        MULTILINGUAL_EXAMPLES,
        anchor=138,
        extra_config=CHINESE_CONFIG,
    )  # 138 = "A"


register(
    Entry(
        "bert-base-chinese-tokenizer",
        "tokenizer",
        "bert-base-chinese WordPiece vocabulary (rebuilt)",
        "Apache-2.0 (vocabulary of bert-base-chinese); blingfire is MIT",
        build_chinese_tokenizer,
    )
)
register(
    Entry(
        "bert-multilingual-cased-tokenizer",
        "tokenizer",
        "bert-base-multilingual-cased WordPiece vocabulary (rebuilt)",
        "Apache-2.0 (vocabulary of bert-base-multilingual-cased); blingfire is MIT",
        build_multilingual_tokenizer,
    )
)
