"""LeNet (LeCun et al., 1998), chapter 6.

Two convolution blocks and three dense layers. ``activation='sigmoid'`` is the
1998 recipe (sigmoid, average pooling); ``activation='relu'`` is the modernised
network of the same chapter (ReLU, max pooling), which trains faster.
"""
import torch
from torch import nn

from ._checks import check_channels_classes

__all__ = ["lenet"]

_VARIANTS = {
    "sigmoid": (nn.Sigmoid, nn.AvgPool2d),
    "relu": (nn.ReLU, nn.MaxPool2d),
}


SIDE = 28  # the image side LeNet's dense layers are sized for (16 x 5 x 5 = 400 features)


class _InputCheck:
    """``net.check_input(X)`` of a LeNet: a clear error for a batch it cannot take, instead of torch's.

    A class rather than a closure, so that a whole network can still be pickled (torch.save).
    """

    def __init__(self, in_channels):
        self.in_channels = in_channels

    def __call__(self, X):
        if not isinstance(X, torch.Tensor):
            return
        c, shape = self.in_channels, tuple(X.shape)
        if X.dim() != 4:
            hint = " (add the batch dimension: X.unsqueeze(0))" if X.dim() == 3 else ""
            raise ValueError(f"LeNet takes a batch of images shaped (batch, {c}, {SIDE}, {SIDE}), "
                             f"got a tensor of shape {shape}{hint}")
        if X.shape[1] != c:
            raise ValueError(
                f"LeNet's layer 0 (Conv2d) takes {c} input channel(s) and got a batch of shape {shape}, with "
                f"{X.shape[1]}: pass images shaped (batch, {c}, {SIDE}, {SIDE}), e.g. torch.rand(1, {c}, {SIDE}, "
                f"{SIDE}), or build d2lcnn.lenet(in_channels={X.shape[1]})")
        if shape[2:] != (SIDE, SIDE):
            raise ValueError(
                f"LeNet expects {SIDE}x{SIDE} images, got {shape[2]}x{shape[3]} (a batch of shape {shape}): its "
                f"first convolution pads {SIDE}x{SIDE} to the 32x32 of the 1998 network, and its layer 7 (Linear) "
                f"takes the 16x5x5 = 400 features that size gives. Resize the images: "
                f"torch.nn.functional.interpolate(X, size=({SIDE}, {SIDE}), mode='bilinear') (or load "
                f"Fashion-MNIST without resize=); a 32x32 image with a blank 2-pixel border can be cropped: "
                f"X[..., 2:-2, 2:-2]")


def _check_on_call(net, args):
    if args:
        net.check_input(args[0])


def lenet(activation="sigmoid", in_channels=1, num_classes=10):
    """LeNet-5 for 28x28 inputs: conv 6 -> pool -> conv 16 -> pool -> dense 120-84-classes.

    A batch of another shape (32x32 images, 3 channels) stops with an error that says what LeNet
    expects and how to get it; ``check_input(X)`` runs that check alone (the shape helpers use it).
    """
    if activation not in _VARIANTS:
        raise ValueError(f"unknown activation {activation!r}: use 'sigmoid' (the 1998 LeNet) "
                         f"or 'relu' (the modernised LeNet)")
    check_channels_classes(in_channels, num_classes)
    act, pool = _VARIANTS[activation]
    net = nn.Sequential(
        # Padding 2 turns a 28x28 Fashion-MNIST image into the 32x32 the 1998 net expected.
        nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), act(),
        pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), act(),
        pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, num_classes))
    net.check_input = _InputCheck(in_channels)
    net.register_forward_pre_hook(_check_on_call)
    return net
