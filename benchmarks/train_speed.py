#!/usr/bin/env python3
"""Training speed: d2lcnn's data + training path against the d2l reference pipeline.

    python benchmarks/train_speed.py                       # LeNet 28 px and AlexNet 224 px (CPU default)
    python benchmarks/train_speed.py --cases lenet,alexnet --repeats 3 --batches 8
    python benchmarks/train_speed.py --pipelines reference,d2lcnn,d2lcnn-plain
    python benchmarks/train_speed.py --cases all           # every architecture (the default on CUDA)

What it measures, in one run on one machine: training examples/sec - data
loading plus forward, backward and SGD step, with the per-batch loss/accuracy
bookkeeping - for the same model, batch size, learning rate, initial weights
and example order through

* ``reference``: the pipeline the notes rely on, rewritten here from their
  description: ``torchvision.datasets.FashionMNIST`` with per-sample
  ``transforms.Resize`` (when resizing) + ``transforms.ToTensor``, a
  ``DataLoader(batch_size, shuffle=True, num_workers=4)`` and the notes'
  ``train_ch6`` step (``float()`` of loss and accuracy every batch);
* ``d2lcnn``: ``d2lcnn.load_data_fashion_mnist`` (each split held as one uint8
  tensor, batches indexed and resized in one call on the device) and
  ``d2lcnn.train_ch6`` in the ``full`` profile with its default speed-ups
  (``fast=True``); the number is ``train_ch6``'s own ``examples_per_sec``;
* ``d2lcnn-plain`` (optional): the same with ``fast=False``, to separate what
  the data path gives from what the speed settings give.

Both pipelines draw their shuffling order from a ``torch.Generator`` seeded
with ``--seed`` (the reference through the ``RandomSampler`` that
``shuffle=True`` builds, given its own generator), and build the model after
``torch.manual_seed(--seed)``, so they feed the same images in the same order
(up to resize interpolation: PIL per image vs. one batched
``F.interpolate``; at most 1/255 apart at 224 px).

Every (case, pipeline) runs in its own subprocess, so the peak RSS
(``ru_maxrss``, monotonic per process) and peak GPU memory are that case's
own. Each subprocess first runs an untimed warm-up, then ``--repeats``
measurements; the table shows the median, min and max, and the ratio of the
medians (pipeline / reference). ``loader MB`` is the resident memory the two
data loaders add (RSS before/after building them); Fashion-MNIST's uint8
size is 54.9 MB. For the reference the largest DataLoader worker's peak RSS
is shown too (the workers are separate processes).

A repeat of a 28 px case is one whole epoch (235 batches of 256), timed from
creating the iterator, so it includes the reference's worker start-up; its
test accuracy (all 10,000 test images, after that one epoch from the same
initial weights and order) is printed as the accuracy check. A repeat of a
larger case is ``--batches`` batches (default 8) after ``--warmup`` untimed
ones (default 2) of a fresh iterator; no accuracy is computed there.

Cases are the notes' recipes, read from ``d2lcnn.recipes`` (network, resolution,
batch size, lr, init and the notes' examples/sec), named as there; the short names
lenet (``lenet_relu``), lenet-sigmoid, vgg (``vgg11_4``) and lenet-bn
(``lenet_bn_scratch``) work too. ``--cases`` defaults to
``lenet,alexnet`` on a CPU and to ``all`` when CUDA is present; on CUDA the
table also shows the examples/sec the notes report and the ratio to it.

Options: --cases, --pipelines, --repeats (>= 3 recommended), --batches,
--warmup, --workers (reference DataLoader workers, default 4), --seed,
--root (else $D2LCNN_DATA, else ../shared/data beside the repository), --device (default: d2lcnn.try_gpu()).
Not part of the test suite; it takes about 5-10 minutes on a 2-core CPU.
"""
import argparse
import contextlib
import dataclasses
import io
import itertools
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import torch  # noqa: E402
from torch import nn  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Case:
    recipe: str         # name in d2lcnn.recipes, which holds the network and its hyper-parameters
    resize: int         # training resolution (28 = no resize)
    batch_size: int
    lr: float
    init: str
    notes_ex_per_sec: float | None  # what the notes print, for the GPU target
    notes_device: str | None


def _case(name):
    from d2lcnn.recipes import recipe
    r = recipe(name)
    return Case(name, r.resize, r.batch_size, r.lr, r.init, r.notes_examples_per_sec, r.notes_device)


