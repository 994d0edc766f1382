"""Check that every number in the chapters' prose is one the book shows or cites.

For every markdown cell of a chapter notebook (English and Chinese alike), every
number that is *checked* (see below) must be backed by one of:

(a) an output of the same notebook: stream text, ``text/plain``, ``text/html``
    or ``text/markdown`` of any code cell's outputs (HTML tags are dropped);
(b) a figure of the source notes: every number of ``d2lcnn.recipes.RECIPES``
    (learning rates, batch sizes, the accuracies and examples/s the notes report),
    and the entries of ``tools/cited_numbers.json`` whose source is the notes;
(c) a number cited from a named source (a paper, its table) in
    ``tools/cited_numbers.json``, for the chapters that entry names;
(d) a formula of the same cell that computes it: in
    ``$3 \\cdot 224 \\cdot 224 = 150528$`` or ``$\\ln 10 \\approx 2.303$`` the
    result is derived on the page, so the value of an arithmetic side of an
    ``=``/``\\approx`` chain backs that number anywhere in the cell (the operands
    themselves are not backed by it).

A sentence about *this page's run* is tied to that run: in a sentence that names it ("This
page's run ...", "the run above", 本页的运行, 上面的运行) and in the rest of its paragraph, a
number is backed only by the outputs of the run's own cell (the last code cell above whose
output carries a run record, see ``d2lcnn.runs``), the notes or the cited list, or a formula
of the cell, not by an output elsewhere on the page: a stale accuracy must not pass because a
results box or a table further down happens to show the same digits.

The cited list never backs what this book's own runs measure on a CPU
(examples/s, accuracies of shortened runs): those change when the outputs are
re-made, so they must come from the outputs (the loader refuses entries whose
source is the book itself).

Which numbers are checked
-------------------------
* Every percentage: ``12.5 %``, ``12.5%``, ``12.5 percent``, ``百分之十二``, and
  every item of a range or list such as ``91–93 %`` or ``12, 15 and 20 %``
  (a list's items likewise share its last item's scale: ``132.9, 138.4 and
  143.7 million``).
* Every other number with three or more significant digits and a value of 1000
  or more if it is an integer: ``0.885``, ``61.7 thousand``, ``18,412``,
  ``6.17 万``, ``2.82×``. An integer's trailing zeros are read as rounding
  (``35,000`` has two significant digits), a decimal's are significant
  (``0.100`` has three).

Not checked: integers below 1000 that are not percentages (counts of layers,
epochs, channels, image sides such as 224, chapter and equation numbers),
integers that are powers of two (layer widths and channel counts: 1024, 4096),
numbers with fewer than three significant digits, years (a bare integer
1950–2030), version numbers (``3.11.2``, or a number right after Python,
PyTorch, torch, CUDA, ipywidgets or "version"), and what is not prose: fenced
code blocks, inline code, URLs, link targets and HTML tags.

Written numbers are read in both languages: thousands separators, scale words
(thousand/million/billion, K/M/G/T, 千/万/亿), Chinese numerals (一百二十三,
两千, 三万五千) and English number words (ninety percent).

When a number matches
---------------------
A prose number matches a candidate when the candidate, rounded to the prose
number's precision, equals it: ``0.885`` is backed by an output ``0.8846``,
``61.7 thousand`` by ``61,706`` or ``61.71 K``, ``1,030`` by ``1,031`` (its
last digit is the tens). A scaled prose number is also backed by a bare output (``15.47 billion`` by a
``15.47`` in a table whose header says GMACs), read as thousands, millions,
billions or trillions. Percentages and fractions are the same quantity: a
prose ``88.5 %`` is backed by an output ``0.885`` and a prose ``0.885`` by an
output ``88.5%``. Both round-half-up and round-half-even are accepted.

Usage::

    python3 tools/prose_numbers.py --report               # every unbacked number, per chapter
    python3 tools/prose_numbers.py chapters/06_lenet.ipynb  # exit status 1 when one is unbacked
"""
import argparse
import bisect
import dataclasses
import decimal
import html
import json
import math
import pathlib
import re
import sys
from decimal import Decimal

REPO = pathlib.Path(__file__).resolve().parents[1]
CITED_FILE = REPO / "tools" / "cited_numbers.json"

