"""Look inside a network: output shape per layer, parameter counts, FLOPs/MACs.

FLOPs come from ``torch.utils.flop_counter`` (PyTorch's own per-operator
formulas), so no hand-written formula can drift from what the layers do. It
counts a multiply-accumulate as 2 FLOPs and ignores biases, activations and
pooling, which are cheap next to convolutions and matrix products.

``macs_per_example`` is the one counter the trainer uses to size a run
(``d2lcnn.profiles``). It gives the same number as ``flop_counter`` but,
where it can, gets it from forward hooks on the convolution and dense layers:
``flop_counter``'s first use imports about 800 modules, seconds in every
fresh notebook kernel. The hooks see every multiply-accumulate only when each
module is a conv/dense layer, a layer known to do none (activations, pooling,
normalization, dropout, ...), a container, or a block that declares
``macs_in_children_only = True`` (it only adds or concatenates what its
children compute: the book's Residual, Inception, DenseBlock, BatchNorm).
Anything else falls back to ``flop_counter``.
"""
import math

import torch
from torch import nn

__all__ = ["layer_shapes", "print_net_shapes", "count_parameters", "flop_table", "print_flop_table",
           "macs_per_example"]

# Layers that do no multiply-accumulates of their own (as torch.utils.flop_counter counts them).
NO_MAC_LAYERS = (
    nn.ReLU, nn.ReLU6, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU,
    nn.SiLU, nn.Mish, nn.Hardswish, nn.Hardsigmoid, nn.Hardtanh, nn.Softplus, nn.Softmax, nn.LogSoftmax,
    nn.Identity, nn.Flatten, nn.Unflatten, nn.Dropout, nn.Dropout2d, nn.AlphaDropout,
    nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d,
    nn.AdaptiveMaxPool2d, nn.ZeroPad2d, nn.ConstantPad2d, nn.ReflectionPad2d, nn.ReplicationPad2d,
    nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm, nn.InstanceNorm2d, nn.LocalResponseNorm,
    nn.Upsample, nn.PixelShuffle, nn.ChannelShuffle)
MAC_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)
CONTAINERS = (nn.Sequential, nn.ModuleList)


def _check_net_input(net, X):
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a tensor holding one example batch, got {type(X).__name__}")
    # A network that knows its input (d2lcnn.lenet: 28x28) says so before any layer runs,
    # as it does when called; the helpers below feed a Sequential's layers one by one.
    check = getattr(net, "check_input", None)
    if callable(check):
        check(X)


