#!/usr/bin/env python3
"""Run every chapter the way a Colab reader would: Python 3.12, Colab's ipywidgets 7.7.1,
and the helper package installed by the notebooks' own install cell into an environment
whose torch is already there (and must stay there).

    python3 tools/colab_check.py                  # every chapter
    python3 tools/colab_check.py --only 06_lenet  # chapters whose file name matches a regex
    python3 tools/colab_check.py --prepare        # only build the environment (the big download)

Steps:
 1. a virtual environment under _build/colab_check/venv (kept and reused; --fresh rebuilds it)
    with a Colab-like base: torch, torchvision, numpy, matplotlib, tqdm as pip resolves them for
    that Python, ipywidgets==7.7.1, and the test runner (pytest, nbval, ipykernel);
 2. `git clone` of this checkout's committed HEAD (what a reader gets from GitHub: uncommitted
    changes are not in it) into a temporary folder;
 3. the `%pip install` line of the chapters' install cell, with the repository URL replaced by
    the clone (git+file://...), run in the environment: the real cell text, not a copy of it;
 4. a check that this install left torch (version, location, installed files) and ipywidgets
    7.7.1 alone;
 5. the live explorers (conv_explorer, pool_explorer) built, moved and displayed in a kernel as
    Colab shows them (the notebooks' tests make the book's static form instead);
 6. nbval over every chapter notebook of the clone, one pytest run each, with the book's own
    pytest settings (quick profile), and a pass/fail line per notebook; the installed package is
    lent the clone's stored results and chapters, which the committed outputs were made with;
 7. the one-language notebooks (notebooks/<lang>/chapters/, --reader, default zh) of the same chapters,
    run as Colab opens them from the website's "open in Colab" button: nbval without the book's
    conftest.py (whose both-language outputs are for the bilingual sources), so the notebook's own
    setup cell sets the language; an exception fails, cells whose output differs are listed;
 8. the "Colab view": the notebooks that read those run again without them, as in Colab, and the
    cells whose output then differs are listed (an exception there is a failure).
Exit status 0 only when every step and every notebook passed.

It is not part of `python3 -m pytest`: the first run downloads a CUDA build of torch for
Python 3.12 (gigabytes). tests/test_colab_check.py tests the install-cell handling.
"""
import argparse
import glob
import json
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_VENV = ROOT / "_build" / "colab_check" / "venv"
IPYWIDGETS = "7.7.1"  # what Colab pins
# Colab preinstalls the first five; the rest run the notebooks as the book's tests do.
BASE = ["torch", "torchvision", "numpy", "matplotlib", "tqdm", f"ipywidgets=={IPYWIDGETS}",
        "pytest", "nbval", "ipykernel"]
WATCHED = ["torch", "torchvision", "numpy", "matplotlib", "ipywidgets"]

# The install cell: only in Colab, `%pip install ... "NAME @ git+URL"`.
PIP_LINE = re.compile(r"^\s*%pip\s+install\b.*$", re.M)
GIT_URL = re.compile(r"(@\s*git\+)([^\s\"']+)")


# ---------------------------------------------------------------- the install cell (pure)

def install_line(nb):
    """The `%pip install` line of a notebook's install cell (its first code cell), or None.

    The cell must be guarded by the Colab test, as the book's template is, so that it does
    nothing outside Colab."""
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    if not code:
        return None
    src = "".join(code[0]["source"]) if isinstance(code[0]["source"], list) else code[0]["source"]
    lines = PIP_LINE.findall(src)
    if not lines:
        return None
    if '"google.colab" in sys.modules' not in src and "'google.colab' in sys.modules" not in src:
        raise ValueError("the install cell runs %pip outside Colab too (no `\"google.colab\" in sys.modules` guard)")
    if len(lines) > 1:
        raise ValueError(f"the install cell has {len(lines)} %pip lines; expected one")
    return lines[0].strip()


