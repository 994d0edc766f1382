"""The packaged copy: what a pip-installed d2lcnn carries of the book's repository.

The repository keeps its stored runs in ``benchmarks/results/`` and its chapter runs in the
chapters' notebooks (both are run records, ``d2lcnn.runs``). A copy installed with pip (as
every chapter's Colab install cell does) has neither folder, so ``tools/snapshot_book_data.py``
copies both into ``book_data.json`` inside the package; ``d2lcnn.results`` and
``d2lcnn.book_runs`` read it when the repository's folders are absent, and
``tests/test_results.py`` fails when it is stale.
"""
import json
import pathlib

FILE = pathlib.Path(__file__).with_name("book_data.json")


def packaged(key):
    """The packaged copy's ``key`` (``"results"`` or ``"chapter_runs"``); None without one."""
    try:
        with open(FILE, encoding="utf-8") as f:
            return json.load(f).get(key)
    except (OSError, ValueError):
        return None
