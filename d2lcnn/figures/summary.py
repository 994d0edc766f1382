"""Figures of the summary chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_accuracy_vs_macs``: test accuracy against multiply-accumulates per
  image (log scale), in two panels with the same axes: the notes' full-recipe
  accuracy (one marker per training recipe, its area growing with the network's
  parameters) and the mean and range of the book's stored full-recipe runs. Every
  marker sits at its exact MAC count; a number beside it, placed by a
  non-overlap rule (``place_labels``), refers to the key below.
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

LABEL_GID = "recipe-number"  # the gid of every number placed beside a marker (tests find them by it)

# Where a number may sit around its marker, in order of preference: right, left, above, below, then the diagonals.
_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (0.71, 0.71), (-0.71, 0.71), (0.71, -0.71), (-0.71, -0.71))
_GAP = 2.5        # points between a marker's edge and its number
_STEP = 6.0       # points the ring of candidate positions moves out by when every place on it is taken
_RINGS = 12       # rings tried before giving up
_LEADER_FROM = 9  # a number further than this (points) from its marker's edge gets a thin line to it


_MARKER_AREA = 42  # points^2 of every round marker: the same for all, so that no marker hides another


def _count(n, lang):
    """A parameter count for the key: 61.7 K, 46.76 M."""
    value = f"{n / 1e6:.2f} M" if n >= 1e6 else f"{n / 1e3:.1f} K"
    return tr(f"{value} parameters", f"{value} 个参数", lang)


def _overlaps(a, b):
    """Do two boxes (x0, y0, x1, y1) share any area?"""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box, outer):
    return outer[0] <= box[0] and box[2] <= outer[2] and outer[1] <= box[1] and box[3] <= outer[3]


def place_labels(ax, items, renderer, fontsize=9):
    """Put each item's number next to its marker where it overlaps nothing, and return the Text artists.

    ``items`` is a list of ``(text, x, y, radius)``: the label, the marker's data
    coordinates and its radius in points. The rule, in display units: every marker
    (and every box in ``ax``'s ``_label_obstacles``, e.g. error bars) is an obstacle;
    the labels are placed one by one, the first candidate position around the marker
    (right, left, above, below, the diagonals; then the same on a ring ``_STEP``
    points further out) whose box lies inside the axes and overlaps no obstacle and
    no label placed before it wins. A label placed away from its marker gets a thin
    leader line. ``ValueError`` if some label finds no place.
    """
    pt = ax.figure.dpi / 72
    to_px = ax.transData.transform
    frame = ax.get_window_extent(renderer).extents
    obstacles = []
    for _, x, y, r in items:
        cx, cy = to_px((x, y))
        obstacles.append((cx - r * pt, cy - r * pt, cx + r * pt, cy + r * pt))
    obstacles += getattr(ax, "_label_obstacles", [])
    placed, texts = [], []
    for text, x, y, r in items:
        cx, cy = to_px((x, y))
        t = ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points", ha="center", va="center",
                        fontsize=fontsize, fontweight="bold", zorder=6, gid=LABEL_GID)
        w, h = (v / pt for v in t.get_window_extent(renderer).size)
        for ring in range(_RINGS):
            found = None
            for ux, uy in _DIRECTIONS:
                # far enough out that the label's box clears the marker whatever the direction
                d = r + _GAP + ring * _STEP
                dx = ux * (d + w / 2) if ux else 0.0
                dy = uy * (d + h / 2) if uy else 0.0
                box = (cx + (dx - w / 2) * pt, cy + (dy - h / 2) * pt, cx + (dx + w / 2) * pt, cy + (dy + h / 2) * pt)
                if _inside(box, frame) and not any(_overlaps(box, o) for o in obstacles + placed):
                    found = (dx, dy, box, ring)
                    break
            if found:
                break
        if not found:
            raise ValueError(f"no free place for the label {text!r}: the plot is too crowded")
        dx, dy, box, ring = found
        t.xyann = (dx, dy)
        if ring * _STEP >= _LEADER_FROM:
            ax.annotate("", (x, y), xytext=(dx, dy), textcoords="offset points", zorder=5,
                        arrowprops={"arrowstyle": "-", "color": MUTED, "lw": 0.7, "shrinkA": 5, "shrinkB": r})
        placed.append(box)
        texts.append(t)
    return texts


def plot_accuracy_vs_macs(points, lang=None, figsize=(10.6, 7.2)):
    """Test accuracy against MACs per image (log x), in two panels that share both axes.

    ``points`` is a list of dicts, one per recipe: ``name``, ``title`` and
    ``title_zh``, ``macs`` (per image, at the recipe's input size), ``params``,
    ``notes_acc`` (the notes' test accuracy, full recipe, one run) and optionally
    ``book`` (the book's stored full-recipe runs: ``{'mean', 'min', 'max', 'n'}``).

    Left: the notes' accuracy, one round marker per recipe. Right: the mean of the
    book's stored runs as a diamond with a bar from the lowest to the highest run.
    Every marker sits at its recipe's exact MAC count (no horizontal shift), and carries the recipe's number, placed by
    ``place_labels`` so that no number overlaps another number or a marker; the key
    below the panels names the recipes and gives their parameters.
    """
    if not points:
        raise ValueError("points is empty: give at least one recipe to plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, sharex=True, sharey=True)
    FigureCanvasAgg(fig)
    numbers = [str(k) for k in range(1, len(points) + 1)]
    for p in points:
        left.scatter(p["macs"], p["notes_acc"], s=_MARKER_AREA, facecolor=INPUT[0], edgecolor=INPUT[1], lw=1.4,
                     zorder=3)
        book = p.get("book")
        if book:
            right.errorbar(p["macs"], book["mean"],
                           yerr=[[book["mean"] - book["min"]], [book["max"] - book["mean"]]],
                           fmt="D", ms=5, color="black", ecolor="black", elinewidth=1.2, capsize=3, zorder=4)
    right.set_xscale("log")
    xs = [p["macs"] for p in points]
    right.set_xlim(min(xs) / 8, max(xs) * 8)
    low = [p["notes_acc"] for p in points] + [p["book"]["min"] for p in points if p.get("book")]
    high = [p["notes_acc"] for p in points] + [p["book"]["max"] for p in points if p.get("book")]
    right.set_ylim(min(low) - 0.03, max(high) + 0.05)
    for ax in (left, right):
        ax.grid(True, which="major", color="#e3e3e3", lw=0.8, zorder=0)
        ax.set_xlabel(tr("multiply-accumulates per image (MACs, log scale)", "每张图像的乘加次数（MACs，对数刻度）",
                         lang), fontsize=9.5)
    left.set_ylabel(tr("test accuracy on Fashion-MNIST", "Fashion-MNIST 上的测试精度", lang))
    left.set_title(tr("The notes: one full-recipe run each", "笔记：每套训练设置各 1 次完整训练", lang),
                   fontsize=10)
    right.set_title(tr("This book: its stored full-recipe runs\n(diamond: mean; bar: lowest to highest run)",
                       "本书：已存储的完整训练\n（菱形：均值；竖线：最低到最高）", lang), fontsize=10)
    fig.suptitle(tr("Accuracy against computation, 10 epochs of each chapter's recipe",
                    "精度与计算量：各章训练设置的 10 个迭代周期", lang), fontsize=11.5)
    # the key: each recipe's number, name and parameters
    key = [Line2D([], [], ls="", marker=f"${n}$", ms=7 + 2 * len(n), color="black",
                  label=tr(f"{p['title']}: {_count(p['params'], lang)}",
                           f"{p['title_zh']}：{_count(p['params'], lang)}", lang)) for n, p in zip(numbers, points)]
    fig.legend(handles=key, loc="lower center", ncol=2, fontsize=8.5, labelspacing=0.8, columnspacing=3.0,
               borderpad=0.8, framealpha=0.95, edgecolor=KERNEL[1], bbox_to_anchor=(0.5, 0.01))
    rows = math.ceil(len(key) / 2)
    fig.subplots_adjust(left=0.07, right=0.985, top=0.86, bottom=0.1 + 0.031 * rows, wspace=0.06)
    renderer = fig.canvas.get_renderer()
    # the error bars are obstacles too: their numbers must not sit on a bar
    pt = fig.dpi / 72
    right._label_obstacles = []
    for p in points:
        if p.get("book"):
            x0, y0 = right.transData.transform((p["macs"], p["book"]["min"]))
            x1, y1 = right.transData.transform((p["macs"], p["book"]["max"]))
            right._label_obstacles.append((x0 - 4 * pt, y0 - 1, x1 + 4 * pt, y1 + 1))
    r_notes = math.sqrt(_MARKER_AREA) / 2 + 0.7
    place_labels(left, [(n, p["macs"], p["notes_acc"], r_notes) for n, p in zip(numbers, points)], renderer)
    place_labels(right, [(n, p["macs"], p["book"]["mean"], 4.0) for n, p in zip(numbers, points) if p.get("book")],
                 renderer)
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
