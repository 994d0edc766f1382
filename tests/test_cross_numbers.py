"""Numbers one page restates from another chapter or from the stored runs, asserted against their source.

tests/test_prose_numbers.py backs every *written-out* number of a page with that page's outputs,
the notes or a cited source. What it cannot see is a restatement in words ("near chance for
six epochs", "about a seventh of the MACs", "NiN's runs span 77 points") or a count of
points, epochs or chapters, and such restatements are where the summary chapter, the glossary
and the introduction drifted from the chapters and runs they summarise (expert read
2026-12-07). Each such sentence is listed below as a claim: the cell (en and zh), a pattern
that finds the number as written, and the source it is computed from (the stored runs in
benchmarks/results via ``d2lcnn.results``, the notes' figures in ``d2lcnn.recipes``, the
networks themselves, the profiles' run plan, PyTorch). A claim fails when the number no
longer matches its source, and also when its sentence is gone: reword a listed sentence and
the test says which claim to update, so no restatement leaves the check unnoticed.

``test_a_planted_drift_fails`` changes each claim's number, in each language, and checks that
the claim then fails: every claim can fail.
"""
import dataclasses
import functools
import json
import re
from decimal import Decimal

import pytest

from _scripts import REPO, load_script

pn = load_script("tools/prose_numbers.py")

ZH_NUM = "[零一二两三四五六七八九十百千万]+"

# Number words as the prose writes them: cardinals ("three epochs") and the ordinals of
# fractions ("about a seventh of the MACs").
_EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_EN_WORDS.update({"twenty": 20, "thirty": 30})
_EN_ORDINALS = {"half": 2, "third": 3, "fourth": 4, "quarter": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                "eighth": 8, "ninth": 9, "tenth": 10, "hundredth": 100, "thousandth": 1000,
                "ten-thousandth": 10000}


def _en_word(word):
    word = word.lower()
    if word in _EN_WORDS:
        return _EN_WORDS[word]
    if word in _EN_ORDINALS:
        return _EN_ORDINALS[word]
    tens, _, unit = word.partition("-")  # twenty-third, twenty-four
    if tens in _EN_WORDS and unit:
        return _EN_WORDS[tens] + _en_word(unit)
    raise ValueError(f"not a number word: {word!r}")


def number(text):
    """The value a captured number stands for: digits, an English number word or Chinese numerals."""
    text = text.strip()
    if re.fullmatch(r"[\d,]+(?:\.\d+)?", text):
        return Decimal(text.replace(",", ""))
    if re.fullmatch(ZH_NUM, text):
        value = pn._zh_value(text)
        return Decimal(value if value is not None else pn._zh_value("一" + text))  # 千分之一: 一千
    return Decimal(_en_word(text))


def chapter_set(text):
    """{7, 8, 9, 10, 12, 13} from 'chapters 7 to 10, 12 and 13' or '第 7 到第 10 章以及第 12、13 章'."""
    found = set()
    for a, b in re.findall(r"(\d+)\s*(?:to|到)\s*第?\s*(\d+)", text):
        found.update(range(int(a), int(b) + 1))
    found.update(int(n) for n in re.findall(r"\d+", text))
    return frozenset(found)


# --- comparisons: (the number as written, the source's value) -> bool --------------------------

def rounds_to(written, value):
    """The source's value, rounded to the digits the prose writes, is the prose number."""
    (prose,) = pn.find_numbers(written) or [pn.Number(written, number(written), Decimal(1), 1)]
    prose = dataclasses.replace(prose, value=number(written), percent=False, scaled=False)
    return value is not None and pn.matches(prose, Decimal(repr(float(value))))


def equals(written, value):
    return value is not None and number(written) == Decimal(repr(value))


def at_least(written, value):
    """'less than a thousandth': the source's ratio is at least the written one."""
    return value is not None and Decimal(repr(float(value))) >= number(written)


def same_chapters(written, value):
    return chapter_set(written) == value


# --- sources -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _d2lcnn():
    import d2lcnn
    return d2lcnn


