"""Training on a device (chapter 6): ``train_ch6`` and its small helpers.

``train_ch6`` runs the notes' recipe - weight init, mini-batch SGD,
cross-entropy - on whatever device it is given, and applies the run profile
(``d2lcnn.profiles``) so a CPU or a test run can do a shortened version that
says so. Where the hardware allows, it also uses speed-ups that leave the
recipe unchanged (mixed precision, ``channels_last``); ``fast=False`` turns
them off.
"""
import contextlib
import itertools
import math
import random
import time

import numpy as np
import torch
from torch import nn

from . import profiles

__all__ = ["try_gpu", "set_seed", "Timer", "Accumulator", "accuracy", "evaluate_accuracy_gpu",
           "init_weights", "train_ch6"]


def try_gpu(i=0):
    """The ``i``-th CUDA GPU if there is one, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available() and torch.cuda.device_count() > i:
        return torch.device(f"cuda:{i}")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def set_seed(seed=0):
    """Seed Python, NumPy and PyTorch (every device) so a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class Timer:
    """Record several running times."""

    def __init__(self):
        self.times = []
        self.tik = None

    def start(self):
        self.tik = time.perf_counter()

    def stop(self):
        if self.tik is None:
            raise RuntimeError("Timer.stop() called before Timer.start()")
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        return sum(self.times) / len(self.times) if self.times else 0.0

    def sum(self):
        return sum(self.times)

    def cumsum(self):
        return np.array(self.times).cumsum().tolist()


class Accumulator:
    """Running sums of ``n`` quantities."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator holds {len(self.data)} sums, got {len(args)} values")
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def _correct(y_hat, y):
    """Number of correct predictions, as a tensor (no host sync)."""
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return (y_hat.type(y.dtype) == y).sum()


def accuracy(y_hat, y):
    """Number of correct predictions in a batch (a float, as in the book)."""
    return float(_correct(y_hat, y))


def _num_examples(data_iter):
    if hasattr(data_iter, "num_examples"):  # d2lcnn's own batches
        return int(data_iter.num_examples)
    dataset = getattr(data_iter, "dataset", None)
    if dataset is not None:
        return len(dataset)
    raise TypeError("cannot tell how many examples the data iterator holds: "
                    "give it a num_examples attribute or a dataset")


def _batch_size(data_iter):
    size = getattr(data_iter, "batch_size", None)
    if not isinstance(size, int) or size <= 0:
        raise TypeError("the data iterator needs a positive int batch_size attribute")
    return size


def evaluate_accuracy_gpu(net, data_iter, device=None, max_examples=None):
    """Accuracy of ``net`` on (the first ``max_examples`` of) ``data_iter``, computed on ``device``."""
    if isinstance(net, nn.Module):
        net.eval()
        if device is None:
            device = next(iter(net.parameters())).device
    correct = torch.zeros((), dtype=torch.int64, device=device)
    seen = 0
    with torch.no_grad():
        for X, y in data_iter:
            if max_examples is not None and seen >= max_examples:
                break
            if max_examples is not None and seen + len(y) > max_examples:
                X, y = X[:max_examples - seen], y[:max_examples - seen]
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            correct += _correct(net(X), y)
            seen += len(y)
    if seen == 0:
        raise ValueError("the data iterator yielded no examples")
    return correct.item() / seen


def init_weights(net, method="xavier"):
    """Initialise every Conv2d/Linear weight with Xavier or Kaiming (ReLU) uniform."""
    if method not in ("xavier", "kaiming"):
        raise ValueError(f"unknown init {method!r}: use 'xavier', 'kaiming' or None")

    def init(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if method == "xavier":
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
    net.apply(init)


def _cpu_has_bf16():
    """True when the CPU does bf16 matrix work natively (AVX-512 BF16 or AMX)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def speed_settings(net, device, fast=True):
    """Which speed-ups ``train_ch6`` uses: ``(autocast dtype or None, channels_last)``.

    CUDA: bf16 (else fp16) autocast and ``channels_last``. CPU: bf16 autocast
    only where the processor does bf16 natively (AVX-512 BF16 or AMX; on
    other CPUs it emulates bf16 and is slower than fp32), and ``channels_last``
    for convolutional networks in either precision: oneDNN's convolutions run
    on NHWC without reordering, which measured 1.2-1.6x faster per LeNet step
    in fp32 on a 2-core AVX2 CPU. ``fast=False`` turns everything off.
    """
    if not fast:
        return None, False
    has_conv = any(isinstance(m, nn.Conv2d) for m in net.modules())
    if device.type == "cuda":
        return (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16), has_conv
    if device.type == "cpu":
        # fp32 on every CPU, so a chapter prints the same numbers on every processor (see issue 9).
        return None, has_conv
    return None, False


