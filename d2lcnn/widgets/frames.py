"""What Python must do for a window stepper: check the arguments and write the first state.

``conv_steps`` / ``pool_steps`` turn the public arguments (tensors or layers) into ``ConvSteps``
or ``PoolSteps``, raising the errors a reader sees (``window_error`` writes the same text the
page shows). Those hold torch's output (the truth the tests compare with) and what step 0 shows
where no script runs: the window's cells, the arithmetic line, the size formula. Every other
step, and every recomputation after a reader changes something, is the in-page engine's
(``stepper.js``); ``tests/stepper_cases.json`` holds the cases both are tested against.

Two number forms exist on purpose. ``output`` holds what torch computes. The HTML carries the
same values rounded to six significant digits (``num``) and writes them with ``fmt``; the
engine uses the very same two rules, so the arithmetic a reader sees is character for
character the ``text`` written here.
"""
from decimal import ROUND_HALF_UP, Decimal

import torch
import torch.nn.functional as F
from torch import nn

from .. import ops
from ..ops import conv_output_size
from .strings import LANGS, word

__all__ = ["ConvSteps", "PoolSteps", "ReceptiveField", "num", "fmt", "window_error", "size_lines"]


# ----------------------------------------------------------------- numbers

def num(v):
    """The value as embedded in the page: 6 significant digits, ints kept as ints."""
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return v
    v = float(f"{v:.6g}")
    return int(v) if v.is_integer() and abs(v) < 2 ** 53 else v


def fmt(v):
    """Write a number as the page does (mirrors ``fmt`` in the script).

    JavaScript's ``toFixed`` rounds the exact binary value half away from zero;
    ``Decimal(float)`` with ROUND_HALF_UP does the same, so ties agree too.
    """
    v = float(v)
    if v == float("-inf"):
        return "-∞"
    if v == float("inf"):
        return "∞"
    if v != v:
        return "NaN"
    places = 2 if abs(v) >= 1 else 3
    s = format(Decimal(v).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _factor(v):
    # A negative factor in a product reads better in brackets: 2×(-1).
    s = fmt(v)
    return f"({s})" if s.startswith("-") else s


# -------------------------------------------------------------- validation

def _pair(value, name):
    """3 or (3, 2) -> (height, width) ints: ``ops``' check, and True is no size."""
    items = value if isinstance(value, (tuple, list)) else [value]
    if any(isinstance(v, bool) for v in items):
        raise TypeError(f"{name} must be an int or a pair of ints (height, width), got {value!r}")
    return ops.int_pair(value, name)


def _positive(value, name):
    return ops.positive_pair(_pair(value, name), name)


def _non_negative(value, name):
    pair = _pair(value, name)
    if min(pair) < 0:
        raise ValueError(f"padding must be >= 0 on each side, got {pair}")
    return pair


def _tensor(x, name):
    if isinstance(x, torch.Tensor):
        t = x.detach().cpu()
    else:
        try:
            t = torch.as_tensor(x)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"{name} must be a tensor or a nested list of numbers, got {type(x).__name__}") from err
    if t.is_complex() or t.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {t.dtype}")
    t = t.to(torch.promote_types(t.dtype, torch.float32))
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} holds NaN or infinite values; the stepper needs finite numbers")
    return t


def _squeeze_to(x, dims, name, meaning):
    """Drop leading size-1 axes (a batch of one) until x has at most ``dims`` axes."""
    while x.dim() > dims and x.shape[0] == 1:
        x = x[0]
    if x.dim() > dims or x.dim() < 2:
        raise ValueError(f"{name} must be {meaning}, got shape {tuple(x.shape)}")
    return x


def _span(k, d):
    return d * (k - 1) + 1


def _sides(pad):
    """Padding per axis as (before, after) pairs: (ph, pw) means ph on top and bottom, pw left and right."""
    return tuple((p, p) if isinstance(p, int) else (int(p[0]), int(p[1])) for p in pad)


def _tuple_text(values):
    return "(" + ", ".join(str(v) for v in values) + ")"