def _expectation(layer, x, first):
    """What ``layer`` takes, said for an input ``x`` it rejected ('' when there is nothing to add)."""
    shape = tuple(x.shape)
    if isinstance(layer, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
        spatial = len(layer.kernel_size)
        if x.dim() not in (spatial + 1, spatial + 2):
            return (f"it takes a batch shaped (batch, channels{', height, width' if spatial == 2 else ', ...'})"
                    f", got {x.dim()} dimensions. ")
        got = x.shape[-spatial - 1]
        if got != layer.in_channels:
            if first:
                size = ", ".join(map(str, shape[-spatial:]))
                dims = ", height, width" if spatial == 2 else ", ..."
                return (f"it expects {layer.in_channels} input channel(s), got {got}. Pass a batch shaped "
                        f"(batch, {layer.in_channels}{dims}), e.g. torch.rand(1, {layer.in_channels}, {size}), "
                        f"or build the network for {got} channels (in_channels={got}). ")
            return (f"it expects {layer.in_channels} input channel(s) but the layer before it gives {got}: "
                    f"make this layer's in_channels match the previous layer's out_channels. ")
    if isinstance(layer, nn.Linear) and x.dim() >= 1 and x.shape[-1] != layer.in_features:
        return (f"it expects {layer.in_features} input features, got {x.shape[-1]}. "
                + ("Pass a batch shaped (batch, {0}). ".format(layer.in_features) if first else
                   "After convolutions and a Flatten this means the image size is not the one the "
                   "network was built for: resize the images, or change this layer's in_features. "))
    if isinstance(layer, nn.modules.batchnorm._BatchNorm) and x.dim() >= 2 and x.shape[1] != layer.num_features:
        return f"it normalizes {layer.num_features} channels/features, got {x.shape[1]}. "
    return ""


class _LayerTracker:
    """While active, knows which layer of ``net`` is running, to name it when one fails."""

    def __init__(self, net):
        self.names = {m: name for name, m in net.named_modules()}
        self.first = next((m for m in net.modules() if not list(m.children())), None)
        self.stack = []
        self.handles = []
        for m in self.names:
            self.handles.append(m.register_forward_pre_hook(self._enter))
            self.handles.append(m.register_forward_hook(self._leave))

    def _enter(self, module, inputs):
        self.stack.append((module, inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None))

    def _leave(self, module, inputs, output):
        self.stack.pop()

    def __enter__(self):
        return self

    def __exit__(self, kind, err, tb):
        for h in self.handles:
            h.remove()
        if kind is not RuntimeError or not self.stack:
            return False
        layer, x = self.stack[-1]
        name = self.names.get(layer) or "the network"
        label = f"layer {name} ({type(layer).__name__})" if name != "the network" else \
            f"the network ({type(layer).__name__})"
        where = f"{label} failed on an input of shape {tuple(x.shape)}: " if x is not None else f"{label} failed: "
        expected = _expectation(layer, x, layer is self.first) if x is not None else ""
        raise ValueError(f"{where}{expected}(PyTorch said: {err})") from err


def _children(module, prefix, depth):
    """(qualified name, module) pairs down to ``depth`` levels of nesting."""
    for name, child in module.named_children():
        qual = f"{prefix}.{name}" if prefix else name
        grand = list(child.named_children())
        if depth > 1 and grand:
            yield from _children(child, qual, depth - 1)
        else:
            yield qual, child


def layer_shapes(net, X, depth=1):
    """Feed ``X`` through ``net`` and return ``[(name, class name, output shape), ...]``.

    ``depth=1`` lists the top-level layers; a larger depth descends into nested
    blocks (a VGG block, a residual stage) and lists their own layers, in the
    order they run. Descending assumes each container runs its children in
    order, as ``nn.Sequential`` does; a block with its own ``forward`` (a
    residual block, an Inception block) is listed whole.
    """
    _check_net_input(net, X)
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    rows = []

    def visit(module, x, prefix, level):
        for name, child in module.named_children():
            qual = f"{prefix}.{name}" if prefix else name
            if level > 1 and isinstance(child, nn.Sequential) and len(child):
                x = visit(child, x, qual, level - 1)
            else:
                x = child(x)
                rows.append((qual, type(child).__name__, tuple(x.shape)))
        return x

    was_training = net.training
    net.eval()  # BatchNorm needs eval mode for a batch of one
    try:
        with torch.no_grad(), _LayerTracker(net):
            if isinstance(net, nn.Sequential):
                visit(net, X, "", depth)
            else:
                y = net(X)
                rows.append(("", type(net).__name__, tuple(y.shape)))
    finally:
        net.train(was_training)
    return rows


def print_net_shapes(net, X, depth=1):
    """Print the layer / output-shape table of ``net`` for the input ``X``."""
    rows = layer_shapes(net, X, depth)
    width = max([len("Layer")] + [len(f"{q} {c}") if depth > 1 else len(c) for q, c, _ in rows]) + 2
    print(f"{'Layer':<{width}}Output shape")
    print("-" * (width + 20))
    for qual, cls, shape in rows:
        label = f"{qual} {cls}" if depth > 1 else cls
        print(f"{label:<{width}}{shape}")


def count_parameters(net, trainable_only=False):
    """Number of scalar parameters in ``net``."""
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    return sum(p.numel() for p in net.parameters() if p.requires_grad or not trainable_only)


def flop_table(net, X):
    """Per top-level layer: parameters, FLOPs and MACs for one forward pass of ``X``.

    Returns a list of dicts with keys ``name``, ``type``, ``params``, ``flops``,
    ``macs``, and a final row named ``total``. Counts cover the whole batch in
    ``X``; use a batch of one for per-example numbers.
    """
    _check_net_input(net, X)
    from torch.utils.flop_counter import FlopCounterMode
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False, depth=None) as counter, _LayerTracker(net):
            net(X)
    finally:
        net.train(was_training)
    counts = counter.get_flop_counts()
    root = type(net).__name__
    rows = []
    for name, child in net.named_children():
        flops = sum(counts.get(f"{root}.{name}", {}).values())
        rows.append({"name": name, "type": type(child).__name__,
                     "params": count_parameters(child), "flops": flops, "macs": flops // 2})
    total = counter.get_total_flops()
    rows.append({"name": "total", "type": root, "params": count_parameters(net),
                 "flops": total, "macs": total // 2})
    return rows


def _human(n):
    for unit, size in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return str(n)


def print_flop_table(net, X):
    """Print ``flop_table`` with readable units; layers with neither parameters nor FLOPs are folded away."""
    rows = flop_table(net, X)
    print(f"{'Layer':<22}{'Params':>12}{'MACs':>12}{'FLOPs':>12}")
    print("-" * 58)
    for r in rows:
        if r["name"] == "total":
            print("-" * 58)
        elif not (r["params"] or r["flops"]):
            continue
        label = f"{r['name']} {r['type']}" if r["name"] != "total" else "total"
        print(f"{label:<22}{_human(r['params']):>12}{_human(r['macs']):>12}{_human(r['flops']):>12}")


def _hooks_can_count(net):
    """True when forward hooks on conv/dense layers see every multiply-accumulate of ``net``."""
    for m in net.modules():
        if isinstance(m, MAC_LAYERS + NO_MAC_LAYERS + CONTAINERS):
            continue
        if getattr(type(m), "macs_in_children_only", False):
            continue
        return False
    return True


def macs_per_example(net, X):
    """Multiply-accumulates of one example's forward pass (convolutions and matrix products).

    ``X`` is a batch; its first example is used. Forward hooks count when they
    see everything (see the module docstring), else ``FlopCounterMode`` does.
    Both give ``flop_counter``'s number; the module's mode is restored.
    """
    _check_net_input(net, X)
    was_training = net.training
    net.eval()
    total = 0
    handles = []
    try:
        if _hooks_can_count(net):
            def count(m, inputs, out):
                nonlocal total
                per_output = m.in_features if isinstance(m, nn.Linear) else (
                    m.in_channels // m.groups * math.prod(m.kernel_size))
                total += out.numel() * per_output
            handles = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, MAC_LAYERS)]
            with torch.no_grad():
                net(X[:1])
            return float(total)
        from torch.utils.flop_counter import FlopCounterMode
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            net(X[:1])
        return counter.get_total_flops() / 2
    finally:
        for h in handles:
            h.remove()
        net.train(was_training)
