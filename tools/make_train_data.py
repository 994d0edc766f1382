"""Write the in-browser trainer's data: a script that defines a balanced Fashion-MNIST subset.

    python3 tools/make_train_data.py [--out _build/train/fashion_train.js] [--train-per-class 1000]
                                     [--test-per-class 200]

Built from the loader's Fashion-MNIST (d2lcnn.load_fashion_mnist_tensors, $D2LCNN_DATA) at build
time and never committed (the dataset rule). The training subset is the first ``train-per-class``
images of each class of the training split, in their original order; the held-out test subset the
first ``test-per-class`` of each class of the test split. Lossless: the worker gets back exactly
the loader's uint8 pixels.

Why a script and not a binary file: a page opened from disk (file://) may not fetch() a file or
start a Worker from a URL, but it may load a <script>. The script sets
``d2lcnnTrainData = {version, classes, train, test, side, contexts, length, bytes}`` on the global
object (window, or self in a worker). How the pixels are packed (train_worker.js undoes each step):

1. Prediction. Every pixel of a 28 x 28 image is predicted from its left (a), upper (b) and
   upper-left (c) neighbours by PNG's Paeth predictor (pixels outside the image count as 0), and
   replaced by its residual, pixel - prediction modulo 256.
2. Contexts. The residuals are sorted (stably, so in raster order within each group) into 44 groups
   by what the decoder already knows when it reaches the pixel: the activity |a - c| + |b - c| +
   |b - d| + |a - b| (d the upper-right neighbour), in 11 bins 0, 1, 2-3, 4-7, ..., >= 512, times the
   brightest of a, b, c, d, in 4 bins 0, 1-63, 64-191, >= 192. The flat background lands in one
   group of nearly all zeros and each textured group has its own narrow spread of residuals, which
   deflate's per-block Huffman tables then code in fewer bits (``contexts`` holds each group's size).
3. One gzip stream of the sorted residuals (training images first, then the test images), then the
   training labels and the test labels (uint8); DecompressionStream('gzip') undoes it.
4. Text: the stream in base 85, four bytes to five characters of an alphabet of 85 printable
   ASCII characters without quote or backslash (character codes 35 to 126 skipping 92, the first
   85), where base64 would take four to three; ``length`` is the stream's byte count.
Measured on the 10,000 + 2,000 images: plain Paeth residuals gzip to 4.93 MB, sorted by context to
4.48 MB; base64 of the first made a 6.58 MB script, base 85 of the second makes 5.60 MB.
"""
import argparse
import gzip
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from d2lcnn.data import load_fashion_mnist_tensors  # noqa: E402

DEFAULT_OUT = ROOT / "_build" / "train" / "fashion_train.js"
ACTIVITY_BINS = 11  # 0, 1, 2-3, 4-7, ..., 256-511, >= 512
BRIGHTNESS_EDGES = (1, 64, 192)  # 0, 1-63, 64-191, >= 192
ALPHABET = bytes(c for c in range(35, 127) if c != 92)[:85]


def balanced(labels, per_class):
    """Indices of the first ``per_class`` examples of every class, in the split's order."""
    picked = []
    for k in range(10):
        where = np.flatnonzero(labels == k)
        if len(where) < per_class:
            raise ValueError(f"class {k} has only {len(where)} images, {per_class} asked")
        picked.extend(where[:per_class].tolist())
    return np.array(sorted(picked))


def neighbours(images):
    """Left, upper, upper-left and upper-right neighbours of every pixel (0 outside the image), int32."""
    x = images.astype(np.int32)
    a, b, c, d = (np.zeros_like(x) for _ in range(4))
    a[:, :, 1:] = x[:, :, :-1]
    b[:, 1:, :] = x[:, :-1, :]
    c[:, 1:, 1:] = x[:, :-1, :-1]
    d[:, 1:, :-1] = x[:, :-1, 1:]
    return x, a, b, c, d


def residuals_and_contexts(images):
    """Paeth residuals (uint8) and context numbers (0-43) of N x 28 x 28 uint8 images."""
    x, a, b, c, d = neighbours(images)
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    prediction = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
    activity = np.abs(a - c) + np.abs(b - c) + np.abs(b - d) + np.abs(a - b)
    # bin 0 for 0, else floor(log2(activity)) + 1, at most 10 (train_worker.js: 32 - clz32)
    act_bin = np.minimum(np.where(activity > 0, np.floor(np.log2(np.maximum(activity, 1))).astype(np.int32) + 1, 0),
                         ACTIVITY_BINS - 1)
    brightest = np.maximum(np.maximum(a, b), np.maximum(c, d))
    context = act_bin * 4 + np.digitize(brightest, BRIGHTNESS_EDGES)
    return ((x - prediction) % 256).astype(np.uint8), context


def base85(data):
    """data (bytes) as base-85 text over ALPHABET, zero-padded to a multiple of 4 bytes."""
    padded = np.frombuffer(data + b"\0" * (-len(data) % 4), dtype=">u4").astype(np.uint64)
    digits = np.stack([(padded // 85 ** k) % 85 for k in (4, 3, 2, 1, 0)], axis=1)
    return np.frombuffer(ALPHABET, dtype=np.uint8)[digits.ravel()].tobytes().decode("ascii")


def build(train_per_class=1000, test_per_class=200):
    """The script's text and the sizes: (text, {'train', 'test', 'raw', 'compressed'})."""
    x_train, y_train = (t.numpy() for t in load_fashion_mnist_tensors(train=True))
    x_test, y_test = (t.numpy() for t in load_fashion_mnist_tensors(train=False))
    tr, te = balanced(y_train, train_per_class), balanced(y_test, test_per_class)
    residuals, context = residuals_and_contexts(np.concatenate([x_train[tr], x_test[te]]))
    order = np.argsort(context.ravel(), kind="stable")
    counts = np.bincount(context.ravel(), minlength=ACTIVITY_BINS * 4)
    raw = residuals.ravel()[order].tobytes() + y_train[tr].astype(np.uint8).tobytes() + \
        y_test[te].astype(np.uint8).tobytes()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    header = {"version": 2, "classes": 10, "train": len(tr), "test": len(te), "side": 28,
              "encoding": "paeth residuals by context, gzip, base85", "contexts": counts.tolist(),
              "length": len(packed)}
    text = ("/* Fashion-MNIST subset for d2lcnn's in-browser trainer (generated by tools/make_train_data.py; "
            "the dataset's licence: MIT, Zalando Research). */\n"
            "(typeof self !== 'undefined' ? self : this).d2lcnnTrainData = " + json.dumps(header)[:-1] +
            ', "bytes": "' + base85(packed) + '"};\n')
    return text, {"train": len(tr), "test": len(te), "raw": len(raw), "compressed": len(packed)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--train-per-class", type=int, default=1000)
    parser.add_argument("--test-per-class", type=int, default=200)
    args = parser.parse_args(argv)
    text, sizes = build(args.train_per_class, args.test_per_class)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}: {sizes['train']} training + {sizes['test']} test images, gzip stream "
          f"{sizes['compressed'] / 1e6:.2f} MB, script {len(text.encode()) / 1e6:.2f} MB")
    return args.out


if __name__ == "__main__":
    main()
