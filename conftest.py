"""pytest settings for the whole repository: the tests in tests/ and the chapter notebooks (nbval).

It lives at the top so that it applies however pytest is started: `python3 -m pytest`
and `python3 -m pytest chapters/06_lenet.ipynb` run the notebooks alike.
"""
import os
import pathlib

import pytest

SHARED_DATA = pathlib.Path(__file__).resolve().parent.parent / "shared" / "data"


def _profiles():
    """d2lcnn/profiles.py, loaded from its file: it imports nothing from d2lcnn, and importing the package
    would import torch in pytest's main process (with `-n 2` that delays the workers' start by seconds)."""
    import importlib.util
    package = pathlib.Path(importlib.util.find_spec("d2lcnn").origin).parent  # found, not imported
    spec = importlib.util.spec_from_file_location("_d2lcnn_profiles", package / "profiles.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # One of several pytest-xdist workers (`-n 2`, the fast subset in the README): one thread each.
        # With torch's default of a thread per core, the workers' thread pools fight over the cores and a
        # pool spinning while it waits for its other thread made single tests many times slower.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import torch
        torch.set_num_threads(1)
    # Notebook kernels inherit this environment: the quick profile keeps every
    # training cell to seconds, and the data folder defaults to the shared copy.
    os.environ.setdefault("D2LCNN_PROFILE", "quick")
    try:
        _profiles().current_profile()  # d2lcnn's own check: a misspelt profile stops here, not in a notebook
    except ValueError as err:
        raise pytest.UsageError(str(err)) from None
    if not os.environ.get("D2LCNN_DATA") and (SHARED_DATA / "FashionMNIST").is_dir():
        os.environ["D2LCNN_DATA"] = str(SHARED_DATA)
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Figures render once per language, as in the committed outputs nbval compares with.
    os.environ["D2LCNN_OUTPUTS"] = "both"


# A skip for a missing dependency (tests/_deps.py writes its reason with this prefix; pytest's own
# importorskip says "could not import"). Under CI it fails instead: a missing install step must not hide.
MISSING_DEPENDENCY = ("missing dependency: ", "could not import ")


def running_under_ci():
    """CI=true (set by GitHub Actions and most CI services, and by .ci/run)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _fail_missing_dependency(report):
    """Turn ``report``, a skip for a missing dependency, into a failure that says what to install."""
    if not report.skipped or not running_under_ci() or not isinstance(report.longrepr, tuple):
        return
    reason = str(report.longrepr[2]).removeprefix("Skipped: ")
    if reason.startswith(MISSING_DEPENDENCY):
        report.outcome = "failed"
        report.longrepr = (f"CI=true, so this skip fails the run: {reason}\nUnder CI a missing dependency must not "
                           "hide: the set-up step (bash tools/setup.sh: its system packages, then requirements.txt) "
                           "should have installed it.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_missing_dependency(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A module-level skip (Chromium missing) ends collection as a failure, so the run stops at once.
    outcome = yield
    _fail_missing_dependency(outcome.get_result())


# Fixtures that start a browser, JupyterLab or a website build: a test that uses one is slow.
SLOW_FIXTURES = {"browser", "page", "open_page", "site", "served", "lab"}


def pytest_ignore_collect(collection_path, config):
    """With `-m "not slow"` (the fast subset) the notebooks are not read at all: each of their cells is
    marked slow below, so collecting them only to deselect every one cost each process seconds."""
    if collection_path.suffix == ".ipynb" and (config.getoption("markexpr") or "").split() == ["not", "slow"]:
        return True
    return None


def pytest_collection_modifyitems(config, items):
    """Mark the slow tests `slow`, so that `python3 -m pytest -m "not slow"` runs the unit tests alone:
    every notebook cell (nbval collects them from chapters/, where no marker can be written) and
    every test that needs a browser, JupyterLab or the built website."""
    slow = pytest.mark.slow
    for item in items:
        if item.path.suffix == ".ipynb" or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(slow)