def window_error(lang, kind, in_hw, pad, k, d, mode=None):
    """The message of an impossible window configuration, or None when it is fine.

    pad: per axis an int (both sides) or a (before, after) pair. The page's script
    (``check`` in stepper.js) writes the same text from the same templates in
    ``strings.py``; Python raises the English one as a ``ValueError``.
    """
    sides = _sides(pad)
    if kind == "pool" and mode == "avg" and tuple(d) != (1, 1):
        return word(lang, "err_avgdil")
    if kind == "pool":
        for (a, b), k_, d_ in zip(sides, k, d):
            if max(a, b) > _span(k_, d_) // 2:
                flat = [v for pair in sides for v in pair]
                shown = (sides[0][0], sides[1][0]) if flat[0] == flat[1] and flat[2] == flat[3] else flat
                return word(lang, "err_half", padding=_tuple_text(shown), window=_tuple_text(k))
    what = word(lang, "what_pool" if kind == "pool" else "what_kernel")
    for axis, n, (a, b), k_, d_ in zip(("height", "width"), in_hw, sides, k, d):
        if _span(k_, d_) > n + a + b:
            extra = word(lang, "err_dil", k=k_, d=d_) if d_ > 1 else ""
            return word(lang, "err_fit", what=what, span=_span(k_, d_), axis=word(lang, axis), extra=extra,
                        padded=n + a + b, n=n, pads=f"2×{a}" if a == b else f"{a} + {b}")
    return None


def _check_window(kind, in_hw, pad, k, d, mode=None):
    message = window_error("en", kind, in_hw, pad, k, d, mode)
    if message:
        raise ValueError(message)


# ------------------------------------------------------------ output size

def size_lines(in_hw, k, pad, stride, dil):
    """The output size per axis with the formula filled in, in both languages.

    pad: per axis an int (on both sides) or a (before, after) pair; p in the formula is their sum.
    ``sizeLines`` in stepper.js writes the same lines."""
    lines = {lang: [] for lang in LANGS}
    for axis, n, k_, (a, b), s, d in zip(("height", "width"), in_hw, k, _sides(pad), stride, dil):
        span, p = _span(k_, d), a + b
        top = n - span + p + s
        out = (n + p - span) // s + 1
        kdesc = f"k = {d}×({k_}−1)+1 = {span}, " if d > 1 else ""
        exact = f" = ⌊{top}/{s}⌋" if s > 1 else ""
        frac = "" if top % s == 0 else f" = ⌊{fmt(top / s)}⌋"
        core = f"⌊({n} − {span} + {p} + {s})/{s}⌋{exact}{frac} = {out}"
        left = (n + p - span) % s
        unit = ("row" if axis == "height" else "col") + ("s" if left > 1 else "")
        for lang in LANGS:
            text = f"{word(lang, axis)}: {kdesc}{core}"
            if left:
                text += word(lang, "size_floor", padded=n + p, span=span, rest=n + p - span, s=s,
                             left=left, unit=word(lang, unit))
            lines[lang].append(text)
    return lines


def _covered(n_padded, k, s, d, out):
    """Which padded positions along one axis some window ever touches."""
    hit = [False] * n_padded
    for i in range(out):
        for a in range(k):
            hit[i * s + a * d] = True
    return hit


class _Steps:
    """What both kinds share: the window's cells at a step and which padded cells some window reaches."""

    def _geometry(self):
        oh, ow = self.out_hw
        (sh, sw), (dh, dw) = self.stride, self.dilation
        Hp, Wp = self.padded.shape[1:]
        self.covered_rows = _covered(Hp, self.kh, sh, dh, oh)
        self.covered_cols = _covered(Wp, self.kw, sw, dw, ow)
        self.size_lines = size_lines((self.h, self.w), (self.kh, self.kw), self.padding, self.stride, self.dilation)

    @property
    def num_steps(self):
        return self.out_hw[0] * self.out_hw[1]

    def cells(self, t):
        """The padded-input (row, col) under each window entry at step t, row-major (``windowCells``)."""
        if not 0 <= t < self.num_steps:
            raise ValueError(f"step must be in 0..{self.num_steps - 1}, got {t}")
        i, j = divmod(t, self.out_hw[1])
        (sh, sw), (dh, dw) = self.stride, self.dilation
        return tuple((i * sh + a * dh, j * sw + b * dw) for a in range(self.kh) for b in range(self.kw))

    def text(self, t=0, out_channel=0, lang="en"):
        """The arithmetic of step t as the page shows it (``stepLines`` in stepper.js)."""
        return "\n".join(self.lines(t, out_channel, lang))


