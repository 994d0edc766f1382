"""Look inside a network: output shape per layer, parameter counts, FLOPs/MACs.

FLOPs come from ``torch.utils.flop_counter`` (PyTorch's own per-operator
formulas), so no hand-written formula can drift from what the layers do. It
counts a multiply-accumulate as 2 FLOPs and ignores biases, activations and
pooling, which are cheap next to convolutions and matrix products.
"""
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

__all__ = ["layer_shapes", "print_net_shapes", "count_parameters", "flop_table", "print_flop_table"]


def _check_net_input(net, X):
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a tensor holding one example batch, got {type(X).__name__}")


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
        with torch.no_grad():
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
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False, depth=None) as counter:
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
