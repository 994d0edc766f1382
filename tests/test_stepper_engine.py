"""The steppers' in-page engine (stepper.js) against torch.nn.functional, in headless Chromium.

One saved page holds a convolution and a pooling stepper; the test drives them through their
documented handle (``root.d2lcnn``: set, output, shape, error) with random configurations:
inputs up to 28×28, several channels, kernel sizes, uneven padding per side, strides per axis,
dilation, max and average pooling. Every value must match torch (float64) to 1e-5 and every
shape exactly; an impossible configuration must give the very text of the Python ValueError
(``frames.window_error``), in the page's language, and never throw.
"""
import random
from urllib.parse import urlparse

import pytest
import torch
import torch.nn.functional as F

from d2lcnn.widgets import conv_stepper, pool_stepper
from d2lcnn.widgets.frames import size_lines, window_error

from _browser import CHROMIUM, CHROMIUM_ARGS, serve
from _deps import require_module, require_program

require_program(CHROMIUM, "chromium")
sync_api = require_module("playwright.sync_api")


def _page(lang, parts):
    body = "".join(f'<section id="{n}">{h}</section>' for n, h in parts.items())
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>engine</title></head>'
            f"<body>{body}</body></html>")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine")
    X = torch.arange(25.0).reshape(5, 5)
    parts = {"conv": conv_stepper(X, torch.ones(2, 2)).html(), "pool": pool_stepper(X, 2).html()}
    (root / "en.html").write_text(_page("en", parts), encoding="utf-8")
    (root / "zh.html").write_text(_page("zh-CN", parts), encoding="utf-8")
    problems = []
    with serve(root) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context()

        def guard(route):
            if urlparse(route.request.url).hostname != "127.0.0.1":
                problems.append(route.request.url)
                return route.abort()
            return route.continue_()

        ctx.route("**/*", guard)
        pg = ctx.new_page()
        pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        pg.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)

        def goto(name):
            pg.goto(f"{url}/{name}")
            return pg

        yield goto
        browser.close()
    assert not problems, problems


RUN = """cases => cases.map(c => {
    const el = document.querySelector('#' + c.kind + ' .d2s').d2lcnn;
    try {
        const err = el.set(c.config);
        return {err, shape: el.shape(), out: el.output()};
    } catch (e) { return {thrown: String(e)}; }
})"""


