"""Chapter 7's figure of AlexNet's first-layer kernels: the mosaic puts every kernel where it belongs,
the scale is read from the weights, and the figure speaks both languages."""
import math

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

import d2lcnn
from d2lcnn.figures import alexnet as figs

from _figures import assert_bad_lang_rejected, assert_bilingual


def _weights(seed=0):
    torch.manual_seed(seed)
    return torch.randn(96, 1, 11, 11) * 0.02


def test_mosaic_places_every_kernel():
    w = torch.arange(7 * 3 * 3, dtype=torch.float32).reshape(7, 1, 3, 3)
    m = figs.kernel_mosaic(w, cols=3, gap=1)
    assert m.shape == (3 * 4 + 1, 3 * 4 + 1)  # 7 kernels in rows of 3: 3 rows
    for i in range(7):
        r, c = divmod(i, 3)
        assert (m[1 + 4 * r:4 + 4 * r, 1 + 4 * c:4 + 4 * c] == w[i, 0].numpy()).all(), i
    assert all(math.isnan(v) for v in m[0]) and math.isnan(m[-1, -1])  # gaps and the empty slots
    with pytest.raises(ValueError, match="out_channels x 1"):
        figs.kernel_mosaic(torch.zeros(96, 3, 11, 11))


def test_both_languages():
    calls = {"plot_first_layer_kernels": lambda lang: figs.plot_first_layer_kernels(
        [(_weights(), ("before", "之前"))], lang=lang, note=("a run", "一次运行"))}
    assert_bilingual(calls, ["plot_first_layer_kernels"])
    assert_bad_lang_rejected(calls)
    assert d2lcnn.plot_first_layer_kernels is figs.plot_first_layer_kernels


def test_panels_titles_note_and_scale_from_the_weights():
    a, b = _weights(0), _weights(1) * 3
    fig = figs.plot_first_layer_kernels([(a, ("before", "之前")), (b, ("after", "之后"))], lang="en",
                                        note=("this cell's own run", "本单元的运行"))
    assert [ax.get_title() for ax in fig.axes] == ["before", "after"]
    assert [t.get_text() for t in fig.texts] == ["this cell's own run"]
    for ax, w in zip(fig.axes, (a, b)):
        v = float(w.abs().max())
        assert ax.get_xlabel() == f"96 kernels of 11×11; black −{v:.2g}, grey 0, white +{v:.2g}"
        image = ax.get_images()[0]
        assert image.get_clim() == (-v, v)  # one symmetric scale per panel: grey is zero
    tiny = figs.plot_first_layer_kernels([(a * 1e-3, ("change", "变化"))], lang="en")
    label = tiny.axes[0].get_xlabel()
    assert not label.endswith("+0.000") and float(label.rsplit("+", 1)[1]) > 0  # a tiny scale still shows
    zh = figs.plot_first_layer_kernels([(a, ("before", "之前"))], lang="zh")
    assert zh.axes[0].get_title() == "之前" and zh.axes[0].get_xlabel().startswith("96 个 11×11 卷积核")
    with pytest.raises(ValueError):
        figs.plot_first_layer_kernels([])
