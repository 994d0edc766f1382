"""Figures of the resnet chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_function_classes``: non-nested function classes that drift away from
  the target f* as they grow, against nested ones that close in on it.
* ``plot_residual_block``: the residual block with an identity shortcut and
  with a 1x1 convolution shortcut, with the shapes of the chapter's example.
* ``plot_preact_block``: the v1 (post-activation) block against the v2
  (pre-activation) block, marking what sits on the shortcut path.

Every function returns one closed Figure (a notebook shows it once, through
``d2lcnn.show_figure``); every label comes from ``tr(en, zh, lang)``.
"""
import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Circle, FancyBboxPatch
from torch import nn

from ..lang import tr
from ._style import INPUT, KERNEL, MUTED, OUTPUT, WIN, arrow, as_pair

__all__ = ["plot_function_classes", "plot_residual_block", "plot_preact_block", "plot_resnet18"]

SHORTCUT = "#3d8b3d"  # the identity path: the output green's edge colour
TARGET = WIN          # f*: the palette's red


# ---------------------------------------------------------------- function classes

# (centre x, centre y, radius) of F1..F6. Non-nested: F3 is the closest to f*,
# then the larger classes wander off. Nested: each circle holds the previous one,
# because its centre moves by less than its radius grows.
_STAR = (8.2, 5.0)
_NON_NESTED = ((2.0, 1.9, 0.8), (3.6, 2.6, 1.0), (5.3, 3.5, 1.2),
               (4.3, 5.9, 1.4), (2.6, 6.3, 1.6), (1.9, 4.2, 1.9))


def _nested(n=6, start=(2.2, 3.0), r0=0.8, r_step=0.62, pull=0.8):
    dx, dy = _STAR[0] - start[0], _STAR[1] - start[1]
    norm = (dx * dx + dy * dy) ** 0.5
    out = []
    for i in range(n):
        r = r0 + i * r_step
        shift = pull * (r - r0)  # < growth of the radius, so the previous circle stays inside
        out.append((start[0] + shift * dx / norm, start[1] + shift * dy / norm, r))
    return tuple(out)


def _classes_panel(ax, circles, title, note):
    cmap = plt.get_cmap("Blues")
    for k, (x, y, r) in enumerate(circles):
        shade = cmap(0.25 + 0.12 * k)
        ax.add_patch(Circle((x, y), r, facecolor=(*shade[:3], 0.16), edgecolor=shade, lw=1.6))
        # label each class at the top of its circle, where the circles differ most
        ax.text(x, y + r - 0.32, rf"$\mathcal{{F}}_{k + 1}$", ha="center", va="center", fontsize=11,
                color=INPUT[1])
    ax.plot(*_STAR, marker="*", markersize=17, color=TARGET, zorder=5)
    ax.text(_STAR[0] + 0.25, _STAR[1] + 0.3, r"$f^*$", fontsize=14, color=TARGET, va="bottom")
    ax.set_xlim(-0.3, 9.8)
    ax.set_ylim(-0.3, 9.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=12)
    ax.text(4.75, -0.25, note, ha="center", va="top", fontsize=9.5, color=MUTED, wrap=True)


def _distance(circle):
    """How far the best function of a class (its closest point) is from f*."""
    x, y, r = circle
    return max(0.0, ((x - _STAR[0]) ** 2 + (y - _STAR[1]) ** 2) ** 0.5 - r)


def plot_function_classes(lang=None):
    """Non-nested function classes (left) against nested ones (right), with the target f*.

    Both panels show six classes of growing size. On the left a larger class
    need not contain the smaller one, so F3 comes closer to f* than F6 does;
    on the right each class contains the previous one, so each step can only
    get closer.
    """
    nested = _nested()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.6))
    # Plain Unicode in the notes: mathtext would draw Chinese characters without a CJK font.
    _classes_panel(axes[0], _NON_NESTED, tr("Non-nested function classes", "非嵌套函数类", lang),
                   tr("a larger class need not contain the smaller one:\nF₃ is closer to f* than F₆ is",
                      "更大的函数类不一定包含更小的：\nF₃ 比 F₆ 更接近 f*", lang))
    _classes_panel(axes[1], nested, tr("Nested function classes", "嵌套函数类", lang),
                   tr("F₁ ⊆ F₂ ⊆ … ⊆ F₆:\neach larger class can only come closer to f*",
                      "F₁ ⊆ F₂ ⊆ … ⊆ F₆：\n更大的函数类只会更接近 f*", lang))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.1, wspace=0.05)
    plt.close(fig)
    return fig


