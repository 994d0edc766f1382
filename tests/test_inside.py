"""d2lcnn.look_inside: what it can draw, the images it picks, and its in-page forward pass against torch.

The browser test sends 200 Fashion-MNIST test images through the page's engine (stepper.js, the
steppers' own ``run`` for convolution and pooling) and compares every layer with torch on the same
float16-rounded weights: within 1e-4 everywhere and the same predicted class for every image.
"""
import pytest
import torch
from torch import nn

import d2lcnn
from d2lcnn.data import load_fashion_mnist_tensors
from d2lcnn.widgets.inside import half_rounded, look_inside, sample_images, trained_lenet

from _browser import guarded_page, serve


def _net(activation="sigmoid", seed=0):
    d2lcnn.set_seed(seed)
    return d2lcnn.lenet(activation=activation)


def test_networks_it_cannot_draw_get_a_clear_error():
    with pytest.raises(ValueError, match=r"cannot draw layer 1 \(BatchNorm.*Conv2d, AvgPool2d"):
        look_inside(d2lcnn.lenet_bn(), images=torch.zeros(1, 28, 28), labels=[0])
    with pytest.raises(TypeError, match="nn.Sequential"):
        look_inside(nn.Linear(784, 10), images=torch.zeros(1, 28, 28), labels=[0])
    with pytest.raises(ValueError, match="10 outputs"):
        look_inside(d2lcnn.lenet(num_classes=5), images=torch.zeros(1, 28, 28), labels=[0])
    with pytest.raises(ValueError, match=r"N x 28 x 28"):
        look_inside(_net(), images=torch.zeros(2, 32, 32), labels=[0, 1])
    with pytest.raises(ValueError, match="labels must give one class"):
        look_inside(_net(), images=torch.zeros(2, 28, 28))


def test_two_test_images_per_class_some_misclassified():
    net = half_rounded(trained_lenet())
    images, labels, ids = sample_images(net)
    assert images.shape == (20, 28, 28) and images.dtype == torch.uint8
    assert sorted(labels.tolist()) == sorted(list(range(10)) * 2)
    all_images, all_labels = load_fashion_mnist_tensors(train=False)
    assert torch.equal(all_images[ids], images) and torch.equal(all_labels[ids], labels)
    with torch.no_grad():
        pred = net(images[:, None].float() / 255).argmax(1)
    wrong = (pred != labels).sum().item()
    assert 1 <= wrong <= 10, wrong


def test_the_packaged_weights_are_a_trained_lenet():
    net = trained_lenet()
    images, labels = load_fashion_mnist_tensors(train=False)
    with torch.no_grad():
        acc = (net(images[:2000, None].float() / 255).argmax(1) == labels[:2000]).float().mean().item()
    assert acc > 0.7, acc  # the recipe reaches about 0.78; an untrained net guesses 0.1


def test_html_is_deterministic_and_in_both_languages():
    net = _net()
    first = look_inside(net, lang="zh").html()
    assert first == look_inside(net, lang="zh").html()
    assert 'data-lang="zh"' in first and "看看训练好的网络内部" in first and "Look inside" in first
    assert "https:" not in first and "src=" not in first


# ------------------------------------------------------------------- browser

# (the ``browser`` fixture of conftest.py skips these where Chromium or Playwright is missing)


def _torch_layers(net, x):
    """Every layer's output (flattened per image) and the softmax, as the page lists them."""
    outs = []
    with torch.no_grad():
        for layer in net:
            x = layer(x)
            outs.append(x.flatten(1))
        outs.append(torch.softmax(x, 1))
    return outs


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_page_forward_pass_matches_torch_on_200_test_images(browser, tmp_path, activation):
    net = trained_lenet() if activation == "sigmoid" else _net("relu", seed=3)
    view = look_inside(net, images=torch.zeros(1, 28, 28), labels=[0], lang="en")
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>inside</title></head>'
        f"<body>{view.html()}</body></html>", encoding="utf-8")
    images, _ = load_fashion_mnist_tensors(train=False)
    x = images[5000:5200, None].double() / 255  # the loader's preprocessing: value / 255
    expected = _torch_layers(half_rounded(net).double(), x)
    problems = []
    with serve(tmp_path) as url:
        page = guarded_page(browser, problems)
        page.goto(f"{url}/index.html")
        got = []
        for start in range(0, 200, 50):
            got += page.evaluate("""batch => batch.map(p => document.querySelector('.d2s').d2lcnn.forward(p))""",
                                 x[start:start + 50].flatten(1).tolist())
        page.context.close()
    assert not problems, problems
    assert len(got) == 200 and len(got[0]) == len(expected)
    for n, ref in enumerate(expected):
        ours = torch.tensor([g[n] for g in got], dtype=torch.float64)
        assert ours.shape == ref.shape, n
        assert (ours - ref).abs().max().item() < 1e-4, (n, (ours - ref).abs().max().item())
    pred = torch.tensor([g[-1] for g in got]).argmax(1)
    assert torch.equal(pred, expected[-1].argmax(1))


