#!/usr/bin/env python3
"""The book's GPU work in one command: full-recipe chapters, 3 seeds of every recipe, the remedies, nbval.

On a lent GPU machine (Python 3.12, torch with CUDA, no Jupyter packages; see
``tools/prepare_gpu_carry.py``, which builds the carry folder and prints the
exact call):

    python3 benchmarks/gpu_book.py --wheels .gpu_carry/wheels --data .gpu_carry/data --out $OUT --budget-s 540

Back here, with the files that came back:

    python3 benchmarks/gpu_book.py --apply FOLDER     # notebooks into chapters/, runs into benchmarks/results/

It does, in this order of priority, writing every result as soon as it exists:

a. re-executes chapters 07-13 in the ``full`` profile (``--chapters``) with
   nbclient, as ``tools/run_notebooks.py`` does, into a staging copy of
   ``chapters/`` (the repository's notebooks are never overwritten here);
b. seeds 0, 1, 2 of all ten recipes in the default precision
   (``benchmarks/reproduce.py``: one process per run, into
   ``$OUT/<device-slug>.json``; BN networks also get the recalibrated accuracy);
c. the remedies, 3 seeds each: NiN with ``head_relu=none``, GoogLeNet with
   ``init=kaiming`` (stored as variants in the same file);
   then chapter 14 (the summary), which reads the new runs and chapters;
d. nbval (quick profile, CUDA visible) of every chapter of the staging copy;
e. packs everything into at most 8 files in ``--out`` and prints one summary table.

Up to ``--jobs`` of the a/b/c tasks run at once, each in its own process (the
book's small networks leave a big GPU mostly idle; separate processes keep
their results independent). A task is started only while its estimated time
(``EST_S``, seconds on an H200 for one run alone) fits the time left. At
``--budget-s`` the tasks still running are stopped and reported as cut off;
finished ones are kept. nbval gets the last ``--nbval-s`` seconds of the budget.

What comes back (``--out``): ``summary.txt`` (the table), ``gpu_book.json``
(every task: state, seconds, exit status; the machine; the lever table),
``<device-slug>.json`` (the runs, reproduce.py's format), ``notebooks.tar.gz``
(the re-executed chapters), ``logs.tar.gz`` (one log per task, nbval's log).

``--smoke`` rehearses the same code path on a CPU in a few minutes: quick
profile, two recipes and one variant (seed 0), one chapter, nbval of that chapter.
``--levers`` measures the speed levers side by side instead (see ``levers``).
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FULL_CHAPTERS = ["07_alexnet", "08_vgg", "09_nin", "10_googlenet", "11_batch_norm", "12_resnet", "13_densenet"]
SUMMARY_CHAPTER = "14_summary"
REMEDIES = [("nin", {"head_relu": "none"}), ("googlenet", {"init": "kaiming"})]
SEEDS = (0, 1, 2)
# Seconds per task on an H200, run alone (issue 19: the last measured pass; chapters estimated from the
# recipes they train). Only used to decide whether a task can still finish inside the budget.
EST_S = {"lenet_sigmoid": 15, "lenet_relu": 15, "alexnet": 35, "vgg11_4": 50, "nin": 50, "googlenet": 120,
         "lenet_bn_scratch": 25, "lenet_bn_builtin": 15, "resnet18": 30, "densenet": 40,
         "07_alexnet": 60, "08_vgg": 80, "09_nin": 110, "10_googlenet": 260, "11_batch_norm": 150,
         "12_resnet": 60, "13_densenet": 70, "14_summary": 30}
# The rehearsal's "remedy" is a variant of a 28-px recipe: the same code path as the real ones (a variant,
# a BN network's recalibration), at a cost a CPU can pay in seconds; NiN at 224 px cannot.
SMOKE = {"recipes": ["lenet_relu", "lenet_bn_builtin"], "remedies": [("lenet_bn_builtin", {"init": "kaiming"})],
         "seeds": (0,), "chapters": ["05_pooling"]}  # a chapter with no training: the plumbing, quickly
CONTENTION = 1.5  # a task among others takes longer than alone: estimates are scaled by this


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


# ----------------------------------------------------------------------------- environment

def install_wheels(folder, target):
    """pip-install every wheel in ``folder`` into ``target`` (no index, no dependencies) and use it."""
    wheels = sorted(pathlib.Path(folder).glob("*.whl"))
    if not wheels:
        raise SystemExit(f"--wheels {folder}: no .whl files there (tools/prepare_gpu_carry.py makes them)")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
                    "--no-cache-dir", "--upgrade", "--target", str(target), *map(str, wheels)], check=True)
    add_path(target)
    return len(wheels)


def add_path(folder):
    folder = str(folder)
    sys.path.insert(0, folder)
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join([folder] + [p for p in parts if p != folder])


def missing_modules():
    import importlib.util
    need = ["nbformat", "nbclient", "ipykernel", "nbval", "matplotlib_inline", "ipywidgets"]
    return [m for m in need if importlib.util.find_spec(m) is None]


def machine():
    import torch
    info = {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
            "cuda": torch.cuda.is_available()}
    if info["cuda"]:
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


# ----------------------------------------------------------------------------- tasks

class Task:
    """One unit of work: a subprocess with its own log."""

    def __init__(self, step, name, argv, est_s, env=None, after=(), prepare=None):
        self.step, self.name, self.argv, self.est_s = step, name, argv, est_s
        self.env, self.after, self.prepare = env or {}, set(after), prepare
        self.state, self.rc, self.seconds, self.proc, self.t0, self.note = "waiting", None, None, None, None, ""

    def as_dict(self):
        return {"step": self.step, "name": self.name, "state": self.state, "rc": self.rc,
                "seconds": None if self.seconds is None else round(self.seconds, 1), "note": self.note}


class Runner:
    def __init__(self, args, work, out):
        self.args, self.work, self.out = args, work, out
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.t0 = time.monotonic()
        self.tasks, self.extra = [], {}

    def left(self):
        return self.args.budget_s - (time.monotonic() - self.t0)

    def start(self, task):
        if task.prepare is not None:
            task.prepare()
        env = {**os.environ, **task.env}
        log = open(self.logs / f"{task.step}-{task.name}.log", "w")
        task.proc = subprocess.Popen(task.argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        task.log, task.t0, task.state = log, time.monotonic(), "running"
        print(f"[{self.elapsed()}] start {task.step} {task.name}", flush=True)

    def elapsed(self):
        return f"{time.monotonic() - self.t0:5.0f} s"

    def finish(self, task, state):
        task.seconds = time.monotonic() - task.t0
        task.rc = task.proc.returncode
        task.state = state
        task.log.close()
        print(f"[{self.elapsed()}] {state} {task.step} {task.name} ({task.seconds:.0f} s, rc {task.rc})", flush=True)
        self.on_done(task)

    def on_done(self, task):
        pass

    def stop(self, task):
        try:
            os.killpg(task.proc.pid, signal.SIGTERM)
            task.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(task.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            task.proc.wait()
        task.note = "stopped at the budget"
        self.finish(task, "cut off")

    def run(self, tasks, until_s):
        """Run ``tasks`` (in list order, ``jobs`` at a time) until done or ``until_s`` seconds are left."""
        self.tasks += tasks
        pending, running = list(tasks), []
        while pending or running:
            for t in list(running):
                if t.proc.poll() is not None:
                    running.remove(t)
                    self.finish(t, "done" if t.proc.returncode == 0 else "failed")
            time_left = self.left() - until_s
            if time_left <= 0:
                for t in running:
                    self.stop(t)
                for t in pending:
                    t.state, t.note = "skipped", "no time left"
                return
            finished = {t.name for t in self.tasks if t.state in ("done", "failed", "cut off", "skipped")}
            for t in list(pending):
                if len(running) >= self.args.jobs:
                    break
                if not t.after <= finished:
                    continue
                scale = CONTENTION if self.args.jobs > 1 else 1.0
                if t.est_s * scale * self.args.est_scale > time_left:
                    est = t.est_s * scale * self.args.est_scale
                    t.state, t.note = "skipped", f"estimated {est:.0f} s > {time_left:.0f} s left"
                    pending.remove(t)
                    print(f"[{self.elapsed()}] skip {t.step} {t.name}: {t.note}", flush=True)
                    continue
                pending.remove(t)
                self.start(t)
                running.append(t)
            if not running and pending and not any(t.after <= finished for t in pending):
                for t in pending:  # waiting for a task that will never finish
                    t.state, t.note = "skipped", "a task it needs did not run"
                return
            time.sleep(0.2)


# ----------------------------------------------------------------------------- one notebook (worker)

def execute_notebook(src, dest, timeout):
    """Execute ``src`` as tools/run_notebooks.py does, writing the cleaned notebook to ``dest``."""
    sys.path.insert(0, str(REPO / "tools"))
    import run_notebooks
    elapsed = run_notebooks.run(pathlib.Path(src), timeout, out=pathlib.Path(dest))
    print(f"{src}: {elapsed:.0f} s (profile {os.environ.get('D2LCNN_PROFILE')})")


# ----------------------------------------------------------------------------- the book run

def stage(work):
    """A copy of chapters/ (and images/ beside it) that the run executes and tests; results beside it.

    ``work`` lies inside the repository (``_build/``, ignored), so pytest finds the repository's conftest.py.
    """
    chapters = work / "chapters"
    shutil.copytree(REPO / "chapters", chapters, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if (REPO / "images").is_dir() and not (work / "images").exists():
        (work / "images").symlink_to(REPO / "images")
    results = work / "results"
    shutil.copytree(REPO / "benchmarks" / "results", results)
    return chapters, results


def book_tasks(args, chapters, out_json):
    py = sys.executable
    smoke = args.smoke
    recipes = SMOKE["recipes"] if smoke else list(_recipes())
    remedies = SMOKE["remedies"] if smoke else REMEDIES
    seeds = SMOKE["seeds"] if smoke else SEEDS
    profile = "quick" if smoke else "full"
    nb_env = {"D2LCNN_PROFILE": profile, "D2LCNN_OUTPUTS": "both", "TQDM_DISABLE": "1"}
    tasks = []
    for ch in args.chapters:
        nb = chapters / f"{ch}.ipynb"
        tasks.append(Task("a", ch, [py, __file__, "--_notebook", str(nb), "--_dest", str(nb),
                                    "--timeout", str(args.cell_timeout)], EST_S.get(ch, 120), nb_env))
    repro = [py, str(REPO / "benchmarks" / "reproduce.py"), "--out", str(out_json), "--profile", profile]
    if args.device:
        repro += ["--device", args.device]
    if args.data:
        repro += ["--data", str(args.data)]
    for s in seeds:  # seeds outside: a budget that runs out leaves whole seeds of every recipe
        for n in recipes:
            tasks.append(Task("b", f"{n}-s{s}", repro + ["--only", n, "--seeds", str(s)], EST_S.get(n, 60)))
    for n, variant in remedies:
        for s in seeds:
            flags = [f for k, v in variant.items() for f in ("--variant", f"{k}={v}")]
            tag = "-".join(f"{k}-{v}" for k, v in variant.items())
            tasks.append(Task("c", f"{n}-{tag}-s{s}", repro + ["--only", n, "--seeds", str(s)] + flags,
                              EST_S.get(n, 60)))
    if not smoke and SUMMARY_CHAPTER not in args.chapters:
        nb = chapters / f"{SUMMARY_CHAPTER}.ipynb"
        tasks.append(Task("c", SUMMARY_CHAPTER, [py, __file__, "--_notebook", str(nb), "--_dest", str(nb),
                                                 "--timeout", str(args.cell_timeout)],
                          EST_S[SUMMARY_CHAPTER], nb_env, after=[t.name for t in tasks]))
    # Each process gets its share of the CPU threads (the kernels and the runs share the machine's cores).
    threads = str(max(1, (os.cpu_count() or 2) // max(1, args.jobs)))
    for t in tasks:
        t.env.setdefault("OMP_NUM_THREADS", threads)
        t.env.setdefault("TQDM_DISABLE", "1")
    return tasks


def _recipes():
    import d2lcnn
    return d2lcnn.RECIPES


def merge_into(results_dir, out_json):
    """Add the runs of ``out_json`` to the file of the same name in ``results_dir`` (reproduce's store_run)."""
    if not out_json.is_file():
        return 0
    repro = _reproduce()
    data = json.loads(out_json.read_text())
    header = {k: v for k, v in data.items() if k != "runs"}
    for record in data["runs"]:
        repro.store_run(pathlib.Path(results_dir) / out_json.name, header, record)
    return len(data["runs"])


def _reproduce():
    import importlib.util
    spec = importlib.util.spec_from_file_location("reproduce", pathlib.Path(__file__).with_name("reproduce.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nbval_task(args, chapters):
    """pytest --nbval over the staging chapters, quick profile (what CI checks), CUDA visible."""
    import importlib.util
    names = args.chapters if args.smoke else sorted(p.stem for p in chapters.glob("*.ipynb"))
    argv = [sys.executable, "-m", "pytest", "-q", "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
            *[str(chapters / f"{n}.ipynb") for n in names]]
    if importlib.util.find_spec("xdist") is not None and args.jobs > 1 and len(names) > 1:
        argv += ["-n", str(min(args.jobs, len(names))), "--dist", "loadfile"]
    env = {"D2LCNN_PROFILE": "quick", "D2LCNN_OUTPUTS": "both", "MPLBACKEND": "Agg",
           "D2LCNN_CHAPTERS": str(chapters)}
    return Task("d", "nbval", argv, 60, env)


def pack(runner, chapters, out_json, summary):
    """The files that come back: at most 8 (see the module docstring). Safe to call repeatedly."""
    out = runner.out
    out.mkdir(parents=True, exist_ok=True)

    def tar(name, files):
        tmp = out / f".{name}.part"
        with tarfile.open(tmp, "w:gz") as t:
            for path, arc in files:
                t.add(path, arcname=arc)
        os.replace(tmp, out / name)

    done = [t for t in runner.tasks if t.step in "ac" and t.state == "done" and t.argv[2:3] == ["--_notebook"]]
    if done:
        tar("notebooks.tar.gz", [(chapters / f"{t.name}.ipynb", f"chapters/{t.name}.ipynb") for t in done])
    tar("logs.tar.gz", [(p, f"logs/{p.name}") for p in sorted(runner.logs.glob("*.log"))])
    status = {"date": now(), "elapsed_s": round(time.monotonic() - runner.t0, 1), "budget_s": runner.args.budget_s,
              "smoke": runner.args.smoke, "jobs": runner.args.jobs, "machine": runner.extra.get("machine"),
              "results_file": out_json.name if out_json.is_file() else None,
              "tasks": [t.as_dict() for t in runner.tasks], **{k: v for k, v in runner.extra.items()
                                                             if k != "machine"}}
    _write(out / "gpu_book.json", json.dumps(status, indent=1) + "\n")
    _write(out / "summary.txt", summary)


def _write(path, text):
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def summary_table(runner, out_json):
    """One table: every task's state and time, and each recipe's runs (mean test accuracy, ex/s)."""
    lines = [f"gpu_book {'(smoke) ' if runner.args.smoke else ''}{now()}: {runner.extra.get('machine')}",
             f"wall {time.monotonic() - runner.t0:.0f} s of a {runner.args.budget_s:g} s budget, "
             f"{runner.args.jobs} tasks at a time", ""]
    counts = {}
    for t in runner.tasks:
        counts.setdefault(t.step, {}).setdefault(t.state, 0)
        counts[t.step][t.state] += 1
    names = {"a": "chapters re-executed", "b": "recipe runs", "c": "remedies (+ chapter 14)", "d": "nbval"}
    for step in "abcd":
        if step in counts:
            lines.append(f"{step}. {names[step]}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts[step].items())))
    bad = [t for t in runner.tasks if t.state != "done"]
    for t in bad:
        lines.append(f"   {t.step} {t.name}: {t.state}" + (f" ({t.note})" if t.note else ""))
    if out_json.is_file():
        runs = json.loads(out_json.read_text())["runs"]
        groups = {}
        for r in runs:
            key = (r["recipe"], json.dumps(r.get("variant"), sort_keys=True) if r.get("variant") else "")
            groups.setdefault(key, []).append(r)
        lines += ["", f"{'recipe':<18}{'variant':<22}{'precision':<14}{'seeds':<7}{'test acc':>10}"
                      f"{'recalib.':>10}{'train acc':>10}{'ex/s':>10}{'s/run':>7}"]
        for (name, v), rs in sorted(groups.items()):
            def mean(key):
                vals = [r[key] for r in rs if r.get(key) is not None]
                return sum(vals) / len(vals) if vals else None
            recal = mean("test_acc_recalibrated")
            lines.append(f"{name:<18}{(v or '-'):<22}{rs[0].get('precision', '?'):<14}"
                         f"{','.join(str(r['seed']) for r in sorted(rs, key=lambda r: r['seed'])):<7}"
                         f"{mean('test_acc'):>10.4f}{(f'{recal:.4f}' if recal is not None else '-'):>10}"
                         f"{mean('train_acc'):>10.4f}{mean('examples_per_sec'):>10,.0f}{mean('wall_s'):>7.0f}")
    levers = runner.extra.get("levers")
    if levers:
        lines += ["", levers_table(levers)]
    return "\n".join(lines) + "\n"


def book(args):
    out = pathlib.Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (REPO / "_build").mkdir(exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="gpu_book-work-", dir=REPO / "_build"))
    runner = Runner(args, work, out)
    runner.extra["machine"] = machine()
    if args.levers:
        runner.extra["levers"] = levers(args, runner)
        summary = summary_table(runner, out / "none.json")
        pack(runner, work, out / "none.json", summary)
        print(summary)
        return 0
    import d2lcnn
    device = d2lcnn.try_gpu() if args.device is None else d2lcnn.check_device(args.device)
    repro = _reproduce()
    slug = repro.device_slug(device.type, repro.device_name(device))
    out_json = out / f"{slug}{'-smoke' if args.smoke else ''}.json"
    chapters, results_dir = stage(work)
    print(f"gpu_book: {runner.extra['machine']}; staging in {work}; results to {out_json}", flush=True)
    tasks = book_tasks(args, chapters, out_json)
    # chapter 14 and nbval read the new runs and the re-executed chapters, not the committed ones
    os.environ["D2LCNN_RESULTS"] = str(results_dir)
    os.environ["D2LCNN_CHAPTERS"] = str(chapters)
    for t in tasks:
        if t.name == SUMMARY_CHAPTER:
            t.prepare = lambda: merge_into(results_dir, out_json)
    runner.on_done = lambda task: pack(runner, chapters, out_json, summary_table(runner, out_json))
    nbval_s = args.nbval_s if "d" in args.steps else 0
    runner.run([t for t in tasks if t.step in args.steps], until_s=nbval_s + 5)
    if "d" in args.steps:
        runner.run([nbval_task(args, chapters)], until_s=5)
    summary = summary_table(runner, out_json)
    pack(runner, chapters, out_json, summary)
    shutil.rmtree(work, ignore_errors=True)  # everything worth keeping is packed in --out
    print("\n" + summary, flush=True)
    failed = [t for t in runner.tasks if t.state != "done"]
    return 0 if not failed else 3


# ----------------------------------------------------------------------------- levers

def levers(args, runner):
    """Speed levers side by side (``--levers``): each a short timed training of the same recipe and seed.

    The rows, each against the first: the default path (``train_ch6``'s fast
    mode: channels_last, cuDNN autotune, TF32, data resident on the device),
    fused and foreach SGD, bf16 autocast, data copied from the host each batch
    (not resident), ``torch.compile`` (default and ``reduce-overhead``: CUDA
    graphs), and ``--jobs`` processes at once (the aggregate examples/sec).
    Each row gives examples/sec and the training loss after the same steps from
    the same weights, so a lever that changes the arithmetic shows it. Levers
    that cannot run here say why instead of a number.
    """
    rows = []
    for name in args.lever_recipes:
        for lever in LEVERS:
            if time.monotonic() - runner.t0 > args.budget_s - 30:
                rows.append({"recipe": name, "lever": lever, "error": "no time left"})
                continue
            cmd = [sys.executable, __file__, "--_lever", f"{name}:{lever}", "--lever-steps", str(args.lever_steps)]
            if args.device:
                cmd += ["--device", args.device]
            if args.data:
                cmd += ["--data", str(args.data)]
            if lever == "processes":
                cmd[3] = f"{name}:default"
                procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
                         for _ in range(args.jobs)]
                outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
                errors = [o["error"] for o in outs if "error" in o]
                row = ({"error": errors[0]} if errors else
                       {"examples_per_sec": sum(o["examples_per_sec"] for o in outs), "loss": outs[0]["loss"],
                        "note": f"{args.jobs} processes at once, sum"})
            else:
                res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
                try:
                    row = json.loads(res.stdout.strip().splitlines()[-1])
                except (ValueError, IndexError):
                    row = {"error": (res.stderr.strip().splitlines() or ["no output"])[-1][:200]}
            rows.append({"recipe": name, "lever": lever, **row})
            print(f"lever {name} {lever}: {rows[-1]}", flush=True)
    base = {r["recipe"]: r.get("examples_per_sec") for r in rows if r["lever"] == "default"}
    for r in rows:
        if r.get("examples_per_sec") and base.get(r["recipe"]):
            r["ratio"] = round(r["examples_per_sec"] / base[r["recipe"]], 3)
    return rows


LEVERS = ["default", "plain", "fused_sgd", "foreach_sgd", "bf16", "host_data", "compile", "compile_graphs",
          "processes"]


def levers_table(rows):
    lines = [f"{'recipe':<12}{'lever':<16}{'ex/s':>10}{'ratio':>8}{'loss':>9}  note"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['recipe']:<12}{r['lever']:<16}{'-':>10}{'-':>8}{'-':>9}  {r['error']}")
        else:
            lines.append(f"{r['recipe']:<12}{r['lever']:<16}{r['examples_per_sec']:>10,.0f}"
                         f"{r.get('ratio', float('nan')):>8.2f}{r['loss']:>9.4f}  {r.get('note', '')}")
    return "\n".join(lines)


def one_lever(spec, steps, device_arg, data):
    """Time ``steps`` SGD steps of a recipe with one lever (a worker process); prints one JSON line."""
    import torch
    from torch import nn

    import d2lcnn
    from d2lcnn.device import device_speedups, speed_settings
    name, lever = spec.split(":")
    r = d2lcnn.recipe(name)
    device = d2lcnn.try_gpu() if device_arg is None else d2lcnn.check_device(device_arg)
    fast = lever != "plain"
    d2lcnn.set_seed(0)
    train_iter, _ = d2lcnn.load_data_fashion_mnist(**r.loader_kwargs(), root=data,
                                                   device="cpu" if lever == "host_data" else device)
    batches = []
    for X, y in train_iter:
        batches.append((X, y))
        if len(batches) == steps + 3:
            break
    d2lcnn.set_seed(0)
    net = r.build()
    d2lcnn.init_weights(net, r.init)
    net.to(device)
    amp_dtype, channels_last = speed_settings(net, device, fast, "bf16" if lever == "bf16" else None)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    opt_kwargs = {"fused": True} if lever == "fused_sgd" else {"foreach": True} if lever == "foreach_sgd" else {}
    optimizer = torch.optim.SGD(net.parameters(), lr=r.lr, **opt_kwargs)
    loss_fn = nn.CrossEntropyLoss()
    model = net
    if lever.startswith("compile"):
        model = torch.compile(net, mode="reduce-overhead" if lever == "compile_graphs" else None)

    def step(X, y):
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if channels_last:
            X = X.contiguous(memory_format=torch.channels_last)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        return loss.detach()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    with device_speedups(device, fast):
        for X, y in batches[:3]:  # warm-up: autotuning, compilation
            step(X, y)
        sync()
        t0 = time.perf_counter()
        losses = [step(X, y) for X, y in batches[3:]]
        sync()
        seconds = time.perf_counter() - t0
    n = sum(len(y) for _, y in batches[3:])
    print(json.dumps({"examples_per_sec": round(n / seconds, 1), "loss": float(losses[-1]),
                      "steps": len(losses), "precision": str(amp_dtype or "fp32")}))


# ----------------------------------------------------------------------------- apply (back home)

def apply(folder):
    """Put what came back into the repository: notebooks into chapters/, runs into benchmarks/results/."""
    folder = pathlib.Path(folder)
    status = json.loads((folder / "gpu_book.json").read_text())
    if status.get("smoke"):
        raise SystemExit(f"{folder} holds a --smoke rehearsal (quick-profile runs): nothing to apply")
    archive = folder / "notebooks.tar.gz"
    names = []
    if archive.is_file():
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                if not (m.isfile() and m.name.startswith("chapters/") and m.name.endswith(".ipynb")
                        and "/" not in m.name[len("chapters/"):]):
                    raise SystemExit(f"{archive}: unexpected member {m.name!r}; nothing applied")
            t.extractall(REPO, filter="data")
            names = [m.name for m in t.getmembers()]
    n = merge_into(REPO / "benchmarks" / "results", folder / status["results_file"]) if status.get(
        "results_file") else 0
    print(f"applied {len(names)} notebook(s): {', '.join(names) or '-'}; {n} run(s) into benchmarks/results/")
    print("next: python3 tools/refresh_boxes.py chapters/*.ipynb && python3 tools/snapshot_book_data.py, "
          "then review `git diff --stat` and commit")
    return 0


# ----------------------------------------------------------------------------- main

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=None, help="where the files that come back go (default $OUT, else _build/gpu_book)")
    p.add_argument("--budget-s", type=float, default=540, help="stop cleanly before this many seconds (default 540)")
    p.add_argument("--jobs", type=int, default=None, help="tasks at once (default 6 on CUDA, 2 on a CPU)")
    p.add_argument("--steps", default="abcd", help="which of a, b, c, d to run (default abcd; e always)")
    p.add_argument("--chapters", default=None, help="comma-separated notebook stems for step a (default 07-13)")
    p.add_argument("--wheels", default=None, help="folder of .whl files to install first (the carry folder's)")
    p.add_argument("--data", default=None, help="folder holding FashionMNIST/raw (.gz is read as is)")
    p.add_argument("--device", default=None, help="default: d2lcnn.try_gpu()")
    p.add_argument("--smoke", action="store_true", help="rehearsal on a CPU: quick profile, 2 recipes, 1 chapter")
    p.add_argument("--levers", action="store_true", help="measure the speed levers side by side instead")
    p.add_argument("--lever-recipes", default="resnet18,googlenet", help="recipes for --levers")
    p.add_argument("--lever-steps", type=int, default=40, help="timed SGD steps per lever (after 3 warm-up steps)")
    p.add_argument("--nbval-s", type=float, default=150, help="seconds kept for nbval at the end (default 150)")
    p.add_argument("--cell-timeout", type=int, default=900, help="seconds per notebook cell")
    p.add_argument("--est-scale", type=float, default=None,
                   help="multiply the time estimates (default 1; 0, the --smoke default, starts every task)")
    p.add_argument("--apply", default=None, metavar="FOLDER", help="put a run's files into the repository")
    p.add_argument("--_notebook", default=None, help=argparse.SUPPRESS)
    p.add_argument("--_dest", default=None, help=argparse.SUPPRESS)
    p.add_argument("--timeout", type=int, default=900, help=argparse.SUPPRESS)
    p.add_argument("--_lever", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.budget_s <= 0:
        p.error("--budget-s must be positive")
    if not set(args.steps) <= set("abcd"):
        p.error(f"--steps takes letters from abcd, got {args.steps!r}")
    if args.chapters is None:
        args.chapters = SMOKE["chapters"] if args.smoke else FULL_CHAPTERS
    else:
        args.chapters = [c.strip().removesuffix(".ipynb") for c in args.chapters.split(",") if c.strip()]
        unknown = [c for c in args.chapters if not (REPO / "chapters" / f"{c}.ipynb").is_file()]
        if unknown:
            p.error(f"no chapter notebook {', '.join(unknown)} in chapters/")
    if args.est_scale is None:
        args.est_scale = 0.0 if args.smoke else 1.0
    args.lever_recipes = [n.strip() for n in args.lever_recipes.split(",") if n.strip()]
    if args.out is None:
        args.out = os.environ.get("OUT") or str(REPO / "_build" / "gpu_book")
    if args.data:
        args.data = pathlib.Path(args.data).resolve()
        os.environ["D2LCNN_DATA"] = str(args.data)  # the notebooks' kernels find the data there
    return args


def main(argv=None):
    args = parse_args(argv)
    if args._notebook:
        execute_notebook(args._notebook, args._dest, args.timeout)
        return 0
    if args._lever:
        one_lever(args._lever, args.lever_steps, args.device, args.data)
        return 0
    if args.apply:
        return apply(args.apply)
    os.environ.setdefault("TQDM_DISABLE", "1")
    add_path(REPO)  # the kernels and runs import this checkout's d2lcnn
    if args.wheels:
        site = pathlib.Path(tempfile.gettempdir()) / "d2lcnn-site"
        print(f"installed {install_wheels(args.wheels, site)} wheels into {site}", flush=True)
    missing = missing_modules()
    if missing and not args.levers and ("a" in args.steps or "d" in args.steps):
        raise SystemExit(f"missing Python packages: {', '.join(missing)}; pass --wheels with the carry "
                         f"folder's wheels (tools/prepare_gpu_carry.py), or leave out steps a and d (--steps bc)")
    if args.jobs is None:
        import torch
        args.jobs = 6 if torch.cuda.is_available() else 2
    return book(args)


if __name__ == "__main__":
    sys.exit(main())