def _config(rng, kind):
    h, w = rng.randint(1, 28), rng.randint(1, 28)
    c_i = rng.randint(1, 3)
    kh, kw = rng.randint(1, 5), rng.randint(1, 5)
    pad = [rng.randint(0, 3) for _ in range(4)]
    stride = [rng.randint(1, 3), rng.randint(1, 3)]
    mode = rng.choice(["max", "avg"]) if kind == "pool" else None
    dil = [1, 1] if mode == "avg" else [rng.choice([1, 1, 2, 3]), rng.choice([1, 1, 2, 3])]
    if kind == "pool" and rng.random() < 0.85:
        # mostly legal pooling padding (at most half the window), sometimes not, to check the message
        half = [(d * (k - 1) + 1) // 2 for k, d in ((kh, dil[0]), (kw, dil[1]))]
        pad = [rng.randint(0, min(3, half[n // 2])) for n in range(4)]
    x = torch.randn(c_i, h, w, dtype=torch.float64, generator=torch.Generator().manual_seed(rng.randint(0, 2**31)))
    config = {"x": x.tolist(), "padding": pad, "stride": stride, "dilation": dil}
    if kind == "conv":
        c_o = rng.randint(1, 3)
        g = torch.Generator().manual_seed(rng.randint(0, 2**31))
        k = torch.randn(c_o, c_i, kh, kw, dtype=torch.float64, generator=g)
        b = torch.randn(c_o, dtype=torch.float64, generator=g)
        config.update(k=k.tolist(), bias=b.tolist())
    else:
        config.update(size=[kh, kw], mode=mode)
    return config


def _reference(kind, c):
    """torch's answer (float64): explicit per-side padding, then the layer without padding."""
    x = torch.tensor(c["x"], dtype=torch.float64)[None]
    t, b, l, r = c["padding"]
    if kind == "conv":
        k, bias = torch.tensor(c["k"], dtype=torch.float64), torch.tensor(c["bias"], dtype=torch.float64)
        return F.conv2d(F.pad(x, (l, r, t, b)), k, bias, stride=c["stride"], dilation=c["dilation"])[0]
    if c["mode"] == "max":
        return F.max_pool2d(F.pad(x, (l, r, t, b), value=float("-inf")), c["size"], c["stride"],
                            dilation=c["dilation"])[0]
    # zeros in the padding, counted in the divisor: avg_pool2d's count_include_pad=True
    return F.avg_pool2d(F.pad(x, (l, r, t, b)), c["size"], c["stride"])[0]


def _expected_error(kind, c, lang):
    x = c["x"]
    h, w = len(x[0]), len(x[0][0])
    size = tuple(c["size"]) if kind == "pool" else (len(c["k"][0][0]), len(c["k"][0][0][0]))
    t, b, l, r = c["padding"]
    return window_error(lang, kind, (h, w), ((t, b), (l, r)), size, tuple(c["dilation"]), c.get("mode"))


def test_engine_matches_torch_on_random_configurations(page):
    pg = page("en.html")
    rng = random.Random(14)
    cases = [{"kind": kind, "config": _config(rng, kind)} for kind in ["conv"] * 180 + ["pool"] * 160]
    results = []
    for n in range(0, len(cases), 50):
        results += pg.evaluate(RUN, cases[n:n + 50])
    compared = errors = 0
    seen = set()
    for case, got in zip(cases, results):
        kind, c = case["kind"], case["config"]
        assert "thrown" not in got, (c, got)
        expected = _expected_error(kind, c, "en")
        if expected:
            assert got["err"] == expected and got["out"] is None and got["shape"] is None
            errors += 1
            continue
        assert got["err"] == ""
        ref = _reference(kind, c)
        assert got["shape"] == list(ref.shape), c
        out = torch.tensor(got["out"], dtype=torch.float64)
        assert torch.allclose(out, ref, rtol=0, atol=1e-5), (c, (out - ref).abs().max())
        compared += 1
        seen.add((kind, c.get("mode"), c["padding"][0] != c["padding"][1] or c["padding"][2] != c["padding"][3],
                  max(c["dilation"]) > 1, len(c["x"]) > 1))
    assert compared >= 200 and errors >= 10, (compared, errors)
    # Both pooling modes, uneven padding, dilation and several channels were all exercised.
    assert ("pool", "max", True, True, True) in seen and ("pool", "avg", True, False, True) in seen
    assert ("conv", None, True, True, True) in seen


def test_python_value_error_text_and_chinese_page(page):
    pg = page("en.html")
    with pytest.raises(ValueError) as info:
        conv_stepper(torch.ones(3, 3), torch.ones(4, 4))
    got = pg.evaluate("""() => document.querySelector('#conv .d2s').d2lcnn.set(
        {x: [[1,1,1],[1,1,1],[1,1,1]], k: [[1,1,1,1],[1,1,1,1],[1,1,1,1],[1,1,1,1]], padding: 0, stride: 1, dilation: 1})""")
    assert got == str(info.value)
    # The error shows in the stepper, the panels hide, and a good configuration brings them back.
    assert pg.locator("#conv .d2s-err span[lang=en]").inner_text() == str(info.value)
    assert pg.locator("#conv .d2s-panels").is_hidden()
    assert pg.evaluate("() => document.querySelector('#conv .d2s').d2lcnn.set({padding: 1})") == ""
    assert pg.locator("#conv .d2s-panels").is_visible() and pg.locator("#conv .d2s-err").is_hidden()
    for call, kwargs in ((lambda: pool_stepper(torch.ones(3, 3), 2, padding=2), {"size": 2, "padding": 2}),
                         (lambda: pool_stepper(torch.ones(3, 3), 2, mode="avg", dilation=2),
                          {"size": 2, "mode": "avg", "dilation": 2})):
        with pytest.raises(ValueError) as info:
            call()
        cfg = dict(kwargs, x=[[1, 1, 1]] * 3)
        assert pg.evaluate("c => document.querySelector('#pool .d2s').d2lcnn.set(c)", cfg) == str(info.value)

    zh = page("zh.html")
    cfg = {"x": [[1.0] * 3] * 3, "size": [3, 4], "padding": [0, 0, 0, 0], "stride": 1, "mode": "max", "dilation": 1}
    got = zh.evaluate("c => document.querySelector('#pool .d2s').d2lcnn.set(c)", cfg)
    assert got == window_error("zh", "pool", (3, 3), (0, 0), (3, 4), (1, 1), "max") and "汇聚窗口" in got


def test_size_lines_and_controls_follow_the_configuration(page):
    pg = page("en.html")
    cfg = {"x": [[float(i * 7 + j) for j in range(7)] for i in range(6)], "k": [[1.0, -1.0], [0.5, 2.0]],
           "padding": [2, 0, 1, 3], "stride": [3, 3], "dilation": [1, 2]}
    assert pg.evaluate("c => document.querySelector('#conv .d2s').d2lcnn.set(c)", cfg) == ""
    lines = pg.evaluate("""() => Array.from(document.querySelectorAll('#conv .d2s-size div span[lang=en]'))
        .map(s => s.textContent)""")
    assert lines == size_lines((6, 7), (2, 2), ((2, 0), (1, 3)), (3, 3), (1, 2))["en"]
    assert any("⌋" in ln and "cannot hold" in ln for ln in lines)
    # A control recomputes: stride 1 on both axes.
    pg.select_option("#conv [data-c=sh]", "1")
    pg.select_option("#conv [data-c=sw]", "1")
    shape = pg.evaluate("() => document.querySelector('#conv .d2s').d2lcnn.shape()")
    x = torch.tensor(cfg["x"])[None, None]
    ref = F.conv2d(F.pad(x, (1, 3, 2, 0)), torch.tensor(cfg["k"])[None, None], dilation=(1, 2))
    assert shape == list(ref.shape[1:])
    got = pg.evaluate("() => document.querySelector('#conv .d2s').d2lcnn.output()")
    assert torch.allclose(torch.tensor(got), ref[0].double().float(), atol=1e-5)
    # Stepping still works on the new grids; the output cells fill in as the window moves.
    pg.click("#conv [data-a=next]")
    assert pg.locator("#conv .d2s-pos").inner_text() == f"2 / {shape[1] * shape[2]}"
    # Every control has an accessible name in the shown language.
    names = pg.evaluate("""() => Array.from(document.querySelectorAll('#pool [data-c]'))
        .map(c => c.getAttribute('aria-label'))""")
    assert all(names) and "padding, top" in names and "pooling" in names


def test_editing_cells_and_presets(page):
    pg = page("en.html")
    root = "document.querySelector('#conv .d2s')"
    pg.evaluate(f"() => {root}.d2lcnn.set({{x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], k: [[1, 0], [0, 1]], padding: 0,"
                " stride: 1, dilation: 1})")
    # Click the input cell (1, 1): an input opens; Escape cancels, Enter commits and recomputes.
    cell = pg.locator("#conv [data-g=x0] > i").nth(4)
    cell.click()
    pg.keyboard.type("10")
    pg.keyboard.press("Escape")
    assert pg.evaluate(f"() => {root}.d2lcnn.output()") == [[[6, 8], [12, 14]]]
    cell.click()
    pg.locator("#conv input.d2s-ed").fill("10")
    pg.keyboard.press("Enter")
    assert pg.evaluate(f"() => {root}.d2lcnn.output()") == [[[11, 8], [12, 19]]]
    # A kernel cell too.
    pg.locator("#conv [data-g=k0] > i").nth(1).click()
    pg.locator("#conv input.d2s-ed").fill("-1")
    pg.keyboard.press("Enter")
    assert pg.evaluate(f"() => {root}.d2lcnn.output()") == [[[9, 5], [2, 13]]]
    # Presets: a Fashion-MNIST image and a Sobel kernel give a 26×26 output drawn as pixels.
    pg.click("#conv [data-pre='x:fm0']")
    pg.click("#conv [data-pre='k:sobx']")
    assert pg.evaluate(f"() => {root}.d2lcnn.shape()") == [1, 26, 26]
    assert pg.locator("#conv .d2s-x.d2s-px").count() == 1 and pg.locator("#conv .d2s-y.d2s-px").count() == 1
    assert pg.locator("#conv [data-g=x0] > i").nth(14 * 28 + 14).get_attribute("title")
    from d2lcnn.widgets.fashion_data import images_b64
    import base64
    img = torch.tensor(list(base64.b64decode(images_b64())[:784]), dtype=torch.float64).reshape(1, 1, 28, 28)
    img = torch.round(img / 255 * 1000) / 1000
    sob = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=torch.float64)[None, None]
    got = torch.tensor(pg.evaluate(f"() => {root}.d2lcnn.output()"), dtype=torch.float64)
    assert torch.allclose(got, F.conv2d(img, sob)[0], atol=1e-5)
    pg.click("#conv [data-pre='x:edge']")
    pg.click("#conv [data-pre='k:edge']")
    assert pg.evaluate(f"() => {root}.d2lcnn.shape()") == [1, 6, 7]


def test_controls_work_from_the_keyboard(page):
    pg = page("en.html")
    root = "document.querySelector('#pool .d2s')"
    pg.evaluate(f"() => {root}.d2lcnn.set({{x: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]],"
                " size: 2, stride: 2, padding: 0, dilation: 1, mode: 'max'})")
    pg.focus("#pool [data-c=mode]")
    pg.keyboard.press("ArrowDown")  # max -> avg on a focused <select>
    assert pg.evaluate(f"() => {root}.d2lcnn.output()") == [[[3.5, 5.5], [11.5, 13.5]]]
    assert pg.evaluate(f"() => {root}.d2lcnn.config().mode") == "avg"
    # The <select>s are in the tab order after the stepping buttons.
    pg.focus("#pool [data-a=next]")
    tags = []
    for _ in range(4):
        pg.keyboard.press("Tab")
        tags.append(pg.evaluate("() => document.activeElement.getAttribute('data-c') || document.activeElement.tagName"))
    assert "mode" in tags and "pt" in tags


def test_engine_matches_the_case_table(page):
    """The page's side of tests/stepper_cases.json (tests/test_widgets.py runs Python's side): set each case
    through the handle, then the outputs against torch, every listed step's arithmetic (English, and Chinese
    on the Chinese page), the size lines, the max winner and the error text in both languages."""
    from test_widgets import CASES, case_reference
    read = """c => {
        const root = document.querySelector('#' + c.kind + ' .d2s'), el = root.d2lcnn;
        const config = {x: c.x, padding: c.padding, stride: c.stride, dilation: c.dilation};
        if (c.kind === 'conv') { config.k = c.k; config.bias = c.bias; } else { config.size = c.size; config.mode = c.mode; }
        const err = el.set(config), lines = {}, winner = {};
        for (const t of Object.keys(c.lines || {}).concat(Object.keys(c.lines_zh || {}))) lines[t] = el.lines(+t);
        for (const t of Object.keys(c.winner || {})) {
            root.querySelector('[data-a=slider]').value = t;
            root.querySelector('[data-a=slider]').dispatchEvent(new Event('input'));
            const cells = Array.from(root.querySelectorAll('[data-g="x0"] > i'));
            winner[t] = cells.findIndex(e => e.classList.contains('win'));
        }
        const lang = document.documentElement.lang.slice(0, 2);
        const size = Array.from(root.querySelectorAll('.d2s-size div span[lang=' + lang + ']')).map(s => s.textContent);
        return {err, out: el.output(), lines, winner, size};
    }"""
    for lang, key in (("en", "lines"), ("zh", "lines_zh")):
        pg = page("en.html" if lang == "en" else "zh.html")
        for case in CASES:
            got = pg.evaluate(read, case)
            if "error" in case:
                assert got["err"] == case["error"][lang] and got["out"] is None, case["name"]
                continue
            assert got["err"] == "", case["name"]
            out = torch.tensor(got["out"], dtype=torch.float64)
            assert torch.allclose(out, case_reference(case), atol=1e-5), case["name"]
            for t, text in case.get(key, {}).items():
                assert "\n".join(got["lines"][t]) == text, (case["name"], t)
            if lang == "en":
                assert got["size"] == case["size_lines"], case["name"]
                width = len(case["x"][0]) + 2 * (case["padding"] if isinstance(case["padding"], int) else case["padding"][1])
                for t, (r, c) in case.get("winner", {}).items():
                    assert got["winner"][t] == r * width + c, (case["name"], t)
