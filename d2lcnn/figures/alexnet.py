"""Figures of the alexnet chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

A network is drawn as a column of layer boxes, read from top (input) to bottom
(class scores). The boxes and the output shape beside each one come from the
real ``nn.Sequential`` of the package, run on the ``meta`` device (shapes
without arithmetic), so the figure cannot drift from the code it illustrates.
Colours: convolutions orange, pooling blue, dense layers green, input grey.
"""
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from torch import nn

from .. import lang as _lang
from ..inspect import layer_shapes
from ._style import INPUT, KERNEL, MUTED, OUTPUT, PAD, as_pair

__all__ = ["plot_lenet_alexnet", "plot_first_layer_kernels"]

BLOCK = ("#e9def5", "#7b4fa6")  # a whole VGG block: purple, so it differs from a single convolution
COLORS = {"input": PAD, "conv": KERNEL, "pool": INPUT, "dense": OUTPUT, "block": BLOCK}
BOX_W, BOX_H, STEP = 5.0, 0.62, 0.95  # box size and vertical distance between boxes


def _shape_text(shape):
    return "×".join(str(s) for s in shape[1:])


def _sep(lang):
    return "，" if lang == "zh" else ", "


def _describe(layer, lang):
    """(kind, label) of one layer, or None for a layer folded into its neighbour."""
    tr = lambda en, zh: _lang.tr(en, zh, lang)  # noqa: E731
    sep = _sep(lang)
    if isinstance(layer, nn.Conv2d):
        kh, kw = as_pair(layer.kernel_size)
        parts = [f"{tr('conv', '卷积')} {kh}×{kw}", f"{layer.out_channels} {tr('ch', '通道')}"]
        if max(as_pair(layer.stride)) > 1:
            parts.append(f"{tr('stride', '步幅')} {as_pair(layer.stride)[0]}")
        if max(as_pair(layer.padding)) > 0:
            parts.append(f"{tr('pad', '填充')} {as_pair(layer.padding)[0]}")
        return "conv", sep.join(parts)
    if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
        k = as_pair(layer.kernel_size)[0]
        s = as_pair(layer.stride)[0]
        name = tr("max pool", "最大汇聚") if isinstance(layer, nn.MaxPool2d) else tr("avg pool", "平均汇聚")
        return "pool", f"{name} {k}×{k}{sep}{tr('stride', '步幅')} {s}"
    if isinstance(layer, nn.Linear):
        return "dense", f"{tr('dense', '全连接')} {layer.out_features}"
    if isinstance(layer, nn.Sequential):  # a VGG block
        convs = [m for m in layer if isinstance(m, nn.Conv2d)]
        if not convs:
            raise ValueError("a block to draw must contain at least one Conv2d")
        k = as_pair(convs[0].kernel_size)[0]
        return "block", tr(f"block: {len(convs)} × conv {k}×{k}, {convs[-1].out_channels} ch",
                           f"块：{len(convs)} 个 {k}×{k} 卷积，{convs[-1].out_channels} 通道")
    return None


def _suffix(layer, lang):
    """Text added to the previous box for an activation or dropout layer, or None."""
    if isinstance(layer, nn.ReLU):
        return "ReLU"
    if isinstance(layer, nn.Sigmoid):
        return "sigmoid"
    if isinstance(layer, nn.Dropout):
        return _lang.tr("dropout", "暂退法", lang)
    return None


def _stack_rows(net, input_shape, lang):
    """[(kind, label, output shape text)] for an ``nn.Sequential`` fed one input of ``input_shape``."""
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential, got {type(net).__name__}")
    X = torch.empty(1, *input_shape, device="meta")
    shapes = layer_shapes(net, X)
    rows = [("input", f"{_lang.tr('input', '输入', lang)}", _shape_text(X.shape))]
    for layer, (_, _, shape) in zip(net, shapes):
        described = _describe(layer, lang)
        if described is not None:
            rows.append([described[0], described[1], _shape_text(shape)])
            continue
        extra = _suffix(layer, lang)
        if extra is not None and len(rows) > 1:
            rows[-1][1] += f" + {extra}"
        # Flatten and other shape-only layers draw no box: the next dense box shows its width.
    return [tuple(r) for r in rows]


def _draw_stack(ax, x0, rows, title, y0=0.0, shape_side="right"):
    """Draw rows as boxes from y0 downwards with arrows between them; returns the bottom y."""
    ax.text(x0 + BOX_W / 2, y0 - 0.55, title, ha="center", va="bottom", fontsize=11, fontweight="bold")
    for i, (kind, label, shape) in enumerate(rows):
        y = y0 + i * STEP
        face, edge = COLORS[kind]
        ax.add_patch(FancyBboxPatch((x0, y), BOX_W, BOX_H, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=face, edgecolor=edge, lw=1.2))
        ax.text(x0 + BOX_W / 2, y + BOX_H / 2, label, ha="center", va="center", fontsize=8.5)
        if shape_side == "right":
            ax.text(x0 + BOX_W + 0.12, y + BOX_H / 2, shape, ha="left", va="center", fontsize=8, color=MUTED)
        else:
            ax.text(x0 - 0.22, y + BOX_H / 2, shape, ha="right", va="center", fontsize=8, color=MUTED)
        if i:
            ax.add_patch(FancyArrowPatch((x0 + BOX_W / 2, y - STEP + BOX_H), (x0 + BOX_W / 2, y),
                                         arrowstyle="-|>", mutation_scale=9, color=MUTED, lw=1))
    return y0 + (len(rows) - 1) * STEP + BOX_H


