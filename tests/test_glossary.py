"""The glossary page and the consistency of the Chinese prose with it.

chapters/glossary.ipynb holds, per concept, one row in an English table and one in a Chinese
table. A Chinese row reads

    | <span id="glossary-pooling"></span>**汇聚** | 池化 | pooling | 释义 | [第 5 章](05_pooling.ipynb) |

column 1 is the term the book writes, column 2 the variants other books use. Every Chinese (CJK)
variant in column 2 is one the book's Chinese prose avoids: this test reads them from the page
and looks for them in every chapter's `zh` markdown cells. Latin variants (dropout, BN) are
information for the reader and not checked.
"""
import json
import pathlib
import re
import warnings

REPO = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = REPO / "chapters"
GLOSSARY = CHAPTERS / "glossary.ipynb"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
ROW = re.compile(r'^\|\s*<span id="(glossary-[a-z0-9-]+)"></span>(.*)$')

# Concepts the glossary must cover (issue 13), by anchor.
REQUIRED = [
    "convolution", "cross-correlation", "kernel", "feature-map", "receptive-field", "padding",
    "stride", "channel", "1x1-convolution", "pooling", "max-pooling", "average-pooling",
    "global-average-pooling", "translation-invariance", "locality", "mlp",
    "fully-connected-layer", "softmax", "cross-entropy", "minibatch-sgd", "learning-rate",
    "epoch", "xavier", "kaiming", "dropout", "batch-normalization", "residual-block",
    "bottleneck", "dense-block", "transition-layer", "growth-rate", "inception-block",
    "nin-block", "vgg-block", "parameters", "macs-flops", "downsampling",
]

# Known drift waiting for a fix in a chapter this test's author does not own:
# (chapter file, variant) -> what the chapter should write. Remove an entry once the chapter
# is fixed; a stale entry only warns, so fixing a chapter never breaks this test.
KNOWN_DRIFT = {
}

KNOWN_DRIFT_VARIANTS = {v for _, v in KNOWN_DRIFT}

# Deliberate uses of a variant that stay: (chapter file, variant, the exact phrase around it).
# Only the phrase is exempt, so other uses in the same chapter are still caught.
DELIBERATE = [
    # The introduction points at the glossary with two examples of variants.
    ("00_intro.ipynb", "池化", "汇聚 / 池化"),
    ("00_intro.ipynb", "步长", "步幅 / 步长"),
    # The pooling chapter names the other common term once, where it introduces pooling.
    ("05_pooling.ipynb", "池化", "也称池化层"),
    # 步长 here is the optimiser's step size, not a convolution's stride.
    ("09_nin.ipynb", "步长", "一个大步长"),
    ("11_batch_norm.ipynb", "步长", "更大的步长"),
]


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell.get("source", []))


def _rows(lang):
    """(anchor, [column texts]) of every glossary row as the `lang` page shows it: the cells tagged `lang`
    of the reader's notebook (the English page's Chinese column is added there, from the zh table)."""
    rows = []
    for cell in _cells(REPO / "notebooks" / lang / "chapters" / GLOSSARY.name):
        if cell["cell_type"] != "markdown" or lang not in cell["metadata"].get("tags", []):
            continue
        for line in _source(cell).splitlines():
            m = ROW.match(line)
            if m:
                cols = [c.strip() for c in m.group(2).strip().strip("|").split("|")]
                rows.append((m.group(1), cols))
    return rows


def _terms(text):
    """'**参数（参数量）**' -> ['参数', '参数量']; '乘加次数 / 浮点运算次数' -> both; '—' -> []."""
    text = text.replace("*", "").strip()
    if text in {"", "—", "-"}:
        return []
    parts = re.split(r"\s*[/、（）()]\s*", text)
    return [p for p in (p.strip() for p in parts) if p]


def glossary_terms():
    """{anchor: (preferred terms, CJK variants the prose avoids)} from the Chinese table."""
    return {a: (_terms(cols[0]), [v for v in _terms(cols[1]) if CJK.search(v)]) for a, cols in _rows("zh")}


def zh_cells():
    """(file name, cell index, text) of every Chinese markdown cell outside the glossary."""
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        if path == GLOSSARY:
            continue
        for i, cell in enumerate(_cells(path)):
            if cell["cell_type"] == "markdown" and "zh" in cell["metadata"].get("tags", []):
                yield path.name, i, _source(cell)


