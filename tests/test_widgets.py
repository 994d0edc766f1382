"""The window steppers: every number against torch.nn.functional and d2lcnn.ops,
the size formula, deterministic self-contained HTML, clear errors."""
import html
import json
import pathlib
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lcnn
from d2lcnn import conv_output_size, corr2d, corr2d_multi_in, pool2d
from d2lcnn.widgets import conv_stepper, pool_stepper, receptive_field_view
from d2lcnn.widgets.frames import fmt, num

from _deps import require_module


def ints(*shape, seed=0, lo=0, hi=10):
    return torch.randint(lo, hi, shape, generator=torch.Generator().manual_seed(seed)).float()


def page_data(stepper):
    """The JSON the page's script draws from."""
    m = re.search(r'<script type="application/json" class="d2s-data">(.*?)</script>', stepper.html())
    return json.loads(m.group(1).replace("<\\/", "</"))


def check_conv(stepper, X, K, bias, padding, stride, dilation, out_channel=0):
    """``stepper``'s output and first state against F.conv2d, plus the numbers in its HTML."""
    X3 = X if X.dim() == 3 else X[None]
    K4 = K if K.dim() == 4 else K.reshape((1,) * (4 - K.dim()) + tuple(K.shape))
    b = torch.as_tensor(bias, dtype=torch.float32).reshape(-1).expand(K4.shape[0])
    ref = F.conv2d(X3[None], K4, b, stride=stride, padding=padding, dilation=dilation)[0]
    y = ref[out_channel]
    assert tuple(stepper.output.shape) == tuple(y.shape)
    assert torch.allclose(stepper.output, y, atol=1e-5)
    assert stepper.num_steps == y.numel()
    kh, kw = K4.shape[2:]
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    padded = F.pad(X3, (pw, pw, ph, ph))
    for t in range(stepper.num_steps):
        i, j = divmod(t, y.shape[1])
        cells = stepper.steps.cells(t)
        # The window's cells are where that output cell's kernel sits on the padded input.
        under = torch.stack([padded[:, r, c] for r, c in cells], 1).reshape(X3.shape[0], kh, kw)
        assert float((under * K4[out_channel]).sum() + b[out_channel]) == pytest.approx(float(y[i, j]), abs=1e-4)
        text = stepper.step_text(t)
        assert text.endswith(f"= {fmt(num(y[i, j]))}")
        assert text.count("×") == X3.shape[0] * kh * kw
    data = page_data(stepper)
    assert torch.allclose(torch.tensor(data["Y"], dtype=torch.float32).reshape(ref.shape), ref, rtol=1e-5, atol=1e-5)
    assert (data["oh"], data["ow"]) == tuple(y.shape)
    return ref


def check_size(stepper, n, k, padding, stride, dilation=1):
    out = conv_output_size(n, k, padding, stride, dilation)
    assert stepper.output_size == out
    h_line, w_line = stepper.size_text().splitlines()
    assert h_line.startswith("height:") and re.search(rf"= {out[0]}\b(?!.*⌋ = )", h_line)
    assert w_line.startswith("width:") and re.search(rf"= {out[1]}\b(?!.*⌋ = )", w_line)


# ---------------------------------------------------------------- convolution

def test_single_channel_matches_corr2d_and_conv2d():
    X, K = torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2)
    s = conv_stepper(X, K)
    check_conv(s, X, K, 0, 0, 1, 1)
    assert torch.equal(s.output, corr2d(X, K))
    assert s.step_text(0) == "0×0 + 1×1 + 3×2 + 4×3 = 19"
    check_size(s, (3, 3), (2, 2), 0, 1)


def test_bias_and_negative_numbers_are_written_out():
    X, K = torch.arange(9.0).reshape(3, 3) - 4, torch.tensor([[1.0, -1.0]])
    s = conv_stepper(X, K, bias=-0.5)
    check_conv(s, X, K, -0.5, 0, 1, 1)
    assert s.step_text(0) == "(-4)×1 + (-3)×(-1) + bias (-0.5) = -1.5"
    assert s.step_text(0, "zh") == "(-4)×1 + (-3)×(-1) + 偏置 (-0.5) = -1.5"


