"""The DenseNet chapter's figures draw what their docstrings promise, in both languages (no files written)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from d2lcnn.figures import densenet
from d2lcnn.lang import lang_context


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts + [ax.title, ax.xaxis.label]
            ] + [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]


def test_all_exported():
    assert sorted(densenet.__all__) == ["plot_add_vs_concat", "plot_dense_block_growth"]
    import d2lcnn
    for name in densenet.__all__:
        assert getattr(d2lcnn, name) is getattr(densenet, name)


@pytest.mark.parametrize("lang, add, concat, channels", [
    ("en", "ResNet: addition", "DenseNet: concatenation", "c + k channels"),
    ("zh", "ResNet：相加", "DenseNet：连结", "c + k 个通道"),
])
def test_add_vs_concat(lang, add, concat, channels):
    with lang_context(lang):
        fig = densenet.plot_add_vs_concat(lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == [add, concat]
    texts = _texts(fig)
    for label in ("x + g(x)", "[x, f(x)]", "+", "C", channels):
        assert label in texts
    # the dense output stacks x (blue) under f(x) (green): two bars where ResNet has one
    left, right = (sum(isinstance(p, matplotlib.patches.Rectangle) for p in ax.patches) for ax in fig.axes)
    assert right == left + 1
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dense_block_growth_default_is_the_chapters_first_block(lang):
    with lang_context(lang):
        fig = densenet.plot_dense_block_growth(lang=lang)
    texts = _texts(fig)
    for s in ("64", "64 + 32 = 96", "64 + 2×32 = 128", "64 + 3×32 = 160", "64 + 4×32 = 192"):
        assert s in texts
    assert any("192 ÷ 2 = 96" in t for t in texts)
    assert ("layer 1 input" in texts) == (lang == "en")
    assert ("第 1 层的输入" in texts) == (lang == "zh")
    assert ("channels" if lang == "en" else "通道数") in texts
    # one blue x per row of the block, f1 .. f4 in the block's output
    assert texts.count("x") == 5 and texts.count("f₄") == 1 and texts.count("f₁") == 4
    assert not plt.fignum_exists(fig.number)


def test_dense_block_growth_follows_its_arguments():
    fig = densenet.plot_dense_block_growth(in_channels=3, growth_rate=10, num_convs=2)
    texts = _texts(fig)
    assert "3 + 2×10 = 23" in texts and any("23 ÷ 2 = 11" in t for t in texts)
    with pytest.raises(ValueError):
        densenet.plot_dense_block_growth(growth_rate=0)
