"""The figures of chapters 7-8 (AlexNet, VGG): drawn from the real networks, labelled in the asked language."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import d2lcnn
from d2lcnn.figures import alexnet as fig_alexnet
from d2lcnn.figures import vgg as fig_vgg


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def test_exported():
    assert fig_alexnet.__all__ == ["plot_lenet_alexnet", "plot_first_layer_kernels"] and fig_vgg.__all__ == ["plot_vgg"]
    assert d2lcnn.plot_lenet_alexnet is fig_alexnet.plot_lenet_alexnet
    assert d2lcnn.plot_vgg is fig_vgg.plot_vgg
    # the networks keep their names: the figure modules do not shadow them
    assert callable(d2lcnn.alexnet) and callable(d2lcnn.vgg) and d2lcnn.vgg.__module__.endswith("models.vgg")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lenet_alexnet_shapes_and_language(lang):
    fig = d2lcnn.plot_lenet_alexnet(lang=lang)
    assert isinstance(fig, Figure) and not plt.fignum_exists(fig.number)
    texts = _texts(fig)
    # the output shapes come from the networks themselves (curriculum's tables)
    for shape in ["6×28×28", "16×5×5", "96×54×54", "256×26×26", "384×12×12", "256×5×5", "4096"]:
        assert shape in texts, shape
    assert "LeNet (1998)" in texts and "AlexNet (2012)" in texts
    joined = " ".join(texts)
    if lang == "en":
        assert "conv 11×11, 96 ch, stride 4, pad 1 + ReLU" in texts and "卷积" not in joined
    else:
        assert "卷积 11×11，96 通道，步幅 4，填充 1 + ReLU" in texts and "conv" not in joined
        assert any("暂退法" in t for t in texts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_vgg_blocks_and_language(lang):
    fig = d2lcnn.plot_vgg(lang=lang)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    for shape in ["64×112×112", "128×56×56", "256×28×28", "512×14×14", "512×7×7", "c'×h/2×w/2"]:
        assert shape in texts, shape
    if lang == "en":
        assert "VGG-11: 8 conv + 3 dense layers" in texts
        assert "block: 2 × conv 3×3, 512 ch" in texts
    else:
        assert "VGG-11：8 个卷积层 + 3 个全连接层" in texts
        assert "块：2 个 3×3 卷积，512 通道" in texts


def test_vgg_other_archs():
    texts = _texts(d2lcnn.plot_vgg(d2lcnn.VGG16_ARCH, lang="en"))
    assert "VGG-16: 13 conv + 3 dense layers" in texts and "block: 3 × conv 3×3, 256 ch" in texts
    texts = _texts(d2lcnn.plot_vgg(d2lcnn.scale_arch(d2lcnn.VGG11_ARCH, 4), lang="en"))
    assert "32×56×56" in texts


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="'en'"):
        d2lcnn.plot_lenet_alexnet(lang="fr")
    with pytest.raises(ValueError, match="'zh'"):
        d2lcnn.plot_vgg(lang="de")
    with pytest.raises(ValueError, match="5 blocks"):
        d2lcnn.plot_vgg(((1, 64), (1, 128)))
    with pytest.raises(ValueError, match="positive integers"):
        d2lcnn.plot_vgg(((1, 64), (1, 128), (2, 256), (2, 512), (0, 512)))
    with pytest.raises(TypeError, match="nn.Sequential"):
        fig_alexnet._stack_rows(object(), (1, 28, 28), "en")