def test_two_input_channels_sum_per_channel_products():
    X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    K = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5.0).reshape(2, 2)])
    s = conv_stepper(X, K)
    check_conv(s, X, K, 0, 0, 1, 1)
    assert torch.allclose(s.output, corr2d_multi_in(X, K))
    assert s.step_text().splitlines() == ["channel 0: 0×0 + 1×1 + 3×2 + 4×3 = 19",
                                     "channel 1: 1×1 + 2×2 + 4×3 + 5×4 = 37", "19 + 37 = 56"]


@pytest.mark.parametrize("o", [0, 1, 2])
def test_three_output_channels_each_can_be_watched(o):
    X, K, b = ints(2, 5, 5, seed=1), ints(3, 2, 3, 3, seed=2, lo=-2, hi=3), torch.tensor([0.5, -1.0, 2.0])
    s = conv_stepper(X, K, bias=b, padding=1, out_channel=o)
    check_conv(s, X, K, b, 1, 1, 1, out_channel=o)
    assert conv_stepper(X, K, bias=b, padding=1).channel(o).output.equal(s.output)
    assert '<select data-a="oc">' in s.html()


def test_one_by_one_kernel():
    X, K = ints(3, 4, 4, seed=3), ints(2, 3, 1, 1, seed=4, lo=-3, hi=4)
    s = conv_stepper(X, K, out_channel=1)
    check_conv(s, X, K, 0, 0, 1, 1, out_channel=1)
    assert s.output_size == (4, 4)
    assert torch.allclose(s.output, d2lcnn.corr2d_multi_in_out_1x1(X, K)[1])


def test_padding_and_stride_differ_per_direction():
    X, K = ints(7, 8, seed=5), ints(3, 3, seed=6, lo=-1, hi=2)
    s = conv_stepper(X, K, padding=(2, 1), stride=(3, 2))
    check_conv(s, X, K, 0, (2, 1), (3, 2), 1)
    check_size(s, (7, 8), (3, 3), (2, 1), (3, 2))
    # The padding border is drawn distinctly: exactly the border cells carry class "p".
    cells = re.search(r'data-g="x0"[^>]*>(.*?)</div>', s.html()).group(1)
    classes = re.findall(r"<i(?: class=\"([^\"]*)\")?", cells)
    assert len(classes) == 11 * 10
    pad = [r < 2 or r >= 9 or q < 1 or q >= 9 for r in range(11) for q in range(10)]
    assert ["p" in (c or "").split() for c in classes] == pad


def test_dilation():
    X, K = ints(7, 7, seed=7), ints(3, 3, seed=8, lo=-2, hi=3)
    s = conv_stepper(X, K, dilation=2, padding=1)
    check_conv(s, X, K, 0, 1, 1, 2)
    assert s.steps.cells(0) == tuple((2 * a, 2 * b) for a in range(3) for b in range(3))
    assert "k = 2×(3−1)+1 = 5" in s.size_text()
    check_size(s, (7, 7), (3, 3), 1, 1, 2)


def test_uneven_stride_shows_why_the_formula_floors():
    X, K = torch.arange(64.0).reshape(8, 8), torch.ones(3, 3)
    assert (8 - 3 + 0) % 2 != 0
    s = conv_stepper(X, K, stride=2)
    check_conv(s, X, K, 0, 0, 2, 1)
    check_size(s, (8, 8), (3, 3), 0, 2)
    assert s.size_text().splitlines()[0].startswith("height: ⌊(8 − 3 + 0 + 2)/2⌋ = ⌊7/2⌋ = ⌊3.5⌋ = 3")
    assert "rounds down" in s.size_text() and "向下取整" in s.size_text("zh")
    # The last row and column are marked as never reached by a window.
    cells = re.findall(r"<i(?: class=\"([^\"]*)\")?", re.search(r'data-g="x0"[^>]*>(.*?)</div>', s.html()).group(1))
    unused = [r == 7 or q == 7 for r in range(8) for q in range(8)]
    assert ["u" in (c or "").split() for c in cells] == unused


