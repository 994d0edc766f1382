"""train_ch6, its helpers and the run profiles."""
import pytest
import torch
from torch import nn

import d2lcnn
from d2lcnn import profiles


def small_lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


def test_train_ch6_quick_learns_and_reports(data_root, capsys):
    d2lcnn.set_seed(0)
    train_iter, test_iter = d2lcnn.load_data_fashion_mnist(128, root=data_root, device="cpu")
    history = d2lcnn.train_ch6(small_lenet(), train_iter, test_iter, 10, 0.15, "cpu",
                               init="kaiming", profile="quick", plot=False)
    out = capsys.readouterr().out
    plan = history["plan"]
    assert plan.reduced and plan.num_epochs == 1 and plan.train_examples == 2048
    assert "SHORTENED RUN" in out and "examples/sec on cpu" in out
    assert len(history["train_loss"]) == 1
    # chance is 10 %; 16 SGD steps of a ReLU LeNet get well past it
    assert history["final"]["test_acc"] > 0.4
    assert history["examples_per_sec"] > 0


def test_train_ch6_loss_falls_over_epochs(data_root):
    d2lcnn.set_seed(1)
    images, labels = d2lcnn.load_fashion_mnist_tensors(data_root, train=True)
    sub = d2lcnn.FashionMNISTBatches(images[:1024], labels[:1024], 128, shuffle=True, seed=0)
    test = d2lcnn.FashionMNISTBatches(images[1024:1536], labels[1024:1536], 128)
    history = d2lcnn.train_ch6(small_lenet(), sub, test, 4, 0.1, "cpu", init="kaiming", profile="full", plot=False)
    assert history["plan"].reduced is False
    assert len(history["train_loss"]) == 4
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_train_ch6_is_repeatable(data_root):
    runs = []
    for _ in range(2):
        d2lcnn.set_seed(5)
        train_iter, test_iter = d2lcnn.load_data_fashion_mnist(128, root=data_root, device="cpu")
        runs.append(d2lcnn.train_ch6(small_lenet(), train_iter, test_iter, 1, 0.1, "cpu",
                                     init="xavier", profile="quick", plot=False)["train_loss"])
    assert runs[0] == runs[1]


def test_train_ch6_bad_arguments(data_root):
    train_iter, test_iter = d2lcnn.load_data_fashion_mnist(128, root=data_root, device="cpu", seed=0)
    with pytest.raises(ValueError, match="num_epochs must be a positive int"):
        d2lcnn.train_ch6(small_lenet(), train_iter, test_iter, 0, 0.1, "cpu")
    with pytest.raises(ValueError, match="lr must be a positive number"):
        d2lcnn.train_ch6(small_lenet(), train_iter, test_iter, 1, -1, "cpu")
    with pytest.raises(ValueError, match="unknown init"):
        d2lcnn.train_ch6(small_lenet(), train_iter, test_iter, 1, 0.1, "cpu", init="zeros")
    with pytest.raises(ValueError, match="unknown run profile"):
        d2lcnn.train_ch6(small_lenet(), train_iter, test_iter, 1, 0.1, "cpu", profile="fast")


def test_accuracy_and_evaluate():
    y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    y = torch.tensor([1, 0, 0])
    assert d2lcnn.accuracy(y_hat, y) == 2.0
    net = nn.Linear(2, 2)
    with torch.no_grad():
        net.weight.copy_(torch.eye(2))
        net.bias.zero_()
    data = [(y_hat, y), (y_hat, y)]
    assert d2lcnn.evaluate_accuracy_gpu(net, data) == pytest.approx(2 / 3)
    assert d2lcnn.evaluate_accuracy_gpu(net, data, max_examples=2) == 1.0


