"""Check-yourself questions (d2lcnn/widgets/quiz.py, quiz.js, quiz.css; issue 31).

- Every numeric question in the chapters' saved outputs is recomputed here by another route (the
  layer run in torch, a formula, a parameter count by hand) and the page must accept that value and
  reject a planted wrong one.
- Every question in the chapters is there in both languages, explains every option, and links a
  heading that exists; a predict-the-output question's right option is what the next cell printed.
- In Chromium: answer right, wrong, then right by keyboard, one question of each kind in both
  languages, as a notebook output (scripts inline) and as the website serves it (one quiz.js);
  the chapter's tally survives a reload; axe finds nothing before, during and after.
- Bad arguments raise errors that say what to do.
"""
import math
import pathlib
import re

import nbformat
import pytest
import torch
from torch import nn

import d2lcnn
from d2lcnn.widgets import quiz

REPO = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((REPO / "chapters").glob("*.ipynb"))


# ------------------------------------------------------------- the chapters' questions

def _out(h, k, p=0, s=1):
    """Output size along one axis by the formula's other form: count the window positions."""
    return len(range(0, h + p - k + 1, s))


def _params(module):
    return sum(p.numel() for p in module.parameters())


def _receptive_area(kernel_sizes, n=16):
    """How many input pixels one output of stacked all-ones convolutions depends on."""
    x = torch.ones(1, 1, n, n, requires_grad=True)
    y = x
    for k in kernel_sizes:
        y = torch.nn.functional.conv2d(y, torch.ones(1, 1, k, k))
    grad, = torch.autograd.grad(y[0, 0, 0, 0], x)
    return int((grad != 0).sum())


def _conv_macs(c_in, c_out, k, n, p=0):
    """Multiply-adds of a k x k convolution on an n x n map, counted on its im2col form: every output position
    (a column of F.unfold) is a dot product of c_in * k * k numbers, once per output channel."""
    cols = torch.nn.functional.unfold(torch.zeros(1, c_in, n, n), k, padding=p)
    return c_out * cols.shape[1] * cols.shape[2]


def _shape(net, shape):
    with torch.no_grad():
        return tuple(net(torch.zeros(shape)).shape)