def test_view_is_usable_by_mouse_keyboard_and_at_phone_width(browser, tmp_path):
    view = look_inside(_net(), lang="auto")
    (tmp_path / "zh.html").write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>inside</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
        f"<body>{view.html()}</body></html>", encoding="utf-8")
    problems = []
    with serve(tmp_path) as url:
        page = guarded_page(browser, problems, viewport={"width": 375, "height": 800})
        page.goto(f"{url}/zh.html")
        root = page.locator(".d2s")
        assert root.get_attribute("data-lang") == "zh"
        page.locator("[data-img='3']").click()
        assert page.locator("[data-img='3']").get_attribute("aria-pressed") == "true"
        assert "真实类别" in page.locator(".d2s-probs").inner_text()
        # A map of the second convolution, then a cell by keyboard: its arithmetic with bias and activation.
        page.locator("[data-map='3:4']").click()
        page.locator(".d2s-detail").focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowDown")
        math = page.locator(".d2s-detail .d2s-math").inner_text()
        assert "通道 5" in math and "偏置" in math and "sigmoid(" in math
        assert "(1, 1)" in page.locator(".d2s-detail").inner_text()
        # Drawing a stroke makes the input; undo and clear work.
        page.locator(".d2s-pad").scroll_into_view_if_needed()
        box = page.locator(".d2s-pad").bounding_box()
        page.mouse.move(box["x"] + 40, box["y"] + 30)
        page.mouse.down()
        page.mouse.move(box["x"] + 90, box["y"] + 110, steps=8)
        page.mouse.up()
        assert page.locator("[aria-pressed=true][data-img]").count() == 0
        page.locator("[data-a=undo]").click()
        page.locator("[data-a=clear]").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.context.close()
    assert not problems, problems


def test_axe_finds_nothing_in_the_view(browser, tmp_path):
    """axe-core (tests/test_accessibility.py's audit) on the view, fresh and after use, desktop and phone."""
    from test_accessibility import DESKTOP, PHONE, audit
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>inside</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"></head>'
        f"<body><main><h1>inside</h1>{look_inside(_net()).html()}</main></body></html>", encoding="utf-8")
    problems, found = [], []
    with serve(tmp_path) as url:
        for viewport in (DESKTOP, PHONE):
            page = guarded_page(browser, problems, viewport=viewport)
            page.goto(f"{url}/index.html")
            page.locator(".d2s").scroll_into_view_if_needed()
            found += audit(page, f"fresh {viewport['width']}")
            page.locator("[data-img='5']").click()
            page.locator("[data-map='0:2']").click()
            page.locator("[data-a=lang]").click()
            found += audit(page, f"used {viewport['width']}")
            page.context.close()
    assert not problems, problems
    assert not found, found


