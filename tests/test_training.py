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
