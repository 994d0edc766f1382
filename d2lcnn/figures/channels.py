"""Figures for chapters 4-5: channels and pooling.

Every function draws one figure with matplotlib and returns it, already closed,
so a notebook cell that ends with the call shows it exactly once. The colours
are the book's: input blue, kernel orange, output green, padding grey and
hatched; a pooling window is outlined in orange and the value max pooling keeps
in red. Labels are in the reader's language (``lang``, see d2lcnn.lang); the
notebook cell carries bilingual alt text.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..lang import tr
from ..ops import corr2d, pool2d
from ._style import INPUT, KERNEL, MUTED, OUTPUT, WINDOW, _close, _finish, _fmt, _frame, _grid, _sign, _values

__all__ = ["plot_multi_in_corr", "plot_conv1x1", "plot_pooling", "plot_pool_stride_padding"]


def _caption(ax, x, y, text, size=9, color=MUTED):
    """Centred text whose top sits at y (below a grid, since y grows downwards)."""
    ax.text(x, y, text, ha="center", va="top", fontsize=size, color=color)


def _tensor(x):
    return torch.as_tensor(_values(x))  # float64, so ops computes in float64 too


def plot_multi_in_corr(X=None, K=None, figsize=(7, 3.4), lang=None):
    """Draw a cross-correlation with two input channels.

    Each row is one channel: the input slice ``X[c]`` (blue), the kernel slice
    ``K[c]`` (orange) and their cross-correlation (green). The two partial
    results are then added into the single output channel on the right. The
    top-left window and every number it produces are outlined. Defaults: the
    chapter's example, ``X = stack(X0, X0 + 1)`` with ``X0 = arange(9)`` as
    3x3 and ``K = stack(K0, K0 + 1)`` with ``K0 = [[0, 1], [2, 3]]``.
    """
    if X is None:
        X0 = np.arange(9.0).reshape(3, 3)
        X = np.stack([X0, X0 + 1])
    if K is None:
        K0 = np.array([[0.0, 1.0], [2.0, 3.0]])
        K = np.stack([K0, K0 + 1])
    X, K = _values(X), _values(K)
    if X.ndim != 3 or K.ndim != 3 or X.shape[0] != 2 or K.shape[0] != 2:
        raise ValueError("X and K must each hold two channels: shapes (2, h, w) and (2, k_h, k_w)")
    parts = [_values(corr2d(_tensor(x), _tensor(k))) for x, k in zip(X, K)]
    total = parts[0] + parts[1]
    (h, w), (kh, kw), (oh, ow) = X.shape[1:], K.shape[1:], total.shape
    fig, ax = plt.subplots(figsize=figsize)
    x_k = w + 1.0
    x_p = x_k + kw + 1.0
    x_t = x_p + ow + 1.6
    row_gap = h + 1.0
    for c in range(2):
        y = c * row_gap
        _grid(ax, X[c], 0, y, INPUT)
        _frame(ax, 0, y, kw, kh)
        _sign(ax, w + 0.5, y + kh / 2, "⋆", size=22)
        _grid(ax, K[c], x_k, y, KERNEL)
        _sign(ax, x_k + kw + 0.5, y + kh / 2, "=", size=15)
        _grid(ax, parts[c], x_p, y, OUTPUT)
        _frame(ax, x_p, y, 1, 1, lw=2)
        _caption(ax, w / 2, y + h + 0.1, tr(f"input channel {c}", f"输入通道 {c}", lang))
        _caption(ax, x_k + kw / 2, y + kh + 0.1, tr(f"kernel channel {c}", f"卷积核通道 {c}", lang))
        _caption(ax, x_p + ow / 2, y + oh + 0.1, tr(f"partial sum {c}", f"部分和 {c}", lang))
    # both partial results flow into one output channel
    y_t = (row_gap + h) / 2 - oh / 2 - 0.3
    for c in range(2):
        start = (x_p + ow + 0.1, c * row_gap + oh / 2)
        end = (x_t - 0.1, y_t + oh / 2 + (0.35 if c else -0.35))
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=MUTED, lw=1.2))
    _sign(ax, x_t - 0.8, y_t + oh / 2, "+", size=13)
    _grid(ax, total, x_t, y_t, OUTPUT, fontsize=10)
    _frame(ax, x_t, y_t, 1, 1, lw=2)
    first = " + ".join(_fmt(p[0, 0]) for p in parts)
    _caption(ax, x_t + ow / 2, y_t + oh + 0.1, tr("output", "输出", lang) + f"\n{first} = {_fmt(total[0, 0])}",
             color="black")
    _finish(ax, (-0.2, x_t + ow + 0.3), (-0.3, row_gap + h + 0.8),
            tr("Two input channels: cross-correlate each, then add", "两个输入通道：分别互相关，再相加", lang))
    return _close(fig, tight=True)


def _slab(ax, x0, y0, rows, cols, colors, depth, shift=0.45, pick=None, pick_face=None):
    """A stack of ``depth`` channel grids drawn back to front with a diagonal offset.

    The front channel's top-left corner is (x0, y0); channel c sits ``c * shift``
    up and to the right. ``pick=(i, j)`` fills that pixel with ``pick_face`` on
    every channel, so the picked pixel reads as one column through the stack.
    """
    for c in reversed(range(depth)):
        x, y = x0 + c * shift, y0 - c * shift
        for i in range(rows):
            for j in range(cols):
                face = pick_face if pick is not None and (i, j) == tuple(pick) else colors[0]
                ax.add_patch(Rectangle((x + j, y + i), 1, 1, facecolor=face, edgecolor=colors[1], lw=0.8))


def plot_conv1x1(c_i=3, c_o=2, size=3, pick=(1, 2), figsize=(7, 2.8), lang=None):
    """Draw a 1x1 convolution two ways.

    Left: ``c_i`` stacked input channels (blue) become ``c_o`` output channels
    (green); the output at one pixel depends only on the ``c_i`` input values
    at the same pixel (shaded darker through the stack), weighted by a ``c_o x c_i`` matrix. Right: the
    same layer as one matrix product, the ``c_o x c_i`` kernel (orange) times
    the input reshaped to ``c_i x (h*w)`` (one column per pixel) gives the
    output as ``c_o x (h*w)``; the outlined column is the shaded pixel.
    """
    if min(c_i, c_o, size) < 1 or not (0 <= pick[0] < size and 0 <= pick[1] < size):
        raise ValueError("c_i, c_o and size must be positive and pick a pixel inside the size x size grid")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.0, 1.25]})
    shift = 0.45
    # left: stacked channels
    top = (c_i - 1) * shift + 0.3
    _slab(ax1, 0, top, size, size, INPUT, c_i, shift, pick, "#8fb4e3")
    x_out = size + (c_i - 1) * shift + 2.2
    top_o = top + (c_i - c_o) * shift / 2
    _slab(ax1, x_out, top_o, size, size, OUTPUT, c_o, shift, pick, "#93cf8a")
    y_mid = top + pick[0] + 0.5
    ax1.add_patch(FancyArrowPatch((size + (c_i - 1) * shift + 0.2, y_mid), (x_out - 0.2, y_mid),
                                  arrowstyle="-|>", mutation_scale=12, color=WINDOW, lw=1.6))
    ax1.text((size + (c_i - 1) * shift + x_out) / 2, y_mid - 0.25,
             tr(f"{c_o}×{c_i}\nweights", f"{c_o}×{c_i}\n权重", lang),
             ha="center", va="bottom", fontsize=8.5, color=WINDOW)
    _caption(ax1, size / 2, top + size + 0.15, tr(f"input\n{c_i} channels", f"输入\n{c_i} 个通道", lang))
    _caption(ax1, x_out + size / 2, top_o + size + 0.15, tr(f"output\n{c_o} channels", f"输出\n{c_o} 个通道", lang))
    right1 = x_out + size + (c_o - 1) * shift + 0.2
    _finish(ax1, (-0.2, right1), (-0.5, top + size + 1.3), tr("per pixel", "逐像素", lang))
    _close(fig, tight=True)
    # right: the matrix product
    pixels = size * size
    col = pick[0] * size + pick[1]
    cell = 0.55
    kx, xx = 0.0, c_i * cell + 0.9
    ox = xx + pixels * cell + 0.9
    y0 = 0.4
    _grid(ax2, np.zeros((c_o, c_i)), kx, y0, KERNEL, show=False, cell=cell)
    _sign(ax2, c_i * cell + 0.45, y0 + c_o * cell / 2, "×", size=12)
    _grid(ax2, np.zeros((c_i, pixels)), xx, y0, INPUT, show=False, cell=cell)
    for r in range(c_i):
        ax2.add_patch(Rectangle((xx + col * cell, y0 + r * cell), cell, cell, facecolor="#8fb4e3",
                                edgecolor=INPUT[1], lw=0.8))
    _frame(ax2, xx + col * cell, y0, cell, c_i * cell, lw=2)
    _sign(ax2, ox - 0.45, y0 + c_o * cell / 2, "=", size=12)
    _grid(ax2, np.zeros((c_o, pixels)), ox, y0, OUTPUT, show=False, cell=cell)
    for r in range(c_o):
        ax2.add_patch(Rectangle((ox + col * cell, y0 + r * cell), cell, cell, facecolor="#93cf8a",
                                edgecolor=OUTPUT[1], lw=0.8))
    _frame(ax2, ox + col * cell, y0, cell, c_o * cell, lw=2)
    _caption(ax2, kx + c_i * cell / 2, y0 + c_i * cell + 0.15, tr(f"kernel\n{c_o}×{c_i}", f"卷积核\n{c_o}×{c_i}", lang))
    _caption(ax2, xx + pixels * cell / 2, y0 + c_i * cell + 0.15, tr(f"input\n{c_i}×{pixels} (one column per pixel)",
                                                                    f"输入\n{c_i}×{pixels}（每个像素一列）", lang))
    _caption(ax2, ox + pixels * cell / 2, y0 + c_i * cell + 0.15,
             tr(f"output\n{c_o}×{pixels}", f"输出\n{c_o}×{pixels}", lang))
    _finish(ax2, (-0.2, ox + pixels * cell + 0.2), (-0.5, y0 + c_i * cell + 1.3),
            tr("as a matrix product", "写成矩阵乘法", lang))
    _close(fig, tight=True)
    fig.suptitle(tr("A 1×1 convolution is a fully connected layer applied at every pixel",
                    "1×1 卷积就是在每个像素上应用的全连接层", lang), fontsize=11)
    fig.tight_layout()
    # the panels have different heights (equal aspect), so put both subtitles on one line
    for ax in (ax1, ax2):
        box = ax.get_position()
        fig.text((box.x0 + box.x1) / 2, 0.8, ax.get_title(), ha="center", va="bottom", fontsize=10)
        ax.set_title("")
    return fig


def plot_pooling(X=None, window=(0, 0), figsize=(7, 2.8), lang=None):
    """Draw 2x2 max pooling and 2x2 average pooling (stride 1) of the same input.

    The input (blue) has one 2x2 window outlined in orange, with its largest
    value in red; the two outputs (green) have the cell that window produces
    outlined: the maximum on the left, the mean on the right. There is no
    kernel, so no orange grid: pooling has nothing to learn. Default input:
    ``arange(9)`` as 3x3, giving [[4, 5], [7, 8]] and [[2, 3], [5, 6]].
    """
    X = np.arange(9.0).reshape(3, 3) if X is None else _values(X)
    if X.ndim != 2 or min(X.shape) < 2:
        raise ValueError("X must be a matrix of at least 2x2")
    i, j = window
    if not (0 <= i <= X.shape[0] - 2 and 0 <= j <= X.shape[1] - 2):
        raise ValueError(f"window {window} does not fit a 2x2 window inside a {X.shape} input")
    h, w = X.shape
    mx, av = (_values(pool2d(_tensor(X), 2, mode)) for mode in ("max", "avg"))
    win = X[i:i + 2, j:j + 2]
    bold = np.zeros_like(X, dtype=bool)
    a, b = np.unravel_index(np.argmax(win), win.shape)
    bold[i + a, j + b] = True
    fig, ax = plt.subplots(figsize=figsize)
    x_max = -mx.shape[1] - 1.6
    x_avg = w + 1.6
    y_out = (h - mx.shape[0]) / 2
    _grid(ax, mx, x_max, y_out, OUTPUT)
    _frame(ax, x_max + j, y_out + i, 1, 1, lw=2)
    _grid(ax, X, 0, 0, INPUT, bold=bold)
    _frame(ax, j, i, 2, 2)
    _grid(ax, av, x_avg, y_out, OUTPUT)
    _frame(ax, x_avg + j, y_out + i, 1, 1, lw=2)
    y_arrow = y_out + mx.shape[0] / 2
    ax.add_patch(FancyArrowPatch((-0.15, y_arrow), (x_max + mx.shape[1] + 0.15, y_arrow),
                                 arrowstyle="-|>", mutation_scale=12, color=MUTED, lw=1.2))
    ax.add_patch(FancyArrowPatch((w + 0.15, y_arrow), (x_avg - 0.15, y_arrow),
                                 arrowstyle="-|>", mutation_scale=12, color=MUTED, lw=1.2))
    vals = ", ".join(_fmt(v) for v in win.ravel())
    _caption(ax, x_max + mx.shape[1] / 2, y_out + mx.shape[0] + 0.15,
             tr("max pooling", "最大汇聚", lang) + f"\nmax({vals}) = {_fmt(mx[i, j])}", color="black")
    _caption(ax, w / 2, h + 0.15, tr("input, 2×2 window", "输入，2×2 窗口", lang))
    _caption(ax, x_avg + av.shape[1] / 2, y_out + av.shape[0] + 0.15,
             tr("average pooling", "平均汇聚", lang) + f"\nmean({vals}) = {_fmt(av[i, j])}", color="black")
    _finish(ax, (x_max - 1.4, x_avg + av.shape[1] + 1.4), (-0.3, h + 1.4),
            tr("2×2 pooling, stride 1: no kernel, nothing to learn", "2×2 汇聚，步幅 1：没有卷积核，无需学习", lang))
    return _close(fig, tight=True)


def plot_pool_stride_padding(figsize=(7, 3), lang=None):
    """Draw 2x3 max pooling with stride (2, 3) and padding (0, 1) of ``arange(16)`` as 4x4.

    The input (blue) gets one column of padding on each side (grey, hatched;
    max pooling pads with minus infinity, so padding never wins). The four
    windows tile the padded input without overlap, each outlined in its own
    colour with its maximum in red; the 2x2 output (green) repeats the
    colours, giving [[5, 7], [13, 15]].
    """
    X = np.arange(16.0).reshape(4, 4)
    P = np.full((4, 6), -np.inf)
    P[:, 1:5] = X
    pad = np.isinf(P)
    kh, kw, sh, sw = 2, 3, 2, 3
    colors = ["#d9771b", "#7b4fc9", "#1f8a9e", "#c2185b"]
    out = _values(pool2d(_tensor(X), (kh, kw), "max", stride=(sh, sw), padding=(0, 1)))
    bold = np.zeros_like(P, dtype=bool)
    for i in range(2):
        for j in range(2):
            win = P[i * sh:i * sh + kh, j * sw:j * sw + kw]
            a, b = np.unravel_index(np.argmax(win), win.shape)
            bold[i * sh + a, j * sw + b] = True
    fig, ax = plt.subplots(figsize=figsize)
    _grid(ax, P, 0, 0, INPUT, pad_mask=pad, bold=bold, fontsize=9.5)
    x_o, y_o = 6 + 2.4, 1
    _grid(ax, out, x_o, y_o, OUTPUT)
    for n, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        inset = 0.07 * (1 + n % 2)
        _frame(ax, j * sw + inset, i * sh + inset, kw - 2 * inset, kh - 2 * inset, color=colors[n], lw=2.2)
        _frame(ax, x_o + j + 0.06, y_o + i + 0.06, 0.88, 0.88, color=colors[n], lw=2.2)
    ax.add_patch(FancyArrowPatch((6.15, 2), (x_o - 0.15, 2), arrowstyle="-|>", mutation_scale=12,
                                 color=MUTED, lw=1.2))
    _caption(ax, 3, 4.15, tr("input 4×4, padding (0, 1): grey columns hold −∞",
                                "输入 4×4，填充 (0, 1)：灰色列为 −∞", lang))
    _caption(ax, x_o + 1, y_o + 2.15, tr("output 2×2", "输出 2×2", lang), color="black")
    _finish(ax, (-0.2, x_o + 2.6), (-0.3, 5.0),
            tr("Max pooling, window (2, 3), stride (2, 3), padding (0, 1)",
               "最大汇聚，窗口 (2, 3)，步幅 (2, 3)，填充 (0, 1)", lang))
    return _close(fig, tight=True)
