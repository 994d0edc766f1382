"""Figures of the summary chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_accuracy_vs_macs``: test accuracy against multiply-accumulates per
  image (log scale), one marker per training recipe, its area growing with the
  network's parameters; the notes' full-recipe accuracy, and where the book
  stores several seeds of the full recipe, their mean and range.
* ``plot_stored_runs``: a recipe's stored full-recipe runs (``d2lcnn.results``),
  test accuracy after every epoch, one line per run (device, precision, seed),
  with the notes' final accuracy as a reference mark. The architecture chapters
  show it beside their own (on a CPU, shortened) run.

The functions return a closed Figure, so ``d2lcnn.show_figure`` shows it once.
"""
import math

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from ..lang import tr
from ..recipes import recipe
from ..results import fmt_acc, precision_text, summarize
from ._style import INPUT, KERNEL, MUTED

__all__ = ["plot_accuracy_vs_macs", "plot_stored_runs"]

# Which side of its marker each recipe's label sits on. The four LeNets share two MAC counts,
# so their labels go left and right of the cluster.
_LABEL_SIDE = {"lenet_sigmoid": "right", "lenet_relu": "right", "lenet_bn_scratch": "left",
               "lenet_bn_builtin": "left", "alexnet": "above", "vgg11_4": "above", "nin": "below",
               "googlenet": "below", "resnet18": "left", "densenet": "left"}
# The book's diamonds sit a little right of the notes' marker (times this factor on the MAC axis),
# so neither hides the other; the two batch-norm LeNets share a MAC count, so one goes left.
_BOOK_SHIFT = {"lenet_bn_scratch": 1 / 1.2}
_DEFAULT_SHIFT = 1.2


def _label_offset(side, radius):
    gap = radius + 5
    return {"right": ((gap + 8, 0), "left"), "left": ((-gap - 20, 0), "right"),
            "above": ((0, gap + 2), "center"), "below": ((0, -gap - 2), "center")}[side]


def _area(params, largest):
    """Marker area in points^2: grows with the square root of the parameters, so 45 K and 47 M both show."""
    return 30 + 900 * math.sqrt(params / largest)


def _count(n, lang):
    if n >= 1e6:
        return tr(f"{n / 1e6:g} M parameters", f"{n / 1e6:g} M 个参数", lang)
    return tr(f"{n / 1e3:g} K parameters", f"{n / 1e3:g} K 个参数", lang)


def plot_accuracy_vs_macs(points, lang=None, figsize=(9.5, 6.6)):
    """Test accuracy against MACs per image (log x), marker area for parameters.

    ``points`` is a list of dicts, one per recipe: ``name`` (the recipe's
    name, which places its label), ``title`` and ``title_zh``, ``macs`` (per
    image, at the recipe's input size), ``params``, ``notes_acc`` (the notes'
    test accuracy, full recipe, one run) and optionally ``book`` (the book's
    stored full-recipe runs: ``{'mean', 'min', 'max', 'n'}``), drawn as a black
    diamond with a bar from the lowest to the highest seed.
    """
    if not points:
        raise ValueError("points is empty: give at least one recipe to plot")
    largest = max(p["params"] for p in points)
    fig, ax = plt.subplots(figsize=figsize)
    for p in points:
        ax.scatter(p["macs"], p["notes_acc"], s=_area(p["params"], largest), facecolor=INPUT[0],
                   edgecolor=INPUT[1], lw=1.2, alpha=0.85, zorder=3)
        book = p.get("book")
        if book:
            x = p["macs"] * _BOOK_SHIFT.get(p["name"], _DEFAULT_SHIFT)
            ax.plot([p["macs"], x], [p["notes_acc"], book["mean"]], ls=":", lw=0.9, color=MUTED, zorder=2)
            ax.errorbar(x, book["mean"], yerr=[[book["mean"] - book["min"]], [book["max"] - book["mean"]]],
                        fmt="D", ms=5, color="black", ecolor="black", elinewidth=1.2, capsize=3, zorder=4)
        radius = math.sqrt(_area(p["params"], largest)) / 2
        (dx, dy), ha = _label_offset(_LABEL_SIDE.get(p["name"], "above"), radius)
        ax.annotate(tr(p["title"], p["title_zh"], lang), (p["macs"], p["notes_acc"]), xytext=(dx, dy),
                    textcoords="offset points", ha=ha, va="center", fontsize=8.5, zorder=5)
    ax.set_xscale("log")
    xs = [p["macs"] for p in points]
    ax.set_xlim(min(xs) / 16, max(xs) * 4)
    ys = [p["notes_acc"] for p in points] + [p["book"]["min"] for p in points if p.get("book")]
    top = [p["notes_acc"] for p in points] + [p["book"]["max"] for p in points if p.get("book")]
    ax.set_ylim(min(ys) - 0.02, max(top) + 0.03)
    ax.grid(True, which="major", color="#e3e3e3", lw=0.8, zorder=0)
    ax.set_xlabel(tr("multiply-accumulates per image (MACs, log scale)", "每张图像的乘加次数（MACs，对数刻度）", lang))
    ax.set_ylabel(tr("test accuracy on Fashion-MNIST", "Fashion-MNIST 上的测试精度", lang))
    ax.set_title(tr("Accuracy against computation, 10 epochs of each chapter's recipe",
                    "精度与计算量：各章训练设置的 10 个迭代周期", lang), fontsize=11)
    # What the markers mean, then the marker sizes for three parameter counts.
    handles = [Line2D([], [], ls="", marker="o", ms=9, mfc=INPUT[0], mec=INPUT[1],
                      label=tr("the notes' test accuracy (one run each)", "笔记中的测试精度（各 1 次运行）", lang))]
    if any(p.get("book") for p in points):
        handles.append(Line2D([], [], ls="-", marker="D", ms=5, color="black",
                              label=tr("this book: mean of its stored full-recipe runs (bar: lowest to highest)",
                                       "本书：已存储的各次完整训练的均值（竖线：最低到最高）", lang)))
    for n in (1e5, 1e6, 1e7):
        if n <= largest:
            handles.append(Line2D([], [], ls="", marker="o", ms=math.sqrt(_area(n, largest)),
                                  mfc="none", mec=MUTED, label=_count(n, lang)))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8.5,
              labelspacing=1.0, columnspacing=2.0, borderpad=0.8,
              framealpha=0.95, edgecolor=KERNEL[1])
    fig.tight_layout()
    plt.close(fig)
    return fig


