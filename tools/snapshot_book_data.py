#!/usr/bin/env python3
"""Write d2lcnn/book_data.json, the packaged copy of the book's stored runs and chapter runs.

A reader who installs d2lcnn with pip (every chapter's Colab install cell does) gets the
package without the repository's ``benchmarks/results/`` and ``chapters/``, so the results
boxes and the summary chapter would have no numbers to show. This script copies what those
folders hold into the package (``d2lcnn/packaged.py`` reads it back):

    python tools/snapshot_book_data.py           # rewrite the snapshot
    python tools/snapshot_book_data.py --check   # exit 1 if it is stale

``tools/run_notebooks.py`` rewrites it after every run; ``tests/test_results.py`` fails
when it no longer matches the repository.
"""
import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's d2lcnn
from d2lcnn import book_runs, packaged, results  # noqa: E402


def snapshot():
    """What the repository holds now, read from its folders (never from an older snapshot)."""
    return {"results": results.load_results(ROOT / "benchmarks" / "results"),
            "chapter_runs": book_runs.chapter_runs(ROOT / "chapters")}


def render(data):
    return json.dumps(data, ensure_ascii=False, indent=1)  # keeps the recipes' order + "\n"


def is_current():
    return packaged.FILE.is_file() and packaged.FILE.read_text(encoding="utf-8") == render(snapshot())


def write():
    packaged.FILE.write_text(render(snapshot()), encoding="utf-8")
    return packaged.FILE


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the snapshot is stale; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        if is_current():
            return 0
        print(f"{packaged.FILE} is stale: run python3 tools/snapshot_book_data.py")
        return 1
    print(f"wrote {write()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