def notes(name, field="notes_test_acc"):
    return getattr(_d2lcnn().RECIPES[name], field)


@functools.lru_cache(maxsize=None)
def stored(name):
    """All stored full-recipe runs of recipe ``name`` pooled (``d2lcnn.results.stored_accuracy``)."""
    from d2lcnn.results import stored_accuracy
    return stored_accuracy(name)["test_acc"]


def stored_runs(name, device=None):
    from d2lcnn.results import summarize
    return [run for row in summarize(name) if row["variant"] is None and device in (None, row["device"])
            for run in row["runs"]]


def spread_points(name, device=None):
    accs = [run["test_acc"] for run in stored_runs(name, device)]
    return 100 * (max(accs) - min(accs))


def farthest_from_mean_points(name):
    acc = stored(name)
    return 100 * max(acc["max"] - acc["mean"], acc["mean"] - acc["min"])


def _common(values):
    """The one value every stored run gives, or None when they disagree (the claim then fails)."""
    values = set(values)
    return values.pop() if len(values) == 1 else None


def takeoff_epoch(name):
    """The first epoch whose test accuracy passes 0.5, the same in every stored run."""
    return _common(next(e for e, a in enumerate(run["test_acc_per_epoch"], 1) if a > 0.5)
                   for run in stored_runs(name))


def epochs_near_chance(name):
    """Leading epochs with test accuracy below 0.3 (three times the 0.1 of guessing), fewest over the runs."""
    counts = []
    for run in stored_runs(name):
        per_epoch = run["test_acc_per_epoch"]
        counts.append(next((e for e, a in enumerate(per_epoch) if a >= 0.3), len(per_epoch)))
    return min(counts)


@functools.lru_cache(maxsize=None)
def costs():
    """{recipe: (parameters, MACs per image)} of every recipe's network at its training size."""
    import torch
    d2lcnn = _d2lcnn()
    out = {}
    for name, r in d2lcnn.RECIPES.items():
        net = r.build()
        out[name] = (d2lcnn.count_parameters(net),
                     int(d2lcnn.macs_per_example(net, torch.zeros(1, 1, r.resize, r.resize))))
    return out


def macs_ratio(a, b):
    return costs()[a][1] / costs()[b][1]


def shortened_chapters():
    """Chapter numbers whose recipe the auto profile shortens on a CPU (d2lcnn.profiles.plan_run)."""
    from d2lcnn.profiles import plan_run
    d2lcnn = _d2lcnn()
    return frozenset(int(r.chapter[:2]) for name, r in d2lcnn.RECIPES.items()
                     if plan_run(r.num_epochs, r.batch_size, 60_000, 10_000, costs()[name][1], "cpu",
                                 "auto").reduced)


def dataset_size():
    from d2lcnn import data
    return sum(shape[0] for key, shape in data._EXPECTED.items() if "images" in key)


def bn_momentum():
    import torch
    return torch.nn.BatchNorm2d(1).momentum


# --- the claims --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Claim:
    name: str
    notebook: str
    cells: dict       # language -> cell id
    patterns: dict    # language -> regex whose group 'n' is the number as written
    source: object    # () -> the value the number must agree with
    agrees: object = rounds_to

    def check(self, cells, lang):
        """None if the cell's number agrees with the source, else what is wrong."""
        where = f"{self.notebook} cell {self.cells[lang]} ({lang}), claim {self.name!r}"
        text = cells.get(self.cells[lang])
        if text is None:
            return f"{where}: the cell is gone; update the claim in tests/test_cross_numbers.py"
        m = re.search(self.patterns[lang], text)
        if not m:
            return (f"{where}: no longer says /{self.patterns[lang]}/; if the sentence was reworded, "
                    f"update the claim in tests/test_cross_numbers.py (the number must still be checked)")
        value = self.source()
        if not self.agrees(m.group("n"), value):
            return f"{where}: the prose says {m.group('n')!r}, its source gives {value!r}: …{m.group(0)}…"
        return None


def _pair(en, zh):
    return {"en": en, "zh": zh}


