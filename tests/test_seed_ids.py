"""Exact ids for every seed example that chapters 3 (tokenizers) and 4 (model inputs) reproduce.

The expected values are copied from the seed tutorial's printouts (``shared/seed/...zh.md``), except the one
printout the seed got wrong (S7.2 "Hello, I'm a single sentence!", a copy of the S5.2 ids), whose true ids
are asserted instead. Cased: the rebuilt bert-base-cased tokenizer; uncased: MiniLM's folder, which carries
the bert-base-uncased vocabulary (the vocabulary of the seed's distilbert-base-uncased checkpoint).
"""

BATCH = ["Hello I'm a single sentence", "And another sentence", "And the very very last one"]
SECOND = [
    "I'm a sentence that goes with the first sentence",
    "And I should be encoded with the second sentence",
    "And I go with the very last one",
]
BATCH_IDS = [
    [101, 8667, 146, 112, 182, 170, 1423, 5650, 102],
    [101, 1262, 1330, 5650, 102],
    [101, 1262, 1103, 1304, 1304, 1314, 1141, 102],
]
PAIR_BATCH_IDS = [
    [101, 8667, 146, 112, 182, 170, 1423, 5650, 102, 146, 112, 182, 170, 5650, 1115, 2947, 1114, 1103, 1148, 5650, 102],
    [101, 1262, 1330, 5650, 102, 1262, 146, 1431, 1129, 12544, 1114, 1103, 1248, 5650, 102],
    [101, 1262, 1103, 1304, 1304, 1314, 1141, 102, 1262, 146, 1301, 1114, 1103, 1304, 1314, 1141, 102],
]
PAIR_BATCH_TYPES = [[0] * 9 + [1] * 12, [0] * 5 + [1] * 10, [0] * 8 + [1] * 9]
TITAN_IDS = [101, 138, 18696, 155, 1942, 3190, 1144, 1572, 13745, 1104, 159, 9664, 2107, 102]


# --- chapter 4: model inputs (S5.2-S5.4) ---------------------------------------------------------------------


def test_s5_2_input_ids(cased):
    sequence = "A Titan RTX has 24GB of VRAM"
    assert cased.tokenize(sequence) == ["A", "Titan", "R", "##T", "##X", "has", "24", "##GB", "of", "V", "##RA", "##M"]
    ids = cased(sequence)["input_ids"]
    assert ids == TITAN_IDS
    assert cased.decode(ids) == "[CLS] A Titan RTX has 24GB of VRAM [SEP]"