def test_the_website_loads_a_large_view_when_it_is_seen(browser, tmp_path):
    """site.serve_engine_once moves the view's weights out of the page into their own script file; the
    page loads it when the view is near the viewport and then computes as the inline view does. A file
    that cannot be loaded is said on the view, in the page's language."""
    from d2lcnn.widgets.site import DATA_DIR, INLINE_LIMIT, serve_engine_once
    view = look_inside(_net(), images=torch.zeros(1, 28, 28), labels=[0], lang="auto")
    small = d2lcnn.conv_stepper(torch.ones(3, 3), torch.ones(2, 2))
    spacer = '<div style="height:3000px">text</div>'
    (tmp_path / "chapters").mkdir()
    for name in ("a", "b"):
        (tmp_path / "chapters" / f"{name}.html").write_text(
            f'<!doctype html><html lang="{"zh-CN" if name == "b" else "en"}"><head><meta charset="utf-8">'
            f"<title>{name}</title></head><body>{small.html()}{spacer}{view.html()}</body></html>", encoding="utf-8")
    assert serve_engine_once(tmp_path) == 2
    page_text = (tmp_path / "chapters" / "a.html").read_text(encoding="utf-8")
    moved = sorted((tmp_path / "_static" / DATA_DIR).glob("*.js"))
    assert len(moved) == 1 and moved[0].stat().st_size > INLINE_LIMIT
    assert len(page_text.encode("utf-8")) < 40000 and page_text.count("data-src=") == 1
    x = torch.rand(784, generator=torch.Generator().manual_seed(0)).tolist()
    problems = []
    with serve(tmp_path) as url:
        page = guarded_page(browser, problems)
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if DATA_DIR in r.url else None)
        page.goto(f"{url}/chapters/a.html")
        assert page.locator(".d2s.d2s-inside").count() == 1 and not fetched  # not seen yet: not loaded
        got = page.evaluate("p => document.querySelectorAll('.d2s')[1].d2lcnn.forward(p)", x)
        assert len(fetched) == 1
        page.locator(".d2s-pad").scroll_into_view_if_needed()
        page.wait_for_selector(".d2s-probs .d2s-bar-row")
        moved[0].unlink()
        page.goto(f"{url}/chapters/b.html")
        page.locator(".d2s.d2s-inside").scroll_into_view_if_needed()
        note = page.locator("p.d2s-err[role=alert]")
        note.wait_for()
        assert "此视图未能加载其数据" in note.inner_text() and "did not load" in note.inner_text()
        page.context.close()
    # The fetched view computes what the inline one does (the comparison with torch is above).
    with serve(tmp_path) as url:
        (tmp_path / "inline.html").write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                                              f"<title>i</title></head><body>{view.html()}</body></html>",
                                              encoding="utf-8")
        page = guarded_page(browser, [])
        page.goto(f"{url}/inline.html")
        assert page.evaluate("p => document.querySelector('.d2s').d2lcnn.forward(p)", x) == got
        page.context.close()
    # Only the deleted file's failed request (404), its console error and the rejected load are problems here.
    assert all("404" in p or "d2s-data" in p or "Failed to load" in p for p in problems), problems


def test_a_drawn_stroke_is_preprocessed_as_the_loader_does(browser, tmp_path):
    """A stroke drawn on the pad reaches the network as the book's loader would deliver that 28x28 image.

    The pad's own pixels are read back as a PNG (lossless), turned into a batch by the loader's
    ``FashionMNISTBatches`` (uint8 / 255, the data set's preprocessing), sent through the page's engine
    and through torch: the probabilities the page shows for the drawing are those of that batch.
    """
    import base64
    import io

    import numpy as np
    from PIL import Image

    from d2lcnn.data import FashionMNISTBatches

    net = trained_lenet()
    view = look_inside(net, images=torch.zeros(1, 28, 28), labels=[0], lang="en")
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>inside</title></head>'
        f"<body>{view.html()}</body></html>", encoding="utf-8")
    problems = []
    with serve(tmp_path) as url:
        page = guarded_page(browser, problems)
        page.goto(f"{url}/index.html")
        pad = page.locator(".d2s-pad")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.2 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + 0.7 * box["width"], box["y"] + 0.8 * box["height"], steps=12)
        page.mouse.up()
        shown = [float(t.rstrip("%")) for t in page.locator(".d2s-probs .d2s-pct").all_inner_texts()]
        png = page.evaluate("document.querySelector('.d2s-pad').toDataURL('image/png')")
        pixels = np.array(Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1]))).convert("RGB"))[:, :, 0]
        batches = FashionMNISTBatches(torch.from_numpy(pixels.copy())[None], torch.zeros(1, dtype=torch.long), 1)
        X, _ = next(iter(batches))
        assert X.shape == (1, 1, 28, 28) and 0 < X.sum() < 784, "the stroke left no ink, or covered everything"
        page_probs = page.evaluate("p => document.querySelector('.d2s').d2lcnn.forward(p)", X.flatten().tolist())[-1]
        page.context.close()
    assert not problems, problems
    assert len(shown) == 10
    # What the page shows for the drawing is what its engine gives for the loader's batch (to the
    # 0.1 % it prints), and what torch gives for that batch: the pad feeds the network that image.
    assert max(abs(s - p * 100) for s, p in zip(shown, page_probs)) <= 0.05 + 1e-9
    with torch.no_grad():
        ref = torch.softmax(half_rounded(net).double()(X.double()), 1)[0]
    assert max(abs(s - 100 * p) for s, p in zip(shown, ref.tolist())) <= 0.05 + 1e-6
