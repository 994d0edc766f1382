"""The architectures of chapters 6-13: shape tables, outputs, BatchNorm, parameter counts, errors.

The expected tables are the curriculum's (batch 1, one input channel), written
out layer by layer. Big ImageNet-size networks are built on the meta device:
their parameters have shapes but no storage, so counting them costs nothing.
"""
import pytest
import torch
from torch import nn

import d2lcnn
from d2lcnn import (
    VGG11_ARCH,
    VGG16_ARCH,
    VGG19_ARCH,
    BatchNorm,
    Bottleneck,
    DenseBlock,
    Inception,
    PreActBottleneck,
    PreActResidual,
    Residual,
    alexnet,
    batch_norm,
    count_parameters,
    densenet,
    densenet121,
    googlenet,
    layer_shapes,
    lenet,
    lenet_bn,
    nin,
    resnet,
    resnet18,
    resnet_block,
    scale_arch,
    transition_block,
    vgg,
    vgg_block,
)

LENET = [
    ("Conv2d", (1, 6, 28, 28)), ("Sigmoid", (1, 6, 28, 28)), ("AvgPool2d", (1, 6, 14, 14)),
    ("Conv2d", (1, 16, 10, 10)), ("Sigmoid", (1, 16, 10, 10)), ("AvgPool2d", (1, 16, 5, 5)),
    ("Flatten", (1, 400)), ("Linear", (1, 120)), ("Sigmoid", (1, 120)),
    ("Linear", (1, 84)), ("Sigmoid", (1, 84)), ("Linear", (1, 10)),
]
ALEXNET = [
    ("Conv2d", (1, 96, 54, 54)), ("ReLU", (1, 96, 54, 54)), ("MaxPool2d", (1, 96, 26, 26)),
    ("Conv2d", (1, 256, 26, 26)), ("ReLU", (1, 256, 26, 26)), ("MaxPool2d", (1, 256, 12, 12)),
    ("Conv2d", (1, 384, 12, 12)), ("ReLU", (1, 384, 12, 12)),
    ("Conv2d", (1, 384, 12, 12)), ("ReLU", (1, 384, 12, 12)),
    ("Conv2d", (1, 256, 12, 12)), ("ReLU", (1, 256, 12, 12)), ("MaxPool2d", (1, 256, 5, 5)),
    ("Flatten", (1, 6400)),
    ("Linear", (1, 4096)), ("ReLU", (1, 4096)), ("Dropout", (1, 4096)),
    ("Linear", (1, 4096)), ("ReLU", (1, 4096)), ("Dropout", (1, 4096)),
    ("Linear", (1, 10)),
]
VGG11 = [
    ("Sequential", (1, 64, 112, 112)), ("Sequential", (1, 128, 56, 56)),
    ("Sequential", (1, 256, 28, 28)), ("Sequential", (1, 512, 14, 14)),
    ("Sequential", (1, 512, 7, 7)), ("Flatten", (1, 25088)),
    ("Linear", (1, 4096)), ("ReLU", (1, 4096)), ("Dropout", (1, 4096)),
    ("Linear", (1, 4096)), ("ReLU", (1, 4096)), ("Dropout", (1, 4096)),
    ("Linear", (1, 10)),
]
NIN = [
    ("Sequential", (1, 96, 54, 54)), ("MaxPool2d", (1, 96, 26, 26)),
    ("Sequential", (1, 256, 26, 26)), ("MaxPool2d", (1, 256, 12, 12)),
    ("Sequential", (1, 384, 12, 12)), ("MaxPool2d", (1, 384, 5, 5)),
    ("Dropout", (1, 384, 5, 5)), ("Sequential", (1, 10, 5, 5)),
    ("AdaptiveAvgPool2d", (1, 10, 1, 1)), ("Flatten", (1, 10)),
]
GOOGLENET = [
    ("Sequential", (1, 64, 24, 24)), ("Sequential", (1, 192, 12, 12)),
    ("Sequential", (1, 480, 6, 6)), ("Sequential", (1, 832, 3, 3)),
    ("Sequential", (1, 1024)), ("Linear", (1, 10)),
]
RESNET18 = [
    ("Sequential", (1, 64, 56, 56)), ("Sequential", (1, 64, 56, 56)),
    ("Sequential", (1, 128, 28, 28)), ("Sequential", (1, 256, 14, 14)),
    ("Sequential", (1, 512, 7, 7)), ("AdaptiveAvgPool2d", (1, 512, 1, 1)),
    ("Flatten", (1, 512)), ("Linear", (1, 10)),
]
DENSENET = [
    ("Sequential", (1, 64, 56, 56)),
    ("DenseBlock", (1, 192, 56, 56)), ("Sequential", (1, 96, 28, 28)),
    ("DenseBlock", (1, 224, 28, 28)), ("Sequential", (1, 112, 14, 14)),
    ("DenseBlock", (1, 240, 14, 14)), ("Sequential", (1, 120, 7, 7)),
    ("DenseBlock", (1, 248, 7, 7)),
    ("BatchNorm2d", (1, 248, 7, 7)), ("ReLU", (1, 248, 7, 7)),
    ("AdaptiveAvgPool2d", (1, 248, 1, 1)), ("Flatten", (1, 248)), ("Linear", (1, 10)),
]


