"""npm packages the build and the benchmarks run with Node, installed once into _build/node/.

Each pinned spec (``name@version``) gets its own folder, _build/node/<name>@<version>/, made
with ``npm install`` (only the npm registry is contacted; no browser is downloaded).
"""
import os
import pathlib
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / "_build" / "node"


def npm_package(spec, timeout=600):
    """The node_modules folder holding ``spec`` (e.g. "mathjax-full@3.2.2"), installed if missing.

    Raises RuntimeError naming what to install when npm or node is absent or the install fails.
    """
    name, _, version = spec.rpartition("@")
    if not name or not version:
        raise ValueError(f"npm spec {spec!r} must be pinned as name@version, e.g. mathjax-full@3.2.2")
    folder = NODE_DIR / spec.replace("/", "+")
    modules = folder / "node_modules"
    if (modules / name / "package.json").is_file():
        return modules
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(f"Node.js and npm are needed for {spec} (Debian: apt-get install nodejs npm)")
    folder.mkdir(parents=True, exist_ok=True)
    env = {"PUPPETEER_SKIP_DOWNLOAD": "1", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "1"}
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save", "--silent", spec],
                       cwd=folder, check=True, timeout=timeout, env={**os.environ, **env},
                       capture_output=True, text=True)
    except (subprocess.SubprocessError, OSError) as err:
        detail = getattr(err, "stderr", "") or ""
        raise RuntimeError(f"npm could not install {spec} into {folder}: {err}\n{detail[-2000:]}") from err
    return modules
