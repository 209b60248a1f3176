"""Every chapter's exercises and their solutions follow one convention (issue 19, "Solutions"):

* a markdown cell with the heading ``## Exercises`` and, in it or in the next markdown cell, a numbered list of 3-5
  exercises (``1. ...`` to ``N. ...`` at the start of a line);
* right after that cell, in order, exactly one solution cell per exercise N:
  - code: a code cell whose first line is ``# Solution N`` tagged ``solution`` and ``hide-cell`` (input and output
    hidden behind ONE click; it runs under nbmake like every cell, and asserts what it claims);
  - prose: a markdown cell tagged ``solution`` holding exactly one dropdown admonition titled ``Solution N``;
* no other cell after the list shows solution text (no second solution, no ``hide-input``-only solution that takes
  two clicks, no solution tag anywhere else in the notebook).

``exercise_problems(cells)`` returns what is wrong with a notebook's cells as sentences; the synthetic notebooks at
the end test that parser itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))

HEADING = re.compile(r"^##\s+Exercises\s*$")
ANY_HEADING = re.compile(r"^#{1,6}\s")
ITEM = re.compile(r"^(\d+)\.\s+\S")  # a top-level numbered list item
FENCE = re.compile(r"^(`{3,}|:{3,})")
CODE_TITLE = re.compile(r"^# Solution (\d+)\b")
ADMONITION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{admonition\}\s+Solution (?P<number>\d+)\s*$")
# Text that reveals a solution: "Solution", "Solutions to exercises 1-4", "# Solution to exercise 2", ...
SOLUTION_TEXT = re.compile(r"\bsolutions?\b", re.IGNORECASE)
SOLUTION_TAG = "solution"
CODE_TAGS = {"solution", "hide-cell"}
# Tags a solution must not carry: hide-input leaves the output open (or takes a second click with hide-output),
# remove-* hides it for good, skip-execution/raises-exception let it fail unnoticed.
FORBIDDEN_TAGS = {
    "hide-input",
    "hide-output",
    "remove-cell",
    "remove-input",
    "remove-output",
    "skip-execution",
    "raises-exception",
}
MIN_EXERCISES, MAX_EXERCISES = 3, 5


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def outside_fences(text: str) -> list[str]:
    """The lines of a markdown text that are not inside a fenced block (``` or ::: of any length)."""
    lines, fence = [], None
    for line in text.splitlines():
        match = FENCE.match(line.strip())
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if line.strip() == fence:
                fence = None
            continue
        lines.append(line)
    return lines


def numbered_items(text: str) -> list[int]:
    """The numbers of the top-level numbered list items of a markdown text (fenced blocks skipped)."""
    return [int(m.group(1)) for line in outside_fences(text) if (m := ITEM.match(line))]


def find_exercises(cells: list[dict]) -> tuple[int, int, str] | str:
    """(index of the heading cell, index of the list cell, the list's text) or a sentence saying what is missing."""
    found = [
        i
        for i, cell in enumerate(cells)
        if cell["cell_type"] == "markdown" and any(HEADING.match(line) for line in outside_fences(source(cell)))
    ]
    if not found:
        return "no markdown heading '## Exercises'"
    if len(found) > 1:
        return f"{len(found)} '## Exercises' headings (cells {found}); one is expected"
    head = found[0]
    lines = source(cells[head]).splitlines()
    after = "\n".join(lines[next(i for i, line in enumerate(lines) if HEADING.match(line)) + 1 :])
    if numbered_items(after):
        return head, head, after
    nxt = head + 1
    if nxt < len(cells) and cells[nxt]["cell_type"] == "markdown" and numbered_items(source(cells[nxt])):
        return head, nxt, source(cells[nxt])
    return "no numbered list of exercises under '## Exercises' (in its cell or the next markdown cell)"


def check_code_solution(cell: dict, expected: int) -> list[str]:
    problems = []
    first = source(cell).lstrip("\n").splitlines()[0] if source(cell).strip() else ""
    match = CODE_TITLE.match(first)
    if not match:
        problems.append(f"the code cell for exercise {expected} must start with '# Solution {expected}', not {first!r}")
    elif int(match.group(1)) != expected:
        problems.append(f"'# Solution {match.group(1)}' where solution {expected} is expected (order 1..N)")
    missing = CODE_TAGS - tags(cell)
    if missing:
        problems.append(f"solution {expected} (code) lacks the tag(s) {sorted(missing)} (hidden behind one click)")
    bad = FORBIDDEN_TAGS & tags(cell)
    if bad:
        problems.append(f"solution {expected} carries {sorted(bad)}: use exactly 'solution' and 'hide-cell'")
    # an assert, or helpers.quality.expect (a quality claim the hub-mode twins skip)
    if not re.search(r"^\s*(assert\b|expect\()", source(cell), re.MULTILINE):
        problems.append(f"solution {expected} (code) asserts nothing: assert what its words claim")
    return problems


def check_prose_solution(cell: dict, expected: int) -> list[str]:
    problems = []
    if SOLUTION_TAG not in tags(cell):
        problems.append(f"solution {expected} (markdown) lacks the tag 'solution'")
    bad = (FORBIDDEN_TAGS | {"hide-cell"}) & tags(cell)
    if bad:
        problems.append(f"solution {expected} (markdown) carries {sorted(bad)}: the dropdown alone hides it")
    lines = source(cell).strip().splitlines()
    match = ADMONITION.match(lines[0].strip()) if lines else None
    if not match:
        problems.append(
            f"solution {expected} (markdown) must be one admonition opened by '```{{admonition}} Solution {expected}'"
        )
        return problems
    if int(match.group("number")) != expected:
        problems.append(f"admonition 'Solution {match.group('number')}' where solution {expected} is expected")
    fence = match.group("fence")
    if lines[-1].strip() != fence or len(lines) < 3:
        problems.append(f"solution {expected}: the admonition must close with {fence} and nothing may follow it")
    # the admonition's own closing fence must be the last line: a line equal to the fence earlier closes it early
    closes = [i for i, line in enumerate(lines[1:], 1) if line.strip() == fence]
    if closes and closes[0] != len(lines) - 1:
        problems.append(f"solution {expected}: text after the admonition (one dropdown per solution cell)")
    options = [line.strip() for line in lines[1:] if line.strip().startswith(":")]
    classes = " ".join(o.split(":", 2)[2] for o in options if o.startswith(":class:")).split()
    if "dropdown" not in classes:
        problems.append(f"solution {expected}: the admonition needs ':class: dropdown' (closed until clicked)")
    return problems