def relu_variant(table):
    swap = {"Sigmoid": "ReLU", "AvgPool2d": "MaxPool2d"}
    return [(swap.get(cls, cls), shape) for cls, shape in table]


@pytest.mark.parametrize("build, size, expected", [
    (lenet, 28, LENET),
    (lambda: lenet("relu"), 28, relu_variant(LENET)),
    (alexnet, 224, ALEXNET),
    (lambda: vgg(VGG11_ARCH), 224, VGG11),
    (nin, 224, NIN),
    (googlenet, 96, GOOGLENET),
    (resnet18, 224, RESNET18),
    (densenet, 224, DENSENET),
], ids=["lenet", "lenet-relu", "alexnet", "vgg11", "nin", "googlenet", "resnet18", "densenet"])
def test_shape_table_matches_curriculum(build, size, expected):
    torch.manual_seed(0)
    net = build()
    assert isinstance(net, nn.Sequential)
    rows = layer_shapes(net, torch.rand(1, 1, size, size))
    assert [name for name, _, _ in rows] == [str(i) for i in range(len(expected))]
    assert [(cls, shape) for _, cls, shape in rows] == expected


@pytest.mark.parametrize("build, size", [
    (lenet, 28), (lambda: lenet("relu"), 28), (lenet_bn, 28), (lambda: lenet_bn(scratch=False), 28),
    (alexnet, 224), (lambda: vgg(scale_arch(VGG11_ARCH, 4)), 224), (nin, 224),
    (googlenet, 96), (resnet18, 96), (densenet, 96),
    (lambda: resnet(34), 96), (lambda: resnet(50), 96),
    (lambda: resnet(18, preact=True), 96), (lambda: resnet(50, preact=True), 96),
], ids=["lenet", "lenet-relu", "lenet-bn", "lenet-bn-builtin", "alexnet", "vgg11-div4", "nin",
        "googlenet", "resnet18", "densenet", "resnet34", "resnet50", "preact18", "preact50"])
def test_output_shape_at_training_size(build, size):
    torch.manual_seed(0)
    net = build()
    net.train()  # batch 2, so BatchNorm can use batch statistics
    with torch.no_grad():
        y = net(torch.rand(2, 1, size, size))
    assert y.shape == (2, 10)
    assert torch.isfinite(y).all()


@pytest.mark.parametrize("depth", [101, 152])
@pytest.mark.parametrize("preact", [False, True])
def test_deep_resnets_on_meta_device(depth, preact):
    # Shapes only: meta tensors carry no data, so a 152-layer net costs nothing to run.
    with torch.device("meta"):
        net = resnet(depth, in_channels=3, num_classes=7, preact=preact)
        rows = layer_shapes(net, torch.empty(1, 3, 96, 96))
    assert [shape for _, _, shape in rows][1:5] == [
        (1, 256, 24, 24), (1, 512, 12, 12), (1, 1024, 6, 6), (1, 2048, 3, 3)]
    assert rows[-1][2] == (1, 7)


def test_in_channels_and_num_classes_are_honoured():
    x = torch.rand(2, 3, 96, 96)
    for build in (googlenet, resnet18, densenet, lambda **kw: resnet(50, **kw), densenet121):
        net = build(in_channels=3, num_classes=5).eval()
        with torch.no_grad():
            assert net(x).shape == (2, 5)
    assert lenet(in_channels=3, num_classes=5)(torch.rand(2, 3, 28, 28)).shape == (2, 5)