# ---------------------------------------------------------------------------
# Reading numbers
# ---------------------------------------------------------------------------

_SCALE_WORDS = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9,
    "K": 10**3, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
    "千": 10**3, "万": 10**4, "亿": 10**8,
}
# A digit string: 18,412 / 61.7 / 0.885 / 150528 / x2.58 (not part of a word such as fp32 or 3rd-party).
_DIGITS = re.compile(r"(?<![A-Za-wyz0-9_.,])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?![\d]|[.,]\d)")
# What may follow it: a scale (the letters only before a unit or a non-letter: 762 M, 7.6 GFLOPs, 55 MB).
_SCALE_AFTER = re.compile(r"\s?(?:(thousand|million|billion)\b|([KMGT])(?=FLOPs?|MACs?|B\b|[^A-Za-z]|$)"
                          r"|(k)(?![A-Za-z])|(千(?!分)|万|亿))")
_LIST_REST = re.compile(r"(?:\s?(?:,|、|，|and|or|和|或)\s?(?:and\s)?\d[\d,]*(?:\.\d+)?(?![\d.]))+")
_PERCENT_AFTER = re.compile(r"\s?(?:%|％|percent\b|per cent\b)")
_RANGE_AFTER = re.compile(r"\s?(?:–|-|—|~|～|to|至|到)\s?")
_YEAR = range(1950, 2031)
_VERSIONED = re.compile(r"(?:Python|PyTorch|torch|torchvision|CUDA|cuDNN|ipywidgets|numpy|matplotlib|"
                        r"Jupyter Book|version|版本)\s?v?$", re.IGNORECASE)

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10**4, "亿": 10**8}
_ZH_NUMBER = re.compile(r"(百分之)?([零〇一二两三四五六七八九十百千万亿]+)")

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_EN_WORD = "|".join(list(_EN_UNITS) + list(_EN_TENS) + ["hundred", "thousand", "million"])
_EN_NUMBER = re.compile(rf"\b((?:(?:{_EN_WORD})(?:[\s-]+|\s+and\s+)?)+)\s?(percent|per cent)\b", re.IGNORECASE)


@dataclasses.dataclass
class Number:
    """One number read from text: its value, the step its last written digit stands for, and more."""
    text: str            # as written, e.g. "61.7 thousand"
    value: Decimal       # 61700
    quantum: Decimal     # 100: the prose number is this value rounded to a multiple of quantum
    sig: int             # significant digits as written (3)
    percent: bool = False
    start: int = 0       # position in the text it was read from
    is_year: bool = False
    is_version: bool = False
    scaled: bool = False  # written with a scale word (thousand, M, 万, ...)

    @property
    def checked(self):
        """Whether the rule requires this number to be backed (see the module docstring)."""
        if self.is_year or self.is_version:
            return False
        if self.percent:
            return True
        if self.sig < 3:
            return False
        if self.value == self.value.to_integral_value() and self.quantum >= 1:
            integer = int(self.value)
            # Small integers are counts and sizes; powers of two are widths (4096 units, 1024 channels).
            return integer >= 1000 and integer & (integer - 1) != 0
        return True


def _sig_digits(int_part, frac):
    digits = int_part.replace(",", "") + (frac or "")[1:]
    digits = digits.lstrip("0")
    if not frac:
        digits = digits.rstrip("0")
    return max(len(digits), 1)


def _zh_value(chars):
    """Value of a run of Chinese numerals (三万五千 -> 35000, 十二 -> 12), or None if it is not a number."""
    total, section, digit, last_unit = 0, 0, None, None
    for ch in chars:
        if ch in _ZH_DIGITS:
            if digit is not None and digit != 0 and _ZH_DIGITS[ch] != 0:
                return None  # 二三: not one number
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit, last_unit = None, _ZH_UNITS[ch]
        else:  # 万 or 亿
            section += digit or 0
            if section == 0:
                return None
            total = (total + section) * _ZH_BIG[ch]
            section, digit, last_unit = 0, None, _ZH_BIG[ch]
    if digit:
        # 两千五 means 2500: a lone digit after a unit counts in the next unit down.
        section += digit * (last_unit // 10 if last_unit and last_unit >= 100 and chars[-2:-1] not in
                            ("零", "〇") else 1)
    value = total + section
    return value if (value or chars in ("零", "〇")) else None


