"""Benchmark (not a test): one stepper step and one in-page recompute in Chromium, the script's and
the saved output's size.

Case: a 28×28 input (Fashion-MNIST size) with a 5×5 kernel, 576 steps.
Targets: under 16 ms per step (one frame at 60 Hz), under 50 ms per recompute (a control changed:
check, every output value, all grids redrawn, laid out), stepper.js under 30 KB unminified and
served once per page, under 200 KB of HTML per stepper and 1.5 MB per page.

    python benchmarks/stepper_bench.py [--steps 200] [--chromium /usr/bin/chromium]

Chromium starts as in the browser tests (tests/_browser.py: the same binary and flags).

Each step is timed in the page with performance.now() around a click on
"next" plus a forced layout read, so style and layout are counted (paint is
not: it happens after the frame and is not measurable synchronously).
"""
import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import torch

from d2lcnn.widgets import conv_stepper

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _browser import CHROMIUM, launch

TIMING = """n => {
    const root = document.querySelector('.d2s'), next = root.querySelector('[data-a=next]');
    const reset = root.querySelector('[data-a=reset]'), times = [];
    root.getBoundingClientRect();
    for (let k = 0; k < n; k++) {
        const t0 = performance.now();
        next.click();
        root.getBoundingClientRect().height;          // force style + layout
        document.querySelector('[data-g="y"] > i.cur').offsetTop;
        times.push(performance.now() - t0);
    }
    const t0 = performance.now();
    reset.click();                                    // the slowest kind of step: clears n cells
    root.getBoundingClientRect().height;
    return {times, reset: performance.now() - t0};
}"""


RECOMPUTE = """n => {
    const root = document.querySelector('.d2s'), el = root.d2lcnn, times = [];
    for (let k = 0; k < n; k++) {
        const t0 = performance.now();
        el.set({padding: k % 2 ? [2, 2, 2, 2] : [2, 1, 2, 1]});  // a control's change, as the <select>s make it
        root.getBoundingClientRect().height;                      // force style + layout
        times.push(performance.now() - t0);
    }
    return times;
}"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args()

    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 256, (28, 28), generator=g).float()  # pixel values as in Fashion-MNIST
    K = torch.randint(-2, 3, (5, 5), generator=g).float()
    html = conv_stepper(X, K, padding=2).html()
    size_kb = len(html.encode("utf-8")) / 1024

    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file = Path(tmp) / "bench.html"
        page_file.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8"></head>'
                             f'<body style="max-width:900px;margin:auto">{html}</body></html>', encoding="utf-8")
        browser = launch(p, args.chromium)
        results = {}
        for label, viewport in (("desktop 1000 px", (1000, 900)), ("phone 375 px", (375, 700))):
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.goto(page_file.as_uri())
            page.evaluate(TIMING, 20)  # warm up the JIT and the layout caches
            page.locator("[data-a=reset]").click()
            results[label] = page.evaluate(TIMING, args.steps)
            page.evaluate(RECOMPUTE, 5)
            results[label]["recompute"] = page.evaluate(RECOMPUTE, 40)
            page.locator("[data-a=reset]").click()
            results[label]["after"] = page.evaluate(TIMING, args.steps)  # steps on the grids the script drew
            page.close()
        browser.close()

    js_file = Path(__file__).resolve().parents[1] / "d2lcnn" / "widgets" / "stepper.js"
    from d2lcnn.widgets.render import asset
    print(f"stepper.js: {js_file.stat().st_size / 1024:.1f} KB unminified (comments included)   target < 30 KB   "
          f"{'OK' if js_file.stat().st_size < 30 * 1024 else 'OVER'}; inlined per stepper "
          f"{len(asset('stepper.js').encode()) / 1024:.1f} KB (comments out, preset images in); every copy after "
          f"the first on a page only wires its own stepper (window.d2lcnnStepper)")
    print(f"stepper: 28×28 input, 5×5 kernel, padding 2 -> 28×28 output ({28 * 28} steps)")
    print(f"saved output (text/html): {size_kb:.1f} KB   target < 200 KB   "
          f"{'OK' if size_kb < 200 else 'OVER'}")
    for label, r in results.items():
        t = r["times"]
        mean, med, worst = statistics.mean(t), statistics.median(t), max(t)
        print(f"{label}: {len(t)} 'next' steps: mean {mean:.2f} ms, median {med:.2f} ms, max {worst:.2f} ms; "
              f"reset after {len(t)} steps {r['reset']:.2f} ms   target < 16 ms   {'OK' if mean < 16 else 'OVER'}")
        rc = r["recompute"]
        print(f"{label}: recompute (padding changed, 28×28 ⊛ 5×5, redraw + layout): mean {statistics.mean(rc):.2f} ms, "
              f"median {statistics.median(rc):.2f} ms, max {max(rc):.2f} ms   target < 50 ms   "
              f"{'OK' if statistics.mean(rc) < 50 else 'OVER'}")
        a = r["after"]["times"]
        print(f"{label}: 'next' steps after a recompute (pixel grids): mean {statistics.mean(a):.2f} ms, "
              f"max {max(a):.2f} ms   target < 16 ms   {'OK' if statistics.mean(a) < 16 else 'OVER'}")


if __name__ == "__main__":
    main()
