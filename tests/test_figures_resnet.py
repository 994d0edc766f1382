"""The chapter 12 figures: each returns one closed Figure, labelled in the language asked for."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from d2lcnn.figures import resnet


def texts(fig):
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
    return out + [t.get_text() for t in fig.texts]


def has_chinese(strings):
    return any("\u4e00" <= ch <= "\u9fff" for s in strings for ch in s)


def test_all_exported():
    import d2lcnn
    for name in resnet.__all__:
        assert getattr(d2lcnn, name) is getattr(resnet, name)


@pytest.mark.parametrize("name", resnet.__all__)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_closed_figure_in_its_language(name, lang):
    open_before = set(plt.get_fignums())
    fig = getattr(resnet, name)(lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert set(plt.get_fignums()) == open_before  # closed: a notebook shows it once
    assert has_chinese(texts(fig)) == (lang == "zh")


def test_function_classes_geometry():
    # Nested: every class holds the previous one. Non-nested: F3 is closer to f* than F6.
    nested = resnet._nested()
    for (x0, y0, r0), (x1, y1, r1) in zip(nested, nested[1:]):
        assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 + r0 < r1
    dist = [resnet._distance(c) for c in resnet._NON_NESTED]
    assert dist[2] < dist[0] and dist[2] < dist[5]
    nested_dist = [resnet._distance(c) for c in nested]
    assert nested_dist == sorted(nested_dist, reverse=True)
    titles = [ax.get_title() for ax in resnet.plot_function_classes(lang="en").axes]
    assert titles == ["Non-nested function classes", "Nested function classes"]
    assert [ax.get_title() for ax in resnet.plot_function_classes(lang="zh").axes] == ["非嵌套函数类", "嵌套函数类"]


def test_residual_block_shapes_and_shortcut():
    en = texts(resnet.plot_residual_block(lang="en"))
    assert "input X: 4×3×6×6" in en and "output: 4×3×6×6" in en and "output: 4×6×3×3" in en
    assert "1×1 conv, stride 2" in en and "3×3 conv, stride 2" in en
    zh = texts(resnet.plot_residual_block(lang="zh"))
    assert "输出：4×6×3×3" in zh and "1×1 卷积，步幅 2" in zh
    odd = texts(resnet.plot_residual_block(lang="en", in_shape=(1, 64, 7, 7), out_channels=128))
    assert "output: 1×128×4×4" in odd  # (7 - 1) // 2 + 1, as a 3x3 conv with padding 1 gives


def test_preact_block_orders():
    fig = resnet.plot_preact_block(lang="en")
    v1, v2 = ([t.get_text() for t in ax.texts] for ax in fig.axes)
    boxes = {"3×3 conv", "batch norm", "ReLU"}
    assert [t for t in v1 if t in boxes] == ["3×3 conv", "batch norm", "ReLU", "3×3 conv", "batch norm", "ReLU"]
    assert [t for t in v2 if t in boxes] == ["batch norm", "ReLU", "3×3 conv", "batch norm", "ReLU", "3×3 conv"]
    assert any("clean identity" in t for t in v2)
