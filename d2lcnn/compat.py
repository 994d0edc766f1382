"""Compatibility with d2l: run *Dive into Deep Learning*'s PyTorch code with ``import d2lcnn as d2l``.

The book's source notes follow d2l-zh 2.0, whose code starts with ``from d2l import torch as d2l``.
This module supplies the names that code uses and the rest of d2lcnn does not have, so the
PyTorch code of its convolution chapters (6.1-6.6, 7.1-7.7) runs unchanged on d2lcnn:

* d2l's framework aliases: the same name stands for one operation in each framework d2l
  supports (``d2l.reshape(X, shape)``, ``d2l.reduce_sum(X)``); here each is PyTorch's;
* ``Animator``, the live training plot of d2l's training loops, drawn by d2lcnn's own
  ``LivePlot`` (``d2lcnn/liveplot.py``), in a notebook and outside one;
* ``plot``, ``set_axes``, ``set_figsize``, ``use_svg_display`` and ``plt``, with d2l's arguments.

The chapters of this book do not use these names: they call PyTorch directly. The other names
d2l code needs (``corr2d``, ``pool2d``, ``Timer``, ``Accumulator``, ``accuracy``,
``try_gpu``, ``load_data_fashion_mnist``, ``train_ch6``, ``batch_norm``, ...) are the book's own.
"""
import builtins

import matplotlib.pyplot as plt
import torch

from .lang import lang_context
from .liveplot import LivePlot

__all__ = [
    # framework aliases
    "tensor", "zeros", "ones", "arange", "normal", "matmul", "stack", "concat", "abs", "float32",
    "reshape", "reduce_sum", "transpose", "size",
    # plotting
    "plt", "use_svg_display", "set_figsize", "set_axes", "plot", "Animator",
]

# ---------------------------------------------------------------- framework aliases

tensor = torch.tensor
zeros = torch.zeros
ones = torch.ones
arange = torch.arange
normal = torch.normal
matmul = torch.matmul
stack = torch.stack
concat = torch.cat
float32 = torch.float32


def abs(x):  # d2l's name; numbers still get Python's abs
    """``torch.abs`` of a tensor; Python's ``abs`` of anything else (so ``from d2lcnn import *`` is safe)."""
    return torch.abs(x) if isinstance(x, torch.Tensor) else builtins.abs(x)


def reshape(x, *shape):
    """``x.reshape(shape)``: d2l writes ``d2l.reshape(X, (1, 1, 6, 8))``."""
    return x.reshape(*shape)


def reduce_sum(x, axis=None, keepdims=False):
    """The sum of ``x``, over every element or along ``axis`` (d2l's names for ``dim``/``keepdim``)."""
    return x.sum() if axis is None else x.sum(dim=axis, keepdim=keepdims)


def transpose(x):
    """The transpose of a matrix (``x.t()``)."""
    return x.t()


def size(x):
    """The number of elements of ``x`` (``x.numel()``): d2l counts the examples of a batch of labels with it."""
    return x.numel()


# ---------------------------------------------------------------- plotting

def use_svg_display():
    """Show matplotlib figures as SVG in a notebook; does nothing outside one."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg")


def set_figsize(figsize=(3.5, 2.5)):
    """The size, in inches, of the figures ``plot`` draws from now on."""
    plt.rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Label, scale and limit matplotlib ``axes`` in one call; ``None`` leaves a setting alone."""
    if xlabel is not None:
        axes.set_xlabel(xlabel)
    if ylabel is not None:
        axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    if xlim is not None:
        axes.set_xlim(xlim)
    if ylim is not None:
        axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid(True)


def _is_one_curve(values):
    """True for one sequence of numbers (a list, 1-D tensor or array); False for a list of them."""
    if hasattr(values, "ndim"):
        return values.ndim == 1
    return isinstance(values, (list, tuple)) and not (values and hasattr(values[0], "__len__"))


