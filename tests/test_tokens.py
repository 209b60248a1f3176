"""Unit tests of helpers/tokens.py, with exact values from the book's offline tokenizers."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import checkpoint  # noqa: E402
from helpers.tokens import TABLE_COLUMNS, plot_padded_batch, token_table  # noqa: E402


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


def test_plot_padded_batch_image_is_the_mask(cased):
    batch = cased(
        ["This is a short sequence.", "This is a rather long sequence. It is at least longer than the sequence A."],
        padding=True,
        return_tensors="pt",
    )
    ax = plot_padded_batch(batch, cased)
    image = ax.get_images()[0].get_array()
    assert image.shape == (2, 19)
    assert np.array_equal(np.asarray(image), batch["attention_mask"].numpy())
    assert int(np.asarray(image)[0].sum()) == 8
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 2 * 19
    assert texts[:9] == ["[CLS]", "This", "is", "a", "short", "sequence", ".", "[SEP]", "[PAD]"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0: 8 real", "1: 19 real"]
    matplotlib.pyplot.close(ax.figure)


def test_plot_padded_batch_lists_and_ids():
    batch = {"input_ids": [[101, 7, 102], [101, 102, 0]], "attention_mask": [[1, 1, 1], [1, 1, 0]]}
    ax = plot_padded_batch(batch)
    assert [t.get_text() for t in ax.texts] == ["101", "7", "102", "101", "102", "0"]
    assert np.array_equal(np.asarray(ax.get_images()[0].get_array()), np.array([[1, 1, 1], [1, 1, 0]]))
    matplotlib.pyplot.close(ax.figure)


def test_plot_padded_batch_rejects_bad_input(cased):
    with pytest.raises(KeyError, match="attention_mask"):
        plot_padded_batch({"input_ids": [[1, 2]]})
    with pytest.raises(ValueError, match="not rectangular"):
        plot_padded_batch(cased(["a", "a b c"]))  # no padding
    with pytest.raises(ValueError, match="list of sequences"):
        plot_padded_batch(cased("a b c"))  # one sequence, not a batch
    with pytest.raises(ValueError, match="only 0 and 1"):
        plot_padded_batch({"input_ids": torch.tensor([[1, 2]]), "attention_mask": torch.tensor([[1, 2]])})
