#!/usr/bin/env python3
"""Refresh the "notes vs. this book" boxes of chapters without re-running their training.

    python tools/refresh_boxes.py chapters/*.ipynb
    python tools/refresh_boxes.py chapters/09_nin.ipynb --match conv_stepper
    python tools/refresh_boxes.py chapters/*.ipynb --assets

A box (a code cell that is exactly ``d2lcnn.results_box("NAME")``) and the figure of a recipe's
stored runs (``figures = d2lcnn.show_figure(lambda lang: d2lcnn.plot_stored_runs("NAME", lang=lang))``)
show the runs stored in ``benchmarks/results``; when those files change, both are stale. This executes only the
box cells, in a fresh kernel, with both languages (as ``tools/run_notebooks.py`` does), and
writes their outputs back. Every other cell is left exactly as it is.

Others edit the chapters meanwhile: the cells run from a copy read before the run, and their
outputs go back inside ``run_notebooks.notebook_lock``, into the notebook as it is on disk then,
matched by cell id (a cell whose source changed meanwhile keeps its outputs and is named).

``--match REGEX`` picks other self-contained cells instead (e.g. a stepper whose saved HTML
changed with the widget code): the chapter's first two code cells (install, imports) run
first, then the matching cells, in order.

``--assets`` runs nothing: after a change to ``d2lcnn/widgets/stepper.css`` or ``stepper.js``
it puts the current files into every saved stepper (each stepper inlines both), which also
works for steppers whose cells need earlier cells' variables.
"""
import argparse
import os
import pathlib
import re
import sys

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run_notebooks import clean, inline_figures, notebook_lock

# A results box, or the figure of a recipe's stored runs: both show only benchmarks/results.
BOX = re.compile(r'^\s*(d2lcnn\.results_box\(\s*"[a-z0-9_]+"\s*\)'
                 r'|figures = d2lcnn\.show_figure\(lambda lang: '
                 r'd2lcnn\.plot_stored_runs\("[a-z0-9_]+", lang=lang\)\))\s*$')


def refresh(path, match=None):
    nb = nbformat.read(path, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if match is None:
        setup, boxes = ["import d2lcnn"], [i for i in code if BOX.match(nb.cells[i].source)]
    else:
        setup = [nb.cells[i].source for i in code[:2]]
        boxes = [i for i in code[2:] if re.search(match, nb.cells[i].source)]
    if not boxes:
        return 0
    scratch = nbformat.v4.new_notebook(metadata=nb.metadata)
    scratch.cells = [nbformat.v4.new_code_cell(src) for src in setup] + [
        nbformat.v4.new_code_cell(nb.cells[i].source) for i in boxes]
    os.environ["D2LCNN_OUTPUTS"] = "both"
    inline_figures()
    NotebookClient(scratch, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    clean(scratch)
    ran = {nb.cells[i].get("id"): (nb.cells[i].source, cell) for i, cell in zip(boxes, scratch.cells[len(setup):])}
    stale = []
    with notebook_lock():
        current = nbformat.read(path, as_version=4)  # the notebook as others left it while the cells ran
        for target in current.cells:
            source, cell = ran.get(target.get("id"), (None, None))
            if cell is None or target.cell_type != "code":
                continue
            if target.source != source:
                stale.append(target.get("id"))
                continue
            # keep the chapter's own numbering; a cell that never ran gets the scratch run's (nbval treats a
            # cell with outputs and no execution count as unrun)
            count = target.get("execution_count") or cell.get("execution_count")
            outputs = [nbformat.from_dict(dict(out)) for out in cell.outputs]
            for out in outputs:
                if "execution_count" in out:
                    out["execution_count"] = count
            target.outputs, target.execution_count = outputs, count
        nbformat.write(current, path)
    if stale:
        print(f"{path}: cells edited while they ran kept their old outputs: {', '.join(stale)}; run it again",
              flush=True)
    return len(boxes) - len(stale)


def refresh_assets(path):
    """Put the current stepper stylesheet and script into every saved stepper of notebook ``path``."""
    from d2lcnn.widgets.render import refresh_assets as restyle
    with notebook_lock():
        nb = nbformat.read(path, as_version=4)
        changed = 0
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html")
                new = restyle(html) if html else html
                if new != html:
                    out["data"]["text/html"] = new
                    changed += 1
        if changed:
            nbformat.write(nb, path)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--match", default=None, help="refresh the code cells matching this regex instead")
    parser.add_argument("--assets", action="store_true",
                        help="only put the current stepper.css/stepper.js into the saved steppers")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if args.assets:
            print(f"{path}: {refresh_assets(path)} stepper output(s) restyled")
        else:
            print(f"{path}: {refresh(path, args.match)} cell(s) refreshed")


if __name__ == "__main__":
    main()
