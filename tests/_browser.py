"""What the browser tests (and benchmarks/stepper_bench.py) share: Debian's Chromium, its flags,
how to launch it, and a loopback file server."""
import contextlib
import functools
import http.server
import threading

CHROMIUM = "/usr/bin/chromium"
# Headless as root, and no background traffic: this machine's network is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def launch(playwright, executable=CHROMIUM):
    """Start headless Chromium with ``CHROMIUM_ARGS`` through a ``sync_playwright()`` handle."""
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(root):
    """Serve the folder ``root`` on 127.0.0.1 (a free port); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