class ConvSteps(_Steps):
    """A 2-D cross-correlation: its output (torch's) and what the first state shows.

    X: (c_i, h, w) float tensor; K: (c_o, c_i, k_h, k_w); bias: (c_o,). Every later step is the
    page's to compute (stepper.js); ``lines`` writes any step's arithmetic for the first state and
    the tests.
    """
    kind = "conv"

    def __init__(self, X, K, bias, padding, stride, dilation):
        self.X, self.K, self.bias = X, K, bias
        self.padding, self.stride, self.dilation = padding, stride, dilation
        self.c_in, self.h, self.w = X.shape
        self.c_out, _, self.kh, self.kw = K.shape
        (ph, pw) = padding
        self.padded = F.pad(X, (pw, pw, ph, ph))
        self.output = F.conv2d(self.padded[None], K, bias, stride=stride, dilation=dilation)[0]
        self.out_hw = tuple(self.output.shape[1:])
        self._geometry()

    def check_channel(self, out_channel):
        if not 0 <= out_channel < self.c_out:
            raise ValueError(f"out_channel must be in 0..{self.c_out - 1} (the kernel has {self.c_out} "
                             f"output channel{'s' if self.c_out > 1 else ''}), got {out_channel}")

    def lines(self, t=0, out_channel=0, lang="en"):
        # Built from the page's rounded values, summed left to right in float64,
        # exactly as the script does, so both print the same digits.
        self.check_channel(out_channel)
        cells = self.cells(t)
        terms, sums = [], []
        for c in range(self.c_in):
            xs = [num(self.padded[c, r, q]) for r, q in cells]
            ks = [num(v) for v in self.K[out_channel, c].flatten().tolist()]
            acc = 0.0
            for x, k in zip(xs, ks):
                acc += float(x) * float(k)
            terms.append(" + ".join(f"{_factor(x)}×{_factor(k)}" for x, k in zip(xs, ks)))
            sums.append(acc)
        b = num(self.bias[out_channel])
        y = fmt(num(self.output[out_channel].flatten()[t]))
        tail = f" + {word(lang, 'bias')} {_factor(b)}" if b != 0 else ""
        if len(terms) == 1:
            return [f"{terms[0]}{tail} = {y}"]
        ch = word(lang, "channel")
        return ([f"{ch} {c}: {term} = {fmt(s)}" for c, (term, s) in enumerate(zip(terms, sums))]
                + [" + ".join(_factor(s) for s in sums) + f"{tail} = {y}"])


class PoolSteps(_Steps):
    """2-D max or average pooling of one (h, w) matrix: torch's output and the first state."""
    kind = "pool"

    def __init__(self, X, pool_size, stride, padding, dilation, mode, count_include_pad=True,
                 divisor_override=None):
        self.X, self.mode = X, mode
        self.c_in, self.c_out = 1, 1
        self.h, self.w = X.shape
        self.kh, self.kw = pool_size
        self.padding, self.stride, self.dilation = padding, stride, dilation
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        (ph, pw) = padding
        fill = float("-inf") if mode == "max" else 0.0
        self.padded = F.pad(X[None], (pw, pw, ph, ph), value=fill)
        if mode == "max":
            out = F.max_pool2d(X[None], pool_size, stride, padding, dilation)
        else:
            out = F.avg_pool2d(X[None], pool_size, stride, padding, count_include_pad=count_include_pad,
                               divisor_override=divisor_override)
        self.output = out
        self.out_hw = tuple(out.shape[1:])
        self._geometry()

    def check_channel(self, out_channel):
        if out_channel != 0:
            raise ValueError(f"pooling has one channel here; out_channel must be 0, got {out_channel}")

    def values(self, t):
        """The values under the window at step t as the page holds them (padding -inf or 0)."""
        return [num(self.padded[0, r, q]) for r, q in self.cells(t)]

    def winner(self, t):
        """The padded (row, col) of the first largest value of a max step, else None."""
        if self.mode != "max":
            return None
        shown = self.values(t)
        return self.cells(t)[max(range(len(shown)), key=lambda n: (shown[n], -n))]

    def divisor(self, t):
        """What an average step divides by."""
        if self.divisor_override:
            return self.divisor_override
        if self.count_include_pad:
            return self.kh * self.kw
        (ph, pw) = self.padding
        return sum(ph <= r < ph + self.h and pw <= c < pw + self.w for r, c in self.cells(t))

    def lines(self, t=0, out_channel=0, lang="en"):
        self.check_channel(out_channel)
        shown = self.values(t)
        y = fmt(num(self.output[0].flatten()[t]))
        if self.mode == "max":
            return [f"max({', '.join(fmt(v) for v in shown)}) = {y}"]
        return [f"({' + '.join(_factor(v) for v in shown)}) / {self.divisor(t)} = {y}"]


