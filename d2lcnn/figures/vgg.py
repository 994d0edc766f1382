"""Figures of the vgg chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

Left: one VGG block (a few 3×3 convolutions with padding 1, then a 2×2 max
pool). Right: the network as a column of blocks and dense layers, with the
output shape of each, taken from the package's ``vgg`` run on the ``meta``
device. The drawing helpers are the AlexNet chapter's (``figures/alexnet.py``).
"""
import numbers

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch

from .. import lang as _lang
from ._style import KERNEL, MUTED
from .alexnet import BOX_H, BOX_W, STEP, _draw_stack, _finish, _legend, _stack_rows

__all__ = ["plot_vgg"]


def _check_arch(conv_arch):
    ok = isinstance(conv_arch, (list, tuple)) and len(conv_arch) == 5
    if ok:
        for pair in conv_arch:
            ok = ok and isinstance(pair, (list, tuple)) and len(pair) == 2 and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1 for v in pair)
    if not ok:
        raise ValueError("conv_arch must list 5 blocks as (number of convs, output channels) pairs of "
                         f"positive integers, e.g. ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)); "
                         f"got {conv_arch!r}")
    return tuple((int(n), int(c)) for n, c in conv_arch)


def _block_rows(lang):
    """The rows of one generic block: input, the repeated 3×3 conv, the pool, with symbolic shapes."""
    tr = lambda en, zh: _lang.tr(en, zh, lang)  # noqa: E731
    sep = "，" if lang == "zh" else ", "
    return [("input", tr("input", "输入"), "c×h×w"),
            ("conv", f"{tr('conv', '卷积')} 3×3{sep}{tr('pad', '填充')} 1{sep}c' {tr('ch', '通道')} + ReLU",
             "c'×h×w"),
            ("pool", f"{tr('max pool', '最大汇聚')} 2×2{sep}{tr('stride', '步幅')} 2", "c'×h/2×w/2")]


def plot_vgg(conv_arch=((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)), lang=None, figsize=(10, 6.6)):
    """A VGG block (left) and the VGG network of ``conv_arch`` as blocks (right), for a 1×224×224 input.

    ``conv_arch`` lists (number of 3×3 convolutions, output channels) for each
    of the five blocks; the default is VGG-11.
    """
    from ..models.vgg import vgg
    lang = _lang.resolve_lang(lang)
    arch = _check_arch(conv_arch)
    with torch.device("meta"):  # shapes only: VGG-11 has 129 M weights
        rows = _stack_rows(vgg(arch), (1, 224, 224), lang)
    with _lang.lang_context(lang):  # a CJK font for Chinese labels, also when called directly
        fig, ax = plt.subplots(figsize=figsize)
        left, right = 0.8, 9.4
        top = 1.2  # the block panel sits a little lower, beside the blocks it explains
        block_bottom = _draw_stack(ax, left, _block_rows(lang), _lang.tr("One VGG block", "一个 VGG 块", lang),
                                   y0=top, shape_side="left")
        # A bracket around the convolution: it is repeated num_convs times.
        conv_y = top + STEP
        face, edge = KERNEL
        ax.add_patch(FancyBboxPatch((left - 0.12, conv_y - 0.12), BOX_W + 0.24, BOX_H + 0.24,
                                    boxstyle="round,pad=0.02,rounding_size=0.1", fill=False,
                                    edgecolor=edge, lw=1.4, ls="--"))
        ax.text(left + BOX_W + 0.25, conv_y + BOX_H / 2,
                _lang.tr("× num_convs", "× num_convs 次", lang),
                ha="left", va="center", fontsize=9.5, color=edge, fontweight="bold")
        ax.text(left + BOX_W / 2, block_bottom + 0.45,
                _lang.tr("padding 1 keeps h×w; the pool halves it",
                         "填充 1 保持高和宽不变，汇聚层将其减半", lang),
                ha="center", va="top", fontsize=9, color=MUTED)
        n_convs = sum(n for n, _ in arch)
        name = {(8,): "VGG-11", (13,): "VGG-16", (16,): "VGG-19"}.get((n_convs,), "VGG")
        title_net = _lang.tr(f"{name}: {n_convs} conv + 3 dense layers",
                             f"{name}：{n_convs} 个卷积层 + 3 个全连接层", lang)
        bottom = max(block_bottom, _draw_stack(ax, right, rows, title_net))
        _legend(ax, left, bottom + 0.45, lang, kinds=("conv", "pool", "block", "dense"))
        title = _lang.tr("VGG: a network built from repeated blocks (output shapes: channels×height×width)",
                         "VGG：由重复的块构成的网络（输出形状：通道×高×宽）", lang)
        return _finish(fig, ax, (-1.3, right + BOX_W + 1.6), (-0.9, bottom + 0.9), title)