def find_variants():
    """[(file, cell index, variant, excerpt)] for every avoided variant in the Chinese prose."""
    terms = glossary_terms()
    preferred = sorted({p for ps, _ in terms.values() for p in ps}, key=len, reverse=True)
    found = []
    for name, i, text in zh_cells():
        for variant in sorted({v for _, vs in terms.values() for v in vs}):
            body = text
            # A preferred term may contain the variant (逐步演示器 holds 演示器): not an offence.
            for p in preferred:
                if variant in p and variant != p:
                    body = body.replace(p, "□")
            for f, v, phrase in DELIBERATE:
                if f == name and v == variant:
                    body = body.replace(phrase, "□")
            k = body.find(variant)
            if k >= 0:
                found.append((name, i, variant, body[max(0, k - 15):k + len(variant) + 15].replace("\n", " ")))
    return found


def test_glossary_rows_pair_up_and_cover_the_required_concepts():
    en, zh = _rows("en"), _rows("zh")
    assert [a for a, _ in en] == [a for a, _ in zh], "English and Chinese tables list different rows"
    anchors = [a for a, _ in zh]
    assert len(anchors) == len(set(anchors)), "duplicate anchors"
    missing = [r for r in REQUIRED if f"glossary-{r}" not in anchors]
    assert not missing, f"glossary lacks rows for {missing}"
    assert all(len(cols) == 5 for _, cols in en), "English rows need 5 columns (term, Chinese, also called, ...)"
    assert all(len(cols) == 5 for _, cols in zh), "Chinese rows need 5 columns"


def test_the_english_rows_give_the_chinese_table_s_names():
    """The en page's Chinese column is the zh row's term, then the variants other Chinese books use,
    each marked as Chinese (``<span lang="zh-CN">``) for the browser's fonts and screen readers."""
    zh = dict(_rows("zh"))
    for anchor, cols in _rows("en"):
        term = zh[anchor][0].replace("*", "")
        variants = [v for v in re.split(r"[、，,]", zh[anchor][1]) if CJK.search(v)]
        also = "、".join(v.strip() for v in variants)
        expected = f'<span lang="zh-CN">{term}</span>' + (
            f' (elsewhere also <span lang="zh-CN">{also}</span>)' if variants else "")
        assert cols[1] == expected, f"{anchor}: the en Chinese column reads {cols[1]!r}, not {expected!r}"


def test_both_tables_name_the_same_introducing_chapter_and_it_uses_the_term():
    """"Introduced in" agrees between the languages, and that chapter's prose uses the term.

    A chapter links the first use of every glossary term (tools/link_terms.py), so the chapter a
    row names must link that row in one language at least; a term the prose only writes in math
    (1×1 convolution) is linked nowhere and exempt.
    """
    link = re.compile(r"glossary\.ipynb#(glossary-[a-z0-9-]+)")
    used = {}
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        for cell in _cells(path):
            if cell["cell_type"] == "markdown":
                for a in link.findall(_source(cell)):
                    used.setdefault(a, set()).add(path.name)
    en = {a: cols[-1] for a, cols in _rows("en")}
    for anchor, cols in _rows("zh"):
        chapter = re.search(r"\(([^)#]+\.ipynb)\)", cols[-1]).group(1)
        assert chapter == re.search(r"\(([^)#]+\.ipynb)\)", en[anchor]).group(1), f"{anchor}: en and zh differ"
        if anchor in used:
            assert chapter in used[anchor], (
                f"{anchor}: introduced in {chapter}, whose prose never uses the term; it is used in "
                f"{sorted(used[anchor])}")


def test_every_row_links_the_chapter_that_introduces_it():
    for lang in ("en", "zh"):
        for anchor, cols in _rows(lang):
            m = re.fullmatch(r"\[[^\]]+\]\(([^)#]+\.ipynb)\)", cols[-1])
            assert m, f"{lang} {anchor}: last column must be one chapter link, got {cols[-1]!r}"
            assert (CHAPTERS / m.group(1)).is_file(), f"{anchor}: {m.group(1)} does not exist"


def test_every_row_has_a_preferred_chinese_term_and_definitions():
    for anchor, (preferred, variants) in glossary_terms().items():
        assert preferred and all(CJK.search(p) or p.isascii() for p in preferred), anchor
        assert not set(preferred) & set(variants), f"{anchor}: a term is both preferred and avoided"
    for lang in ("en", "zh"):
        for anchor, cols in _rows(lang):
            assert len(cols[-2]) > 5, f"{lang} {anchor}: definition missing"


