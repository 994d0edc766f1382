"""The LeNet diagram of chapter 6, drawn with matplotlib in the reader's language (see d2lcnn.lang).

The network is drawn left to right as a row of layer boxes: the convolutional
encoder (conv -> pool -> conv -> pool) and then the dense block. Activations are
folded into the box of the layer they follow, and every box shows the output
shape of its layer. The boxes and shapes come from the package's own
``d2lcnn.lenet()`` run on a zero image, so the figure cannot drift from the code.
Colours as in the other architecture figures: convolutions orange, pooling
blue, dense layers green, input and flatten grey.
"""
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from .. import lang as _lang
from ..inspect import layer_shapes
from ._style import INPUT, KERNEL, MUTED, OUTPUT, PAD, as_pair

__all__ = ["plot_lenet"]

COLORS = {"input": PAD, "conv": KERNEL, "pool": INPUT, "flatten": PAD, "dense": OUTPUT}
BOX_W, BOX_H, GAP = 1.55, 1.5, 0.45  # box size and horizontal space between boxes


def _boxes(net, lang):
    """(kind, label, shape text) for each drawn layer, activations folded into the layer before."""
    tr = lambda en, zh: _lang.tr(en, zh, lang)  # noqa: E731
    shapes = {name: shape for name, _, shape in layer_shapes(net, torch.zeros(1, 1, 28, 28), 1)}
    boxes = [("input", tr("input", "输入"), "1×28×28")]
    for name, layer in net.named_children():
        shape = "×".join(str(s) for s in shapes[name][1:])
        if isinstance(layer, nn.Conv2d):
            k = as_pair(layer.kernel_size)[0]
            label = f"{tr('conv', '卷积')} {k}×{k}\n{layer.out_channels} {tr('channels', '通道')}"
            if as_pair(layer.padding)[0]:
                label += f"\n{tr('padding', '填充')} {as_pair(layer.padding)[0]}"
            boxes.append(("conv", label, shape))
        elif isinstance(layer, (nn.AvgPool2d, nn.MaxPool2d)):
            k, s = as_pair(layer.kernel_size)[0], as_pair(layer.stride)[0]
            kind = tr("avg pool", "平均汇聚") if isinstance(layer, nn.AvgPool2d) else tr("max pool", "最大汇聚")
            boxes.append(("pool", f"{kind}\n{k}×{k}\n{tr('stride', '步幅')} {s}", shape))
        elif isinstance(layer, nn.Flatten):
            boxes.append(("flatten", tr("flatten", "展平"), shape))
        elif isinstance(layer, nn.Linear):
            boxes.append(("dense", f"{tr('dense', '全连接')}\n{layer.out_features}", shape))
        elif isinstance(layer, (nn.Sigmoid, nn.ReLU)):
            kind, label, prev = boxes[-1]
            act = "sigmoid" if isinstance(layer, nn.Sigmoid) else "ReLU"
            boxes[-1] = (kind, f"{label}\n+ {act}", prev)
        else:
            raise ValueError(f"plot_lenet cannot draw a {type(layer).__name__} layer")
    return boxes


def plot_lenet(net=None, lang=None):
    """LeNet as a row of layer boxes with the output shape under each, labelled in ``lang``.

    ``net`` defaults to ``d2lcnn.lenet()`` (sigmoid, average pooling); any
    ``nn.Sequential`` of the same kinds of layers (e.g. ``lenet('relu')``) works.
    """
    from ..models.lenet import lenet
    lang = _lang.resolve_lang(lang)
    tr = lambda en, zh: _lang.tr(en, zh, lang)  # noqa: E731
    boxes = _boxes(net if net is not None else lenet(), lang)
    n = len(boxes)
    fig, ax = plt.subplots(figsize=(1.32 * n, 3.3))
    xs = [i * (BOX_W + GAP) for i in range(n)]
    for x, (kind, label, shape) in zip(xs, boxes):
        face, edge = COLORS[kind]
        ax.add_patch(FancyBboxPatch((x, 0), BOX_W, BOX_H, boxstyle="round,pad=0.02,rounding_size=0.1",
                                    facecolor=face, edgecolor=edge, lw=1.2))
        ax.text(x + BOX_W / 2, BOX_H / 2, label, ha="center", va="center", fontsize=8.5, linespacing=1.25)
        ax.text(x + BOX_W / 2, -0.25, shape, ha="center", va="top", fontsize=8.5, color=MUTED)
    for x in xs[:-1]:
        ax.add_patch(FancyArrowPatch((x + BOX_W, BOX_H / 2), (x + BOX_W + GAP, BOX_H / 2),
                                     arrowstyle="-|>", mutation_scale=10, color=MUTED, lw=1))

    # Brackets above the two parts of the network.
    kinds = [k for k, _, _ in boxes]
    enc = [i for i, k in enumerate(kinds) if k in ("conv", "pool")]
    dense = [i for i, k in enumerate(kinds) if k == "dense"]
    for idx, text in ((enc, tr("convolutional encoder", "卷积编码器")),
                      (dense, tr("dense block (fully connected layers)", "全连接层（稠密块）"))):
        x0, x1 = xs[idx[0]], xs[idx[-1]] + BOX_W
        y = BOX_H + 0.25
        ax.plot([x0, x0, x1, x1], [y - 0.1, y, y, y - 0.1], color=MUTED, lw=1)
        ax.text((x0 + x1) / 2, y + 0.1, text, ha="center", va="bottom", fontsize=10)
    ax.text(xs[0], -0.85, tr("grey: output shape (channels × height × width)",
                             "灰色数字：输出形状（通道 × 高 × 宽）"),
            ha="left", va="top", fontsize=8, color=MUTED)
    ax.set_xlim(-0.1, xs[-1] + BOX_W + 0.1)
    ax.set_ylim(-1.25, BOX_H + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    plt.close(fig)
    return fig
