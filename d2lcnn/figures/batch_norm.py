"""Figures of the batch_norm chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

``plot_bn_axes`` shows which values batch normalization averages together: one
column of a batch x features matrix after a dense layer, one channel of every
example (all its pixels) after a convolution. ``plot_bn_recalibration`` draws
the test accuracy per epoch of runs evaluated with the moving statistics and
with statistics recomputed for the final weights.
"""
import math

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from ..lang import tr
from ._style import INPUT, KERNEL, MUTED, WINDOW

__all__ = ["plot_bn_axes", "plot_bn_recalibration"]


def _check_pick(name, value, size):
    if not (isinstance(value, int) and 0 <= value < size):
        raise ValueError(f"{name} must be an int from 0 to {size - 1}, got {value!r}")


def plot_bn_axes(batch=4, features=5, channels=3, height=3, width=3, feature=1, channel=1, lang=None):
    """Draw the values that share one mean and variance: dense layer (left) vs convolution (right).

    Left: the dense layer's output is a ``batch x features`` matrix; feature
    ``feature`` (orange column) is normalized over the batch, ``batch`` values.
    Right: a convolution's output is ``batch x channels x height x width``; each
    example is drawn as a stack of channel planes, and channel ``channel``
    (orange in every example) is normalized over ``batch * height * width`` values.
    """
    for name, value in (("batch", batch), ("features", features), ("channels", channels),
                        ("height", height), ("width", width)):
        if not (isinstance(value, int) and 1 <= value <= 8):
            raise ValueError(f"{name} must be an int from 1 to 8 (the figure draws every value), got {value!r}")
    _check_pick("feature", feature, features)
    _check_pick("channel", channel, channels)
    fig, (ax_d, ax_c) = plt.subplots(1, 2, figsize=(10, 3.1), gridspec_kw={"width_ratios": [1, 2.3]})

    # Dense layer: rows are examples, columns are features.
    for i in range(batch):
        for j in range(features):
            face, edge = KERNEL if j == feature else INPUT
            ax_d.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor=edge, lw=0.9))
    ax_d.add_patch(Rectangle((feature, 0), 1, batch, fill=False, edgecolor=WINDOW, lw=2.4, zorder=5))
    ax_d.text(features / 2, -0.35, tr("features →", "特征 →", lang), ha="center", va="bottom", fontsize=10)
    ax_d.text(-0.45, batch / 2, tr("examples (batch)", "样本（小批量）", lang), ha="center", va="center",
              rotation=90, fontsize=10)
    ax_d.text(features / 2, batch + 0.4,
              tr(f"one μ, σ² per feature:\n{batch} values (batch)",
                 f"每个特征一组 μ、σ²：\n{batch} 个值（批量）", lang),
              ha="center", va="top", fontsize=10, color=WINDOW)
    ax_d.set_xlim(-1.3, features + 0.3)
    ax_d.set_ylim(batch + 1.9, -1.1)
    ax_d.set_aspect("equal")
    ax_d.axis("off")
    ax_d.set_title(tr("Dense layer: batch × features", "全连接层：批量 × 特征", lang), fontsize=11)

    # Convolution: one stack of channel planes per example, the back plane drawn first.
    cell, depth = 0.5, 0.45          # side of a pixel; offset between channel planes
    plane_w, plane_h = width * cell, height * cell
    stack_w = plane_w + (channels - 1) * depth
    gap = 0.9
    for n in range(batch):
        x0 = n * (stack_w + gap)
        for c in reversed(range(channels)):
            xc, yc = x0 + c * depth, -c * depth + (channels - 1) * depth
            face, edge = KERNEL if c == channel else INPUT
            for i in range(height):
                for j in range(width):
                    ax_c.add_patch(Rectangle((xc + j * cell, yc + i * cell), cell, cell, facecolor=face,
                                             edgecolor=edge, lw=0.8, zorder=2 + channels - c))
            if c == channel:
                ax_c.add_patch(Rectangle((xc, yc), plane_w, plane_h, fill=False, edgecolor=WINDOW, lw=2.2,
                                         zorder=2 + channels - c))
        ax_c.text(x0 + stack_w / 2, (channels - 1) * depth + plane_h + 0.2,
                  tr(f"example {n + 1}", f"样本 {n + 1}", lang), ha="center", va="top", fontsize=9, color=MUTED)
    total_w = batch * stack_w + (batch - 1) * gap
    ax_c.text(total_w / 2, -0.35,
              tr(f"{channels} channels of {height}×{width} pixels per example",
                 f"每个样本 {channels} 个通道，每个通道 {height}×{width} 个像素", lang),
              ha="center", va="bottom", fontsize=10)
    n_values = batch * height * width
    ax_c.text(total_w / 2, (channels - 1) * depth + plane_h + 0.75,
              tr(f"one μ, σ² per channel: {batch}·{height}·{width} = {n_values} values (batch·height·width)",
                 f"每个通道一组 μ、σ²：{batch}·{height}·{width} = {n_values} 个值（批量·高·宽）", lang),
              ha="center", va="top", fontsize=10, color=WINDOW)
    ax_c.set_xlim(-0.3, total_w + 0.3)
    ax_c.set_ylim((channels - 1) * depth + plane_h + 1.6, -1.1)
    ax_c.set_aspect("equal")
    ax_c.axis("off")
    ax_c.set_title(tr("Convolutional layer: batch × channels × height × width",
                      "卷积层：批量 × 通道 × 高 × 宽", lang), fontsize=11)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_bn_recalibration(curves, lang=None):
    """Test accuracy per epoch with the moving statistics (solid) and recalibrated ones (dashed).

    ``curves`` maps a label, e.g. the learning rate, to a dict with lists
    ``moving`` and ``recalibrated`` (test accuracy after each epoch) and
    optionally ``train`` (training accuracy); one panel per label, sharing the
    accuracy axis.
    """
    if not curves:
        raise ValueError("curves is empty: give at least one run, e.g. {1.0: {'moving': [...], 'recalibrated': [...]}}")
    for key, run in curves.items():
        missing = [k for k in ("moving", "recalibrated") if k not in run]
        if missing:
            raise ValueError(f"run {key!r} lacks {', '.join(missing)}")
        if len(run["moving"]) != len(run["recalibrated"]) or not run["moving"]:
            raise ValueError(f"run {key!r}: 'moving' and 'recalibrated' must be non-empty and equally long")
    fig, axes = plt.subplots(1, len(curves), figsize=(3.4 * len(curves) + 0.6, 3.2), sharey=True, squeeze=False)
    lows = []
    for ax, (key, run) in zip(axes[0], curves.items()):
        epochs = list(range(1, len(run["moving"]) + 1))
        if run.get("train") is not None:
            ax.plot(epochs, run["train"], color=MUTED, lw=1.2, ls=":", marker=".",
                    label=tr("train acc", "训练精度", lang))
            lows.extend(run["train"])
        ax.plot(epochs, run["moving"], color=INPUT[1], lw=1.8, marker="o", ms=4,
                label=tr("test acc, moving statistics", "测试精度（移动平均统计量）", lang))
        ax.plot(epochs, run["recalibrated"], color=WINDOW, lw=1.8, ls="--", marker="s", ms=4,
                label=tr("test acc, recalibrated statistics", "测试精度（重新校准的统计量）", lang))
        lows.extend(run["moving"] + run["recalibrated"])
        ax.set_title(tr(f"lr {key}", f"学习率 {key}", lang), fontsize=11)
        ax.set_xlabel(tr("epoch", "迭代周期", lang))
        ax.set_xticks(epochs if len(epochs) <= 10 else epochs[::2])
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(tr("accuracy", "精度", lang))
    low = min(lows)
    axes[0][0].set_ylim(max(0.0, math.floor(low * 20) / 20 - 0.02), 1.0)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    plt.close(fig)
    return fig
