"""Unit tests of helpers/tokens.py, with exact values from the book's offline tokenizers."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import checkpoint, figures  # noqa: E402
from helpers.tokens import (  # noqa: E402
    TABLE_COLUMNS,
    draw_padded_batch,
    draw_pair,
    draw_truncation,
    draw_windows,
    token_table,
)


def plain(column):
    """A nullable-integer column as a list with None for <NA>."""
    return [None if pd.isna(v) else int(v) for v in column]


def test_token_table_single_sentence(cased):
    df = token_table(cased, "Hello, I'm a single sentence!")
    assert list(df.columns) == TABLE_COLUMNS
    assert df["token"].tolist() == ["[CLS]", "Hello", ",", "I", "'", "m", "a", "single", "sentence", "!", "[SEP]"]
    assert df["id"].tolist() == [101, 8667, 117, 146, 112, 182, 170, 1423, 5650, 106, 102]
    assert plain(df["word_id"]) == [None, 0, 1, 2, 3, 4, 5, 6, 7, 8, None]
    assert str(df["word_id"].dtype) == "Int64"
    assert df["offsets"].tolist() == [
        (0, 0),
        (0, 5),
        (5, 6),
        (7, 8),
        (8, 9),
        (9, 10),
        (11, 12),
        (13, 19),
        (20, 28),
        (28, 29),
        (0, 0),
    ]
    assert df["text"].tolist() == ["", "Hello", ",", "I", "'", "m", "a", "single", "sentence", "!", ""]
    assert df["special"].tolist() == [True] + [False] * 9 + [True]


def test_token_table_matches_library_ids(cased):
    text = "A Titan RTX has 24GB of VRAM"
    df = token_table(cased, text)
    assert df["id"].tolist() == cased(text)["input_ids"]
    assert df["token"].tolist()[1:-1] == cased.tokenize(text)
    # every non-special token's text, with '##' removed, is the span its offsets point at
    body = df[~df["special"]]
    assert [t.removeprefix("##") for t in body["token"]] == body["text"].tolist()


def test_token_table_pair(cased):
    df = token_table(cased, "How old are you?", "I'm 6 years old")
    assert df["id"].tolist() == [101, 1731, 1385, 1132, 1128, 136, 102, 146, 112, 182, 127, 1201, 1385, 102]
    assert plain(df["sequence"]) == [None, 0, 0, 0, 0, 0, None, 1, 1, 1, 1, 1, 1, None]
    assert df.loc[11, "text"] == "years" and df.loc[11, "offsets"] == (6, 11)
    assert df.loc[2, "text"] == "old" and df.loc[12, "text"] == "old"


def test_token_table_pre_tokenized(cased):
    words = ["Hello", "I'm", "a", "single", "sentence"]
    df = token_table(cased, words, is_split_into_words=True)
    assert df["id"].tolist() == [101, 8667, 146, 112, 182, 170, 1423, 5650, 102]
    assert plain(df["word_id"]) == [None, 0, 1, 1, 1, 2, 3, 4, None]
    # offsets are inside each word
    assert df["offsets"].tolist()[2:5] == [(0, 1), (1, 2), (2, 3)]
    assert df["text"].tolist()[2:5] == ["I", "'", "m"]


def test_token_table_no_special_tokens(cased):
    df = token_table(cased, "And another sentence", add_special_tokens=False)
    assert df["id"].tolist() == [1262, 1330, 5650]
    assert not df["special"].any()


def test_token_table_byte_level_bpe(bpe):
    df = token_table(bpe, "Hello, I'm a single sentence!")
    assert df["token"].tolist() == ["Hello", ",", "ĠI", "'m", "Ġa", "Ġsingle", "Ġsentence", "!"]
    assert df["id"].tolist() == [19556, 28, 339, 5248, 253, 2244, 6330, 17]
    # byte-level BPE offsets include the space that the Ġ marker stands for
    assert df.loc[2, "offsets"] == (6, 8) and df.loc[2, "text"] == " I"
    # a special token written in the text is flagged too
    chat = token_table(bpe, "<|im_start|>user")
    assert chat["token"].tolist() == ["<|im_start|>", "user"]
    assert chat["special"].tolist() == [True, False]


def test_token_table_rejects_bad_input(cased):
    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

    slow = BertTokenizerLegacy.from_pretrained(checkpoint("bert-base-cased"))
    with pytest.raises(TypeError, match="fast tokenizer"):
        token_table(slow, "Hello")
    with pytest.raises(TypeError, match="one string"):
        token_table(cased, ["a", "b"])
    with pytest.raises(TypeError, match="list of words"):
        token_table(cased, "a b", is_split_into_words=True)
    with pytest.raises(ValueError, match="return_tensors"):
        token_table(cased, "a b", return_tensors="pt")


def svg_of(draw_fn, lang="en", **data):
    return figures.to_svg(figures.draw(draw_fn, lang, **data), salt="t")


def batch_rows(tokenizer, batch):
    return [tokenizer.convert_ids_to_tokens(row) for row in batch["input_ids"]]


def test_draw_padded_batch_draws_every_token_and_the_mask(cased):
    batch = cased(
        ["This is a short sequence.", "This is a rather long sequence. It is at least longer than the sequence A."],
        padding=True,
    )
    fig = figures.draw(draw_padded_batch, "en", tokens=batch_rows(cased, batch), attention_mask=batch["attention_mask"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("[PAD]") == 11 and "row 0: 8 real" in texts and "row 1: 19 real" in texts
    dashed = [p for p in fig.axes[0].patches if p.get_linestyle() != "-"]
    assert len(dashed) == 11  # one dashed cell per pad
    assert figures.text_px(fig) >= figures.MIN_TEXT_PX
    matplotlib.pyplot.close(fig)


def test_draw_padded_batch_follows_its_data_and_speaks_chinese(cased):
    a = cased(["a b", "a b c d"], padding=True)
    b = cased(["a b c", "a b c d"], padding=True)
    svg_a = svg_of(draw_padded_batch, tokens=batch_rows(cased, a), attention_mask=a["attention_mask"])
    svg_b = svg_of(draw_padded_batch, tokens=batch_rows(cased, b), attention_mask=b["attention_mask"])
    assert "row 0: 4 real" in svg_a and "row 0: 5 real" in svg_b and svg_a != svg_b
    zh = svg_of(draw_padded_batch, "zh_CN", tokens=batch_rows(cased, a), attention_mask=a["attention_mask"])
    assert "位置" in zh and "position" not in zh and "[PAD]" in zh


def test_draw_padded_batch_rejects_bad_input():
    with pytest.raises(ValueError, match="not rectangular"):
        figures.draw(draw_padded_batch, "en", tokens=[["a"], ["a", "b"]], attention_mask=[[1], [1, 1]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        figures.draw(draw_padded_batch, "en", tokens=[["a", "b"]], attention_mask=torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="shape of the tokens"):
        figures.draw(draw_padded_batch, "en", tokens=[["a", "b"]], attention_mask=[[1]])


def test_draw_pair_colours_the_segments_from_the_token_types(cased):
    enc = cased("How old are you?", "I'm 6 years old")
    data = dict(tokens=enc.tokens(), input_ids=enc["input_ids"], token_type_ids=enc["token_type_ids"])
    svg = svg_of(draw_pair, **data)
    assert ">1731<" in svg and "sentence A" in svg and "sentence B" in svg
    fig = figures.draw(draw_pair, "en", **data)
    bold = [t.get_text() for t in fig.axes[0].texts if t.get_weight() == "bold"]
    assert bold == [str(t) for t in enc["token_type_ids"]]  # the token type row
    matplotlib.pyplot.close(fig)
    other = cased("How old?", "I'm 6 years old")
    assert (
        svg_of(draw_pair, tokens=other.tokens(), input_ids=other["input_ids"], token_type_ids=other["token_type_ids"])
        != svg
    )
    zh = svg_of(draw_pair, "zh_CN", **data)
    assert "句子 A" in zh and "sentence A" not in zh
    with pytest.raises(ValueError, match="one entry per token"):
        figures.draw(draw_pair, "en", tokens=["a"], input_ids=[1, 2], token_type_ids=[0])


def test_draw_truncation_dashes_the_cut_tokens(cased):
    first, second = cased.tokenize("HuggingFace is based in NYC"), cased.tokenize("Where is HuggingFace based?")
    kept = {"longest_first": (5, 6), "only_first": (3, 8)}
    fig = figures.draw(draw_truncation, "en", first=first, second=second, kept=kept, max_length=14)
    dashed = [p for p in fig.axes[0].patches if p.get_linestyle() != "-"]
    assert len(dashed) == (8 - 5) + (8 - 6) + (8 - 3) + 0
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "5 + 6 + 3 = 14 tokens" in texts and "3 + 8 + 3 = 14 tokens" in texts
    matplotlib.pyplot.close(fig)
    refused = svg_of(draw_truncation, first=first, second=second, kept={"only_first": None}, max_length=9)
    assert "refused" in refused
    zh = svg_of(draw_truncation, "zh_CN", first=first, second=second, kept=kept, max_length=14)
    assert "截断" in zh and "dashed" not in zh
    with pytest.raises(ValueError, match="kept"):
        figures.draw(draw_truncation, "en", first=first, second=second, kept={"x": (9, 0)}, max_length=14)


def test_draw_windows_marks_the_shared_tokens(cased):
    first, second = cased.tokenize("How old are you?"), cased.tokenize("I'm 6 years old")
    fig = figures.draw(draw_windows, "en", first=first, second=second, windows=[(0, 4), (3, 6)], stride=1)
    red = [p for p in fig.axes[0].patches if matplotlib.colors.to_hex(p.get_edgecolor()) == "#d55e00"]
    assert len(red) == 2  # "6" in each window
    matplotlib.pyplot.close(fig)
    fig = figures.draw(draw_windows, "en", first=first, second=second, windows=[(0, 3), (3, 6)], stride=0)
    assert not [p for p in fig.axes[0].patches if matplotlib.colors.to_hex(p.get_edgecolor()) == "#d55e00"]
    matplotlib.pyplot.close(fig)
    zh = svg_of(draw_windows, "zh_CN", first=first, second=second, windows=[(0, 4), (3, 6)], stride=1)
    assert "窗口" in zh and "window" not in zh
    with pytest.raises(ValueError, match="slices"):
        figures.draw(draw_windows, "en", first=first, second=second, windows=[(4, 2)], stride=1)