SUMMARY, GLOSSARY, INTRO = "14_summary", "glossary", "00_intro"
STORED, SUMMARY_EN = _pair("s14-stored-text-en", "s14-stored-text-zh"), _pair("s14-summary-en", "s14-summary-zh")
PLOT, COST = _pair("s14-plot-text-en", "s14-plot-text-zh"), _pair("s14-cost-text-en", "s14-cost-text-zh")

CLAIMS = [
    # Chapter 14 restates the stored runs ...
    Claim("googlenet near chance", SUMMARY, STORED,
          _pair(r"near chance for about (?P<n>\w+) epochs", rf"在前(?P<n>{ZH_NUM})个迭代周期左右一直接近随机猜测"),
          lambda: epochs_near_chance("googlenet"), equals),
    Claim("googlenet takes off", SUMMARY, STORED,
          _pair(r"takes off only at epoch (?P<n>\d+)", r"直到第 (?P<n>\d+) 个迭代周期才真正开始学习"),
          lambda: takeoff_epoch("googlenet"), equals),
    Claim("googlenet's chapter", SUMMARY, STORED,
          _pair(r"at epoch \d+ \(chapter (?P<n>\d+)\)", r"开始学习（第 (?P<n>\d+) 章）"),
          lambda: int(notes("googlenet", "chapter")[:2]), equals),
    Claim("lenets' cpu seeds", SUMMARY, STORED,
          _pair(r"the LeNets also have (?P<n>\w+) seeds each on this book's CPU",
                rf"LeNet 系列还有在本书 CPU 上各(?P<n>{ZH_NUM})个随机种子"),
          lambda: _common(len(stored_runs(n, "cpu")) for n in
                          ("lenet_sigmoid", "lenet_relu", "lenet_bn_scratch", "lenet_bn_builtin")), equals),
    Claim("nin farthest from mean", SUMMARY, SUMMARY_EN,
          _pair(r"a NiN run by up to (?P<n>\d+) points", r"NiN 的单次运行与均值最多相差 (?P<n>\d+) 个百分点"),
          lambda: farthest_from_mean_points("nin")),
    Claim("nin span", SUMMARY, SUMMARY_EN,
          _pair(r"NiN's runs span (?P<n>\d+) points", r"各次运行之间相差 (?P<n>\d+) 个百分点"),
          lambda: spread_points("nin")),
    Claim("sigmoid lenet spread", SUMMARY, _pair("s14-ex1-en", "s14-ex1-zh"),
          _pair(r"by (?P<n>[\d.]+) points for the sigmoid LeNet", r"sigmoid 版 LeNet 相差 (?P<n>[\d.]+) 个百分点"),
          lambda: spread_points("lenet_sigmoid")),
    Claim("batch-norm lenets spread", SUMMARY, _pair("s14-ex1-en", "s14-ex1-zh"),
          _pair(r"by up to (?P<n>\d+) points for the batch-norm LeNets",
                r"带批量规范化的 LeNet 最多相差 (?P<n>\d+) 个百分点"),
          lambda: max(spread_points("lenet_bn_scratch"), spread_points("lenet_bn_builtin"))),
    # ... the notes' figures ...
    Claim("densenet behind alexnet (notes)", SUMMARY, PLOT,
          _pair(r"DenseNet comes within (?P<n>[\d.]+) points of it", r"与 AlexNet 的差距只有 (?P<n>[\d.]+) 个百分点"),
          lambda: 100 * (notes("alexnet") - notes("densenet"))),
    Claim("recipes", SUMMARY, _pair("s14-intro-en", "s14-intro-zh"),
          _pair(r"networks, (?P<n>\w+) training", rf"个网络，(?P<n>{ZH_NUM})套"),
          lambda: len(_d2lcnn().RECIPES), equals),
    Claim("chapters", SUMMARY, _pair("s14-intro-en", "s14-intro-zh"),
          _pair(r"^(?P<n>\w+) chapters,", rf"^(?P<n>{ZH_NUM})章，"),
          lambda: len({r.chapter for r in _d2lcnn().RECIPES.values()}), equals),
    # ... and the costs the networks themselves give.
    Claim("nin's share of alexnet's parameters", SUMMARY, COST,
          _pair(r"about a (?P<n>[\w-]+) of AlexNet's", rf"约为 AlexNet 的(?P<n>{ZH_NUM})分之一"),
          lambda: costs()["alexnet"][0] / costs()["nin"][0]),
    Claim("nin's share of alexnet's parameters (summary)", SUMMARY, SUMMARY_EN,
          _pair(r"NiN has about a (?P<n>[\w-]+) of AlexNet's parameters",
                rf"NiN 的参数量约为 AlexNet 的(?P<n>{ZH_NUM})分之一"),
          lambda: costs()["alexnet"][0] / costs()["nin"][0]),
    Claim("nin's share of alexnet's parameters (exercise 2)", SUMMARY, _pair("s14-ex2-en", "s14-ex2-zh"),
          _pair(r"NiN has about a (?P<n>[\w-]+) of AlexNet's parameters",
                rf"NiN 的参数量约为 AlexNet 的(?P<n>{ZH_NUM})分之一"),
          lambda: costs()["alexnet"][0] / costs()["nin"][0]),
    Claim("resnet's share of alexnet's MACs", SUMMARY, PLOT,
          _pair(r"ResNet-18 beats AlexNet with about a (?P<n>\w+) of its MACs",
                rf"ResNet-18 只用 AlexNet 约(?P<n>{ZH_NUM})分之一的乘加次数"),
          lambda: macs_ratio("alexnet", "resnet18")),
    Claim("densenet's share of alexnet's MACs", SUMMARY, PLOT,
          _pair(r"with about a (?P<n>\w+) of the MACs", rf"DenseNet 用约(?P<n>{ZH_NUM})分之一的乘加次数"),
          lambda: macs_ratio("alexnet", "densenet")),
    Claim("resnet's share of alexnet's MACs (summary)", SUMMARY, SUMMARY_EN,
          _pair(r"ResNet-18 beats AlexNet with about a (?P<n>\w+) of its MACs",
                rf"ResNet-18 用约(?P<n>{ZH_NUM})分之一的乘加次数"),
          lambda: macs_ratio("alexnet", "resnet18")),
    Claim("densenet's share of alexnet's MACs (summary)", SUMMARY, SUMMARY_EN,
          _pair(r"DenseNet comes close with about a (?P<n>\w+)", rf"DenseNet 用约(?P<n>{ZH_NUM})分之一的乘加次数"),
          lambda: macs_ratio("alexnet", "densenet")),
    Claim("lenets below a thousandth of alexnet's MACs", SUMMARY, PLOT,
          _pair(r"with less than a (?P<n>[\w-]+) of AlexNet's computation",
                r"计算量还不到 AlexNet 的(?P<n>[千万])分之一"),
          lambda: min(macs_ratio("alexnet", "lenet_relu"), macs_ratio("alexnet", "lenet_bn_builtin")), at_least),
    Claim("224 px multiplies the work", SUMMARY, COST,
          _pair(r"multiplies the work of every convolution by about (?P<n>\d+)",
                r"每个卷积层的计算量都增加约 (?P<n>\d+) 倍"),
          lambda: (notes("alexnet", "resize") / notes("lenet_sigmoid", "resize")) ** 2),
    # Chapter 10 and chapter 6 restate the stored runs too.
    Claim("googlenet near chance (ch. 10)", "10_googlenet", _pair("06e664a9", "01db94b8"),
          _pair(r"stay near chance for about (?P<n>\w+) epochs", rf"在前(?P<n>{ZH_NUM})个迭代周期左右都接近随机猜测"),
          lambda: epochs_near_chance("googlenet"), equals),
    Claim("googlenet takes off (ch. 10)", "10_googlenet", _pair("06e664a9", "01db94b8"),
          _pair(r"only take off at epoch (?P<n>\d+)", r"直到第 (?P<n>\d+) 个迭代周期才真正开始学习"),
          lambda: takeoff_epoch("googlenet"), equals),
    Claim("googlenet below the notes (ch. 10)", "10_googlenet", _pair("06e664a9", "01db94b8"),
          _pair(r"about (?P<n>\w+) points below the notes' 0\.878", rf"比笔记的 0\.878 低约(?P<n>{ZH_NUM})个百分点"),
          lambda: 100 * (notes("googlenet") - stored("googlenet")["mean"])),
    Claim("sigmoid lenet's cpu seeds spread (ch. 6)", "06_lenet", _pair("c1266c2d", "834b90e5"),
          _pair(r"a spread of (?P<n>[\d.]+) points \(computed before rounding\)",
                r"相差达 (?P<n>[\d.]+) 个百分点（按取整前的值计算）"),
          lambda: spread_points("lenet_sigmoid", "cpu")),
    # The glossary restates PyTorch's default, the introduction the data and the profiles.
    Claim("batch-norm momentum", GLOSSARY, _pair("glossary-14", "glossary-15"),
          _pair(r"the momentum, (?P<n>[\d.]+) in PyTorch", r"即动量，PyTorch 中为 (?P<n>[\d.]+)"),
          bn_momentum, equals),
    Claim("Fashion-MNIST images", INTRO, _pair("f4aec680", "2d75e519"),
          _pair(r"a dataset of (?P<n>[\d,]+) small grey images", r"共 (?P<n>[\d,]+) 张小尺寸灰度图像"),
          dataset_size, equals),
    Claim("chapters the auto profile shortens on a CPU", INTRO, _pair("494f58aa", "c0659081"),
          _pair(r"shortens the expensive recipes of (?P<n>chapters [\d ,toand]+?) to a fixed",
                r"会把(?P<n>第 [\d 到第章以及、]+?)中开销大的训练设置缩短"),
          shortened_chapters, same_chapters),
]


