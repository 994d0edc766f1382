"""Every number in the chapters' prose is shown by an output, a notes' figure or a cited one (issue 20).

The rules (what is checked, what backs a number, how rounding works) are in
tools/prose_numbers.py's docstring; `python3 tools/prose_numbers.py --report`
lists every unbacked number.
"""
import json
from decimal import Decimal

import nbformat
import pytest

from _scripts import REPO, load_script

pn = load_script("tools/prose_numbers.py")
CHAPTERS = pn.chapter_paths(REPO / "chapters")


@pytest.fixture(scope="module")
def sources():
    return pn.load_cited(), pn.notes_recipe_numbers()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_prose_number_is_backed(path, sources):
    problems = pn.check_notebook(path, *sources)
    assert not problems, (
        f"{len(problems)} number(s) in the prose of {path.name} are not shown by any output of the "
        f"notebook, not a notes' figure and not in tools/cited_numbers.json. Print the number in a "
        f"code cell, cite it (with its source), or rephrase:\n\n" + "\n\n".join(map(str, problems)))


# --- a planted number --------------------------------------------------------------------------

def _copy_with(tmp_path, markdown, outputs=()):
    """A copy of chapter 2 with one more markdown cell and, optionally, a code cell printing ``outputs``."""
    nb = nbformat.read(str(REPO / "chapters" / "02_conv_layer.ipynb"), as_version=4)
    cell = nbformat.v4.new_markdown_cell(markdown, id="planted1")
    cell.metadata["tags"] = ["en"]
    nb.cells.append(cell)
    if outputs:
        code = nbformat.v4.new_code_cell("print(accuracy)", id="planted2")
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text) for text in outputs]
        nb.cells.append(code)
    path = tmp_path / "02_conv_layer.ipynb"
    nbformat.write(nb, str(path))
    return path


def _planted(problems):
    """The problems in the planted cell (chapter 2's own cells are checked by the test above)."""
    return [p for p in problems if p.cell_id == "planted1"]


def test_a_planted_unbacked_number_fails_with_where_it_looked(tmp_path, sources):
    path = _copy_with(tmp_path, "After ten epochs the network reaches a test accuracy of 0.8437.")
    problems = _planted(pn.check_notebook(path, *sources))
    assert [(p.chapter, p.cell_id, p.lang, p.number) for p in problems] == [
        ("02_conv_layer", "planted1", "en", "0.8437")]
    message = str(problems[0])
    assert "02_conv_layer, cell planted1 (en): '0.8437' is not backed" in message
    assert "outputs" in message and "recipes.py" in message and "cited_numbers.json" in message
    assert "test accuracy of 0.8437" in message  # the context


def test_the_same_number_passes_once_an_output_shows_it(tmp_path, sources):
    path = _copy_with(tmp_path, "After ten epochs the network reaches a test accuracy of 0.8437.",
                      outputs=["epoch 10, test acc 0.84372\n"])
    assert _planted(pn.check_notebook(path, *sources)) == []


def test_a_chinese_percentage_is_checked_too(tmp_path, sources):
    path = _copy_with(tmp_path, "训练后测试精度达到 84.4%，比笔记高百分之二。")
    assert [p.number for p in _planted(pn.check_notebook(path, *sources))] == ["84.4%", "百分之二"]
    text = "训练后测试精度达到 84.4%，比笔记高百分之二。"
    path = _copy_with(tmp_path, text, outputs=["0.8437 0.02\n"])
    assert _planted(pn.check_notebook(path, *sources)) == []


# --- reading numbers ---------------------------------------------------------------------------

def _read(text):
    return [(n.text.strip(), n.value, n.percent, n.checked) for n in pn.find_numbers(text)]


@pytest.mark.parametrize("text, value, checked", [
    ("18,412 examples", Decimal(18412), True),
    ("about 61.7 thousand parameters", Decimal(61700), True),
    ("约 6.17 万个参数", Decimal(61700), True),
    ("762.30 M MACs", Decimal("762300000"), True),
    ("7.61 GFLOPs", Decimal("7610000000"), True),
    ("0.885", Decimal("0.885"), True),
    ("0.100", Decimal("0.100"), True),       # a decimal's trailing zeros are significant
    ("35,000", Decimal(35000), False),      # an integer's are rounding: two significant digits
    ("0.9", Decimal("0.9"), False),
    ("224 pixels", Decimal(224), False),    # integers below 1000 are sizes and counts
    ("4096 units", Decimal(4096), False),   # powers of two are widths
    ("in 2012", Decimal(2012), False),      # a year
    ("一千二百五十个", Decimal(1250), True),
    ("两千五", Decimal(2500), False),
    ("x2.58", Decimal("2.58"), True),
])
def test_reading_one_number(text, value, checked):
    (found,) = [n for n in pn.find_numbers(text)]
    assert (found.value, found.checked) == (value, checked)


@pytest.mark.parametrize("text", ["3 %", "3%", "3 percent", "百分之三", "three percent", "3％"])
def test_percentages_are_always_checked(text):
    (found,) = pn.find_numbers(text)
    assert found.percent and found.checked and found.value == 3


def test_ranges_and_lists_share_their_percent_and_scale():
    assert [(v, p) for _, v, p, _ in _read("91–93 %")] == [(91, True), (93, True)]
    assert [v for _, v, _, _ in _read("132.9, 138.4 and 143.7 million")] == [
        Decimal("132900000"), Decimal("138400000"), Decimal("143700000")]


