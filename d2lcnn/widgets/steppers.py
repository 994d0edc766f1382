"""The public steppers: argument checking, numbers and HTML tied together.

Each object renders through ``_repr_html_`` (Jupyter, Colab, VS Code and
MyST-NB all store that as ``text/html``) and keeps torch's output and its
arguments in ``steps`` (``frames.ConvSteps`` / ``PoolSteps``).

Python computes the first state (what nbval compares); in the page the
reader can then change padding (per side), stride, window or kernel size,
dilation, the pooling mode, any input or kernel value, or pick a preset, and
``stepper.js`` recomputes output, every step's arithmetic and the size formula itself. Each
stepper's root element carries a small handle for tests and curious readers
(documented at the top of ``stepper.js``)::

    el = document.querySelector('.d2s').d2lcnn
    el.set({padding: [1, 0, 2, 2], stride: [2, 1], size: 3})  // '' or the error message
    el.output()   // every output channel, [c][oh][ow];  el.shape() -> [c, oh, ow]
    el.error()    // the text of Python's ValueError for an impossible window, in the page's language
"""
from .frames import conv_steps, pool_steps, receptive_field
from .render import render_rf, render_steps, rf_text
from .strings import check_lang

__all__ = ["conv_stepper", "pool_stepper", "receptive_field_view",
           "ConvStepper", "PoolStepper", "ReceptiveFieldView"]


class _Stepper:
    def __init__(self, steps, out_channel, lang, layer_repr):
        self.steps, self.lang, self.layer_repr = steps, check_lang(lang), layer_repr
        steps.check_channel(out_channel)
        self.out_channel = out_channel
        self.live_note = False  # the explorers set it: "this cell is live in Jupyter/Colab"
        self._html = None

    @property
    def output(self):
        """The output matrix of the channel on show, as torch computes it."""
        return self.steps.output[self.out_channel]

    @property
    def output_size(self):
        return self.steps.out_hw

    @property
    def num_steps(self):
        return self.steps.num_steps

    def step_text(self, t=0, lang="en"):
        """The arithmetic of step ``t`` as the page shows it (step 0 is in the saved HTML)."""
        return self.steps.text(t, self.out_channel, lang)

    def size_text(self, lang="en"):
        """The output-size formula lines shown under the grids."""
        return "\n".join(self.steps.size_lines[lang])

    def html(self):
        if self._html is None:
            self._html = render_steps(self.steps, self.out_channel, self.lang, self.layer_repr, self.live_note)
        return self._html

    def _repr_html_(self):
        return self.html()

    def __repr__(self):
        oh, ow = self.steps.out_hw
        return (f"<{type(self).__name__}: {self.num_steps} steps, output {oh}×{ow}; "
                f"display it in a notebook to step through>")


class ConvStepper(_Stepper):
    """A kernel sliding over an input; see ``conv_stepper``."""

    def channel(self, out_channel):
        """The same stepper watching another output channel."""
        return ConvStepper(self.steps, out_channel, self.lang, self.layer_repr)


class PoolStepper(_Stepper):
    """A pooling window sliding over an input; see ``pool_stepper``."""


def conv_stepper(X, K=None, padding=None, stride=None, dilation=None, bias=None, out_channel=0, lang="auto"):
    """Step a convolution kernel over ``X``, one output element per step.

    X: (h, w) or (c_i, h, w) (a leading batch of one is dropped). K: (k_h, k_w),
    (c_i, k_h, k_w) or (c_o, c_i, k_h, k_w), or an ``nn.Conv2d`` (also allowed
    as the first argument), whose own weights, bias, stride, padding and
    dilation are then shown. padding / stride / dilation: int or (h, w) pair,
    padding added on each side as in ``nn.Conv2d``. bias: a number or one per
    output channel. out_channel: which output channel to watch first (the page
    offers a selector when there are several). lang: 'en', 'zh' or 'auto'
    (the default: follow the page's ``<html lang>``, so the book's
    Chinese edition shows Chinese labels and Jupyter shows its own language).
    """
    import torch.nn as nn
    layer = K if isinstance(K, nn.Module) else X if isinstance(X, nn.Module) else None
    steps = conv_steps(X, K, padding, stride, dilation, bias)
    return ConvStepper(steps, out_channel, lang, repr(layer) if layer is not None else None)


def pool_stepper(X, pool_size=2, stride=None, padding=None, mode=None, dilation=None, lang="auto"):
    """Step a max or average pooling window over a matrix ``X``.

    ``pool_size`` may also be an ``nn.MaxPool2d`` / ``nn.AvgPool2d`` (or pass the
    layer first), whose settings are then used. stride None means "as large as
    the window", as in PyTorch; mode is 'max' (default) or 'avg'.
    """
    import torch.nn as nn
    layer = pool_size if isinstance(pool_size, nn.Module) else X if isinstance(X, nn.Module) else None
    steps = pool_steps(X, pool_size, stride, padding, mode, dilation)
    return PoolStepper(steps, 0, lang, repr(layer) if layer is not None else None)


class ReceptiveFieldView:
    """Stacked kernels: click a cell of a later layer to see which cells reach it."""

    def __init__(self, rf, lang, selected):
        self.rf, self.lang = rf, check_lang(lang)
        last = len(rf.shapes) - 1
        self.selected = tuple(selected) if selected is not None else (last, 0, 0)
        rf.region(*self.selected)  # validates the selection
        self._html = None

    @property
    def shapes(self):
        return self.rf.shapes

    def region(self, layer, i, j):
        """{earlier layer: (row0, row1, col0, col1)}, inclusive, reaching cell (i, j) of ``layer``."""
        return self.rf.region(layer, i, j)

    def text(self, layer, i, j, lang="en"):
        return rf_text(self.rf.kernel_sizes, layer, i, j, lang)

    def html(self):
        if self._html is None:
            self._html = render_rf(self.rf, self.lang, self.selected)
        return self._html

    def _repr_html_(self):
        return self.html()

    def __repr__(self):
        return f"<ReceptiveFieldView: layers {self.rf.shapes}; display it in a notebook and click a cell>"


def receptive_field_view(X, kernel_sizes=((2, 2), (2, 2)), kernels=None, selected=None, lang="auto"):
    """Stacked stride-1 convolutions without padding over ``X``.

    Click an output cell (or an intermediate one) to light up every cell of the
    earlier layers that reaches it. With ``kernels`` (2-D tensors) the layers
    show real values computed by ``corr2d``; otherwise only the cells matter.
    selected: (layer, row, col) lit at first, default the last layer's (0, 0).
    """
    return ReceptiveFieldView(receptive_field(X, kernel_sizes, kernels), lang, selected)
