"""What a pip-installed d2lcnn carries of the book's repository: stored results and committed runs.

The repository keeps its stored training results in ``benchmarks/results/`` and the runs the
book shows in the chapters' notebooks. A copy installed with pip (as every chapter's Colab
install cell does) has neither folder, so ``tools/snapshot_book_data.py`` copies both into
``book_data.json`` inside the package; ``d2lcnn.results`` and ``d2lcnn.book_runs`` read it when
the repository's folders are absent, and ``tests/test_results.py`` fails when it is stale.
"""
import json
import pathlib

FILE = pathlib.Path(__file__).with_name("book_data.json")


def packaged(key):
    """The snapshot's ``key`` (``"results"`` or ``"committed_runs"``); None without a snapshot."""
    try:
        with open(FILE, encoding="utf-8") as f:
            return json.load(f).get(key)
    except (OSError, ValueError):
        return None
