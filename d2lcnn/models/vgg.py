"""VGG (Simonyan and Zisserman, 2014), chapter 8.

A network is a list of blocks, each a few 3x3 convolutions followed by a 2x2
max pool that halves the image. ``conv_arch`` lists (number of convs, output
channels) per block; five blocks take 224x224 down to 7x7.
"""
from torch import nn

from ._checks import check_channels_classes

__all__ = ["vgg_block", "vgg", "scale_arch", "VGG11_ARCH", "VGG16_ARCH", "VGG19_ARCH"]

VGG11_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
VGG16_ARCH = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))
VGG19_ARCH = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))


def vgg_block(num_convs, in_channels, out_channels):
    """``num_convs`` 3x3 convolutions (padding 1, so the size is kept) with ReLU, then a 2x2 max pool."""
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1), nn.ReLU()]
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def scale_arch(conv_arch, ratio):
    """``conv_arch`` with every channel count divided by ``ratio`` (the book trains VGG-11 with ratio 4)."""
    if not isinstance(ratio, int) or ratio < 1:
        raise ValueError(f"ratio must be a positive integer, got {ratio!r}")
    return tuple((num_convs, channels // ratio) for num_convs, channels in conv_arch)


def vgg(conv_arch, in_channels=1, num_classes=10, dropout=0.5):
    """A VGG network for 224x224 inputs: one ``vgg_block`` per entry of ``conv_arch``, then three dense layers."""
    check_channels_classes(in_channels, num_classes)
    if len(conv_arch) != 5:
        # The first dense layer expects 7x7 maps, i.e. 224 halved five times.
        raise ValueError(f"conv_arch must list 5 blocks (224 / 2**5 = 7), got {len(conv_arch)}")
    blocks = []
    for num_convs, out_channels in conv_arch:
        blocks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *blocks, nn.Flatten(),
        nn.Linear(in_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(4096, num_classes))
