"""Figures of the introduction, drawn with matplotlib in the reader's language (see d2lcnn.lang).

* ``plot_architecture_map``: the book's eight architectures on one page: for each its
  paper and year, the one idea it added and the chapter that teaches it, with an arrow
  from every network to the ones that built on it.

The year and authors of each box are read from the docstring of the network's module in
``d2lcnn.models`` (``"ResNet (He et al., 2015) ..."``) and the chapter from the recipe that
trains it (``d2lcnn.RECIPES``), so the map cannot disagree with the code. The ideas and
the arrows are the book's summary of the papers; ``BUILDS_ON`` gives the source of each arrow.
The function returns a closed Figure, so ``d2lcnn.show_figure`` shows it once.
"""
import re
import sys

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from ..lang import tr
from ..recipes import RECIPES
from ._style import INPUT, KERNEL, MUTED, OUTPUT, arrow

__all__ = ["plot_architecture_map"]

# (key, model module, recipe, display name, the idea it added (en, zh), column, row). Columns are the
# distinct publication years in order; rows keep the three lines of descent apart.
ARCHITECTURES = (
    ("lenet", "lenet", "lenet_relu", "LeNet", ("convolution and pooling,\ntrained end to end",
                                              "卷积与汇聚，\n端到端训练"), 0, 1),
    ("alexnet", "alexnet", "alexnet", "AlexNet", ("much deeper and wider:\nReLU, dropout, GPUs",
                                                 "更深更宽：\nReLU、暂退法、GPU"), 1, 1),
    ("nin", "nin", "nin", "NiN", ("1×1 convolutions;\nglobal average pooling", "1×1 卷积；\n全局平均汇聚"), 2, 0),
    ("vgg", "vgg", "vgg11_4", "VGG", ("repeated blocks\nof 3×3 convolutions", "重复的\n3×3 卷积块"), 3, 2),
    ("googlenet", "googlenet", "googlenet", "GoogLeNet", ("parallel paths:\nthe Inception block",
                                                         "并行路径：\nInception 块"), 3, 0),
    ("batch_norm", "batch_norm", "lenet_bn_builtin", ("Batch norm", "批量规范化"),
     ("normalize each layer\nover the minibatch", "按小批量\n规范化每一层"), 4, 0),
    ("resnet", "resnet", "resnet18", "ResNet", ("residual blocks:\nx + g(x)", "残差块：\nx + g(x)"), 4, 2),
    ("densenet", "densenet", "densenet", "DenseNet", ("concatenate the outputs\nof all earlier layers",
                                                      "连结之前\n所有层的输出"), 5, 2),
)

# Which network builds on which, and where the later paper says so.
BUILDS_ON = (
    ("lenet", "alexnet", "Krizhevsky et al. 2012 train a much larger convolutional network of LeNet's kind"),
    ("alexnet", "nin", "Lin et al. 2013: the book's NiN keeps AlexNet's windows and channels (ch. 9)"),
    ("alexnet", "vgg", "Simonyan and Zisserman 2014 start from the ILSVRC-2012 networks"),
    ("nin", "googlenet", "Szegedy et al. 2014 take the 1×1 convolutions and average pooling from NiN"),
    ("googlenet", "batch_norm", "Ioffe and Szegedy 2015 apply batch norm to an Inception network"),
    ("vgg", "resnet", "He et al. 2015 model their plain baselines on the VGG nets"),
    ("batch_norm", "resnet", "He et al. 2015 put batch norm after every convolution"),
    ("resnet", "densenet", "Huang et al. 2017 concatenate where ResNet adds"),
)

_CITATION = re.compile(r"\(([^()]*?),\s*(\d{4})\)")


def paper(module_name):
    """(authors, year) of the first citation in the docstring of ``d2lcnn.models.<module_name>``."""
    doc = sys.modules[f"d2lcnn.models.{module_name}"].__doc__ or ""
    found = _CITATION.search(doc)
    if not found:
        raise LookupError(f"d2lcnn/models/{module_name}.py: its docstring cites no paper as (Authors, year)")
    return found.group(1), int(found.group(2))


def _chapter(recipe_name):
    """The chapter number of the recipe's chapter: '12_resnet' -> 12."""
    return int(RECIPES[recipe_name].chapter.split("_")[0])


