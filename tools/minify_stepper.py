#!/usr/bin/env python3
"""Write d2lcnn/widgets/stepper.min.js, the embedded form of the readable stepper.js.

    python3 tools/minify_stepper.py           # after any change to stepper.js
    python3 tools/minify_stepper.py --check   # exit 1 if stepper.min.js is stale

Every stepper's saved HTML carries the engine, so it is embedded minified (terser from npm,
pinned; ES5 out, as the source). The first line of the minified file records the SHA-256
of the source it was made from; tests/test_widgets.py fails while they disagree, and
rendering never needs npm (Colab readers have the committed file). After writing it, run
``python3 tools/refresh_boxes.py --assets chapters/*.ipynb`` to put it into saved steppers.
"""
import argparse
import hashlib
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "d2lcnn" / "widgets" / "stepper.js"
TARGET = ROOT / "d2lcnn" / "widgets" / "stepper.min.js"
TERSER = "terser@5.46.0"
CACHE = pathlib.Path.home() / ".cache" / "d2lcnn" / "npm-terser"


def source_hash(text=None):
    text = SOURCE.read_text(encoding="utf-8") if text is None else text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def header(digest):
    return f"/* stepper.min.js: made from stepper.js (sha256 {digest}) by tools/minify_stepper.py; do not edit */\n"


def recorded_hash():
    """The source hash the committed minified file was made from ('' if none)."""
    if not TARGET.exists():
        return ""
    first = TARGET.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.split("sha256 ")[1].split(")")[0] if "sha256 " in first else ""


def terser():
    exe = CACHE / "node_modules" / ".bin" / "terser"
    if not exe.exists():
        if not shutil.which("npm"):
            sys.exit("npm is needed to minify stepper.js (apt-get install npm)")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", TERSER], check=True)
    return exe


def minify():
    text = SOURCE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "out.js"
        subprocess.run([str(terser()), str(SOURCE), "--ecma", "5", "--compress", "--mangle",
                        "--format", "comments=false,inline_script=true", "-o", str(out)], check=True)
        body = out.read_text(encoding="utf-8").strip()
    # The saved HTML must not contain two slashes (tests/test_widgets.py); the page's script
    # must not end the <script> early.
    if "//" in body or "</script" in body.lower():
        sys.exit("the minified engine contains '//' or '</script': change the source so it does not")
    TARGET.write_text(header(source_hash(text)) + body + "\n", encoding="utf-8")
    return TARGET


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that stepper.min.js is current")
    args = parser.parse_args(argv)
    if args.check:
        if recorded_hash() != source_hash():
            sys.exit("stepper.min.js is stale: run python3 tools/minify_stepper.py")
        print("stepper.min.js is current")
        return
    print(f"wrote {minify()}")


if __name__ == "__main__":
    main()
