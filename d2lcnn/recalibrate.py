"""Batch-norm recalibration (chapter 11): moving statistics recomputed as a plain average.

A network with batch normalization predicts with the moving averages of the
batch statistics it saw while training. With a large learning rate those
averages trail the weights (each update moves them only ``momentum`` of the
way), and the test accuracy jumps from epoch to epoch. Recomputing them for the
final weights, as an equally weighted mean over some training batches, shows
what the trained weights can do; chapter 11 explains it, and
``benchmarks/reproduce.py`` stores it beside the moving-average accuracy.

The function works for ``torch.nn`` batch-norm layers and for the book's
from-scratch ``BatchNorm`` (both follow PyTorch's convention: new = (1 -
momentum) * old + momentum * batch statistic), recognised by their buffers,
so this module imports nothing from the package.
"""
import copy
import itertools

import torch
from torch import nn

__all__ = ["recalibrate_bn", "bn_layers"]


def bn_layers(net):
    """The batch-norm layers of ``net``: ``torch.nn``'s, and any layer with ``moving_mean``,
    ``moving_var`` and ``momentum`` (the book's from-scratch ``BatchNorm``)."""
    return [m for m in net.modules()
            if isinstance(m, nn.modules.batchnorm._BatchNorm)
            or (hasattr(m, "moving_mean") and hasattr(m, "moving_var") and hasattr(m, "momentum"))]


def recalibrate_bn(net, data_iter, num_batches=40, device=None):
    """A copy of ``net`` whose batch-norm moving statistics are the plain average over ``num_batches`` batches.

    ``data_iter`` yields ``(X, y)`` training batches (``y`` is not used). ``net``
    itself is not changed; the copy is returned in evaluation mode, on the
    device of ``net``'s parameters (or ``device``). No weight changes: only
    the moving mean and variance of each batch-norm layer are recomputed.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if isinstance(num_batches, bool) or not (isinstance(num_batches, int) and num_batches > 0):
        raise ValueError(f"num_batches must be a positive int, got {num_batches!r}")
    net = copy.deepcopy(net)
    layers = bn_layers(net)
    if not layers:
        raise ValueError("net has no batch-norm layer to recalibrate (nn.BatchNorm*d or the book's BatchNorm)")
    if device is None:
        device = next(net.parameters()).device
    momenta = [m.momentum for m in layers]
    channels_last = any(p.dim() == 4 and p.is_contiguous(memory_format=torch.channels_last)
                        and not p.is_contiguous() for p in net.parameters())
    net.train()  # normalize with batch statistics and update the moving averages ...
    seen = 0
    try:
        with torch.no_grad():  # ... but change no weight
            for k, (X, _) in enumerate(itertools.islice(data_iter, num_batches)):
                for m in layers:
                    m.momentum = 1 / (k + 1)  # a running mean: every batch gets the same weight
                X = X.to(device)
                if channels_last:
                    X = X.contiguous(memory_format=torch.channels_last)
                net(X)
                seen += 1
    finally:
        for m, momentum in zip(layers, momenta):
            m.momentum = momentum
    if seen == 0:
        raise ValueError("data_iter yielded no batches to recalibrate with")
    return net.eval()
