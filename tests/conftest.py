import pytest

import d2lcnn

# The environment (profile, data folder, both-language outputs) is set by ../conftest.py.


@pytest.fixture(scope="session")
def data_root():
    """The Fashion-MNIST folder for tests, as the loader finds it: d2lcnn.default_data_root()
    ($D2LCNN_DATA, which pytest_configure points at ../shared/data beside the repo when unset)."""
    root = d2lcnn.default_data_root()
    if not (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file():
        pytest.fail(f"Fashion-MNIST not found under {root}; set D2LCNN_DATA to a folder holding FashionMNIST/raw/")
    return root
