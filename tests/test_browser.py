"""The steppers in a real browser: headless Chromium through Playwright.

A page holding several steppers is served from 127.0.0.1; the tests press the
buttons and keys a reader would and compare what the page shows with what
Python writes for the same step (``step_text``, ``steps.cells``,
``steps.winner``). Any console error, page error or request to another host fails
the test. Skipped only where Chromium or Playwright is missing (CI has both).
"""

import pytest
import torch
from torch import nn

from d2lcnn.widgets import conv_stepper, pool_stepper, receptive_field_view
from d2lcnn.widgets.frames import fmt, num

from _browser import CHROMIUM, guarded_page, serve
from _deps import require_module, require_program

require_program(CHROMIUM, "chromium")
require_module("playwright.sync_api")


def _steppers():
    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 10, (6, 7), generator=g).float()
    torch.manual_seed(0)
    return {
        "conv": conv_stepper(X, torch.tensor([[1.0, 0.0], [-1.0, 2.0]]), padding=(2, 1), stride=(2, 3), bias=1),
        "multi": conv_stepper(torch.randint(0, 5, (2, 4, 4), generator=g).float(),
                              torch.randint(-2, 3, (3, 2, 2, 2), generator=g).float(), padding=1),
        "layer": conv_stepper(torch.randn(1, 5, 5), nn.Conv2d(1, 2, 3, padding=1, dilation=(1, 2))),
        "max": pool_stepper(X, 3, stride=2, padding=1),
        "avg": pool_stepper(X, (2, 3), stride=(1, 2), padding=(1, 1), mode="avg"),
        "rf": receptive_field_view(torch.arange(25.0).reshape(5, 5), ((2, 2), (3, 2)), lang="en"),
        "auto": conv_stepper(X, torch.ones(2, 2), lang="auto"),
    }


STEPPERS = _steppers()


def _page(lang, names):
    body = "".join(f'<section id="{n}">{STEPPERS[n].html()}</section>' for n in names)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1"><title>steppers</title></head>'
            f'<body style="max-width:860px;margin:16px auto;padding:0 8px">{body}</body></html>')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(_page("en", list(STEPPERS)), encoding="utf-8")
    (root / "zh.html").write_text(_page("zh-CN", ["auto", "rf"]), encoding="utf-8")
    with serve(root) as url:
        yield url


@pytest.fixture
def open_page(browser, site):
    """Open a page; fail the test on console errors or on requests leaving 127.0.0.1."""
    problems, contexts = [], []

    def _open(path="index.html", width=1000, height=900):
        page = guarded_page(browser, problems, viewport={"width": width, "height": height})
        contexts.append(page.context)
        page.goto(f"{site}/{path}")
        return page

    yield _open
    for ctx in contexts:
        ctx.close()
    assert not problems, problems


def state(page, name):
    """What the stepper inside section ``name`` shows right now."""
    return page.evaluate("""name => {
        const r = document.querySelector('#' + name + ' .d2s');
        const idx = (g, sel) => Array.from(r.querySelectorAll('[data-g="' + g + '"] > i'))
            .map((el, n) => el.matches(sel) ? n : -1).filter(n => n >= 0);
        const y = Array.from(r.querySelectorAll('[data-g="y"] > i'));
        return {cur: idx('y', '.cur'), filled: y.filter(el => el.textContent !== '').map(el => el.textContent),
                window: idx('x0', '.w'), winner: idx('x0', '.win'), math: r.querySelector('.d2s-math').textContent,
                pos: (r.querySelector('.d2s-pos') || {}).textContent,
                slider: +(r.querySelector('[data-a=slider]') || {}).value,
                playing: r.classList.contains('d2s-playing'), lang: r.getAttribute('data-lang')};
    }""", name)


def expect_step(page, name, t, stepper=None):
    s = stepper or STEPPERS[name]
    width = s.steps.padded.shape[2]
    got = state(page, name)
    assert got["cur"] == [t]
    assert got["math"] == s.step_text(t, got["lang"])
    assert got["window"] == sorted(r * width + c for r, c in s.steps.cells(t))
    assert got["filled"] == [fmt(num(v)) for v in s.output.flatten()[:t + 1].tolist()]
    assert got["pos"] == f"{t + 1} / {s.num_steps}" and got["slider"] == t
    winner = getattr(s.steps, "winner", lambda t: None)(t)
    if winner is not None:
        assert got["winner"] == [winner[0] * width + winner[1]]


def test_next_prev_and_every_frame_of_a_padded_strided_convolution(open_page):
    page = open_page()
    s = STEPPERS["conv"]
    expect_step(page, "conv", 0)
    nxt = page.locator("#conv [data-a=next]")
    for t in range(1, s.num_steps):
        nxt.click()
        expect_step(page, "conv", t)
    nxt.click()  # stays on the last step
    expect_step(page, "conv", s.num_steps - 1)
    page.locator("#conv [data-a=prev]").click()
    expect_step(page, "conv", s.num_steps - 2)
    page.locator("#conv [data-a=reset]").click()
    expect_step(page, "conv", 0)
    # The other steppers on the page did not move.
    expect_step(page, "max", 0)