def _en_value(words):
    total, current = 0, 0
    for w in re.split(r"[\s-]+", words.lower()):
        if not w or w == "and":
            continue
        if w in _EN_UNITS:
            current += _EN_UNITS[w]
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * (1000 if w == "thousand" else 10**6)
            current = 0
    return total + current


def _sig_of_int(value):
    s = str(value).rstrip("0")
    return max(len(s), 1)


def find_numbers(text):
    """Every number written in ``text`` (digits, Chinese numerals, English words before 'percent')."""
    found = []
    for m in _DIGITS.finditer(text):
        int_part, frac = m.group("int"), m.group("frac")
        value = Decimal(int_part.replace(",", "") + (frac or ""))
        quantum = Decimal(1).scaleb(-(len(frac) - 1)) if frac else Decimal(10) ** (
            len(int_part.replace(",", "")) - len(int_part.replace(",", "").rstrip("0")) if value else 0)
        sig = _sig_digits(int_part, frac)
        end = m.end()
        written = m.group(0)
        scale = _SCALE_AFTER.match(text, end)
        scaled = bool(scale)
        if not scale:
            # The first items of a list share the last one's scale: "132.9, 138.4 and 143.7 million".
            rest = _LIST_REST.match(text, end)
            if rest:
                shared = _SCALE_AFTER.match(text, rest.end())
                if shared:
                    factor = _SCALE_WORDS[next(g for g in shared.groups() if g)]
                    value, quantum, scaled = value * factor, quantum * factor, True
        if scale:
            word = next(g for g in scale.groups() if g)
            factor = _SCALE_WORDS[word]
            value, quantum = value * factor, quantum * factor
            end = scale.end()
            written = text[m.start():end]
        sign = _PERCENT_AFTER.match(text, end)
        percent = bool(sign)
        if sign:
            written = text[m.start():sign.end()]
        if not percent:
            # The first end of a range whose second end is a percentage: 91–93 %.
            rng = _RANGE_AFTER.match(text, end)
            if rng:
                nxt = _DIGITS.match(text, rng.end())
                percent = bool(nxt and _PERCENT_AFTER.match(text, nxt.end()))
        if not percent:
            rest = _LIST_REST.match(text, end)
            percent = bool(rest and _PERCENT_AFTER.match(text, rest.end()))  # "12, 15 and 20 %"
        if text[max(0, m.start() - 3):m.start()] == "百分之":
            percent = True
        before = text[max(0, m.start() - 30):m.start()]
        is_version = bool(_VERSIONED.search(before)) or bool(re.match(r"\.\d", text[m.end():m.end() + 2]))
        is_year = (not frac and "," not in int_part and not scale and not percent
                   and int(int_part) in _YEAR and len(int_part) == 4)
        found.append(Number(written, value, quantum, sig, percent, m.start(), is_year, is_version, scaled))
    for m in _ZH_NUMBER.finditer(text):
        chars = m.group(2)
        # A big unit right after digits (6.17 万) was read above with the digits.
        if chars[0] in "万亿千" and re.search(r"\d\s?$", text[:m.start(2)]):
            continue
        value = _zh_value(chars)
        if value is None:
            continue
        percent = bool(m.group(1))
        found.append(Number(m.group(0), Decimal(value), Decimal(1), _sig_of_int(value), percent, m.start()))
    for m in _EN_NUMBER.finditer(text):
        value = _en_value(m.group(1))
        found.append(Number(m.group(0), Decimal(value), Decimal(1), _sig_of_int(value), True, m.start()))
    return found


def _round(value, quantum, mode):
    if quantum <= 0:
        return value
    with decimal.localcontext() as ctx:
        ctx.prec = 80  # enough for a 1e12 output against a 0.001 step
        return (value / quantum).quantize(Decimal(1), rounding=mode) * quantum


def _comparable(prose, candidate, candidate_percent, candidate_scaled):
    """The values ``candidate`` may stand for, in the prose number's terms (see ``matches``)."""
    if prose.percent:
        values = (candidate,) if candidate_percent else (candidate * 100,)
    else:
        values = (candidate / 100,) if candidate_percent else (candidate,)
    if prose.scaled and not candidate_scaled and not candidate_percent:
        # A table prints 15.47 under a "GMACs" header: a bare output number may be in any unit.
        values = tuple(candidate * 10**k for k in (0, 3, 6, 9, 12))
    return values


