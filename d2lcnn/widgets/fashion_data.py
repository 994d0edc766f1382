"""Four Fashion-MNIST test images for the steppers' presets.

The pixels live in ``fashion_samples.b64`` (package data, written by make_fashion.py):
4 x 28 x 28 uint8, row-major, base64, read once here.
"""
import functools
import pathlib

INDICES = (36, 1, 2, 6)  # positions in the test set (t10k)
CLASSES = ('Ankle boot', 'Trouser', 'Pullover', 'Bag')


@functools.lru_cache(maxsize=1)
def images_b64():
    """The four images as one base64 string (4 x 784 bytes)."""
    text = pathlib.Path(__file__).with_name("fashion_samples.b64").read_text(encoding="ascii")
    return "".join(text.split())