# One colour per precision, so "which arithmetic" reads at a glance; seeds differ by line style.
_PRECISION_COLOURS = {"fp32": "#1f5fa8", "fp32+tf32": "#2e8b57", "bf16 autocast": "#d9771b",
                      "fp16 autocast": "#8e44ad"}
_SEED_STYLES = ("-", "--", ":", "-.")
_SEED_MARKERS = ("o", "s", "^", "v")


def plot_stored_runs(name, lang=None, root=None, rows=None, figsize=(7.4, 4.6)):
    """Test accuracy after each epoch of recipe ``name``'s stored full-recipe runs, one line per run.

    ``rows`` defaults to ``d2lcnn.summarize(name, root)``. Each line is one
    stored run, labelled with its device, precision, variant and seed; colour
    marks the precision and line style the seed. The notes' final test
    accuracy (one run) is a star at the last epoch with a dashed guide. With no
    stored run the figure says so and shows the notes' mark alone.
    """
    r = recipe(name)
    rows = summarize(name, root) if rows is None else rows
    fig, ax = plt.subplots(figsize=figsize)
    epochs = list(range(1, r.num_epochs + 1))
    values = [r.notes_test_acc]
    codes = []
    for row in rows:
        colour = _PRECISION_COLOURS.get(row["precision"], MUTED)
        variant = "".join(tr(", ", "，", lang) + f"{k}={v!r}" for k, v in (row.get("variant") or {}).items())
        for k, run in enumerate(row["runs"]):
            accs = run.get("test_acc_per_epoch") or []
            if len(accs) != r.num_epochs:
                continue
            values += accs
            label = tr(f"{row['device_name']}, {row['precision']}{variant}, seed {run['seed']}: {fmt_acc(accs[-1])}",
                       f"{row['device_name']}，{precision_text(row['precision'], 'zh')}{variant}，"
                       f"随机种子 {run['seed']}：{fmt_acc(accs[-1])}",
                       lang)
            ax.plot(epochs, accs, color=colour, ls=_SEED_STYLES[k % len(_SEED_STYLES)],
                    marker=_SEED_MARKERS[k % len(_SEED_MARKERS)], ms=4, lw=1.6, label=label, zorder=3)
        codes += [c for c in row["code"] if c not in codes]
    ax.axhline(r.notes_test_acc, color=MUTED, ls=(0, (4, 3)), lw=1.0, zorder=2)
    ax.plot([r.num_epochs], [r.notes_test_acc], marker="*", ms=14, color="black", ls="",
            label=tr(f"the notes, final epoch (one run): {r.notes_test_acc:.3f}",
                     f"笔记，最后一个迭代周期（1 次运行）：{r.notes_test_acc:.3f}", lang), zorder=4)
    if len(values) == 1:
        ax.text(0.5, 0.5, tr(f"no full {r.num_epochs}-epoch run of this recipe is stored yet",
                             f"尚未存储这一训练设置完整 {r.num_epochs} 个迭代周期的运行", lang),
                transform=ax.transAxes, ha="center", va="center", color=MUTED)
    low, high = min(values), max(values)
    ax.set_ylim(max(0.0, low - 0.04), min(1.0, high + 0.03))
    ax.set_xlim(0.6, r.num_epochs + 0.4)
    ax.set_xticks(epochs)
    ax.grid(True, color="#e3e3e3", lw=0.8, zorder=0)
    ax.set_xlabel(tr("epoch", "迭代周期", lang))
    ax.set_ylabel(tr("test accuracy", "测试精度", lang))
    title = tr(f"{r.title}: the whole {r.num_epochs} epochs of the stored runs",
               f"{r.title_zh}：已存储运行完整 {r.num_epochs} 个迭代周期的测试精度", lang)
    if codes:
        title += "\n" + tr(f"code version {', '.join(codes)}", f"代码版本 {', '.join(codes)}", lang)
    ax.set_title(title, fontsize=10.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, fontsize=8.5, framealpha=0.95,
              edgecolor=KERNEL[1])
    fig.tight_layout()
    plt.close(fig)
    return fig