# Each numeric question's answer by an independent route: question id -> value.
RECOMPUTE = {
    # 00a: cross-entropy from its definition; the MLP's parameters layer by layer
    "ch00a-ce": lambda: -math.log(0.25),
    "ch00a-mlp-params": lambda: (784 * 128 + 128) + (128 * 10 + 10),
    # 01: a dense layer counted by hand; a 5x5 kernel's parameters from the module, at another image size
    "ch01-dense-params": lambda: 100 * 100 * 100 + 100,
    "ch01-conv-size": lambda: 5 * 5 + 1,
    # 02: parameters by hand; the receptive field by F.conv2d's gradient (the page used corr2d's)
    "ch02-params": lambda: 8 * 3 * 3 * 3 + 8,
    "ch02-rf": lambda: _receptive_area([3, 3]),
    # 03: padding that keeps the size, by the window count; the output height of ResNet's stem, likewise
    "ch03-same-pad": lambda: next(p for p in range(7) if _out(28, 7, 2 * p) == 28),
    "ch03-stride-out": lambda: _out(224, 7, 6, 2),
    # 05: a pooling layer's state holds nothing; PyTorch's default stride is the window
    "ch05-params": lambda: sum(t.numel() for t in nn.MaxPool2d(2).state_dict().values()),
    "ch05-default-stride": lambda: _out(6, 3, 0, 3),
    # 04: a kernel per output channel counted by hand; a 1x1 layer's MACs as one matrix product's
    "ch04-params": lambda: 16 * (3 * 5 * 5 + 1),
    "ch04-1x1-macs": lambda: (torch.zeros(32, 64) @ torch.zeros(64, 28 * 28)).numel() * 64,
    # 06: LeNet's flattened size through the formula; the loss of uniform guessing from its definition
    "ch06-flatten": lambda: 16 * _out(_out(_out(_out(28, 5, 4), 2, 0, 2), 5), 2, 0, 2) ** 2,
    "ch06-chance-loss": lambda: math.log(10),
    # 07: AlexNet's first layer by the window count; conv2 split in two, counted by hand
    "ch07-conv1": lambda: _out(224, 11, 2, 4),
    "ch07-two-gpu": lambda: 256 * (96 // 2) * 5 * 5 + 256,
    # 08: a padded block then pooling; five halvings
    "ch08-block": lambda: _out(_out(_out(32, 3, 2), 3, 2), 2, 0, 2),
    "ch08-final-size": lambda: 224 // 2 ** 5,
    # 08: a quarter of the channels, multiply-adds counted on the im2col form
    "ch08-narrow": lambda: _conv_macs(256, 256, 3, 56, 1) / _conv_macs(64, 64, 3, 56, 1),
    # 09: NiN's last block counted by hand
    "ch09-head": lambda: (384 * 10 * 3 * 3 + 10) + 2 * (10 * 10 + 10),
    # 09: the second block's 5x5 convolution, multiply-adds on the im2col form, in millions
    "ch09-macs": lambda: _conv_macs(96, 256, 5, 26, 2) / 1e6,
    # 10: GoogLeNet's stem by the window count: the strided convolution, then the padded pooling
    "ch10-stem": lambda: _out(_out(96, 7, 6, 2), 3, 2, 2),
    # 14: a convolution's cost grows with the area of its map
    "ch14-input-size": lambda: (224 / 96) ** 2,
    # 14: a stage later, twice the channels on half the side: the same multiply-adds
    "ch14-stage-cost": lambda: _conv_macs(256, 256, 3, 6, 1) / _conv_macs(128, 128, 3, 12, 1),
    # 13: the growth rate times the blocks, plus the input
    "ch13-channels": lambda: 64 + 4 * 32,
    # 13: unit 3 reads 64 + 2 * 32 channels: a scale and a shift each, then a bias-free 3x3 convolution
    "ch13-unit-params": lambda: 2 * (64 + 2 * 32) + 3 * 3 * (64 + 2 * 32) * 32,
    # 11: one channel's values in a batch; gamma and beta per channel
    "ch11-count": lambda: 256 * 24 * 24,
    "ch11-params": lambda: 2 * 16,
    # 12: two bias-free 3x3 convolutions and two batch norms, by hand
    "ch12-params": lambda: 2 * (64 * 64 * 3 * 3 + 2 * 64),
}


def chapter_questions():
    """[(chapter path, cell index, payload, output html, lang)] for every question output in the chapters."""
    found = []
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for n, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html", "")
                html = "".join(html) if isinstance(html, list) else html
                for payload in quiz.read_questions(html):
                    lang = out.get("metadata", {}).get("d2lcnn", {}).get("lang")
                    found.append((path, n, payload, html, lang))
    return found


QUESTIONS = chapter_questions()


def _accepts(payload, value):
    """The page's rule (quiz.js answer()) applied to a saved payload."""
    if payload["k"] == "num":
        a = payload["a"]
        return abs(value - a) <= payload["tol"] + 1e-9 * max(1, abs(a))
    return value == payload["a"]


def test_the_accept_rule_is_the_question_objects():
    q = quiz.numeric_question("ch99-x", ("q", "问"), 2.5, ("e", "解"), ("S", "节"), tolerance=0.1)
    for value in (2.5, 2.45, 2.6, 2.39, 3, -2.5):
        assert q.accepts(value) == _accepts(q.payload(), value)


@pytest.mark.parametrize("qid", sorted({p["id"] for _, _, p, _, _ in QUESTIONS if p["k"] == "num"}))
def test_every_numeric_answer_is_recomputed_by_another_route(qid):
    assert qid in RECOMPUTE, f"{qid}: add an independent computation of its answer to RECOMPUTE"
    value = RECOMPUTE[qid]()
    for path, _, payload, _, _ in QUESTIONS:
        if payload["id"] == qid:
            assert _accepts(payload, value), f"{path.name} {qid}: the page wants {payload['a']}, recomputed {value}"
            planted = value + payload["tol"] + max(1, abs(value) * 1e-3)
            assert not _accepts(payload, planted), f"{qid}: a wrong answer {planted} is accepted"


def test_a_planted_wrong_answer_fails_the_check():
    q = quiz.numeric_question("ch99-x", ("q", "问"), _params(nn.Conv2d(3, 8, 3)), ("e", "解"), ("S", "节"))
    assert _accepts(q.payload(), 224) and not _accepts(q.payload(), 225) and not _accepts(q.payload(), 216)


def test_the_chapters_have_questions_in_both_languages():
    by_id = {}
    for path, n, payload, html, lang in QUESTIONS:
        by_id.setdefault(payload["id"], []).append((path, n, lang, payload))
    assert by_id, "no question found in the chapters"
    for qid, where in by_id.items():
        assert sorted(w[2] for w in where) == ["en", "zh"], f"{qid}: one output per language, tagged, in {where}"
        assert len({w[0] for w in where}) == 1 and len({w[1] for w in where}) == 1, f"{qid} appears twice"
        a, b = (dict(w[3], L=None) for w in where)
        assert a == b, f"{qid}: the two languages' outputs disagree"
        assert qid.split("-")[0] == "ch" + re.match(r"(\d\d[a-z]?)_", where[0][0].name)[1], \
            f"{qid} is in {where[0][0].name}: its id must start with that chapter's number"


def test_saved_questions_carry_the_current_script_and_stylesheet():
    """nbval compares the saved outputs, scripts included: after a change to quiz.js or quiz.css, rewrite the
    chapters' question outputs with quiz.refresh_assets."""
    stale = sorted({f"{path.name} {payload['id']}" for path, _, payload, html, _ in QUESTIONS
                    if quiz.refresh_assets(html) != html})
    assert not stale, f"saved questions with an old quiz.js/quiz.css (use quiz.refresh_assets): {stale}"


def _headings(nb, lang):
    heads = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and lang in cell.metadata.get("tags", []):
            heads |= {m.strip().replace("`", "") for m in re.findall(r"^#{1,4} (.+)$", cell.source, re.M)}
    return heads


@pytest.mark.parametrize("path", sorted({q[0] for q in QUESTIONS}), ids=lambda p: p.stem)
def test_every_question_explains_every_option_and_links_a_heading(path):
    nb = nbformat.read(path, as_version=4)
    for _, n, payload, html, lang in (q for q in QUESTIONS if q[0] == path):
        whys = re.search(r'<div class="d2q-why" hidden>(.*?)</div><!--/d2q-why-->', html, re.S)[1]
        parts = re.findall(r'<p data-o="(\w+)"[^>]*>(.*?)</p>', whys, re.S)
        wanted = ["a"] if payload["k"] == "num" else [str(i) for i in range(payload["n"])]
        assert [p[0] for p in parts] == wanted, f"{payload['id']}: explanations {[p[0] for p in parts]}"
        for _, body in parts:
            for code in ("en", "zh"):
                text = re.search(rf'<span lang="{code}">([^<]+)</span>(?!.*<b>)', body, re.S)
                assert text and text[1].strip(), f"{payload['id']}: an explanation lacks its {code} text"
        link = re.search(r'class="d2q-link" href="[^"]*" data-en="([^"]*)" data-zh="([^"]*)"', html)
        for code, heading in zip(("en", "zh"), link.groups()):
            from html import unescape
            assert unescape(heading) in _headings(nb, code), \
                f"{payload['id']}: no {code} heading {heading!r} in {path.name}"
        if payload["k"] == "pred":
            nxt = nb.cells[n + 1]
            assert nxt.cell_type == "code", f"{payload['id']}: a predict question must be followed by its code cell"
            printed = "".join(o.get("text", "") for o in nxt.outputs if o.get("output_type") == "stream")
            printed += "".join(o.get("data", {}).get("text/plain", "") for o in nxt.outputs)
            options = re.findall(r'<label class="d2q-opt">.*?<code>(.*?)</code>', html, re.S)
            from html import unescape
            assert unescape(options[payload["a"]]).strip() in printed, \
                f"{payload['id']}: the right option is not what the next cell printed ({printed!r})"


# ------------------------------------------------------------------- the machinery

def _num(**kw):
    args = dict(qid="ch03-out", question=("How tall?", "多高？"), answer=3, explanation=("e", "解"),
                section=("Padding", "填充"))
    args.update(kw)
    return quiz.numeric_question(**args)


def _one(**kw):
    args = dict(qid="ch03-pad", question=("Does padding add parameters?", "填充会增加参数吗？"),
                options=[("Yes", "会"), ("No", "不会")], answer=1,
                explanations=[("It adds zeros, not weights.", "填充只加零，不加权重。"), ("Right.", "对。")],
                section=("Padding", "填充"))
    args.update(kw)
    return quiz.choice_question(**args)


@pytest.mark.parametrize("call, error, message", [
    (lambda: _num(qid="q1"), ValueError, r"must look like 'ch05-max-linear'"),
    (lambda: _num(question="How tall?"), TypeError, r"question must be a pair \(English, Chinese\)"),
    (lambda: _num(question=("How tall?", "")), ValueError, r"question: the Chinese text must be a non-empty"),
    (lambda: _num(question={"en": "a"}), ValueError, r"exactly the keys 'en' and 'zh'"),
    (lambda: _num(answer="3"), TypeError, r"answer must be a number computed by the cell, got str"),
    (lambda: _num(answer=torch.ones(2, 2)), TypeError, r"one number, got a tensor of shape \(2, 2\)"),
    (lambda: _num(answer=float("nan")), ValueError, r"answer must be finite"),
    (lambda: _num(tolerance=-1), ValueError, r"tolerance must be 0 or more"),
    (lambda: _one(answer=2), ValueError, r"index of the right option, 0 to 1, got 2"),
    (lambda: _one(explanations=[("a", "甲")]), ValueError, r"one explanation per option \(2\), got 1"),
    (lambda: _one(options=[("Yes", "会")], explanations=[("a", "甲")]), ValueError, r"2 to 6 options"),
    (lambda: _one(options=[("Yes", "会"), ("Yes", "是")]), ValueError, r"two options have the same text"),
    (lambda: quiz.predict_question("ch05-p", ("What?", "什么？"), ["1", "2"], "3", [("a", "甲"), ("b", "乙")],
                                   ("S", "节")), ValueError, r"computed output '3' is not one of the options"),
    (lambda: _num().html("fr"), ValueError, r"unknown lang 'fr'"),
])
def test_bad_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_tensor_answer_and_a_computed_predict_answer():
    q = _num(answer=torch.tensor(7), tolerance=torch.tensor(0.5))
    assert q.answer == 7.0 and q.tolerance == 0.5
    p = quiz.predict_question("ch05-p", ("What?", "什么？"), ["torch.Size([1, 2])", "torch.Size([2])"],
                              str(torch.zeros(2).shape), [("a", "甲"), ("b", "乙")], ("S", "节"))
    assert p.answer == 1


def test_html_is_deterministic_self_contained_and_bilingual():
    q = _one()
    assert q.html("en") == _one().html("en") and q.html("en") != q.html("zh")
    html = q.html("auto")
    assert 'data-auto="1"' in html and "<style>" in html and "d2lcnnQuiz" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "a question must load nothing"
    assert "<fieldset>" in html and "<legend>" in html and 'aria-live="polite"' in html
    assert "填充会增加参数吗？" in html and "Does padding add parameters?" in html
    assert quiz.read_questions(html)[0]["a"] == 1
    stripped = quiz.without_explanations(html)
    assert "It adds zeros" not in stripped and "Does padding add parameters?" in stripped


def test_in_a_notebook_it_shows_once_per_output_language(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, metadata=None: shown.append((obj, metadata)))
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    InteractiveShell.instance()
    _one()._ipython_display_()
    assert [m["d2lcnn"]["lang"] for _, m in shown] == ["en", "zh"]
    assert 'data-lang="zh"' in shown[1][0].data and 'data-auto="1"' not in shown[1][0].data


def test_the_website_serves_one_script_and_can_drop_the_explanations(tmp_path):
    from d2lcnn.widgets.site import QUIZ_FILE, serve_quiz_once
    page = tmp_path / "chapters" / "a.html"
    page.parent.mkdir()
    heading = '<section id="id2">\n<h2>填充<a class="headerlink" href="#id2" title="Link">#</a></h2>'
    page.write_text(f"<html><head></head><body>{heading}{_one().html('zh')}{_num().html('zh')}</body></html>")
    (tmp_path / "b.html").write_text("<html><head></head><body>no question</body></html>")
    assert serve_quiz_once(tmp_path) == 1
    text = page.read_text()
    assert text.count("<style>") == 1 and text.count("<script>") == 0
    assert f'<script defer src="../_static/{QUIZ_FILE}?v=' in text
    assert (tmp_path / "_static" / QUIZ_FILE).read_text() == quiz.library_js()
    assert "It adds zeros" in text
    assert text.count('class="d2q-link" href="#id2"') == 2, "the link goes to the heading's id on this page"
    assert serve_quiz_once(tmp_path) == 0, "a page rewritten again stays as it was"
    serve_quiz_once(tmp_path, explanations=False)
    assert "It adds zeros" not in page.read_text() and len(quiz.read_questions(page.read_text())) == 2


def test_package_data_lists_the_script_and_stylesheet():
    text = (REPO / "pyproject.toml").read_text()
    assert '"quiz.js"' in text and '"quiz.css"' in text


# ------------------------------------------------------------------------ browser

def _kinds():
    pred = quiz.predict_question(
        "ch05-shape", ("What does the next cell print?", "下一个单元格输出什么？"),
        ["torch.Size([1, 2, 2, 2])", "torch.Size([1, 1, 2, 2])"], str(torch.Size([1, 2, 2, 2])),
        [("Pooling keeps the channels.", "汇聚保留通道数。"), ("It does not sum channels.", "汇聚不对通道求和。")],
        ("Multiple Channels", "多个通道"))
    return {"num": _num(), "one": _one(), "pred": pred}


def _page(lang, inline=True):
    body = "".join(q.html("auto") for q in _kinds().values())
    heads = "<h1>Questions</h1><h2 id='padding'>Padding</h2><h2 id='tianchong'>填充</h2>"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>q</title></head>'
            f"<body><main>{heads}{body}</main></body></html>")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Questions as notebook outputs (inline/) and as the website serves them (site/), in each language."""
    from d2lcnn.widgets.site import serve_quiz_once

    from _browser import serve
    root = tmp_path_factory.mktemp("quiz")
    for where in ("inline", "site"):
        (root / where).mkdir()
        for lang in ("en", "zh"):
            (root / where / f"{lang}.html").write_text(_page(lang), encoding="utf-8")
    serve_quiz_once(root / "site")
    with serve(root) as url:
        yield url


ANSWERS = {"num": ("3", "4"), "one": ("1", "0"), "pred": ("0", "1")}
RIGHT = {"en": "Right.", "zh": "正确。"}
WRONG = {"en": "Not quite.", "zh": "不对。"}


def _feedback(box):
    return box.locator(".d2q-fb").inner_text().strip()


@pytest.mark.parametrize("where", ["inline", "site"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_right_wrong_then_right_by_keyboard(browser, pages, lang, where):
    from test_accessibility import audit

    from _browser import guarded_page
    problems = []
    page = guarded_page(browser, problems, viewport={"width": 375, "height": 812})
    page.goto(f"{pages}/{where}/{lang}.html", wait_until="load")
    found = audit(page, "before")
    for kind, (right, wrong) in ANSWERS.items():
        box = page.locator(f".d2q-{kind}")
        box.scroll_into_view_if_needed()
        assert box.get_attribute("data-lang") == lang
        # right, by mouse
        if kind == "num":
            box.locator("input").fill(right)
        else:
            box.locator(f"input[value='{right}']").check()
        box.locator("[data-a=check]").click()
        assert _feedback(box).startswith(RIGHT[lang])
        assert box.locator(".d2q-why").is_visible()
        # wrong
        if kind == "num":
            box.locator("input").fill(wrong)
        else:
            box.locator(f"input[value='{wrong}']").check()
        box.locator("[data-a=check]").click()
        assert _feedback(box).startswith(WRONG[lang])
        if kind != "num":  # the wrong option's own explanation is shown
            assert box.locator(f".d2q-why p[data-o='{wrong}']").is_visible()
            assert not box.locator(f".d2q-why p[data-o='{right}']").is_visible()
        found += audit(page, f"{kind} wrong")
        # right again, keyboard only
        if kind == "num":
            box.locator("input").focus()
            page.keyboard.press("Control+A")
            page.keyboard.type(right)
            page.keyboard.press("Enter")
        else:
            box.locator(f"input[value='{wrong}']").focus()
            page.keyboard.press("ArrowDown" if right > wrong else "ArrowUp")
            assert box.locator(f"input[value='{right}']").is_checked()
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.dataset.a") == "check"
            page.keyboard.press("Enter")
        assert _feedback(box).startswith(RIGHT[lang])
    assert page.locator(".d2q-tally").first.inner_text() == (
        "This chapter: 2 of 2 answered right" if lang == "en" else "本章：共 2 题，已答对 2 题")
    # reveal shows every explanation, and every question fits the phone's width
    page.locator(".d2q-one [data-a=reveal]").click()
    assert page.locator(".d2q-one .d2q-why p").count() == 2 and page.locator(".d2q-one .d2q-why p").nth(1).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    found += audit(page, "after")
    page.context.close()
    assert not found, found
    assert not problems, problems


def test_the_tally_persists_across_a_reload(browser, pages):
    from _browser import guarded_page
    problems = []
    page = guarded_page(browser, problems)
    page.goto(f"{pages}/site/en.html", wait_until="load")
    tally = page.locator(".d2q-num .d2q-tally")
    assert tally.inner_text() == "This chapter: 0 of 2 answered right"  # ch03 has two questions on this page
    page.locator(".d2q-num input").fill("3")
    page.locator(".d2q-num [data-a=check]").click()
    assert tally.inner_text() == "This chapter: 1 of 2 answered right"
    assert page.locator(".d2q-one .d2q-tally").inner_text() == tally.inner_text()  # same chapter, same tally
    page.reload(wait_until="load")
    assert page.locator(".d2q-num .d2q-tally").inner_text() == "This chapter: 1 of 2 answered right"
    assert page.locator(".d2q-pred .d2q-tally").inner_text() == "This chapter: 0 of 1 answered right"
    # another edition keeps its own progress
    page.goto(f"{pages}/site/zh.html", wait_until="load")
    assert page.locator(".d2q-num .d2q-tally").inner_text() == "本章：共 2 题，已答对 0 题"
    page.context.close()
    assert not problems, problems


# ------------------------------------------------------------------ instructor build

def _first_sentence(text):
    """The first sentence of an answer block (its words, without Markdown or HTML), at least a few words long."""
    body = re.sub(r"<[^>]+>|\$[^$]*\$|`[^`]*`|\[([^\]]*)\]\([^)]*\)", r"\1", text)
    body = " ".join(body.replace("Answer", "", 1).replace("答案", "", 1).split())
    first = re.split(r"(?<=[.。;；])\s*", body)[0]
    return first[:60] if len(first) >= 20 else body[:40]


def _answers(nb):
    """The first sentence of every exercise answer of a chapter."""
    import without_answers
    return [_first_sentence(b) for c in nb.cells if c.cell_type == "markdown"
            for b in without_answers.answer_blocks(c.source)]


@pytest.fixture(scope="module")
def tools_path():
    """tools/ importable (tools/without_answers.py), as tools/build_book.py finds it."""
    import sys
    sys.path.insert(0, str(REPO / "tools"))
    yield
    sys.path.remove(str(REPO / "tools"))


@pytest.mark.parametrize("path", [p for p in CHAPTERS if "_" in p.stem], ids=lambda p: p.stem)
def test_the_instructor_edition_has_no_answer(path, tools_path):
    import without_answers
    nb = nbformat.read(path, as_version=4)
    texts = _answers(nb)
    stripped = without_answers.strip_answers(nb)
    text = "\n".join(c.source for c in stripped.cells)
    assert all(t and t not in text for t in texts), [t for t in texts if not t or t in text]
    after = False
    for c in stripped.cells:
        after = after or (c.cell_type == "markdown" and bool(without_answers.EXERCISES.search(c.source)))
        assert not (after and c.cell_type == "code"), f"an answer's code cell is still there: {c.source[:60]!r}"
    # the exercises themselves stay, in both languages
    assert text.count("## Exercises") == text.count("## 练习") == (1 if texts else 0)
    questions = "\n".join(without_answers.DETAILS.sub("", c.source) for c in nb.cells if c.cell_type == "markdown")
    for q in re.findall(r"^\d+\. .{20}", questions, re.M):
        assert q in text, f"the exercise {q!r} went missing"


# --------------------------------------------------------- question cells in their chapters

def _question_cells():
    return [(path, cell) for path in CHAPTERS for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code" and cell.get("id", "").startswith("quiz-")]


@pytest.mark.parametrize("path, cell", _question_cells(), ids=lambda v: getattr(v, "id", None) or v.stem)
def test_a_question_cell_leaves_the_chapter_as_it_was(path, cell):
    """A question cell runs alone (it imports what it uses) and changes no name the chapter defined, nor the
    random numbers the chapter's next cells draw: nbval compares those cells' saved outputs."""
    import torch.nn as torch_nn
    sentinel = object()
    names = {name: sentinel for name in ("X", "K", "Y", "net", "conv", "x", "y", "shape", "layer", "blk", "rows")}
    namespace = dict(names, torch=torch, nn=torch_nn, d2lcnn=d2lcnn)
    before = torch.get_rng_state()
    exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
    assert torch.equal(torch.get_rng_state(), before), f"{cell.id} changed the random numbers after it"
    changed = {k for k in names if namespace[k] is not sentinel}
    assert not changed, f"{cell.id} rebinds {changed}"
    assert set(namespace) - set(names) - {"torch", "nn", "d2lcnn", "__builtins__"} == {"question"}, \
        f"{cell.id} defines {set(namespace) - set(names)}"
    question = namespace["question"]()
    assert isinstance(question, quiz.Question)
    saved = {o["metadata"]["d2lcnn"]["lang"]: o["data"]["text/html"] for o in cell.outputs}
    assert sorted(saved) == ["en", "zh"], f"{cell.id}: one saved output per language"
    for lang, html in saved.items():  # what nbval checks, here without running the chapter
        assert ("".join(html) if isinstance(html, list) else html) == question.html(lang), \
            f"{cell.id}: the saved {lang} output is stale: run tools/run_notebooks.py {path} --cells {cell.id}"
    assert cell.metadata.get("tags") == ["remove-input"], "the website shows the question, not its code"


# --------------------------------------------------------------------- the built website

QUIZ_PAGES = ("chapters/03_padding_stride", "chapters/05_pooling", "chapters/12_resnet")


def _next_output_display(page, n):
    """The CSS display of the output of the cell after the page's n-th question's cell."""
    return page.evaluate("""n => {
        const cell = document.querySelectorAll('.d2q')[n].closest('.cell');
        const out = cell.nextElementSibling.querySelector('.cell_output');
        return getComputedStyle(out).display;
    }""", n)


def check_site(browser, url, problems):
    """On the built website (base ``url``): every question of a few chapters in both editions shows in the
    edition's language, links a heading of its page, answers, and a predict question's next output appears
    only once answered; axe finds nothing before and after, at a desktop width and a phone's."""
    from test_accessibility import audit

    from _browser import guarded_page
    found = []
    for lang in ("en", "zh"):
        for name in QUIZ_PAGES:
            for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 812}):
                page = guarded_page(browser, problems, viewport=viewport)
                page.goto(f"{url}/{lang}/{name}.html", wait_until="load")
                boxes = page.locator(".d2q")
                assert boxes.count() >= 2, f"{lang}/{name}: {boxes.count()} questions"
                assert page.locator("script[src*='d2lcnn-quiz.js']").count() == 1
                assert page.locator(".d2q script:not([type])").count() == 0, "inline question scripts left"
                found += audit(page, f"{lang}/{name} {viewport['width']} before")
                for n in range(boxes.count()):
                    box = boxes.nth(n)
                    box.scroll_into_view_if_needed()
                    assert box.get_attribute("data-lang") == lang
                    href = box.locator(".d2q-link").get_attribute("href")
                    assert page.locator(f"[id='{href[1:]}']").count() == 1, f"{lang}/{name}: link {href} goes nowhere"
                    pred = "d2q-pred" in box.get_attribute("class")
                    if pred:
                        assert _next_output_display(page, n) == "none", f"{lang}/{name}: the output shows too early"
                    box.locator("[data-a=reveal]").click()
                    if pred:
                        assert _next_output_display(page, n) != "none", f"{lang}/{name}: the output stays hidden"
                    assert box.locator(".d2q-why").is_visible()
                found += audit(page, f"{lang}/{name} {viewport['width']} after")
                page.context.close()
    return found