def test_blocks():
    x = torch.rand(2, 64, 12, 12)
    assert Residual(64, 64)(x).shape == (2, 64, 12, 12)
    assert Residual(64, 128, use_1x1conv=True, strides=2)(x).shape == (2, 128, 6, 6)
    assert Bottleneck(64, 64, use_1x1conv=True)(x).shape == (2, 256, 12, 12)
    assert PreActResidual(64, 32, use_1x1conv=True, strides=2)(x).shape == (2, 32, 6, 6)
    assert PreActBottleneck(64, 16, use_1x1conv=True, strides=2)(x).shape == (2, 64, 6, 6)
    stage = resnet_block(64, 128, 2)
    assert stage(x).shape == (2, 128, 6, 6)
    # A residual block whose shortcut is the identity can pass its input straight on.
    block = Residual(64, 64)
    assert block.shortcut is None and resnet_block(64, 64, 2, first_block=True)[0].shortcut is None
    assert [Inception(192, 64, (96, 128), (16, 32), 32)(torch.rand(1, 192, 6, 6)).shape[1],
            Inception(256, 128, (128, 192), (32, 96), 64).out_channels,
            Inception(832, 384, (192, 384), (48, 128), 128).out_channels] == [256, 480, 1024]
    dense = DenseBlock(2, 3, 10)
    assert dense.out_channels == 23 and dense(torch.rand(4, 3, 8, 8)).shape == (4, 23, 8, 8)
    assert transition_block(23, 10)(torch.rand(4, 23, 8, 8)).shape == (4, 10, 4, 4)
    assert vgg_block(2, 3, 16)(torch.rand(1, 3, 8, 8)).shape == (1, 16, 4, 4)
    assert scale_arch(VGG11_ARCH, 4) == ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))


# --- batch normalization -------------------------------------------------------------------

def _pair_of_bns(num_dims, channels=3):
    torch.manual_seed(0)
    ours = BatchNorm(channels, num_dims)
    ref = (nn.BatchNorm2d if num_dims == 4 else nn.BatchNorm1d)(channels)
    # Non-trivial gamma and beta, the same in both.
    with torch.no_grad():
        ref.weight.uniform_(0.5, 1.5)
        ref.bias.uniform_(-1, 1)
        ours.gamma.copy_(ref.weight.reshape(ours.gamma.shape))
        ours.beta.copy_(ref.bias.reshape(ours.beta.shape))
    return ours, ref


@pytest.mark.parametrize("num_dims, shape", [(4, (8, 3, 5, 5)), (2, (16, 3))])
def test_batchnorm_matches_builtin(num_dims, shape):
    ours, ref = _pair_of_bns(num_dims)
    for step in range(5):
        x = torch.randn(shape) * (step + 1) + step
        torch.testing.assert_close(ours(x), ref(x))
    torch.testing.assert_close(ours.moving_mean.flatten(), ref.running_mean)
    torch.testing.assert_close(ours.moving_var.flatten(), ref.running_var)  # unbiased, like PyTorch
    ours.eval(), ref.eval()
    x = torch.randn(shape)
    torch.testing.assert_close(ours(x), ref(x))
    # Eval mode leaves the moving statistics alone.
    torch.testing.assert_close(ours.moving_mean.flatten(), ref.running_mean)


def test_batchnorm_gradients_match_builtin():
    ours, ref = _pair_of_bns(4)
    x1 = torch.randn(4, 3, 5, 5, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_()
    w = torch.randn(4, 3, 5, 5)
    (ours(x1) * w).sum().backward()
    (ref(x2) * w).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)
    torch.testing.assert_close(ours.gamma.grad.flatten(), ref.weight.grad)
    torch.testing.assert_close(ours.beta.grad.flatten(), ref.bias.grad)
    assert not ours.moving_mean.requires_grad and not ours.moving_var.requires_grad


def test_batchnorm_mode_not_grad_mode_decides():
    ours, ref = _pair_of_bns(4)
    x = torch.randn(8, 3, 5, 5) + 3
    with torch.no_grad():  # still train mode: batch statistics, and the moving averages move
        y = ours(x)
        torch.testing.assert_close(y, ref(x))
    per_channel = (y - ours.beta) / ours.gamma
    torch.testing.assert_close(per_channel.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5, rtol=0)
    assert not torch.equal(ours.moving_mean, torch.zeros_like(ours.moving_mean))
    # Eval mode with gradients on uses the moving averages.
    ours.eval(), ref.eval()
    x.requires_grad_()
    torch.testing.assert_close(ours(x), ref(x))


def test_batchnorm_buffers_are_state():
    bn = BatchNorm(4, num_dims=2)
    assert set(bn.state_dict()) == {"gamma", "beta", "moving_mean", "moving_var"}
    assert {name for name, _ in bn.named_parameters()} == {"gamma", "beta"}
    bn(torch.randn(5, 4))
    assert set(dict(bn.named_buffers())) == {"moving_mean", "moving_var"}  # still buffers after an update


def test_batch_norm_function_eval_uses_given_statistics():
    x = torch.randn(4, 2)
    mean, var = torch.tensor([[1.0, -1.0]]), torch.tensor([[4.0, 0.25]])
    y, m, v = batch_norm(x, torch.ones(1, 2), torch.zeros(1, 2), mean, var, eps=0.0, momentum=0.1, training=False)
    torch.testing.assert_close(y, (x - mean) / var.sqrt())
    assert m is mean and v is var