# ---------------------------------------------------------- receptive field

class ReceptiveField:
    """Stacked stride-1, unpadded convolutions: which cells of each earlier
    layer reach a given cell of a later one."""
    kind = "rf"

    def __init__(self, X, kernel_sizes, kernels=None):
        self.X = X
        self.kernel_sizes = kernel_sizes
        self.kernels = kernels
        self.shapes = [tuple(X.shape)]
        for n, (kh, kw) in enumerate(kernel_sizes):
            h, w = self.shapes[-1]
            if kh > h or kw > w:
                raise ValueError(f"kernel {n + 1} of size {(kh, kw)} is larger than its input {(h, w)}: "
                                 f"the stack shrinks each layer by k − 1; use a bigger input or fewer layers")
            self.shapes.append(conv_output_size((h, w), (kh, kw)))
        # Values per layer only when real kernels are given (otherwise it is about *which* cells).
        self.values = [X]
        if kernels is not None:
            for K in kernels:
                self.values.append(ops.corr2d(self.values[-1], K))

    def region(self, layer, i, j):
        """{earlier layer: (row0, row1, col0, col1) inclusive} reaching cell (i, j) of ``layer``."""
        if not 1 <= layer < len(self.shapes):
            raise ValueError(f"layer must be in 1..{len(self.shapes) - 1}, got {layer}")
        h, w = self.shapes[layer]
        if not (0 <= i < h and 0 <= j < w):
            raise ValueError(f"cell {(i, j)} is outside layer {layer} of shape {(h, w)}")
        out, (r0, r1, c0, c1) = {}, (i, i, j, j)
        for lower in range(layer - 1, -1, -1):
            kh, kw = self.kernel_sizes[lower]
            r1, c1 = r1 + kh - 1, c1 + kw - 1
            out[lower] = (r0, r1, c0, c1)
        return out


# -------------------------------------------------------- argument parsing

def conv_steps(X, K=None, padding=None, stride=None, dilation=None, bias=None):
    """Parse the public arguments (tensors or an ``nn.Conv2d``) into ``ConvSteps``."""
    if isinstance(X, nn.Module) and not isinstance(K, nn.Module):
        X, K = K, X  # conv_stepper(layer, X) reads naturally too
    if isinstance(K, nn.Module):
        if not isinstance(K, nn.Conv2d):
            raise TypeError(f"conv_stepper takes an nn.Conv2d, got {type(K).__name__}; "
                            f"use pool_stepper for pooling layers")
        layer = K
        given = {"padding": padding, "stride": stride, "dilation": dilation, "bias": bias}
        clash = [name for name, v in given.items() if v is not None]
        if clash:
            raise ValueError(f"the layer already fixes {', '.join(clash)}; leave {'it' if len(clash) == 1 else 'them'} "
                             f"out, or pass a plain weight tensor instead of the layer")
        if layer.groups != 1:
            raise ValueError(f"grouped convolutions (groups={layer.groups}) are not supported by the stepper")
        if layer.padding_mode != "zeros":
            raise ValueError(f"only zero padding can be shown, the layer uses padding_mode={layer.padding_mode!r}")
        K = layer.weight.detach()
        bias = layer.bias.detach() if layer.bias is not None else None
        stride, dilation = layer.stride, layer.dilation
        padding = layer.padding
        if isinstance(padding, str):
            if padding == "valid":
                padding = (0, 0)
            else:  # 'same': PyTorch pads (span - 1) / 2 per side when that is even
                spans = [_span(k, d) - 1 for k, d in zip(layer.kernel_size, dilation)]
                if any(s % 2 for s in spans):
                    raise ValueError("padding='same' with an even window pads unevenly; the stepper shows only "
                                     "equal padding on both sides")
                padding = tuple(s // 2 for s in spans)
    if X is None:
        raise ValueError("conv_stepper needs an input X to slide the kernel over")
    if K is None:
        raise ValueError("conv_stepper needs a kernel K (a tensor or an nn.Conv2d)")
    X = _squeeze_to(_tensor(X, "X"), 3, "X", "2-D (height, width) or 3-D (channels, height, width)")
    K = _tensor(K, "K")
    if K.dim() < 2 or K.dim() > 4:
        raise ValueError(f"K must be 2-D (k_h, k_w), 3-D (c_i, k_h, k_w) or 4-D (c_o, c_i, k_h, k_w), "
                         f"got shape {tuple(K.shape)}")
    if X.dim() == 2:
        X = X.unsqueeze(0)
    while K.dim() < 4:
        K = K.unsqueeze(0)
    if K.shape[1] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} input channel{'s' if X.shape[0] > 1 else ''} but K has "
                         f"{K.shape[1]}: the kernel needs one 2-D slice per input channel")
    if min(K.shape) == 0 or min(X.shape) == 0:
        raise ValueError(f"empty input or kernel: X {tuple(X.shape)}, K {tuple(K.shape)}")
    padding = _non_negative(0 if padding is None else padding, "padding")
    stride = _positive(1 if stride is None else stride, "stride")
    dilation = _positive(1 if dilation is None else dilation, "dilation")
    c_o = K.shape[0]
    if bias is None:
        bias = torch.zeros(c_o)
    else:
        bias = _tensor(bias, "bias").reshape(-1)
        if bias.numel() == 1:
            bias = bias.expand(c_o)
        elif bias.numel() != c_o:
            raise ValueError(f"bias must be one number or one per output channel ({c_o}), got {bias.numel()}")
    _check_window("conv", X.shape[1:], padding, K.shape[2:], dilation)
    dtype = torch.promote_types(X.dtype, K.dtype)
    return ConvSteps(X.to(dtype), K.to(dtype), bias.to(dtype), padding, stride, dilation)


