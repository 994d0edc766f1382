"""Chapter 10: the whole GoogLeNet drawn from its modules, in both languages (the Inception block's
figure is tested in tests/test_googlenet.py)."""
import matplotlib

matplotlib.use("Agg")

import pytest
import torch

import d2lcnn
from d2lcnn.figures import googlenet as figs

from _figures import assert_bad_lang_rejected, assert_bilingual

NAMES = ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def _split(block):
    """The text the figure must show for a block, written here from the block's constructor arguments."""
    c1 = block.p1[0].out_channels
    c2 = (block.p2[0].out_channels, block.p2[2].out_channels)
    c3 = (block.p3[0].out_channels, block.p3[2].out_channels)
    c4 = block.p4[1].out_channels
    return f"1×1 {c1} · 3×3 {c2[0]}→{c2[1]} · 5×5 {c3[0]}→{c3[1]} · pool→1×1 {c4}"


def test_both_languages():
    calls = {"plot_googlenet": lambda lang: figs.plot_googlenet(lang=lang)}
    assert_bilingual(calls, ["plot_googlenet"])
    assert_bad_lang_rejected(calls)


def test_every_block_with_its_split_and_shape():
    net = d2lcnn.googlenet()
    texts = _texts(figs.plot_googlenet(net, lang="en"))
    assert [t for t in texts if t in NAMES] == NAMES
    blocks = [m for m in net.modules() if isinstance(m, d2lcnn.Inception)]
    assert len(blocks) == 9
    for block in blocks:
        assert _split(block) in texts, _split(block)
    assert "1×1 64 · 3×3 96→128 · 5×5 16→32 · pool→1×1 32" in texts  # 3a, as the notes give it
    # the stages and the shapes of a 1x96x96 image (b1: /4, then /2 per stage; 1024 after pooling)
    assert [t for t in texts if t.startswith("b") and len(t) == 2] == ["b1", "b2", "b3", "b4", "b5"]
    for shape in ("64×24×24", "192×12×12", "256×12×12", "480×6×6", "528×6×6", "832×3×3", "1024×3×3", "1024", "10"):
        assert shape in texts, shape
    assert texts.count("512×6×6") == 3  # 4a, 4b, 4c
    assert "7×7 conv, 64, stride 2" in texts and "dense, 10 classes" in texts
    assert any(t.startswith("GoogLeNet drawn from its modules: 5 stages, 9 Inception blocks") for t in texts)
    zh = _texts(figs.plot_googlenet(net, lang="zh"))
    assert "1×1 64 · 3×3 96→128 · 5×5 16→32 · 汇聚→1×1 32" in zh and "全连接，10 个类别" in zh


def test_the_figure_follows_the_network_it_is_given():
    net = d2lcnn.googlenet(in_channels=3)
    net[2][0] = d2lcnn.Inception(192, 32, (96, 160), (16, 32), 32)  # a planted change: same 256 out, new split
    texts = _texts(figs.plot_googlenet(net, lang="en", input_shape=(1, 3, 224, 224)))
    assert "1×1 32 · 3×3 96→160 · 5×5 16→32 · pool→1×1 32" in texts
    assert "1×1 64 · 3×3 96→128 · 5×5 16→32 · pool→1×1 32" not in texts
    assert "3×224×224" in texts and "64×112×112" in texts and "1024×7×7" in texts


def test_rows_leave_the_network_as_they_found_it():
    net = d2lcnn.googlenet().train()
    rows = figs.googlenet_rows(net, torch.rand(1, 1, 96, 96))
    assert net.training
    assert [r["kind"] for r in rows].count("inception") == 9 and rows[-1]["kind"] == "dense"
    with pytest.raises(TypeError):
        figs.googlenet_rows(torch.nn.Sequential(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3))),
                            torch.rand(1, 1, 8, 8))
    with pytest.raises(TypeError):
        figs.googlenet_rows(d2lcnn.Inception(1, 1, (1, 1), (1, 1), 1), torch.rand(1, 1, 8, 8))