def test_conv2d_module_is_shown_as_built():
    torch.manual_seed(0)
    layer = nn.Conv2d(2, 3, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    X = torch.randn(1, 2, 6, 5)  # a batch of one is fine
    for o in range(3):
        s = conv_stepper(X, layer, out_channel=o)
        ref = check_conv(s, X[0], layer.weight.detach(), layer.bias.detach(), (1, 2), (2, 1), (1, 2), out_channel=o)
        assert torch.allclose(ref, layer(X)[0].detach(), atol=1e-5)
    s2 = conv_stepper(layer, X)  # layer first reads naturally too
    assert torch.equal(s2.output, conv_stepper(X, layer).output)
    assert "Conv2d(2, 3, kernel_size=(3, 2)" in s2.html()
    same = nn.Conv2d(1, 1, 3, padding="same", bias=False)
    s3 = conv_stepper(torch.ones(4, 4), same)
    assert s3.output_size == (4, 4)
    assert torch.allclose(s3.output, same(torch.ones(1, 1, 4, 4))[0, 0].detach(), atol=1e-6)


# -------------------------------------------------------------------- pooling

@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("size,stride,padding", [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1)), (3, 1, 0)])
def test_pooling_matches_torch_and_pool2d(mode, size, stride, padding):
    X = ints(5, 6, seed=9)
    s = pool_stepper(X, size, stride=stride, padding=padding, mode=mode)
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    ref = fn(X[None, None], size, stride=stride, padding=padding)[0, 0]
    ours = pool2d(X, size, mode=mode, stride=size if stride is None else stride, padding=padding)
    assert torch.allclose(ref, ours)
    assert s.output.shape == ref.shape and s.num_steps == ref.numel()
    assert torch.allclose(s.output, ref, atol=1e-5)
    for t in range(s.num_steps):
        i, j = divmod(t, ref.shape[1])
        text = s.step_text(t)
        assert text.endswith(f"= {fmt(num(ref[i, j]))}")
        if mode == "max":
            r, c = s.steps.winner(t)
            assert s.steps.padded[0, r, c] == ref[i, j]
            assert text.startswith("max(")
        else:
            assert s.steps.divisor(t) == len(s.steps.cells(t))
    data = page_data(s)
    assert torch.allclose(torch.tensor(data["Y"], dtype=torch.float32).reshape(ref.shape), ref, atol=1e-5)
    k = (size, size) if isinstance(size, int) else size
    check_size(s, (5, 6), k, padding, k if stride is None else stride)


def test_max_pool_padding_is_minus_infinity_and_winner_is_first_largest():
    X = torch.tensor([[1.0, 3.0], [3.0, 2.0]])
    s = pool_stepper(X, 2, stride=1, padding=1)
    assert s.step_text(0) == "max(-∞, -∞, -∞, 1) = 1"
    # step 4: the window over all four values: both 3s tie, the first one wins
    assert s.step_text(4) == "max(1, 3, 3, 2) = 3" and s.steps.winner(4) == (1, 2)


def test_pool_modules():
    X = ints(1, 1, 6, 7, seed=10)
    for layer in (nn.MaxPool2d(3, stride=2, padding=1), nn.MaxPool2d((2, 3), dilation=(2, 1)),
                  nn.AvgPool2d(3, stride=(2, 1), padding=1),
                  nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
                  nn.AvgPool2d(2, divisor_override=3)):
        s = pool_stepper(X, layer)
        ref = layer(X)[0, 0]
        assert s.output.shape == ref.shape
        assert torch.allclose(s.output.flatten(), ref.flatten(), atol=1e-5), layer
        assert torch.allclose(torch.tensor(page_data(s)["Y"], dtype=torch.float32), ref.flatten(), atol=1e-5)
        assert repr(layer) in s.html()
    assert pool_stepper(nn.MaxPool2d(2), X).output.equal(nn.MaxPool2d(2)(X)[0, 0])


# ------------------------------------------------------------ receptive field

def test_receptive_field_matches_gradients():
    X = torch.arange(25.0).reshape(5, 5)
    sizes = ((2, 2), (3, 2))
    v = receptive_field_view(X, sizes)
    assert v.shapes == [(5, 5), (4, 4), (2, 3)]
    for layer in (1, 2):
        h, w = v.shapes[layer]
        for i in range(h):
            for j in range(w):
                x = X.clone().requires_grad_()
                y = x[None, None]
                for k in sizes[:layer]:
                    y = F.conv2d(y, torch.ones(1, 1, *k))
                y[0, 0, i, j].backward()
                r0, r1, c0, c1 = v.region(layer, i, j)[0]
                lit = torch.zeros(5, 5, dtype=torch.bool)
                lit[r0:r1 + 1, c0:c1 + 1] = True
                assert torch.equal(x.grad != 0, lit)
    assert v.text(2, 0, 0) == ("layer 2 (0, 0) ← layer 1 rows 0–2, cols 0–1 ← input rows 0–3, cols 0–2 "
                               "(receptive field 4×3)")
    K = torch.tensor([[1.0, 0.0], [0.0, -1.0]])
    with_values = receptive_field_view(X, kernels=[K, K])
    assert "receptive field 3×3" in with_values.text(2, 0, 0)
    assert torch.equal(with_values.rf.values[2], corr2d(corr2d(X, K), K))


