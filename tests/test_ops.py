"""ops against torch.nn.functional and the worked examples of chapters 2-5."""
import itertools

import pytest
import torch
import torch.nn.functional as F

from d2lcnn import (
    Conv2D,
    comp_conv2d,
    conv2d_as_matmul,
    conv_output_size,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    im2col,
    pool2d,
)

X3 = torch.arange(9.0).reshape(3, 3)
K2 = torch.tensor([[0.0, 1.0], [2.0, 3.0]])


def test_corr2d_worked_example():
    assert torch.equal(corr2d(X3, K2), torch.tensor([[19.0, 25.0], [37.0, 43.0]]))


def test_edge_detection_example():
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    expected = torch.zeros((6, 7))
    expected[:, 1], expected[:, 5] = 1, -1
    assert torch.equal(Y, expected)
    assert torch.equal(corr2d(X.t(), torch.tensor([[1.0, -1.0]])), torch.zeros((8, 5)))


def test_multi_channel_examples():
    X = torch.stack([X3, X3 + 1])
    K = torch.stack([K2, K2 + 1])
    assert torch.equal(corr2d_multi_in(X, K), torch.tensor([[56.0, 72.0], [104.0, 120.0]]))
    Y = corr2d_multi_in_out(X, torch.stack((K, K + 1, K + 2), 0))
    assert Y.shape == (3, 2, 2)
    assert torch.equal(Y[0], torch.tensor([[56.0, 72.0], [104.0, 120.0]]))


@pytest.mark.parametrize("seed", range(5))
def test_corr2d_matches_conv2d(seed):
    g = torch.Generator().manual_seed(seed)
    for _ in range(6):
        h, w = torch.randint(1, 9, (2,), generator=g).tolist()
        kh, kw = torch.randint(1, h + 1, (), generator=g).item(), torch.randint(1, w + 1, (), generator=g).item()
        X = torch.randn(h, w, generator=g, dtype=torch.float64)
        K = torch.randn(kh, kw, generator=g, dtype=torch.float64)
        ref = F.conv2d(X[None, None], K[None, None])[0, 0]
        torch.testing.assert_close(corr2d(X, K), ref)


@pytest.mark.parametrize("c_i,c_o", [(1, 1), (2, 3), (4, 2)])
def test_multi_in_out_matches_conv2d(c_i, c_o):
    g = torch.Generator().manual_seed(c_i * 10 + c_o)
    X = torch.randn(c_i, 6, 5, generator=g, dtype=torch.float64)
    K = torch.randn(c_o, c_i, 3, 2, generator=g, dtype=torch.float64)
    torch.testing.assert_close(corr2d_multi_in_out(X, K), F.conv2d(X[None], K)[0])
    K1 = torch.randn(c_o, c_i, 1, 1, generator=g, dtype=torch.float64)
    torch.testing.assert_close(corr2d_multi_in_out_1x1(X, K1), corr2d_multi_in_out(X, K1))
    torch.testing.assert_close(corr2d_multi_in_out_1x1(X, K1), F.conv2d(X[None], K1)[0])


@pytest.mark.parametrize("kernel,padding,stride", [((3, 3), 0, 1), ((3, 2), 1, 2), ((1, 1), 0, 1),
                                                    ((2, 3), (2, 1), (1, 3)), ((5, 5), 2, 2)])
def test_conv2d_as_matmul_matches_conv2d(kernel, padding, stride):
    g = torch.Generator().manual_seed(sum(kernel))
    X = torch.randn(3, 9, 8, generator=g, dtype=torch.float64)
    K = torch.randn(4, 3, *kernel, generator=g, dtype=torch.float64)
    ref = F.conv2d(X[None], K, padding=padding, stride=stride)[0]
    torch.testing.assert_close(conv2d_as_matmul(X, K, padding, stride), ref)
    # the columns are exactly the windows torch unfolds
    assert torch.equal(im2col(X, kernel, padding, stride), F.unfold(X[None], kernel, padding=padding, stride=stride)[0])


def test_conv2d_as_matmul_worked_example():
    X = torch.stack([X3, X3 + 1])
    K = torch.stack([K2, K2 + 1])
    K3 = torch.stack((K, K + 1, K + 2), 0)
    assert im2col(X, 2).shape == (8, 4)
    assert torch.equal(conv2d_as_matmul(X, K3), corr2d_multi_in_out(X, K3))
    assert torch.equal(conv2d_as_matmul(X.long(), K3.long()), corr2d_multi_in_out(X, K3))  # integers computed in float


