"""The stepper inside a real JupyterLab 4: run a cell, step it with buttons and keys.

JupyterLab renders a freshly run cell's HTML output with its scripts, and has
keyboard shortcuts of its own; this checks that the stepper's script runs there
and that its arrow keys reach it. Starts a JupyterLab server on 127.0.0.1 with
a throwaway notebook folder, drives it with Playwright and Debian's Chromium.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
import torch

import d2lcnn

from _browser import CHROMIUM, CHROMIUM_ARGS
from _deps import require_module, require_program

require_program(CHROMIUM, "chromium")
require_module("jupyterlab")
sync_api = require_module("playwright.sync_api")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import torch, d2lcnn\nX = torch.ones((6, 8)); X[:, 2:6] = 0\n"
        "d2lcnn.conv_stepper(X, torch.tensor([[1.0, -1.0]]))")]
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "stepper.ipynb")
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".config"), JUPYTER_RUNTIME_DIR=str(root / ".runtime"))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         "--allow-root", f"--ServerApp.root_dir={root}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_stepper_steps_in_jupyterlab(lab):
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    stepper_py = d2lcnn.conv_stepper(X, torch.tensor([[1.0, -1.0]]))
    errors = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{lab}/lab/tree/stepper.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=90_000)
        stepper = page.locator(".jp-OutputArea .d2s").first
        # A run requested before the kernel is up can be dropped; ask again until output appears.
        for _ in range(6):
            page.click(".jp-Cell .jp-InputArea-editor")
            page.keyboard.press("Shift+Enter")
            try:
                stepper.wait_for(timeout=20_000)
                break
            except sync_api.TimeoutError:
                continue
        stepper.wait_for(timeout=1_000)
        for _ in range(3):
            stepper.locator("[data-a=next]").click()
        assert stepper.locator(".d2s-math").text_content() == stepper_py.step_text(3, "en")
        stepper.focus()
        page.keyboard.press("ArrowRight")  # must reach the stepper, not JupyterLab's shortcuts
        assert stepper.locator(".d2s-pos").text_content() == f"5 / {stepper_py.num_steps}"
        assert stepper.locator(".d2s-math").text_content() == stepper_py.step_text(4, "en")
        browser.close()
    assert not errors, errors
