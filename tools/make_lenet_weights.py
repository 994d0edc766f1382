#!/usr/bin/env python3
"""Train the chapter-6 LeNet with the book's recipe and store its weights as package data.

    python3 tools/make_lenet_weights.py            # about a minute or two on a CPU

The weights behind ``d2lcnn.look_inside()`` (the "Look inside the trained LeNet" view):
the sigmoid LeNet of ``d2lcnn.lenet()`` trained exactly as chapter 6 trains it (seed 0,
learning rate 0.9, 10 epochs, batch size 256, ``train_ch6`` in the full profile, on the CPU),
written to ``d2lcnn/widgets/lenet_weights.json`` in float16 (half the bytes on every page;
the view and its tests compute with these rounded weights, so nothing compares against
weights the page does not have). Running it again on the same machine and torch gives the
same file.
"""
import base64
import json
import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import d2lcnn  # noqa: E402

TARGET = ROOT / "d2lcnn" / "widgets" / "lenet_weights.json"
LR, NUM_EPOCHS, BATCH_SIZE, SEED = 0.9, 10, 256, 0


def main():
    # One thread: the result does not depend on how many cores a machine has.
    torch.set_num_threads(1)
    d2lcnn.set_seed(SEED)
    train_iter, test_iter = d2lcnn.load_data_fashion_mnist(batch_size=BATCH_SIZE)
    d2lcnn.set_seed(SEED)
    net = d2lcnn.lenet()
    run = d2lcnn.train_ch6(net, train_iter, test_iter, NUM_EPOCHS, LR, torch.device("cpu"), profile="full",
                           plot=False)
    tensors = {}
    for name, value in net.state_dict().items():
        half = value.detach().cpu().to(torch.float16).contiguous()
        tensors[name] = {"shape": list(half.shape),
                         "f16": base64.b64encode(half.numpy().astype("<f2").tobytes()).decode("ascii")}
    final = run.get("final", {})
    doc = {"about": "d2lcnn.lenet() (sigmoid) trained by tools/make_lenet_weights.py; float16, little-endian, "
                    "row-major, base64",
           "recipe": {"lr": LR, "num_epochs": NUM_EPOCHS, "batch_size": BATCH_SIZE, "seed": SEED, "profile": "full",
                      "device": "cpu"},
           "final": {k: round(float(v), 4) for k, v in dict(final).items() if isinstance(v, (int, float))},
           "torch": torch.__version__, "tensors": tensors}
    TARGET.write_text(json.dumps(doc, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({TARGET.stat().st_size / 1024:.0f} KB); final {doc['final']}")


if __name__ == "__main__":
    main()