def test_pool2d_worked_example():
    assert torch.equal(pool2d(X3, (2, 2)), torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
    assert torch.equal(pool2d(X3, (2, 2), "avg"), torch.tensor([[2.0, 3.0], [5.0, 6.0]]))


@pytest.mark.parametrize("size,stride,padding",
                         list(itertools.product([(2, 2), (3, 3), (2, 3)], [1, 2, (2, 3)], [0, 1])))
def test_pool2d_matches_functional(size, stride, padding):
    if padding and min(size) < 2:
        pytest.skip("PyTorch needs padding <= half the window")
    X = torch.randn(7, 8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    ref_max = F.max_pool2d(X[None, None], size, stride, padding)[0, 0]
    ref_avg = F.avg_pool2d(X[None, None], size, stride, padding)[0, 0]
    torch.testing.assert_close(pool2d(X, size, "max", stride, padding), ref_max)
    torch.testing.assert_close(pool2d(X, size, "avg", stride, padding), ref_avg)


@pytest.mark.parametrize("n,k,p,s,d", [(8, 3, 1, 1, 1), (8, 3, 1, 2, 1), (8, 5, 2, 1, 1), (7, 3, 0, 2, 1),
                                       (8, 3, 0, 3, 1), (9, 3, 1, 2, 2), (28, 5, 2, 1, 1), (224, 11, 1, 4, 1)])
def test_output_size_matches_conv(n, k, p, s, d):
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
    assert conv_output_size(n, k, p, s, d) == out.shape[-1]
    pool = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, min(p, k // 2))
    assert conv_output_size(n, k, min(p, k // 2), s) == pool.shape[-1]


def test_padding_stride_examples():
    X = torch.rand(8, 8)
    assert comp_conv2d(torch.nn.Conv2d(1, 1, 3, padding=1), X).shape == (8, 8)
    assert comp_conv2d(torch.nn.Conv2d(1, 1, (5, 3), padding=(2, 1)), X).shape == (8, 8)
    assert comp_conv2d(torch.nn.Conv2d(1, 1, 3, padding=1, stride=2), X).shape == (4, 4)
    assert conv_output_size((8, 8), (5, 3), (2, 1)) == (8, 8)


def test_conv2d_layer_learns_shape():
    layer = Conv2D((1, 2))
    assert layer.weight.shape == (1, 2) and layer.bias.shape == (1,)
    torch.testing.assert_close(layer(X3), corr2d(X3, layer.weight) + layer.bias)


@pytest.mark.parametrize("call,message", [
    (lambda: corr2d(torch.ones(2, 2), torch.ones(3, 3)), "larger than the input"),
    (lambda: corr2d(torch.ones(1, 2, 2), torch.ones(2, 2)), "must be 2-D"),
    (lambda: corr2d_multi_in(torch.ones(2, 3, 3), torch.ones(3, 2, 2)), "2 input channels but K has 3"),
    (lambda: corr2d_multi_in_out(torch.ones(2, 3, 3), torch.ones(2, 2, 2)), "must be 4-D"),
    (lambda: corr2d_multi_in_out_1x1(torch.ones(2, 3, 3), torch.ones(1, 2, 2, 2)), "1x1 kernel"),
    (lambda: im2col(torch.ones(3, 3), 2), "must be 3-D"),
    (lambda: im2col(torch.ones(1, 3, 3), 4), "larger than the input"),
    (lambda: im2col(torch.ones(1, 3, 3), 2, stride=0), "stride must be positive"),
    (lambda: im2col(torch.ones(1, 3, 3), 2, padding=-1), "padding must be >= 0"),
    (lambda: conv2d_as_matmul(torch.ones(2, 3, 3), torch.ones(1, 3, 2, 2)), "2 input channels but K expects 3"),
    (lambda: conv2d_as_matmul(torch.ones(2, 3, 3), torch.ones(2, 2, 2)), "must be 4-D"),
    (lambda: pool2d(X3, 2, "median"), "unknown pooling mode"),
    (lambda: pool2d(X3, 0), "pool_size must be positive"),
    (lambda: pool2d(X3, 2, stride=0), "stride must be positive"),
    (lambda: pool2d(X3, 4), "larger than the input"),
    (lambda: conv_output_size(8, 3, stride=0), "stride must be positive"),
    (lambda: conv_output_size(4, 7), "does not fit"),
    (lambda: conv_output_size(4, 3, padding=-1), "padding must be >= 0"),
    (lambda: comp_conv2d(torch.nn.Conv2d(1, 1, 3), torch.ones(1, 8, 8)), "must be 2-D"),
])
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="pair of ints"):
        pool2d(X3, (2, 2, 2))
    with pytest.raises(TypeError, match="must be a tensor"):
        corr2d(object(), K2)
