"""Figures of the googlenet chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_inception_block``: the four paths of an Inception block, each layer
  labelled with its window and output channels read from the module, and the
  output as one bar split into the four paths' shares of the channels.

Each function returns a closed Figure, so ``d2lcnn.show_figure`` shows it once.
"""
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import FancyBboxPatch, Rectangle
from torch import nn

from ..lang import tr
from ._style import INPUT, KERNEL, MUTED, OUTPUT, PAD, arrow, as_pair

__all__ = ["plot_inception_block", "plot_googlenet"]

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


# ---------------------------------------------------------------- the whole network

def googlenet_rows(net, X):
    """Walk ``net`` (GoogLeNet as ``d2lcnn.googlenet`` builds it: stages b1..b5 as ``nn.Sequential``, then
    the dense layer) with a real forward pass of ``X``, one row per drawn unit.

    Each row is a dict: ``stage`` (1-based index of the top-level stage, None for the
    dense layer), ``kind`` ('inception', 'conv', 'pool', 'gap' or 'dense'), ``name``
    (an Inception block's paper name, '3a' .. '5b': stage number and letter),
    ``module``, ``paths`` (an Inception block's conv and pooling layers per path) and
    ``shape`` (the output shape without the batch axis). A ReLU joins the row of the
    convolution before it and Flatten that of the pooling before it. The network runs
    in eval mode without gradients and is left in the mode it was in.
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential GoogLeNet such as d2lcnn.googlenet(), got {type(net).__name__}")
    rows = []
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            x = X
            for s, stage in enumerate(net, start=1):
                layers = list(stage) if isinstance(stage, nn.Sequential) else [stage]
                letter = 0
                for layer in layers:
                    x = layer(x)
                    shape = tuple(x.shape[1:])
                    if isinstance(layer, (nn.ReLU, nn.Flatten)) and rows:
                        rows[-1]["shape"] = shape
                        continue
                    row = {"stage": s if isinstance(stage, nn.Sequential) else None, "module": layer,
                           "shape": shape, "name": None, "paths": None}
                    if hasattr(layer, "p1") and hasattr(layer, "p4"):
                        row.update(kind="inception", name=f"{s}{'abcdefghij'[letter]}", paths=_layers(layer))
                        letter += 1
                    elif isinstance(layer, nn.Conv2d):
                        row["kind"] = "conv"
                    elif isinstance(layer, nn.MaxPool2d):
                        row["kind"] = "pool"
                    elif isinstance(layer, nn.AdaptiveAvgPool2d):
                        row["kind"] = "gap"
                    elif isinstance(layer, nn.Linear):
                        row["kind"] = "dense"
                    else:
                        raise TypeError(f"unexpected layer {type(layer).__name__} in stage {s} of the GoogLeNet")
                    rows.append(row)
    finally:
        net.train(was_training)
    if not any(r["kind"] == "inception" for r in rows):
        raise TypeError("net has no Inception block (a module with paths p1..p4)")
    return rows


def _row_text(row, lang):
    """What a row does: an Inception block's four paths, or one layer."""
    m = row["module"]
    if row["kind"] == "inception":
        parts = []
        for path in row["paths"]:
            convs = [c for c in path if isinstance(c, nn.Conv2d)]
            window = "×".join(map(str, as_pair(convs[-1].kernel_size)))
            head = tr("pool", "汇聚", lang) + "→1×1" if isinstance(path[0], nn.MaxPool2d) else window
            parts.append(f"{head} " + "→".join(str(c.out_channels) for c in convs))
        return " · ".join(parts)
    if row["kind"] == "conv":
        k = "×".join(map(str, as_pair(m.kernel_size)))
        s = as_pair(m.stride)[0]
        text = tr(f"{k} conv, {m.out_channels}", f"{k} 卷积，{m.out_channels}", lang)
        return text + (tr(f", stride {s}", f"，步幅 {s}", lang) if s > 1 else "")
    if row["kind"] == "pool":
        k, s = as_pair(m.kernel_size)[0], as_pair(m.stride)[0]
        return tr(f"{k}×{k} max pool, stride {s}", f"{k}×{k} 最大汇聚，步幅 {s}", lang)
    if row["kind"] == "gap":
        return tr("global average pool", "全局平均汇聚", lang)
    return tr(f"dense, {m.out_features} classes", f"全连接，{m.out_features} 个类别", lang)


