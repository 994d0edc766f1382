"""GoogLeNet (Szegedy et al., 2014), chapter 10.

The Inception block runs four paths with different window sizes side by side
and stacks their outputs on the channel axis. Five stages of such blocks,
global average pooling and one dense layer make the network.
"""
import torch
from torch import nn

from ._checks import check_channels_classes

__all__ = ["Inception", "googlenet"]


class Inception(nn.Module):
    """Four parallel paths; ``c2`` and ``c3`` are (1x1 reduce, output) channel pairs.

    Every path keeps the height and width, so the outputs can be concatenated:
    the block has ``c1 + c2[1] + c3[1] + c4`` output channels.
    """
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True

    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.out_channels = c1 + c2[1] + c3[1] + c4
        self.p1 = nn.Sequential(nn.Conv2d(in_channels, c1, kernel_size=1), nn.ReLU())
        # The 1x1 convs in front of the 3x3 and 5x5 ones cut the channels, and with them the cost.
        self.p2 = nn.Sequential(
            nn.Conv2d(in_channels, c2[0], kernel_size=1), nn.ReLU(),
            nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1), nn.ReLU())
        self.p3 = nn.Sequential(
            nn.Conv2d(in_channels, c3[0], kernel_size=1), nn.ReLU(),
            nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2), nn.ReLU())
        self.p4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
            nn.Conv2d(in_channels, c4, kernel_size=1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.p1(x), self.p2(x), self.p3(x), self.p4(x)], dim=1)


def googlenet(in_channels=1, num_classes=10):
    """GoogLeNet as five stages b1..b5 and a dense layer; the book trains it on 96x96 inputs."""
    check_channels_classes(in_channels, num_classes)
    b1 = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(
        nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
        nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(
        Inception(192, 64, (96, 128), (16, 32), 32),
        Inception(256, 128, (128, 192), (32, 96), 64),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(
        Inception(480, 192, (96, 208), (16, 48), 64),
        Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64),
        Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(
        Inception(832, 256, (160, 320), (32, 128), 128),
        Inception(832, 384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