def test_s5_3_attention_mask(cased):
    a = "This is a short sequence."
    b = "This is a rather long sequence. It is at least longer than the sequence A."
    assert (len(cased(a)["input_ids"]), len(cased(b)["input_ids"])) == (8, 19)
    padded = cased([a, b], padding=True)
    assert padded["input_ids"] == [
        [101, 1188, 1110, 170, 1603, 4954, 119, 102, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [101, 1188, 1110, 170, 1897, 1263, 4954, 119, 1135, 1110, 1120, 1655, 2039, 1190, 1103, 4954, 138, 119, 102],
    ]
    assert padded["attention_mask"] == [[1] * 8 + [0] * 11, [1] * 19]


def test_s5_4_token_type_ids(cased):
    encoded = cased("HuggingFace is based in NYC", "Where is HuggingFace based?")
    assert (
        cased.decode(encoded["input_ids"])
        == "[CLS] HuggingFace is based in NYC [SEP] Where is HuggingFace based? [SEP]"
    )
    assert encoded["token_type_ids"] == [0] * 10 + [1] * 9


# --- chapter 3: tokenizers (S7.2-S7.6) ---------------------------------------------------------------------


def test_s7_2_single_sentence_true_ids(cased):
    encoded = cased("Hello, I'm a single sentence!")
    assert encoded["input_ids"] == [101, 8667, 117, 146, 112, 182, 170, 1423, 5650, 106, 102]
    assert 117 in encoded["input_ids"] and 106 in encoded["input_ids"]  # ',' and '!'
    assert encoded["input_ids"] != TITAN_IDS  # what the seed printed is the S5.2 example's ids
    assert encoded["token_type_ids"] == [0] * 11 and encoded["attention_mask"] == [1] * 11
    assert cased.convert_ids_to_tokens([117, 106]) == [",", "!"]
    # the seed's decoded string needs 4.5's clean-up of spaces, which is off by default in transformers 5
    assert cased.decode(encoded["input_ids"]) == "[CLS] Hello, I ' m a single sentence! [SEP]"
    assert (
        cased.decode(encoded["input_ids"], clean_up_tokenization_spaces=True)
        == "[CLS] Hello, I'm a single sentence! [SEP]"
    )
    assert cased("Hello, I'm a single sentence!", add_special_tokens=False)["input_ids"] == encoded["input_ids"][1:-1]


def test_s7_2_batch(cased):
    encoded = cased(BATCH)
    assert encoded["input_ids"] == BATCH_IDS
    assert encoded["token_type_ids"] == [[0] * len(r) for r in BATCH_IDS]
    assert encoded["attention_mask"] == [[1] * len(r) for r in BATCH_IDS]


def test_s7_3_padded_tensors(cased):
    batch = cased(BATCH, padding=True, truncation=True, return_tensors="pt")
    assert batch["input_ids"].tolist() == [
        [101, 8667, 146, 112, 182, 170, 1423, 5650, 102],
        [101, 1262, 1330, 5650, 102, 0, 0, 0, 0],
        [101, 1262, 1103, 1304, 1304, 1314, 1141, 102, 0],
    ]
    assert batch["token_type_ids"].tolist() == [[0] * 9] * 3
    assert batch["attention_mask"].tolist() == [[1] * 9, [1] * 5 + [0] * 4, [1] * 8 + [0]]


def test_s7_4_pair(cased):
    encoded = cased("How old are you?", "I'm 6 years old")
    assert encoded["input_ids"] == [101, 1731, 1385, 1132, 1128, 136, 102, 146, 112, 182, 127, 1201, 1385, 102]
    assert encoded["token_type_ids"] == [0] * 7 + [1] * 7
    assert encoded["attention_mask"] == [1] * 14
    assert (
        cased.decode(encoded["input_ids"], clean_up_tokenization_spaces=True)
        == "[CLS] How old are you? [SEP] I'm 6 years old [SEP]"
    )


def test_s7_4_batch_of_pairs(cased):
    encoded = cased(BATCH, SECOND)
    assert encoded["input_ids"] == PAIR_BATCH_IDS
    assert encoded["token_type_ids"] == PAIR_BATCH_TYPES
    assert encoded["attention_mask"] == [[1] * len(r) for r in PAIR_BATCH_IDS]
    assert [cased.decode(ids, clean_up_tokenization_spaces=True) for ids in encoded["input_ids"]] == [
        "[CLS] Hello I'm a single sentence [SEP] I'm a sentence that goes with the first sentence [SEP]",
        "[CLS] And another sentence [SEP] And I should be encoded with the second sentence [SEP]",
        "[CLS] And the very very last one [SEP] And I go with the very last one [SEP]",
    ]
    padded = cased(BATCH, SECOND, padding=True, truncation=True, return_tensors="pt")
    assert padded["input_ids"].shape == (3, 21)
    assert padded["input_ids"][1].tolist() == PAIR_BATCH_IDS[1] + [0] * 6


def test_s7_6_pre_tokenized(cased):
    encoded = cased(["Hello", "I'm", "a", "single", "sentence"], is_split_into_words=True)
    assert encoded["input_ids"] == [101, 8667, 146, 112, 182, 170, 1423, 5650, 102]
    assert encoded["token_type_ids"] == [0] * 9 and encoded["attention_mask"] == [1] * 9
    words = [s.split() for s in BATCH]
    assert cased(words, is_split_into_words=True)["input_ids"] == BATCH_IDS
    pairs = cased(words, [s.split() for s in SECOND], is_split_into_words=True)
    assert pairs["input_ids"] == PAIR_BATCH_IDS and pairs["token_type_ids"] == PAIR_BATCH_TYPES


# --- uncased: the seed's distilbert-base-uncased examples (shown in chapter 3, "Use the checkpoint's own tokenizer")


def test_uncased_quicktour_ids(uncased):
    text = "We are very happy to show you the 🤗 Transformers library."
    assert uncased(text)["input_ids"] == [
        101,
        2057,
        2024,
        2200,
        3407,
        2000,
        2265,
        2017,
        1996,
        100,
        19081,
        3075,
        1012,
        102,
    ]
    batch = uncased(
        [text, "We hope you don't hate it."], padding=True, truncation=True, max_length=512, return_tensors="pt"
    )
    assert batch["input_ids"].tolist() == [
        [101, 2057, 2024, 2200, 3407, 2000, 2265, 2017, 1996, 100, 19081, 3075, 1012, 102],
        [101, 2057, 3246, 2017, 2123, 1005, 1056, 5223, 2009, 1012, 102, 0, 0, 0],
    ]
    assert batch["attention_mask"].tolist() == [[1] * 14, [1] * 11 + [0] * 3]


def test_cased_and_uncased_differ(cased, uncased):
    sequence = "A Titan RTX has 24GB of VRAM"
    assert uncased(sequence)["input_ids"] == [101, 1037, 16537, 19387, 2595, 2038, 2484, 18259, 1997, 27830, 3286, 102]
    assert uncased(sequence)["input_ids"] != cased(sequence)["input_ids"]
