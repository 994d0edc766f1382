"""Under CI (CI=true) a test skipped for a missing dependency fails the run (the root conftest.py),
so that a missing install step cannot hide; elsewhere it is still a skip. Each case plants a missing
program or module in a small test file run by pytest in this process (pytester)."""
import importlib.util
import pathlib
import re

import pytest

pytest_plugins = ["pytester"]

REPO = pathlib.Path(__file__).resolve().parents[1]

PLANTED = '''
import pytest
from _deps import require_module, require_program

def test_needs_a_program():
    require_program("/nonexistent/d2lcnn-planted", "d2lcnn-planted")

def test_needs_a_module():
    require_module("d2lcnn_planted_module")

def test_importorskip():
    pytest.importorskip("d2lcnn_planted_module")

def test_skipped_on_purpose():
    pytest.skip("not for this case")

def test_passes():
    pass
'''


@pytest.fixture
def planted(pytester, monkeypatch):
    """A folder with the repository's root conftest.py, tests/_deps.py and the planted tests."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # the rule needs no plugin; loading them is slow
    pytester.makeconftest((REPO / "conftest.py").read_text())
    pytester.makepyfile(_deps=(REPO / "tests" / "_deps.py").read_text(), test_planted=PLANTED)
    pytester.syspathinsert()
    return pytester


def test_under_ci_a_missing_dependency_fails_the_run(planted, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = planted.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3, skipped=1, passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "*CI=true, so this skip fails the run: missing dependency: /nonexistent/d2lcnn-planted is not installed "
        "(bash tools/setup.sh installs it: Debian package d2lcnn-planted)",
        "*the set-up step (bash tools/setup.sh*should have installed it.",
        "*CI=true, so this skip fails the run: missing dependency: Python module d2lcnn_planted_module*",
        "*CI=true, so this skip fails the run: could not import 'd2lcnn_planted_module'*",
    ])


def test_without_ci_it_still_skips(planted, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    result = planted.runpytest_inprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=4, passed=1)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize("value, ci", [(None, False), ("", False), ("false", False), ("0", False), ("no", False),
                                       ("true", True), ("1", True), ("True", True), ("yes", True)])
def test_what_counts_as_ci(monkeypatch, value, ci):
    spec = importlib.util.spec_from_file_location("root_conftest", REPO / "conftest.py")
    root = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root)
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert root.running_under_ci() is ci


def test_under_ci_a_module_level_skip_stops_the_run(planted, monkeypatch):
    # Chromium missing: the browser test modules skip at import, which under CI ends collection.
    monkeypatch.setenv("CI", "true")
    planted.makepyfile(test_module_level='''
from _deps import require_program
require_program("/nonexistent/d2lcnn-planted", "d2lcnn-planted")

def test_never_runs():
    pass
''')
    result = planted.runpytest_inprocess("-p", "no:cacheprovider", "test_module_level.py")
    assert result.ret != pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*CI=true, so this skip fails the run: missing dependency: /nonexistent/d2lcnn-*"])
    assert "1 error" in result.stdout.str()


def test_every_skip_for_a_missing_dependency_goes_through_deps():
    """A test that calls pytest.importorskip, or skips naming an install, on its own would hide under CI."""
    offenders = []
    for path in sorted((REPO / "tests").glob("*.py")):
        if path.name in ("_deps.py", "test_ci_skips.py"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"importorskip\(|skip(if)?\(.*(install|not found|missing)", line, flags=re.I):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert not offenders, "use tests/_deps.py (require_program, require_module, skip_missing):\n" + "\n".join(offenders)
