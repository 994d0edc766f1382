"""d2l's chapter code runs with ``import d2lcnn as d2l`` (d2lcnn/compat.py and the book's own names).

Each test is written the way d2l's convolution chapters write their code (6.2 conv layer, 6.3
padding, 6.4 channels, 6.5 pooling, 6.6 LeNet's training loop, 7.5 batch normalization), but
the snippets are this book's own: they exercise every compatibility name as that code does.
"""
import builtins
import math
import re

import pytest
import torch
from torch import nn

import d2lcnn as d2l
from d2lcnn import compat

from _deps import require_module

ALIASES = ["tensor", "reshape", "reduce_sum", "zeros", "ones", "arange", "matmul", "normal", "stack", "concat",
           "float32", "abs", "transpose", "size"]
PLOTTING = ["Animator", "plt", "set_axes", "use_svg_display", "plot"]


@pytest.mark.parametrize("name", ALIASES + PLOTTING)
def test_every_d2l_name_is_exported(name):
    assert getattr(d2l, name) is getattr(compat, name)
    assert name in compat.__all__


def test_the_framework_aliases_are_pytorchs():
    X = d2l.reshape(d2l.arange(6, dtype=d2l.float32), (2, 3))
    assert X.dtype is torch.float32 and X.shape == (2, 3)
    assert d2l.reshape(X, 3, 2).shape == (3, 2)  # as x.reshape(3, 2)
    assert float(d2l.reduce_sum(X)) == 15.0
    assert d2l.reduce_sum(X, axis=0).tolist() == [3.0, 5.0, 7.0]
    assert d2l.reduce_sum(X, axis=1, keepdims=True).shape == (2, 1)
    assert d2l.transpose(X).shape == (3, 2) and d2l.size(X) == 6
    assert d2l.matmul(X, d2l.transpose(X)).tolist() == [[5.0, 14.0], [14.0, 50.0]]
    assert d2l.concat((X, X), 0).shape == (4, 3) and d2l.stack((X, X), 0).shape == (2, 2, 3)
    assert d2l.zeros((2, 2)).sum() == 0 and d2l.ones(3).sum() == 3
    assert d2l.normal(0, 1, (4, 5)).shape == (4, 5)
    assert d2l.abs(d2l.tensor([-1.5, 2.0])).tolist() == [1.5, 2.0]
    # a star import of d2lcnn must not break Python's abs for numbers
    assert d2l.abs(-3) == builtins.abs(-3) == 3


# ---------------------------------------------------------------- 6.2: a convolution by hand, and learning a kernel

def corr2d(X, K):
    """Cross-correlation written with d2l's aliases, as d2l's conv-layer section writes it."""
    h, w = K.shape
    Y = d2l.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = d2l.reduce_sum(X[i:i + h, j:j + w] * K)
    return Y


def test_conv_layer_section_edge_detection_and_learning_the_kernel():
    X = d2l.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
    K = d2l.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert corr2d(X, K).tolist() == [[2.0, 5.0], [0.0, 2.0]]
    assert torch.equal(corr2d(X, K), d2l.corr2d(X, K))

    image = d2l.ones((6, 8))
    image[:, 2:6] = 0  # a dark band: edges at columns 2 and 6
    edge = corr2d(image, d2l.tensor([[1.0, -1.0]]))
    assert edge[0].tolist() == [0, 1, 0, 0, 0, -1, 0]
    assert float(d2l.reduce_sum(d2l.abs(corr2d(d2l.transpose(image), d2l.tensor([[1.0, -1.0]]))))) == 0

    torch.manual_seed(0)
    conv = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    X, Y = d2l.reshape(image, (1, 1, 6, 8)), d2l.reshape(edge, (1, 1, 6, 7))
    losses = []
    for _ in range(10):
        loss = (conv(X) - Y) ** 2
        conv.zero_grad()
        d2l.reduce_sum(loss).backward()
        conv.weight.data[:] -= 3e-2 * conv.weight.grad
        losses.append(float(d2l.reduce_sum(loss)))
    assert losses[-1] < losses[0] / 10
    assert torch.allclose(d2l.reshape(conv.weight.data, (1, 2)), d2l.tensor([[1.0, -1.0]]), atol=0.2)


