"""LeNet (LeCun et al., 1998), chapter 6.

Two convolution blocks and three dense layers. ``activation='sigmoid'`` is the
1998 recipe (sigmoid, average pooling); ``activation='relu'`` is the modernised
network of the same chapter (ReLU, max pooling), which trains faster.
"""
from torch import nn

from ._checks import check_channels_classes

__all__ = ["lenet"]

_VARIANTS = {
    "sigmoid": (nn.Sigmoid, nn.AvgPool2d),
    "relu": (nn.ReLU, nn.MaxPool2d),
}


def lenet(activation="sigmoid", in_channels=1, num_classes=10):
    """LeNet-5 for 28x28 inputs: conv 6 -> pool -> conv 16 -> pool -> dense 120-84-classes."""
    if activation not in _VARIANTS:
        raise ValueError(f"unknown activation {activation!r}: use 'sigmoid' (the 1998 LeNet) "
                         f"or 'relu' (the modernised LeNet)")
    check_channels_classes(in_channels, num_classes)
    act, pool = _VARIANTS[activation]
    return nn.Sequential(
        # Padding 2 turns a 28x28 Fashion-MNIST image into the 32x32 the 1998 net expected.
        nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), act(),
        pool(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), act(),
        pool(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), act(),
        nn.Linear(120, 84), act(),
        nn.Linear(84, num_classes))