def exercise_problems(cells: list[dict]) -> list[str]:
    """Everything that breaks the exercises-and-solutions convention in a notebook's cells (empty: all well)."""
    found = find_exercises(cells)
    if isinstance(found, str):
        return [found]
    head, list_cell, text = found
    problems = []
    numbers = numbered_items(text)
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"the exercises are numbered {numbers}; expected 1..N")
    if not MIN_EXERCISES <= len(numbers) <= MAX_EXERCISES:
        problems.append(f"{len(numbers)} exercises; {MIN_EXERCISES}-{MAX_EXERCISES} expected")
    if SOLUTION_TEXT.search(text):
        problems.append("the exercises list itself shows solution text (a solution belongs in its own cell)")
    for i, cell in enumerate(cells[:head]):
        if SOLUTION_TAG in tags(cell):
            problems.append(f"cell {i}, before the exercises, is tagged 'solution'")
    rest = list(enumerate(cells[list_cell + 1 :], list_cell + 1))
    for n in range(1, len(numbers) + 1):
        if not rest:
            problems.append(f"exercise {n} has no solution cell")
            continue
        i, cell = rest.pop(0)
        if cell["cell_type"] == "code":
            problems += [f"cell {i}: {p}" for p in check_code_solution(cell, n)]
        elif cell["cell_type"] == "markdown":
            problems += [f"cell {i}: {p}" for p in check_prose_solution(cell, n)]
        else:
            problems.append(f"cell {i}: a {cell['cell_type']} cell where solution {n} is expected")
    for i, cell in rest:  # after the solutions: a closing note, a clean-up cell, the next section, ...
        text = source(cell)
        if SOLUTION_TAG in tags(cell):
            problems.append(f"cell {i}: one more cell tagged 'solution' after solutions 1..{len(numbers)}")
        elif cell["cell_type"] == "code" and CODE_TITLE.match(text.lstrip()):
            problems.append(f"cell {i}: a '# Solution' code cell after solutions 1..{len(numbers)}")
        elif cell["cell_type"] == "code" and re.search(r"^#.*\bsolutions?\b", text, re.IGNORECASE | re.MULTILINE):
            problems.append(f"cell {i}: a code cell after the solutions that speaks of a solution")
        elif cell["cell_type"] == "markdown" and SOLUTION_TEXT.search(text):
            problems.append(f"cell {i}: markdown after the solutions shows solution text: {text.strip()[:60]!r}")
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_and_solutions(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    problems = exercise_problems(cells)
    assert not problems, f"{notebook.name}:\n  " + "\n  ".join(problems)


# --- the parser itself, on small synthetic notebooks ------------------------------------------------------------


def md(text: str, *tag_list: str) -> dict:
    return {"cell_type": "markdown", "metadata": {"tags": list(tag_list)} if tag_list else {}, "source": text}


def code(text: str, *tag_list: str) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tag_list)} if tag_list else {}, "source": text}


EXERCISES = md("## Exercises\n\n1. First.\n2. Second,\n   on two lines.\n3. Third.\n")


def prose(n: int, fence: str = "```") -> dict:
    return md(f"{fence}{{admonition}} Solution {n}\n:class: dropdown\nBecause.\n{fence}", "solution")


def code_solution(n: int, *tag_list: str) -> dict:
    return code(f"# Solution {n}\nx = {n}\nassert x == {n}", *(tag_list or ("solution", "hide-cell")))


def good() -> list[dict]:
    return [md("# Chapter"), code("x = 1"), EXERCISES, code_solution(1), prose(2, "````"), code_solution(3)]