# ---------------------------------------------------------------- 6.3: padding and stride

def test_padding_section_shapes():
    def comp_conv2d(conv2d, X):
        X = d2l.reshape(X, (1, 1) + X.shape)  # batch and channel of size 1
        Y = conv2d(X)
        return d2l.reshape(Y, Y.shape[2:])

    X = torch.rand(size=(8, 8))
    assert comp_conv2d(nn.Conv2d(1, 1, kernel_size=3, padding=1), X).shape == (8, 8)
    assert comp_conv2d(nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), X).shape == (2, 2)


# ---------------------------------------------------------------- 6.4: channels

def test_channels_section_multiple_inputs_outputs_and_1x1():
    def multi_in(X, K):
        return sum(d2l.corr2d(x, k) for x, k in zip(X, K))

    def multi_in_out(X, K):
        return d2l.stack([multi_in(X, k) for k in K], 0)

    def one_by_one(X, K):
        c_i, h, w = X.shape
        c_o = K.shape[0]
        Y = d2l.matmul(d2l.reshape(K, (c_o, c_i)), d2l.reshape(X, (c_i, h * w)))
        return d2l.reshape(Y, (c_o, h, w))

    X = d2l.tensor([[[1.0, 0.0, 2.0], [3.0, 1.0, 0.0], [0.0, 2.0, 1.0]],
                    [[0.0, 1.0, 1.0], [2.0, 0.0, 1.0], [1.0, 1.0, 0.0]]])
    K = d2l.tensor([[[1.0, 1.0], [0.0, 1.0]], [[0.0, 2.0], [1.0, 0.0]]])
    assert multi_in(X, K).tolist() == [[6.0, 4.0], [7.0, 5.0]]
    K3 = d2l.stack((K, K + 1, K - 1), 0)
    assert multi_in_out(X, K3).shape == (3, 2, 2)

    torch.manual_seed(0)
    X, K = d2l.normal(0, 1, (3, 3, 3)), d2l.normal(0, 1, (2, 3, 1, 1))
    assert float(d2l.reduce_sum(d2l.abs(one_by_one(X, K) - multi_in_out(X, K)))) < 1e-6


# ---------------------------------------------------------------- 6.5: pooling

def test_pooling_section():
    def pool2d(X, pool_size, mode="max"):
        p_h, p_w = pool_size
        Y = d2l.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                window = X[i:i + p_h, j:j + p_w]
                Y[i, j] = window.max() if mode == "max" else window.mean()
        return Y

    X = d2l.tensor([[4.0, 1.0, 0.0], [2.0, 5.0, 3.0], [1.0, 0.0, 6.0]])
    assert pool2d(X, (2, 2)).tolist() == [[5.0, 5.0], [5.0, 6.0]]
    assert pool2d(X, (2, 2), "avg").tolist() == [[3.0, 2.25], [2.0, 3.5]]

    X = d2l.reshape(d2l.arange(16, dtype=d2l.float32), (1, 1, 4, 4))
    X = d2l.concat((X, X + 1), 1)  # two channels
    Y = nn.MaxPool2d(3, padding=1, stride=2)(X)
    assert Y.shape == (1, 2, 2, 2) and Y[0, 1].tolist() == [[6.0, 8.0], [14.0, 16.0]]


# ---------------------------------------------------------------- 6.6: LeNet's training loop, by hand

