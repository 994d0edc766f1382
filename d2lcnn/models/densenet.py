"""DenseNet (Huang et al., 2017), chapter 13.

Where ResNet adds a block's input to its output, a dense block concatenates
them, so every layer sees the feature maps of all the layers before it.
Transition layers between dense blocks halve the channels and the image.
``densenet`` is the small network the book trains; ``densenet121`` the ImageNet one.
"""
import torch
from torch import nn

from ._checks import check_channels_classes, check_positive_int

__all__ = ["conv_block", "bottleneck_block", "DenseBlock", "transition_block", "densenet", "densenet121"]

# Every conv output here is normalized before it is used again (by the next layer, the
# transition or the final BN), so the convolutions carry no bias of their own.


def conv_block(input_channels, num_channels):
    """BN, ReLU, then a 3x3 conv (padding 1): the pre-activation order of ResNet v2."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, bias=False))


def bottleneck_block(input_channels, num_channels, width_factor=4):
    """DenseNet-B layer: BN-ReLU-1x1 conv to ``width_factor * num_channels``, then ``conv_block``.

    The 1x1 conv caps the input of the 3x3 conv, which otherwise grows with every layer.
    """
    width = width_factor * num_channels
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, width, kernel_size=1, bias=False),
        *conv_block(width, num_channels))


class DenseBlock(nn.Module):
    """``num_convs`` layers, each adding ``num_channels`` (the growth rate) channels to its input.

    ``out_channels`` = ``input_channels + num_convs * num_channels``. With
    ``bottleneck=True`` the layers are ``bottleneck_block``s instead of ``conv_block``s.
    """
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True

    def __init__(self, num_convs, input_channels, num_channels, bottleneck=False):
        super().__init__()
        check_positive_int("num_convs", num_convs, "the book's blocks have 4 layers")
        check_positive_int("input_channels", input_channels, "the channels of the block's input")
        check_positive_int("num_channels", num_channels, "the growth rate: each layer adds this many channels; "
                           "the book uses 32")
        layer = bottleneck_block if bottleneck else conv_block
        self.net = nn.Sequential(*(layer(input_channels + i * num_channels, num_channels)
                                   for i in range(num_convs)))
        self.out_channels = input_channels + num_convs * num_channels

    def forward(self, X):
        for layer in self.net:
            X = torch.cat((X, layer(X)), dim=1)
        return X


def transition_block(input_channels, num_channels):
    """BN, ReLU, a 1x1 conv to ``num_channels``, then a 2x2 average pool (stride 2)."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1, bias=False),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(growth_rate=32, num_convs_in_dense_blocks=(4, 4, 4, 4), in_channels=1, num_classes=10,
             init_channels=64, bottleneck=False):
    """DenseNet: ResNet's b1, dense blocks with halving transitions between them, BN, ReLU, pooling, Linear.

    Every block and transition is a top-level layer, so a shape table lists them one by one.
    """
    check_channels_classes(in_channels, num_classes)
    # Without these checks growth_rate=0 builds a network whose blocks add nothing, silently.
    check_positive_int("growth_rate", growth_rate, "the channels each layer adds; the book uses 32")
    check_positive_int("init_channels", init_channels, "the stem's output channels; the book uses 64")
    blocks = num_convs_in_dense_blocks
    if isinstance(blocks, (str, bytes)) or not hasattr(blocks, "__len__") or len(blocks) == 0:
        raise ValueError(f"num_convs_in_dense_blocks must be a non-empty list of layer counts, one per dense "
                         f"block (the book uses (4, 4, 4, 4)), got {blocks!r}")
    for i, num_convs in enumerate(blocks):
        check_positive_int(f"num_convs_in_dense_blocks[{i}]", num_convs, "layers in that dense block; the book uses 4")
    layers = [nn.Sequential(
        nn.Conv2d(in_channels, init_channels, kernel_size=7, stride=2, padding=3, bias=False),
        nn.BatchNorm2d(init_channels), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))]
    channels = init_channels
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        block = DenseBlock(num_convs, channels, growth_rate, bottleneck=bottleneck)
        layers.append(block)
        channels = block.out_channels
        # Without a transition the channel count would keep growing from block to block.
        if i != len(num_convs_in_dense_blocks) - 1:
            layers.append(transition_block(channels, channels // 2))
            channels //= 2
    layers += [nn.BatchNorm2d(channels), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
               nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)


def densenet121(in_channels=1, num_classes=10):
    """DenseNet-121 of the paper: growth rate 32, blocks of 6/12/24/16 bottleneck layers.

    Use ``in_channels=3, num_classes=1000`` for the ImageNet network (about 8.0 M parameters).
    """
    return densenet(32, (6, 12, 24, 16), in_channels, num_classes, init_channels=64, bottleneck=True)