def _cases():
    from d2lcnn.recipes import RECIPES
    return {name: _case(name) for name in RECIPES}


# Every recipe is a case under its own name, so a new chapter's recipe is benchmarked with no entry
# here; the short names are the ones this script accepted before and stand for the same recipes.
CASES = _cases()
SHORT_NAMES = {"lenet": "lenet_relu", "lenet-sigmoid": "lenet_sigmoid", "vgg": "vgg11_4",
               "lenet-bn": "lenet_bn_scratch"}
PIPELINES = ("reference", "d2lcnn", "d2lcnn-plain")


def build_model(case):
    from d2lcnn.recipes import recipe
    return recipe(case.recipe).build()


# ---------------------------------------------------------------- reference pipeline (the notes, rewritten)

def reference_loaders(batch_size, resize, root, seed, num_workers):
    """The notes' ``load_data_fashion_mnist``: per-sample PIL Resize + ToTensor, DataLoader with workers.

    ``shuffle=True`` makes ``RandomSampler(dataset)``; it is built here with its
    own seeded generator (a generator handed to the DataLoader would first be
    drawn from for the workers' base seed), so its order is ``randperm`` of
    that generator, epoch after epoch - the same as ``FashionMNISTBatches``.
    """
    import torchvision
    from torch.utils import data
    from torchvision import transforms
    trans = [transforms.ToTensor()]
    if resize and resize != 28:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    train = torchvision.datasets.FashionMNIST(root=str(root), train=True, transform=trans, download=False)
    test = torchvision.datasets.FashionMNIST(root=str(root), train=False, transform=trans, download=False)
    sampler = data.RandomSampler(train, generator=torch.Generator().manual_seed(int(seed)))
    return (data.DataLoader(train, batch_size, sampler=sampler, num_workers=num_workers),
            data.DataLoader(test, batch_size, shuffle=False, num_workers=num_workers))


def reference_accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def reference_evaluate(net, data_iter, device):
    net.eval()
    correct, seen = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += reference_accuracy(net(X), y)
            seen += y.numel()
    return correct / seen


