"""Write ``fashion_samples.b64``: four Fashion-MNIST test images (28×28 uint8) for the steppers' presets.

Run once from the repository root (the data set is not in the repository):
    D2LCNN_DATA=/path/holding/FashionMNIST python3 -m d2lcnn.widgets.make_fashion
It takes the first test image of each class in ``CLASSES`` and stores the four images as one
base64 string of 4 × 784 bytes, row-major, which the page's script decodes.
"""
import base64
import gzip
import os
import pathlib

CLASSES = (9, 1, 2, 8)  # ankle boot, trouser, pullover, bag
NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _read(path):
    raw = pathlib.Path(path)
    if not raw.exists() and pathlib.Path(str(raw) + ".gz").exists():
        return gzip.open(str(raw) + ".gz").read()
    return raw.read_bytes()


def main():
    root = pathlib.Path(os.environ.get("D2LCNN_DATA", "data")) / "FashionMNIST" / "raw"
    images, labels = _read(root / "t10k-images-idx3-ubyte")[16:], _read(root / "t10k-labels-idx1-ubyte")[8:]
    picked = [labels.index(bytes([c])) for c in CLASSES]
    data = b"".join(images[i * 784:(i + 1) * 784] for i in picked)
    text = base64.b64encode(data).decode()
    # The indices and class names in fashion_data.py must match CLASSES above.
    out = pathlib.Path(__file__).with_name("fashion_samples.b64")
    out.write_text("\n".join(text[n:n + 96] for n in range(0, len(text), 96)) + "\n", encoding="ascii")
    print(out, picked, len(text))


if __name__ == "__main__":
    main()
