"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012), chapter 7.

Five convolutions and three dense layers, with ReLU and dropout. The default
is the book's Fashion-MNIST network for 224x224 inputs; ``image_size=227`` with
3 channels and 1000 classes gives the 2012 ImageNet network (6x6 final maps).
"""
from torch import nn

from ..ops import conv_output_size
from ._checks import check_channels_classes

__all__ = ["alexnet"]


def _final_map_size(image_size):
    # Follow the input through the stride-4 conv and the three 3/2 max pools;
    # the 'same'-padded convs in between leave the size alone.
    n = conv_output_size(image_size, 11, padding=1, stride=4)
    for _ in range(3):
        n = conv_output_size(n, 3, stride=2)
    return n


def alexnet(in_channels=1, num_classes=10, dropout=0.5, image_size=224):
    """AlexNet; the first dense layer is sized for ``image_size`` (224 -> 256*5*5 = 6400 inputs)."""
    check_channels_classes(in_channels, num_classes)
    side = _final_map_size(image_size)
    return nn.Sequential(
        # A large window with a large stride shrinks the image fast while it is still big.
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        # The dense layers hold almost all the parameters, so dropout guards them against overfitting.
        nn.Linear(256 * side * side, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, num_classes))
