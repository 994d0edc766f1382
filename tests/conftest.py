import os
import pathlib

import pytest

import d2lcnn

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def pytest_configure(config):
    # Notebook kernels inherit this environment: the quick profile keeps every
    # training cell to seconds, and the data folder defaults to the shared copy.
    os.environ.setdefault("D2LCNN_PROFILE", "quick")
    try:
        d2lcnn.current_profile()  # d2lcnn's own check: a misspelt profile stops here, not in a notebook
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    if not os.environ.get("D2LCNN_DATA") and (SHARED_DATA / "FashionMNIST").is_dir():
        os.environ["D2LCNN_DATA"] = str(SHARED_DATA)
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Figures render once per language, as in the committed outputs nbval compares with.
    os.environ["D2LCNN_OUTPUTS"] = "both"


@pytest.fixture(scope="session")
def data_root():
    """The Fashion-MNIST folder for tests, as the loader finds it: d2lcnn.default_data_root()
    ($D2LCNN_DATA, which pytest_configure points at ../shared/data beside the repo when unset)."""
    root = d2lcnn.default_data_root()
    if not (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file():
        pytest.fail(f"Fashion-MNIST not found under {root}; set D2LCNN_DATA to a folder holding FashionMNIST/raw/")
    return root
