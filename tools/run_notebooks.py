#!/usr/bin/env python3
"""Execute chapter notebooks and save them with clean outputs, as the book shows them.

    python tools/run_notebooks.py chapters/06_lenet.ipynb [...]   # profile auto (the default)
    D2LCNN_PROFILE=full python tools/run_notebooks.py chapters/*.ipynb

Outputs are what the site and Colab display, so they come from the ``auto`` or
``full`` profile, never ``quick`` (this script refuses it). After the run it
keeps only what a reader should see: progress-bar widgets (live-only, their
state is not saved) are dropped, and execution timestamps, widget state and
other volatile metadata are removed so that re-running a chapter changes the
file only where its results changed.
"""
import argparse
import contextlib
import fcntl
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # this checkout's d2lcnn
import d2lcnn

WIDGET = "application/vnd.jupyter.widget-view+json"
KEEP_NB_META = ("kernelspec", "language_info")
KEEP_CELL_META = ("tags", "id", "mystnb")  # mystnb holds figure alt text


def clean(nb):
    for key in list(nb.metadata):
        if key not in KEEP_NB_META:
            del nb.metadata[key]
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_META}
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET in data:
                continue
            if (out.output_type == "stream" and outputs and outputs[-1].output_type == "stream"
                    and outputs[-1].name == out.name):
                # how prints are split into chunks depends on timing: save one block per stream
                outputs[-1].text += out.text
                continue
            if out.output_type in ("display_data", "execute_result"):
                # image sizes and the like go; the language tag of a bilingual figure stays
                lang_tag = out.get("metadata", {}).get("d2lcnn")
                out["metadata"] = {"d2lcnn": lang_tag} if lang_tag else {}
                out.pop("transient", None)  # display ids of live updates
            outputs.append(out)
        cell.outputs = outputs
    return nb


def inline_figures():
    """Let the kernels draw with the inline backend, whatever this shell's MPLBACKEND says.

    The kernels inherit the environment; with MPLBACKEND=Agg (as scripts and tests set it) a
    displayed figure is saved as the text "<Figure size ...>" and the page shows no image.
    """
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"


@contextlib.contextmanager
def notebook_lock():
    """Hold the one lock of every read-modify-write of a chapter notebook.

    Several people (or helpers) edit the chapters while others run them: whoever writes a
    notebook reads it from disk, changes it and writes it back inside this lock, so that no
    edit is lost to a copy read before it.
    """
    lock_path = pathlib.Path(os.environ.get("D2LCNN_NB_LOCK", "/tmp/d2lcnn-notebooks.lock"))
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def merge_outputs(executed, path):
    """Put the outputs of ``executed`` into the notebook as it is on disk now, cell by cell id.

    A chapter can take many minutes to run; prose edited in the meantime must not be
    lost. So the executed copy gives only its code cells' outputs, and only to cells whose
    source is still the one that ran; a code cell edited meanwhile keeps its old outputs
    and is named, to be run again.
    """
    with notebook_lock():
        current = nbformat.read(path, as_version=4)
        ran = {c.get("id"): c for c in executed.cells if c.cell_type == "code"}
        stale = []
        for cell in current.cells:
            done = ran.get(cell.get("id"))
            if cell.cell_type != "code" or done is None:
                continue
            if done.source != cell.source:
                stale.append(cell.get("id"))
                continue
            cell.outputs, cell.execution_count = done.outputs, done.execution_count
        current.metadata = executed.metadata
        nbformat.write(clean(current), path)
    return stale


def run(path, timeout, out=None, cells=None):
    """Execute the notebook at ``path`` (in its folder) and save it, cleaned, to ``out`` (default: ``path``).

    Written back to ``path``, only the outputs change (``merge_outputs``): edits made to the
    file while it ran are kept. ``cells``: ids of the code cells to run, alone and in the
    notebook's order, in one fresh kernel (for self-contained cells, such as a new question or
    check, whose outputs do not depend on the cells before them); the others keep their outputs.
    """
    inline_figures()
    nb = nbformat.read(path, as_version=4)
    if cells:
        wanted = set(cells)
        missing = wanted - {c.get("id") for c in nb.cells if c.cell_type == "code"}
        if missing:
            sys.exit(f"{path}: no code cell with id {', '.join(sorted(missing))}")
        nb.cells = [c for c in nb.cells if c.get("id") in wanted]
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.time()
    client.execute()
    if out is not None:
        nbformat.write(clean(nb), out)
    else:
        stale = merge_outputs(nb, path)
        if stale:
            print(f"{path}: code cells edited while it ran kept their old outputs: {', '.join(stale)}; "
                  "run it again", flush=True)
    return time.time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--timeout", type=int, default=7200, help="seconds per cell")
    parser.add_argument("--cells", default="", help="comma-separated ids of self-contained code cells to run "
                        "alone, in one fresh kernel (one notebook only); the other cells keep their outputs")
    args = parser.parse_args(argv)
    cells = [c for c in args.cells.split(",") if c]
    if cells and len(args.notebooks) != 1:
        sys.exit("--cells names cells of one notebook: give exactly one")
    # d2lcnn's own reading of $D2LCNN_PROFILE (default auto): it normalises ("Quick" is quick)
    # and refuses unknown names, so what is checked here is what the notebooks will run.
    try:
        profile = d2lcnn.current_profile()
    except ValueError as err:
        sys.exit(str(err))
    if profile == "quick":
        sys.exit("refusing to save outputs of the quick profile: the book shows full or auto runs")
    os.environ["D2LCNN_PROFILE"] = profile  # the kernels inherit the checked name
    # Every figure is saved in both languages; each edition of the site keeps its own.
    os.environ["D2LCNN_OUTPUTS"] = "both"
    # Committed CPU runs are fp32 on every machine, so chapter 14 compares like with like: a CPU
    # with AVX-512 BF16 or AMX would otherwise train in bf16 by default. Set it to 1 to keep bf16.
    os.environ.setdefault("D2LCNN_CPU_BF16", "0")
    for path in args.notebooks:
        print(f"{path}: {run(path, args.timeout, cells=cells):.0f} s (profile {profile})", flush=True)
    # A pip-installed package carries the committed runs (and stored results) as package data.
    from snapshot_book_data import write
    print(f"updated {write()}")


if __name__ == "__main__":
    main()
