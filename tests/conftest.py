import os
import pathlib

import pytest

SHARED_DATA = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_root():
    """The Fashion-MNIST folder for tests: $D2LCNN_DATA, else ../shared/data beside the repo."""
    root = pathlib.Path(os.environ.get("D2LCNN_DATA") or SHARED_DATA)
    if not (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file():
        pytest.fail(f"Fashion-MNIST not found under {root}; set D2LCNN_DATA to a folder holding FashionMNIST/raw/")
    return root