# ---------------------------------------------------------------- block diagrams

_BOX_W, _BOX_H, _STEP = 2.3, 0.56, 0.9


def _kind_colors(kind):
    return {"conv": KERNEL, "bn": INPUT, "relu": OUTPUT}[kind]


def _box(ax, x, y, text, kind, highlight=None):
    face, edge = _kind_colors(kind)
    ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=face,
                                edgecolor=highlight or edge, lw=2.6 if highlight else 1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)



def _column(ax, x, main, after, shortcut=(), bottom_label="", top_label="", side_note=None,
            shortcut_color=SHORTCUT, highlight_after=None, title=""):
    """One block, drawn from the bottom (input) to the top (output).

    ``main``: (text, kind) boxes of the residual branch; ``after``: boxes after
    the addition; ``shortcut``: boxes on the shortcut path (empty: identity).
    """
    y_in = 0.0
    y = y_in + _STEP
    ys = []
    for _ in main:
        ys.append(y)
        y += _STEP
    y_add = y
    y_after = [y_add + _STEP * (k + 1) for k in range(len(after))]
    y_out = (y_after[-1] if after else y_add) + _STEP
    # input and main branch
    ax.text(x, y_in, bottom_label, ha="center", va="center", fontsize=10.5)
    prev = y_in + 0.22
    for (text, kind), yy in zip(main, ys):
        arrow(ax, (x, prev), (x, yy - _BOX_H / 2), zorder=2)
        _box(ax, x, yy, text, kind)
        prev = yy + _BOX_H / 2
    arrow(ax, (x, prev), (x, y_add - 0.22), zorder=2)
    ax.add_patch(Circle((x, y_add), 0.22, facecolor="white", edgecolor="black", lw=1.3, zorder=3))
    ax.text(x, y_add, "+", ha="center", va="center", fontsize=13, zorder=4)
    prev = y_add + 0.22
    for (text, kind), yy in zip(after, y_after):
        arrow(ax, (x, prev), (x, yy - _BOX_H / 2), zorder=2)
        _box(ax, x, yy, text, kind, highlight=highlight_after)
        prev = yy + _BOX_H / 2
    arrow(ax, (x, prev), (x, y_out - 0.22), zorder=2)
    ax.text(x, y_out, top_label, ha="center", va="center", fontsize=10.5)
    # shortcut: out of the input to the right, up, and into the addition
    xs = x + (_BOX_W + 0.45 if shortcut else _BOX_W / 2 + 0.75)
    y_split = y_in + 0.45
    ax.plot([x, xs], [y_split, y_split], color=shortcut_color, lw=2.0, zorder=1)
    if shortcut:
        y_mid = (y_split + y_add) / 2
        n = len(shortcut)
        y_boxes = [y_mid + (k - (n - 1) / 2) * _STEP for k in range(n)]
        prev = y_split
        for (text, kind), yy in zip(shortcut, y_boxes):
            ax.plot([xs, xs], [prev, yy - _BOX_H / 2], color=shortcut_color, lw=2.0, zorder=1)
            _box(ax, xs, yy, text, kind)
            prev = yy + _BOX_H / 2
        ax.plot([xs, xs], [prev, y_add], color=shortcut_color, lw=2.0, zorder=1)
    else:
        ax.plot([xs, xs], [y_split, y_add], color=shortcut_color, lw=2.0, zorder=1)
    arrow(ax, (xs, y_add), (x + 0.22, y_add), color=shortcut_color, lw=2.0, zorder=2)
    if side_note:
        ax.text(xs + 0.2 if not shortcut else xs, y_split + 0.55 if shortcut else (y_split + y_add) / 2,
                side_note, rotation=90 if not shortcut else 0, ha="left" if not shortcut else "center",
                va="center", fontsize=9.5, color=shortcut_color)
    ax.set_title(title, fontsize=11.5)
    return y_out