def _curves(X, Y):
    """d2l's ways of passing data, as a list of (x or None, y) pairs."""
    if X is None:
        raise ValueError("plot needs data: plot(y), plot(x, y), or lists of them for several curves")
    if Y is None:  # plot(y) or plot([y1, y2]): each against its index
        ys = [X] if _is_one_curve(X) else list(X)
        return [(None, y) for y in ys]
    xs = [X] if _is_one_curve(X) else list(X)
    ys = [Y] if _is_one_curve(Y) else list(Y)
    if len(xs) == 1:
        xs = xs * len(ys)  # one x for every curve
    if len(xs) != len(ys):
        raise ValueError(f"plot got {len(xs)} x sequences for {len(ys)} y sequences; give one x, or one per y")
    return list(zip(xs, ys))


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale="linear",
         yscale="linear", fmts=("-", "m--", "g-.", "r:"), figsize=(3.5, 2.5), axes=None):
    """Draw curves as d2l's ``plot`` does: ``plot(x, [f(x), g(x)], 'x', 'f(x)', legend=['f', 'g'])``.

    ``X``/``Y``: one sequence or a list of them (tensors, arrays or lists); with ``Y`` omitted
    each sequence of ``X`` is drawn against its index. Draws into ``axes`` when given, else into
    a new figure of ``figsize`` (a notebook shows it under the cell). Returns None, as d2l's does.
    """
    if legend is None:
        legend = []
    with lang_context():  # a Chinese label gets a CJK font
        if axes is None:
            axes = plt.figure(figsize=figsize).gca()
        axes.cla()
        for k, (x, y) in enumerate(_curves(X, Y)):
            fmt = fmts[k % len(fmts)]
            y = y.detach().cpu() if isinstance(y, torch.Tensor) else y
            if x is None:
                axes.plot(y, fmt)
            else:
                axes.plot(x.detach().cpu() if isinstance(x, torch.Tensor) else x, y, fmt)
        set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)


def _as_list(v):
    """One value or a sequence of them (list, tuple, 1-D tensor or array) as a list."""
    if isinstance(v, (list, tuple)) or getattr(v, "ndim", 0) == 1:
        return list(v)
    return [v]


class Animator:
    """d2l's live plot: ``animator.add(x, y)`` appends a point to each curve and redraws.

    ``y`` is one number or one per curve (``None`` skips that curve), ``x`` one number or one
    per curve. It is the book's ``LivePlot`` underneath: in a notebook the figure updates in
    place and one figure is left in the cell; outside a notebook nothing is shown and
    ``animator.fig`` holds the plot (``animator.fig.savefig('curves.png')``).
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale="linear",
                 yscale="linear", fmts=("-", "m--", "g-.", "r:"), nrows=1, ncols=1, figsize=(3.5, 2.5)):
        if (nrows, ncols) != (1, 1):
            raise ValueError(f"Animator draws one plot; got nrows={nrows}, ncols={ncols} (use 1, 1)")
        self._options = dict(xlabel=xlabel, ylabel=ylabel, xlim=xlim, ylim=ylim, xscale=xscale, yscale=yscale,
                             fmts=fmts, figsize=figsize)
        self._legend = None if legend is None else list(legend)
        self._plot = None
        if self._legend is not None:
            self._start(len(self._legend))

    def _start(self, n):
        legend = self._legend if self._legend is not None else [None] * n
        self._plot = LivePlot(legend=legend, **self._options)

    def add(self, x, y):
        ys = _as_list(y)
        if self._plot is None:  # no legend given: as many curves as the first call has values
            self._start(len(ys))
        xs = _as_list(x)
        self._plot.add(xs if len(xs) > 1 else xs[0], ys)

    @property
    def fig(self):
        """The matplotlib figure (None before the first ``add`` when no legend was given)."""
        return None if self._plot is None else self._plot.figure

    @property
    def axes(self):
        """``[axes]``, as d2l's ``animator.axes[0]``."""
        return [] if self._plot is None else [self._plot.axes]