# ----------------------------------------------------------------------- HTML

def all_steppers():
    X = ints(5, 5, seed=11)
    return [conv_stepper(X, torch.ones(2, 2), padding=1, stride=2),
            conv_stepper(ints(2, 4, 4), ints(3, 2, 2, 2), lang="zh"),
            pool_stepper(X, 3, stride=2, padding=1, mode="avg", lang="auto"),
            receptive_field_view(X)]


def test_html_is_deterministic_and_self_contained():
    first, second = [s.html() for s in all_steppers()], [s.html() for s in all_steppers()]
    assert first == second
    ids = [re.search(r'id="(d2s-[0-9a-f]{12})"', h).group(1) for h in first]
    assert len(set(ids)) == len(ids)
    for h in first:
        assert not re.search(r"\b(src|href)\s*=|@import|url\(|https?:|//", h, re.I), "must load nothing external"
        assert h.count("<script") == 2 and "tabindex=\"0\"" in h
        # The script only looks inside its own root.
        js = re.findall(r"<script>(.*?)</script>", h, re.S)[0]
        assert "document.querySelector(" not in js and "getElementById" not in js
    assert 'data-lang="zh"' in first[1] and 'data-auto="1"' in first[2]


def test_repr_html_is_the_html():
    s = conv_stepper(torch.ones(3, 3), torch.ones(2, 2))
    assert s._repr_html_() == s.html()
    assert "4 steps" in repr(s)


def test_saved_output_stays_small():
    s = conv_stepper(ints(28, 28), ints(5, 5, lo=-2, hi=3))
    assert len(s.html().encode()) < 200_000


# --------------------------------------------------------------------- errors

