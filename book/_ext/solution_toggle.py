"""A solution cell's toggle says "Show solution 2" / "Hide solution 2"
("显示答案 2" / "隐藏答案 2" in the Chinese edition), not myst-nb's
"Show code cell content".

A solution code cell (``tests/test_exercises.py``) is tagged ``solution`` and
``hide-cell`` and starts with the line ``# Solution N``. myst-nb takes the
toggle's words from the cell's ``mystnb.code_prompt_show``/``_hide`` metadata
or from the configuration, the same in every edition, and the notebook
executes once for both. So this post-transform, run just before myst-nb's
``HideInputCells`` (priority 199) wraps the hidden cell, sets the prompts of
each solution cell in the build's language.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

PROMPTS = {
    "en": (
        "Show solution {n}",
        "Hide solution {n}",
        "Show the solution",
        "Hide the solution",
    ),
    "zh_CN": ("显示答案 {n}", "隐藏答案 {n}", "显示答案", "隐藏答案"),
}
TITLE = re.compile(r"^\s*# Solution (\d+)\b")


def prompts(language: str | None, source: str) -> tuple[str, str]:
    """The (show, hide) words of a solution cell's toggle in ``language``,
    numbered from its first line ``# Solution N``."""
    show_n, hide_n, show, hide = PROMPTS.get(language or "en", PROMPTS["en"])
    match = TITLE.match(source)
    if not match:
        return show, hide
    n = match.group(1)
    return show_n.format(n=n), hide_n.format(n=n)


def is_solution(node: nodes.Element) -> bool:
    tags = (node.get("cell_metadata") or {}).get("tags") or []
    return (
        node.get("nb_element") == "cell_code"
        and "solution" in tags
        and bool(node.get("hide_mode"))
    )


class SolutionPrompts(SphinxPostTransform):
    # before myst_nb.sphinx_.HideInputCells (199), which builds the toggle
    default_priority = 198
    formats = ("html",)

    def run(self, **kwargs) -> None:
        language = self.config.language
        for node in self.document.findall(nodes.container):
            if not is_solution(node):
                continue
            source = next(
                (
                    block.astext()
                    for child in node.children
                    if child.get("nb_element") == "cell_code_source"
                    for block in child.findall(nodes.literal_block)
                ),
                "",
            )
            node["prompt_show"], node["prompt_hide"] = prompts(language, source)


def setup(app):
    app.add_post_transform(SolutionPrompts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
