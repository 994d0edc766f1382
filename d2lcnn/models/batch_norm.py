"""Batch normalization (Ioffe and Szegedy, 2015), chapter 11.

``batch_norm`` and ``BatchNorm`` write the layer out by hand; they follow
PyTorch's conventions (momentum 0.1, eps 1e-5, unbiased running variance) so
they agree with ``nn.BatchNorm1d/2d`` number for number. ``lenet_bn`` puts
batch normalization after every convolution and dense layer of LeNet.
"""
import torch
from torch import nn

from ._checks import check_channels_classes

__all__ = ["batch_norm", "BatchNorm", "lenet_bn"]


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training=None):
    """Normalize ``X``; return ``(Y, moving_mean, moving_var)``, the moving statistics updated if ``training``.

    A 2-D input (batch x features) is normalized per feature over the batch; a
    4-D input (batch x channels x height x width) per channel over batch,
    height and width, so every pixel of a channel shares one scale and shift.

    ``training`` left out means ``torch.is_grad_enabled()``: training mode while gradients
    are recorded, prediction mode under ``torch.no_grad()``, as d2l's ``batch_norm`` decides.
    ``BatchNorm`` passes its module mode instead (``net.train()`` / ``net.eval()``).

    How it differs from d2l's: ``momentum`` is PyTorch's, the weight of the *new* batch
    statistic (``moving = (1 - momentum) * moving + momentum * batch``, usually 0.1); d2l's
    weighs the *old* moving average and is called with 0.9, so pass ``1 - m`` for d2l's ``m``.
    The moving variance tracks the unbiased batch variance, as ``nn.BatchNorm`` does; d2l's
    tracks the biased one.
    """
    if training is None:
        training = torch.is_grad_enabled()
    if X.dim() not in (2, 4):
        raise ValueError(f"batch_norm expects a 2-D (batch x features) or 4-D (batch x channels x "
                         f"height x width) input, got shape {tuple(X.shape)}")
    if not training:
        # Prediction must not depend on the rest of the batch: use the moving averages.
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    n = X.numel() // X.shape[1]  # values averaged per feature / channel
    if n < 2:
        raise ValueError("batch_norm in training mode needs more than one value per channel; "
                         "use a batch of at least 2 or switch the layer to eval mode")
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    with torch.no_grad():
        # The moving averages are estimates, not part of the graph. Like nn.BatchNorm, they
        # track the unbiased variance (divide by n - 1), while normalizing uses the biased one.
        moving_mean = (1 - momentum) * moving_mean + momentum * mean.reshape(moving_mean.shape)
        moving_var = (1 - momentum) * moving_var + momentum * (var * n / (n - 1)).reshape(moving_var.shape)
    return gamma * X_hat + beta, moving_mean, moving_var


class BatchNorm(nn.Module):
    """Batch normalization layer for ``num_dims`` = 2 (after a dense layer) or 4 (after a convolution).

    The module's mode decides which statistics it uses: ``net.train()`` normalizes
    with the batch and updates the moving averages, ``net.eval()`` uses the moving
    averages. Gradient tracking plays no part, so ``torch.no_grad()`` in train
    mode still normalizes with the batch.
    """
    # Only adds/concatenates/normalizes what its layers compute: MAC counting by hooks is exact.
    macs_in_children_only = True

    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.1):
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError(f"num_features must be a positive int (the channels or features to normalize), "
                             f"got {num_features!r}")
        if num_dims not in (2, 4):
            raise ValueError(f"num_dims must be 2 (dense layer) or 4 (convolution), got {num_dims!r}")
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.num_dims, self.eps, self.momentum = num_dims, eps, momentum
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        # Buffers are saved in state_dict and follow .to(device), but the optimizer never sees them.
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        if X.dim() != self.num_dims:
            raise ValueError(f"this BatchNorm was built for {self.num_dims}-D inputs, "
                             f"got shape {tuple(X.shape)}")
        if X.shape[1] != self.gamma.shape[1]:
            raise ValueError(f"this BatchNorm normalizes {self.gamma.shape[1]} features/channels, but the input "
                             f"has {X.shape[1]} (shape {tuple(X.shape)}); build it as "
                             f"BatchNorm({X.shape[1]}, num_dims={self.num_dims}) or check the layer before it")
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=self.eps, momentum=self.momentum, training=self.training)
        return Y

    def extra_repr(self):
        return f"{self.gamma.shape[1]}, num_dims={self.num_dims}, eps={self.eps}, momentum={self.momentum}"


def lenet_bn(scratch=True, in_channels=1, num_classes=10):
    """LeNet with batch normalization before every sigmoid; ``scratch=False`` uses ``nn.BatchNorm2d/1d``.

    There is no padding on the first convolution, so 28x28 inputs reach the
    dense part as 16 x 4 x 4 = 256 values.
    """
    check_channels_classes(in_channels, num_classes)
    if scratch:
        bn2d, bn1d = (lambda c: BatchNorm(c, num_dims=4)), (lambda c: BatchNorm(c, num_dims=2))
    else:
        bn2d, bn1d = nn.BatchNorm2d, nn.BatchNorm1d
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, kernel_size=5), bn2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), bn2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), bn1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), bn1d(84), nn.Sigmoid(),
        nn.Linear(84, num_classes))
