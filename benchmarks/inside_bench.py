"""Benchmark (not a test): the "look inside" view of chapter 6 in Chromium, per reader action.

Target: a new input (a test image picked, or the drawing changed by a stroke) is computed and
drawn within 30 ms, so that drawing on the pad follows the pen (a frame at 60 Hz is 16.7 ms;
pointer events come at most once per frame). Measured separately: the forward pass alone
(every layer of the trained LeNet in the page's engine), the whole update (forward pass, the
probability bars, every layer's feature maps redrawn, the detail panel) with a forced layout,
and one pointer move on the pad (stroke redrawn, then the whole update).

    python benchmarks/inside_bench.py [--repeats 60] [--chromium /usr/bin/chromium]

Chromium starts as in the browser tests (tests/_browser.py: the same binary and flags). The
view is the committed one (the packaged trained LeNet and its 20 test images).
"""
import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from d2lcnn.widgets.inside import look_inside, trained_lenet

from _browser import CHROMIUM, launch

TIMING = """n => {
    const root = document.querySelector('.d2s'), api = root.d2lcnn, pad = root.querySelector('.d2s-pad');
    const x = Array.from({length: 784}, (_, i) => ((i * 7919) % 255) / 255);
    const forward = [], pick = [], stroke = [];
    for (let k = 0; k < n; k++) {
        let t0 = performance.now();
        api.forward(x);
        forward.push(performance.now() - t0);
        t0 = performance.now();
        api.pick(k % 20);
        root.getBoundingClientRect().height;            // force style + layout
        pick.push(performance.now() - t0);
    }
    const box = pad.getBoundingClientRect();
    const at = (k, type) => new PointerEvent(type, {bubbles: true, pointerId: 1, isPrimary: true,
        clientX: box.left + box.width * (0.2 + 0.06 * (k % 10)),
        clientY: box.top + box.height * (0.3 + 0.04 * (k % 10))});
    pad.dispatchEvent(at(0, 'pointerdown'));
    for (let k = 1; k <= n; k++) {
        const t0 = performance.now();
        pad.dispatchEvent(at(k, 'pointermove'));
        root.getBoundingClientRect().height;
        stroke.push(performance.now() - t0);
    }
    pad.dispatchEvent(at(n, 'pointerup'));
    return {forward, pick, stroke};
}"""


def summary(name, times, target=None):
    mean, worst = statistics.mean(times), max(times)
    verdict = "" if target is None else f"   target < {target} ms   {'OK' if mean < target else 'OVER'}"
    return f"{name}: mean {mean:.2f} ms, median {statistics.median(times):.2f} ms, max {worst:.2f} ms{verdict}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args()
    html = look_inside(trained_lenet(), lang="en").html()

    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file = Path(tmp) / "inside.html"
        page_file.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8">'
                             '<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
                             f'<body style="max-width:900px;margin:auto">{html}</body></html>', encoding="utf-8")
        browser = launch(p, args.chromium)
        print(f"look_inside view: {len(html.encode()) / 1024:.0f} KB of HTML (weights float16, 20 images)")
        for label, (w, h) in (("desktop 1000 px", (1000, 900)), ("phone 375 px", (375, 700))):
            page = browser.new_page(viewport={"width": w, "height": h})
            page.goto(page_file.as_uri())
            page.locator(".d2s-pad").scroll_into_view_if_needed()
            page.evaluate(TIMING, 10)  # warm up the JIT and the layout caches
            r = page.evaluate(TIMING, args.repeats)
            print(f"{label}:")
            print("  " + summary("forward pass alone (all layers, softmax)", r["forward"]))
            print("  " + summary("a test image picked (forward + every map, bars, detail redrawn + layout)",
                                 r["pick"], 30))
            print("  " + summary("one pointer move on the pad (stroke + the same update)", r["stroke"], 30))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
