#!/usr/bin/env python3
"""Reproduce the notes' ten training recipes over several seeds and store the results.

    python benchmarks/reproduce.py                                   # all ten recipes, seeds 0,1,2, fast mode
    python benchmarks/reproduce.py --only lenet_sigmoid,lenet_relu --seeds 0,1,2
    python benchmarks/reproduce.py --plain --only nin,googlenet      # train_ch6(fast=False)
    python benchmarks/reproduce.py --budget-s 1800                   # stop cleanly after 30 minutes
    python benchmarks/reproduce.py --only nin --variant head_relu=none   # a remedy: a changed recipe
    python benchmarks/reproduce.py --only googlenet --variant init=kaiming

Each run is one (recipe, seed, mode): ``d2lcnn.set_seed(seed)``, the loaders
of ``d2lcnn.load_data_fashion_mnist(**recipe.loader_kwargs())``,
``d2lcnn.set_seed(seed)`` again, a fresh ``recipe.build()``, then
``d2lcnn.train_ch6(..., profile="full", fast=..., plot=False)`` with the
recipe's epochs, learning rate and initialisation. Seeding twice makes a run
repeatable and independent of how much randomness the loader drew; it is also
what the LeNet chapter does for its extra seeds, so the stored runs can be
compared with the chapter's own lines. The recipes come from
``d2lcnn/recipes.py``: nothing is restated here.

After every run the script writes ``benchmarks/results/<device-slug>.json``
(``cpu-amd-epyc``, ``cuda-nvidia-h200``; see ``device_slug``) through a
temporary file and a rename, so an interrupted run never leaves a broken
file. It is resumable: a (recipe, seed, fast) already in the file is
skipped, so the same command can be run again after an interruption or with
more seeds. ``--budget-s`` stops between runs once that many seconds have
passed and lists what it skipped. Several processes may write the same file
at once (``benchmarks/gpu_book.py`` runs them side by side): each write holds
a lock on the folder, re-reads the file and adds its run.

``--variant KEY=VALUE`` (repeatable) trains a changed recipe, stored apart
from the notes' own: ``init=kaiming`` replaces the recipe's initialisation,
any other key is an argument of the network's constructor
(``head_relu=none`` for NiN). A run is identified by (recipe, seed, fast,
variant).

The file: ``device`` (``cpu``/``cuda``/``mps``), ``device_name``, ``slug``,
``torch``, ``python``, ``date`` (of the last write) and ``runs``, one record
per run: ``recipe``, ``seed``, ``fast``, ``profile`` (always ``full``),
``epochs``, ``train_loss``, ``train_acc``, ``test_acc`` (final epoch),
``test_acc_per_epoch``, ``train_acc_per_epoch``, ``train_loss_per_epoch``,
``examples_per_sec`` (train_ch6's: training examples over training time),
``wall_s`` (the whole run: loaders, network, training and evaluation),
``amp`` (autocast dtype or null) and ``channels_last`` (the speed settings
train_ch6 used), ``precision`` (what ran: ``fp32``, ``fp32+tf32`` - fast
mode on CUDA -, ``bf16 autocast`` or ``fp16 autocast``), ``variant`` (null
for the notes' recipe, else a dict such as ``{"head_relu": "none"}`` or
``{"init": "kaiming"}``), ``device_name``, for networks with batch
normalization ``test_acc_recalibrated`` (the final test accuracy after
``d2lcnn.recalibrate_bn`` over 40 training batches, beside the moving-average
``test_acc``), ``threads``, ``torch``, ``python``, ``code`` (git commit,
and whether ``d2lcnn/`` had uncommitted changes), ``date``. ``d2lcnn.results_box(name)`` and
``d2lcnn.summarize(name)`` read these files for the chapters.

The GPU work is one command on a CUDA machine (all ten recipes, three seeds,
fast mode; then plain mode for the recipes whose fast and plain runs disagreed):

    python benchmarks/reproduce.py --seeds 0,1,2 && \\
    python benchmarks/reproduce.py --seeds 0,1,2 --plain --only nin,googlenet,resnet18,lenet_bn_scratch,lenet_bn_builtin

then commit ``benchmarks/results/cuda-*.json``. Where a command may run only
a few minutes, give it a budget and call it again while it exits with status 3
(the budget ran out first; finished runs are kept, the next call resumes):

    python benchmarks/reproduce.py --seeds 0,1,2 --budget-s 500; echo $?

The CPU results (the four LeNet-family recipes; the others take hours on a
CPU) come from, on the shared build machine under its lock:

    flock /tmp/d2lcnn-cpu.lock python3 benchmarks/reproduce.py --seeds 0,1,2 \\
        --only lenet_sigmoid,lenet_relu,lenet_bn_scratch,lenet_bn_builtin
"""
import argparse
import contextlib
import dataclasses
import datetime
import fcntl
import json
import os
import pathlib
import platform
import re
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RESULTS_DIR = REPO / "benchmarks" / "results"
_clock = time.monotonic  # the budget's clock (tests replace it)


