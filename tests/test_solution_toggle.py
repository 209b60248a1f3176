"""book/_ext/solution_toggle.py: a solution cell's toggle says "Show solution N" (English) or "显示答案 N" (Chinese),
other hidden cells keep myst-nb's words. A tiny Sphinx project with myst-nb is built in each language."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import solution_toggle  # noqa: E402


def test_prompts_by_language_and_number():
    assert solution_toggle.prompts("en", "# Solution 2\nx = 1") == ("Show solution 2", "Hide solution 2")
    assert solution_toggle.prompts("zh_CN", "# Solution 12: why\n") == ("显示答案 12", "隐藏答案 12")
    assert solution_toggle.prompts(None, "x = 1") == ("Show the solution", "Hide the solution")
    assert solution_toggle.prompts("fr", "# Solution 1") == ("Show solution 1", "Hide solution 1")  # English fallback


def cell(source: str, tags: list[str], output: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {"tags": tags},
        "source": source,
        "outputs": [{"name": "stdout", "output_type": "stream", "text": output}],
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    src = tmp_path_factory.mktemp("toggle")
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Exercises\n\n1. One.\n2. Two."},
            cell("# Solution 1\nprint('one')\nassert True", ["solution", "hide-cell"], "one\n"),
            cell("# Solution 2\nprint('two')", ["solution", "hide-cell"], "two\n"),
            cell("print('helper')", ["hide-cell"], "helper\n"),
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (src / "index.ipynb").write_text(json.dumps(nb))
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_nb', 'solution_toggle']\nnb_execution_mode = 'off'\n"
    )
    return src


@pytest.mark.parametrize(
    "language, show, hide",
    [("en", "Show solution {n}", "Hide solution {n}"), ("zh_CN", "显示答案 {n}", "隐藏答案 {n}")],
)
def test_built_toggles_say_which_solution(project, tmp_path, language, show, hide):
    from sphinx.application import Sphinx

    out = tmp_path / "html"
    app = Sphinx(
        str(project),
        str(project),
        str(out),
        str(tmp_path / "doctrees"),
        "html",
        confoverrides={"language": language},
        status=None,
        warning=None,
        freshenv=True,
    )
    app.build()
    html = (out / "index.html").read_text()
    for n in (1, 2):
        assert f'<p class="collapsed admonition-title">{show.format(n=n)}</p>' in html
        assert f'<p class="expanded admonition-title">{hide.format(n=n)}</p>' in html
    # the helper cell that is no solution keeps myst-nb's own words (English: the book does not translate them)
    assert html.count("Show code cell content") == 1
