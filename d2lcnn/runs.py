"""Run records: one training run as data, the same wherever it is kept.

Every ``train_ch6`` call produces a *run record*, a JSON-able dict that says
what ran and what it reached. The same record is kept in three places, and
everything that compares runs reads records, never printed text:

* **chapter runs** - a notebook output carries the record of the run it shows,
  in the output's metadata (``{"d2lcnn": {"run": record}}``), on the output
  that prints the run's speed line (``d2lcnn.book_runs`` reads them back);
* **stored runs** - ``benchmarks/results/<device>.json`` keeps full-recipe runs
  over several seeds (``benchmarks/reproduce.py`` writes them,
  ``d2lcnn.results`` reads them);
* **the packaged copy** - ``d2lcnn/book_data.json`` carries both for a
  pip-installed package (``d2lcnn.packaged``).

Fields of a record (``SCHEMA`` = 1): ``recipe`` (a name from
``d2lcnn.RECIPES``, or None), ``hyper`` (``num_epochs``, ``lr``,
``batch_size``, ``init``, ``optimizer``), ``model`` (the network's class),
``profile`` and ``cut`` (what ``profiles.plan_run`` kept of the recipe:
``epochs``/``recipe_epochs``, ``train_examples``/``dataset_examples``,
``test_examples``/``dataset_test_examples``), ``shortened``, the per-epoch
lists ``train_loss``, ``train_acc``, ``test_acc``, the ``final`` values,
``examples_per_sec``, and the provenance: ``device``, ``device_name``,
``precision`` (``PRECISIONS``), ``channels_last``, ``torch``, ``code``
(package version and, in a git checkout, the commit), ``date``.

This module sits at the bottom of the package: it imports nothing from ``d2lcnn``.
"""
import datetime
import functools
import pathlib
import platform
import subprocess

import torch

__all__ = ["SCHEMA", "PRECISIONS", "precision_name", "device_name", "code_version", "make_record",
           "RUN_KEY", "record_of_output"]

SCHEMA = 1
RUN_KEY = "run"  # the record's key inside an output's "d2lcnn" metadata
# What arithmetic a run used. "fp32+tf32": fp32 storage, TF32 matrix products (CUDA, fast=True).
PRECISIONS = ("fp32", "fp32+tf32", "bf16 autocast", "fp16 autocast")


def precision_name(device_type, amp_dtype, fast):
    """The name in ``PRECISIONS`` of what ``train_ch6`` runs with these speed settings."""
    if amp_dtype is torch.bfloat16:
        return "bf16 autocast"
    if amp_dtype is torch.float16:
        return "fp16 autocast"
    if amp_dtype is not None:
        raise ValueError(f"unknown autocast dtype {amp_dtype!r}")
    return "fp32+tf32" if (fast and device_type == "cuda") else "fp32"


@functools.lru_cache(maxsize=None)
def _cpu_name():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def device_name(device):
    """A readable name of ``device``: the GPU's name, or the CPU's model."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return _cpu_name()


@functools.lru_cache(maxsize=None)
def code_version():
    """``{"version": ..., "commit": ...}``: the package version and, in a git checkout, its commit."""
    from importlib import metadata
    try:
        version = metadata.version("d2lcnn")
    except metadata.PackageNotFoundError:
        version = None
    commit = None
    repo = pathlib.Path(__file__).resolve().parents[1]
    if (repo / ".git").exists():
        try:
            out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=10", "HEAD"],
                                 capture_output=True, text=True, timeout=5)
            commit = out.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            commit = None
    return {"version": version, "commit": commit}


def make_record(*, recipe, hyper, model, plan, history, examples_per_sec, device, precision,
                channels_last):
    """The record of one finished run (see the module docstring for the fields)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    device = torch.device(device)
    return {
        "schema": SCHEMA,
        "recipe": recipe,
        "hyper": dict(hyper),
        "model": model,
        "profile": plan.profile,
        "shortened": bool(plan.reduced),
        "cut": {"epochs": plan.num_epochs, "recipe_epochs": plan.recipe_epochs,
                "train_examples": plan.train_examples, "dataset_examples": plan.recipe_train,
                "test_examples": plan.test_examples, "dataset_test_examples": plan.recipe_test},
        "train_loss": [round(float(v), 6) for v in history["train_loss"]],
        "train_acc": [round(float(v), 6) for v in history["train_acc"]],
        "test_acc": [round(float(v), 6) for v in history["test_acc"]],
        "final": {k: round(float(v), 6) for k, v in history["final"].items()},
        "examples_per_sec": round(float(examples_per_sec), 1),
        "device": device.type,
        "device_name": device_name(device),
        "precision": precision,
        "channels_last": bool(channels_last),
        "torch": torch.__version__,
        "code": code_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def record_of_output(output):
    """The run record carried by a notebook output (a dict), or None."""
    meta = output.get("metadata") or {}
    tag = meta.get("d2lcnn") if isinstance(meta, dict) else None
    record = tag.get(RUN_KEY) if isinstance(tag, dict) else None
    return record if isinstance(record, dict) and record.get("schema") == SCHEMA else None