def _cells(notebook):
    nb = json.loads((REPO / "chapters" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    return {c.get("id"): "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("claim", CLAIMS, ids=[c.name for c in CLAIMS])
def test_restated_numbers_agree_with_their_source(claim, lang):
    problem = claim.check(_cells(claim.notebook), lang)
    assert problem is None, problem


# --- a planted drift ---------------------------------------------------------------------------

_NEXT_WORD = {"thousandth": "ten-thousandth", "千": "万"}


def _drifted(written):
    """Another number, written the same way: the last digit moved, or the next number word."""
    if written in _NEXT_WORD:
        return _NEXT_WORD[written]
    if re.search(r"\d", written):
        i = max(k for k, ch in enumerate(written) if ch.isdigit())
        return written[:i] + str((int(written[i]) + 1) % 10 or 2) + written[i + 1:]
    if re.fullmatch(ZH_NUM, written):
        return written[:-1] + {"九": "八"}.get(written[-1], "九")
    ordinals = {v: k for k, v in _EN_ORDINALS.items()}
    value = _en_word(written)
    if written.lower() in _EN_ORDINALS or written.endswith(("third", "th")):
        tens, _, unit = written.partition("-")
        return (tens + "-" if unit else "") + ordinals[(_en_word(unit or tens) % 9) + 3]
    return next(w for w, v in _EN_WORDS.items() if v == value % 12 + 1)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("claim", CLAIMS, ids=[c.name for c in CLAIMS])
def test_a_planted_drift_fails(claim, lang):
    cells = _cells(claim.notebook)
    cell_id = claim.cells[lang]
    m = re.search(claim.patterns[lang], cells[cell_id])
    assert m, claim.check(cells, lang)
    drifted = _drifted(m.group("n"))
    assert drifted != m.group("n")
    text = cells[cell_id]
    cells[cell_id] = text[:m.start("n")] + drifted + text[m.end("n"):]
    problem = claim.check(cells, lang)
    assert problem and f"the prose says {drifted!r}" in problem, (claim.name, lang, drifted, problem)


def test_a_reworded_sentence_is_reported():
    claim = CLAIMS[0]
    cells = _cells(claim.notebook)
    cells[claim.cells["en"]] = cells[claim.cells["en"]].replace("near chance", "close to chance")
    assert "no longer says" in claim.check(cells, "en")
