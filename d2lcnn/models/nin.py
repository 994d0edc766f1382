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


HEAD_RELU = ("all", "hidden", "none")


def nin(in_channels=1, num_classes=10, dropout=0.5, head_relu="all"):
    """NiN for 224x224 inputs, with AlexNet's window sizes and channel counts.

    ``head_relu`` says which ReLUs the last block (``num_classes`` channels
    wide) keeps: ``'all'`` is the network of the notes, whose class scores pass
    through a ReLU and so are >= 0; ``'hidden'`` drops the ReLU on the scores
    only; ``'none'`` drops all three, so no unit of that narrow block can die
    (chapter 9). The layers, shapes and parameters are the same in all three,
    and a seed gives the same initial weights.
    """
    check_channels_classes(in_channels, num_classes)
    if head_relu not in HEAD_RELU:
        raise ValueError(f"head_relu must be one of {', '.join(map(repr, HEAD_RELU))} "
                         f"('all' is the notes' NiN), got {head_relu!r}")
    # Layers are created in the order they run, so a seed gives the same weights for every head_relu.
    layers = [
        nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(dropout),
        nin_block(384, num_classes, kernel_size=3, strides=1, padding=1)]
    if head_relu == "hidden":
        layers[-1] = layers[-1][:-1]
    elif head_relu == "none":
        layers[-1] = nn.Sequential(*[m for m in layers[-1] if not isinstance(m, nn.ReLU)])
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
