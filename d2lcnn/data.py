"""Fashion-MNIST for the book: loading, batching, labels and a picture grid.

The loader keeps each split as one uint8 tensor (47 MB for the training set),
on the training device when there is one, and builds every mini-batch with a
few tensor operations: index, scale to [0, 1], and (if asked) resize the whole
batch at once. That replaces d2l's per-image PIL transforms and worker
processes, which dominate the time of small models on a laptop CPU.
"""
import functools
import gzip
import math
import os
import pathlib
import socket
import zlib

import torch
import torch.nn.functional as F

from .device import check_device, try_gpu
from .lang import tr

__all__ = [
    "TEXT_LABELS", "TEXT_LABELS_ZH", "DataNotFoundError", "CorruptDataError", "default_data_root",
    "load_fashion_mnist_tensors",
    "FashionMNISTBatches", "load_data_fashion_mnist", "get_fashion_mnist_labels", "show_images",
]

TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")
# The same classes as the Chinese edition names them (the steppers' presets use these words too).
TEXT_LABELS_ZH = ("T恤", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "踝靴")
RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
ENV_VAR = "D2LCNN_DATA"


class DataNotFoundError(FileNotFoundError):
    """The Fashion-MNIST files are not where the loader looked, and could not be downloaded."""


def default_data_root():
    """Where the data lives unless told otherwise: $D2LCNN_DATA, else a per-user cache folder."""
    if os.environ.get(ENV_VAR):
        return pathlib.Path(os.environ[ENV_VAR]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(cache) / "d2lcnn" / "data"


def _raw_folder(root):
    return pathlib.Path(root) / "FashionMNIST" / "raw"


def _find(root, name):
    """The file ``name`` (or ``name.gz``, the official download) in ``root/FashionMNIST/raw`` or ``root``."""
    for folder in (_raw_folder(root), pathlib.Path(root)):
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _missing(root):
    return [f for f in RAW_FILES if _find(root, f) is None]


class CorruptDataError(ValueError):
    """A Fashion-MNIST file is there but truncated or not an IDX file."""


# IDX format: 2 zero bytes, a type code (8 = unsigned byte), the number of dimensions,
# one big-endian int32 per dimension, then the values.
_EXPECTED = {"train-images-idx3-ubyte": (60000, 28, 28), "train-labels-idx1-ubyte": (60000,),
             "t10k-images-idx3-ubyte": (10000, 28, 28), "t10k-labels-idx1-ubyte": (10000,)}


def _read_idx(path, name):
    """A uint8 tensor from an IDX file (plain or gzip), with a clear error for a damaged file."""
    fix = (f"Fix: delete {path} so that the loader downloads it again, or copy a good copy of {name} "
           f"(or {name}.gz) there.")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise CorruptDataError(f"cannot read {path}: {err}. {fix}") from None
    dims = _EXPECTED[name]
    header = 4 + 4 * len(dims)
    expected = header + math.prod(dims)
    what = "uncompressed size" if path.suffix == ".gz" else "size"
    if len(data) != expected or data[:4] != bytes([0, 0, 8, len(dims)]):
        found = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(len(dims))) \
            if len(data) >= header else None
        detail = (f"expected {expected:,} bytes (a {'x'.join(map(str, dims))} uint8 IDX file), "
                  f"its {what} is {len(data):,} bytes")
        if found is not None and found != dims and data[:2] == b"\0\0":
            detail += f" and its header says {'x'.join(map(str, found))}"
        raise CorruptDataError(f"{path} is damaged or not the Fashion-MNIST file {name}: {detail}. {fix}")
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8).reshape(dims)


def _download(root, timeout=60):
    import torchvision
    # A firewall that drops packets would otherwise hang urllib forever.
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        for train in (True, False):
            torchvision.datasets.FashionMNIST(root=str(root), train=train, download=True)
    finally:
        socket.setdefaulttimeout(old)


@functools.lru_cache(maxsize=4)
def _read_split(root, train):
    prefix = "train" if train else "t10k"
    images_name, labels_name = f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"
    images = _read_idx(_find(root, images_name), images_name)
    labels = _read_idx(_find(root, labels_name), labels_name).long()
    return images, labels


def load_fashion_mnist_tensors(root=None, train=True, download=True):
    """Return ``(images, labels)`` of one split: uint8 ``N x 28 x 28`` and int64 ``N``.

    ``root`` is the folder that holds ``FashionMNIST/raw/`` (argument, else
    $D2LCNN_DATA, else a per-user cache). Missing files are downloaded when
    ``download`` is true and the network works; otherwise a
    ``DataNotFoundError`` says where the loader looked and what to put there.
    Nothing is written into ``root`` except by a download.
    """
    root = pathlib.Path(root).expanduser() if root is not None else default_data_root()
    missing = _missing(root)
    if missing:
        problem = "downloading was switched off (download=False)"
        if download:
            try:
                _download(root)
                missing = _missing(root)
                problem = None if not missing else "the download did not produce them"
            except Exception as err:  # offline, firewall, read-only folder, ...
                detail = str(err).strip().splitlines()[0] if str(err).strip() else "no detail"
                problem = f"downloading failed ({type(err).__name__}: {detail})"
        if missing:
            raise DataNotFoundError(
                f"Fashion-MNIST not found: {_raw_folder(root)} lacks {', '.join(missing)}, and {problem}.\n"
                f"Fix: put the four files {', '.join(RAW_FILES)} (unzipped, or the official .gz files) in "
                f"{_raw_folder(root)}, or point the loader at a folder that has FashionMNIST/raw/ inside it, "
                f"with load_data_fashion_mnist(..., root=FOLDER) or the environment variable {ENV_VAR}=FOLDER.")
    return _read_split(str(root), bool(train))


