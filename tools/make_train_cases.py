"""Write tests/train_cases.json: the gradient cases of the in-browser training engine (train.js).

Each case is a small network in train.js's layer-spec form (the layer under test, with a dense
layer behind it so that a cross-entropy loss can be taken), a random batch (1 to 8 examples) and
labels, random parameters and, for batch norm, random running statistics, all drawn with torch.
tests/test_train_engine.py runs every case twice: with torch in float64 (``compute`` below: the
loss, every parameter's gradient, the input's gradient, batch norm's running statistics after the
forward pass) and with train.js in Chromium, and checks that they agree within 1e-6 relative
error. The expected values are not stored: torch computes them in the test, so that the table
stays small and cannot go stale.

Regenerate (deterministic; seed 29):

    python3 tools/make_train_cases.py
"""
import json
import pathlib
import random

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "train_cases.json"


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def build(spec):
    """The torch network of a train.js spec, and whether each layer sees a 4-D tensor."""
    modules, spatial = [], True
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "conv":
            modules.append(nn.Conv2d(layer["in"], layer["out"], pair(layer["k"]), stride=pair(layer.get("s", 1)),
                                     padding=pair(layer.get("p", 0))))
        elif kind in ("maxpool", "avgpool"):
            cls = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
            modules.append(cls(pair(layer["k"]), stride=pair(layer.get("s", layer["k"])),
                               padding=pair(layer.get("p", 0))))
        elif kind == "sigmoid":
            modules.append(nn.Sigmoid())
        elif kind == "relu":
            modules.append(nn.ReLU())
        elif kind == "tanh":
            modules.append(nn.Tanh())
        elif kind == "flatten":
            modules.append(nn.Flatten())
            spatial = False
        elif kind == "linear":
            modules.append(nn.Linear(layer["in"], layer["out"]))
        elif kind == "bn":
            modules.append(nn.BatchNorm2d(layer["c"]) if spatial else nn.BatchNorm1d(layer["c"]))
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return nn.Sequential(*modules).double()