def test_lenet_section_training_loop_with_animator_timer_and_size():
    torch.manual_seed(0)
    X_all = torch.randn(96, 1, 8, 8)
    y_all = (X_all.mean(dim=(1, 2, 3)) > 0).long()  # a task a small net learns at once
    train_iter = [(X_all[i:i + 16], y_all[i:i + 16]) for i in range(0, 96, 16)]
    net = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(256, 2))

    def evaluate_accuracy(net, data_iter):
        net.eval()
        metric = d2l.Accumulator(2)
        with torch.no_grad():
            for X, y in data_iter:
                metric.add(d2l.accuracy(net(X), y), d2l.size(y))
        return metric[0] / metric[1]

    num_epochs = 3
    animator = d2l.Animator(xlabel="epoch", xlim=[1, num_epochs], legend=["train loss", "train acc", "test acc"])
    timer, num_batches = d2l.Timer(), len(train_iter)
    optimizer, loss = torch.optim.SGD(net.parameters(), lr=0.5), nn.CrossEntropyLoss()
    for epoch in range(num_epochs):
        metric = d2l.Accumulator(3)
        net.train()
        for i, (X, y) in enumerate(train_iter):
            timer.start()
            optimizer.zero_grad()
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            batch_loss.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(batch_loss * X.shape[0], d2l.accuracy(y_hat, y), X.shape[0])
            timer.stop()
            if (i + 1) % (num_batches // 3) == 0 or i == num_batches - 1:
                animator.add(epoch + (i + 1) / num_batches, (metric[0] / metric[2], metric[1] / metric[2], None))
        animator.add(epoch + 1, (None, None, evaluate_accuracy(net, train_iter)))
    assert metric[2] * num_epochs / timer.sum() > 0  # examples/sec, as the section prints it

    lines = animator.axes[0].get_lines()
    assert [len(line.get_xdata()) for line in lines] == [9, 9, 3]  # None values are skipped
    assert [t.get_text() for t in animator.axes[0].get_legend().get_texts()] == ["train loss", "train acc",
                                                                                 "test acc"]
    assert animator.axes[0].get_xlim() == (1.0, 3.0)
    assert lines[2].get_ydata()[-1] > 0.8
    assert animator.fig is animator.axes[0].figure


def test_timer_starts_when_created():
    timer = d2l.Timer()
    assert timer.stop() >= 0 and len(timer.times) == 1


def test_animator_as_d2l_calls_it():
    # no legend: as many curves as the first add has values; one x for all, or one per curve
    animator = d2l.Animator(xlabel="x", ylabel="y", yscale="log", fmts=("-", "r:"))
    assert animator.fig is None
    animator.add(1, [1.0, 10.0])
    animator.add([2, 3], [2.0, 20.0])
    animator.add(torch.tensor(4.0), [torch.tensor(4.0), None])
    ax = animator.axes[0]
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[1, 2, 4], [1, 3]]
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "y" and ax.get_legend() is None
    one = d2l.Animator(legend=["loss"])
    one.add(1, 0.5)  # a single number for a single curve
    assert list(one.axes[0].get_lines()[0].get_ydata()) == [0.5]
    with pytest.raises(ValueError, match="expected 1 values"):
        one.add(2, (0.4, 0.3))
    with pytest.raises(ValueError, match="one plot"):
        d2l.Animator(nrows=2)


# ---------------------------------------------------------------- d2l.plot

def test_plot_a_function_and_its_tangent():
    def f(x):
        return 3 * x ** 2 - 4 * x

    x = d2l.arange(0, 3, 0.1)
    d2l.plot(x, [f(x), 2 * x - 3], "x", "f(x)", legend=["f(x)", "Tangent line (x=1)"])
    ax = d2l.plt.gca()
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [30, 30]
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f(x)", "Tangent line (x=1)"]
    assert math.isclose(ax.get_lines()[1].get_ydata()[10], -1.0, abs_tol=1e-5)  # the tangent at x = 1
    d2l.plt.close("all")


def test_plot_takes_d2ls_other_forms():
    fig, ax = d2l.plt.subplots()
    d2l.plot([1, 4, 9], axes=ax)  # y only: against its index
    assert list(ax.get_lines()[0].get_xdata()) == [0, 1, 2]
    d2l.plot([[1, 2], [3, 4, 5]], axes=ax, xlim=[0, 5], ylim=(1, 6), yscale="log")  # several, each vs index
    assert len(ax.get_lines()) == 2 and ax.get_xlim() == (0, 5) and ax.get_yscale() == "log"
    d2l.set_axes(ax, "a", "b", None, None, "linear", "linear", ["one", "two"])
    assert ax.get_xlabel() == "a" and len(ax.get_legend().get_texts()) == 2
    with pytest.raises(ValueError, match="2 x sequences for 3 y"):
        d2l.plot([[0, 1], [0, 1]], [[1, 2], [3, 4], [5, 6]], axes=ax)
    d2l.plt.close(fig)
    d2l.set_figsize((2, 1))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (2, 1)
    d2l.plt.rcdefaults()
    d2l.use_svg_display()  # outside a notebook: nothing to do, and no error