def test_links_into_the_glossary_name_existing_rows():
    """A chapter linking `glossary.ipynb#glossary-x` or `glossary.html#glossary-x` needs row x."""
    anchors = {a for a, _ in _rows("en")}
    link = re.compile(r"glossary\.(?:ipynb|html)#(glossary-[A-Za-z0-9-]+)")
    broken = []
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        for i, cell in enumerate(_cells(path)):
            if cell["cell_type"] == "markdown":
                broken += [f"{path.name} cell {i}: #{a}" for a in link.findall(_source(cell)) if a not in anchors]
    assert not broken, "links to glossary rows that do not exist:\n" + "\n".join(broken)


def test_chinese_prose_uses_the_glossary_terms():
    offences, known = [], set()
    for name, i, variant, excerpt in find_variants():
        # An entry for 档位 also covers 运行档位 in the same chapter.
        drift = [(name, v) for v in sorted(KNOWN_DRIFT_VARIANTS) if v in variant and (name, v) in KNOWN_DRIFT]
        if drift:
            known.update(drift)
            continue
        prefer = [ps for ps, vs in glossary_terms().values() if variant in vs][0]
        offences.append(f"{name} cell {i}: '{variant}' (write {' / '.join(prefer)}): …{excerpt}…")
    stale = sorted(set(KNOWN_DRIFT) - known)
    if stale:
        warnings.warn(f"KNOWN_DRIFT entries now fixed, remove them: {stale}")
    assert not offences, "Chinese prose uses variants the glossary avoids:\n" + "\n".join(offences)


def test_deliberate_exemptions_name_their_variant():
    texts = {}
    for name, _, text in zh_cells():
        texts[name] = texts.get(name, "") + text
    for name, variant, phrase in DELIBERATE:
        assert variant in phrase, (name, variant, phrase)
        if phrase not in texts.get(name, ""):
            # Warn only: rewording a chapter must not break this test.
            warnings.warn(f"DELIBERATE entry {(name, variant, phrase)} no longer matches; remove it")


if __name__ == "__main__":
    # `python3 tests/test_glossary.py` lists every use of an avoided variant, allowed or not.
    for row in find_variants():
        print(*row, sep="\t")


# --- First uses link to the glossary (tools/link_terms.py adds the links) ------------------------

def _linker():
    from _scripts import load_script
    return load_script("tools/link_terms.py")


def test_the_linker_knows_every_row():
    assert {f"glossary-{k}" for k in _linker().TERMS} == {a for a, _ in _rows("en")}


def test_every_chapter_links_the_first_use_of_each_term():
    import nbformat
    linker = _linker()
    missing = []
    for path in linker.chapters():
        missing += [f"{path.name}: {lang} {word!r} -> glossary-{key}"
                    for lang, key, word in linker.link_chapter(nbformat.read(path, as_version=4), path.name)]
    assert not missing, "first uses without a glossary link (run python3 tools/link_terms.py):\n" + "\n".join(missing)


def test_the_linker_skips_code_math_headings_and_links_and_prefers_longer_terms():
    import nbformat
    linker = _linker()
    en = ("## Padding\n\nA `padding=1` argument and $stride$ are not prose. Max pooling keeps the "
          "largest value; pooling in general summarises a window. [Strides](glossary.ipynb#glossary-stride) "
          "come later; a stride here is a second use.\n\n<details><summary>padding</summary>\n\nPadding, at last.")
    zh = "最大汇聚与汇聚；卷积神经网络里的卷积层。"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(en, metadata={"tags": ["en"]}),
                                         nbformat.v4.new_markdown_cell(zh, metadata={"tags": ["zh"]})])
    added = linker.link_chapter(nb)
    assert added == [("en", "max-pooling", "Max pooling"), ("en", "pooling", "pooling"),
                     ("en", "padding", "Padding"), ("zh", "max-pooling", "最大汇聚"),
                     ("zh", "pooling", "汇聚"), ("zh", "convolution", "卷积")]
    assert nb.cells[0].source.endswith("[Padding](glossary.ipynb#glossary-padding), at last.")
    assert "a stride here" in nb.cells[0].source  # the existing link was the first use
    assert nb.cells[1].source == ("[最大汇聚](glossary.ipynb#glossary-max-pooling)"
                                  "与[汇聚](glossary.ipynb#glossary-pooling)；"
                                  "卷积神经网络里的[卷积](glossary.ipynb#glossary-convolution)层。")
    assert linker.link_chapter(nb) == []  # running it again changes nothing