def test_timer_accumulator_try_gpu():
    acc = d2lcnn.Accumulator(2)
    acc.add(1, 2.5)
    acc.add(torch.tensor(1.0), 0.5)
    assert acc[0] == 2.0 and acc[1] == 3.0
    with pytest.raises(ValueError, match="holds 2 sums"):
        acc.add(1)
    timer = d2lcnn.Timer()
    with pytest.raises(RuntimeError, match="before Timer.start"):
        timer.stop()
    timer.start()
    assert timer.stop() >= 0 and len(timer.cumsum()) == 1
    assert isinstance(d2lcnn.try_gpu(), torch.device)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_profiles_plan(monkeypatch, device):
    monkeypatch.delenv("D2LCNN_PROFILE", raising=False)
    assert profiles.current_profile() == "auto"
    lenet_macs, alexnet_macs = 4.2e5, 9.4e8
    full = profiles.plan_run(10, 256, 60000, 10000, lenet_macs, device, "full")
    assert not full.reduced and "full recipe" in full.describe()
    auto_lenet = profiles.plan_run(10, 256, 60000, 10000, lenet_macs, device)
    assert not auto_lenet.reduced  # cheap everywhere
    auto_alex = profiles.plan_run(10, 128, 60000, 10000, alexnet_macs, device)
    assert auto_alex.reduced == (device == "cpu")
    if device == "cpu":
        assert auto_alex.num_epochs == 1 and auto_alex.train_examples % 128 == 0
        assert "SHORTENED RUN" in auto_alex.describe() and "D2LCNN_PROFILE=full" in auto_alex.describe()
    quick = profiles.plan_run(10, 128, 60000, 10000, alexnet_macs, device, "quick")
    assert quick.num_epochs == 1 and quick.train_examples == 128
    monkeypatch.setenv("D2LCNN_PROFILE", "Quick")
    assert profiles.current_profile() == "quick"
    monkeypatch.setenv("D2LCNN_PROFILE", "slow")
    with pytest.raises(ValueError, match="unknown run profile 'slow'"):
        profiles.current_profile()


def test_macs_per_example_matches_flop_counter():
    """The forward-hook count equals torch.utils.flop_counter's for the book's nets, and falls back otherwise."""
    from torch.utils.flop_counter import FlopCounterMode

    from d2lcnn.training import _hooks_can_count, _macs_per_example

    def reference(net, X):
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            net.eval()(X)
        return counter.get_total_flops() / 2

    class Matmul(nn.Module):  # multiplies in its own forward: hooks would miss it
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(784, 10))

        def forward(self, X):
            return X.flatten(1) @ self.w

    cases = [(small_lenet(), 28), (d2lcnn.lenet_bn(scratch=True), 28), (d2lcnn.resnet18(), 64),
             (nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), 28), (nn.Sequential(Matmul()), 28)]
    for net, size in cases:
        X = torch.rand(2, 1, size, size)
        assert _macs_per_example(net, X) == reference(net, X[:1]) > 0
    assert _hooks_can_count(small_lenet()) and not _hooks_can_count(nn.Sequential(Matmul()))


def test_speed_settings_cpu(monkeypatch):
    from d2lcnn import training
    cpu = torch.device("cpu")
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert training.speed_settings(small_lenet(), cpu, fast=False) == (None, False)
    assert training.speed_settings(mlp, cpu) == (None, False) or training._cpu_has_bf16()
    monkeypatch.setattr(training, "_cpu_has_bf16", lambda: False)
    assert training.speed_settings(small_lenet(), cpu) == (None, True)  # channels_last in fp32
    assert training.speed_settings(mlp, cpu) == (None, False)
    monkeypatch.setattr(training, "_cpu_has_bf16", lambda: True)
    assert training.speed_settings(small_lenet(), cpu) == (torch.bfloat16, True)


def test_fast_and_plain_train_alike(data_root, monkeypatch):
    """fast=True (channels_last, fp32 here) changes speed, not results: same losses to float rounding."""
    from d2lcnn import training
    monkeypatch.setattr(training, "_cpu_has_bf16", lambda: False)
    images, labels = d2lcnn.load_fashion_mnist_tensors(data_root, train=True)
    runs = []
    for fast in (True, False):
        d2lcnn.set_seed(3)
        sub = d2lcnn.FashionMNISTBatches(images[:1024], labels[:1024], 128, shuffle=True, seed=0)
        test = d2lcnn.FashionMNISTBatches(images[1024:1536], labels[1024:1536], 128)
        runs.append(d2lcnn.train_ch6(small_lenet(), sub, test, 2, 0.1, "cpu", init="kaiming",
                                     profile="full", fast=fast, plot=False))
    assert runs[0]["train_loss"] == pytest.approx(runs[1]["train_loss"], rel=1e-3)
    assert abs(runs[0]["final"]["test_acc"] - runs[1]["final"]["test_acc"]) <= 2 / 512
