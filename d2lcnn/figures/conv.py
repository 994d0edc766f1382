"""Figures for chapters 1-3: cross-correlation, padding, stride.

Every function draws one figure with matplotlib and returns it (closed, so a
notebook cell that returns it displays it exactly once). The colours are the
book's: input blue, kernel orange, output green, zero padding grey and hatched.
Labels are in the reader's language (``lang``, see d2lcnn.lang); the notebook
cell carries the bilingual alt text.
"""
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

from ..lang import tr
from ..ops import conv_output_size, corr2d
from ._style import INPUT, KERNEL, MUTED, OUTPUT, _close, _finish, _fmt, _frame, _grid, _sign, _values

__all__ = ["plot_flatten_shuffle", "plot_dense_vs_local", "plot_corr2d", "plot_padding", "plot_stride"]


def _label(ax, x, y, text, color="black", size=10):
    ax.text(x, y, text, ha="center", va="bottom", fontsize=size, color=color)


def plot_flatten_shuffle(image=None, seed=0, lang=None):
    """Draw an image, the same pixels shuffled by a fixed permutation, and its flattened vector.

    A fully connected layer sees only the flattened vector, so to it the two
    images are equally easy: the permutation is just a relabelling of inputs.
    """
    if image is None:
        image = np.zeros((8, 8))
        image[1, 1:7] = 1  # a "T": a bar and a stem
        image[2:7, 3:5] = 1
    image = _values(image)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(image.size)
    shuffled = image.reshape(-1)[perm].reshape(image.shape)
    fig = plt.figure(figsize=(7, 3))
    grid = fig.add_gridspec(2, 2, height_ratios=[5, 1], hspace=0.35)
    h, w = image.shape[:2]
    for k, (img, title) in enumerate(((image, tr(f"An {h}×{w} image", f"一张 {h}×{w} 的图像", lang)),
                                      (shuffled, tr("Same pixels, shuffled", "同样的像素，打乱顺序", lang)))):
        ax = fig.add_subplot(grid[0, k])
        ax.imshow(img, cmap="Blues", vmin=-0.15, vmax=1.15)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(title, fontsize=11)
    ax = fig.add_subplot(grid[1, :])
    ax.imshow(image.reshape(1, -1), cmap="Blues", vmin=-0.15, vmax=1.15, aspect="auto")
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(tr(f"Flattened into {image.size} inputs: a dense layer sees only this order",
                    f"展平成 {image.size} 个输入：全连接层只看到这个顺序", lang), fontsize=10)
    return _close(fig)


def plot_dense_vs_local(n=7, delta=1, pos=(3, 3), lang=None):
    """Draw which inputs one hidden unit H[i, j] reads: all n*n (dense) vs a (2Δ+1)² patch (local).

    Left: in a fully connected layer H[i, j] has its own weight for every input
    pixel. Right: with locality the weights V[a, b] cover |a|, |b| <= delta
    around (i, j), and translation invariance makes them the same for every (i, j).
    """
    i, j = pos
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.2))
    side = 2 * delta + 1
    for ax, local in zip(axes, (False, True)):
        for r in range(n):
            for c in range(n):
                inside = abs(r - i) <= delta and abs(c - j) <= delta
                face, edge = KERNEL if (inside or not local) else INPUT
                ax.add_patch(Rectangle((c, r), 1, 1, facecolor=face, edgecolor=edge, lw=0.8))
        ax.add_patch(Rectangle((j + 0.25, i + 0.25), 0.5, 0.5, facecolor=OUTPUT[1], zorder=6))
        if local:
            _frame(ax, j - delta, i - delta, side, side, KERNEL[1])
            title = tr(f"Local: {side}×{side} = {side * side} weights V[a, b]",
                       f"局部：{side}×{side} = {side * side} 个权重 V[a, b]", lang)
        else:
            title = tr(f"Dense: {n}×{n} = {n * n} weights W[i, j, k, l]",
                       f"全连接：{n}×{n} = {n * n} 个权重 W[i, j, k, l]", lang)
        _finish(ax, (-0.2, n + 0.2), (-0.2, n + 0.2), title)
    fig.text(0.5, 0.02, tr("green dot: the position (i, j) of one hidden unit;  orange: the inputs it reads",
                            "绿点：一个隐藏单元的位置 (i, j)；橙色：它读取的输入", lang),
             ha="center", fontsize=9, color=MUTED)
    return _close(fig)


def plot_corr2d(X, K, pos=(0, 0), lang=None):
    """Draw input X, kernel K and output Y = corr2d(X, K), with the window at ``pos`` and its arithmetic.

    The window in X, the kernel and the output cell it produces are outlined,
    and the sum of products that gives that cell is written underneath.
    """
    X, K = _values(X), _values(K)
    kh, kw = K.shape
    Y = _values(corr2d(torch.as_tensor(X), torch.as_tensor(K)))
    oh, ow = Y.shape
    i, j = pos
    fig, ax = plt.subplots(figsize=(7, 3))
    x_k = X.shape[1] + 1.2
    x_y = x_k + kw + 1.2
    _grid(ax, X, 0, 0, INPUT)
    _frame(ax, j, i, kw, kh, KERNEL[1])
    _sign(ax, X.shape[1] + 0.6, X.shape[0] / 2, "⋆")
    _grid(ax, K, x_k, 0, KERNEL)
    _sign(ax, x_k + kw + 0.6, X.shape[0] / 2, "=")
    _grid(ax, Y, x_y, 0, OUTPUT)
    _frame(ax, x_y + j, i, 1, 1, OUTPUT[1])
    for x, text, w in ((0, tr("Input X", "输入 X", lang), X.shape[1]), (x_k, tr("Kernel K", "卷积核 K", lang), kw),
                         (x_y, tr("Output Y", "输出 Y", lang), ow)):
        _label(ax, x + w / 2, -0.25, text)
    terms = " + ".join(f"{_fmt(a)}·{_fmt(b)}" for a, b in zip(X[i:i + kh, j:j + kw].ravel(), K.ravel()))
    height = max(X.shape[0], 3)
    ax.text((x_y + ow) / 2, height + 0.6, f"Y[{i}, {j}] = {terms} = {_fmt(Y[i, j])}",
            ha="center", va="center", fontsize=11)
    _finish(ax, (-0.2, x_y + ow + 0.2), (-0.9, height + 1.3))
    return _close(fig)


