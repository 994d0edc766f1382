"""The introduction's map of the eight architectures: its facts come from the code (model docstrings,
recipes), agree with chapter 14's table of ideas, and the arrows that code can check are checked."""
import json
import pathlib
import re

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from matplotlib.patches import FancyArrowPatch
from torch import nn

import d2lcnn
from d2lcnn.figures import intro

from _figures import assert_bad_lang_rejected, assert_bilingual

REPO = pathlib.Path(__file__).resolve().parent.parent


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def test_both_languages():
    calls = {"plot_architecture_map": lambda lang: intro.plot_architecture_map(lang=lang)}
    assert_bilingual(calls, intro.__all__)
    assert_bad_lang_rejected(calls)
    assert d2lcnn.plot_architecture_map is intro.plot_architecture_map


def test_years_and_chapters_come_from_the_code():
    facts = {f["key"]: f for f in intro.architecture_facts()}
    assert list(facts) == ["lenet", "alexnet", "vgg", "nin", "googlenet", "batch_norm", "resnet", "densenet"]
    assert {k: f["year"] for k, f in facts.items()} == {"lenet": 1998, "alexnet": 2012, "vgg": 2014, "nin": 2013,
                                                        "googlenet": 2014, "batch_norm": 2015, "resnet": 2015,
                                                        "densenet": 2017}
    assert [f["chapter"] for f in facts.values()] == list(range(6, 14))
    for key, f in facts.items():
        assert f"{f['chapter']:02d}_" in {r.chapter[:3] for r in d2lcnn.RECIPES.values()}
    # the columns are the publication years in order
    columns = sorted({(f["column"], f["year"]) for f in facts.values()})
    assert [y for _, y in columns] == sorted({f["year"] for f in facts.values()})


def test_a_module_without_a_citation_is_an_error(monkeypatch):
    monkeypatch.setattr(d2lcnn.models.vgg, "__doc__", "VGG, chapter 8, with no citation.")
    with pytest.raises(LookupError, match="cites no paper"):
        intro.architecture_facts()
    monkeypatch.setattr(d2lcnn.models.vgg, "__doc__", "VGG (Simonyan and Zisserman, 2015), chapter 8.")
    assert {f["key"]: f["year"] for f in intro.architecture_facts()}["vgg"] == 2015  # read, not typed


def test_the_years_agree_with_chapter_14s_table_of_ideas():
    nb = json.loads((REPO / "chapters" / "14_summary.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c.get("id") == "s14-ideas-h-en")
    table = dict(re.findall(r"^\| ([A-Za-z][^|]*?) \| (\d{4}) \|", "".join(cell["source"]), re.M))
    names = {"lenet": "LeNet", "alexnet": "AlexNet", "vgg": "VGG", "nin": "NiN", "googlenet": "GoogLeNet",
             "batch_norm": "Batch norm (LeNet + BN)", "resnet": "ResNet", "densenet": "DenseNet"}
    for f in intro.architecture_facts():
        assert int(table[names[f["key"]]]) == f["year"], f["key"]


def test_the_arrows_code_can_check():
    edges = {(a, b) for a, b, _ in intro.BUILDS_ON}
    # AlexNet -> NiN: the book's NiN opens with AlexNet's first window, stride and channels
    assert ("alexnet", "nin") in edges
    a, n = d2lcnn.alexnet()[0], d2lcnn.nin()[0][0]
    assert (a.kernel_size, a.stride, a.out_channels) == (n.kernel_size, n.stride, n.out_channels)
    # NiN -> GoogLeNet: 1x1 convolutions and global average pooling
    assert ("nin", "googlenet") in edges
    g = d2lcnn.googlenet()
    assert any(isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1) for m in g.modules())
    assert any(isinstance(m, nn.AdaptiveAvgPool2d) for m in g.modules())
    # VGG -> ResNet: the residual blocks' convolutions are all 3x3, as VGG's; BN -> ResNet: a BN after each conv
    assert {("vgg", "resnet"), ("batch_norm", "resnet")} <= edges
    blocks = [m for m in d2lcnn.resnet18().modules() if isinstance(m, d2lcnn.Residual)]
    assert blocks and all(b.conv1.kernel_size == b.conv2.kernel_size == (3, 3) for b in blocks)
    convs = [m for m in d2lcnn.resnet18().modules() if isinstance(m, nn.Conv2d)]
    norms = [m for m in d2lcnn.resnet18().modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(convs) == len(norms)
    # ResNet -> DenseNet: a dense block concatenates (channels add up) where a residual block adds
    assert ("resnet", "densenet") in edges
    assert d2lcnn.DenseBlock(2, 3, 10)(torch.rand(1, 3, 8, 8)).shape[1] == 3 + 2 * 10
    # every architecture is in the map and every arrow runs forward in time
    facts = {f["key"]: f for f in intro.architecture_facts()}
    assert {k for e in edges for k in e} == set(facts)
    assert all(facts[a]["year"] <= facts[b]["year"] for a, b in edges)


@pytest.mark.parametrize("lang, chapter", [("en", "chapter 12"), ("zh", "第 12 章")])
def test_the_figure_shows_every_box_and_arrow(lang, chapter):
    with d2lcnn.lang.lang_context(lang):
        fig = intro.plot_architecture_map(lang=lang)
    texts = _texts(fig)
    for name in ("LeNet", "AlexNet", "VGG", "NiN", "GoogLeNet", "ResNet", "DenseNet"):
        assert name in texts
    assert ("Batch norm" if lang == "en" else "批量规范化") in texts
    assert chapter in texts and "He et al., 2015" in texts and "Krizhevsky et al., 2012" in texts
    for year in ("1998", "2012", "2013", "2014", "2015", "2017"):
        assert year in texts
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(intro.BUILDS_ON) == 8