def matches(prose, candidate, candidate_percent=False, candidate_scaled=True):
    """Whether ``candidate`` (a Decimal), rounded to the precision of ``prose``, is ``prose``.

    A percentage is the same quantity as a fraction: a prose percentage is backed by a
    percentage (88.5 %) or by a fraction (0.885), never by a bare count that happens to be 88.5;
    a prose fraction 0.885 is backed by 0.885 or by 88.5 %. A prose number with a scale word
    (15.47 billion, 6.17 万) is also backed by an output without one, read as thousands,
    millions, billions or trillions (a table's column header carries the unit).
    """
    step = max(prose.quantum, Decimal(0))
    for v in _comparable(prose, candidate, candidate_percent, candidate_scaled):
        # Rounding to a multiple of the step moves a value by half a step at most, so a candidate
        # more than a step away cannot round to the prose number: a cheap test that spares the
        # exact rounding below for nearly every candidate (the check compares each prose number
        # with every output of its page).
        if abs(v - prose.value) > step:
            continue
        if any(_round(v, prose.quantum, mode) == prose.value
               for mode in (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN)):
            return True
    return False


# ---------------------------------------------------------------------------
# Reading notebooks
# ---------------------------------------------------------------------------

_FENCE = re.compile(r"^(```+|~~~+)(?!\s*\{)[^\n]*\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_LINK_TARGET = re.compile(r"(\]\()([^)\s]*)(\))")
_URL = re.compile(r"https?://\S+|arXiv:\s?\S+|doi:\s?\S+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)


def prose_text(markdown):
    """The prose of a markdown cell, with code, URLs, link targets and HTML tags blanked out.

    Blanking (not deleting) keeps positions, so that context shown in a failure is the cell's own.
    """
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))

    # LaTeX thousands separators (55{,}296, 55\,296) read as the plain ones.
    markdown = re.sub(r"(?<=\d)(?:\{,\}|\\,)(?=\d{3}(?!\d))", ",", markdown)
    text = _FENCE.sub(blank, markdown)
    text = _INLINE_CODE.sub(blank, text)
    text = _LINK_TARGET.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(3), text)
    text = _URL.sub(blank, text)
    text = _TAG.sub(blank, text)
    # An entity (&#8239;, &nbsp;) is one character of prose, not a number; pad to keep positions.
    return re.sub(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);", lambda m: html.unescape(m.group(0)).ljust(len(m.group(0))),
                  text)


