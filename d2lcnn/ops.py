"""Convolution and pooling written out by hand (chapters 2-5).

These loops are for reading, not for speed: every output element is one
window of the input multiplied by the kernel and summed (or reduced by max /
mean). The tests check them against ``torch.nn.functional``.
"""
import torch
from torch import nn

__all__ = [
    "corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
    "pool2d", "Conv2D", "comp_conv2d", "conv_output_size", "im2col", "conv2d_as_matmul",
]


def _as_tensor(x, name):
    if isinstance(x, torch.Tensor):
        return x
    try:
        return torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be a tensor (or a nested list of numbers), got {type(x).__name__}") from err


def _expect_dims(x, dims, name, meaning):
    if x.dim() != dims:
        raise ValueError(
            f"{name} must be {dims}-D ({meaning}), got shape {tuple(x.shape)}; "
            f"reshape it, e.g. with .reshape or .squeeze")


def int_pair(value, name):
    """Accept 3 or (3, 2); return a (height, width) pair of ints."""
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, int):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    raise TypeError(f"{name} must be an int or a pair of ints (height, width), got {value!r}")


def positive_pair(pair, name):
    if min(pair) <= 0:
        raise ValueError(f"{name} must be positive, got {pair}")
    return pair


def _float_dtype(*tensors):
    # Integer inputs (torch.arange) would truncate averages, so compute in float.
    dtype = torch.float32
    for t in tensors:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype


def _check_window_fits(in_hw, k_hw, what="kernel"):
    if k_hw[0] > in_hw[0] or k_hw[1] > in_hw[1]:
        raise ValueError(
            f"{what} of size {tuple(k_hw)} is larger than the input {tuple(in_hw)}: "
            f"there is no position where the whole window fits; use a smaller {what} or pad the input")


def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    """Output size of a convolution or pooling window along one or two axes.

    ``padding`` is added on *each* side, as in ``nn.Conv2d``, so the total
    padding is ``p = 2 * padding`` and the size is ``floor((n - k + p + s) / s)``
    (with dilation ``d`` the window spans ``d * (k - 1) + 1`` pixels).
    Every argument is an int or a (height, width) pair; the result has the
    same form as ``n``.
    """
    single = isinstance(n, int)
    n2, k2 = positive_pair(int_pair(n, "n"), "n"), positive_pair(int_pair(k, "k"), "kernel size k")
    p2, s2 = int_pair(padding, "padding"), positive_pair(int_pair(stride, "stride"), "stride")
    d2 = positive_pair(int_pair(dilation, "dilation"), "dilation")
    if min(p2) < 0:
        raise ValueError(f"padding must be >= 0, got {p2}")
    out = []
    for n_, k_, p_, s_, d_ in zip(n2, k2, p2, s2, d2):
        span = d_ * (k_ - 1) + 1
        if span > n_ + 2 * p_:
            raise ValueError(
                f"a window spanning {span} pixels does not fit an input of {n_} pixels "
                f"with padding {p_} on each side; pad more or use a smaller window")
        out.append((n_ + 2 * p_ - span + s_) // s_)
    return out[0] if single else tuple(out)


def corr2d(X, K):
    """2-D cross-correlation of a matrix ``X`` with a kernel ``K`` (no padding, stride 1)."""
    X, K = _as_tensor(X, "X"), _as_tensor(K, "K")
    _expect_dims(X, 2, "X", "height x width")
    _expect_dims(K, 2, "K", "kernel height x kernel width")
    h, w = K.shape
    _check_window_fits(X.shape, K.shape)
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=_float_dtype(X, K), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def corr2d_multi_in(X, K):
    """Cross-correlate each input channel with its own kernel slice, then add the results."""
    X, K = _as_tensor(X, "X"), _as_tensor(K, "K")
    _expect_dims(X, 3, "X", "channels x height x width")
    _expect_dims(K, 3, "K", "channels x kernel height x kernel width")
    if X.shape[0] != K.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} input channels but K has {K.shape[0]}: "
            f"the kernel needs one 2-D slice per input channel")
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    """One multi-input cross-correlation per output channel, stacked: K is c_o x c_i x k_h x k_w."""
    X, K = _as_tensor(X, "X"), _as_tensor(K, "K")
    _expect_dims(K, 4, "K", "output channels x input channels x kernel height x kernel width")
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_multi_in_out_1x1(X, K):
    """A 1x1 convolution as one matrix product: every pixel goes through the same dense layer."""
    X, K = _as_tensor(X, "X"), _as_tensor(K, "K")
    _expect_dims(X, 3, "X", "channels x height x width")
    _expect_dims(K, 4, "K", "output channels x input channels x 1 x 1")
    if tuple(K.shape[2:]) != (1, 1):
        raise ValueError(f"K must be a 1x1 kernel, got kernel size {tuple(K.shape[2:])}; use corr2d_multi_in_out")
    c_i, h, w = X.shape
    c_o = K.shape[0]
    if K.shape[1] != c_i:
        raise ValueError(f"X has {c_i} input channels but K expects {K.shape[1]}")
    Y = K.reshape(c_o, c_i).to(_float_dtype(X, K)) @ X.reshape(c_i, h * w).to(_float_dtype(X, K))
    return Y.reshape(c_o, h, w)