def pip_args(line, clone):
    """pip's arguments for `line` (a `%pip install ...` line) with its git URL pointing at `clone`.

    Returns (args, url): `args` as IPython's %pip would pass them to `python -m pip`, `url` the
    repository URL the cell names. Exactly one `NAME @ git+URL` requirement must be there."""
    if not line.lstrip().startswith("%pip"):
        raise ValueError(f"not a %pip line: {line!r}")
    args = shlex.split(line.lstrip()[len("%pip"):])
    hits = [(i, m) for i, a in enumerate(args) for m in [GIT_URL.search(a)] if m]
    if len(hits) != 1:
        raise ValueError(f"expected one 'NAME @ git+URL' requirement in {line!r}, found {len(hits)}")
    i, m = hits[0]
    target = pathlib.Path(clone).resolve().as_uri()  # file:///...
    args[i] = args[i][:m.start(2)] + target + args[i][m.end(2):]
    return args, m.group(2)


# Code that reads the repository's stored results or the chapters' committed runs (not in a pip install).
REPO_DATA = re.compile(r"results_box\(|book_runs|summarize\(|stored_accuracy\(|plot_stored_runs\(")
OUTPUT_DIFFERS = "Cell outputs differ"


def cell_failures(pytest_output):
    """{cell number: nbval's reason} for the failed cells in a pytest run's output."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", pytest_output)
    return {int(n): why.strip() for n, why in re.findall(r"^Cell (\d+): (.+)$", plain, re.M)}


# Colab shows the explorers as live ipywidgets (the notebooks' tests make the book's static form instead):
# build both, move every kind of control, display them, in a kernel of the environment.
LIVE_WIDGETS = r"""
import sys
import nbformat
from nbclient import NotebookClient
code = '''
import os
os.environ.pop("D2LCNN_OUTPUTS", None)  # Colab: live widgets, not the book's static form
import ipywidgets, d2lcnn
box = d2lcnn.conv_explorer()
for name, value in [("kernel", "ones"), ("kh", 3), ("kw", 1), ("sh", 2), ("ph", 1), ("d", 2), ("input", "arange 7×7")]:
    box.controls[name].value = value
pool = d2lcnn.pool_explorer()
for name, value in [("mode", "avg"), ("same", False), ("sh", 1), ("pw", 1), ("kh", 3)]:
    pool.controls[name].value = value
display(box)
display(pool)
print("ipywidgets", ipywidgets.__version__)
'''
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
NotebookClient(nb, timeout=300, kernel_name="python3").execute()  # raises on an exception in the cell
views = [o for o in nb.cells[0].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("output_type") == "stream")
print(text.strip(), "-", len(views), "widget views")
sys.exit(0 if len(views) == 2 else 1)
"""


def has_code(path):
    nb = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    return any(c.get("cell_type") == "code" for c in nb.get("cells", []))


# ---------------------------------------------------------------- the one-language notebooks

READER_LANGS = ("en", "zh")
# A reader's kernel has neither: the book's both-language outputs, or a language from the environment.
READER_ENV_DROP = ("D2LCNN_OUTPUTS", "D2LCNN_LANG")


def reader_langs(value):
    """--reader's value (``zh``, ``en,zh`` or ``none``) as a tuple of languages."""
    langs = tuple(x.strip() for x in value.split(",") if x.strip() and x.strip() != "none")
    bad = [x for x in langs if x not in READER_LANGS]
    if bad:
        raise argparse.ArgumentTypeError(f"--reader takes en, zh, en,zh or none; got {value!r}")
    return langs


def reader_paths(clone, lang, picked):
    """The clone's ``lang`` notebooks (tools/reader_notebooks.py) of the picked chapters."""
    return [pathlib.Path(clone) / "notebooks" / lang / "chapters" / pathlib.Path(nb).name for nb in picked]