def test_a_conforming_notebook_passes():
    assert exercise_problems(good()) == []
    # the list may sit in the next cell, after a heading cell of its own; a closing cell may follow the solutions
    split = [md("## Exercises"), md("1. a\n2. b\n3. c"), prose(1), prose(2), prose(3), code("tmp.cleanup()")]
    assert exercise_problems(split) == []
    # the heading may end a longer cell; list items inside a fenced block do not count
    tail = md("Some closing words.\n\n## Exercises\n\n1. a\n   ```\n   4. not an item\n   ```\n2. b\n3. c")
    assert exercise_problems([tail, code_solution(1), code_solution(2), code_solution(3)]) == []


def test_missing_heading_and_list():
    assert exercise_problems([md("# Chapter"), code("x")]) == ["no markdown heading '## Exercises'"]
    assert "no numbered list" in exercise_problems([md("## Exercises\n\nThink about it.")])[0]


def test_numbering_and_count():
    cells = [md("## Exercises\n\n1. a\n3. b\n4. c"), prose(1), prose(2), prose(3)]
    assert any("numbered [1, 3, 4]" in p for p in exercise_problems(cells))
    two = [md("## Exercises\n\n1. a\n2. b"), prose(1), prose(2)]
    assert exercise_problems(two) == ["2 exercises; 3-5 expected"]
    six = [md("## Exercises\n\n" + "\n".join(f"{i}. x" for i in range(1, 7)))] + [prose(i) for i in range(1, 7)]
    assert exercise_problems(six) == ["6 exercises; 3-5 expected"]


def test_code_solution_needs_title_tags_and_an_assert():
    cells = good()
    cells[3] = code("# Solutions to exercises 1-3\nassert True", "solution", "hide-cell")
    assert any("must start with '# Solution 1'" in p for p in exercise_problems(cells))
    cells[3] = code_solution(1, "hide-input")  # the two-click (or output in plain sight) solution
    problems = exercise_problems(cells)
    assert any("lacks the tag(s) ['hide-cell', 'solution']" in p for p in problems)
    assert any("carries ['hide-input']" in p for p in problems)
    cells[3] = code("# Solution 1\nprint(1)", "solution", "hide-cell")
    assert exercise_problems(cells) == ["cell 3: solution 1 (code) asserts nothing: assert what its words claim"]
    cells[3] = code("# Solution 1\nexpect(1 < 2, 'one is less')", "solution", "hide-cell")
    assert exercise_problems(cells) == []
    cells[3] = code_solution(2)
    assert any("'# Solution 2' where solution 1 is expected" in p for p in exercise_problems(cells))


def test_prose_solution_is_one_closed_dropdown():
    cells = good()
    cells[4] = md("```{admonition} Solution 2\nBecause.\n```", "solution")
    assert any("needs ':class: dropdown'" in p for p in exercise_problems(cells))
    cells[4] = md("```{admonition} Solution 2\n:class: dropdown\nBecause.\n```")
    assert any("lacks the tag 'solution'" in p for p in exercise_problems(cells))
    cells[4] = md("```{admonition} Solution 2\n:class: dropdown\nBecause.\n```\n\nAnd more.", "solution")
    assert any("nothing may follow" in p for p in exercise_problems(cells))
    cells[4] = md("The answer is 4.", "solution")
    assert any("must be one admonition" in p for p in exercise_problems(cells))
    cells[4] = md("```{admonition} Solution 2\n:class: dropdown\nBecause.\n```", "solution", "hide-cell")
    assert any("carries ['hide-cell']" in p for p in exercise_problems(cells))


def test_no_solution_text_elsewhere():
    # today's pattern: an open dropdown in the list cell, then an untagged code cell under it
    listed = md("## Exercises\n\n1. a\n2. b\n3. c\n\n```{admonition} Solution\n:class: dropdown\nx\n```")
    problems = exercise_problems([listed, code_solution(1), code_solution(2), code_solution(3)])
    assert problems == ["the exercises list itself shows solution text (a solution belongs in its own cell)"]
    extra = good() + [code("# Solution 3, continued\nprint(3)")]
    assert exercise_problems(extra) == ["cell 6: a '# Solution' code cell after solutions 1..3"]
    extra = good() + [code("# the other solution\nprint(3)")]
    assert exercise_problems(extra) == ["cell 6: a code cell after the solutions that speaks of a solution"]
    extra = good() + [prose(3)]
    assert exercise_problems(extra) == ["cell 6: one more cell tagged 'solution' after solutions 1..3"]
    extra = good() + [md("Solution 3 could also use a loop.")]
    assert "markdown after the solutions shows solution text" in exercise_problems(extra)[0]
    early = good()
    early[1] = code("x = 1", "solution")
    assert exercise_problems(early) == ["cell 1, before the exercises, is tagged 'solution'"]


def test_too_few_solution_cells():
    cells = good()[:-1]
    assert exercise_problems(cells) == ["exercise 3 has no solution cell"]
