"""Figures of the nin chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

``plot_nin_vs_alexnet`` puts AlexNet's end (its last convolution, then three
dense layers) beside NiN's (NiN blocks, the last with one channel per class,
then global average pooling). The parameter counts in the boxes are computed
from the layers themselves (built on PyTorch's ``meta`` device, so nothing is
allocated), never typed in.
"""
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch
from torch import nn

from ..inspect import count_parameters
from ..lang import tr
from ._style import INPUT, KERNEL, MUTED, OUTPUT, arrow

__all__ = ["plot_nin_vs_alexnet"]

DENSE = ("#eadcf5", "#7b4fa0")  # dense layers: violet, a colour no convolution uses
BLOCK = "#d9771b"


def _params(layer):
    """Parameters of a layer built on the meta device (no memory is allocated)."""
    return count_parameters(layer)


def _fmt_params(n, lang):
    if n >= 1e6:
        return tr(f"{n / 1e6:.1f} M params", f"{n / 1e6:.1f} M 参数", lang)
    if n >= 1e3:
        return tr(f"{n / 1e3:.1f} K params", f"{n / 1e3:.1f} K 参数", lang)
    return tr(f"{n} params", f"{n} 参数", lang)


def _box(ax, x, y, w, h, text, colors, note=None, fontsize=8.5):
    face, edge = colors
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=face, edgecolor=edge, lw=1.2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)
    if note:
        ax.text(x + w / 2 + 0.12, y, note, ha="left", va="center", fontsize=7.5, color=MUTED)


def _column(ax, x, rows, w=2.9, h=0.52, gap=0.28, top=0.0):
    """Boxes from the top down, joined by arrows; returns the y centre of each box."""
    ys = []
    y = top
    for i, (text, colors, note) in enumerate(rows):
        ys.append(y)
        _box(ax, x, y, w, h, text, colors, note)
        if i + 1 < len(rows):
            arrow(ax, (x, y - h / 2), (x, y - h / 2 - gap), color=MUTED, lw=1.0, size=9, shrink=2)
        y -= h + gap
    return ys


def plot_nin_vs_alexnet(lang=None, num_classes=10, figsize=(9.2, 5.0)):
    """AlexNet's dense head (left) beside NiN's blocks and global average pooling (right).

    Both columns start from the same 384-channel 12x12 maps of the third
    convolution stage (the Fashion-MNIST networks at 224x224). Boxes: convolutions
    orange, dense layers violet, pooling green, input blue; the grey note beside a
    box gives its parameter count, computed from the layer.
    """
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    with torch.device("meta"):
        a_conv = _params(nn.Conv2d(384, 256, 3, padding=1))
        a_fc1 = _params(nn.Linear(256 * 5 * 5, 4096))
        a_fc2 = _params(nn.Linear(4096, 4096))
        a_fc3 = _params(nn.Linear(4096, num_classes))
        n_conv = _params(nn.Conv2d(384, num_classes, 3, padding=1))
        n_1x1 = _params(nn.Conv2d(num_classes, num_classes, 1))
    c = num_classes
    fig, ax = plt.subplots(figsize=figsize)
    left = [
        (tr("384 × 12 × 12 feature maps", "384 × 12 × 12 特征映射", lang), INPUT, None),
        (tr("3×3 conv, 384 → 256, ReLU", "3×3 卷积，384 → 256，ReLU", lang), KERNEL, _fmt_params(a_conv, lang)),
        (tr("3×3 max pool → 256 × 5 × 5", "3×3 最大汇聚 → 256 × 5 × 5", lang), OUTPUT, None),
        (tr("flatten → 6400", "展平 → 6400", lang), INPUT, None),
        (tr("dense 6400 → 4096, ReLU, dropout", "全连接 6400 → 4096，ReLU，暂退法", lang), DENSE,
         _fmt_params(a_fc1, lang)),
        (tr("dense 4096 → 4096, ReLU, dropout", "全连接 4096 → 4096，ReLU，暂退法", lang), DENSE,
         _fmt_params(a_fc2, lang)),
        (tr(f"dense 4096 → {c}", f"全连接 4096 → {c}", lang), DENSE, _fmt_params(a_fc3, lang)),
        (tr(f"{c} class scores", f"{c} 个类别得分", lang), INPUT, None),
    ]
    right = [
        (tr("384 × 12 × 12 feature maps", "384 × 12 × 12 特征映射", lang), INPUT, None),
        (tr("3×3 max pool → 384 × 5 × 5, dropout", "3×3 最大汇聚 → 384 × 5 × 5，暂退法", lang), OUTPUT, None),
        (tr(f"3×3 conv, 384 → {c}, ReLU", f"3×3 卷积，384 → {c}，ReLU", lang), KERNEL, _fmt_params(n_conv, lang)),
        (tr(f"1×1 conv, {c} → {c}, ReLU", f"1×1 卷积，{c} → {c}，ReLU", lang), KERNEL, _fmt_params(n_1x1, lang)),
        (tr(f"1×1 conv, {c} → {c}, ReLU", f"1×1 卷积，{c} → {c}，ReLU", lang), KERNEL, _fmt_params(n_1x1, lang)),
        (tr(f"global average pool → {c}", f"全局平均汇聚 → {c}", lang), OUTPUT, None),
        (tr(f"{c} class scores", f"{c} 个类别得分", lang), INPUT, None),
    ]
    xl, xr = 1.8, 6.6
    ys_l = _column(ax, xl, left)
    ys_r = _column(ax, xr, right)
    # bracket around the NiN block: one conv and two 1x1 convs
    top, bottom = ys_r[2] + 0.33, ys_r[4] - 0.33
    x_b = xr - 1.62
    ax.plot([x_b + 0.12, x_b, x_b, x_b + 0.12], [top, top, bottom, bottom], color=BLOCK, lw=1.6)
    ax.text(x_b - 0.1, (top + bottom) / 2,
            tr("NiN block:\nan MLP at\nevery pixel", "NiN 块：\n每个像素上的\n多层感知机", lang),
            ha="right", va="center", fontsize=8, color=BLOCK)
    dense_total = a_fc1 + a_fc2 + a_fc3
    nin_total = n_conv + 2 * n_1x1
    ax.text(xl, ys_l[-1] - 0.62, tr(f"dense head: {dense_total / 1e6:.1f} M parameters",
                                    f"全连接部分：{dense_total / 1e6:.1f} M 个参数", lang),
            ha="center", va="top", fontsize=9, color=DENSE[1], fontweight="bold")
    ax.text(xr, ys_r[-1] - 0.62, tr(f"last NiN block: {nin_total / 1e3:.1f} K parameters",
                                    f"最后一个 NiN 块：{nin_total / 1e3:.1f} K 个参数", lang),
            ha="center", va="top", fontsize=9, color=BLOCK, fontweight="bold")
    ax.text(xl, 0.62, tr("AlexNet ends in dense layers", "AlexNet 以全连接层结尾", lang),
            ha="center", va="bottom", fontsize=10.5)
    ax.text(xr, 0.62, tr("NiN ends in a NiN block and global average pooling",
                         "NiN 以 NiN 块和全局平均汇聚结尾", lang), ha="center", va="bottom", fontsize=10.5)
    ax.set_xlim(-0.2, 9.0)
    ax.set_ylim(ys_l[-1] - 1.1, 0.75)
    ax.axis("off")
    fig.tight_layout()
    plt.close(fig)
    return fig
