"""Benchmark (not a test): LeNet training in headless Chromium (train.js in a Web Worker) against
torch on one CPU thread, side by side in one run.

    flock /tmp/d2lcnn-heavy.lock python3 benchmarks/browser_train.py [--seconds 240] [--batches 150]

Reports
- examples/s of the ReLU LeNet (Float64Array and Float32Array storage) and of the sigmoid LeNet of
  chapter 6, batch 32, Adam, each in a fresh worker after 20 warm-up batches; torch's examples/s
  for the same networks, batch size, optimizer and number of batches from the same 10,000-image
  subset with torch.set_num_threads(1); and the JS/torch ratio. The measurements alternate
  (JS, torch, JS, torch) so that a machine shared with other work slows both alike.
- seconds from "Train" (data decoding included) until the ReLU preset (Adam lr 0.001, batch 32)
  reaches 85 % on the 2,000 held-out test images, checked after every 2,560 training examples; the
  wall-clock time includes those evaluations, the training time excludes them. It gives up after
  --seconds.
- the data script's size (tools/make_train_data.py).
The targets (issue 29): >= 1,500 examples/s for the ReLU LeNet and 85 % within 60 s.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import d2lcnn  # noqa: E402
from d2lcnn.data import load_fashion_mnist_tensors  # noqa: E402

from _browser import launch  # noqa: E402
from _scripts import load_script  # noqa: E402

WIDGETS = ROOT / "d2lcnn" / "widgets"

JS_SPEED = """async ([preset, float32, batches]) => {
    const client = d2lcnnTrainClient();  // a worker of its own: V8 compiles it for this one kind of typed array
    await client.load(d2lcnnTrainData);
    await client.setup({preset, float32, optimizer: 'adam', lr: 0.001, batchSize: 32, init: 'xavier', seed: 0});
    const warm = await client.run(20, null, 20);
    const last = await client.run(batches, null, batches);
    client.terminate();
    return {examples: last.seen - warm.seen, seconds: last.seconds - warm.seconds};
}"""

JS_TO_85 = """async ([limit, every]) => {
    const t0 = performance.now(), client = d2lcnnTrainClient(), curve = [];
    await client.load(d2lcnnTrainData);
    await client.setup({preset: 'lenet-relu', optimizer: 'adam', lr: 0.001, batchSize: 32, init: 'xavier', seed: 0});
    const decoded = (performance.now() - t0) / 1000;
    let evalSeconds = 0;
    while ((performance.now() - t0) / 1000 < limit) {
        const last = await client.run(every, null, 4);
        const ev = await client.evaluate();
        evalSeconds += ev.seconds;
        curve.push({wall: (performance.now() - t0) / 1000, train: last.seconds, seen: last.seen,
                    epoch: last.epoch, acc: ev.acc});
        if (ev.acc >= 0.85) break;
    }
    client.terminate();
    return {decoded, evalSeconds, curve};
}"""


def torch_speed(activation, images, labels, batches, batch_size=32):
    """Examples/s of d2lcnn.lenet(activation) trained with Adam on one thread, wall clock."""
    torch.manual_seed(0)
    net = d2lcnn.lenet(activation)
    d2lcnn.init_weights(net, "xavier")
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    order = torch.randperm(len(labels))
    X = images[order].float().div(255).reshape(-1, 1, 28, 28)
    Y = labels[order]

    def step(b):
        x, y = X[b * batch_size:(b + 1) * batch_size], Y[b * batch_size:(b + 1) * batch_size]
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    for b in range(3):
        step(b)
    t0 = time.perf_counter()
    for b in range(3, 3 + batches):
        step(b)
    return batches * batch_size / (time.perf_counter() - t0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=240, help="give up reaching 85 %% after this long")
    parser.add_argument("--batches", type=int, default=150, help="batches per throughput measurement")
    args = parser.parse_args()
    os.environ.setdefault("D2LCNN_DATA", str(ROOT.parent / "shared" / "data"))
    torch.set_num_threads(1)

    make_data = load_script("tools/make_train_data.py")
    x_train, y_train = load_fashion_mnist_tensors(train=True)
    subset = make_data.balanced(y_train.numpy(), 1000)
    images, labels = x_train[subset], y_train[subset]
    report = {"torch": torch.__version__, "torch_threads": torch.get_num_threads(), "cpus": os.cpu_count()}
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        data_file = make_data.main(["--out", str(Path(tmp) / "fashion_train.js")])
        report["data_script_mb"] = round(data_file.stat().st_size / 1e6, 2)
        page_file = Path(tmp) / "train.html"
        page_file.write_text("<!doctype html><html><body>" + "".join(
            f'<script src="{p.as_uri()}"></script>' for p in
            [WIDGETS / "train.js", WIDGETS / "train_worker.js", data_file]) + "</body></html>")
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(page_file.as_uri())
            report["chromium"] = browser.version
            speeds = {}
            for name, preset, float32, activation in [("relu", "lenet-relu", False, "relu"),
                                                      ("relu_float32", "lenet-relu", True, None),
                                                      ("sigmoid", "lenet-sigmoid", False, "sigmoid")]:
                js = page.evaluate(JS_SPEED, [preset, float32, args.batches])
                speeds[f"js_{name}"] = js["examples"] / js["seconds"]
                if activation:
                    speeds[f"torch_{name}"] = torch_speed(activation, images, labels, args.batches)
                    speeds[f"ratio_{name}"] = speeds[f"js_{name}"] / speeds[f"torch_{name}"]
            report["examples_per_s"] = {k: round(v, 3 if k.startswith("ratio") else 1) for k, v in speeds.items()}
            run = page.evaluate(JS_TO_85, [args.seconds, 80])
            reached = [c for c in run["curve"] if c["acc"] >= 0.85]
            report["to_85"] = {"reached": bool(reached), "decode_s": round(run["decoded"], 2),
                               "wall_s": round(reached[0]["wall"], 1) if reached else None,
                               "train_s": round(reached[0]["train"], 1) if reached else None,
                               "eval_s_total": round(run["evalSeconds"], 1),
                               "curve": [{k: round(v, 3) for k, v in c.items()} for c in run["curve"]]}
            browser.close()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
