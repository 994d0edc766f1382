"""tools/setup.sh, the README's set-up step, run with stand-ins for apt-get, sudo, id and python3
on a planted package list: it installs exactly what is missing, and says what to do where it cannot."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
SETUP = REPO / "tools" / "setup.sh"
BASH = shutil.which("bash")
LIST_START = "SYSTEM_PACKAGES=(\n"

pytestmark = pytest.mark.skipif(BASH is None or shutil.which("env") is None, reason="needs bash")

# A stand-in logs its name and arguments on one line (newlines in them as spaces), then runs ``tail``.
STUB = '#!{bash}\nargs="$*"\necho "${{0##*/}} ${{args//$\'\\n\'/ }}" >> "{log}"\n{tail}\n'


def _make(tmp_path, packages, *, apt=True, uid=0, sudo=True):
    """A copy of setup.sh whose list is ``packages`` (lines of the list), and a bin folder of stand-ins."""
    text = SETUP.read_text()
    start = text.index(LIST_START) + len(LIST_START)
    end = text.index("\n)\n", start)
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    (root / "tools" / "setup.sh").write_text(text[:start] + "\n".join(f'  "{p}"' for p in packages) + text[end:])
    (root / "requirements.txt").write_text("")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    log = tmp_path / "calls.log"
    log.touch()
    stubs = {"python3": "", "id": f'echo {uid}'}
    if apt:
        stubs["apt-get"] = ""
    if sudo:
        stubs["sudo"] = 'exec "$@"'
    for name, tail in stubs.items():
        path = bin_ / name
        path.write_text(STUB.format(bash=BASH, log=log, tail=tail))
        path.chmod(0o755)
    os.symlink(shutil.which("env"), bin_ / "env")
    return root, bin_, log


def _run(root, bin_, *args):
    return subprocess.run([BASH, str(root / "tools" / "setup.sh"), *args], capture_output=True, text=True,
                          env={"PATH": str(bin_)}, timeout=60)


PLANTED = ["present-pkg | true | something present", "planted-missing | false | the planted thing (elsewhere)"]


def test_installs_only_the_missing_packages_as_root(tmp_path):
    root, bin_, log = _make(tmp_path, PLANTED)
    done = _run(root, bin_)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls == ["id -u", "apt-get update -qq", "apt-get install -y -qq planted-missing",
                     calls[3], "python3 -m pip install -r requirements.txt"], calls
    assert calls[3].startswith("python3 -c")  # the check for a system-managed Python


def test_uses_sudo_when_not_root(tmp_path):
    root, bin_, log = _make(tmp_path, PLANTED, uid=1000)
    done = _run(root, bin_)
    assert done.returncode == 0, done.stderr
    calls = log.read_text()
    assert "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq planted-missing" in calls
    assert "python3 -m pip install -r requirements.txt" in calls


def test_without_sudo_says_what_to_run_as_root(tmp_path):
    root, bin_, log = _make(tmp_path, PLANTED, uid=1000, sudo=False)
    done = _run(root, bin_)
    assert done.returncode == 1
    assert "apt-get install -y planted-missing" in done.stderr
    assert "apt-get" not in log.read_text() and "pip" not in log.read_text()


def test_without_apt_lists_what_to_install_and_stops(tmp_path):
    root, bin_, log = _make(tmp_path, PLANTED, apt=False)
    done = _run(root, bin_)
    assert done.returncode == 1
    assert "no apt-get" in done.stderr
    assert "the planted thing (elsewhere)   (Debian/Ubuntu: planted-missing)" in done.stderr
    assert "something present" not in done.stderr
    assert "pip" not in log.read_text()


def test_nothing_missing_goes_straight_to_pip(tmp_path):
    root, bin_, log = _make(tmp_path, PLANTED[:1], apt=False)
    done = _run(root, bin_)
    assert done.returncode == 0, done.stderr
    assert "present-pkg" in done.stdout
    assert "python3 -m pip install -r requirements.txt" in log.read_text()


def test_check_installs_nothing_and_fails_while_something_is_missing(tmp_path):
    root, bin_, log = _make(tmp_path, PLANTED)
    done = _run(root, bin_, "--check")
    assert done.returncode == 1
    assert "would run:" in done.stdout and "planted-missing" in done.stdout
    assert "install" not in log.read_text()


def test_a_check_may_hold_pipes(tmp_path):
    # "a | b" inside the check column: the check is everything between the first and last "|".
    root, bin_, log = _make(tmp_path, ["piped | echo x | read -r y | piped thing"])
    done = _run(root, bin_, "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_list_entries_have_three_columns():
    text = SETUP.read_text()
    start = text.index(LIST_START) + len(LIST_START)
    body = text[start:text.index("\n)\n", start)]
    entries = re.findall(r'^\s*"([^"]*)"', body, flags=re.M)
    assert {"chromium", "fonts-noto-cjk", "npm"} <= {e.split("|")[0].strip() for e in entries}
    assert all(e.count("|") >= 2 for e in entries), entries


def test_readme_command_1_and_ci_run_the_set_up_script():
    readme = (REPO / "README.md").read_text()
    command_1 = readme[readme.index("# 1. "):readme.index("# 2. ")]
    assert "bash tools/setup.sh && python3 tools/build_book.py" in command_1
    ci = (REPO / ".ci" / "run").read_text()
    assert "\nbash tools/setup.sh\n" in ci and "apt-get install" not in ci  # no copy of its own
