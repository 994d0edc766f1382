#!/usr/bin/env python3
"""Lighthouse (mobile) on the built book, beside a vanilla Jupyter Book 1 page built in the same run.

A benchmark, not a test. It serves a built site (default _build/html, made by
tools/build_book.py) gzip-compressed from a local static server, as a static host would,
runs Lighthouse from npm (pinned below, installed into _build/node/ with no browser download)
with the system Chromium, and prints one row per page: the median over --runs runs of the
performance score, largest contentful paint, total blocking time, bytes transferred and the
number of render-blocking resources, plus the accessibility, best-practices and SEO scores, and
how many runs met headless Chromium's held-back first frame (late_paint below).

Lighthouse's default mobile profile: simulated slow 4G (150 ms RTT, 1.6 Mbit/s) and a 4x CPU
slowdown, so the numbers are about a mid-range phone, not this machine.

    python benchmarks/lighthouse.py                          # every chapter page, both editions
    python benchmarks/lighthouse.py --pages 02_conv_layer,12_resnet --editions en --runs 3
    python benchmarks/lighthouse.py --site /tmp/old/_build/html --no-vanilla --json before.json
"""
import argparse
import functools
import gzip
import http.server
import io
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from npm_packages import npm_package  # noqa: E402

LIGHTHOUSE = "lighthouse@12.8.2"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
COMPRESS = {".html", ".js", ".css", ".svg", ".json", ".txt", ".map", ".inv", ".mjs", ".ttf"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text types gzip-compressed when the browser accepts it (as static hosts do)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = pathlib.Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in COMPRESS or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = _gzipped(str(path), path.stat().st_mtime)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


@functools.lru_cache(maxsize=None)
def _gzipped(path, mtime):
    return gzip.compress(pathlib.Path(path).read_bytes(), compresslevel=6, mtime=0)


def serve(folder):
    """Start a threaded static server on a free port; return (server, base URL)."""
    handler = functools.partial(GzipHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def build_vanilla(out):
    """`jupyter-book create` + `jupyter-book build`: the template book, untouched, into `out`."""
    src = out.parent / "vanilla_src"
    if (out / "intro.html").is_file():
        return out
    shutil.rmtree(src, ignore_errors=True)
    jb = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()"]
    subprocess.run(jb + ["create", str(src)], check=True, capture_output=True)
    # The template's notebooks run when built; it is the page weight we compare, not the run.
    cfg = src / "_config.yml"
    cfg.write_text(cfg.read_text().replace("execute_notebooks: force", "execute_notebooks: \"off\""))
    subprocess.run(jb + ["build", str(src)], check=True, capture_output=True)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(src / "_build" / "html", out)
    return out


def lighthouse(url, modules, workdir):
    """One Lighthouse run on `url`; the numbers this benchmark reports."""
    report = pathlib.Path(workdir) / "report.json"
    cmd = ["node", str(modules / "lighthouse" / "cli" / "index.js"), url,
           "--output=json", f"--output-path={report}", "--quiet",
           "--only-categories=performance,accessibility,best-practices,seo",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]
    env = {**os.environ, "CHROME_PATH": CHROME}
    subprocess.run(cmd, check=True, env=env, capture_output=True, text=True, timeout=600)
    data = json.loads(report.read_text())
    audits, cats = data["audits"], data["categories"]
    blocking = audits.get("render-blocking-resources", {}).get("details", {}).get("items", [])
    observed = audits["metrics"]["details"]["items"][0]
    return {
        "performance": round(100 * (cats["performance"]["score"] or 0)),
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "blocking": len(blocking),
        "accessibility": round(100 * (cats["accessibility"]["score"] or 0)),
        "best_practices": round(100 * (cats["best-practices"]["score"] or 0)),
        "seo": round(100 * (cats["seo"]["score"] or 0)),
        # Lighthouse's CPU benchmark of this machine at the time (higher is faster): on a shared,
        # loaded machine it drops, and the simulated phone's main-thread times grow with it.
        "benchmark_index": data.get("environment", {}).get("benchmarkIndex"),
        "blocking_urls": [item["url"].rsplit("/", 1)[-1] for item in blocking],
        # What the unthrottled browser really did; Lantern simulates the phone from the requests
        # made before these paints.
        "observed_fcp_ms": observed["observedFirstContentfulPaint"],
        "observed_dcl_ms": observed["observedDomContentLoaded"],
        "late_paint": late_paint(observed),
        "main_thread": {item["groupLabel"]: round(item["duration"])
                        for item in audits.get("mainthread-work-breakdown", {}).get("details", {}).get("items", [])},
    }


# Headless Chromium sometimes holds back the first frame by about a second while the page is
# ready and the main thread idle (viz stops sending BeginFrames to the page: Lighthouse issues
# #17148 and #17230, seen on PageSpeed Insights too). Lantern then counts every request made
# before that late paint (fonts, lazy-margin images, deferred scripts) as holding up the first
# paint, and the simulated LCP of the same page grows by 0.5-1 s. Such runs are marked.
LATE_PAINT_MS = 500


def late_paint(observed):
    """Whether the observed first paint came over LATE_PAINT_MS after DOMContentLoaded: the
    page's HTML, stylesheet and deferred scripts were done long before the browser painted."""
    return observed["observedFirstContentfulPaint"] > observed["observedDomContentLoaded"] + LATE_PAINT_MS


def median_row(runs):
    """The run with the median performance score (so LCP/TBT/bytes are one run's, consistent)."""
    ranked = sorted(runs, key=lambda r: (r["performance"], -r["lcp_s"]))
    row = dict(ranked[len(ranked) // 2])
    row["performance_runs"] = [r["performance"] for r in runs]
    row["lcp_median_s"] = statistics.median(r["lcp_s"] for r in runs)
    row["tbt_median_ms"] = statistics.median(r["tbt_ms"] for r in runs)
    row["late_paints"] = sum(bool(r.get("late_paint")) for r in runs)
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=pathlib.Path, default=ROOT / "_build" / "html")
    parser.add_argument("--editions", default="en,zh")
    parser.add_argument("--pages", default="", help="comma-separated chapter names, each optionally with its edition "
                        "(02_conv_layer,zh/05_pooling); default: every chapter")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-vanilla", action="store_true", help="skip the vanilla Jupyter Book page")
    parser.add_argument("--json", type=pathlib.Path, help="also write every run here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not (args.site / "en" / "chapters").is_dir():
        sys.exit(f"no built site at {args.site}: run python3 tools/build_book.py first")
    if not pathlib.Path(CHROME).is_file():
        sys.exit(f"Chromium not found at {CHROME}: apt-get install chromium, or set CHROME_PATH")
    modules = npm_package(LIGHTHOUSE)

    targets = []  # (label, folder to serve, path in it)
    wanted = [p for p in args.pages.split(",") if p]
    for lang in args.editions.split(","):
        pages = sorted((args.site / lang / "chapters").glob("*.html"))
        for page in pages:
            if page.stem == "glossary" or (wanted and not {page.stem, f"{lang}/{page.stem}"} & set(wanted)):
                continue
            targets.append((f"{page.stem} ({lang})", args.site, f"{lang}/chapters/{page.name}"))
    if not args.no_vanilla:
        vanilla = build_vanilla(ROOT / "_build" / "vanilla")
        targets.append(("vanilla JB1 intro", vanilla, "intro.html"))

    servers, results = {}, {}
    with tempfile.TemporaryDirectory() as workdir:
        for label, folder, path in targets:
            if folder not in servers:
                servers[folder] = serve(folder)
            url = f"{servers[folder][1]}/{path}"
            runs, errors = [], []
            for _ in range(args.runs):
                # On a loaded machine a run can time out (no paint within Lighthouse's limits):
                # note it and go on, rather than lose every page measured so far.
                try:
                    runs.append(lighthouse(url, modules, workdir))
                except (subprocess.SubprocessError, OSError, KeyError, ValueError) as err:
                    detail = (getattr(err, "stderr", "") or str(err)).strip().splitlines()
                    errors.append(detail[-1] if detail else repr(err))
            if not runs:
                print(f"{label:28} every run failed: {errors}", flush=True)
                results[label] = {"url": path, "runs": [], "errors": errors}
                continue
            results[label] = {"url": path, "runs": runs, "errors": errors, "median": median_row(runs)}
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))
            m = results[label]["median"]
            if errors:
                print(f"{label:28} {len(errors)} run(s) failed: {errors}", flush=True)
            print(f"{label:28} perf {m['performance']:3} (runs {m['performance_runs']})  "
                  f"LCP {m['lcp_s']:.1f} s  TBT {m['tbt_ms']:.0f} ms  {m['kib']:.0f} KiB  "
                  f"blocking {m['blocking']}  late paints {m['late_paints']}/{len(runs)}  "
                  f"(host CPU index {m['benchmark_index']})", flush=True)
    for server, _ in servers.values():
        server.shutdown()

    print(f"\nLighthouse {LIGHTHOUSE.split('@')[1]} mobile, median of {args.runs} run(s), gzip-served\n")
    print("| page | performance | LCP | TBT | transferred | render-blocking | a11y / best pr. / SEO | late paints |")
    print("|---|---|---|---|---|---|---|---|")
    for label, res in results.items():
        if not res["runs"]:
            print(f"| {label} | failed: {res['errors'][0][:80]} | | | | | | |")
            continue
        m = res["median"]
        print(f"| {label} | {m['performance']} | {m['lcp_s']:.1f} s | {m['tbt_ms']:,.0f} ms | "
              f"{m['kib']:,.0f} KiB | {m['blocking']} | {m['accessibility']} / {m['best_practices']} / {m['seo']} | "
              f"{m['late_paints']} of {len(res['runs'])} |")
    print(f"\nlate paints: runs whose observed first paint came over {LATE_PAINT_MS} ms after DOMContentLoaded "
          "(headless Chromium's held-back first frame, Lighthouse issues #17148/#17230)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