class FashionMNISTBatches:
    """Mini-batches ``(X, y)`` of one split, made on the fly from a uint8 tensor.

    ``X`` is float32 ``batch x 1 x H x W`` in [0, 1] (resized as a batch with
    bilinear interpolation, antialiased when it shrinks, when ``resize`` is given) and ``y`` the
    int64 labels, both on ``device``. With ``shuffle`` each pass uses a new
    permutation drawn from a generator seeded with ``seed``, so two loaders
    with the same seed give the same batches in the same order.
    """

    def __init__(self, images, labels, batch_size, shuffle=False, resize=None, device="cpu", seed=0):
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if resize is not None:
            size = (resize, resize) if isinstance(resize, int) else tuple(resize)
            if len(size) != 2 or not all(isinstance(s, int) and s > 0 for s in size):
                raise ValueError(f"resize must be a positive int or (height, width), got {resize!r}")
            resize = size if size != tuple(images.shape[-2:]) else None
        self.device = torch.device(device)
        self.images = images.to(self.device)
        self.labels = labels.to(self.device)
        self.batch_size, self.shuffle, self.resize = batch_size, shuffle, resize
        self._antialias = resize is not None and any(r < s for r, s in zip(resize, images.shape[-2:]))
        self.generator = torch.Generator(device="cpu").manual_seed(int(seed))

    @property
    def num_examples(self):
        return len(self.labels)

    def __len__(self):
        return -(-self.num_examples // self.batch_size)

    def batch(self, idx):
        """The batch for the example indices ``idx`` (a tensor of ints)."""
        X = self.images[idx].unsqueeze(1).float().div_(255)
        if self.resize is not None:
            # Antialiasing only filters when shrinking; when no side shrinks (28 -> 224) the plain
            # bilinear kernel gives the same pixels (to float rounding) in about half the time.
            X = F.interpolate(X, size=self.resize, mode="bilinear", antialias=self._antialias,
                              align_corners=False)
        return X, self.labels[idx]

    def __iter__(self):
        n = self.num_examples
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        order = order.to(self.device)
        for start in range(0, n, self.batch_size):
            yield self.batch(order[start:start + self.batch_size])

    def __repr__(self):
        size = self.resize or tuple(self.images.shape[-2:])
        return (f"FashionMNISTBatches({self.num_examples} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, size={size[0]}x{size[1]}, device={self.device})")


def load_data_fashion_mnist(batch_size, resize=None, root=None, download=True, device=None, seed=None):
    """Return ``(train_iter, test_iter)`` over Fashion-MNIST, as in the book.

    ``resize`` (int or pair) scales the 28x28 images, e.g. to 224 for AlexNet.
    ``device`` defaults to ``try_gpu()``: the whole dataset is small enough to
    live on the GPU, which removes the host-to-device copy from every step.
    ``seed`` fixes the shuffling order; by default it is drawn from PyTorch's
    global generator, so ``set_seed`` makes runs repeatable.
    """
    device = try_gpu() if device is None else check_device(device)
    if seed is None:
        seed = int(torch.randint(0, 2**31 - 1, ()).item())
    train = load_fashion_mnist_tensors(root, train=True, download=download)
    test = load_fashion_mnist_tensors(root, train=False, download=download)
    return (FashionMNISTBatches(*train, batch_size, shuffle=True, resize=resize, device=device, seed=seed),
            FashionMNISTBatches(*test, batch_size, shuffle=False, resize=resize, device=device, seed=seed))


def get_fashion_mnist_labels(labels, lang=None):
    """Text names of numeric Fashion-MNIST labels, in ``lang`` ('en' or 'zh'; default: ``get_lang()``)."""
    names = tr(TEXT_LABELS, TEXT_LABELS_ZH, lang)
    labels = labels.tolist() if isinstance(labels, torch.Tensor) else list(labels)
    bad = [i for i in labels if not (isinstance(i, int) and 0 <= i < len(TEXT_LABELS))]
    if bad:
        raise ValueError(f"labels must be ints from 0 to 9, got {bad[:5]}")
    return [names[i] for i in labels]


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Draw images in a ``num_rows x num_cols`` grid with optional titles; returns the axes."""
    import matplotlib.pyplot as plt
    imgs = list(imgs)
    if len(imgs) > num_rows * num_cols:
        raise ValueError(f"{len(imgs)} images do not fit a {num_rows}x{num_cols} grid")
    fig, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale), squeeze=False)
    axes = axes.flatten()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= len(imgs):
            continue
        img = imgs[i]
        img = img.detach().cpu().squeeze().numpy() if isinstance(img, torch.Tensor) else img
        ax.imshow(img, cmap="gray_r" if getattr(img, "ndim", 2) == 2 else None)
        if titles is not None and i < len(titles):
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return axes
