"""The training runs whose outputs the book's chapters carry, read back from the notebooks.

Each architecture chapter trains its recipe (``d2lcnn.recipes``) once, and the
committed notebook keeps what ``train_ch6`` printed: the plan line (``training
on cpu; profile auto: the full recipe ...`` or ``training on cpu; SHORTENED RUN
(...)``), one line per epoch, the final ``loss X, train acc Y, test acc Z`` and
``N examples/sec on DEVICE``. The summary chapter compares those runs without
retyping a number, so this module parses them:

* ``notebook_runs(path)`` - every training run printed in one notebook, in order;
* ``committed_runs(chapters_dir=None)`` - the run of each recipe, by recipe name.

The folder is ``chapters_dir`` if given, else $D2LCNN_CHAPTERS, else
``chapters/`` of the repository this package sits in. A pip-installed copy of
the package has no such folder; ``committed_runs`` then returns the copy packaged
with it (``d2lcnn.packaged``), or ``{}`` without one.
"""
import json
import os
import pathlib
import re

from .packaged import packaged
from .recipes import RECIPES

__all__ = ["RUN_INDEX", "chapters_folder", "notebook_runs", "committed_runs"]

# Where a recipe's run sits among its chapter's training runs (0: the first one printed).
# Chapters with two recipes train them in this order; recipes not listed are their chapter's first run.
RUN_INDEX = {"lenet_sigmoid": 0, "lenet_relu": 1, "lenet_bn_scratch": 0, "lenet_bn_builtin": 1}

_PLAN = re.compile(r"^training on (\S+); (.*\S)\s*$")
_EPOCH = re.compile(r"^epoch (\d+), loss ")
_FINAL = re.compile(r"^loss ([-+\w.]+), train acc ([\d.]+), test acc ([\d.]+)\s*$")
_SPEED = re.compile(r"^([\d,.]+) examples/sec on (\S+)\s*$")
_OF_EPOCHS = re.compile(r"(\d+) of (\d+) epochs")
_FULL_EPOCHS = re.compile(r"(\d+) epochs? of ")
_PROFILE = re.compile(r"^profile (\w+):|^SHORTENED RUN \((\w+) profile")
_EXAMPLES = re.compile(r"(?:([\d,]+) of )?([\d,]+) training examples")


ENV_VAR = "D2LCNN_CHAPTERS"


def chapters_folder(root=None):
    """The chapters folder: ``root`` if given, else $D2LCNN_CHAPTERS, else ``chapters/`` beside this package."""
    if root is not None:
        return pathlib.Path(root).expanduser()
    if os.environ.get(ENV_VAR):  # e.g. a pip-installed copy pointed at a clone (tools/colab_check.py)
        return pathlib.Path(os.environ[ENV_VAR]).expanduser()
    return pathlib.Path(__file__).resolve().parents[1] / "chapters"


def _stdout(cell):
    return "".join("".join(o.get("text", "")) if isinstance(o.get("text"), list) else o.get("text", "")
                   for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name", "stdout") == "stdout")


def _epochs(plan):
    """(epochs run, epochs of the recipe) as the plan line states them, else (None, None)."""
    m = _OF_EPOCHS.search(plan)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _FULL_EPOCHS.search(plan)
    if m:
        return int(m.group(1)), int(m.group(1))
    return None, None


def _examples(plan):
    """(training examples per epoch, of the full training set) as the plan line states them, else (None, None)."""
    m = _EXAMPLES.search(plan)
    if not m:
        return None, None
    total = int(m.group(2).replace(",", ""))
    return (int(m.group(1).replace(",", "")) if m.group(1) else total), total


def notebook_runs(path):
    """Every complete training run printed in the notebook at ``path``, in the order of the cells.

    A run starts at a ``training on DEVICE; PLAN`` line and is complete once
    its final accuracy line and its speed line follow. Each run is a dict:
    ``chapter`` (the notebook's stem), ``cell`` (index of the code cell),
    ``cell_id``, ``device``, ``plan`` (the plan line after the device),
    ``profile`` (``full``, ``auto`` or ``quick``, as the plan names it),
    ``shortened`` (the plan says SHORTENED RUN), ``epochs`` (epoch lines
    printed), ``planned_epochs`` / ``recipe_epochs`` and ``train_examples`` /
    ``dataset_examples`` (per epoch, as the plan states them, else None),
    ``train_loss``, ``train_acc``, ``test_acc``, ``examples_per_sec``.
    """
    path = pathlib.Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    runs = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        run = None
        for line in _stdout(cell).splitlines():
            line = line.strip()
            m = _PLAN.match(line)
            if m:
                planned, total = _epochs(m.group(2))
                used, dataset = _examples(m.group(2))
                profile = _PROFILE.match(m.group(2))
                run = {"chapter": path.stem, "cell": index, "cell_id": cell.get("id"), "device": m.group(1),
                       "plan": m.group(2),
                       "profile": (profile.group(1) or profile.group(2)) if profile else None, "shortened": "SHORTENED RUN" in m.group(2), "epochs": 0,
                       "planned_epochs": planned, "recipe_epochs": total,
                       "train_examples": used, "dataset_examples": dataset}
                continue
            if run is None:
                continue
            if _EPOCH.match(line):
                run["epochs"] += 1
            elif (m := _FINAL.match(line)):
                run.update(train_loss=float(m.group(1)), train_acc=float(m.group(2)), test_acc=float(m.group(3)))
            elif (m := _SPEED.match(line)) and "test_acc" in run:
                run.update(examples_per_sec=float(m.group(1).replace(",", "")), speed_device=m.group(2))
                runs.append(run)
                run = None
    return runs


def committed_runs(chapters_dir=None):
    """The committed training run of each recipe, as ``{recipe name: run}`` in the recipes' order.

    ``run`` is a dict of ``notebook_runs`` with ``recipe`` added; it is the
    ``RUN_INDEX[name]``-th run (default the first) of the recipe's chapter
    notebook. Recipes whose notebook is missing or holds too few runs are left
    out; with no chapters folder (a pip-installed package) the result is the
    packaged copy, or ``{}``.
    """
    folder = chapters_folder(chapters_dir)
    if not folder.is_dir():
        if chapters_dir is None and not os.environ.get(ENV_VAR):
            return packaged("committed_runs") or {}
        return {}
    found, cache = {}, {}
    for name, r in RECIPES.items():
        path = folder / f"{r.chapter}.ipynb"
        if not path.is_file():
            continue
        if path not in cache:
            cache[path] = notebook_runs(path)
        runs, i = cache[path], RUN_INDEX.get(name, 0)
        if i < len(runs):
            found[name] = {"recipe": name, **runs[i]}
    return found
