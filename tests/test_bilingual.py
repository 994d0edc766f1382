"""The bilingual convention of the chapter notebooks (CONTRIBUTING.md, "Check the bilingual convention").

Every markdown cell carries exactly one language tag: ``en`` (English prose), ``zh`` (its Chinese
twin, the very next cell) or ``any`` (no prose: a figure, an equation, a table of numbers).
tools/build_book.py builds each edition by dropping the other language's cells, so a prose cell
without its twin, or a twin in the wrong language, leaves a hole or a foreign paragraph in one
edition. The checks below are those of ../shared/tools/check_bilingual.py, kept in the
repository so that CI runs them.
"""
import pathlib
import re

import nbformat
import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "chapters").glob("*.ipynb"))
LANG_TAGS = {"en", "zh", "any"}

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
# What is not prose: inline code, display and inline maths, code fences, HTML tags, link targets.
NOT_PROSE = re.compile(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|<[^>]+>|\(https?://[^)]*\)", re.S)
# An `any` cell may name a few things in Latin letters (axis labels, a caption's variable names)
# but more words than this is prose that the Chinese edition would show untranslated.
MAX_WORDS_IN_ANY = 12
# Twins this long must be of comparable length: Chinese takes roughly a third to a half of the
# characters of the English; far outside that, one twin has lost a paragraph.
MIN_CHARS_TO_COMPARE, ZH_EN_RATIO = 200, (0.12, 1.5)


def _prose(text):
    return NOT_PROSE.sub(" ", text)


def _heading_level(text):
    match = re.match(r"\s*(#{1,6})\s", text)
    return len(match.group(1)) if match else 0


def _mostly_chinese(text):
    han, latin = len(HAN.findall(text)), len(LATIN.findall(text))
    # About four Latin letters make one word, the unit a Han character stands for.
    return han > 0 and han >= 0.3 * (han + latin / 4)


def bilingual_problems(cells):
    """Every break of the convention in a notebook's cells, one sentence each, saying what to fix."""
    problems = []
    waiting = None  # index of an `en` cell whose `zh` twin must come next

    def twin_missing(before):
        problems.append(f"cell {waiting}: English cell has no Chinese twin right after it"
                        f"{f' (cell {before} comes first)' if before is not None else ''}; add a `zh` cell after it")

    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            if waiting is not None:
                twin_missing(i)
                waiting = None
            continue
        tags = set(cell.metadata.get("tags", [])) & LANG_TAGS
        if len(tags) != 1:
            problems.append(f"cell {i}: a markdown cell needs exactly one of the tags en, zh, any "
                            f"in metadata.tags; it has {sorted(tags) or 'none'}")
            continue
        lang, body = tags.pop(), _prose(cell.source)
        if lang != "zh" and waiting is not None:
            twin_missing(i)
            waiting = None
        if lang == "any":
            if HAN.search(body) or len(re.findall(r"[A-Za-z]{3,}", body)) > MAX_WORDS_IN_ANY:
                problems.append(f"cell {i}: tagged `any` but holds prose; split it into an `en` cell "
                                f"and its `zh` twin")
        elif lang == "en":
            if HAN.search(body):
                problems.append(f"cell {i}: English cell contains Chinese characters; move them to its `zh` twin")
            waiting = i
        elif waiting is None:
            problems.append(f"cell {i}: Chinese cell without an English twin right before it; "
                            f"put it after its `en` cell")
        else:
            english = cells[waiting].source
            if not _mostly_chinese(body):
                problems.append(f"cell {i}: Chinese cell is not mostly Chinese; translate it")
            if _heading_level(english) != _heading_level(cell.source):
                problems.append(f"cells {waiting}/{i}: the twins' heading levels differ; use the same number of #")
            en_len, zh_len = len(_prose(english)), len(body)
            low, high = ZH_EN_RATIO
            if en_len > MIN_CHARS_TO_COMPARE and not low <= zh_len / en_len <= high:
                problems.append(f"cells {waiting}/{i}: the twins differ a lot in length ({en_len} vs {zh_len} "
                                f"characters); has one lost content?")
            waiting = None
    if waiting is not None:
        twin_missing(None)
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_keeps_the_bilingual_convention(path):
    problems = bilingual_problems(nbformat.read(path, as_version=4).cells)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_there_are_notebooks_to_check():
    assert len(NOTEBOOKS) >= 15, f"expected the chapter notebooks in {REPO / 'chapters'}"


# The checker itself, on small made-up notebooks: each rule must be able to fail.

def _md(source, *tags):
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": list(tags)})


EN, ZH = _md("## Padding", "en"), _md("## 填充", "zh")


def test_a_complete_pair_passes():
    assert bilingual_problems([EN, ZH, _md("$$y = x$$", "any"), nbformat.v4.new_code_cell("1")]) == []


@pytest.mark.parametrize("cells,expected", [
    ([_md("text")], "exactly one of the tags"),
    ([_md("text", "en", "any")], "exactly one of the tags"),
    ([EN], "no Chinese twin"),
    ([EN, nbformat.v4.new_code_cell("1"), ZH], "no Chinese twin"),
    ([EN, _md("x", "any"), ZH], "no Chinese twin"),
    ([ZH], "without an English twin"),
    ([_md("## Padding 填充", "en"), ZH], "contains Chinese characters"),
    ([EN, _md("## Padding", "zh")], "not mostly Chinese"),
    ([EN, _md("### 填充", "zh")], "heading levels"),
    ([_md("如图所示", "any")], "holds prose"),
    ([_md("This figure shows how the window slides over the padded input, one step at a time, left "
          "to right", "any")], "holds prose"),
    ([_md("word " * 60, "en"), _md("词", "zh")], "differ a lot in length"),
])
def test_each_broken_rule_is_reported(cells, expected):
    problems = bilingual_problems(cells)
    assert any(expected in p for p in problems), problems


def test_code_maths_and_links_are_not_prose():
    cell = _md("`corr2d(X, K)` $Y = X \\star K$ <img src='a.png'> [x](https://example.com/a)", "any")
    assert bilingual_problems([cell]) == []