def _finish_blocks(fig, axes, top):
    for ax in axes:
        ax.set_xlim(-1.5, 4.0)
        ax.set_ylim(-0.5, top + 0.5)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.02, wspace=0.05)


def plot_residual_block(lang=None, in_shape=(4, 3, 6, 6), out_channels=6, stride=2):
    """The residual block with an identity shortcut (left) and with a 1x1 convolution shortcut (right).

    Both add the shortcut to the branch's output before the last ReLU. The
    labels give the shapes of the chapter's example: an input of ``in_shape``
    keeps its shape on the left; on the right the block changes it to
    ``out_channels`` channels and divides height and width by ``stride``.
    """
    n, c, h, w = in_shape
    conv3 = tr("3×3 conv", "3×3 卷积", lang)
    bn = tr("batch norm", "批量规范化", lang)
    shape = "×".join(map(str, in_shape))
    out = f"{n}×{out_channels}×{(h - 1) // stride + 1}×{(w - 1) // stride + 1}"

    def main(first):
        return [(first, "conv"), (bn, "bn"), ("ReLU", "relu"), (conv3, "conv"), (bn, "bn")]

    fig, axes = plt.subplots(1, 2, figsize=(8.2, 6.6))
    top = _column(axes[0], 0, main(conv3), [("ReLU", "relu")],
                  bottom_label=tr(f"input X: {shape}", f"输入 X：{shape}", lang),
                  top_label=tr(f"output: {shape}", f"输出：{shape}", lang),
                  side_note=tr("identity: X itself", "恒等映射：X 本身", lang),
                  title=tr("Identity shortcut", "恒等捷径", lang))
    _column(axes[1], 0, main(tr(f"3×3 conv, stride {stride}", f"3×3 卷积，步幅 {stride}", lang)),
            [("ReLU", "relu")],
            shortcut=[(tr(f"1×1 conv, stride {stride}", f"1×1 卷积，步幅 {stride}", lang), "conv"), (bn, "bn")],
            bottom_label=tr(f"input X: {shape}", f"输入 X：{shape}", lang),
            top_label=tr(f"output: {out}", f"输出：{out}", lang),
            title=tr("1×1 convolution shortcut", "1×1 卷积捷径", lang))
    _finish_blocks(fig, axes, top)
    plt.close(fig)
    return fig


def plot_preact_block(lang=None):
    """The v1 block (post-activation, left) against the v2 block (pre-activation, right).

    In v1 a ReLU follows the addition, so it sits on the path the shortcut
    takes from block to block (outlined in red). In v2 every batch norm and
    ReLU moves inside the branch, and nothing follows the addition: from one
    block to the next, the shortcut is the identity itself.
    """
    conv3 = tr("3×3 conv", "3×3 卷积", lang)
    bn = tr("batch norm", "批量规范化", lang)
    fig, axes = plt.subplots(1, 2, figsize=(8.2, 6.6))
    top = _column(axes[0], 0, [(conv3, "conv"), (bn, "bn"), ("ReLU", "relu"), (conv3, "conv"), (bn, "bn")],
                  [("ReLU", "relu")], highlight_after=TARGET,
                  bottom_label="$x_l$", top_label="$x_{l+1} = \\mathrm{ReLU}(x_l + F(x_l))$",
                  side_note=tr("shortcut", "捷径", lang),
                  title=tr("v1: post-activation", "v1：后激活", lang))
    _column(axes[1], 0, [(bn, "bn"), ("ReLU", "relu"), (conv3, "conv"), (bn, "bn"), ("ReLU", "relu"),
                         (conv3, "conv")], [],
            bottom_label="$x_l$", top_label="$x_{l+1} = x_l + F(x_l)$",
            side_note=tr("shortcut: a clean identity", "捷径：纯粹的恒等映射", lang),
            title=tr("v2: pre-activation", "v2：预激活", lang))
    axes[0].text(_BOX_W / 2 + 0.15, top - _STEP, tr("a ReLU on\nthe shortcut path", "位于捷径上\n的 ReLU", lang),
                 ha="left", va="center", fontsize=9, color=TARGET)
    _finish_blocks(fig, axes, top)
    plt.close(fig)
    return fig


