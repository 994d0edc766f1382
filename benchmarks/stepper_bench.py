"""Benchmark (not a test): one stepper step in Chromium, and the saved output's size.

Case: a 28×28 input (Fashion-MNIST size) with a 5×5 kernel, 576 steps.
Targets: under 16 ms per step (one frame at 60 Hz), under 200 KB of HTML.

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
from _browser import CHROMIUM, launch  # noqa: E402

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
            page.close()
        browser.close()

    print(f"stepper: 28×28 input, 5×5 kernel, padding 2 -> 28×28 output ({28 * 28} steps)")
    print(f"saved output (text/html): {size_kb:.1f} KB   target < 200 KB   "
          f"{'OK' if size_kb < 200 else 'OVER'}")
    for label, r in results.items():
        t = r["times"]
        mean, med, worst = statistics.mean(t), statistics.median(t), max(t)
        print(f"{label}: {len(t)} 'next' steps: mean {mean:.2f} ms, median {med:.2f} ms, max {worst:.2f} ms; "
              f"reset after {len(t)} steps {r['reset']:.2f} ms   target < 16 ms   {'OK' if mean < 16 else 'OVER'}")


if __name__ == "__main__":
    main()
