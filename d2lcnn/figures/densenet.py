"""Figures of the densenet chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_add_vs_concat``: a residual connection adds ``x`` to ``g(x)``; a dense
  connection stacks ``x`` and ``f(x)`` along the channels.
* ``plot_dense_block_growth``: the channel stack that each layer of a dense
  block receives, growing by the growth rate, and the transition that halves it.

Each function returns a closed Figure, so ``d2lcnn.show_figure`` shows it once.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch, Rectangle

from ..lang import tr
from ._style import INPUT, KERNEL, MUTED, OUTPUT, PAD, arrow

__all__ = ["plot_add_vs_concat", "plot_dense_block_growth"]

# Colours of the layers' outputs in a dense block: the book's green, then lighter or bluer greens.
LAYER_COLORS = (("#d5eecf", "#3d8b3d"), ("#bfe3d6", "#2e7d6b"), ("#e6f2c2", "#7a9a1f"),
                ("#cfe7ee", "#2f7f96"), ("#e9dff3", "#7b5ea7"), ("#f6dde6", "#a5466b"))


def _subscript(n):
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _slab(ax, x, y, w, h, colors, label=None, size=11):
    """One feature tensor drawn as a bar whose height stands for its channels (y grows upwards)."""
    face, edge = colors
    ax.add_patch(Rectangle((x, y), w, h, facecolor=face, edgecolor=edge, lw=1.2))
    if label:
        ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", fontsize=size)


def _layer_box(ax, x, y, w, h, text):
    face, edge = KERNEL
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05,rounding_size=0.15",
                                facecolor=face, edgecolor=edge, lw=1.2))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=12, style="italic")


def _connection_panel(ax, dense, lang):
    c, k = 3.0, 1.5  # heights standing for the input's channels and the layer's new channels
    x_in, x_box, x_op, x_out, w = 0.0, 1.4, 3.5, 4.5, 0.6
    mid = c / 2
    _slab(ax, x_in, 0, w, c, INPUT, "x")
    name = "f" if dense else "g"
    _layer_box(ax, x_box, mid - 0.55, 1.3, 1.1, name)
    arrow(ax, (x_in + w, mid), (x_box - 0.05, mid), lw=1.4)
    arrow(ax, (x_box + 1.35, mid), (x_op - 0.3, mid), lw=1.4)
    # the shortcut that carries x around the layers
    arrow(ax, (x_in + w / 2, c), (x_op, mid + 0.32), rad=-0.45, color=INPUT[1], lw=1.6)
    ax.add_patch(plt.Circle((x_op, mid), 0.3, facecolor="white", edgecolor="black", lw=1.2))
    ax.text(x_op, mid, "C" if dense else "+", ha="center", va="center", fontsize=13,
            fontweight="bold")
    arrow(ax, (x_op + 0.3, mid), (x_out - 0.05, mid), lw=1.4)
    if dense:
        _slab(ax, x_out, 0, w, c, INPUT, "x")
        _slab(ax, x_out, c, w, k, OUTPUT, f"{name}(x)", size=10)
        top = c + k
        out_label = "[x, f(x)]"
        channels = tr("c + k channels", "c + k 个通道", lang)
        op = tr("C: concatenate on channels", "C：在通道维上连结", lang)
    else:
        _slab(ax, x_out, 0, w, c, OUTPUT)
        top = c
        out_label = "x + g(x)"
        channels = tr("c channels", "c 个通道", lang)
        op = tr("+: add element by element", "+：按元素相加", lang)
    ax.text(x_out + w / 2, top + 0.15, out_label, ha="center", va="bottom", fontsize=11)
    ax.text(x_out + w / 2, -0.2, channels, ha="center", va="top", fontsize=9, color=MUTED)
    ax.text(x_in + w / 2, -0.2, tr("c channels", "c 个通道", lang), ha="center", va="top",
            fontsize=9, color=MUTED)
    ax.text((x_in + x_out + w) / 2, -0.9, op, ha="center", va="top", fontsize=9.5)
    title = (tr("DenseNet: concatenation", "DenseNet：连结", lang) if dense
             else tr("ResNet: addition", "ResNet：相加", lang))
    ax.set_title(title, fontsize=12)
    ax.set_xlim(-0.4, 5.6)
    ax.set_ylim(-1.6, 5.4)
    ax.set_aspect("equal")
    ax.axis("off")


def plot_add_vs_concat(lang=None, figsize=(9, 3.6)):
    """A residual connection (left) against a dense connection (right).

    Bars are feature tensors, their heights standing for channels: ResNet adds
    ``x`` and ``g(x)``, so the output keeps ``c`` channels; DenseNet stacks ``x``
    and ``f(x)``, so the output has ``c + k`` channels and still holds ``x``.
    """
    fig, axes = plt.subplots(1, 2, figsize=figsize)
    _connection_panel(axes[0], dense=False, lang=lang)
    _connection_panel(axes[1], dense=True, lang=lang)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_dense_block_growth(in_channels=64, growth_rate=32, num_convs=4, lang=None, figsize=(9, 4.2)):
    """The channels each layer of a dense block reads, then the block's output and the transition.

    Row ``i`` is the input of layer ``i``: the block's input (blue) and the
    outputs of the layers before it, ``growth_rate`` channels each. The block
    outputs ``in_channels + num_convs * growth_rate`` channels; the transition's
    1x1 convolution halves them (grey). Every row is a tensor of its own, which
    autograd keeps for the backward pass. Defaults: the first block of the
    chapter's network (64 + 4 x 32 = 192 channels, 96 after the transition).
    """
    if min(in_channels, growth_rate, num_convs) < 1:
        raise ValueError("in_channels, growth_rate and num_convs must all be at least 1")
    out_channels = in_channels + num_convs * growth_rate
    rows = [tr(f"layer {i + 1} input", f"第 {i + 1} 层的输入", lang) for i in range(num_convs)]
    rows += [tr("block output", "稠密块的输出", lang), tr("after transition", "过渡层之后", lang)]
    fig, ax = plt.subplots(figsize=figsize)
    height = 0.62
    for r in range(num_convs + 1):
        y = -r
        _slab(ax, 0, y - height / 2, in_channels, height, INPUT, "x", size=10)
        for j in range(r):
            _slab(ax, in_channels + j * growth_rate, y - height / 2, growth_rate, height,
                  LAYER_COLORS[j % len(LAYER_COLORS)], "f" + _subscript(j + 1), size=10)
        total = in_channels + r * growth_rate
        if r == 0:
            sum_text = f"{total}"
        elif r == 1:
            sum_text = f"{in_channels} + {growth_rate} = {total}"
        else:
            sum_text = f"{in_channels} + {r}×{growth_rate} = {total}"
        ax.text(total + 3, y, sum_text, va="center", fontsize=10)
    y = -(num_convs + 1)
    half = out_channels // 2
    _slab(ax, 0, y - height / 2, half, height, PAD)
    ax.text(half + 3, y, tr(f"1×1 conv: {out_channels} ÷ 2 = {half}; 2×2 average pool halves height and width",
                            f"1×1 卷积：{out_channels} ÷ 2 = {half}；2×2 平均汇聚把高和宽减半", lang),
            va="center", fontsize=10)
    ax.set_yticks(range(0, -(num_convs + 2), -1))
    ax.set_yticklabels(rows, fontsize=10)
    ax.set_xlim(0, out_channels * 1.75)
    ax.set_ylim(-(num_convs + 1) - 0.7, 0.7)
    ax.set_xlabel(tr("channels", "通道数", lang))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(tr(f"Dense block, growth rate {growth_rate}: each layer reads every channel "
                    f"before it and adds {growth_rate}",
                    f"增长率为 {growth_rate} 的稠密块：每层读入之前的全部通道，再添上 {growth_rate} 个", lang),
                 fontsize=11)
    fig.tight_layout()
    plt.close(fig)
    return fig