def _legend(ax, x, y, lang, kinds=("conv", "pool", "dense")):
    names = {"conv": _lang.tr("convolution", "卷积层", lang), "pool": _lang.tr("pooling", "汇聚层", lang),
             "dense": _lang.tr("dense", "全连接层", lang),
             "block": _lang.tr("VGG block", "VGG 块", lang)}
    for i, kind in enumerate(kinds):
        face, edge = COLORS[kind]
        ax.add_patch(FancyBboxPatch((x + i * 2.3, y), 0.35, 0.3, boxstyle="round,pad=0.01,rounding_size=0.04",
                                    facecolor=face, edgecolor=edge, lw=1))
        ax.text(x + i * 2.3 + 0.5, y + 0.15, names[kind], ha="left", va="center", fontsize=8.5)


def _finish(fig, ax, xlim, ylim, title):
    ax.set_xlim(*xlim)
    ax.set_ylim(ylim[1], ylim[0])  # y grows downwards: the input is at the top
    ax.axis("off")
    ax.set_title(title, fontsize=12)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_lenet_alexnet(lang=None, figsize=(9, 7.2)):
    """LeNet (28×28 input) beside AlexNet (224×224 input) as columns of layer boxes with output shapes.

    Both networks are the package's own (``lenet()`` and ``alexnet()``, one
    input channel, 10 classes); activations and dropout are written into the
    box of the layer they follow.
    """
    from ..models.alexnet import alexnet
    from ..models.lenet import lenet
    lang = _lang.resolve_lang(lang)
    with torch.device("meta"):  # shapes only: no memory for AlexNet's 47 M weights
        lenet_rows = _stack_rows(lenet(), (1, 28, 28), lang)
        alex_rows = _stack_rows(alexnet(), (1, 224, 224), lang)
    with _lang.lang_context(lang):  # a CJK font for Chinese labels, also when called directly
        fig, ax = plt.subplots(figsize=figsize)
        left, right = 1.3, 8.4
        bottom = max(_draw_stack(ax, left, lenet_rows, "LeNet (1998)", shape_side="left"),
                     _draw_stack(ax, right, alex_rows, "AlexNet (2012)"))
        _legend(ax, 1.3, bottom + 0.45, lang)
        title = _lang.tr("From LeNet to AlexNet: layers and output shapes (channels×height×width)",
                         "从 LeNet 到 AlexNet：各层及其输出形状（通道×高×宽）", lang)
        return _finish(fig, ax, (-0.3, right + BOX_W + 1.5), (-0.9, bottom + 0.9), title)


# ---------------------------------------------------------------- learned first-layer kernels

def kernel_mosaic(weight, cols=12, gap=1):
    """The kernels of a first convolution layer (``out × in × k × k``, one input channel) tiled into one
    array, ``cols`` per row, separated by ``gap`` pixels of NaN (drawn as the background)."""
    w = torch.as_tensor(weight).detach().float().cpu()
    if w.dim() != 4 or w.shape[1] != 1:
        raise ValueError(f"weight must be out_channels x 1 x k x k (a first layer on grey images), got "
                         f"{tuple(w.shape)}")
    n, _, kh, kw = w.shape
    rows = -(-n // cols)
    out = torch.full((rows * (kh + gap) + gap, cols * (kw + gap) + gap), float("nan"))
    for i in range(n):
        r, c = divmod(i, cols)
        out[gap + r * (kh + gap):gap + r * (kh + gap) + kh, gap + c * (kw + gap):gap + c * (kw + gap) + kw] = w[i, 0]
    return out.numpy()


def plot_first_layer_kernels(panels, lang=None, note=None, cols=12, figsize=None):
    """First-layer kernels side by side: ``panels`` is a list of ``(weight, (title_en, title_zh))``.

    Each panel tiles its layer's kernels (``out × 1 × k × k``) in grey, on one
    symmetric scale per panel (white positive, black negative, mid-grey zero), so
    kernels of one panel can be compared with each other and, through the scale
    printed under it, with the other panel. ``note`` (en, zh) goes under the panels:
    say there which run made the weights.
    """
    if not panels:
        raise ValueError("panels is empty: give at least one (weight, (title_en, title_zh))")
    text = _lang.tr
    mosaics = [kernel_mosaic(w, cols) for w, _ in panels]
    h, w = mosaics[0].shape
    figsize = figsize or (4.9 * len(panels), 4.9 * len(panels) * h / w / len(panels) + 1.6)
    fig, axes = plt.subplots(1, len(panels), figsize=figsize, squeeze=False)
    cmap = plt.get_cmap("gray").with_extremes(bad="#f2ecdc")
    for ax, mosaic, (weight, title) in zip(axes[0], mosaics, panels):
        v = float(torch.as_tensor(weight).detach().abs().max())
        ax.imshow(mosaic, cmap=cmap, vmin=-v, vmax=v, interpolation="nearest")
        ax.set_title(text(*title, lang), fontsize=10.5)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        n, _, kh, kw = torch.as_tensor(weight).shape
        ax.set_xlabel(text(f"{n} kernels of {kh}×{kw}; black −{v:.2g}, grey 0, white +{v:.2g}",
                           f"{n} 个 {kh}×{kw} 卷积核；黑 −{v:.2g}，灰 0，白 +{v:.2g}", lang), fontsize=8.5,
                      color=MUTED)
    if note:
        fig.text(0.5, 0.02, text(*note, lang), ha="center", va="bottom", fontsize=8.8, wrap=True)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.17 if note else 0.08, wspace=0.06)
    plt.close(fig)
    return fig
