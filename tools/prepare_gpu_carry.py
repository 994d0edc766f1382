#!/usr/bin/env python3
"""Build the carry folder for a lent GPU machine and print the exact call of benchmarks/gpu_book.py.

    python3 tools/prepare_gpu_carry.py            # builds .gpu_carry/ (ignored by git), checks its size

The GPU machine has Python 3.12 and torch with CUDA, but no Jupyter packages
and no network. ``.gpu_carry/`` holds what it lacks:

* ``wheels/``: the Python 3.12 wheels of ``WHEELS`` (nbclient, ipykernel and
  nbval with what they need that the machine's image does not have), fetched
  with ``pip download --no-deps --only-binary=:all: --python-version 3.12``;
* ``data/FashionMNIST/raw/*.gz``: Fashion-MNIST, gzipped (the loader reads
  ``.gz`` as is), from ``$D2LCNN_DATA`` or ``../shared/data``.

What travels to the machine is the working tree (tracked files and untracked
files git does not ignore) plus the carried folder, at most 64 MiB in all; the
script adds them up and fails when they do not fit. It then prints the ``run``
call: its command, ``carry`` list and ``timeout_s``.
"""
import argparse
import gzip
import os
import pathlib
import shutil
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
CARRY = ".gpu_carry"
LIMIT = 64 * 2**20
# Resolved once for Python 3.12 (pip's resolver, from nbformat, nbclient, ipykernel, nbval and ipywidgets
# at requirements.txt's versions), less what the GPU image already has (pytest, pluggy, iniconfig,
# packaging, pygments, psutil, attrs, coverage, python-dateutil, typing-extensions: see
# /work/.library/device/KINDS.md): installing another pytest there would break its plugins.
# Left out as well, to stay inside 64 MiB (10 MB of wheels), because nothing here imports them: debugpy
# (ipykernel runs without its debugger), jedi and parso (IPython completes without them), and the
# static front-end files of ipywidgets (widgetsnbextension, jupyterlab_widgets).
WHEELS = [
    "nbformat==5.11.1", "nbclient==0.11.0", "ipykernel==7.4.0", "nbval==0.11.0", "ipywidgets==8.1.9",
    "comm==0.2.3", "fastjsonschema==2.22.3", "ipython==9.18.1", "jsonschema==4.26.0",
    "jupyter_client==8.10.0", "jupyter_core==5.9.1", "matplotlib-inline==0.2.2",
    "nest-asyncio2==1.7.4", "pyzmq==27.3.0", "tornado==6.6.1", "traitlets==5.16.1",
    "ipython_pygments_lexers==1.1.1", "jsonschema-specifications==2025.9.1", "pexpect==4.9.0",
    "platformdirs==4.14.9", "prompt_toolkit==3.0.53", "referencing==0.37.0", "rpds-py==2026.9.1",
    "stack-data==0.6.3", "asttokens==3.0.2", "executing==2.3.0", "ptyprocess==0.7.0",
    "wcwidth==0.9.4", "pure_eval==0.2.4",
]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_26_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_5_x86_64",
             "manylinux1_x86_64"]
DATA_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
              "t10k-labels-idx1-ubyte"]
BUDGET_S = 540
COMMAND = ("export PYTHONUNBUFFERED=1; set -o pipefail; python3 benchmarks/gpu_book.py --wheels {carry}/wheels "
           "--data {carry}/data --out $OUT --budget-s {budget} 2>&1 | tee $OUT/run.log")


def _name(spec):
    return spec.split("==")[0].lower().replace("-", "_")


def download_wheels(folder):
    folder.mkdir(parents=True, exist_ok=True)
    have = {p.name.split("-")[0].lower() for p in folder.glob("*.whl")}
    todo = [w for w in WHEELS if _name(w) not in have]
    if todo:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.12", "--implementation", "cp", "-d", str(folder)]
        cmd += [f for p in PLATFORMS for f in ("--platform", p)]
        subprocess.run(cmd + todo, check=True)
    names = {p.name.split("-")[0].lower() for p in folder.glob("*.whl")}
    missing = [w for w in WHEELS if _name(w) not in names]
    extra = sorted(names - {_name(w) for w in WHEELS})
    if missing or extra:
        raise SystemExit(f"{folder}: missing wheels {missing}, unexpected {extra}: delete the folder and run again")
    return sorted(folder.glob("*.whl"))


def data_source(arg):
    for root in filter(None, [arg, os.environ.get("D2LCNN_DATA"), REPO.parent / "shared" / "data"]):
        raw = pathlib.Path(root) / "FashionMNIST" / "raw"
        if all((raw / f).is_file() or (raw / f"{f}.gz").is_file() for f in DATA_FILES):
            return raw
    raise SystemExit("Fashion-MNIST not found: pass --data FOLDER (holding FashionMNIST/raw) or set D2LCNN_DATA")


def pack_data(src, dest):
    dest.mkdir(parents=True, exist_ok=True)
    for f in DATA_FILES:
        out = dest / f"{f}.gz"
        if out.is_file():
            continue
        if (src / f"{f}.gz").is_file():
            shutil.copyfile(src / f"{f}.gz", out)
            continue
        with open(src / f, "rb") as fin, gzip.GzipFile(out, "wb", compresslevel=9, mtime=0) as fout:
            shutil.copyfileobj(fin, fout)
    return sorted(dest.glob("*.gz"))


def tree_bytes():
    """Bytes of what travels besides the carry: tracked files and untracked files git does not ignore."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         capture_output=True, check=True).stdout.decode().split("\0")
    return sum((REPO / f).stat().st_size for f in out if f and (REPO / f).is_file())


def folder_bytes(folder):
    return sum(p.stat().st_size for p in pathlib.Path(folder).rglob("*") if p.is_file())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=None, help="folder holding FashionMNIST/raw (default $D2LCNN_DATA, ../shared/data)")
    p.add_argument("--budget-s", type=int, default=BUDGET_S)
    args = p.parse_args(argv)
    carry = REPO / CARRY
    ignored = subprocess.run(["git", "check-ignore", "-q", CARRY + "/x"], cwd=REPO).returncode == 0
    if not ignored:
        raise SystemExit(f"{CARRY}/ is not ignored by git: add '/{CARRY}/' to .gitignore first")
    wheels = download_wheels(carry / "wheels")
    data = pack_data(data_source(args.data), carry / "data" / "FashionMNIST" / "raw")
    sizes = {"wheels": folder_bytes(carry / "wheels"), "data": folder_bytes(carry / "data"), "tree": tree_bytes()}
    total = sum(sizes.values())
    mib = {k: f"{v / 2**20:.1f} MiB" for k, v in sizes.items()}
    print(f"{len(wheels)} wheels ({mib['wheels']}), {len(data)} data files ({mib['data']}), working tree "
          f"{mib['tree']}: {total / 2**20:.1f} MiB of the 64 MiB that can travel")
    if total >= LIMIT:
        raise SystemExit("too large to travel: the working tree holds big untracked files, or the carry grew")
    print("\nThe call (device tool `run`):")
    print(f"  command:   {COMMAND.format(carry=CARRY, budget=args.budget_s)}")
    print(f'  carry:     ["{CARRY}"]')
    print(f"  timeout_s: {min(600, args.budget_s + 55)}")
    print("Then, here: python3 benchmarks/gpu_book.py --apply <files_at>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