def output_text(cell):
    """All text a code cell's outputs show: streams, text/plain, text/html (tags dropped), text/markdown."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(_join(out.get("text", "")))
        elif out.get("output_type") == "error":
            parts.append(_join(out.get("evalue", "")))
        data = out.get("data", {})
        for kind in ("text/plain", "text/markdown"):
            if kind in data:
                parts.append(_join(data[kind]))
        if "text/html" in data:
            parts.append(html.unescape(_TAG.sub(" ", _join(data["text/html"]))))
    return "\n".join(parts)


def _join(text):
    return "".join(text) if isinstance(text, list) else text


# ---------------------------------------------------------------------------
# Backing: math on the page, outputs, the notes, the cited list
# ---------------------------------------------------------------------------

_EQUALS = re.compile(r"\\approx|\\simeq|=")
_CHAIN_SPLIT = re.compile(r"\\approx|\\simeq|=|\\to|\\rightarrow|<|>|\\le|\\ge|\\quad|,\\;|\\qquad")
_LATEX_OPS = [(r"\\times", "*"), (r"\\cdot", "*"), (r"\\div", "/"), (r"\\left|\\right", ""),
              (r"\\,|\\;|\\!", ""), (r"\\%", "/100"), (r"−", "-"), (r"\{", "("), (r"\}", ")"),
              (r"\^", "**"), (r"\\ln", "log"), (r"\\log", "log"), (r"\\sqrt", "sqrt"), (r"\\exp", "exp"),
              (r"\\pi", "pi")]
_SAFE_EXPR = re.compile(r"^[\d\s.+\-*/()a-z]*$")


def _evaluate(expr):
    """Value of a LaTeX arithmetic expression (digits, + - × · / ^, \\sqrt, \\ln, \\frac), or None."""
    expr = re.sub(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1)/(\2))", expr)
    expr = re.sub(r"(?<=\d),(?=\d{3})", "", expr)
    for pattern, repl in _LATEX_OPS:
        expr = re.sub(pattern, repl, expr)
    expr = re.sub(r"\b(log|sqrt|exp)\s*(\d+(?:\.\d+)?)", r"\1(\2)", expr.strip())
    if not expr or not _SAFE_EXPR.match(expr) or not re.search(r"\d", expr):
        return None
    if re.search(r"[a-z]", re.sub(r"\b(?:log|sqrt|exp|pi)\b", "", expr)):
        return None
    if any(float(p) > 64 for p in re.findall(r"\*\*\(?(\d+(?:\.\d+)?)", expr)):
        return None  # no 9^9^9 in a formula may hang the check
    try:
        value = eval(expr, {"__builtins__": {}}, {"log": math.log, "sqrt": math.sqrt, "exp": math.exp,
                                                   "pi": math.pi})
    except Exception:  # anything that is not plain arithmetic backs nothing
        return None
    return Decimal(repr(float(value))) if isinstance(value, (int, float)) and math.isfinite(value) else None


def math_spans(text):
    """(start, end, body) of every $...$ and $$...$$ in ``text``."""
    for m in _MATH.finditer(text):
        body_group = 1 if m.group(1) is not None else 2
        yield m.start(body_group), m.end(body_group), m.group(body_group)


def derived_values(text):
    """Values that the formulas of ``text`` derive: each side of an ``=``/``\\approx`` chain that is
    arithmetic (has an operator), e.g. 150528 from ``$3 \\cdot 224 \\cdot 224 = 150528$``.

    A number is backed when a formula of its own cell computes it; a lone number
    (``$5344$``) computes nothing, so it cannot back itself.
    """
    values = []
    for _, _, body in math_spans(text):
        if not _EQUALS.search(body):
            continue  # $3\\times 32\\times 32$ is a shape, not a computation
        for piece in _CHAIN_SPLIT.split(body):
            if not re.search(r"[-+*/^]|\\(?:times|cdot|div|frac|sqrt|ln|log|exp)|−", piece.strip().lstrip("-−")):
                continue
            value = _evaluate(piece)
            if value is not None:
                values.append(value)
    return values


@dataclasses.dataclass
class Cited:
    """One entry of tools/cited_numbers.json."""
    value: str
    source: str
    chapters: tuple
    note: str = ""

    def numbers(self):
        return find_numbers(self.value)


# A cited entry must name a source outside the book: the book's own measurements come from outputs.
_OWN_RUN = re.compile(r"\b(this book|the book's|d2lcnn|our run|benchmarks/)|本书", re.IGNORECASE)


def load_cited(path=CITED_FILE):
    """The cited list, checked: each entry has a value, a named external source and its chapters."""
    raw = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    entries = []
    for i, item in enumerate(raw["numbers"]):
        where = f"{path} entry {i} ({item.get('value')!r})"
        for key in ("value", "source", "chapters"):
            if not item.get(key):
                raise ValueError(f"{where}: needs a non-empty {key!r}")
        if _OWN_RUN.search(item["source"]):
            raise ValueError(f"{where}: the source {item['source']!r} is this book's own run; numbers the "
                             f"book measures must come from a notebook's outputs, not the cited list")
        if not find_numbers(item["value"]):
            raise ValueError(f"{where}: 'value' holds no number")
        chapters = (item["chapters"],) if isinstance(item["chapters"], str) else tuple(item["chapters"])
        entries.append(Cited(item["value"], item["source"], chapters, item.get("note", "")))
    return entries


def notes_recipe_numbers():
    """Every number of d2lcnn.recipes.RECIPES: the notes' recipes and the results they report."""
    # Loaded from its file: recipes.py needs nothing else, and importing the package would import torch.
    import importlib.util
    spec = importlib.util.spec_from_file_location("_d2lcnn_recipes", REPO / "d2lcnn" / "recipes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    RECIPES = module.RECIPES
    values = []
    for r in RECIPES.values():
        for field in dataclasses.fields(r):
            v = getattr(r, field.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values.append((Decimal(repr(v)), f"recipes.py {r.name}.{field.name}", False, True, repr(v)))
    return values


@dataclasses.dataclass
class Unbacked:
    chapter: str
    cell_id: str
    lang: str
    number: str
    context: str
    looked: str

    def __str__(self):
        return (f"{self.chapter}, cell {self.cell_id} ({self.lang}): {self.number!r} is not backed\n"
                f"    in: ...{self.context}...\n    looked in: {self.looked}")


def _context(text, start, length, width=50):
    a, b = max(0, start - width), min(len(text), start + length + width)
    return re.sub(r"\s+", " ", text[a:b]).strip()


def _closest(number, candidates):
    """The candidate nearest to ``number`` (relative distance), as written and where it was."""
    def distance(c):
        value, _, percent, scaled, _ = c
        return min(abs(v - number.value) / max(abs(number.value), Decimal("1e-12"))
                   for v in _comparable(number, value, percent, scaled))
    if not candidates:
        return "none"
    best = min(candidates, key=distance)
    return f"{best[4]!r} in the {best[1]}"


# A sentence about this page's own run; it ties its numbers (and the rest of its paragraph's) to the run's cell.
_PAGE_RUN = {
    "en": re.compile(r"\b(?:this|the) page's (?:own )?(?:shortened )?runs?\b|\bthe run above\b"
                     r"|\bthe runs? on this page\b", re.IGNORECASE),
    "zh": re.compile(r"本页(?:的|上的)(?:这次)?运行|上面(?:的|这次)运行"),
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(\[$])|(?<=[。！？])")


def page_run_spans(text, lang):
    """(start, end) of the parts of ``text`` that speak about this page's run: from the start of a
    sentence that names the run to the end of its paragraph."""
    pattern = _PAGE_RUN.get(lang)
    if pattern is None:
        return []
    spans = []
    for para in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        m = pattern.search(para.group(0))
        if m:
            starts = [0] + [e.end() for e in _SENTENCE_END.finditer(para.group(0)) if e.end() <= m.start()]
            spans.append((para.start() + max(starts), para.end()))
    return spans


def carries_run_record(cell):
    """Whether a code cell's output carries a training run's record (``d2lcnn.runs``, schema 1)."""
    for out in cell.get("outputs", []):
        tag = (out.get("metadata") or {}).get("d2lcnn")
        record = tag.get("run") if isinstance(tag, dict) else None
        if isinstance(record, dict) and record.get("schema") == 1:
            return True
    return False


class _Candidates:
    """The numbers that may back a prose number, with an index that finds the few worth comparing.

    Every form a candidate may stand for (``_comparable``) is the candidate times a power of ten, and
    a candidate that rounds to a prose number differs from it by one step at most, so its mantissa
    (the fractional part of log10) lies within a small distance of the prose number's. Looking those
    up in a sorted list spares ``matches`` for nearly every candidate of a page (it is exact; this is
    only a filter that never drops a candidate ``matches`` would accept)."""

    def __init__(self, rows):
        self.rows = rows  # (value, label, percent, scaled, text), as check_notebook lists them
        self.zeros = [r for r in rows if r[0] == 0]
        keyed = sorted((math.log10(abs(r[0])) % 1.0, k) for k, r in enumerate(rows) if r[0] != 0)
        self.keys = [key for key, _ in keyed]
        self.order = [k for _, k in keyed]

    def near(self, prose):
        """The rows that might back ``prose``."""
        value, step = abs(prose.value), max(prose.quantum, Decimal(0))
        if value == 0 or step >= value:
            return self.rows
        # |candidate - value| <= step bounds log10 of their ratio by -log10(1 - step/value); widened a little.
        width = -math.log10(1 - float(step / value)) * 1.01 + 1e-9
        if width >= 0.5:
            return self.rows
        key = math.log10(value) % 1.0
        picked = []
        for shift in (0.0, 1.0, -1.0):  # the mantissas 0.999 and 0.001 are neighbours (9.99 and 10.01)
            a = bisect.bisect_left(self.keys, key - width + shift)
            b = bisect.bisect_right(self.keys, key + width + shift)
            picked += [self.rows[k] for k in self.order[a:b]]
        return self.zeros + picked

    def back(self, prose):
        """Whether a candidate backs ``prose`` (``matches``)."""
        return any(matches(prose, v, pct, sc) for v, _, pct, sc, _ in self.near(prose))


def check_notebook(path, cited=None, recipe_numbers=None):
    """The unbacked numbers of one notebook, as a list of ``Unbacked``."""
    import nbformat
    path = pathlib.Path(path)
    chapter = path.stem
    nb = nbformat.read(str(path), as_version=4)
    cited = load_cited() if cited is None else cited
    recipe_numbers = notes_recipe_numbers() if recipe_numbers is None else recipe_numbers
    shown = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for n in find_numbers(output_text(cell)):
                shown.append((n.value, f"output of cell {cell.get('id')}", n.percent, n.scaled, n.text.strip()))
    cited_here = [(n.value, f"cited: {c.source}", n.percent, True, c.value) for c in cited
                  if chapter in c.chapters or "*" in c.chapters for n in c.numbers()]
    problems = []
    run_cell, run_shown = None, []  # the last cell above that made a run, and what its outputs show
    backing = _Candidates(shown + recipe_numbers + cited_here)
    run_backing = _Candidates(run_shown + recipe_numbers + cited_here)
    for cell in nb.cells:
        if cell.cell_type == "code" and carries_run_record(cell):
            run_cell = cell.get("id")
            run_shown = [(n.value, f"output of cell {run_cell}", n.percent, n.scaled, n.text.strip())
                         for n in find_numbers(output_text(cell))]
            run_backing = _Candidates(run_shown + recipe_numbers + cited_here)
        if cell.cell_type != "markdown":
            continue
        tags = cell.metadata.get("tags", [])
        lang = next((t for t in tags if t in ("en", "zh", "any")), "?")
        text = prose_text(cell.source)
        derived = derived_values(text)
        tied = page_run_spans(text, lang)
        for number in find_numbers(text):
            if not number.checked:
                continue
            about_run = any(a <= number.start < b for a, b in tied)
            if (run_backing if about_run else backing).back(number):
                continue
            if any(matches(number, v) for v in derived):
                continue
            if about_run:
                where = (f"the outputs of cell {run_cell}, the run this sentence is about (closest: "
                         f"{_closest(number, run_shown)})" if run_cell else
                         "no cell above this sentence made a run (no output carries a run record)")
                looked = (f"{where}; the notes' recipes (d2lcnn/recipes.py); {len(cited_here)} numbers cited "
                          f"for {chapter} in tools/cited_numbers.json; the formulas of this cell. A sentence "
                          f"about this page's run is backed by that run's outputs only")
            else:
                looked = (f"{len(shown)} numbers in this notebook's outputs (closest: {_closest(number, shown)}); "
                          f"the notes' recipes (d2lcnn/recipes.py); {len(cited_here)} numbers cited for "
                          f"{chapter} in tools/cited_numbers.json; the formulas of this cell")
            problems.append(Unbacked(chapter, cell.get("id", "?"), lang, number.text.strip(),
                                     _context(cell.source if len(cell.source) == len(text) else text,
                                              number.start, len(number.text)), looked))
    return problems


def chapter_paths(root=REPO / "chapters"):
    return sorted(p for p in pathlib.Path(root).glob("*.ipynb") if not p.name.startswith("_"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to check (default: every chapter)")
    parser.add_argument("--report", action="store_true", help="list every unbacked number, chapter by chapter")
    args = parser.parse_args(argv)
    paths = [pathlib.Path(p) for p in args.notebooks] or chapter_paths()
    cited, recipe_numbers = load_cited(), notes_recipe_numbers()
    total = 0
    for path in paths:
        problems = check_notebook(path, cited, recipe_numbers)
        total += len(problems)
        if args.report:
            print(f"== {path.stem}: {len(problems)} unbacked")
            for p in problems:
                print(f"  {p.cell_id} [{p.lang}] {p.number!r}: ...{p.context}...")
        else:
            for p in problems:
                print(p)
    print(f"{total} unbacked number(s) in {len(paths)} notebook(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
