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


def guarded_page(browser, problems, init_script=None, **context_options):
    """A page in a new browser context (``context_options``: viewport, locale, color_scheme ...)
    that appends to ``problems`` every page error, console error, failed request and request to
    another host than 127.0.0.1 or a file (aborted: the book must work offline). ``init_script`` runs
    in the page before its own scripts."""
    from urllib.parse import urlparse

    def local(url):
        parts = urlparse(url)
        return parts.hostname == "127.0.0.1" or parts.scheme == "file"

    context = browser.new_context(**context_options)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if local(route.request.url)
               else (problems.append(f"external: {route.request.url}"), route.abort()))
    page.on("pageerror", lambda e: problems.append(f"{page.url}: page error: {e}"))
    page.on("console", lambda m: problems.append(f"{page.url}: console error: {m.text}") if m.type == "error" else None)
    def failed(request):
        if not local(request.url):
            return  # aborted external ones are listed already
        # The browser asks for the favicon on its own, after the page's load; the test's next goto
        # cancels that request (net::ERR_ABORTED) under load. A favicon that is missing is a 404, not this.
        if request.url.endswith("/favicon.svg") and "ERR_ABORTED" in (request.failure or ""):
            return
        problems.append(f"failed: {request.url} ({request.failure})")

    page.on("requestfailed", failed)
    return page
