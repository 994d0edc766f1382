#!/usr/bin/env python3
"""Convert training runs measured elsewhere into the book's stored-runs form (``benchmarks/results/``).

    python tools/import_results.py ../shared/results/h200-2026-11-28.json
    python tools/import_results.py SOURCE.json --check     # exit 1 if the converted file is stale

The only format it reads today is the one of ``shared/results/h200-2026-11-28.json``: 16
ten-epoch runs of the notes' ten recipes on one H200, made with ``train_ch6`` at commit
``ee50cfb``, when ``fast=True`` meant bf16 autocast on a GPU (see that folder's README).
Nothing is retyped: each run's numbers are copied as they are, its recipe is found by the
run's name and checked against ``d2lcnn.RECIPES`` (learning rate, batch size, resize,
initialisation, epochs: a run that does not follow its recipe stops the conversion), and its
provenance goes onto every run: device, date, torch, code version, precision.

The converted file is marked ``supersedable``: the book's own later runs of a recipe on the
same device (``benchmarks/reproduce.py``, ``benchmarks/gpu_book.py``) take its place in the
results boxes and figures, while the file stays as the record of that measurement.
"""
import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's d2lcnn
from d2lcnn.recipes import RECIPES  # noqa: E402

OUT_DIR = ROOT / "benchmarks" / "results"
# The run names of that file and the recipes they are (its README gives this table).
NAMES = {"lenet-sigmoid": "lenet_sigmoid", "lenet-relu": "lenet_relu", "lenet-bn-scratch": "lenet_bn_scratch",
         "lenet-bn-concise": "lenet_bn_builtin", "alexnet": "alexnet", "vgg11-div4": "vgg11_4", "nin": "nin",
         "googlenet": "googlenet", "resnet18": "resnet18", "densenet": "densenet"}


def _precision(run):
    text = str(run.get("precision", ""))
    if text.startswith("bf16"):
        return "bf16 autocast"
    if text.startswith("fp32"):
        return "fp32"  # fast=False at that commit: plain fp32, no TF32
    raise ValueError(f"run {run.get('name')!r} seed {run.get('seed')}: unknown precision {text!r}")


def _check_recipe(run, name):
    r = RECIPES[name]
    resize = r.resize if r.resize != 28 else None
    got = (run["lr"], run["batch_size"], run.get("resize"), run["init"], run["epochs"])
    want = (r.lr, r.batch_size, resize, r.init, r.num_epochs)
    if got != want:
        raise ValueError(f"run {run['name']!r} seed {run['seed']} does not follow recipe {name!r}: "
                         f"(lr, batch size, resize, init, epochs) {got} != {want}")
    if len(run["test_acc_per_epoch"]) != r.num_epochs or run["test_acc_per_epoch"][-1] != run["test_acc"]:
        raise ValueError(f"run {run['name']!r} seed {run['seed']}: per-epoch test accuracies do not end "
                         f"at its final test accuracy")


def convert(source):
    """The stored-runs dict of the measurement file ``source``."""
    source = pathlib.Path(source)
    data = json.loads(source.read_text(encoding="utf-8"))
    device_name = data["device"].split("one ", 1)[-1]  # "cuda:0, one NVIDIA H200" -> "NVIDIA H200"
    code = {"commit": data["d2lcnn_commit"]}
    runs = []
    for run in data["runs"]:
        name = NAMES.get(run["name"])
        if name is None:
            raise ValueError(f"unknown run name {run['name']!r}; known: {', '.join(NAMES)}")
        _check_recipe(run, name)
        runs.append({
            "recipe": name, "seed": run["seed"], "variant": None, "fast": run["fast"], "profile": "full",
            "epochs": run["epochs"], "train_loss": run["train_loss"], "train_acc": run["train_acc"],
            "test_acc": run["test_acc"], "test_acc_per_epoch": run["test_acc_per_epoch"],
            "examples_per_sec": run["examples_per_sec"], "wall_s": run["wall_s"],
            "peak_gpu_mb": run.get("peak_gpu_mb"), "precision": _precision(run),
            "precision_note": run["precision"], "device": "cuda", "device_name": device_name,
            "torch": data["torch"], "code": code, "date": data["date"],
        })
    slug = f"cuda-{device_name.lower().replace(' ', '-')}-{data['date']}"
    return {"device": "cuda", "device_name": device_name, "slug": slug, "torch": data["torch"],
            "date": data["date"], "code": code, "supersedable": True,
            "source": f"shared/results/{source.name} (measured with train_ch6 at commit {code['commit']}, "
                      "when fast=True meant bf16 autocast on a GPU)",
            "runs": runs}


def render(converted):
    return json.dumps(converted, ensure_ascii=False, indent=1) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if the converted file differs; write nothing")
    args = parser.parse_args(argv)
    converted = convert(args.source)
    out = OUT_DIR / f"{converted['slug']}.json"
    if args.check:
        current = out.is_file() and out.read_text(encoding="utf-8") == render(converted)
        print(f"{out}: {'current' if current else 'stale or missing'}")
        return 0 if current else 1
    out.write_text(render(converted), encoding="utf-8")
    print(f"wrote {out}: {len(converted['runs'])} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