def plot_googlenet(net=None, lang=None, input_shape=(1, 1, 96, 96), figsize=(10.6, 7.6)):
    """The whole of ``net`` (default ``d2lcnn.googlenet()``), one row per block or layer, drawn from its modules.

    Top to bottom: the stages b1..b5 (bracketed on the left) and the dense layer.
    Each row has a bar as long as its output channels; an Inception block's bar
    is split into its four paths' shares, and its text gives each path's window
    and channels (reduction→output) read from the block. The shapes come from a
    real forward pass of an ``input_shape`` tensor (default: the 1×96×96 images
    the book trains GoogLeNet on).
    """
    from ..models.googlenet import googlenet
    net = googlenet() if net is None else net
    rows = googlenet_rows(net, torch.zeros(input_shape))
    widest = max(r["shape"][0] for r in rows)
    bar_x0, bar_len, step = 1.45, 3.6, 0.42
    fig, ax = plt.subplots(figsize=figsize)
    y = 0.0
    ax.text(bar_x0 - 0.15, y, tr("input", "输入", lang), ha="right", va="center", fontsize=9)
    ax.text(bar_x0 + bar_len + 0.2, y, "×".join(map(str, input_shape[1:])), ha="left", va="center", fontsize=9)
    spans = {}
    for r in rows:
        y += step
        channels = r["shape"][0]
        if r["kind"] == "inception":
            widths = [p[-1].out_channels for p in r["paths"]]
            x = bar_x0
            for w, (face, edge) in zip(widths, PATH_COLORS):
                seg = bar_len * w / widest
                ax.add_patch(Rectangle((x, y - 0.14), seg, 0.28, facecolor=face, edgecolor=edge, lw=1.0))
                x += seg
            ax.text(bar_x0 - 0.15, y, r["name"], ha="right", va="center", fontsize=9.5, fontweight="bold")
        else:
            face, edge = (INPUT if r["kind"] in ("conv", "dense") else PAD)
            seg = bar_len * channels / widest
            ax.add_patch(Rectangle((bar_x0, y - 0.09), seg, 0.18, facecolor=face, edgecolor=edge, lw=1.0))
        shape = "×".join(map(str, r["shape"]))
        ax.text(bar_x0 + bar_len + 0.2, y, shape, ha="left", va="center", fontsize=9)
        ax.text(bar_x0 + bar_len + 1.35, y, _row_text(r, lang), ha="left", va="center", fontsize=8.5)
        if r["stage"] is not None:
            spans.setdefault(r["stage"], []).append(y)
    for s, ys in spans.items():
        x = 0.55
        top, bottom = ys[0] - 0.17, ys[-1] + 0.17
        ax.plot([x + 0.1, x, x, x + 0.1], [top, top, bottom, bottom], color=MUTED, lw=1.2)
        ax.text(x - 0.08, (top + bottom) / 2, f"b{s}", ha="right", va="center", fontsize=10, color=MUTED)
    # column heads and the key to the four paths
    head_y = -0.55
    ax.text(bar_x0, head_y, tr(f"output channels (bar: 0 to {widest})", f"输出通道数（条长：0 到 {widest}）", lang),
            ha="left", va="center", fontsize=8.5, color=MUTED)
    ax.text(bar_x0 + bar_len + 0.2, head_y, tr("output shape", "输出形状", lang), ha="left", va="center",
            fontsize=8.5, color=MUTED)
    ax.text(bar_x0 + bar_len + 1.35, head_y,
            tr("layer; for an Inception block each path's window and channels",
               "层；Inception 块给出每条路径的窗口和通道数", lang), ha="left", va="center", fontsize=8.5, color=MUTED)
    names = (tr("path 1: 1×1 conv", "路径 1：1×1 卷积", lang), tr("path 2: 1×1 then 3×3", "路径 2：1×1 后接 3×3", lang),
             tr("path 3: 1×1 then 5×5", "路径 3：1×1 后接 5×5", lang),
             tr("path 4: 3×3 max pool then 1×1", "路径 4：3×3 最大汇聚后接 1×1", lang))
    handles = [Rectangle((0, 0), 1, 1, facecolor=f, edgecolor=e) for f, e in PATH_COLORS]
    ax.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8.5, frameon=False,
              handlelength=1.6, columnspacing=1.4)
    n_blocks = sum(r["kind"] == "inception" for r in rows)
    ax.set_title(tr(f"GoogLeNet drawn from its modules: {len(spans)} stages, {n_blocks} Inception blocks; "
                    f"shapes for one {'×'.join(map(str, input_shape[1:]))} image",
                    f"由模块绘制的 GoogLeNet：{len(spans)} 个模块，{n_blocks} 个 Inception 块；"
                    f"形状对应一张 {'×'.join(map(str, input_shape[1:]))} 的图像", lang), fontsize=10.5, pad=28)
    ax.set_xlim(0, 11.0)
    ax.set_ylim(y + 0.4, head_y - 0.3)
    ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.01)
    plt.close(fig)
    return fig