# ---------------------------------------------------------------- the whole network

def _is_block(module):
    """A residual block, the book's or a reader's copy: convolutions named conv1, conv2 (, conv3) and a shortcut."""
    return isinstance(getattr(module, "conv1", None), nn.Conv2d) and hasattr(module, "shortcut")


def resnet_units(net, X):
    """Walk ``net`` (a ResNet as ``d2lcnn.resnet`` builds it) with a real forward pass of ``X``.

    Returns one dict per unit, in the order they run: ``kind`` ('stem', 'block' or
    'head'), ``stage`` (1-based for blocks, else None), ``layers`` (the stem's or head's
    layers; a block's convolutions in order), ``shortcut`` (a block's shortcut
    convolution, or None for the identity) and ``shape`` (the unit's output shape,
    without the batch axis). The network is run in eval mode without gradients and
    left in the mode it was in.
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential ResNet such as d2lcnn.resnet18(), got {type(net).__name__}")
    units, stage = [], 0
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            x = X
            for child in net:
                if isinstance(child, nn.Sequential) and len(child) and all(_is_block(b) for b in child):
                    stage += 1
                    for block in child:
                        x = block(x)
                        convs = [getattr(block, f"conv{k}") for k in (1, 2, 3) if hasattr(block, f"conv{k}")]
                        short = block.shortcut
                        if short is not None and not isinstance(short, nn.Conv2d):
                            short = next(m for m in short.modules() if isinstance(m, nn.Conv2d))
                        units.append({"kind": "block", "stage": stage, "layers": convs, "shortcut": short,
                                      "shape": tuple(x.shape[1:])})
                    continue
                x = child(x)
                layers = list(child) if isinstance(child, nn.Sequential) else [child]
                kind = "stem" if stage == 0 else "head"
                if kind == "head" and units and units[-1]["kind"] == "head":
                    units[-1]["layers"] += layers  # pooling, flattening and the dense layer: one head
                    units[-1]["shape"] = tuple(x.shape[1:])
                else:
                    units.append({"kind": kind, "stage": None, "layers": layers, "shortcut": None,
                                  "shape": tuple(x.shape[1:])})
    finally:
        net.train(was_training)
    if not any(u["kind"] == "block" for u in units):
        raise TypeError("net has no stage of residual blocks (modules with conv1, conv2 and a shortcut)")
    return units


def _conv_text(conv, lang):
    k = "×".join(map(str, as_pair(conv.kernel_size)))
    s = as_pair(conv.stride)[0]
    text = tr(f"{k} conv, {conv.out_channels}", f"{k} 卷积，{conv.out_channels}", lang)
    return text + (tr(f", stride {s}", f"，步幅 {s}", lang) if s > 1 else "")


def _layer_text(layer, lang):
    """One line for a stem or head layer, or None for one that adds nothing to say (Flatten)."""
    if isinstance(layer, nn.Conv2d):
        return _conv_text(layer, lang)
    if isinstance(layer, nn.BatchNorm2d):
        return tr("batch norm", "批量规范化", lang)
    if isinstance(layer, nn.ReLU):
        return "ReLU"
    if isinstance(layer, nn.MaxPool2d):
        k, s = as_pair(layer.kernel_size)[0], as_pair(layer.stride)[0]
        return tr(f"{k}×{k} max pool, stride {s}", f"{k}×{k} 最大汇聚，步幅 {s}", lang)
    if isinstance(layer, nn.AdaptiveAvgPool2d):
        return tr("global average pool", "全局平均汇聚", lang)
    if isinstance(layer, nn.Linear):
        return tr(f"dense, {layer.out_features}", f"全连接，{layer.out_features}", lang)
    if isinstance(layer, nn.Flatten):
        return None
    return type(layer).__name__


def _shape_text(shape):
    return "×".join(map(str, shape))


_LINE = 0.34     # height of one text line in a box
_GAP = 0.62      # arrow between units, with the shape it carries
_W = 3.1         # box width
_SC = 2.4        # shortcut: distance right of the column's centre


def _unit_height(unit):
    n = len(unit["layers"]) if unit["kind"] == "block" else len([1 for _ in unit["lines"]])
    h = n * _LINE + 0.2
    return h + (0.5 if unit["kind"] == "block" else 0.0)  # room for the addition under a block


def plot_resnet18(net=None, lang=None, input_shape=(1, 1, 96, 96), figsize=(10.5, 8.6)):
    """The whole of ``net`` (default ``d2lcnn.resnet18()``), drawn from its modules, top to bottom in two columns.

    The stem, every residual block of the four stages (its convolutions read
    from the block; on the right its shortcut: the identity, or the 1×1
    convolution where the shape changes) and the head. Each arrow carries the
    shape that a real forward pass of an ``input_shape`` tensor (default: the
    1×96×96 images the book trains ResNet-18 on) gives at that point.
    """
    from ..models.resnet import resnet18
    net = resnet18() if net is None else net
    units = resnet_units(net, torch.zeros(input_shape))
    for u in units:
        if u["kind"] != "block":
            u["lines"] = [t for t in (_layer_text(m, lang) for m in u["layers"]) if t]
    # split into two columns of about equal height
    heights = [_unit_height(u) + _GAP for u in units]
    total, acc, split = sum(heights), 0.0, len(units)
    for i, h in enumerate(heights):
        if acc + h / 2 > total / 2:
            split = i
            break
        acc += h
    columns = [units[:split], units[split:]]
    fig, ax = plt.subplots(figsize=figsize)
    xs = (2.3, 7.7)
    bottoms = []
    stage_spans = {}
    for col, (x, col_units) in enumerate(zip(xs, columns)):
        y = 0.0
        if col == 0:
            ax.text(x, y, tr(f"input: {_shape_text(input_shape[1:])}", f"输入：{_shape_text(input_shape[1:])}",
                             lang), ha="center", va="center", fontsize=10)
            y += 0.2
        else:
            ax.text(x, y, tr("(continued)", "（接左列）", lang), ha="center", va="center", fontsize=9, color=MUTED)
            y += 0.2
        for u in col_units:
            arrow(ax, (x, y), (x, y + _GAP), lw=1.2, size=10, zorder=2)
            top = y + _GAP
            if u["kind"] == "block":
                lines = [_conv_text(c, lang) for c in u["layers"]]
                colors = KERNEL
            else:
                lines = u["lines"]
                colors = INPUT if u["kind"] == "stem" else OUTPUT
            h = len(lines) * _LINE + 0.2
            ax.add_patch(FancyBboxPatch((x - _W / 2, top), _W, h, boxstyle="round,pad=0.02,rounding_size=0.1",
                                        facecolor=colors[0], edgecolor=colors[1], lw=1.2, zorder=3))
            for k, line in enumerate(lines):
                ax.text(x, top + 0.1 + (k + 0.5) * _LINE, line, ha="center", va="center", fontsize=9, zorder=4)
            bottom = top + h
            if u["kind"] == "block":
                y_add = bottom + 0.3
                arrow(ax, (x, bottom), (x, y_add - 0.13), lw=1.2, size=10, zorder=2)
                ax.add_patch(Circle((x, y_add), 0.13, facecolor="white", edgecolor="black", lw=1.2, zorder=3))
                ax.text(x, y_add, "+", ha="center", va="center", fontsize=10, zorder=4)
                # the shortcut: from the arrow into the block, round the right, into the addition
                y_split = top - 0.2
                xs_ = x + _SC
                ax.plot([x, xs_, xs_], [y_split, y_split, y_add], color=SHORTCUT, lw=1.8, zorder=1)
                arrow(ax, (xs_, y_add), (x + 0.13, y_add), color=SHORTCUT, lw=1.8, size=10, zorder=2)
                if u["shortcut"] is not None:
                    ym = (y_split + y_add) / 2
                    ax.add_patch(FancyBboxPatch((xs_ - 0.75, ym - 0.3), 1.5, 0.6,
                                                boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=KERNEL[0],
                                                edgecolor=SHORTCUT, lw=1.6, zorder=3))
                    c = u["shortcut"]
                    k = "×".join(map(str, as_pair(c.kernel_size)))
                    ax.text(xs_, ym - 0.11, tr(f"{k} conv, {c.out_channels}", f"{k} 卷积，{c.out_channels}", lang),
                            ha="center", va="center", fontsize=8, zorder=4)
                    ax.text(xs_, ym + 0.13, tr(f"stride {as_pair(c.stride)[0]}", f"步幅 {as_pair(c.stride)[0]}",
                                               lang), ha="center", va="center", fontsize=8, zorder=4)
                bottom = y_add + 0.13
                stage_spans.setdefault(u["stage"], []).append((col, top, bottom))
            # the shape this unit hands on, beside the arrow that leaves it
            ax.text(x - 0.12, bottom + 0.33, _shape_text(u["shape"]), ha="right", va="center", fontsize=8.5,
                    color=MUTED, zorder=4)
            y = bottom
        arrow(ax, (x, y), (x, y + 0.4), lw=1.2, size=10, zorder=2)
        bottoms.append(y + 0.4)
        ax.text(x, y + 0.6, tr("output" if col == 1 else "(continued on the right)",
                               "输出" if col == 1 else "（接右列）", lang),
                ha="center", va="center", fontsize=9 if col == 0 else 10, color=MUTED if col == 0 else "black")
    # stage brackets on the left of each column's blocks
    for stage, spans in stage_spans.items():
        for col in {c for c, _, _ in spans}:
            part = [(t, b) for c, t, b in spans if c == col]
            x = xs[col] - _W / 2 - 0.25
            top, bottom = part[0][0], part[-1][1]
            ax.plot([x + 0.1, x, x, x + 0.1], [top, top, bottom, bottom], color=MUTED, lw=1.2)
            ax.text(x - 0.1, (top + bottom) / 2, tr(f"stage {stage}", f"模块 {stage}", lang), ha="right",
                    va="center", fontsize=9.5, color=MUTED, rotation=90)
    n_blocks = sum(u["kind"] == "block" for u in units)
    # the name counts the layers with weights on the main path: convolutions and dense layers outside the shortcuts
    depth = sum(len(u["layers"]) if u["kind"] == "block" else
                sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in u["layers"]) for u in units)
    ax.set_title(tr(f"ResNet-{depth} drawn from its modules: stem, {n_blocks} residual blocks in {len(stage_spans)} "
                    f"stages, head; shapes for one {_shape_text(input_shape[1:])} image",
                    f"由模块绘制的 ResNet-{depth}：茎、{len(stage_spans)} 个模块共 {n_blocks} 个残差块、头部；"
                    f"形状对应一张 {_shape_text(input_shape[1:])} 的图像", lang), fontsize=10.5)
    ax.text(5.0, max(bottoms) + 1.0,
            tr("every 3×3 conv and every 1×1 shortcut conv is followed by batch norm; "
               "ReLU after the first conv and after the addition (+)",
               "每个 3×3 卷积和每个 1×1 捷径卷积之后都有批量规范化；第一个卷积之后和相加（+）之后各有一个 ReLU", lang),
            ha="center", va="center", fontsize=8.5, color=MUTED)
    ax.set_xlim(0, 10.95)
    ax.set_ylim(max(bottoms) + 1.3, -0.3)
    ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.95, bottom=0.01)
    plt.close(fig)
    return fig