def test_output_channel_selector_and_float_weights(open_page):
    page = open_page()
    multi = STEPPERS["multi"]
    page.locator("#multi [data-a=oc]").select_option("2")
    for _ in range(5):
        page.locator("#multi [data-a=next]").click()
    expect_step(page, "multi", 5, multi.channel(2))
    page.locator("#multi [data-a=oc]").select_option("0")
    expect_step(page, "multi", 5, multi.channel(0))
    # Random float weights of an nn.Conv2d: the page writes the same digits as Python.
    layer = STEPPERS["layer"]
    slider = page.locator("#layer [data-a=slider]")
    for t in (3, 11, layer.num_steps - 1, 0):
        slider.fill(str(t))
        expect_step(page, "layer", t)
    page.locator("#layer [data-a=oc]").select_option("1")
    expect_step(page, "layer", 0, layer.channel(1))


def test_pooling_winner_and_mean(open_page):
    page = open_page()
    for name in ("max", "avg"):
        for t in range(STEPPERS[name].num_steps):
            expect_step(page, name, t)
            page.locator(f"#{name} [data-a=next]").click()


def test_clicking_an_output_cell_jumps_there(open_page):
    page = open_page()
    page.locator('#conv [data-g="y"] > i').nth(4).click()
    expect_step(page, "conv", 4)
    page.locator('#conv [data-g="y"] > i').nth(1).click()
    expect_step(page, "conv", 1)


def test_play_advances_and_pause_stops(open_page):
    page = open_page()
    page.locator("#max [data-a=play]").click()
    page.wait_for_function("() => document.querySelector('#max .d2s-pos').textContent.startsWith('3 /')",
                           timeout=10_000)
    page.locator("#max [data-a=play]").click()
    stopped = state(page, "max")
    assert not stopped["playing"]
    page.wait_for_timeout(2 * 700)
    assert state(page, "max")["cur"] == stopped["cur"]
    expect_step(page, "max", stopped["cur"][0])


def test_keyboard_arrows_and_space(open_page):
    page = open_page()
    root = page.locator("#conv .d2s")
    root.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect_step(page, "conv", 2)
    page.keyboard.press("End")
    expect_step(page, "conv", STEPPERS["conv"].num_steps - 1)
    page.keyboard.press("Home")
    page.keyboard.press(" ")
    assert state(page, "conv")["playing"]
    page.wait_for_function("() => document.querySelector('#conv .d2s-pos').textContent.startsWith('2 /')",
                           timeout=10_000)
    page.keyboard.press(" ")
    assert not state(page, "conv")["playing"]
    assert page.evaluate("window.scrollY") == 0  # space did not scroll the page


def test_receptive_field_click(open_page):
    page = open_page()
    view = STEPPERS["rf"]

    def lit(layer):
        return page.evaluate("""l => Array.from(document.querySelectorAll('#rf [data-g="l' + l + '"] > i'))
            .map((el, n) => el.classList.contains('r') ? n : -1).filter(n => n >= 0)""", layer)

    for layer, i, j in ((2, 1, 2), (1, 3, 0), (2, 0, 0)):
        w = view.shapes[layer][1]
        page.locator(f'#rf [data-g="l{layer}"] > i').nth(i * w + j).click()
        for lower, (r0, r1, c0, c1) in view.region(layer, i, j).items():
            width = view.shapes[lower][1]
            assert lit(lower) == [r * width + c for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
        assert page.locator("#rf .d2s-math").text_content() == view.text(layer, i, j)
    page.locator("#rf .d2s").focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#rf .d2s-math").text_content() == view.text(2, 0, 1)


def test_phone_width_has_no_horizontal_overflow(open_page):
    page = open_page(width=375, height=700)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    widths = page.evaluate("Array.from(document.querySelectorAll('.d2s')).map(r => r.getBoundingClientRect().right)")
    assert max(widths) <= 375
    page.locator("#conv [data-a=next]").click()  # buttons stay usable
    expect_step(page, "conv", 1)


def test_chinese_page_and_language_toggle(open_page):
    page = open_page("zh.html")
    assert state(page, "auto")["lang"] == "zh"  # lang='auto' follows <html lang="zh-CN">
    assert page.locator("#auto [data-a=next]").inner_text().startswith("下一步")
    expect_step(page, "auto", 0)
    # An explicit lang='en' wins over the page; the toggle switches both ways.
    assert page.locator("#rf .d2s-math").text_content() == STEPPERS["rf"].text(2, 0, 0, "en")
    page.locator("#rf [data-a=lang]").click()
    assert state(page, "rf")["lang"] == "zh"
    assert page.locator("#rf .d2s-math").text_content() == STEPPERS["rf"].text(2, 0, 0, "zh")
    page.locator("#rf [data-a=lang]").click()
    assert state(page, "rf")["lang"] == "en"
    assert page.locator("#rf .d2s-hint").is_hidden()  # the "run the cell" hint is for script-less views