def pool_steps(X, pool_size=None, stride=None, padding=None, mode=None, dilation=None):
    """Parse the public arguments (a tensor or an ``nn.MaxPool2d`` / ``nn.AvgPool2d``) into ``PoolSteps``."""
    if isinstance(X, nn.Module) and not isinstance(pool_size, nn.Module):
        X, pool_size = pool_size, X
    extra = {}
    if isinstance(pool_size, nn.Module):
        layer = pool_size
        if not isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
            raise TypeError(f"pool_stepper takes an nn.MaxPool2d or nn.AvgPool2d, got {type(layer).__name__}")
        given = {"stride": stride, "padding": padding, "mode": mode, "dilation": dilation}
        clash = [name for name, v in given.items() if v is not None]
        if clash:
            raise ValueError(f"the layer already fixes {', '.join(clash)}; leave {'it' if len(clash) == 1 else 'them'} out")
        if layer.ceil_mode:
            raise ValueError("ceil_mode=True is not supported: the stepper shows the floor in the size formula")
        pool_size, stride, padding = layer.kernel_size, layer.stride, layer.padding
        if isinstance(layer, nn.MaxPool2d):
            mode, dilation = "max", layer.dilation
        else:
            mode = "avg"
            extra = {"count_include_pad": layer.count_include_pad, "divisor_override": layer.divisor_override}
    if X is None:
        raise ValueError("pool_stepper needs an input X to slide the window over")
    mode = "max" if mode is None else mode
    if mode not in ("max", "avg"):
        raise ValueError(f"unknown pooling mode {mode!r}: use 'max' or 'avg'")
    X = _squeeze_to(_tensor(X, "X"), 2, "X", "2-D (height, width); pool one channel at a time, e.g. X[0]")
    pool_size = _positive(2 if pool_size is None else pool_size, "pool_size")
    # stride None means "as large as the window", as nn.MaxPool2d does.
    stride = _positive(pool_size if stride is None else stride, "stride")
    padding = _non_negative(0 if padding is None else padding, "padding")
    dilation = _positive(1 if dilation is None else dilation, "dilation")
    _check_window("pool", X.shape, padding, pool_size, dilation, mode)
    return PoolSteps(X, pool_size, stride, padding, dilation, mode, **extra)


def receptive_field(X, kernel_sizes=((2, 2), (2, 2)), kernels=None):
    X = _squeeze_to(_tensor(X, "X"), 2, "X", "2-D (height, width)")
    if kernels is not None:
        kernels = [_tensor(K, "kernel") for K in kernels]
        if any(K.dim() != 2 for K in kernels):
            raise ValueError("each kernel of the receptive-field view must be 2-D (k_h, k_w)")
        kernel_sizes = [tuple(K.shape) for K in kernels]
    if not kernel_sizes:
        raise ValueError("kernel_sizes must list at least one kernel size, e.g. ((2, 2), (2, 2))")
    sizes = [_positive(k, "kernel size") for k in kernel_sizes]
    return ReceptiveField(X, sizes, kernels)