def im2col(X, kernel_size, padding=0, stride=1):
    """Unroll every window of ``X`` (c_i x h x w) into one column (chapter 4).

    The result is a ``(c_i * k_h * k_w) x (H * W)`` matrix: column ``i * W + j`` holds the
    window under output position ``(i, j)``, channel by channel and row by row, the order in
    which ``nn.Conv2d`` stores a kernel. ``padding`` (zeros, on each side) and ``stride`` are
    ints or (height, width) pairs, as in ``nn.Conv2d``.
    """
    X = _as_tensor(X, "X")
    _expect_dims(X, 3, "X", "channels x height x width")
    k_h, k_w = positive_pair(int_pair(kernel_size, "kernel_size"), "kernel_size")
    p_h, p_w = int_pair(padding, "padding")
    if min(p_h, p_w) < 0:
        raise ValueError(f"padding must be >= 0, got {(p_h, p_w)}")
    s_h, s_w = positive_pair(int_pair(stride, "stride"), "stride")
    c_i = X.shape[0]
    X = torch.nn.functional.pad(X.to(_float_dtype(X)), (p_w, p_w, p_h, p_h))
    _check_window_fits(X.shape[1:], (k_h, k_w))
    H, W = (X.shape[1] - k_h) // s_h + 1, (X.shape[2] - k_w) // s_w + 1
    # One row per kernel entry (c, u, v): the input pixel that entry meets at every position.
    rows = [X[c, u:u + s_h * (H - 1) + 1:s_h, v:v + s_w * (W - 1) + 1:s_w].reshape(H * W)
            for c in range(c_i) for u in range(k_h) for v in range(k_w)]
    return torch.stack(rows)


def conv2d_as_matmul(X, K, padding=0, stride=1):
    """A multi-channel convolution as one matrix product: ``K`` (c_o x c_i x k_h x k_w) flattened
    to c_o rows, times ``im2col(X)``; the result is c_o x H x W, as ``F.conv2d`` gives it."""
    X, K = _as_tensor(X, "X"), _as_tensor(K, "K")
    _expect_dims(X, 3, "X", "channels x height x width")
    _expect_dims(K, 4, "K", "output channels x input channels x kernel height x kernel width")
    c_o, c_i, k_h, k_w = K.shape
    if X.shape[0] != c_i:
        raise ValueError(f"X has {X.shape[0]} input channels but K expects {c_i}: "
                         f"K must be c_o x {X.shape[0]} x k_h x k_w")
    cols = im2col(X, (k_h, k_w), padding, stride)
    H, W = conv_output_size(tuple(X.shape[1:]), (k_h, k_w), padding, stride)
    return (K.reshape(c_o, -1).to(cols.dtype) @ cols).reshape(c_o, H, W)


def pool2d(X, pool_size, mode="max", stride=1, padding=0):
    """Max or average pooling of a matrix ``X`` over windows of ``pool_size``.

    Stride defaults to 1, as in the hand-written version of chapter 5 (the
    framework's ``nn.MaxPool2d`` defaults the stride to the window instead).
    Max pooling pads with -inf, average pooling with zeros, as PyTorch does.
    """
    X = _as_tensor(X, "X")
    _expect_dims(X, 2, "X", "height x width")
    if mode not in ("max", "avg"):
        raise ValueError(f"unknown pooling mode {mode!r}: use 'max' or 'avg'")
    p_h, p_w = positive_pair(int_pair(pool_size, "pool_size"), "pool_size")
    s_h, s_w = positive_pair(int_pair(stride, "stride"), "stride")
    pad_h, pad_w = int_pair(padding, "padding")
    if min(pad_h, pad_w) < 0:
        raise ValueError(f"padding must be >= 0, got {(pad_h, pad_w)}")
    dtype = _float_dtype(X)
    if pad_h or pad_w:
        fill = float("-inf") if mode == "max" else 0.0
        padded = torch.full((X.shape[0] + 2 * pad_h, X.shape[1] + 2 * pad_w), fill, dtype=dtype, device=X.device)
        padded[pad_h:pad_h + X.shape[0], pad_w:pad_w + X.shape[1]] = X
        X = padded
    _check_window_fits(X.shape, (p_h, p_w), "pooling window")
    out_h, out_w = (X.shape[0] - p_h) // s_h + 1, (X.shape[1] - p_w) // s_w + 1
    Y = torch.zeros((out_h, out_w), dtype=dtype, device=X.device)
    for i in range(out_h):
        for j in range(out_w):
            window = X[i * s_h:i * s_h + p_h, j * s_w:j * s_w + p_w].to(dtype)
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y


class Conv2D(nn.Module):
    """A convolutional layer built on ``corr2d``: one kernel and one scalar bias."""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(positive_pair(int_pair(kernel_size, "kernel_size"), "kernel_size")))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


def comp_conv2d(conv2d, X):
    """Run a 2-D layer on a single matrix: add and then drop the batch and channel axes."""
    X = _as_tensor(X, "X")
    _expect_dims(X, 2, "X", "height x width")
    Y = conv2d(X.reshape((1, 1) + tuple(X.shape)))
    return Y.reshape(Y.shape[2:])
