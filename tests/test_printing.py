"""helpers.printing: lists wrapped between items at the column's width, text wrapped between words."""

from __future__ import annotations

import pytest

from helpers.printing import print_wrapped, wrap_items


def test_items_are_wrapped_between_items_within_the_width():
    text = wrap_items(range(40), width=30)
    assert all(len(line) <= 30 for line in text.splitlines())
    assert text.replace("\n", " ") == ", ".join(str(i) for i in range(40))
    assert text.splitlines()[0] == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9,"


def test_strings_are_quoted_and_a_long_item_gets_its_own_line():
    text = wrap_items(["a", "b" * 40, "c"], width=20)
    assert text.splitlines() == ["'a',", "'" + "b" * 40 + "',", "'c'"]


def test_a_too_narrow_width_is_refused():
    with pytest.raises(ValueError, match="too narrow"):
        wrap_items([1, 2], width=5)


def test_print_wrapped_puts_a_short_value_beside_its_label_and_a_long_one_under_it(capsys):
    print_wrapped([1, 2, 3], label="ids:")
    print_wrapped(list(range(60)), label="ids:", width=40)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ids: 1, 2, 3"
    assert out[1] == "ids:" and out[2].startswith("  0, 1, 2")
    assert max(len(line) for line in out) <= 40


def test_print_wrapped_wraps_text_between_words(capsys):
    print_wrapped("word " * 30, width=24)
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 24 for line in lines) and lines[0] == "word word word word word"
