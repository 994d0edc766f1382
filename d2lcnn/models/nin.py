"""Network in Network (Lin, Chen and Yan, 2013), chapter 9.

Each block is a convolution followed by two 1x1 convolutions, a small dense
network applied at every pixel. There are no dense layers: the last block has
one channel per class and global average pooling turns each channel into a score.
"""
from torch import nn

from ._checks import check_channels_classes

__all__ = ["nin_block", "nin"]


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """A convolution and two 1x1 convolutions, each followed by ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def nin(in_channels=1, num_classes=10, dropout=0.5):
    """NiN for 224x224 inputs, with AlexNet's window sizes and channel counts."""
    check_channels_classes(in_channels, num_classes)
    return nn.Sequential(
        nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(dropout),
        nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())
