"""Assertions about the *quality* of an output, which tiny random twins cannot meet: ``expect(cond, "what")``.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").

A chapter checks two kinds of claims. Claims about the code (shapes, a round trip, the pipeline equals the manual
computation) hold for any weights. Claims about quality ("the review is POSITIVE", "the answer is Paris", "the
summary is shorter than its source") hold only for a trained model. With ``HFBOOK_HUB_TWINS=1`` (hub mode against the
tiny random twins of :mod:`helpers.twins`) :func:`expect` prints the claim it skipped instead of asserting it;
otherwise it is a plain ``assert``.
"""

from __future__ import annotations

from .twins import TWINS_SWITCH, twins_mode


def expect(condition: object, claim: str) -> None:
    """Assert ``condition`` (a claim about output quality, described by ``claim``); under ``HFBOOK_HUB_TWINS=1``
    print that the claim was skipped instead (it returns nothing, so a notebook cell ending in it shows no value).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Offline and hub mode").
    """
    if twins_mode():
        print(f"[{TWINS_SWITCH}=1: random weights, quality check skipped: {claim}]")
        return
    assert condition, claim
