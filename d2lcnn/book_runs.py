"""Chapter runs: the training runs the book's chapters show, read back from their notebooks as records.

Each architecture chapter trains its recipe (``d2lcnn.recipes``) with
``train_ch6(..., recipe=r)``, and the committed notebook keeps that run's
record (``d2lcnn.runs``) in the metadata of the output that prints the run's
speed line. The summary chapter compares those runs without retyping a
number and without reading printed text:

* ``notebook_runs(path)`` - the run records in one notebook, in cell order;
* ``chapter_runs(chapters_dir=None)`` - the chapter run of each recipe, by recipe name.

The folder is ``chapters_dir`` if given, else $D2LCNN_CHAPTERS, else
``chapters/`` of the repository this package sits in. A pip-installed copy of
the package has no such folder; ``chapter_runs`` then returns the copy
packaged with it (``d2lcnn.packaged``), or ``{}`` without one.
"""
import json
import os
import pathlib

from .packaged import packaged
from .recipes import RECIPES
from .runs import record_of_output

__all__ = ["chapters_folder", "notebook_runs", "chapter_runs", "follows_recipe"]

ENV_VAR = "D2LCNN_CHAPTERS"


def chapters_folder(root=None):
    """The chapters folder: ``root`` if given, else $D2LCNN_CHAPTERS, else ``chapters/`` beside this package."""
    if root is not None:
        return pathlib.Path(root).expanduser()
    if os.environ.get(ENV_VAR):  # e.g. a pip-installed copy pointed at a clone (tools/colab_check.py)
        return pathlib.Path(os.environ[ENV_VAR]).expanduser()
    return pathlib.Path(__file__).resolve().parents[1] / "chapters"


def notebook_runs(path):
    """Every run record in the notebook at ``path``, in cell order, with ``chapter`` and ``cell_id`` added."""
    path = pathlib.Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            record = record_of_output(output)
            if record is not None:
                found.append({**record, "chapter": path.stem, "cell_id": cell.get("id")})
    return found


def follows_recipe(record, name):
    """True when ``record`` is a run of recipe ``name`` with the recipe's own hyper-parameters."""
    r = RECIPES[name]
    hyper = record.get("hyper", {})
    return (record.get("recipe") == name and hyper.get("num_epochs") == r.num_epochs
            and hyper.get("lr") == r.lr and hyper.get("batch_size") == r.batch_size
            and hyper.get("init") == r.init)


def chapter_runs(chapters_dir=None):
    """The chapter run of each recipe, as ``{recipe name: record}`` in the recipes' order.

    A recipe's chapter run is the first record in its chapter's notebook that
    names the recipe and uses its hyper-parameters (``follows_recipe``).
    Recipes whose notebook is missing or holds no such run are left out; with
    no chapters folder (a pip-installed package) the result is the packaged
    copy, or ``{}``.
    """
    folder = chapters_folder(chapters_dir)
    if not folder.is_dir():
        if chapters_dir is None and not os.environ.get(ENV_VAR):
            return packaged("chapter_runs") or {}
        return {}
    found, cache = {}, {}
    for name, r in RECIPES.items():
        path = folder / f"{r.chapter}.ipynb"
        if not path.is_file():
            continue
        if path not in cache:
            cache[path] = notebook_runs(path)
        match = next((rec for rec in cache[path] if follows_recipe(rec, name)), None)
        if match is not None:
            found[name] = match
    return found