@pytest.mark.parametrize("call,message", [
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(4, 4)), r"spans 4 pixels in height.*fits nowhere"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 2), dilation=3), r"dilation 3.*fits nowhere"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 2), stride=0), r"stride must be positive"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 2), stride=(1, -1)), r"stride must be positive"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 2), padding=-1), r"padding must be >= 0"),
    (lambda: conv_stepper(torch.ones(2, 3, 3), torch.ones(3, 2, 2)), r"X has 2 input channels but K has 3"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 1, 2, 2), out_channel=2), r"out_channel must be in 0\.\.1"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 1, 2, 2), bias=[1, 2, 3]), r"bias must be one number"),
    (lambda: conv_stepper(torch.ones(3), torch.ones(2, 2)), r"X must be 2-D"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2)), r"K must be 2-D"),
    (lambda: conv_stepper(torch.tensor([[1.0, float("nan")]]), torch.ones(1, 1)), r"NaN"),
    (lambda: conv_stepper(torch.ones(3, 3), torch.ones(2, 2), lang="fr"), r"unknown lang"),
    (lambda: conv_stepper(torch.ones(1, 3, 3), nn.Conv2d(1, 1, 2), stride=2), r"already fixes stride"),
    (lambda: conv_stepper(torch.ones(2, 3, 3), nn.Conv2d(1, 1, 2)), r"X has 2 input channels but K has 1"),
    (lambda: conv_stepper(torch.ones(3, 3), None), r"needs a kernel"),
    (lambda: pool_stepper(torch.ones(3, 3), 2, mode="median"), r"unknown pooling mode 'median'"),
    (lambda: pool_stepper(torch.ones(3, 3), 4), r"pooling window spans 4 pixels"),
    (lambda: pool_stepper(torch.ones(3, 3), 2, stride=0), r"stride must be positive"),
    (lambda: pool_stepper(torch.ones(3, 3), 2, padding=2), r"more than half the pooling window"),
    (lambda: pool_stepper(torch.ones(3, 3), 2, mode="avg", dilation=2), r"no dilation"),
    (lambda: pool_stepper(torch.ones(4, 4), nn.MaxPool2d(2, ceil_mode=True)), r"ceil_mode"),
    (lambda: pool_stepper(torch.ones(2, 3, 3), 2), r"pool one channel at a time"),
    (lambda: receptive_field_view(torch.ones(3, 3), ((2, 2), (3, 3))), r"kernel 2 of size \(3, 3\) is larger"),
    (lambda: receptive_field_view(torch.ones(3, 3), selected=(2, 5, 0)), r"outside layer 2"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_types_raise_type_errors():
    with pytest.raises(TypeError, match="use pool_stepper"):
        conv_stepper(torch.ones(3, 3), nn.MaxPool2d(2))
    with pytest.raises(TypeError, match="nn.MaxPool2d or nn.AvgPool2d"):
        pool_stepper(torch.ones(3, 3), nn.Conv2d(1, 1, 2))
    with pytest.raises(TypeError, match="pair of ints"):
        conv_stepper(torch.ones(3, 3), torch.ones(2, 2), stride=(1, 2, 3))


# -------------------------------------------------------------------- numbers

def test_fmt_rounds_like_javascript_tofixed():
    assert [fmt(v) for v in (19.0, -0.0, 0.5, 0.0625, -0.0625, 1.005, -0.0001, 12.345678, float("-inf"))] == \
        ["19", "0", "0.5", "0.063", "-0.063", "1", "0", "12.35", "-∞"]
    assert num(0.1 + 0.2) == 0.3 and num(3.0) == 3 and isinstance(num(3.0), int)


# ------------------------------------------------------------------- explorer

def test_explorers_build_and_redraw(capsys):
    require_module("ipywidgets")
    from d2lcnn.widgets import conv_explorer, pool_explorer
    box = conv_explorer()
    c = box.controls
    c["sh"].value, c["ph"].value, c["kernel"].value = 2, 1, "ones"
    c["kh"].value = 5  # 5 > 4 + 2: shown as a message, not raised
    box2 = pool_explorer(torch.arange(16.0).reshape(4, 4))
    box2.controls["mode"].value = "avg"
    box2.controls["same"].value = False
    assert len(box.children) == 2 and len(box2.children) == 2


def test_explorers_show_the_editable_stepper_when_the_book_is_built(monkeypatch):
    """On the static site (outputs made with D2LCNN_OUTPUTS=both) an explorer is the stepper's own HTML
    with the live-cell line: no widget view, so no blank box and no widget CDN; in a live kernel it is
    the ipywidgets box."""
    require_module("ipywidgets")
    from d2lcnn.widgets import conv_explorer, pool_explorer
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    for box in (conv_explorer(torch.ones(4, 4), torch.ones(2, 2)), pool_explorer(torch.arange(16.0).reshape(4, 4))):
        bundle = box._repr_mimebundle_()
        assert set(bundle) == {"text/html", "text/plain"}
        assert 'class="d2s-live"' in bundle["text/html"] and "live in Jupyter/Colab" in bundle["text/html"]
        assert "Jupyter/Colab 中可交互" in bundle["text/html"]
    monkeypatch.setenv("D2LCNN_OUTPUTS", "")
    box = conv_explorer()
    assert "application/vnd.jupyter.widget-view+json" in box._repr_mimebundle_()


def test_refresh_assets_puts_the_current_stylesheet_and_script_into_saved_steppers():
    """tools/refresh_boxes.py --assets: saved steppers made with older stepper.css/js get the current ones."""
    from d2lcnn.widgets.render import refresh_assets
    page = "<p>before</p>" + d2lcnn.conv_stepper(torch.ones(4, 4), torch.ones(2, 2))._repr_html_() + \
        d2lcnn.pool_stepper(torch.arange(16.0).reshape(4, 4), 2)._repr_html_() + "<p>after</p>"
    assert refresh_assets(page) == page  # current assets: nothing to do
    old = re.sub(r"<style>.*?</style>", "<style>.d2s{color:red}</style>", page, flags=re.S)
    old = re.sub(r'(class="d2s-data">.*?</script>)<script>.*?</script></div>',
                 r"\1<script>old('x')</script></div>", old, flags=re.S)
    assert old.count("old('x')") == 2 and old != page
    assert refresh_assets(old) == page


# ------------------------------------------------------ the shared case table

CASES = json.loads((pathlib.Path(__file__).with_name("stepper_cases.json")).read_text(encoding="utf-8"))["cases"]


def case_stepper(case):
    """The Python stepper for a case of tests/stepper_cases.json (the browser test sets the same)."""
    x = torch.tensor(case["x"])
    if case["kind"] == "conv":
        return conv_stepper(x, torch.tensor(case["k"]), bias=case["bias"], padding=case["padding"],
                            stride=case["stride"], dilation=case["dilation"], lang="en")
    return pool_stepper(x, case["size"], stride=case["stride"], padding=case["padding"], mode=case["mode"],
                        dilation=case["dilation"], lang="en")


def case_reference(case):
    """torch's output for a case, [c][oh][ow]."""
    x = torch.tensor(case["x"], dtype=torch.float64)
    x = x[None] if x.dim() == 2 else x
    if case["kind"] == "conv":
        k = torch.tensor(case["k"], dtype=torch.float64)
        k = k.reshape((1,) * (4 - k.dim()) + tuple(k.shape))
        b = torch.as_tensor(case["bias"], dtype=torch.float64).reshape(-1).expand(k.shape[0])
        return F.conv2d(x[None], k, b, stride=case["stride"], padding=case["padding"], dilation=case["dilation"])[0]
    if case["mode"] == "max":
        return F.max_pool2d(x, case["size"], case["stride"], case["padding"], case["dilation"])
    return F.avg_pool2d(x, case["size"], case["stride"], case["padding"])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_first_state_matches_the_case_table(case):
    """Python's side of tests/stepper_cases.json: the errors, torch's output, every listed step's arithmetic,
    the size formula and the winner; step 0 is also what the saved HTML shows."""
    if "error" in case:
        with pytest.raises(ValueError) as info:
            case_stepper(case)
        assert str(info.value) == case["error"]["en"]
        return
    s = case_stepper(case)
    ref = case_reference(case)
    assert torch.allclose(s.steps.output.double(), ref, atol=1e-5)
    for lang, key in (("en", "lines"), ("zh", "lines_zh")):
        for t, text in case.get(key, {}).items():
            assert s.step_text(int(t), lang) == text, (case["name"], t)
    assert s.size_text().splitlines() == case["size_lines"]
    for t, cell in case.get("winner", {}).items():
        assert list(s.steps.winner(int(t))) == cell
    math = re.search(r'<div class="d2s-math"[^>]*>(.*?)</div>', s.html(), re.S).group(1)
    assert html.unescape(math) == case["lines"]["0"]


def test_the_embedded_engine_is_the_minified_source():
    """stepper.min.js (what every stepper embeds) was made from the current stepper.js."""
    from _scripts import load_script
    minify = load_script("tools/minify_stepper.py")
    assert minify.recorded_hash() == minify.source_hash(), "stepper.js changed: run python3 tools/minify_stepper.py"


def test_the_website_serves_the_engine_once_per_page(tmp_path):
    """site.serve_engine_once: inline engines stripped, one deferred <script src> per page with steppers,
    one stylesheet copy per page; pages without steppers are left alone."""
    from d2lcnn.widgets.render import library_js
    from d2lcnn.widgets.site import ENGINE_FILE, serve_engine_once
    steppers = "".join(s.html() for s in all_steppers())
    (tmp_path / "chapters").mkdir()
    page = tmp_path / "chapters" / "a.html"
    page.write_text(f"<html><head><title>a</title></head><body>{steppers}</body></html>", encoding="utf-8")
    plain = tmp_path / "index.html"
    plain.write_text("<html><head></head><body>no steppers</body></html>", encoding="utf-8")
    assert serve_engine_once(tmp_path) == 1
    out = page.read_text(encoding="utf-8")
    assert plain.read_text(encoding="utf-8") == "<html><head></head><body>no steppers</body></html>"
    assert len(re.findall(rf'<script defer src="\.\./_static/{ENGINE_FILE}\?v=[0-9a-f]{{10}}"></script>', out)) == 1
    assert out.count("<style>") == 1 and out.count("d2lcnnStepper") == 0
    assert out.count('class="d2s-data"') == len(all_steppers())
    assert (tmp_path / "_static" / ENGINE_FILE).read_text(encoding="utf-8") == library_js()
    assert serve_engine_once(tmp_path) == 0  # a second run changes nothing