def architecture_facts():
    """One dict per architecture, in chapter order: key, name, authors, year, chapter, idea (en, zh),
    column and row, the year and authors read from the model module, the chapter from the recipe."""
    from .. import models  # noqa: F401  (loads the model modules whose docstrings are read)
    facts = []
    for key, module, recipe_name, name, idea, col, row in ARCHITECTURES:
        authors, year = paper(module)
        facts.append({"key": key, "name": name, "authors": authors, "year": year, "chapter": _chapter(recipe_name),
                      "idea": idea, "column": col, "row": row})
    return sorted(facts, key=lambda f: f["chapter"])


_BOX_W, _BOX_H, _DX, _DY = 1.9, 1.38, 2.2, 1.78


def plot_architecture_map(lang=None, figsize=(11.2, 6.4)):
    """The eight architectures as boxes in the order they were published (left to right), each with its
    paper and year, the idea it added and its chapter, and arrows from each network to those that built on it."""
    facts = architecture_facts()
    where = {f["key"]: (f["column"] * _DX, -f["row"] * _DY) for f in facts}
    colors = {0: INPUT, 1: KERNEL, 2: OUTPUT}
    fig, ax = plt.subplots(figsize=figsize)
    for f in facts:
        x, y = where[f["key"]]
        face, edge = colors[f["row"]]
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0.02,rounding_size=0.1", facecolor=face, edgecolor=edge,
                                    lw=1.4, zorder=3))
        name = tr(*f["name"], lang) if isinstance(f["name"], tuple) else f["name"]
        ax.text(x, y + _BOX_H / 2 - 0.2, name, ha="center", va="center", fontsize=11, fontweight="bold", zorder=4)
        authors = f["authors"]
        if "," in authors:  # three authors: the first and "et al.", as for the others
            authors = authors.split(",")[0] + " et al."
        authors = authors.replace(" and ", " & ")
        ax.text(x, y + _BOX_H / 2 - 0.45, f"{authors}, {f['year']}", ha="center", va="center", fontsize=7.5,
                color=MUTED, zorder=4)
        ax.text(x, y - 0.08, tr(*f["idea"], lang), ha="center", va="center", fontsize=8.3, zorder=4,
                linespacing=1.15)
        ax.text(x, y - _BOX_H / 2 + 0.17, tr(f"chapter {f['chapter']}", f"第 {f['chapter']} 章", lang),
                ha="center", va="center", fontsize=8, color=edge, fontweight="bold", zorder=4)
    for src, dst, _ in BUILDS_ON:
        (x0, y0), (x1, y1) = where[src], where[dst]
        if y0 == y1:
            start, end = (x0 + _BOX_W / 2, y0), (x1 - _BOX_W / 2, y1)
        elif x0 == x1:
            sign = 1 if y1 < y0 else -1
            start, end = (x0, y0 - sign * _BOX_H / 2), (x1, y1 + sign * _BOX_H / 2)
        else:
            sign = 1 if y1 < y0 else -1
            start, end = (x0 + _BOX_W / 2, y0 - sign * 0.3), (x1 - _BOX_W / 2, y1 + sign * 0.3)
        arrow(ax, start, end, color=MUTED, lw=1.5, size=13, zorder=2, shrink=1)
    years = sorted({(f["column"], f["year"]) for f in facts})
    for col, year in years:
        ax.text(col * _DX, _DY * 0.5 + 0.45, str(year), ha="center", va="center", fontsize=10.5, color=MUTED)
    ax.text(2.5 * _DX, -2 * _DY - _BOX_H / 2 - 0.4,
            tr("an arrow points from a network to one that built on it; each box: the paper, the idea it added, "
               "the chapter that teaches it",
               "箭头从一个网络指向在它的基础上发展出来的网络；每个方框：论文、它带来的新想法、讲授它的章节", lang),
            ha="center", va="center", fontsize=8.5, color=MUTED)
    ax.set_xlim(-_BOX_W / 2 - 0.1, 5 * _DX + _BOX_W / 2 + 0.1)
    ax.set_ylim(-2 * _DY - _BOX_H / 2 - 0.6, _DY * 0.5 + 0.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(tr("Eight architectures, one idea each: what each added and what it built on",
                    "八个架构，各带来一个想法：它们分别添加了什么、建立在什么之上", lang), fontsize=11.5)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
    plt.close(fig)
    return fig
