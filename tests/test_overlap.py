"""helpers/zoo/overlap.py: how much of an evaluation set the training text holds."""

from __future__ import annotations

from helpers.zoo.overlap import overlap_report


def test_overlap_report():
    got = overlap_report(["The cat sat on the mat today.", "Nothing here."], ["the cat sat on the mat today, yes"])
    assert got["found_whole"] == 1 and got["sharing_a_6_gram"] == 1 and got["examples"][0].startswith("The cat")
