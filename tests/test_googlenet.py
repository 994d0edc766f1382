"""Chapter 10: the Inception figure in both languages, the notes' channel plans, clear errors."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

import d2lcnn
from d2lcnn.figures import googlenet as figs

# The notes' plans: (in, c1, c2 out, c3 out, c4, sum) for the nine blocks in order.
NOTES_PLANS = [(192, 64, 128, 32, 32, 256), (256, 128, 192, 96, 64, 480),
               (480, 192, 208, 48, 64, 512), (512, 160, 224, 64, 64, 512), (512, 128, 256, 64, 64, 512),
               (512, 112, 288, 64, 64, 528), (528, 256, 320, 128, 128, 832),
               (832, 256, 320, 128, 128, 832), (832, 384, 384, 128, 128, 1024)]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def test_exported():
    assert figs.__all__ == ["plot_inception_block", "plot_googlenet"]
    assert d2lcnn.plot_inception_block is figs.plot_inception_block
    assert d2lcnn.plot_googlenet is figs.plot_googlenet


@pytest.mark.parametrize("lang, words", [("en", ["input", "192 channels", "3×3 conv, padding 1", "5×5 conv, padding 2",
                                                 "3×3 max pool", "path 4"]),
                                         ("zh", ["输入", "192 个通道", "3×3 卷积，填充 1", "5×5 卷积，填充 2",
                                                 "3×3 最大汇聚", "路径 4"])])
def test_inception_figure_in_both_languages(lang, words):
    with d2lcnn.lang.lang_context(lang):  # a CJK font for the Chinese labels, as show_figure uses
        fig = figs.plot_inception_block(lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    texts = _texts(fig)
    for word in words:
        assert any(word in t for t in texts), (word, texts)
    assert any("64 + 128 + 32 + 32 = 256" in t for t in texts)
    # the output bar carries one segment label per path
    for width in ("64", "128", "32"):
        assert width in texts
    other = "输入" if lang == "en" else "input"
    assert not any(other in t for t in texts)
    assert not plt.fignum_exists(fig.number)  # closed: show_figure shows it once


def test_inception_figure_reads_the_block():
    block = d2lcnn.Inception(832, 384, (192, 384), (48, 128), 128)
    texts = _texts(figs.plot_inception_block(block, lang="en"))
    assert any("384 + 384 + 128 + 128 = 1024" in t for t in texts)
    assert "192 channels" in texts and "48 channels" in texts and "832 channels" in texts


def test_inception_figure_rejects_other_modules():
    with pytest.raises(TypeError, match="Inception"):
        figs.plot_inception_block(torch.nn.Conv2d(1, 1, 1))
    with pytest.raises(ValueError, match="unknown language"):
        figs.plot_inception_block(lang="fr")


def test_googlenet_channel_plans_match_the_notes():
    net = d2lcnn.googlenet()
    blocks = [m for m in net.modules() if isinstance(m, d2lcnn.Inception)]
    plans = [(b.p1[0].in_channels, b.p1[0].out_channels, b.p2[2].out_channels, b.p3[2].out_channels,
              b.p4[1].out_channels, b.out_channels) for b in blocks]
    assert plans == NOTES_PLANS
    for plan in plans:
        assert sum(plan[1:5]) == plan[5]


def test_inception_output_channels_and_size():
    block = d2lcnn.Inception(192, 64, (96, 128), (16, 32), 32)
    y = block(torch.rand(2, 192, 7, 5))
    assert y.shape == (2, 256, 7, 5) and (y >= 0).all()


def test_googlenet_shapes_at_96():
    shapes = [s for _, _, s in d2lcnn.layer_shapes(d2lcnn.googlenet(), torch.rand(1, 1, 96, 96))]
    assert shapes == [(1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024), (1, 10)]


def test_googlenet_clear_errors():
    with pytest.raises(ValueError):
        d2lcnn.googlenet(in_channels=0)
    with pytest.raises(ValueError):
        d2lcnn.googlenet(num_classes=0)


def test_inception_figure_takes_a_readers_own_block():
    class MyInception(torch.nn.Module):  # the chapter defines its own copy of the block
        def __init__(self):
            super().__init__()
            ref = d2lcnn.Inception(256, 128, (128, 192), (32, 96), 64)
            self.p1, self.p2, self.p3, self.p4 = ref.p1, ref.p2, ref.p3, ref.p4

    texts = _texts(figs.plot_inception_block(MyInception(), lang="en"))
    assert any("128 + 192 + 96 + 64 = 480" in t for t in texts)
    broken = MyInception()
    broken.p4 = torch.nn.Sequential(torch.nn.MaxPool2d(3, 1, 1))
    with pytest.raises(TypeError, match="end in a convolution"):
        figs.plot_inception_block(broken)