def reference_init(net, method):
    def init(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if method == "kaiming":
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(m.weight)
    net.apply(init)


def reference_run(net, train_iter, device, lr, warmup, batches):
    """The notes' training loop over ``batches`` batches (after ``warmup`` untimed); returns examples/sec."""
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    metric = [0.0, 0.0, 0.0]
    net.train()
    it = iter(train_iter)
    for X, y in itertools.islice(it, warmup):
        _reference_step(net, X, y, device, optimizer, loss, metric)
    sync(device)
    start, seen = time.perf_counter(), 0
    for X, y in itertools.islice(it, batches):
        _reference_step(net, X, y, device, optimizer, loss, metric)
        seen += X.shape[0]
    sync(device)
    return seen / (time.perf_counter() - start)


def _reference_step(net, X, y, device, optimizer, loss, metric):
    optimizer.zero_grad()
    X, y = X.to(device), y.to(device)
    y_hat = net(X)
    l = loss(y_hat, y)  # noqa: E741 (the notes' name)
    l.backward()
    optimizer.step()
    with torch.no_grad():  # the notes' Accumulator: three host syncs per batch
        for k, v in enumerate((float(l) * X.shape[0], reference_accuracy(y_hat, y), X.shape[0])):
            metric[k] += float(v)


# ---------------------------------------------------------------- d2lcnn pipeline

class Take:
    """The first ``batches`` batches of a d2lcnn loader, seen by ``train_ch6`` as a loader of that size."""

    def __init__(self, loader, batches):
        self.loader, self.batches = loader, batches
        self.batch_size = loader.batch_size
        self.num_examples = min(loader.num_examples, batches * loader.batch_size)

    def __iter__(self):
        return itertools.islice(iter(self.loader), self.batches)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def default_root():
    """$D2LCNN_DATA, else the shared copy beside the repository (as the tests do), else d2lcnn's cache."""
    import d2lcnn
    shared = REPO.parent / "shared" / "data"
    if not os.environ.get("D2LCNN_DATA") and (shared / "FashionMNIST").is_dir():
        return str(shared)
    return str(d2lcnn.default_data_root())


def gpu_memory_reset(device, cuda=torch.cuda):
    """Start counting peak GPU memory on ``device`` (nothing on other devices).

    A fresh subprocess has not initialised CUDA yet, and ``reset_peak_memory_stats``
    then fails with "Invalid device argument": initialise it first. (``cuda`` is
    a parameter so the CPU test suite can check the order of calls with a fake.)
    """
    device = torch.device(device)
    if device.type != "cuda":
        return
    cuda.init()
    cuda.set_device(device)
    cuda.reset_peak_memory_stats(device)


def gpu_memory_peak_mb(device, cuda=torch.cuda):
    """Peak GPU memory in MiB since ``gpu_memory_reset``, or None off CUDA."""
    device = torch.device(device)
    if device.type != "cuda":
        return None
    return cuda.max_memory_allocated(device) / 2**20


def rss_now_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_case(name, pipeline, args):
    """One (case, pipeline) in this process: warm-up, repeats, memory. Returns a dict."""
    import d2lcnn
    case = CASES[name]
    device = torch.device(args.device) if args.device else d2lcnn.try_gpu()
    root = args.root or default_root()
    per_epoch = -(-60000 // case.batch_size)
    whole_epoch = case.resize == 28 and args.batches is None
    batches = per_epoch if whole_epoch else (args.batches or 8)
    warmup = 0 if whole_epoch else args.warmup
    gpu_memory_reset(device)
    import torchvision.datasets  # noqa: F401 (imported before measuring what the loaders add)
    rss0 = rss_now_mb()
    if pipeline == "reference":
        train_iter, test_iter = reference_loaders(case.batch_size, case.resize, root, args.seed, args.workers)
    else:
        train_iter, test_iter = d2lcnn.load_data_fashion_mnist(case.batch_size, resize=case.resize, root=root,
                                                               device=device, seed=args.seed, download=False)
    loader_mb = rss_now_mb() - rss0

    def fresh_net():
        torch.manual_seed(args.seed)
        return build_model(case)

    speeds, accs = [], []
    quiet = contextlib.redirect_stdout(io.StringIO())
    if pipeline == "reference":
        def once(n_warm, n_batches, evaluate):
            net = fresh_net()
            reference_init(net, case.init)
            net.to(device)
            speed = reference_run(net, train_iter, device, case.lr, n_warm, n_batches)
            return speed, (reference_evaluate(net, test_iter, device) if evaluate else None)
    else:
        fast = pipeline == "d2lcnn"

        def once(_, n_batches, evaluate):  # train_ch6 times all it trains: warm-up is a separate call
            net = fresh_net()
            test = test_iter if evaluate else Take(test_iter, 1)
            with quiet:
                h = d2lcnn.train_ch6(net, Take(train_iter, n_batches), test, 1, case.lr, device, init=case.init,
                                     profile="full", fast=fast, plot=False)
            return h["examples_per_sec"], (h["final"]["test_acc"] if evaluate else None)
    def reseed(k):
        # Repeat k shuffles with seed + k in both pipelines. (Reseeding matters: RandomSampler draws
        # one extra permutation whenever an epoch runs to its end, FashionMNISTBatches does not.)
        gen = train_iter.sampler.generator if pipeline == "reference" else train_iter.generator
        gen.manual_seed(args.seed + k)

    # untimed warm-up: kernels, allocator, thread pools
    reseed(1000)
    once(0, max(2, warmup), False)
    for k in range(args.repeats):
        reseed(k)
        # train_ch6 times all it trains, so d2lcnn's warm-up is only the call above; the reference
        # warms up each fresh iterator (worker start-up, prefetch) before its timed batches
        speed, acc = once(warmup if pipeline == "reference" else 0, batches, whole_epoch)
        speeds.append(speed)
        accs.append(acc)
    out = {"case": name, "pipeline": pipeline, "device": str(device), "speeds": speeds,
           "batches": batches, "whole_epoch": whole_epoch, "test_acc": accs, "loader_mb": loader_mb,
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
           "threads": torch.get_num_threads()}
    peak = gpu_memory_peak_mb(device)
    if peak is not None:
        out["peak_gpu_mb"] = peak
    if pipeline != "reference":
        out["speed_settings"] = [str(x) for x in d2lcnn.device.speed_settings(build_model(case), device,
                                                                               pipeline == "d2lcnn")]
    return out


# ---------------------------------------------------------------- driver

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", default=None, help=f"comma-separated, or 'all': {', '.join(CASES)} "
                                                            f"(or {', '.join(SHORT_NAMES)})")
    p.add_argument("--pipelines", default="reference,d2lcnn", help=f"comma-separated: {', '.join(PIPELINES)}")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--batches", type=int, default=None,
                   help="timed batches per repeat (default: a whole epoch at 28 px, else 8)")
    p.add_argument("--warmup", type=int, default=2, help="untimed batches before the timed ones (default 2)")
    p.add_argument("--workers", type=int, default=4, help="the reference DataLoader's num_workers (d2l: 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--root", default=None, help="folder holding FashionMNIST/raw (else $D2LCNN_DATA)")
    p.add_argument("--device", default=None, help="default: d2lcnn.try_gpu()")
    p.add_argument("--json", default=None, help="also write the raw results to this file")
    p.add_argument("--_one", default=None, help=argparse.SUPPRESS)  # internal: 'case:pipeline'
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be >= 1")
    return args


