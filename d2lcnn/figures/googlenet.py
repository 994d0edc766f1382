"""Figures of the googlenet chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_inception_block``: the four paths of an Inception block, each layer
  labelled with its window and output channels read from the module, and the
  output as one bar split into the four paths' shares of the channels.

Each function returns a closed Figure, so ``d2lcnn.show_figure`` shows it once.
"""
import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch, Rectangle
from torch import nn

from ..lang import tr
from ._style import INPUT, KERNEL, MUTED, OUTPUT, PAD, arrow, as_pair

__all__ = ["plot_inception_block"]

# One colour per path for its share of the output bar.
PATH_COLORS = (("#fde0b8", "#d9771b"), ("#d5eecf", "#3d8b3d"), ("#e9dff3", "#7b5ea7"), ("#ececec", "#6f6f6f"))


def _layers(block):
    """The conv and pooling layers of each path of ``block``, in the order they run.

    Any module with four ``nn.Sequential`` paths ``p1``..``p4`` will do: ``d2lcnn.Inception``
    or a reader's own copy of it, as in the chapter.
    """
    paths = [getattr(block, name, None) for name in ("p1", "p2", "p3", "p4")]
    if not all(isinstance(p, nn.Sequential) for p in paths):
        raise TypeError(f"block must be an Inception block with four nn.Sequential paths p1..p4, got "
                        f"{type(block).__name__}; e.g. d2lcnn.Inception(192, 64, (96, 128), (16, 32), 32)")
    layers = [[m for m in p if isinstance(m, (nn.Conv2d, nn.MaxPool2d))] for p in paths]
    if not all(layers) or not all(isinstance(p[-1], nn.Conv2d) for p in layers):
        raise TypeError("every path of an Inception block must end in a convolution")
    return layers


def _label(layer, lang):
    """Two lines: the window (and padding), then the output channels."""
    kh, kw = as_pair(layer.kernel_size)
    pad = as_pair(layer.padding)[0]
    window = f"{kh}×{kw}"
    if isinstance(layer, nn.MaxPool2d):
        head = tr(f"{window} max pool", f"{window} 最大汇聚", lang)
        tail = tr(f"padding {pad}", f"填充 {pad}", lang)
        return head, tail
    head = tr(f"{window} conv", f"{window} 卷积", lang)
    if pad:
        head += tr(f", padding {pad}", f"，填充 {pad}", lang)
    return head, tr(f"{layer.out_channels} channels", f"{layer.out_channels} 个通道", lang)


def _box(ax, x, y, w, h, colors, lines, bold_second=True):
    face, edge = colors
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=face, edgecolor=edge, lw=1.3))
    ax.text(x, y + 0.17, lines[0], ha="center", va="center", fontsize=9.5)
    ax.text(x, y - 0.2, lines[1], ha="center", va="center", fontsize=9.5,
            fontweight="bold" if bold_second else "normal")


def plot_inception_block(block=None, lang=None, figsize=(9.2, 6.2)):
    """Draw the four paths of an Inception ``block`` (default: the first block of stage 3).

    The input sits at the bottom; each column is one path, its layers drawn
    from bottom to top with the window, padding and output channels read from
    the module (1×1 convolutions orange, larger ones green, max pooling grey).
    At the top the paths' outputs are concatenated on the channel axis: one
    bar whose segments are as wide as each path's share of the channels.
    """
    from ..models.googlenet import Inception
    if block is None:
        block = Inception(192, 64, (96, 128), (16, 32), 32)
    paths = _layers(block)
    in_channels = block.p1[0].in_channels
    widths = [p[-1].out_channels for p in paths]
    total = sum(widths)
    bar_x0, bar_w, bar_h = 0.4, 9.7, 0.55
    edges = [bar_x0 + bar_w * sum(widths[:k]) / total for k in range(5)]
    centers = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    fig, ax = plt.subplots(figsize=figsize)
    xs = [1.5, 4.0, 6.5, 9.0]
    box_w, box_h = 2.2, 0.75
    y_in, rows = 0.0, (1.5, 2.9)
    # the input
    _box(ax, 5.25, y_in, 3.0, box_h, INPUT,
         (tr("input", "输入", lang), tr(f"{in_channels} channels", f"{in_channels} 个通道", lang)))
    y_top = rows[1] + 1.3
    for k, (x, path) in enumerate(zip(xs, paths)):
        placed = list(zip(rows, path))
        arrow(ax, (5.25 + (x - 5.25) * 0.3, y_in + box_h / 2), (x, placed[0][0] - box_h / 2), lw=1.2, size=11)
        # the label sits on the side the arrow to the bar does not lean to
        side = -1 if centers[k] > x else 1
        ax.text(x + 0.12 * side, placed[-1][0] + box_h / 2 + 0.3, tr(f"path {k + 1}", f"路径 {k + 1}", lang),
                ha="left" if side > 0 else "right", va="center", fontsize=9, color=MUTED)
        for i, (y, layer) in enumerate(placed):
            if isinstance(layer, nn.MaxPool2d):
                colors = PAD
            elif as_pair(layer.kernel_size) == (1, 1):
                colors = KERNEL
            else:
                colors = OUTPUT
            _box(ax, x, y, box_w, box_h, colors, _label(layer, lang),
                 bold_second=not isinstance(layer, nn.MaxPool2d))
            if i + 1 < len(placed):
                arrow(ax, (x, y + box_h / 2), (x, placed[i + 1][0] - box_h / 2), lw=1.2, size=11)
        # up to the middle of this path's share of the output bar
        arrow(ax, (x, placed[-1][0] + box_h / 2), (centers[k], y_top - 0.02), lw=1.2, size=11)
    # the output: one bar, split in proportion to the channels of each path
    x = bar_x0
    for k, (w, colors) in enumerate(zip(widths, PATH_COLORS)):
        seg = bar_w * w / total
        ax.add_patch(Rectangle((x, y_top), seg, bar_h, facecolor=colors[0], edgecolor=colors[1], lw=1.3))
        ax.text(x + seg / 2, y_top + bar_h / 2, str(w), ha="center", va="center", fontsize=10, fontweight="bold")
        x += seg
    plan = " + ".join(str(w) for w in widths) + f" = {total}"
    ax.text(bar_x0 + bar_w / 2, y_top + bar_h + 0.35,
            tr(f"concatenated on the channel axis: {plan} channels",
               f"在通道维上连结：{plan} 个通道", lang), ha="center", va="center", fontsize=10.5)
    ax.text(bar_x0 + bar_w / 2, y_in - 0.75,
            tr("every path keeps the height and width, so the outputs can be stacked",
               "每条路径都保持高和宽不变，所以输出可以叠在一起", lang),
            ha="center", va="center", fontsize=9, color=MUTED)
    ax.set_xlim(0, 10.5)
    ax.set_ylim(y_in - 1.1, y_top + bar_h + 0.7)
    ax.axis("off")
    ax.set_title(tr(f"An Inception block: {in_channels} channels in, {total} out",
                    f"Inception 块：输入 {in_channels} 个通道，输出 {total} 个通道", lang), fontsize=12)
    fig.tight_layout()
    plt.close(fig)
    return fig