def test_on_the_built_website(browser, served):
    problems = []
    found = check_site(browser, served, problems)
    assert not found, found
    assert not problems, problems


def _plain_runs(text, words=4):
    """The longest run of plain prose (no maths, code, links or markup) in ``text``, if it has ``words`` words
    (or, in Chinese, 8 characters)."""
    runs = re.split(r"\$[^$]*\$|`[^`]*`|\[[^\]]*\]\([^)]*\)|<[^>]+>|\*+|\n", text)
    runs = [" ".join(r.split()).strip(" ,.;:：，。；") for r in runs]
    best = max(runs, key=len, default="")
    enough = len(best.split()) >= words if best.isascii() else len(best) >= 8
    return best[:50] if enough else None


def instructor_leftovers(normal, instructor):
    """[(page, text)] of answer text found in the instructor build (folder ``instructor``), for every exercise
    answer and every question explanation of the chapters, each first found in the normal build (``normal``)."""
    import html as html_lib

    import without_answers
    left, checked = [], 0
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for lang in ("en", "zh"):
            page = f"{lang}/chapters/{path.stem}.html"
            if not (pathlib.Path(normal) / page).is_file():
                continue
            texts = []
            for cell in nb.cells:
                if cell.cell_type == "markdown" and lang in cell.metadata.get("tags", []):
                    blocks = without_answers.answer_blocks(cell.source)
                    texts += [_plain_runs(b.split("</summary>", 1)[1]) for b in blocks]
            for where, _, _, html, out_lang in QUESTIONS:
                if where == path and out_lang == lang:
                    whys = re.search(r'<div class="d2q-why" hidden>(.*?)</div><!--/d2q-why-->', html, re.S)[1]
                    spans = re.findall(rf'<span lang="{lang}">([^<]{{12,}})</span>', whys)
                    texts += [html_lib.unescape(t) for t in spans]
            with_answers = html_lib.unescape((pathlib.Path(normal) / page).read_text(encoding="utf-8"))
            without = html_lib.unescape((pathlib.Path(instructor) / page).read_text(encoding="utf-8"))
            for text in filter(None, texts):
                if text in with_answers:  # the normal build shows it: the instructor build must not
                    checked += 1
                    if text in without:
                        left.append((page, text))
    assert checked > 100, f"only {checked} answer texts found in the normal build: is it current?"
    return left