def fmt(x, digits=1):
    return "-" if x is None else f"{x:,.{digits}f}"


def main(argv=None):
    args = parse_args(argv)
    if args._one:
        name, pipeline = args._one.split(":")
        print("RESULT " + json.dumps(run_case(name, pipeline, args)), flush=True)
        return 0
    cuda = torch.cuda.is_available() and (args.device is None or args.device.startswith("cuda"))
    names = args.cases or ("all" if cuda else "lenet,alexnet")
    names = list(CASES) if names == "all" else [SHORT_NAMES.get(n, n) for n in names.split(",")]
    pipelines = args.pipelines.split(",")
    bad = [n for n in names if n not in CASES] + [p for p in pipelines if p not in PIPELINES]
    if bad:
        sys.exit(f"unknown case or pipeline: {', '.join(bad)}")
    forward = [a for a in (argv if argv is not None else sys.argv[1:])]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results = []
    for name in names:
        for pipeline in pipelines:
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, *forward, "--_one", f"{name}:{pipeline}"],
                                  capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(f"{name} / {pipeline} failed:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}", file=sys.stderr)
                continue
            r = json.loads(line[len("RESULT "):])
            r["wall_s"] = time.perf_counter() - t0
            r["load_after"] = os.getloadavg()[0]
            results.append(r)
            print(f"  {name:13s} {pipeline:12s} median {statistics.median(r['speeds']):10,.1f} ex/s  "
                  f"({', '.join(f'{s:,.1f}' for s in r['speeds'])}; {r['wall_s']:.0f} s, "
                  f"load {r['load_after']:.2f})", flush=True)
    print_table(results)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


def print_table(results):
    by_case = {}
    for r in results:
        by_case.setdefault(r["case"], {})[r["pipeline"]] = r
    gpu = any("peak_gpu_mb" in r for r in results)
    head = ("| case | device | pipeline | timed | median ex/s | min-max | ratio vs ref | test acc (1 epoch) "
            "| peak RSS MB | loader MB |" + (" peak GPU MB | vs notes |" if gpu else ""))
    print()
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, rows in by_case.items():
        ref = rows.get("reference")
        ref_med = statistics.median(ref["speeds"]) if ref else None
        case = CASES[name]
        for pipeline, r in rows.items():
            med = statistics.median(r["speeds"])
            ratio = f"{med / ref_med:.2f}x" if ref_med else "-"
            accs = [a for a in r["test_acc"] if a is not None]
            acc = f"{statistics.median(accs):.4f}" if accs else "-"
            rss = fmt(r["peak_rss_mb"], 0)
            if pipeline == "reference" and r.get("workers_peak_rss_mb"):
                rss += f" (+workers {r['workers_peak_rss_mb']:,.0f} each)"
            timed = "1 epoch" if r["whole_epoch"] else f"{r['batches']} batches"
            line = (f"| {name} {case.resize}px bs {case.batch_size} | {r['device']} | {pipeline} | {timed} "
                    f"| {med:,.1f} | {min(r['speeds']):,.1f}-{max(r['speeds']):,.1f} | {ratio} | {acc} "
                    f"| {rss} | {fmt(r['loader_mb'], 0)} |")
            if gpu:
                notes = (f"{med / case.notes_ex_per_sec:.1f}x of {case.notes_ex_per_sec:,.0f}"
                         if case.notes_ex_per_sec else "-")
                line += f" {fmt(r.get('peak_gpu_mb'), 0)} | {notes} |"
            print(line)
    settings = {r["pipeline"]: r.get("speed_settings") for r in results if r["pipeline"] != "reference"}
    if settings:
        print("\nd2lcnn speed settings (autocast dtype, channels_last) per pipeline, last case:", settings)


if __name__ == "__main__":
    sys.exit(main())