@contextlib.contextmanager
def _cudnn_autotune(enabled):
    """cuDNN picks the fastest convolution algorithm for each input shape (the batches repeat one shape)."""
    if not enabled:
        yield
        return
    old = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True
    try:
        yield
    finally:
        torch.backends.cudnn.benchmark = old


# Layers that do no multiply-accumulates of their own (as torch.utils.flop_counter counts them).
_NO_MAC_LAYERS = (nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.GELU, nn.Softmax, nn.Identity, nn.Flatten,
                  nn.Dropout, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d,
                  nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.LocalResponseNorm)
_MAC_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)


def _hooks_can_count(net):
    """True when forward hooks on conv/dense layers see every multiply-accumulate of ``net``.

    That holds for containers and the book's own blocks (``d2lcnn.models``:
    Inception, Residual, DenseBlock, BatchNorm add and concatenate, nothing
    more); any other custom module might multiply in its ``forward``.
    """
    for m in net.modules():
        if isinstance(m, _MAC_LAYERS + _NO_MAC_LAYERS + (nn.Sequential, nn.ModuleList)):
            continue
        if type(m).__module__.startswith("d2lcnn.models."):
            continue
        return False
    return True


def _macs_per_example(net, X):
    """Multiply-accumulates of one example's forward pass (convolutions and matrix products).

    Counted with forward hooks on the conv and dense layers when they see all
    of them (the same numbers as ``torch.utils.flop_counter``, whose first use
    imports about 800 modules - seconds in every fresh notebook kernel);
    otherwise with ``FlopCounterMode``.
    """
    was_training = net.training
    net.eval()
    total = 0
    handles = []
    try:
        if _hooks_can_count(net):
            def count(m, inputs, out):
                nonlocal total
                per_output = m.in_features if isinstance(m, nn.Linear) else (
                    m.in_channels // m.groups * math.prod(m.kernel_size))
                total += out.numel() * per_output
            handles = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, _MAC_LAYERS)]
            with torch.no_grad():
                net(X[:1])
            return float(total)
        from torch.utils.flop_counter import FlopCounterMode
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            net(X[:1])
        return counter.get_total_flops() / 2
    finally:
        for h in handles:
            h.remove()
        net.train(was_training)


OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device=None, init="xavier",
              optimizer="sgd", profile=None, fast=True, plot=True):
    """Train ``net`` with SGD and cross-entropy on ``device`` and report as the book does.

    ``init`` is ``'xavier'`` (the sigmoid chapters), ``'kaiming'`` (ReLU
    networks) or ``None`` to keep the current weights. ``optimizer`` is
    ``'sgd'`` (the book's default) or ``'adam'``. ``profile`` overrides
    $D2LCNN_PROFILE (``full``/``quick``/``auto``). Returns a history dict with
    per-epoch ``train_loss``, ``train_acc`` and ``test_acc``, the final
    values, ``examples_per_sec`` and the run plan.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}")
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}: use one of {', '.join(OPTIMIZERS)}")
    device = try_gpu() if device is None else torch.device(device)
    if init is not None:
        init_weights(net, init)
    net.to(device)
    batch_size = _batch_size(train_iter)
    n_train, n_test = _num_examples(train_iter), _num_examples(test_iter)
    X0, _ = next(iter(test_iter))
    plan = profiles.plan_run(num_epochs, batch_size, n_train, n_test,
                             _macs_per_example(net, X0.to(device)), device.type, profile)
    amp_dtype, channels_last = speed_settings(net, device, fast)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    print(f"training on {device}; {plan.describe()}")

    optimizer = OPTIMIZERS[optimizer](net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16)
    autocast = (lambda: torch.autocast(device.type, dtype=amp_dtype)) if amp_dtype else contextlib.nullcontext
    batches_per_epoch = math.ceil(plan.train_examples / batch_size)
    live = _make_plot(plan.num_epochs) if plot else None
    history = {"epoch": [], "train_loss": [], "train_acc": [], "test_acc": []}
    timer, trained = Timer(), 0
    progress = _progress_bar()
    with _cudnn_autotune(device.type == "cuda" and fast):
        for epoch in range(plan.num_epochs):
            net.train()
            # loss sum and correct count stay on the device; the example count is known on the host
            sums, seen = torch.zeros(2, dtype=torch.float64, device=device), 0
            marks = {max(1, round(batches_per_epoch * k / 5)) for k in range(1, 6)}
            bar = progress(total=batches_per_epoch, desc=f"epoch {epoch + 1}/{plan.num_epochs}", leave=False)
            timer.start()
            for i, (X, y) in enumerate(itertools.islice(train_iter, batches_per_epoch)):
                X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
                if channels_last:
                    X = X.contiguous(memory_format=torch.channels_last)
                optimizer.zero_grad(set_to_none=True)
                with autocast():
                    y_hat = net(X)
                    loss = loss_fn(y_hat, y)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                with torch.no_grad():  # device-side sums: no host sync, no host-to-device copy
                    sums[0] += loss.detach().double() * len(y)
                    sums[1] += _correct(y_hat, y)
                seen += len(y)
                bar.update(1)
                if live is not None and (i + 1) in marks:
                    loss_sum, correct = sums.tolist()  # the only host syncs: 5 per epoch
                    live.add(epoch + (i + 1) / batches_per_epoch, (loss_sum / seen, correct / seen, None))
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            timer.stop()
            bar.close()
            loss_sum, correct = sums.tolist()
            trained += seen
            with autocast():
                test_acc = evaluate_accuracy_gpu(net, test_iter, device, max_examples=plan.test_examples)
            train_loss, train_acc = loss_sum / seen, correct / seen
            for key, value in zip(("epoch", "train_loss", "train_acc", "test_acc"),
                                  (epoch + 1, train_loss, train_acc, test_acc)):
                history[key].append(value)
            if live is not None:
                live.add(epoch + 1, (None, None, test_acc))
            print(f"epoch {epoch + 1}, loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    speed = trained / timer.sum()
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{speed:.1f} examples/sec on {device}")
    if plan.reduced:
        print(plan.describe())
    history.update(final={"train_loss": train_loss, "train_acc": train_acc, "test_acc": test_acc},
                   examples_per_sec=speed, device=str(device), plan=plan,
                   figure=live.figure if live is not None else None)
    return history


def _make_plot(num_epochs):
    from .plot import LivePlot
    return LivePlot({"en": "epoch", "zh": "迭代周期"},
                    [{"en": "train loss", "zh": "训练损失"}, {"en": "train acc", "zh": "训练精度"},
                     {"en": "test acc", "zh": "测试精度"}], xlim=(0, num_epochs))


def _progress_bar():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    if tqdm is None:
        class _NoBar:
            def __init__(self, **kwargs):
                pass

            def update(self, n):
                pass

            def close(self):
                pass
        return _NoBar
    return tqdm
