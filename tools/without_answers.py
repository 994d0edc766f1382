"""The instructor build's filter: a chapter without its exercise answers (issue 31).

``python3 tools/build_book.py --without-answers`` builds both editions into _build/instructor/ with
every exercise answer left out, so that a course can hand the exercises out; the check-yourself
questions keep working but lose their explanations (d2lcnn.widgets.site.serve_quiz_once). The
normal build is unchanged.

What an answer is, in the chapters: a ``<details>`` block whose summary is "Answer" (English) or
"答案" (Chinese) in a markdown cell, every code cell after the "Exercises" / "练习" heading (the
answers' worked code and its outputs), and the prose that reads such a cell's outputs (a markdown
cell right after one, up to the next exercise, heading or chapter link). The exercises' questions stay.
"""
import re

import nbformat

DETAILS = re.compile(r"\s*<details>\s*<summary>(?:Answer|答案)</summary>.*?</details>", re.S)
EXERCISES = re.compile(r"^#{1,3} (?:Exercises|练习)\s*$", re.M)
# What follows an answer's code and is not part of the answer: the next exercise, a heading, the links on.
NOT_ANSWER = re.compile(r"^\s*(?:#|\d+\. |Next:|下一章|This is the last chapter|本书到此结束)")


def answer_blocks(source):
    """The answer blocks of one markdown cell's source, as written."""
    return [m[0] for m in DETAILS.finditer(source)]


def strip_answers(nb):
    """A copy of notebook ``nb`` without its exercise answers (see the module docstring)."""
    nb = nbformat.from_dict(dict(nb))
    cells, in_exercises, after_answer = [], False, False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if EXERCISES.search(cell.source):
                in_exercises = True
            if after_answer and not NOT_ANSWER.match(cell.source):
                continue  # prose about the answer's outputs
            after_answer = False
            cell = nbformat.from_dict(dict(cell))
            cell.source = DETAILS.sub("", cell.source)
        elif in_exercises:
            after_answer = True
            continue
        cells.append(cell)
    nb.cells = cells
    return nb
