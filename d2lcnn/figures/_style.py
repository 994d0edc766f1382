"""Drawing primitives and the colour palette shared by the book's figures."""
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, Rectangle

# (face, edge) pairs: input blue, kernel orange, output green, padding grey
INPUT = ("#dbe8f6", "#3b6ea5")
KERNEL = ("#fde0b8", "#d9771b")
OUTPUT = ("#d5eecf", "#3d8b3d")
PAD = ("#ececec", "#9a9a9a")
WINDOW = "#d9771b"
WIN = "#c62828"
MUTED = "#5f5f5f"


def as_pair(v):
    """A layer's kernel_size, stride or padding as a (height, width) pair (torch stores an int or a tuple)."""
    return (v, v) if isinstance(v, int) else tuple(v)


def arrow(ax, start, end, color="black", lw=1.3, size=12, rad=0.0, shrink=0.0, **kw):
    """A filled-head arrow from ``start`` to ``end`` (data coordinates): ``size`` is the head's scale,
    ``rad`` bends it (0: straight), ``shrink`` leaves that many points free at both ends; other
    keywords go to ``FancyArrowPatch`` (zorder ...)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=size, lw=lw, color=color,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=shrink, shrinkB=shrink, **kw))


def _values(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=float)


def _fmt(v):
    if np.isinf(v):
        return "−∞" if v < 0 else "∞"
    return f"{int(v)}" if float(v).is_integer() else f"{v:.2g}"


def _grid(ax, values, x0, y0, colors, pad_mask=None, show=True, fontsize=10, cell=1.0, bold=None):
    """Draw a matrix with its top-left corner at (x0, y0); y grows downwards."""
    values = _values(values)
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            padded = pad_mask is not None and pad_mask[i, j]
            face, edge = PAD if padded else colors
            ax.add_patch(Rectangle((x0 + j * cell, y0 + i * cell), cell, cell, facecolor=face,
                                   edgecolor=edge, lw=0.8, hatch="///" if padded else None))
            if show:
                strong = bold is not None and bold[i, j]
                ax.text(x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell, _fmt(values[i, j]),
                        ha="center", va="center", fontsize=fontsize,
                        color=WIN if strong else (MUTED if padded else "black"),
                        fontweight="bold" if strong else "normal")


def _frame(ax, x, y, w, h, color=WINDOW, lw=2.4, ls="-"):
    ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=color, lw=lw, ls=ls, zorder=5))


def _sign(ax, x, y, s, size=None):
    """An operator between grids (⋆, =, →, +, ×); by default ⋆ a little larger than the rest."""
    ax.text(x, y, s, ha="center", va="center", fontsize=size or (20 if s == "⋆" else 16))


def _finish(ax, xlim, ylim, title=None):
    """Axes for grids: x and y limits as (start, end), y growing downwards like matrix rows,
    equal aspect, no frame, and an optional title."""
    ax.set_xlim(*xlim)
    ax.set_ylim(ylim[1], ylim[0])
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)


def _close(fig, tight=False):
    """Close ``fig`` so a notebook cell shows it once (as its return value), and return it."""
    if tight:
        fig.tight_layout()
    plt.close(fig)
    return fig
