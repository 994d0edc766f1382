"""The LeNet diagram of chapter 6: drawn from the package's network, labelled in the asked language."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from torch import nn

import d2lcnn
from d2lcnn.figures import lenet as fig_lenet
from d2lcnn.figures.lenet import plot_lenet


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_exported():
    assert fig_lenet.__all__ == ["plot_lenet"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_shapes_order_and_language(lang):
    with d2lcnn.lang.lang_context(lang):  # a CJK font for the Chinese labels, as show_figure uses
        fig = plot_lenet(lang=lang)
    assert isinstance(fig, Figure) and not plt.fignum_exists(fig.number)
    texts = _texts(fig)
    # output shapes of d2lcnn.lenet(), left to right: conv -> pool -> conv -> pool -> dense
    shapes = ["1×28×28", "6×28×28", "6×14×14", "16×10×10", "16×5×5", "400", "120", "84", "10"]
    positions = [texts.index(s) for s in shapes]
    assert positions == sorted(positions)
    joined = " ".join(texts)
    if lang == "en":
        assert "conv 5×5\n6 channels\npadding 2\n+ sigmoid" in texts
        assert "avg pool\n2×2\nstride 2" in texts and "convolutional encoder" in texts
        assert "卷积" not in joined
    else:
        assert "卷积 5×5\n6 通道\n填充 2\n+ sigmoid" in texts
        assert "平均汇聚\n2×2\n步幅 2" in texts and "卷积编码器" in texts
        assert "conv" not in joined and "pool" not in joined


def test_relu_variant_and_unknown_layer():
    texts = _texts(plot_lenet(d2lcnn.lenet("relu"), lang="en"))
    assert "max pool\n2×2\nstride 2" in texts and "dense\n120\n+ ReLU" in texts
    with pytest.raises(ValueError, match="Dropout"):
        plot_lenet(nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Dropout(0.5)), lang="en")