def reader_command(py, path, clone):
    """nbval of one reader notebook, without the book's conftest.py (it sets D2LCNN_OUTPUTS=both, which
    draws every figure in both languages, as the bilingual sources hold them); the pytest settings of
    pyproject.toml still apply."""
    rel = pathlib.Path(path).relative_to(clone).as_posix()
    return [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest", rel]


def reader_env(env):
    return {k: v for k, v in env.items() if k not in READER_ENV_DROP}


def run_reader_notebooks(py, clone, langs, picked, env, logdir):
    """Run the one-language notebooks as Colab opens them; [(name, rc, seconds, summary)] per notebook.

    A missing notebook or an exception in a cell fails; cells whose output differs from the committed
    one are listed in the summary (what a reader sees there), not counted as failures."""
    results = []
    for lang in langs:
        for path in reader_paths(clone, lang, picked):
            name = f"{lang}/{path.name}"
            if not path.is_file():
                results.append((name, 1, 0.0, "missing: regenerate with python3 tools/reader_notebooks.py"))
                say(f"  FAIL  {name}  missing")
                continue
            t0 = time.time()
            log = pathlib.Path(logdir) / f"reader_{lang}_{path.stem}.log"
            log.unlink(missing_ok=True)
            rc, out = run(reader_command(py, path, clone), log=log, cwd=clone, env=reader_env(env))
            failed = cell_failures(out)
            errors = sorted(c for c, why in failed.items() if why != OUTPUT_DIFFERS)
            differs = sorted(c for c, why in failed.items() if why == OUTPUT_DIFFERS)
            if rc == 5 and not has_code(path):
                rc, summary = 0, "no code cells"
            elif rc in (0, 1) and not errors:
                rc = 0
                summary = (out.strip().splitlines() or [""])[-1] + (
                    f"; cells {differs} show other outputs than the committed ones" if differs else "")
            else:
                rc = rc or 1
                summary = f"errors in cells {errors}; see {log}" if errors else f"pytest exit {rc}; see {log}"
            results.append((name, rc, time.time() - t0, summary))
            say(f"  {'PASS' if rc == 0 else 'FAIL'}  {name} (as Colab opens it)  {time.time() - t0:.0f} s  {summary}")
    return results


def chapter_install_lines(paths):
    """{notebook name: its install line} for the notebooks that have an install cell."""
    lines = {}
    for p in paths:
        line = install_line(json.loads(pathlib.Path(p).read_text(encoding="utf-8")))
        if line is not None:
            lines[pathlib.Path(p).name] = line
    return lines


# ---------------------------------------------------------------- the environment

def say(msg=""):
    print(msg, flush=True)


def run(cmd, log=None, **kw):
    """Run `cmd`, echo it, send its output to `log` (a path) or the terminal; return (rc, output)."""
    say("$ " + " ".join("<inline script>" if "\n" in str(c) else shlex.quote(str(c)) for c in cmd))
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(p.stdout)
    else:
        print(p.stdout, end="", flush=True)
    return p.returncode, p.stdout


def find_python(explicit):
    """A Python 3.12 interpreter: --python, else python3.12 on PATH, else pyenv's newest 3.12."""
    candidates = [explicit] if explicit else (
        [shutil.which("python3.12")] + sorted(glob.glob(os.path.join(
            os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv")), "versions", "3.12*", "bin", "python3.12")),
            reverse=True))
    for c in filter(None, candidates):
        try:
            out = subprocess.run([c, "-c", "import sys, venv; print(sys.executable); print(sys.version.split()[0])"],
                                 capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        if out.returncode == 0:
            exe, version = out.stdout.split()
            return exe, version
        if explicit:
            sys.exit(f"--python {explicit} does not run (or lacks the venv module):\n{out.stderr}")
    sys.exit("no Python 3.12 found (Colab runs 3.12). Install one, e.g. `pyenv install 3.12` or "
             "`apt-get install python3.12 python3.12-venv`, or pass --python /path/to/python3.12.")


def venv_python(venv):
    return venv / "bin" / "python"


def probe(py):
    """Version, location and install record of the watched packages, as the environment sees them."""
    code = r"""
import importlib.metadata as md, importlib.util, json, os, sys
out = {"python": sys.version.split()[0]}
for name in %r:
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        out[name] = None
        continue
    spec = importlib.util.find_spec(name)
    record = str(dist._path) if hasattr(dist, "_path") else ""
    out[name] = {"version": dist.version, "location": os.path.dirname(spec.origin) if spec else None,
                 "record": record, "record_mtime": os.stat(record).st_mtime_ns if record else None}
import torch
out["cuda"] = torch.cuda.is_available()
print(json.dumps(out))
""" % (WATCHED,)
    p = subprocess.run([str(py), "-c", code], capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"probing the environment failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def freeze(py):
    p = subprocess.run([str(py), "-m", "pip", "freeze", "--all"], capture_output=True, text=True)
    return dict(line.split("==", 1) if "==" in line else (line.split(" @ ")[0], line)
                for line in p.stdout.splitlines() if line and not line.startswith("#"))


def download_mb(pip_output):
    """Megabytes pip reported downloading ("Downloading x.whl (123.4 MB)")."""
    unit = {"kB": 1e-3, "MB": 1, "GB": 1e3, "bytes": 1e-6}
    return sum(float(n) * unit[u] for n, u in
               re.findall(r"Downloading \S+ \(([\d.]+) (kB|MB|GB|bytes)\)", pip_output))


def local_mb(pip_output):
    """Megabytes of wheels pip took from local folders or file:// indexes ("Processing /x.whl")."""
    paths = set(re.findall(r"^Processing (/\S+\.whl)", pip_output, re.M))
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p)) / 1e6


def du_mb(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            fp = os.path.join(dirpath, f)
            if not os.path.islink(fp):
                total += os.path.getsize(fp)
    return total / 1e6


def make_venv(python, venv, fresh, logdir):
    """Create (or reuse) the environment with the Colab-like base; return timing facts."""
    stamp = venv / "colab_check_base.json"
    want = {"python": python, "base": ["pip (latest)", *BASE]}
    old = json.loads(stamp.read_text()) if stamp.exists() else {}
    if venv.exists() and (fresh or old.get("python", python) != python):  # another interpreter: start over
        shutil.rmtree(venv)
    if stamp.exists() and old == want and venv_python(venv).exists():
        say(f"reusing {venv} (pass --fresh to rebuild it)")
        return {"reused": True}
    venv.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not venv_python(venv).exists():
        rc, _ = run([python, "-m", "venv", venv])
        if rc:
            sys.exit("creating the virtual environment failed")
    t1 = time.time()
    log = logdir / "pip_base.log"
    log.unlink(missing_ok=True)
    # A current pip, as Colab has: pip 23's requirement parser rejects the clone's git+file:// URL.
    rc, out = run([venv_python(venv), "-m", "pip", "install", "--progress-bar", "off", "--upgrade", "pip"], log=log)
    if not rc:
        rc, out2 = run([venv_python(venv), "-m", "pip", "install", "--progress-bar", "off", *BASE], log=log)
        out += out2
    t2 = time.time()
    if rc:
        sys.exit(f"installing the base failed; see {log}")
    stamp.write_text(json.dumps(want))
    facts = {"reused": False, "venv_s": t1 - t0, "base_s": t2 - t1, "download_mb": download_mb(out),
             "local_wheels_mb": local_mb(out), "venv_mb": du_mb(venv)}
    say(f"base installed in {facts['base_s']:.0f} s: pip downloaded {facts['download_mb']:.0f} MB "
        f"and took {facts['local_wheels_mb']:.0f} MB of wheels from local folders, "
        f"the environment holds {facts['venv_mb']:.0f} MB (log: {log})")
    return facts


# ---------------------------------------------------------------- the check

def substitutions(python, version):
    pip_cfg = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    constraints = [line for line in pip_cfg.splitlines() if "constraint" in line or "index-url" in line
                   or "find-links" in line]
    return [
        f"Python {version} ({python}) instead of Colab's Python 3.12 build",
        "torch/torchvision/numpy/matplotlib/tqdm: what pip picks for that Python from the configured "
        "indexes, not Colab's preinstalled builds"
        + (f" (pip config: {'; '.join(constraints)})" if constraints else ""),
        f"ipywidgets {IPYWIDGETS} as Colab pins it; ipykernel/IPython/jupyter_client are whatever pip "
        "resolves, not Colab's own kernel; none of Colab's other preinstalled packages are there",
        "no GPU unless this machine has one: the notebooks run on the device torch finds (quick profile)",
        "the install cell's git URL is replaced by a clone of this checkout's committed HEAD (git+file://), "
        "so the package is built from the same files a reader would fetch, without the network",
        "the install line is run by this script with the environment's `python -m pip` (what %pip does), "
        "before the notebooks; in the notebooks the cell itself is skipped (no google.colab module)",
        "notebooks are executed by nbval (a Jupyter kernel of the environment's Python), not by Colab's frontend",
        "fonts are this machine's: with a CJK font installed here the Chinese figures draw as in the book; a Colab "
        "runtime may have none (d2lcnn then warns once and Chinese labels show as boxes)",
        "the main pass lends the installed package the clone's benchmarks/results and chapters/ "
        "($D2LCNN_RESULTS, $D2LCNN_CHAPTERS), which the committed outputs were made with; a Colab install has "
        "neither, so the notebooks that read them run a second time without (the 'Colab view') and the "
        "cells that show other outputs there are listed",
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", help="the Python 3.12 to build the environment with "
                                     "(default: python3.12 on PATH, else pyenv's)")
    ap.add_argument("--venv", type=pathlib.Path, default=DEFAULT_VENV,
                    help=f"environment folder (default {DEFAULT_VENV.relative_to(ROOT)})")
    ap.add_argument("--fresh", action="store_true", help="rebuild the environment even if it is up to date")
    ap.add_argument("--only", metavar="REGEX", help="run only the notebooks whose file name matches REGEX")
    ap.add_argument("--prepare", action="store_true", help="build the environment and stop")
    ap.add_argument("--reader", type=reader_langs, default=("zh",), metavar="LANGS",
                    help="also run these one-language notebooks (notebooks/LANG/chapters/) of the picked "
                         "chapters as Colab opens them: zh (default), en, en,zh or none")
    ap.add_argument("--no-colab-view", dest="colab_view", action="store_false",
                    help="skip the second run, without the repository's data, of the notebooks that read it")
    ap.add_argument("--keep-clone", action="store_true", help="keep the temporary clone (its path is printed)")
    ap.add_argument("--data", default=os.environ.get("D2LCNN_DATA") or str(ROOT.parent / "shared" / "data"),
                    help="folder holding FashionMNIST/raw (default $D2LCNN_DATA, else ../shared/data)")
    args = ap.parse_args(argv)

    python, version = find_python(args.python)
    say("Colab-like check: what differs from a real Colab runtime")
    for s in substitutions(python, version):
        say(f"  - {s}")
    if not version.startswith("3.12."):
        say(f"  ! Python {version} is not 3.12: Colab runs 3.12")
    say()

    logdir = args.venv.parent / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    facts = make_venv(python, args.venv.resolve(), args.fresh, logdir)
    py = venv_python(args.venv.resolve())
    if args.prepare:
        say(json.dumps(probe(py), indent=1))
        return 0

    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="d2lcnn-colab-"))
    clone = tmp / "d2lcnn"
    failures, results, colab_view = [], [], []
    try:
        rc, _ = run(["git", "clone", "--quiet", ROOT, clone])
        if rc:
            sys.exit("git clone failed")
        say(f"cloned commit {head} into {clone}" + (
            "\n  note: this checkout has uncommitted changes; the clone (like GitHub) does not" if dirty else ""))

        notebooks = sorted((clone / "chapters").glob("*.ipynb"))
        lines = chapter_install_lines(notebooks)
        if not lines:
            sys.exit("no chapter has an install cell (a `%pip install` line guarded by the Colab test)")
        distinct = sorted(set(lines.values()))
        if len(distinct) > 1:
            failures.append("install cells differ between chapters: " + json.dumps(lines, indent=1))
        say(f"install cell ({len(lines)} of {len(notebooks)} notebooks have one): {distinct[0]}")

        # Start from what a fresh Colab has: no d2lcnn.
        run([py, "-m", "pip", "uninstall", "-y", "-q", "d2lcnn"])
        before, frozen_before = probe(py), freeze(py)
        for line in distinct:
            pip, url = pip_args(line, clone)
            say(f"running the cell's pip command with {url} -> {clone.as_uri()}")
            t0 = time.time()
            rc, out = run([py, "-m", "pip", *pip], log=logdir / "pip_install_cell.log")
            facts["install_s"] = time.time() - t0
            if rc:
                failures.append(f"the install cell's pip command failed (exit {rc}); "
                                f"see {logdir / 'pip_install_cell.log'}")
                print(out[-3000:])
        after, frozen_after = probe(py), freeze(py)
        changed = {k: (frozen_before.get(k), frozen_after.get(k)) for k in set(frozen_before) | set(frozen_after)
                   if frozen_before.get(k) != frozen_after.get(k)}
        changes = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in sorted(changed.items()))
        say("the install changed: " + (changes or "nothing"))
        for name in WATCHED:
            if before[name] != after[name]:
                failures.append(f"the install cell changed {name}: {before[name]} -> {after[name]}")
        if (after["ipywidgets"] or {}).get("version") != IPYWIDGETS:
            failures.append(f"ipywidgets is {after['ipywidgets']}, not Colab's {IPYWIDGETS}")
        say(f"torch {after['torch']['version']} at {after['torch']['location']} (unchanged: "
            f"{before['torch'] == after['torch']}), ipywidgets {after['ipywidgets']['version']}, "
            f"CUDA available: {after['cuda']}")
        # The kernels start in chapters/: they must import the installed package, not the clone's source.
        p = subprocess.run([py, "-c", "import d2lcnn; print(d2lcnn.__file__)"], cwd=clone / "chapters",
                           capture_output=True, text=True)
        say(f"a kernel in chapters/ imports d2lcnn from {p.stdout.strip() or p.stderr.strip()}")
        if p.returncode or not p.stdout.strip().startswith(str(args.venv.resolve())):
            failures.append("the notebooks would not import the installed d2lcnn")
        if failures:
            raise SystemExit("\n".join(["FAILED before the notebooks:"] + failures))

        # Every chapter with the book's pytest settings (addopts: --nbval --nbval-current-env).
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env.update(PATH=f"{py.parent}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(args.venv.resolve()),
                   D2LCNN_PROFILE="quick", D2LCNN_DATA=args.data, MPLBACKEND="Agg")
        # Colab's copy of d2lcnn has no repository beside it; the committed outputs were made in one.
        # The main pass lends the clone's stored results and chapters, the Colab view below does not.
        lent = {"D2LCNN_RESULTS": str(clone / "benchmarks" / "results"), "D2LCNN_CHAPTERS": str(clone / "chapters")}
        picked = [nb for nb in notebooks if not args.only or re.search(args.only, nb.name)]

        t0 = time.time()
        rc, out = run([py, "-c", LIVE_WIDGETS], cwd=tmp, env=env, log=logdir / "live_widgets.log")
        last = (out.strip().splitlines() or [""])[-1]
        say(f"  {'PASS' if rc == 0 else 'FAIL'}  live explorers (conv_explorer, pool_explorer as Colab shows them)  "
            f"{time.time() - t0:.0f} s  {last}")
        results.append(("live explorers", rc, time.time() - t0, last))
        if rc:
            say("    " + "\n    ".join(out.strip().splitlines()[-30:]))
        t_nb, main_failed = time.time(), {}
        for nb in picked:
            t0 = time.time()
            log = logdir / f"{nb.stem}.log"
            log.unlink(missing_ok=True)
            rc, out = run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"chapters/{nb.name}"],
                          log=log, cwd=clone, env={**env, **lent})
            summary = (out.strip().splitlines() or ["(no output)"])[-1]
            if rc == 5 and not has_code(nb):  # pytest's "no tests": a prose-only page
                rc, summary = 0, "no code cells"
            results.append((nb.name, rc, time.time() - t0, summary))
            main_failed[nb.name] = cell_failures(out)
            say(f"  {'PASS' if rc == 0 else 'FAIL'}  {nb.name}  {time.time() - t0:.0f} s  {summary}")
            if rc:
                say(f"    failed cells: {cell_failures(out)}")
                say("    " + "\n    ".join(out.strip().splitlines()[-40:]))
                say(f"    (full log: {log})")
        facts["nbval_s"] = time.time() - t_nb

        # The one-language notebooks the website's Colab buttons open (notebooks/<lang>/chapters/).
        t_reader = time.time()
        results += run_reader_notebooks(py, clone, args.reader, picked, {**env, **lent}, logdir)
        facts["reader_s"] = time.time() - t_reader

        # The Colab view: the notebooks that read the repository's data, without it, as a reader runs them.
        # Different outputs there are what Colab shows (reported, not failures); an exception is a failure.
        t_view = time.time()
        colab_view = []
        for nb in [nb for nb in picked if args.colab_view and REPO_DATA.search(nb.read_text(encoding="utf-8"))]:
            log = logdir / f"{nb.stem}.colab_view.log"
            log.unlink(missing_ok=True)
            rc, out = run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"chapters/{nb.name}"],
                          log=log, cwd=clone, env=env)
            # only what the missing repository data changes: cells that failed the main pass too are reported there
            cells = {c: why for c, why in cell_failures(out).items() if c not in main_failed.get(nb.name, {})}
            errors = {c: why for c, why in cells.items() if why != OUTPUT_DIFFERS}
            if rc not in (0, 1) or errors:
                results.append((f"{nb.name} (Colab view)", 1, 0, f"errors in cells {sorted(errors)}; see {log}"))
            colab_view.append((nb.name, sorted(cells), sorted(errors)))
            view = (f"cells {sorted(cells)} show other outputs than with the repository's data"
                    if cells else "no other differences")
            say(f"  Colab view of {nb.name}: " + view + (f", ERRORS in {sorted(errors)}" if errors else ""))
        facts["colab_view_s"] = time.time() - t_view
    finally:
        if args.keep_clone:
            say(f"clone kept at {clone}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    bad = [r for r in results if r[1]]
    say()
    if any(v[1] for v in colab_view):
        say("In a real Colab runtime the package has no repository beside it, so these cells show other "
            "outputs (the results boxes and chapter 14's tables say the stored runs are not part of this copy):")
        for name, cells, errors in [v for v in colab_view if v[1]]:
            say(f"  {name}: cells {cells}" + (f" (errors: {errors})" if errors else ""))
    say(f"{len(results) - len(bad)} of {len(results)} checks passed (the live explorers and each notebook) "
        f"(Python {after['python']}, torch {after['torch']['version']}, ipywidgets {after['ipywidgets']['version']})")
    say("timing: " + ", ".join(f"{k} {v:.0f} s" if k.endswith("_s") else f"{k} {v:.0f} MB" if k.endswith("_mb")
                               else f"{k} {v}" for k, v in facts.items()) + f", total {time.time() - t_start:.0f} s")
    for name, rc, secs, summary in bad:
        say(f"  FAILED {name}: {summary}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
