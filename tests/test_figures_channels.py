"""The figures of chapters 4-5 draw what their docstrings promise (cheap: no rendering to files)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from d2lcnn.figures import channels

from _figures import assert_bad_lang_rejected, assert_bilingual


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_all_exported():
    assert sorted(channels.__all__) == sorted(
        ["plot_multi_in_corr", "plot_conv1x1", "plot_pooling", "plot_pool_stride_padding"])
    import d2lcnn
    for name in channels.__all__:
        assert getattr(d2lcnn, name) is getattr(channels, name)


def test_multi_in_corr_shows_the_worked_example():
    fig = channels.plot_multi_in_corr()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    texts = _texts(ax)
    assert "Two input channels" in ax.get_title()
    for value in ["19", "37", "56", "72", "104", "120", "67", "77"]:
        assert value in texts
    assert any("19 + 37 = 56" in t for t in texts)
    assert not plt.fignum_exists(fig.number)  # closed: a notebook shows it once


def test_multi_in_corr_rejects_one_channel():
    with pytest.raises(ValueError):
        channels.plot_multi_in_corr(X=np.zeros((1, 3, 3)), K=np.zeros((1, 2, 2)))


def test_conv1x1_has_two_panels():
    fig = channels.plot_conv1x1(c_i=3, c_o=2)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    subtitles = [t.get_text() for t in fig.texts]
    assert "per pixel" in subtitles and "as a matrix product" in subtitles
    assert "fully connected" in fig._suptitle.get_text()
    assert any("2×3" in t for t in _texts(fig.axes[1]))
    with pytest.raises(ValueError):
        channels.plot_conv1x1(pick=(5, 0))


def test_pooling_shows_max_and_average():
    fig = channels.plot_pooling()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    texts = _texts(fig.axes[0])
    assert any("max(0, 1, 3, 4) = 4" in t for t in texts)
    assert any("mean(0, 1, 3, 4) = 2" in t for t in texts)
    # max output [[4, 5], [7, 8]] and average output [[2, 3], [5, 6]]
    for value in ["4", "5", "7", "8", "2", "3", "6"]:
        assert value in texts
    with pytest.raises(ValueError):
        channels.plot_pooling(window=(2, 2))


def test_pool_stride_padding_result():
    fig = channels.plot_pool_stride_padding()
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert "stride (2, 3)" in ax.get_title()
    texts = _texts(ax)
    assert texts.count("−∞") == 8  # one padded column on each side of 4 rows
    for value in ["5", "7", "13", "15"]:
        assert texts.count(value) == 2  # once in the input, once in the output


ZH_CALLS = {
    "plot_multi_in_corr": lambda lang: channels.plot_multi_in_corr(lang=lang),
    "plot_conv1x1": lambda lang: channels.plot_conv1x1(lang=lang),
    "plot_pooling": lambda lang: channels.plot_pooling(lang=lang),
    "plot_pool_stride_padding": lambda lang: channels.plot_pool_stride_padding(lang=lang),
}


def test_every_figure_has_a_chinese_version():
    assert_bilingual(ZH_CALLS, channels.__all__)


def test_bad_lang_is_rejected():
    assert_bad_lang_rejected(ZH_CALLS)