@pytest.fixture(scope="module")
def instructor_site():
    """The instructor build (tools/build_book.py --without-answers), built once per module."""
    import subprocess
    import sys
    subprocess.run([sys.executable, str(REPO / "tools" / "build_book.py"), "--without-answers"], check=True,
                   cwd=REPO, stdout=subprocess.DEVNULL)
    return REPO / "_build" / "instructor"


def test_the_instructor_build_has_no_answer_text(site, instructor_site, tools_path):
    assert not instructor_leftovers(site, instructor_site)


# ------------------------------------------------------------------------------ JupyterLab

@pytest.mark.slow
def test_a_question_answers_by_keyboard_in_jupyterlab(tmp_path, browser):
    """In JupyterLab 4 a freshly run question works by keyboard alone: the arrow keys choose an option (not a
    cell), Tab and Enter check it, and the feedback is written."""
    import json
    import urllib.request

    from test_jupyterlab import lab as lab_fixture  # the server the stepper test starts, as a plain generator

    from _deps import require_module
    sync_api = require_module("playwright.sync_api")
    require_module("jupyterlab")
    starter = lab_fixture.__wrapped__(type("F", (), {"mktemp": lambda self, name: tmp_path})())
    url = next(starter)
    try:
        source = ("import d2lcnn\nd2lcnn.choice_question('ch05-lab', "
                  "('Is max pooling linear?', '最大汇聚是线性的吗？'),"
                  " [('No', '不是'), ('Yes', '是')], 0, [('Right.', '对。'), ('It is not.', '不是。')],"
                  " ('Pooling', '汇聚'))")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        body = json.dumps({"type": "notebook", "format": "json", "content": nb}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/contents/quiz.ipynb", data=body, method="PUT",
                                                      headers={"Content-Type": "application/json"}))
        errors = []
        # The module's browser (one Playwright per module: a second sync_playwright inside it fails)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/lab/tree/quiz.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputArea-editor", timeout=90_000)
        box = page.locator(".jp-OutputArea .d2q").first
        for _ in range(6):  # a run asked for before the kernel is up can be dropped
            if page.locator(".jp-Dialog .jp-mod-accept").count():  # a slow kernel start asks which kernel
                page.locator(".jp-Dialog .jp-mod-accept").first.click()
            page.click(".jp-Cell .jp-InputArea-editor")
            page.keyboard.press("Control+Enter")
            try:
                box.wait_for(timeout=20_000)
                break
            except sync_api.TimeoutError:
                continue
        box.locator("input[value='0']").focus()
        page.keyboard.press("ArrowDown")  # must reach the radio group, not JupyterLab's cell navigation
        assert box.locator("input[value='1']").is_checked()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert box.locator(".d2q-fb").inner_text().startswith("Not quite.")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert box.locator(".d2q-fb").inner_text().startswith("Right.")
        assert page.locator(".jp-Cell").count() == 1, "a key went to JupyterLab and changed the notebook"
        page.close()
        assert not errors, errors
    finally:
        next(starter, None)
