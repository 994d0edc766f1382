#!/usr/bin/env python3
"""Link each glossary term's first use in a chapter to its row in the glossary.

A chapter's prose links, in each language, the first time it uses a term that the glossary
explains: ``[stride](glossary.ipynb#glossary-stride)`` / ``[步幅](glossary.ipynb#glossary-stride)``.
The link is plain Markdown, so Jupyter follows it as it is and the website resolves it to
``glossary.html#glossary-stride`` (tools/sphinx/glossary_anchors.py makes the row ids link
targets, so a link to a row that does not exist fails the ``-W`` build).

Usage:
    python tools/link_terms.py            # add the missing links to every chapter
    python tools/link_terms.py --check    # list the missing links, change nothing (exit 1 if any)
    python tools/link_terms.py --relink chapters/02_conv_layer.ipynb
                                          # after an edit moved a first use: drop a chapter's
                                          # glossary links, then link the first uses again

``tests/test_glossary.py`` runs the check. What counts as a use: a match of the term's pattern
below in the prose of an ``en`` or ``zh`` markdown cell, outside headings, code, math, links,
HTML and images; where two terms overlap, the longer wins (``max pooling`` is not a use of
``pooling``). An existing link to a row counts as that term's first use.
"""
import argparse
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
GLOSSARY = "glossary.ipynb"

# Glossary row id -> (English pattern, Chinese pattern). English matches ignore case; the
# Chinese patterns are the terms this book writes (the glossary's first column).
TERMS = {
    "mlp": (r"multilayer perceptrons?|MLPs?", "多层感知机"),
    "fully-connected-layer": (r"fully[ -]connected layers?", "全连接层"),
    "softmax": (r"softmax", "softmax"),
    "cross-entropy": (r"cross-entropy", "交叉熵"),
    "minibatch-sgd": (r"minibatch (?:stochastic gradient descent|SGD)|stochastic gradient descent",
                      "小批量随机梯度下降|随机梯度下降"),
    "learning-rate": (r"learning rates?", "学习率"),
    "epoch": (r"epochs?", "迭代周期"),
    "parameters": (r"parameter counts?", "参数量"),
    "xavier": (r"Xavier initiali[sz]ation", "Xavier ?初始化"),
    "kaiming": (r"Kaiming initiali[sz]ation", "Kaiming ?初始化"),
    "training-setup": (r"recipes?|training setups?", "训练设置"),
    "profile": (r"(?:run )?profiles?", "运行模式"),
    "translation-invariance": (r"translation invariance", "平移不变性"),
    "translation-equivariance": (r"(?:translation )?equivariance", "平移等变性|等变性"),
    "locality": (r"locality", "局部性"),
    "convolution": (r"convolutions?", "卷积(?!神经网络|核)"),
    "kernel": (r"(?:convolution )?kernels?(?! methods?)", "卷积核"),  # not SVMs' kernel methods
    "cross-correlation": (r"cross-correlations?", "互相关"),
    "feature-map": (r"feature maps?", "特征映射"),
    "receptive-field": (r"receptive fields?", "感受野"),
    "stepper": (r"steppers?", "逐步演示器"),
    "padding": (r"padding", "填充"),
    "stride": (r"strides?", "步幅"),
    "downsampling": (r"downsampl(?:ing|es|ed|e)", "下采样"),
    "channel": (r"channels?", "通道"),
    "1x1-convolution": (r"1 ?× ?1 convolutions?", "1 ?× ?1 ?卷积"),
    "pooling": (r"pooling", "汇聚"),
    "max-pooling": (r"max(?:imum)? pooling", "最大汇聚"),
    "average-pooling": (r"average pooling", "平均汇聚"),
    "global-average-pooling": (r"global average pooling", "全局平均汇聚"),
    "dropout": (r"dropout", "暂退法"),
    "macs-flops": (r"MACs|FLOPs|multiply-accumulates?", "乘加次数|浮点运算次数"),
    "vgg-block": (r"VGG blocks?", "VGG ?块"),
    "nin-block": (r"NiN blocks?", "NiN ?块"),
    "inception-block": (r"Inception blocks?", "Inception ?块"),
    "batch-normalization": (r"batch normali[sz]ation", "批量规范化"),
    "residual-block": (r"residual blocks?", "残差块"),
    "bottleneck": (r"bottleneck blocks?", "瓶颈块"),  # not a bottleneck in general
    "dense-block": (r"dense blocks?", "稠密块"),
    "growth-rate": (r"growth rates?", "增长率"),
    "transition-layer": (r"transition layers?", "过渡层"),
    "bias": (r"bias(?:es)?", "偏置"),
    "activation-function": (r"activation functions?", "激活函数"),
    "relu": (r"ReLUs?", "ReLU"),
    "sigmoid": (r"sigmoids?", "sigmoid"),
    "overfitting": (r"overfit(?:ting|s)?", "过拟合"),
    "data-augmentation": (r"data augmentation", "数据增广"),
    "weight-decay": (r"weight decay", "权重衰减"),
    "weight-sharing": (r"weight sharing", "权重共享"),
    "dead-relu": (r"dead (?:ReLU )?units?", "死亡单元"),
    "moving-average": (r"moving averages?", "移动平均"),
    "shortcut": (r"shortcuts?(?: connections?)?|skip connections?", "捷径(?:连接)?"),
    "pre-activation": (r"pre-activation", "预激活"),
}

