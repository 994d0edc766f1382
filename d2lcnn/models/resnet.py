"""ResNet (He et al., 2015) and its pre-activation form (He et al., 2016), chapter 12.

A residual block learns f(x) - x and adds x back, so an extra block can always
fall back to the identity. ``resnet18`` is the network the book trains;
``resnet`` builds the other depths from basic or bottleneck blocks, in the
original (v1) or pre-activation (v2) ordering.
"""
from torch import nn
from torch.nn import functional as F

from ._checks import check_channels_classes

__all__ = ["Residual", "Bottleneck", "PreActResidual", "PreActBottleneck",
           "resnet_block", "resnet18", "resnet"]

# Convolutions that feed a BatchNorm have no bias: the BN's own shift (beta) would cancel it.


def _conv(in_channels, out_channels, kernel_size, stride=1):
    return nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                     padding=kernel_size // 2, bias=False)


def _projection(in_channels, out_channels, stride, norm):
    """A 1x1 conv shortcut that matches the main path's channels and stride."""
    conv = _conv(in_channels, out_channels, 1, stride)
    return nn.Sequential(conv, nn.BatchNorm2d(out_channels)) if norm else conv


class Residual(nn.Module):
    """Basic block: 3x3 conv-BN-ReLU, 3x3 conv-BN, add the (possibly projected) input, ReLU."""
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True
    expansion = 1

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = _conv(input_channels, num_channels, 3, strides)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = _conv(num_channels, num_channels, 3)
        self.bn2 = nn.BatchNorm2d(num_channels)
        # Without the 1x1 conv the input must already have the output's shape.
        self.shortcut = _projection(input_channels, num_channels, strides, norm=True) if use_1x1conv else None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return F.relu(Y + shortcut)


class Bottleneck(nn.Module):
    """Bottleneck block: 1x1 conv squeezes to ``num_channels``, 3x3 conv, 1x1 conv expands 4x.

    The 3x3 conv, the expensive one, runs on a quarter of the output channels.
    The stride sits on the 3x3 conv (as in torchvision), not on the first 1x1,
    which would throw away three quarters of the pixels unseen.
    """
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True
    expansion = 4

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        out_channels = num_channels * self.expansion
        self.conv1 = _conv(input_channels, num_channels, 1)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.conv2 = _conv(num_channels, num_channels, 3, strides)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv3 = _conv(num_channels, out_channels, 1)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = _projection(input_channels, out_channels, strides, norm=True) if use_1x1conv else None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = F.relu(self.bn2(self.conv2(Y)))
        Y = self.bn3(self.conv3(Y))
        shortcut = X if self.shortcut is None else self.shortcut(X)
        return F.relu(Y + shortcut)


class PreActResidual(nn.Module):
    """v2 basic block: BN-ReLU-conv twice, then add; nothing follows the addition.

    With no ReLU after the sum, the shortcut is a clean identity from block to
    block, which is what makes very deep stacks easy to train.
    """
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True
    expansion = 1

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(input_channels)
        self.conv1 = _conv(input_channels, num_channels, 3, strides)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv2 = _conv(num_channels, num_channels, 3)
        # The next block normalizes the sum anyway, so the projection needs no BN of its own.
        self.shortcut = _projection(input_channels, num_channels, strides, norm=False) if use_1x1conv else None

    def forward(self, X):
        out = F.relu(self.bn1(X))
        # A projection shortcut reads the pre-activated input; an identity shortcut the raw one.
        shortcut = X if self.shortcut is None else self.shortcut(out)
        Y = self.conv1(out)
        Y = self.conv2(F.relu(self.bn2(Y)))
        return Y + shortcut


class PreActBottleneck(nn.Module):
    """v2 bottleneck block: BN-ReLU-1x1, BN-ReLU-3x3, BN-ReLU-1x1 (4x channels), then add."""
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True
    expansion = 4

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        out_channels = num_channels * self.expansion
        self.bn1 = nn.BatchNorm2d(input_channels)
        self.conv1 = _conv(input_channels, num_channels, 1)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv2 = _conv(num_channels, num_channels, 3, strides)
        self.bn3 = nn.BatchNorm2d(num_channels)
        self.conv3 = _conv(num_channels, out_channels, 1)
        self.shortcut = _projection(input_channels, out_channels, strides, norm=False) if use_1x1conv else None

    def forward(self, X):
        out = F.relu(self.bn1(X))
        shortcut = X if self.shortcut is None else self.shortcut(out)
        Y = self.conv1(out)
        Y = self.conv2(F.relu(self.bn2(Y)))
        Y = self.conv3(F.relu(self.bn3(Y)))
        return Y + shortcut


def resnet_block(input_channels, num_channels, num_residuals, first_block=False, block=Residual):
    """One stage: ``num_residuals`` blocks; all but the first stage halve height and width in their first block.

    The first stage follows a max pool that has already halved the image, so it
    keeps the size. A 1x1 conv shortcut is used wherever the shape changes.
    """
    blocks = []
    for i in range(num_residuals):
        strides = 2 if i == 0 and not first_block else 1
        out_channels = num_channels * block.expansion
        blocks.append(block(input_channels, num_channels,
                            use_1x1conv=strides != 1 or input_channels != out_channels, strides=strides))
        input_channels = out_channels
    return nn.Sequential(*blocks)


_DEPTHS = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
_BLOCKS = {
    (False, "basic"): Residual, (False, "bottleneck"): Bottleneck,
    (True, "basic"): PreActResidual, (True, "bottleneck"): PreActBottleneck,
}


def resnet(depth=18, in_channels=1, num_classes=10, preact=False):
    """ResNet-18/34/50/101/152; ``preact=True`` gives the v2 (pre-activation) network.

    Top-level layers: b1 (7x7 conv, BN, ReLU, max pool), stages b2..b5 (64, 128,
    256, 512 channels, times 4 for bottleneck blocks), [BN, ReLU for v2], global
    average pooling, Flatten, Linear.
    """
    check_channels_classes(in_channels, num_classes)
    if depth not in _DEPTHS:
        raise ValueError(f"unsupported ResNet depth {depth!r}: choose one of {sorted(_DEPTHS)}")
    kind, num_residuals = _DEPTHS[depth]
    block = _BLOCKS[bool(preact), kind]
    b1 = nn.Sequential(
        _conv(in_channels, 64, 7, stride=2), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    stages, channels = [], 64
    for i, (width, n) in enumerate(zip((64, 128, 256, 512), num_residuals)):
        stages.append(resnet_block(channels, width, n, first_block=i == 0, block=block))
        channels = width * block.expansion
    # v2 blocks end on a bare addition, so the network adds the last BN and ReLU itself.
    head = [nn.BatchNorm2d(channels), nn.ReLU()] if preact else []
    return nn.Sequential(b1, *stages, *head, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                         nn.Linear(channels, num_classes))


def resnet18(in_channels=1, num_classes=10):
    """The ResNet-18 the book trains: b1, four stages of two basic blocks, pooling and a dense layer."""
    return resnet(18, in_channels, num_classes)