def test_latex_thousands_separators_are_read():
    text = pn.prose_text(r"$8\cdot 16\cdot 16\cdot 27 = 55{,}296$ multiplications, $12\,345$ bytes")
    assert [(n.text, n.checked) for n in pn.find_numbers(text) if n.value > 1000] == [
        ("55,296", True), ("12,345", True)]
    assert Decimal(55296) in pn.derived_values(text)


def test_code_urls_link_targets_entities_and_versions_are_not_prose():
    text = pn.prose_text("Run `lr = 0.1234` ([chapter](13_densenet.ipynb)) from https://x.org/1234.5678 &#8239;"
                         "with Python 3.11 and torch 2.14.1.\n```python\nx = 12345\n```\n")
    assert [n.text for n in pn.find_numbers(text) if n.checked] == []


def test_rounding_rule():
    prose = pn.find_numbers("0.885")[0]
    assert pn.matches(prose, Decimal("0.8846")) and pn.matches(prose, Decimal("0.8854"))
    assert not pn.matches(prose, Decimal("0.8856")) and not pn.matches(prose, Decimal("0.884"))
    percent = pn.find_numbers("88.5 %")[0]
    assert pn.matches(percent, Decimal("0.885"))                      # a fraction backs a percentage
    assert pn.matches(percent, Decimal("88.5"), candidate_percent=True)
    assert not pn.matches(percent, Decimal("88.5"))                   # a bare count does not
    scaled = pn.find_numbers("15.47 billion")[0]
    assert pn.matches(scaled, Decimal("15.47"), candidate_scaled=False)  # a table's GMACs column


def test_a_formula_backs_what_it_computes_not_its_operands():
    text = pn.prose_text(r"so $3 \cdot 224 \cdot 224 = 150528$ inputs; $\ln 10 \approx 2.303$; "
                         r"a $3\times 32\times 32$ image; $3072+216=3288$")
    derived = pn.derived_values(text)
    numbers = {n.text: n for n in pn.find_numbers(text)}
    assert any(pn.matches(numbers["150528"], v) for v in derived)
    assert any(pn.matches(numbers["2.303"], v) for v in derived)
    assert any(pn.matches(numbers["3288"], v) for v in derived)
    assert not any(pn.matches(numbers["3072"], v) for v in derived)  # an operand, and 3x32x32 is a shape


# --- the cited list ----------------------------------------------------------------------------

def test_the_cited_list_names_a_source_for_every_entry():
    for entry in pn.load_cited():
        assert entry.source and entry.chapters and entry.numbers()


def test_the_cited_list_refuses_the_books_own_runs(tmp_path):
    path = tmp_path / "cited.json"
    path.write_text(json.dumps({"numbers": [
        {"value": "18,412", "source": "this book's CPU run of LeNet", "chapters": ["06_lenet"]}]}))
    with pytest.raises(ValueError, match="must come from a notebook's outputs"):
        pn.load_cited(path)
    path.write_text(json.dumps({"numbers": [{"value": "0.885", "chapters": ["06_lenet"]}]}))
    with pytest.raises(ValueError, match="needs a non-empty 'source'"):
        pn.load_cited(path)


# --- a sentence about this page's run is tied to the run's own cell ---------------------------

def _alexnet_with(*cells):
    """A copy of chapter 7 (whose training cell cab212d2 carries a run record) with markdown cells added."""
    nb = nbformat.read(str(REPO / "chapters" / "07_alexnet.ipynb"), as_version=4)
    for k, (lang, text) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(text, id=f"planted{k + 1}")
        cell.metadata["tags"] = [lang]
        nb.cells.append(cell)
    return nb


def _check(tmp_path, nb, sources, name="07_alexnet"):
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    return [p for p in pn.check_notebook(path, *sources) if p.cell_id.startswith("planted")]


def test_a_page_run_sentence_is_backed_by_its_run_only(tmp_path, sources):
    # 0.877 is on the page (the results box: the stored GPU run's training accuracy), but not in the
    # output of the run cell, and it is no notes' figure.
    nb = _alexnet_with(("en", "The stored GPU run reaches a training accuracy of 0.877."),
                       ("en", "This page's run reaches a training accuracy of 0.877."),
                       ("zh", "本页的运行训练精度为 0.877。"),
                       ("en", "This page's run reaches a test accuracy of 0.228, against the notes' 0.899."))
    problems = _check(tmp_path, nb, sources)
    assert [(p.cell_id, p.lang, p.number) for p in problems] == [
        ("planted2", "en", "0.877"), ("planted3", "zh", "0.877")]
    assert "cell cab212d2, the run this sentence is about" in str(problems[0])


def test_the_tie_reaches_to_the_end_of_the_paragraph_only():
    text = ("A table shows 0.885. The run above reached 0.228. Its loss was 2.299.\n\n"
            "The next paragraph says 0.885 again.")
    (a, b), = pn.page_run_spans(text, "en")
    tied = [n.text for n in pn.find_numbers(text) if a <= n.start < b]
    assert tied == ["0.228", "2.299"]
    zh = "表中为 0.885。上面的运行达到 0.228，损失为 2.299。\n\n下一段又写 0.885。"
    (a, b), = pn.page_run_spans(zh, "zh")
    assert [n.text for n in pn.find_numbers(zh) if a <= n.start < b] == ["0.228", "2.299"]


def test_a_page_run_sentence_without_a_run_above_is_unbacked(tmp_path, sources):
    path = _copy_with(tmp_path, "This page's run reached a test accuracy of 0.8437.",
                      outputs=["epoch 10, test acc 0.84372\n"])  # printed, but by no run
    (problem,) = _planted(pn.check_notebook(path, *sources))
    assert "no cell above this sentence made a run" in str(problem)
