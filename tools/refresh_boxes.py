#!/usr/bin/env python3
"""Refresh the "notes vs. this book" boxes of chapters without re-running their training.

    python tools/refresh_boxes.py chapters/*.ipynb

A box (a code cell that is exactly ``d2lcnn.results_box("NAME")``) shows the runs stored in
``benchmarks/results``; when those files change, every box is stale. This executes only the
box cells, in a fresh kernel, with both languages (as ``tools/run_notebooks.py`` does), and
writes their outputs back. Every other cell is left exactly as it is.
"""
import argparse
import os
import pathlib
import re
import sys

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_notebooks import clean  # noqa: E402

BOX = re.compile(r'^\s*d2lcnn\.results_box\(\s*"[a-z0-9_]+"\s*\)\s*$')


def refresh(path):
    nb = nbformat.read(path, as_version=4)
    boxes = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and BOX.match(c.source)]
    if not boxes:
        return 0
    scratch = nbformat.v4.new_notebook(metadata=nb.metadata)
    scratch.cells = [nbformat.v4.new_code_cell("import d2lcnn")] + [
        nbformat.v4.new_code_cell(nb.cells[i].source) for i in boxes]
    os.environ["D2LCNN_OUTPUTS"] = "both"
    NotebookClient(scratch, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    clean(scratch)
    for i, cell in zip(boxes, scratch.cells[1:]):
        nb.cells[i].outputs = cell.outputs
    nbformat.write(nb, path)
    return len(boxes)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    for path in parser.parse_args(argv).notebooks:
        print(f"{path}: {refresh(path)} box(es) refreshed")


if __name__ == "__main__":
    main()