def slugify(text):
    """Lower-case ``text`` with runs of anything but letters and digits turned into single dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return slug[:60].strip("-") or "unknown"


def model_slug(name):
    """A device model name as a slug, without trademarks, clock speed and the words CPU/processor."""
    text = re.sub(r"\((r|tm|c)\)", " ", str(name).lower())
    text = re.sub(r"@.*$", " ", text)           # clock speed: '... CPU @ 2.20GHz'
    text = re.sub(r"\b(cpu|processor)\b", " ", text)
    return slugify(text)


def cpu_name():
    """The CPU's model name (from /proc/cpuinfo on Linux, else ``platform``)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def device_name(device):
    import torch
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return f"Apple {platform.machine()} (MPS)"
    return cpu_name()


def device_slug(device_type, name):
    """``cpu-amd-epyc``, ``cuda-nvidia-h200``: the device type and its model name, safe as a file name."""
    return f"{slugify(device_type)}-{model_slug(name)}"


RECALIBRATION_BATCHES = 40  # as chapter 11: enough batches for a stable average


def variant_key(variant):
    """A variant dict (or None) as a hashable, order-independent key: '' for the notes' recipe."""
    return json.dumps(variant, sort_keys=True) if variant else ""


def run_key(record):
    return (record["recipe"], int(record["seed"]), bool(record["fast"]), variant_key(record.get("variant")))


def read_results(path):
    """The stored file at ``path`` as a dict, or ``None`` when there is none."""
    path = pathlib.Path(path)
    if not path.is_file():
        return None
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise SystemExit(f"{path} is not a results file (no 'runs' list); move it away or pass --out")
    return data


def write_atomic(path, data):
    """Write ``data`` as JSON to ``path`` via a temporary file in the same folder and a rename."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def folder_lock(folder):
    """An exclusive lock on ``folder`` (flock on the directory itself: no lock file is left behind)."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def store_run(path, header, record):
    """Add ``record`` to the file at ``path`` (re-read under a lock, so nothing written meanwhile is lost)."""
    path = pathlib.Path(path)
    with folder_lock(path.parent):
        data = read_results(path) or {**header, "runs": []}
        data.update({k: v for k, v in header.items() if k not in ("device", "device_name", "slug")})
        runs = [r for r in data["runs"] if run_key(r) != run_key(record)] + [record]
        data["runs"] = sorted(runs, key=lambda r: (r["recipe"], variant_key(r.get("variant")), not r["fast"],
                                                   r["seed"]))
        write_atomic(path, data)
    return data


def parse_variant(items):
    """``['init=kaiming', 'head_relu=none']`` as a dict (None when empty), values as written."""
    if not items:
        return None
    variant = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"--variant takes KEY=VALUE (e.g. init=kaiming or head_relu=none), got {item!r}")
        variant[key.strip()] = value.strip()
    return variant


def apply_variant(r, variant):
    """Recipe ``r`` changed by ``variant``: ``init`` replaces its initialisation, other keys go to its constructor."""
    if not variant:
        return r
    changes = dict(variant)
    init = changes.pop("init", r.init)
    if init not in ("xavier", "kaiming"):
        raise ValueError(f"variant init={init!r}: use xavier or kaiming")
    kwargs = {**dict(r.model_kwargs), **changes}
    r2 = dataclasses.replace(r, init=init, model_kwargs=tuple(kwargs.items()))
    if changes:
        try:
            r2.build()  # a wrong argument fails here, before any data is loaded
        except (TypeError, ValueError) as err:
            raise ValueError(f"variant {variant} does not fit {r.name} ({r.model}): {err}") from None
    return r2