def compute(case):
    """torch's loss, parameter gradients, input gradient and batch-norm buffers for one case."""
    net = build(case)
    with torch.no_grad():
        for p, values in zip(net.parameters(), case["params"]):
            p.copy_(torch.tensor(values, dtype=torch.float64).reshape(p.shape))
        bns = [m for m in net if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        for m, buf in zip(bns, case["buffers_before"]):
            m.running_mean.copy_(torch.tensor(buf["mean"], dtype=torch.float64))
            m.running_var.copy_(torch.tensor(buf["var"], dtype=torch.float64))
    net.train(case["training"])
    x = torch.tensor(case["x"], dtype=torch.float64).reshape(case["n"], *case["input"]).requires_grad_(True)
    loss = nn.functional.cross_entropy(net(x), torch.tensor(case["labels"]))
    loss.backward()
    return {"loss": loss.item(),
            "grads": [p.grad.flatten().tolist() for p in net.parameters()],
            "dx": x.grad.flatten().tolist(),
            "buffers_after": [{"mean": m.running_mean.tolist(), "var": m.running_var.tolist()} for m in bns]}


def dyadic(values):
    """``values`` rounded to multiples of 2^-8, as a list."""
    return (torch.round(values * 256) / 256).tolist()


def out_size(size, k, p, s):
    return (size + 2 * p - k) // s + 1


def make_case(kind, rng):
    """A random configuration that exercises layer type ``kind``."""
    n = rng.randint(1, 8)
    c, h, w = rng.randint(1, 3), rng.randint(3, 8), rng.randint(3, 8)
    classes = rng.randint(2, 5)
    layers, shape, training = [], [c, h, w], True

    def conv(k_max=4, stride_max=3, pad_max=2):
        ch, cw = shape[1], shape[2]
        while True:
            k = (rng.randint(1, k_max), rng.randint(1, k_max))
            p = (rng.randint(0, pad_max), rng.randint(0, pad_max))
            s = (rng.randint(1, stride_max), rng.randint(1, stride_max))
            if k[0] <= ch + 2 * p[0] and k[1] <= cw + 2 * p[1]:
                break
        out = rng.randint(1, 3)
        square = k[0] == k[1] and p[0] == p[1] and s[0] == s[1]
        layers.append({"type": "conv", "in": shape[0], "out": out, "k": k[0] if square else list(k),
                       "p": p[0] if square else list(p), "s": s[0] if square else list(s)})
        shape[:] = [out, out_size(ch, k[0], p[0], s[0]), out_size(cw, k[1], p[1], s[1])]

    def pool(kind):
        while True:
            k = (rng.randint(1, 3), rng.randint(1, 3))
            s = (rng.randint(1, 3), rng.randint(1, 3))
            p = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
            if k[0] <= shape[1] + 2 * p[0] and k[1] <= shape[2] + 2 * p[1]:
                break
        layers.append({"type": kind, "k": list(k), "s": list(s), "p": list(p)})
        shape[1:] = [out_size(shape[1], k[0], p[0], s[0]), out_size(shape[2], k[1], p[1], s[1])]

    def flatten():
        layers.append({"type": "flatten"})
        shape[:] = [shape[0] * shape[1] * shape[2], 1, 1]

    def linear(out):
        layers.append({"type": "linear", "in": shape[0] * shape[1] * shape[2], "out": out})
        shape[:] = [out, 1, 1]

    if kind == "conv":
        conv()
    elif kind == "conv5":  # the LeNets' kernel rows (5 wide, stride 1)
        h, w = rng.randint(3, 8), rng.randint(5, 8)
        shape[1:] = [h, w]
        pad = rng.randint(0, 2)
        layers.append({"type": "conv", "in": c, "out": rng.randint(1, 3), "k": [rng.randint(1, min(5, h + 2 * pad)), 5],
                       "p": pad, "s": 1})
        shape[:] = [layers[-1]["out"], out_size(h, layers[-1]["k"][0], pad, 1), out_size(w, 5, pad, 1)]
        layers.append({"type": rng.choice(["relu", "sigmoid"])})
    elif kind in ("maxpool", "avgpool"):
        conv(k_max=3, stride_max=1, pad_max=1)
        pool(kind)
    elif kind in ("sigmoid", "relu", "tanh"):
        conv(stride_max=2)
        layers.append({"type": kind})
        flatten()
        linear(rng.randint(2, 6))
        layers.append({"type": kind})
    elif kind == "linear":
        flatten()
        linear(rng.randint(1, 7))
    elif kind in ("bn2d", "bn2d-eval"):
        training = kind == "bn2d"
        conv(stride_max=1)
        if training and n * shape[1] * shape[2] < 2:
            n = 2
        layers.append({"type": "bn", "c": shape[0]})
        layers.append({"type": rng.choice(["sigmoid", "relu", "tanh"])})
    elif kind in ("bn1d", "bn1d-eval"):
        training = kind == "bn1d"
        if training:
            n = max(n, 2)
        flatten()
        linear(rng.randint(2, 6))
        layers.append({"type": "bn", "c": shape[0]})
        layers.append({"type": rng.choice(["sigmoid", "relu", "tanh"])})
    if layers[-1]["type"] != "flatten" and shape[1:] != [1, 1]:
        flatten()
    linear(classes)

    case = {"kind": kind, "input": [c, h, w], "layers": layers, "n": n, "training": training}
    net = build(case)
    gen = torch.Generator().manual_seed(rng.randrange(2 ** 31))
    # Inputs and parameters are multiples of 2^-8 (short in JSON, exact in binary); torch's results are kept whole.
    case["x"] = dyadic(torch.randn(n * c * h * w, generator=gen, dtype=torch.float64))
    case["labels"] = torch.randint(0, classes, (n,), generator=gen).tolist()
    # Random parameters (batch norm's gamma and beta too, so that they are not the trivial 1 and 0).
    case["params"] = [dyadic(torch.rand(p.numel(), generator=gen, dtype=torch.float64) * 2 - 1)
                      for p in net.parameters()]
    bns = [m for m in net if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    case["buffers_before"] = [{"mean": dyadic(torch.randn(m.num_features, generator=gen, dtype=torch.float64) * 0.5),
                               "var": dyadic(torch.rand(m.num_features, generator=gen, dtype=torch.float64) + 0.5)}
                              for m in bns]
    compute(case)  # fails here, not in the test, for a configuration torch refuses
    return case


# How many random configurations of each kind: >= 100 in all, every layer type several times.
KINDS = {"conv": 30, "maxpool": 14, "avgpool": 14, "sigmoid": 6, "relu": 6, "tanh": 6, "linear": 8,
         "bn2d": 10, "bn2d-eval": 4, "bn1d": 8, "bn1d-eval": 4, "conv5": 12}


def main():
    rng = random.Random(29)
    cases = []
    for kind, count in KINDS.items():
        for _ in range(count):
            case = make_case(kind, rng)
            case["id"] = f"{kind}-{len([c for c in cases if c['kind'] == kind])}"
            cases.append(case)
    OUT.write_text(json.dumps({"about": "Gradient cases of d2lcnn/widgets/train.js, computed by torch in float64; "
                                        "regenerate with python3 tools/make_train_cases.py",
                               "torch": torch.__version__.split("+")[0], "cases": cases}, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
