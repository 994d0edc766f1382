"""The chapter 12 figures: each returns one closed Figure, labelled in the language asked for."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

import d2lcnn
from d2lcnn.figures import resnet


def texts(fig):
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
    return out + [t.get_text() for t in fig.texts]


def has_chinese(strings):
    return any("\u4e00" <= ch <= "\u9fff" for s in strings for ch in s)


def test_all_exported():
    for name in resnet.__all__:
        assert getattr(d2lcnn, name) is getattr(resnet, name)


@pytest.mark.parametrize("name", resnet.__all__)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_closed_figure_in_its_language(name, lang):
    open_before = set(plt.get_fignums())
    with d2lcnn.lang.lang_context(lang):  # a CJK font for the Chinese labels, as show_figure uses
        fig = getattr(resnet, name)(lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == (1 if name == "plot_resnet18" else 2)
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


# ---------------------------------------------------------------- the whole ResNet-18, drawn from the module

def _count(strings, text):
    return sum(s == text for s in strings)


def test_resnet18_figure_reads_the_module_and_a_forward_pass():
    en = texts(resnet.plot_resnet18(lang="en"))
    assert any(t.startswith("ResNet-18 drawn from its modules: stem, 8 residual blocks in 4 stages") for t in en)
    # two 3x3 convs per block, eight blocks; the three stride-2 blocks open stages 2-4 and carry 1x1 shortcuts
    assert sum(t.startswith("3×3 conv, ") for t in en) == 16
    assert [t for t in en if t.startswith("1×1 conv")] == ["1×1 conv, 128", "1×1 conv, 256", "1×1 conv, 512"]
    assert _count(en, "stride 2") == 3
    assert [t for t in en if t.endswith(", stride 2") and t.startswith("3×3 conv")] == \
        ["3×3 conv, 128, stride 2", "3×3 conv, 256, stride 2", "3×3 conv, 512, stride 2"]
    assert [t for t in en if t.startswith("stage ")] == ["stage 1", "stage 2", "stage 3", "stage 4"]
    # the shapes of a 1x96x96 image: the stem divides the side by 4, each later stage halves it
    for shape, n in (("64×24×24", 3), ("128×12×12", 2), ("256×6×6", 2), ("512×3×3", 2), ("10", 1)):
        assert _count(en, shape) == n, shape
    assert "input: 1×96×96" in en and "7×7 conv, 64, stride 2" in en and "dense, 10" in en
    zh = texts(resnet.plot_resnet18(lang="zh"))
    assert "1×1 卷积，512" in zh and "模块 4" in zh and "全局平均汇聚" in zh and "输入：1×96×96" in zh


def test_resnet18_figure_follows_the_network_it_is_given():
    # ImageNet's input: the shapes come from the forward pass, not from a table
    big = texts(resnet.plot_resnet18(d2lcnn.resnet18(in_channels=3, num_classes=1000), lang="en",
                                     input_shape=(1, 3, 224, 224)))
    assert "input: 3×224×224" in big and "64×56×56" in big and "512×7×7" in big and "1000" in big
    # a deeper network: more blocks, the name counted from its layers
    deep = texts(resnet.plot_resnet18(d2lcnn.resnet(34), lang="en"))
    assert any(t.startswith("ResNet-34 drawn from its modules: stem, 16 residual blocks") for t in deep)
    # a planted change: a 1x1 shortcut in stage 1's second block shows up as a fourth shortcut box
    net = d2lcnn.resnet18()
    net[1][1] = d2lcnn.Residual(64, 64, use_1x1conv=True)
    changed = texts(resnet.plot_resnet18(net, lang="en"))
    assert [t for t in changed if t.startswith("1×1 conv")] == ["1×1 conv, 64", "1×1 conv, 128", "1×1 conv, 256",
                                                               "1×1 conv, 512"]


def test_resnet18_units_leave_the_network_as_they_found_it():
    net = d2lcnn.resnet18().train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    units = resnet.resnet_units(net, torch.rand(1, 1, 96, 96))
    assert net.training and all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert [u["kind"] for u in units] == ["stem"] + ["block"] * 8 + ["head"]
    assert [u["stage"] for u in units if u["kind"] == "block"] == [1, 1, 2, 2, 3, 3, 4, 4]
    with pytest.raises(TypeError):
        resnet.resnet_units(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3)), torch.rand(1, 1, 8, 8))
    with pytest.raises(TypeError):
        resnet.resnet_units(d2lcnn.Residual(1, 1), torch.rand(1, 1, 8, 8))