def test_lenet_bn_scratch_and_builtin_agree():
    x = torch.rand(4, 1, 28, 28)
    rows = {scratch: layer_shapes(lenet_bn(scratch=scratch), x) for scratch in (True, False)}
    assert [r[2] for r in rows[True]] == [r[2] for r in rows[False]]
    assert [r[1] for r in rows[True]].count("BatchNorm") == 4
    assert [r[1] for r in rows[False]].count("BatchNorm2d") == 2
    flatten = [shape for _, cls, shape in rows[True] if cls == "Flatten"]
    assert flatten == [(4, 16 * 4 * 4)]
    # Same initial weights -> same outputs in train mode.
    torch.manual_seed(1)
    a = lenet_bn(scratch=True)
    torch.manual_seed(1)
    b = lenet_bn(scratch=False)
    torch.testing.assert_close(a(x), b(x))


# --- parameter counts the book cites (ImageNet settings: 3 channels, 1000 classes) ---------

def _count(build, *args, **kwargs):
    with torch.device("meta"):
        return count_parameters(build(*args, **kwargs))


def test_alexnet_parameter_counts():
    # The 2012 network sees 6x6 maps before the dense part (a 227-pixel input).
    with torch.device("meta"):
        net = alexnet(3, 1000, image_size=227)
    convs, dense = count_parameters(net[:13]), count_parameters(net[13:])
    assert (convs, dense, count_parameters(net)) == (3_747_200, 58_631_144, 62_378_344)
    assert f"{convs / 1e6:.2g}" == "3.7" and f"{dense / 1e6:.2g}" == "59"  # ~3.75 M and ~58.6 M
    assert dense / (convs + dense) > 0.9  # the dense layers hold over 90 % of the parameters
    # The book's 224-pixel network ends at 5x5 (6400 inputs), so its dense part is smaller.
    with torch.device("meta"):
        net = alexnet(3, 1000)
    assert (count_parameters(net[:13]), count_parameters(net[13:])) == (3_747_200, 47_096_808)


def test_vgg_parameter_counts():
    counts = [_count(vgg, arch, 3, 1000) for arch in (VGG11_ARCH, VGG16_ARCH, VGG19_ARCH)]
    assert counts == [132_863_336, 138_357_544, 143_667_240]  # ~133 / 138 / 144 M
    assert [sum(n for n, _ in arch) for arch in (VGG11_ARCH, VGG16_ARCH, VGG19_ARCH)] == [8, 13, 16]


def test_resnet_and_densenet_parameter_counts():
    # The same totals as torchvision's resnet18/34/50/101/152 and densenet121.
    assert [_count(resnet, d, 3, 1000) for d in (18, 34, 50, 101, 152)] == [
        11_689_512, 21_797_672, 25_557_032, 44_549_160, 60_192_808]
    assert _count(densenet121, 3, 1000) == 7_978_856  # ~8.0 M against ResNet-50's ~25.6 M
    assert _count(resnet, 50, 3, 1000, preact=True) == 25_549_480


def test_small_network_parameter_counts():
    assert _count(nin) == 1_992_166  # ~2 M, far below AlexNet's dense layers
    assert _count(resnet18) == _count(resnet, 18) == 11_175_370
    assert _count(lenet) == 61_706


# --- errors and exports ---------------------------------------------------------------------

def test_errors():
    with pytest.raises(ValueError, match="unknown activation 'tanh'"):
        lenet("tanh")
    with pytest.raises(ValueError, match="unsupported ResNet depth 20"):
        resnet(20)
    with pytest.raises(ValueError, match="2-D .* or 4-D"):
        batch_norm(torch.rand(2, 3, 4), torch.ones(1), torch.zeros(1), torch.zeros(1), torch.ones(1),
                   eps=1e-5, momentum=0.1, training=True)
    with pytest.raises(ValueError, match="num_dims must be 2"):
        BatchNorm(3, num_dims=3)
    with pytest.raises(ValueError, match="built for 4-D inputs"):
        BatchNorm(3, num_dims=4)(torch.rand(2, 3))
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm(3, num_dims=2)(torch.rand(1, 3))
    with pytest.raises(ValueError, match="ratio must be a positive integer"):
        scale_arch(VGG11_ARCH, 0)
    with pytest.raises(ValueError, match="5 blocks"):
        vgg(VGG11_ARCH[:4])


def test_every_public_name_is_exported():
    # The registry (d2lcnn.models.ARCHITECTURES) is checked against the files in tests/test_structure.py.
    import sys
    exported = d2lcnn.models.public_names()
    for short in d2lcnn.models.ARCHITECTURES:
        module = sys.modules[f"d2lcnn.models.{short}"]
        assert module.__doc__ and len(module.__doc__.strip().splitlines()) >= 2
        assert getattr(d2lcnn.models, short) is module  # the module, never a function of the same name
        for name in module.__all__:
            assert exported[name] is getattr(module, name), name
            assert getattr(d2lcnn, name) is getattr(module, name), name
