"""helpers.beams: the beam-search tree follows the chapter's steps; bad steps are refused; zh labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from helpers import beams, figures  # noqa: E402


def steps(second="habe"):
    return [
        [
            {"parent": 0, "token": "Ich", "score": -0.1, "kept": True},
            {"parent": 0, "token": "Mir", "score": -2.5, "kept": True},
            {"parent": 0, "token": "Es", "score": -3.2, "kept": False},
        ],
        [
            {"parent": 0, "token": f" {second}", "score": -0.2, "kept": True},
            {"parent": 1, "token": " tut", "score": -2.6, "kept": True},
            {"parent": 1, "token": " ist", "score": -4.0, "kept": False},
        ],
    ]


def svg(lang="en", **data):
    return figures.to_svg(figures.draw(beams.draw_beam_tree, lang, **{"steps": steps(), **data}))


def test_the_tree_shows_each_token_and_score_and_follows_the_data():
    text = svg()
    for word in ("Ich", "Mir", "Es", "habe", "tut", "-0.20", "-4.00", "step 2", "best beam"):
        assert word in text
    changed = svg(steps=steps("bin"), prompt_tokens=34)
    assert "bin" in changed and "habe" not in changed and "34 tokens" in changed


def test_the_best_path_is_traced_back_through_the_parents():
    assert beams._winner_path(steps()) == {(1, 0), (0, 0)}
    s = steps()
    s[1][1]["score"] = 0.0  # the beam from "Mir" now wins
    assert beams._winner_path(s) == {(1, 1), (0, 1)}


def test_bad_steps_are_refused_with_what_is_wrong():
    with pytest.raises(ValueError, match="no steps"):
        beams.check_steps([])
    bad = steps()
    bad[1][2]["parent"] = 2
    with pytest.raises(ValueError, match="parent 2 does not exist.*kept 2 beams"):
        beams.check_steps(bad)
    bad = steps()
    for c in bad[0]:
        c["kept"] = False
    with pytest.raises(ValueError, match="step 1 keeps no beam"):
        beams.check_steps(bad)
    with pytest.raises(ValueError, match="lacks score"):
        beams.check_steps([[{"parent": 0, "token": "a", "kept": True}]])


def test_the_chinese_tree_has_chinese_labels():
    text = svg("zh_CN")
    assert "保留" in text and "step 1" not in text
