"""Skips for a missing dependency, all in one form: their reason starts with ``MISSING``, so that the
root conftest.py fails them under CI (``CI=true``), where a missing install step must not hide.

Every test that needs something the set-up installs (tools/setup.sh: its system packages, then
requirements.txt) asks for it here rather than calling ``pytest.skip``/``importorskip`` itself
(tests/test_ci_skips.py checks that)."""
import importlib
import os
import shutil

import pytest

MISSING = "missing dependency: "  # the root conftest.py matches this prefix
SETUP = "bash tools/setup.sh installs it"


def skip_missing(what, install=SETUP):
    """Skip (the test, or the module when called at its top) because ``what`` is not installed."""
    pytest.skip(f"{MISSING}{what} ({install})", allow_module_level=True)


def require_program(path, package):
    """Skip unless the executable ``path`` exists (``package``: the Debian package that provides it)."""
    if not os.path.exists(path):
        skip_missing(f"{path} is not installed", f"{SETUP}: Debian package {package}")


def require_module(name):
    """The module ``name``, imported; skip when it cannot be (requirements.txt installs it)."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        skip_missing(f"Python module {name} cannot be imported ({err})", f"{SETUP} from requirements.txt")


def require_cjk_font():
    """Skip unless fontconfig lists a CJK font (Debian package fonts-noto-cjk)."""
    from d2lcnn import lang
    if not shutil.which("fc-list") or not lang._system_cjk_files():
        skip_missing("fontconfig and a CJK font", f"{SETUP}: Debian package fonts-noto-cjk")