def precision_of(amp_dtype, device, fast):
    """What arithmetic ran, for a train_ch6 that does not report it itself (``history["precision"]``)."""
    if amp_dtype is not None:
        return "bf16 autocast" if "bfloat16" in str(amp_dtype) else "fp16 autocast"
    return "fp32+tf32" if fast and device.type == "cuda" else "fp32"


def parse_list(text, what, convert=str):
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not items:
        raise ValueError(f"--{what} is empty")
    return [convert(t) for t in items]


def parse_args(argv=None):
    import d2lcnn
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    p.add_argument("--only", default=None, help=f"comma-separated recipes (default all): {', '.join(d2lcnn.RECIPES)}")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--fast", dest="fast", action="store_true", default=True,
                      help="train_ch6(fast=True), its default speed-ups (default)")
    mode.add_argument("--plain", dest="fast", action="store_false", help="train_ch6(fast=False)")
    p.add_argument("--variant", action="append", default=None, metavar="KEY=VALUE",
                   help="a changed recipe: init=kaiming, or a constructor argument such as head_relu=none "
                        "(repeatable; stored apart from the notes' recipe)")
    p.add_argument("--budget-s", type=float, default=None,
                   help="start no new run after this many seconds; say what was skipped")
    p.add_argument("--out", default=None, help="results file (default benchmarks/results/<device-slug>.json)")
    p.add_argument("--data", default=None,
                   help="folder holding FashionMNIST/raw (default $D2LCNN_DATA, else ../shared/data, else the cache)")
    p.add_argument("--device", default=None, help="default: d2lcnn.try_gpu()")
    p.add_argument("--dry-run", action="store_true", help="list the runs that would be done, and stop")
    p.add_argument("--profile", default="full", choices=("full", "quick"),
                   help="quick: shortened runs for rehearsals (gpu_book.py --smoke); they are stored with "
                        "profile 'quick' and never count as results")
    args = p.parse_args(argv)
    try:
        args.seeds = parse_list(args.seeds, "seeds", int)
    except ValueError as err:
        p.error(f"--seeds must be comma-separated integers ({err})")
    if args.only is None:
        args.only = list(d2lcnn.RECIPES)
    else:
        try:
            args.only = parse_list(args.only, "only")
        except ValueError as err:
            p.error(str(err))
        unknown = [n for n in args.only if n not in d2lcnn.RECIPES]
        if unknown:
            p.error(f"unknown recipe{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                    f"the recipes are: {', '.join(d2lcnn.RECIPES)}")
    if args.budget_s is not None and args.budget_s <= 0:
        p.error("--budget-s must be positive")
    try:
        args.variant = parse_variant(args.variant)
        for n in args.only:
            apply_variant(d2lcnn.recipe(n), args.variant)
    except ValueError as err:
        p.error(str(err))
    return args


def data_root(arg):
    import d2lcnn
    if arg:
        return pathlib.Path(arg).expanduser()
    shared = REPO.parent / "shared" / "data"
    if not os.environ.get("D2LCNN_DATA") and (shared / "FashionMNIST").is_dir():
        return shared
    return d2lcnn.default_data_root()


def code_version():
    """The git commit of the checkout, and whether d2lcnn/ or this script differ from it (None outside git)."""
    import subprocess
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "d2lcnn", "benchmarks/reproduce.py"],
                                 cwd=REPO, capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(changed.strip())}


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def train_one(r, seed, fast, device, root, variant=None, profile="full"):
    """One run of recipe ``r`` (changed by ``variant``); returns its record.

    ``profile`` other than ``full`` is for rehearsals (``gpu_book.py --smoke``): such a
    run is shortened and must not be stored with the full ones.
    """
    import torch

    import d2lcnn
    from d2lcnn.device import speed_settings
    from d2lcnn.recalibrate import bn_layers, recalibrate_bn
    start = time.perf_counter()
    r = apply_variant(r, variant)
    d2lcnn.set_seed(seed)
    train_iter, test_iter = d2lcnn.load_data_fashion_mnist(**r.loader_kwargs(), root=root, device=device)
    d2lcnn.set_seed(seed)
    net = r.build()
    amp_dtype, channels_last = speed_settings(net, device, fast)
    h = d2lcnn.train_ch6(net, train_iter, test_iter, r.num_epochs, r.lr, device, init=r.init,
                         profile=profile, fast=fast, plot=False)
    if h["plan"].reduced and profile == "full":  # cannot happen; a shortened run must never be stored
        raise RuntimeError(f"train_ch6 shortened the run: {h['plan'].describe()}")
    extra = {}
    if bn_layers(net):
        fixed = recalibrate_bn(net, train_iter, num_batches=RECALIBRATION_BATCHES)
        extra["test_acc_recalibrated"] = d2lcnn.evaluate_accuracy_gpu(
            fixed, test_iter, device, max_examples=h["plan"].test_examples)
    precision = h.get("precision") or precision_of(amp_dtype, device, fast)
    return {"recipe": r.name, "seed": seed, "fast": fast, "profile": profile if h["plan"].reduced else "full",
            "epochs": len(h["epoch"]),
            "train_loss": h["final"]["train_loss"], "train_acc": h["final"]["train_acc"],
            "test_acc": h["final"]["test_acc"], "test_acc_per_epoch": h["test_acc"],
            "train_acc_per_epoch": h["train_acc"], "train_loss_per_epoch": h["train_loss"],
            "examples_per_sec": h["examples_per_sec"], "wall_s": round(time.perf_counter() - start, 2),
            "amp": str(amp_dtype).replace("torch.", "") if amp_dtype else None, "channels_last": channels_last,
            "precision": precision, "variant": variant or None, "device_name": device_name(device), **extra,
            "threads": torch.get_num_threads(), "torch": torch.__version__,
            "python": platform.python_version(), "code": code_version(), "date": now()}


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TQDM_DISABLE", "1")  # no progress bars in logs
    import torch

    import d2lcnn
    t0 = _clock()
    device = torch.device(args.device) if args.device else d2lcnn.try_gpu()
    name = device_name(device)
    slug = device_slug(device.type, name)
    out = pathlib.Path(args.out) if args.out else RESULTS_DIR / f"{slug}.json"
    header = {"device": device.type, "device_name": name, "slug": slug, "torch": torch.__version__,
              "python": platform.python_version(), "date": now()}
    stored = read_results(out)
    done = {run_key(r) for r in (stored or {}).get("runs", [])}
    if stored and stored.get("slug", slug) != slug:
        print(f"note: {out} holds runs of {stored.get('device_name')!r}, this is {name!r}", file=sys.stderr)
    # Seeds in the outer loop: a budget that runs out still leaves whole seeds of every recipe.
    todo = [(n, s) for s in args.seeds for n in args.only]
    vkey = variant_key(args.variant)
    pending = [(n, s) for n, s in todo if (n, s, args.fast, vkey) not in done]
    mode = ("fast" if args.fast else "plain") + (f", variant {args.variant}" if args.variant else "")
    print(f"{name} ({device}), torch {torch.__version__}, {torch.get_num_threads()} threads; {mode} mode; "
          f"{len(todo)} runs asked, {len(todo) - len(pending)} already in {out}", flush=True)
    if args.dry_run:
        for n, s in pending:
            print(f"  would run {n} seed {s} ({mode})")
        return 0
    root = data_root(args.data)
    skipped = []
    for k, (n, s) in enumerate(pending):
        elapsed = _clock() - t0
        if args.budget_s is not None and elapsed >= args.budget_s:
            skipped = pending[k:]
            break
        r = d2lcnn.recipe(n)
        print(f"\n=== {n} seed {s} ({mode}) [{k + 1}/{len(pending)}]: {r}", flush=True)
        record = train_one(r, s, args.fast, device, root, variant=args.variant, profile=args.profile)
        store_run(out, {**header, "date": now()}, record)
        recal = (f" (recalibrated BN: {record['test_acc_recalibrated']:.4f})"
                 if "test_acc_recalibrated" in record else "")
        print(f"=== {n} seed {s}: test acc {record['test_acc']:.4f}{recal}, train acc {record['train_acc']:.4f}, "
              f"{record['examples_per_sec']:,.0f} ex/s, {record['wall_s']:.0f} s, {record.get('precision')}; "
              f"saved to {out}", flush=True)
    if skipped:
        print(f"\nbudget of {args.budget_s:g} s spent after {_clock() - t0:.0f} s; "
              f"skipped {len(skipped)} run(s): " + ", ".join(f"{n} seed {s}" for n, s in skipped)
              + "\nrun the same command again to do them (finished runs are kept)", flush=True)
        return 3
    print(f"\nall {len(todo)} runs are in {out} ({_clock() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
