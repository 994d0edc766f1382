"""Training on a device (chapter 6): ``train_ch6`` and its small helpers.

``train_ch6`` runs the notes' recipe - weight init, mini-batch SGD,
cross-entropy - on whatever device it is given, and applies the run profile
(``d2lcnn.profiles``) so a CPU or a test run can do a shortened version that
says so. Where the hardware allows, it also uses speed-ups that leave the
recipe unchanged (mixed precision, ``channels_last``); ``fast=False`` turns
them off.
"""
import contextlib
import math
import time

import numpy as np
import torch
from torch import nn

from . import profiles, runs
from .device import check_device, device_speedups, set_seed, speed_settings, try_gpu
from .inspect import macs_per_example
from .lang import META_KEY, _display

__all__ = ["try_gpu", "set_seed", "Timer", "Accumulator", "accuracy", "evaluate_accuracy_gpu",
           "init_weights", "train_ch6", "TrainingRun"]


class Timer:
    """Record several running times. It starts when created, as d2l's does; ``start()`` restarts it."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self.tik = time.perf_counter()

    def stop(self):
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


def _as_batches(data_iter, name):
    """``data_iter`` as something that can be read once per epoch, with its example count.

    Returns ``(batches, num_examples, batch_size)``. d2lcnn's own batches and a
    ``DataLoader`` say how many examples they hold. A re-iterable object
    without a count (a list or tuple of ``(X, y)`` batches) is counted by
    reading it once. A one-shot iterator (a generator, an ``itertools.islice``
    of a loader) can be read only once, so it is read into a list of batches:
    every epoch then sees those same batches, and they must fit in memory.
    """
    if isinstance(data_iter, (str, bytes)) or not hasattr(data_iter, "__iter__"):
        raise TypeError(f"{name} must yield (X, y) batches (a DataLoader, d2lcnn's batches, a list "
                        f"of (X, y) pairs or a generator), got {type(data_iter).__name__}")
    if iter(data_iter) is data_iter:  # one-shot: generator, islice, map, ...
        data_iter = list(data_iter)
    size = getattr(data_iter, "batch_size", None)
    if isinstance(size, int) and size > 0:
        # A loader that knows its size is not peeked at: reading a batch of a shuffling loader
        # would draw a permutation (random state) before training starts.
        if hasattr(data_iter, "num_examples"):  # d2lcnn's own batches
            return data_iter, int(data_iter.num_examples), size
        dataset = getattr(data_iter, "dataset", None)
        if dataset is not None and hasattr(dataset, "__len__"):
            n = len(dataset)
            if getattr(data_iter, "drop_last", False):
                n -= n % size
            return data_iter, n, size
    first = next(iter(data_iter), None)
    if first is None:
        raise ValueError(f"{name} yielded no batches")
    if not (isinstance(first, (tuple, list)) and len(first) == 2 and
            all(isinstance(t, torch.Tensor) for t in first)):
        raise TypeError(f"each batch of {name} must be a pair (X, y) of tensors, got {type(first).__name__}"
                        + (f" of length {len(first)}" if isinstance(first, (tuple, list)) else ""))
    size = len(first[1])  # the first batch tells the batch size
    n = sum(len(y) for _, y in data_iter)
    return data_iter, n, size


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


OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


class TrainingRun(dict):
    """What ``train_ch6`` returns: its history dict, shown as one short line.

    The keys are those of a plain history dict (``train_loss``, ``test_acc``,
    ``final``, ``plan``, ``record``, ...), so ``run["final"]["test_acc"]`` works
    as before; a notebook cell that ends with the call shows one line instead
    of the whole dict (and its figure).
    """

    def __repr__(self):
        final, plan = self.get("final", {}), self.get("plan")
        epochs = f"{plan.num_epochs} of {plan.recipe_epochs} epochs" if plan and plan.reduced else \
            f"{len(self.get('epoch', []))} epochs"
        return (f"<train_ch6 run: {epochs} on {self.get('device')} ({self.get('precision')}), "
                f"loss {final.get('train_loss', float('nan')):.3f}, "
                f"train acc {final.get('train_acc', float('nan')):.3f}, "
                f"test acc {final.get('test_acc', float('nan')):.3f}>")

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))


def _recipe_name(recipe):
    """``recipe`` given to train_ch6 (None, a name or a ``Recipe``) as a name, checked."""
    if recipe is None:
        return None
    name = getattr(recipe, "name", recipe)
    from .recipes import RECIPES
    if name not in RECIPES:
        raise ValueError(f"recipe must be None or one of {', '.join(RECIPES)} (a name or "
                         f"d2lcnn.recipe(name)), got {recipe!r}")
    return name


def _check_labels(y, num_outputs, name="train_iter"):
    """Labels must be class indices the network can score: 0 .. num_outputs - 1."""
    if y.dtype.is_floating_point or y.dim() != 1:
        raise TypeError(f"the labels of {name} must be a 1-D tensor of class indices (int64), got "
                        f"dtype {y.dtype} and shape {tuple(y.shape)}")
    low, high = int(y.min()), int(y.max())
    if low < 0 or high >= num_outputs:
        bad = low if low < 0 else high
        raise ValueError(f"label {bad} in {name} is not a class of this network: its last layer scores "
                         f"{num_outputs} classes, so labels must be 0 to {num_outputs - 1}. Check the "
                         f"dataset's labels, or give the network's last layer as many outputs as there are classes.")


def _show_run_line(line, record):
    """Print the run's last line; in a notebook the output also carries the run record as data."""
    show = _display()
    if show is None:
        print(line)
        return
    import sys
    sys.stdout.flush()  # keep the epoch lines before this output
    show({"text/plain": line}, raw=True, metadata={META_KEY: {runs.RUN_KEY: record}})


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device=None, init="xavier",
              optimizer="sgd", profile=None, fast=True, plot=True, amp=None, recipe=None):
    """Train ``net`` with SGD and cross-entropy on ``device`` and report as the book does.

    ``train_iter`` and ``test_iter`` yield ``(X, y)`` batches: d2lcnn's
    loaders, a ``DataLoader``, a list of batches, or a one-shot iterator (a
    generator, an ``itertools.islice`` of a loader), which is read into a list
    first so that every epoch can see it (see ``_as_batches``). The batch
    size comes from the loader, else from the first batch.

    ``init`` is ``'xavier'`` (the sigmoid chapters), ``'kaiming'`` (ReLU
    networks) or ``None`` to keep the current weights. ``optimizer`` is
    ``'sgd'`` (the book's default) or ``'adam'``. ``profile`` overrides
    $D2LCNN_PROFILE (``full``/``quick``/``auto``): a shortened run prints
    exactly what it cut. ``device`` must exist here (``try_gpu()`` picks one).

    ``fast=True`` uses speed-ups that keep fp32 arithmetic (``channels_last``
    on CPU and CUDA; cuDNN autotuning and TF32 on CUDA; see
    ``d2lcnn.device``); ``amp='bf16'`` or ``'fp16'`` adds mixed precision
    (fp16 with a gradient scaler); ``fast=False`` turns all of it off. The
    first printed line says which arithmetic ran (``precision``: fp32,
    fp32+tf32, bf16 or fp16 autocast).

    ``recipe`` (a name of ``d2lcnn.RECIPES`` or ``d2lcnn.recipe(name)``) names
    the run: the chapters pass it so that their runs can be found by recipe.

    Returns a ``TrainingRun``: a history dict with per-epoch ``train_loss``,
    ``train_acc`` and ``test_acc``, the ``final`` values, ``examples_per_sec``,
    ``precision``, the run ``plan`` and the run ``record`` (``d2lcnn.runs``),
    shown as one line. In a notebook the run's last printed line carries that
    record in its output metadata.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if isinstance(num_epochs, bool) or not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}")
    if isinstance(lr, bool) or not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}: use one of {', '.join(OPTIMIZERS)}")
    recipe = _recipe_name(recipe)
    device = try_gpu() if device is None else check_device(device)
    amp_dtype, channels_last = speed_settings(net, device, fast, amp)
    precision = runs.precision_name(device.type, amp_dtype, fast)
    if init is not None:
        init_weights(net, init)
    train_iter, n_train, batch_size = _as_batches(train_iter, "train_iter")
    test_iter, n_test, _ = _as_batches(test_iter, "test_iter")
    net.to(device)
    X0, _ = next(iter(test_iter))
    plan = profiles.plan_run(num_epochs, batch_size, n_train, n_test,
                             macs_per_example(net, X0.to(device)), device.type, profile)
    if channels_last:
        net.to(memory_format=torch.channels_last)
    print(f"training on {device} ({precision}); {plan.describe()}")

    optimizer_name = optimizer
    optimizer = OPTIMIZERS[optimizer](net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16)
    autocast = (lambda: torch.autocast(device.type, dtype=amp_dtype)) if amp_dtype else contextlib.nullcontext
    batches_per_epoch = math.ceil(plan.train_examples / batch_size)
    live = _make_plot(plan.num_epochs) if plot else None
    history = {"epoch": [], "train_loss": [], "train_acc": [], "test_acc": []}
    timer, trained = Timer(), 0
    progress = _progress_bar()
    with device_speedups(device, fast):
        for epoch in range(plan.num_epochs):
            net.train()
            # loss sum and correct count stay on the device; the example count is known on the host
            sums, seen = torch.zeros(2, dtype=torch.float64, device=device), 0
            marks = {max(1, round(batches_per_epoch * k / 5)) for k in range(1, 6)}
            bar = progress(total=batches_per_epoch, desc=f"epoch {epoch + 1}/{plan.num_epochs}", leave=False)
            timer.start()
            for i, (X, y) in enumerate(train_iter):
                if seen >= plan.train_examples:
                    break
                if seen + len(y) > plan.train_examples:  # batches of uneven size: stop at the plan
                    X, y = X[:plan.train_examples - seen], y[:plan.train_examples - seen]
                X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
                if channels_last:
                    X = X.contiguous(memory_format=torch.channels_last)
                optimizer.zero_grad(set_to_none=True)
                with autocast():
                    y_hat = net(X)
                    if epoch == 0 and i == 0:  # once: a wrong label would fail deep inside the loss
                        _check_labels(y, y_hat.shape[-1])
                    try:
                        loss = loss_fn(y_hat, y)
                    except IndexError:  # a bad label in a later batch (CPU): say which and why
                        _check_labels(y, y_hat.shape[-1])
                        raise
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
    history = TrainingRun(history)
    history.update(final={"train_loss": train_loss, "train_acc": train_acc, "test_acc": test_acc},
                   examples_per_sec=speed, device=str(device), precision=precision, plan=plan,
                   figure=live.figure if live is not None else None)
    history["record"] = runs.make_record(
        recipe=recipe, hyper={"num_epochs": num_epochs, "lr": lr, "batch_size": batch_size, "init": init,
                              "optimizer": optimizer_name},
        model=type(net).__name__, plan=plan, history=history, examples_per_sec=speed, device=device,
        precision=precision, channels_last=channels_last)
    if live is not None:  # what the plot drew, so a test can tell a curve the reader cannot see
        history["record"]["plot"] = [{"label": line.get_label(), "points": len(line.get_xdata()),
                                      "marker": str(line.get_marker())} for line in live.axes.get_lines()]
    _show_run_line(f"{speed:.1f} examples/sec on {device}", history["record"])
    if plan.reduced:
        print(plan.describe())
    return history


def _make_plot(num_epochs):
    from .liveplot import LivePlot
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
