"""The figures of chapter 11 (batch normalization) draw what their docstrings promise, in both languages."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from d2lcnn.figures import batch_norm
from d2lcnn.lang import lang_context


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def _orange_cells(ax):
    return [p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(batch_norm.KERNEL[0])]


def test_all_exported():
    assert sorted(batch_norm.__all__) == ["plot_bn_axes", "plot_bn_recalibration"]
    import d2lcnn
    for name in batch_norm.__all__:
        assert getattr(d2lcnn, name) is getattr(batch_norm, name)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bn_axes_highlights_one_column_and_one_channel(lang):
    with lang_context(lang):
        fig = batch_norm.plot_bn_axes(batch=4, features=5, channels=3, height=3, width=3, lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert not plt.fignum_exists(fig.number)  # closed: a notebook shows it once
    dense, conv = fig.axes
    assert len(_orange_cells(dense)) == 4          # one feature over 4 examples
    assert len(_orange_cells(conv)) == 4 * 3 * 3   # one channel over batch, height and width
    texts = " ".join(_texts(fig))
    assert "4·3·3 = 36" in texts
    if lang == "en":
        assert "Dense layer" in texts and "Convolutional layer" in texts and "example 4" in texts
    else:
        assert "全连接层" in texts and "卷积层" in texts and "样本 4" in texts and "个值" in texts
        assert "Dense" not in texts and "example" not in texts


def test_bn_axes_follows_its_arguments():
    fig = batch_norm.plot_bn_axes(batch=2, features=3, channels=2, height=2, width=4, lang="en")
    assert len(_orange_cells(fig.axes[0])) == 2
    assert len(_orange_cells(fig.axes[1])) == 2 * 2 * 4
    assert any("2·2·4 = 16" in t for t in _texts(fig))


@pytest.mark.parametrize("kwargs", [{"batch": 0}, {"features": 9}, {"feature": 5}, {"channel": 3},
                                    {"height": 2.5}])
def test_bn_axes_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError):
        batch_norm.plot_bn_axes(**kwargs)


CURVES = {0.1: {"moving": [0.70, 0.80, 0.84], "recalibrated": [0.72, 0.81, 0.86], "train": [0.6, 0.8, 0.87]},
          1.0: {"moving": [0.76, 0.65, 0.70], "recalibrated": [0.81, 0.82, 0.84]}}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_recalibration_one_panel_per_run(lang):
    with lang_context(lang):
        fig = batch_norm.plot_bn_recalibration(CURVES, lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert not plt.fignum_exists(fig.number)
    first, second = fig.axes
    assert len(first.lines) == 3 and len(second.lines) == 2  # the training curve only where given
    assert list(first.lines[1].get_ydata()) == CURVES[0.1]["moving"]
    assert list(second.lines[1].get_ydata()) == CURVES[1.0]["recalibrated"]
    assert first.get_ylim()[0] <= 0.6 and first.get_ylim()[1] == 1.0  # every point visible
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    if lang == "en":
        assert first.get_title() == "lr 0.1" and first.get_xlabel() == "epoch"
        assert any("moving" in t for t in legend) and any("recalibrated" in t for t in legend)
    else:
        assert first.get_title() == "学习率 0.1" and first.get_xlabel() == "迭代周期"
        assert any("移动平均" in t for t in legend) and any("重新校准" in t for t in legend)


@pytest.mark.parametrize("curves", [{}, {1.0: {"moving": [0.5]}}, {1.0: {"moving": [0.5], "recalibrated": []}}])
def test_recalibration_rejects_incomplete_runs(curves):
    with pytest.raises(ValueError):
        batch_norm.plot_bn_recalibration(curves)
