"""The chapter 1-3 figures: each returns one closed Figure with the expected panels and labels."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from d2lcnn.figures import conv

from _figures import assert_bad_lang_rejected, assert_bilingual


def texts(fig):
    out = []
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
    return out + [t.get_text() for t in fig.texts]


def test_all_exported():
    import d2lcnn
    for name in conv.__all__:
        assert getattr(d2lcnn, name) is getattr(conv, name)


def test_flatten_shuffle():
    open_before = set(plt.get_fignums())
    fig = conv.plot_flatten_shuffle()
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert any("64 inputs" in t for t in texts(fig))
    assert set(plt.get_fignums()) == open_before  # closed: a notebook shows it once


def test_dense_vs_local():
    fig = conv.plot_dense_vs_local(n=7, delta=1)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Dense: 7×7 = 49 weights W[i, j, k, l]", "Local: 3×3 = 9 weights V[a, b]"]


def test_corr2d_writes_the_arithmetic():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    t = texts(conv.plot_corr2d(X, K, pos=(1, 1)))
    assert "Y[1, 1] = 4·0 + 5·1 + 7·2 + 8·3 = 43" in t
    for label in ("Input X", "Kernel K", "Output Y", "19", "25", "37", "43"):
        assert label in t


def test_padding_sizes():
    t = texts(conv.plot_padding(n=3, k=3, padding=1))
    assert "3×3 input, padding 1 → 5×5" in t and "3×3 output" in t


def test_stride_output_cells():
    t = texts(conv.plot_stride(n=(4, 4), k=(2, 2), padding=(1, 1), stride=(3, 2)))
    assert "2×3 output" in t and "stride: 3 down, 2 across" in t
    assert {"0,0", "0,2", "1,2"} <= set(t) and "2,0" not in t


ZH_CALLS = {
    "plot_flatten_shuffle": lambda lang: conv.plot_flatten_shuffle(lang=lang),
    "plot_dense_vs_local": lambda lang: conv.plot_dense_vs_local(lang=lang),
    "plot_corr2d": lambda lang: conv.plot_corr2d(torch.arange(9.0).reshape(3, 3),
                                                 torch.tensor([[0.0, 1.0], [2.0, 3.0]]), lang=lang),
    "plot_padding": lambda lang: conv.plot_padding(lang=lang),
    "plot_stride": lambda lang: conv.plot_stride(lang=lang),
}


def test_every_figure_has_a_chinese_version():
    assert_bilingual(ZH_CALLS, conv.__all__)


def test_chinese_stride_label():
    fig = conv.plot_stride(lang="zh")
    assert "步幅：向下 3，向右 2" in texts(fig)


def test_bad_lang_is_rejected():
    assert_bad_lang_rejected(ZH_CALLS)