def plot_padding(n=3, k=3, padding=1, values=None, lang=None):
    """Draw an n×n input with ``padding`` rows/columns of zeros on each side, a k×k kernel, and the output.

    The padding is grey and hatched; the window sits at the top-left corner,
    where it reads mostly padding, and the output has size n - k + 2·padding + 1.
    """
    if values is None:
        values = np.arange(1, n * n + 1).reshape(n, n)
    values = _values(values)
    m = n + 2 * padding
    full = np.zeros((m, m))
    full[padding:padding + n, padding:padding + n] = values
    mask = np.ones((m, m), dtype=bool)
    mask[padding:padding + n, padding:padding + n] = False
    out = conv_output_size(n, k, padding)
    fig, ax = plt.subplots(figsize=(7, 3))
    _grid(ax, full, 0, 0, INPUT, pad_mask=mask)
    _frame(ax, 0, 0, k, k, KERNEL[1])
    x_k = m + 1.2
    _sign(ax, m + 0.6, m / 2, "⋆")
    _grid(ax, np.ones((k, k)), x_k, (m - k) / 2, KERNEL, show=False)
    x_y = x_k + k + 1.2
    _sign(ax, x_k + k + 0.6, m / 2, "→")
    _grid(ax, np.zeros((out, out)), x_y, (m - out) / 2, OUTPUT, show=False)
    _frame(ax, x_y, (m - out) / 2, 1, 1, OUTPUT[1])
    _label(ax, m / 2, -0.25, tr(f"{n}×{n} input, padding {padding} → {m}×{m}",
                                f"{n}×{n} 输入，填充 {padding} → {m}×{m}", lang))
    _label(ax, x_k + k / 2, (m - k) / 2 - 0.25, tr(f"{k}×{k} kernel", f"{k}×{k} 卷积核", lang))
    _label(ax, x_y + out / 2, (m - out) / 2 - 0.25, tr(f"{out}×{out} output", f"{out}×{out} 输出", lang))
    _finish(ax, (-0.2, x_y + out + 0.2), (-0.9, m + 0.2))
    return _close(fig)


def plot_stride(n=(4, 4), k=(2, 2), padding=(1, 1), stride=(3, 2), lang=None):
    """Draw every window position of a convolution with the given stride on a zero-padded input.

    Each position gets its own colour on the padded input (left) and the same
    colour on the output cell it writes (right); rows and columns that no
    window reaches stay uncovered, which is the floor in the size formula.
    """
    (nh, nw), (kh, kw), (ph, pw), (sh, sw) = n, k, padding, stride
    mh, mw = nh + 2 * ph, nw + 2 * pw
    oh, ow = conv_output_size((nh, nw), (kh, kw), (ph, pw), (sh, sw))
    mask = np.ones((mh, mw), dtype=bool)
    mask[ph:ph + nh, pw:pw + nw] = False
    fig, ax = plt.subplots(figsize=(7, 3.2))
    _grid(ax, np.zeros((mh, mw)), 0, 0, INPUT, pad_mask=mask, show=False)
    colors = plt.get_cmap("Dark2").colors
    x_y = mw + 2.0
    y_y = (mh - oh) / 2
    for r in range(oh):
        for c in range(ow):
            color = colors[(r * ow + c) % len(colors)]
            inset = 0.08 + 0.05 * ((r * ow + c) % 2)
            _frame(ax, c * sw + inset, r * sh + inset, kw - 2 * inset, kh - 2 * inset, color, lw=2.2)
            ax.add_patch(Rectangle((x_y + c, y_y + r), 1, 1, facecolor=color, alpha=0.35,
                                   edgecolor=OUTPUT[1], lw=0.8))
            ax.text(x_y + c + 0.5, y_y + r + 0.5, f"{r},{c}", ha="center", va="center", fontsize=9)
    for r in range(mh):
        ax.text(-0.35, r + 0.5, str(r), ha="center", va="center", fontsize=8, color=MUTED)
    for c in range(mw):
        ax.text(c + 0.5, mh + 0.35, str(c), ha="center", va="center", fontsize=8, color=MUTED)
    _sign(ax, mw + 1.0, mh / 2, "→")
    _label(ax, mw / 2, -0.25, tr(f"{nh}×{nw} input, padding {padding}, {kh}×{kw} window",
                                 f"{nh}×{nw} 输入，填充 {padding}，{kh}×{kw} 窗口", lang))
    _label(ax, x_y + ow / 2, y_y - 0.25, tr(f"{oh}×{ow} output", f"{oh}×{ow} 输出", lang))
    ax.text(x_y + ow / 2, y_y + oh + 0.6,
            tr(f"stride: {sh} down, {sw} across", f"步幅：向下 {sh}，向右 {sw}", lang), ha="center",
            va="top", fontsize=10, color=MUTED)
    _finish(ax, (-0.8, x_y + ow + 0.2), (-0.9, mh + 0.8))
    return _close(fig)