# ---------------------------------------------------------------- in a notebook

NOTEBOOK_CELL = """
%matplotlib inline
import os
os.environ.pop("D2LCNN_OUTPUTS", None)  # a reader's notebook: one language
import d2lcnn as d2l
animator = d2l.Animator(xlabel="epoch", legend=["loss", "acc"])
for epoch in range(1, 6):
    animator.add(epoch, (1 / epoch, 1 - 1 / epoch))
"""


@pytest.mark.slow
def test_animator_and_plot_draw_in_a_notebook():
    """In a kernel the Animator updates one figure in place, and d2l.plot shows its figure under the cell."""
    nbformat = require_module("nbformat")
    nbclient = require_module("nbclient")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(NOTEBOOK_CELL),
        nbformat.v4.new_code_cell("d2l.plot(d2l.arange(5), [d2l.arange(5) ** 2], 'x', 'y')")])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    for cell in nb.cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, [o.get("output_type") for o in cell.outputs]
        assert not [o for o in cell.outputs if o.get("output_type") in ("execute_result", "error")]


# ---------------------------------------------------------------- 6.6 / 7.x: the book's train_ch6 as d2l calls it

def test_train_ch6_as_d2l_calls_it_shows_one_short_line():
    torch.manual_seed(0)
    X = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    batches = [(X[i:i + 32], y[i:i + 32]) for i in (0, 32)]
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    run = d2l.train_ch6(net, batches, batches, 1, 0.1, d2l.try_gpu())  # positional, as d2l's chapters call it
    text = repr(run)
    assert "\n" not in text and len(text) < 160 and re.search(r"test acc \d\.\d{3}", text), text
    assert run["final"]["test_acc"] == pytest.approx(run["test_acc"][-1])


# ---------------------------------------------------------------- 7.5: batch normalization

def test_batch_norm_decides_its_mode_from_grad_tracking():
    torch.manual_seed(0)
    X = torch.randn(8, 3, 4, 4) * 2 + 5
    gamma, beta = torch.ones(1, 3, 1, 1), torch.zeros(1, 3, 1, 1)
    mean0, var0 = torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1)

    Y, mean1, var1 = d2l.batch_norm(X, gamma, beta, mean0, var0, eps=1e-5, momentum=0.1)  # grad on: training
    assert torch.allclose(Y.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5)
    # the book's (PyTorch's) momentum: the new batch statistic gets weight 0.1
    assert torch.allclose(mean1, 0.1 * X.mean(dim=(0, 2, 3), keepdim=True), atol=1e-6)
    assert torch.allclose(var1, 0.9 + 0.1 * X.var(dim=(0, 2, 3), keepdim=True), atol=1e-5)

    with torch.no_grad():  # prediction: the moving statistics, left as they are
        Y2, mean2, var2 = d2l.batch_norm(X, gamma, beta, mean1, var1, eps=1e-5, momentum=0.1)
    assert mean2 is mean1 and var2 is var1
    assert torch.allclose(Y2, (X - mean1) / torch.sqrt(var1 + 1e-5))
    # an explicit mode still wins
    _, mean3, _ = d2l.batch_norm(X, gamma, beta, mean0, var0, eps=1e-5, momentum=0.1, training=False)
    assert mean3 is mean0


def test_batch_norm_layers_gamma_and_beta_read_as_d2l_reads_them():
    net = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5), d2l.BatchNorm(6, num_dims=4), nn.Sigmoid())
    net(torch.randn(4, 1, 12, 12))
    assert net[1].gamma.reshape((-1,)).shape == (6,) and net[1].beta.reshape((-1,)).shape == (6,)
