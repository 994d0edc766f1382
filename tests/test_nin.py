"""NiN (chapter 9): the ``head_relu`` option of ``d2lcnn.nin`` and the chapter's figure, in both languages."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

import d2lcnn
from d2lcnn.figures import nin as nin_figures

NOTES_SHAPES = [(96, 54, 54), (96, 26, 26), (256, 26, 26), (256, 12, 12), (384, 12, 12), (384, 5, 5),
                (384, 5, 5), (10, 5, 5), (10, 1, 1), (10,)]


def _shapes(net, size=224):
    return [shape[1:] for _, _, shape in d2lcnn.layer_shapes(net, torch.zeros(1, 1, size, size))]


def test_default_is_the_notes_network():
    net = d2lcnn.nin()
    assert _shapes(net) == NOTES_SHAPES
    assert [type(m).__name__ for m in net[7]] == ["Conv2d", "ReLU"] * 3  # the class maps pass through a ReLU


@pytest.mark.parametrize("head_relu,layers", [
    ("hidden", ["Conv2d", "ReLU", "Conv2d", "ReLU", "Conv2d"]),
    ("none", ["Conv2d", "Conv2d", "Conv2d"]),
])
def test_head_relu_drops_relus_of_the_last_block_only(head_relu, layers):
    net = d2lcnn.nin(head_relu=head_relu)
    assert _shapes(net) == NOTES_SHAPES
    assert [type(m).__name__ for m in net[7]] == layers
    assert [type(m).__name__ for m in net[4]] == ["Conv2d", "ReLU"] * 3  # the other blocks are untouched
    assert d2lcnn.count_parameters(net) == d2lcnn.count_parameters(d2lcnn.nin())
    torch.manual_seed(0)
    scores = net.eval()(torch.rand(4, 1, 96, 96))
    assert scores.shape == (4, 10) and (scores < 0).any()  # scores may now be negative


@pytest.mark.parametrize("head_relu", ["hidden", "none"])
def test_same_seed_same_weights_for_every_head(head_relu):
    torch.manual_seed(3)
    a = d2lcnn.nin()
    torch.manual_seed(3)
    b = d2lcnn.nin(head_relu=head_relu)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_smaller_inputs_work_down_to_67_pixels():
    assert _shapes(d2lcnn.nin(), 72)[-1] == (10,)
    assert _shapes(d2lcnn.nin(), 67)[-1] == (10,)
    with pytest.raises(ValueError, match="MaxPool2d"):  # the shape helpers name the layer that rejects it
        _shapes(d2lcnn.nin(), 66)


@pytest.mark.parametrize("bad", [None, True, "linear", "ALL"])
def test_head_relu_must_be_named(bad):
    with pytest.raises(ValueError, match="head_relu must be one of 'all', 'hidden', 'none'"):
        d2lcnn.nin(head_relu=bad)


def test_channels_and_classes_are_checked():
    with pytest.raises(ValueError, match="num_classes"):
        d2lcnn.nin(num_classes=0)
    assert _shapes(d2lcnn.nin(num_classes=5, head_relu="none"))[-1] == (5,)


def test_figure_exported():
    assert nin_figures.__all__ == ["plot_nin_vs_alexnet"]
    assert d2lcnn.plot_nin_vs_alexnet is nin_figures.plot_nin_vs_alexnet


@pytest.mark.parametrize("lang,words", [
    ("en", ["AlexNet ends in dense layers", "global average pool → 10", "dense 6400 → 4096, ReLU, dropout",
            "dense head: 43.0 M parameters", "last NiN block: 34.8 K parameters", "26.2 M params"]),
    ("zh", ["AlexNet 以全连接层结尾", "全局平均汇聚 → 10", "全连接 6400 → 4096，ReLU，暂退法",
            "全连接部分：43.0 M 个参数", "最后一个 NiN 块：34.8 K 个参数", "26.2 M 参数"]),
])
def test_figure_in_both_languages(lang, words):
    with d2lcnn.lang.lang_context(lang):  # a CJK font for the Chinese labels, as show_figure uses
        fig = d2lcnn.plot_nin_vs_alexnet(lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    texts = [t.get_text() for t in fig.axes[0].texts]
    for w in words:
        assert w in texts, (w, texts)
    assert not plt.fignum_exists(fig.number)  # closed: a notebook shows it once


def test_figure_counts_match_the_networks():
    """The parameter counts drawn in the figure are those of the package's AlexNet and NiN."""
    with torch.device("meta"):
        alex = d2lcnn.alexnet()
        net = d2lcnn.nin()
    dense = sum(d2lcnn.count_parameters(m) for m in alex if isinstance(m, nn.Linear))
    fig = d2lcnn.plot_nin_vs_alexnet(lang="en")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert f"dense head: {dense / 1e6:.1f} M parameters" in texts
    assert f"last NiN block: {d2lcnn.count_parameters(net[7]) / 1e3:.1f} K parameters" in texts


def test_figure_rejects_a_bad_class_count():
    with pytest.raises(ValueError, match="num_classes"):
        d2lcnn.plot_nin_vs_alexnet(num_classes=0)
    with pytest.raises(ValueError, match="unknown language"):
        d2lcnn.plot_nin_vs_alexnet(lang="fr")