# Uses that name something else: (chapter, row id) -> why the chapter's word is not that term.
SKIP = {
    ("06_lenet.ipynb", "dense-block"): "LeNet's dense block is its fully connected part, not DenseNet's",
}

PATTERNS = {
    "en": {k: re.compile(rf"(?<![\w-])(?:{en})(?![\w-])", re.IGNORECASE) for k, (en, _) in TERMS.items()},
    "zh": {k: re.compile(zh) for k, (_, zh) in TERMS.items()},
}

# Text that is not prose: a term inside it is not a use, and it is never rewritten.
PROTECTED = re.compile(
    r"```.*?```"                                # fenced code
    r"|\$\$.*?\$\$|\$[^$\n]+\$"                 # display and inline math
    r"|`[^`\n]+`"                               # inline code
    r"|!?\[[^\]\n]*\]\([^)\n]*\)"               # links and images (text and target)
    r"|^#[^\n]*"                                # headings
    r"|^<.*?(?=\n\s*\n|\Z)"                     # an HTML block runs to the next blank line
    r"|<[^>\n]+>"                               # inline HTML
    r"|https?://\S+",
    re.DOTALL | re.MULTILINE)
GLOSSARY_LINK = re.compile(r"\[[^\]\n]*\]\(glossary\.ipynb#glossary-([a-z0-9-]+)\)")


def _uses(text, lang):
    """Non-overlapping term uses in ``text``: (start, end, row id), longest first where they overlap."""
    protected = [m.span() for m in PROTECTED.finditer(text)]

    def free(start, end):
        return not any(a < end and start < b for a, b in protected)

    found = [(m.start(), m.end(), key) for key, pattern in PATTERNS[lang].items()
             for m in pattern.finditer(text) if free(m.start(), m.end())]
    found.sort(key=lambda u: (u[0], u[0] - u[1]))
    chosen, end = [], -1
    for use in found:
        if use[0] >= end:
            chosen.append(use)
            end = use[1]
    links = [(m.start(), m.end(), m.group(1)) for m in GLOSSARY_LINK.finditer(text)]
    return sorted(chosen + [(s, e, key) for s, e, key in links], key=lambda u: u[0]), {s for s, _, _ in links}


def link_chapter(nb, name=""):
    """Add the missing first-use links to notebook ``nb`` (in place), file name ``name`` (for
    ``SKIP``); return [(lang, row id, text)] added."""
    skipped = {key for chapter, key in SKIP if chapter == name}
    added, seen = [], {"en": set(skipped), "zh": set(skipped)}
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        lang = "en" if "en" in tags else "zh" if "zh" in tags else None
        if cell["cell_type"] != "markdown" or lang is None:
            continue
        text = "".join(cell["source"])
        uses, existing = _uses(text, lang)
        pieces, last = [], 0
        for start, end, key in uses:
            if key in seen[lang]:
                continue
            seen[lang].add(key)
            if start in existing:
                continue
            word = text[start:end]
            pieces += [text[last:start], f"[{word}]({GLOSSARY}#glossary-{key})"]
            last = end
            added.append((lang, key, word))
        if pieces:
            cell["source"] = "".join(pieces) + text[last:]
    return added


def unlink(nb):
    """Remove every glossary link from notebook ``nb`` (in place), keeping the linked words."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = re.sub(r"\[([^\]\n]*)\]\(glossary\.ipynb#glossary-[a-z0-9-]+\)", r"\1", cell["source"])


def chapters():
    return [p for p in sorted(CHAPTERS.glob("*.ipynb")) if p.name != GLOSSARY]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list missing links; change nothing")
    parser.add_argument("--relink", action="store_true", help="drop the chapters' glossary links first")
    parser.add_argument("paths", nargs="*", type=pathlib.Path, help="chapters (default: all)")
    args = parser.parse_args(argv)
    missing = 0
    for path in args.paths or chapters():
        nb = nbformat.read(path, as_version=4)
        if args.relink and not args.check:
            unlink(nb)
        added = link_chapter(nb, path.name)
        missing += len(added)
        for lang, key, word in added:
            print(f"{path.name}: {lang} {word!r} -> glossary-{key}")
        if added and not args.check:
            nbformat.write(nb, path)  # the layout tools/run_notebooks.py writes
    if args.check and missing:
        print(f"{missing} first uses are not linked; run: python tools/link_terms.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
