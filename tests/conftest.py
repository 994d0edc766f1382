import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]

# The environment (profile, data folder, both-language outputs) is set by ../conftest.py.


@pytest.fixture(scope="session")
def data_root():
    """The Fashion-MNIST folder for tests, as the loader finds it: d2lcnn.default_data_root()
    ($D2LCNN_DATA, which pytest_configure points at ../shared/data beside the repo when unset)."""
    import d2lcnn  # here, not at the top: pytest's main process (with `-n 2`) then never imports torch
    root = d2lcnn.default_data_root()
    if not (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file():
        pytest.fail(f"Fashion-MNIST not found under {root}; set D2LCNN_DATA to a folder holding FashionMNIST/raw/")
    return root


@pytest.fixture(scope="session")
def site():
    """The website, built once per test session (tools/build_book.py; any Sphinx warning fails it)."""
    subprocess.run([sys.executable, str(REPO / "tools" / "build_book.py")], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL)
    return REPO / "_build" / "html"


@pytest.fixture(scope="session")
def served(site):
    """The built website served on 127.0.0.1; yields its base URL."""
    from _browser import serve
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright, one per test module (Playwright's sync API
    allows one running instance at a time, so a module's tests share it and close it at the end)."""
    from _browser import CHROMIUM, launch
    from _deps import require_module, require_program
    require_program(CHROMIUM, "chromium")
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
