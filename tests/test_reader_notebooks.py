"""The one-language notebooks readers open in Jupyter and Colab (notebooks/<lang>/chapters/).

tools/reader_notebooks.py writes them from the bilingual chapters; these tests fail when one
is out of step with its source, when a code cell differs from the source's, when the other
language leaks in, or when a link leads out of the language's folder.
"""
import re

import nbformat
import pytest

from _scripts import load_script

tool = load_script("tools/reader_notebooks.py")
REPO = tool.ROOT
CHAPTERS = tool.sources()
CASES = [(p, lang) for p in CHAPTERS for lang in tool.LANGS]
IDS = [f"{lang}-{p.stem}" for p, lang in CASES]


def _setup(cell):
    return tool.SETUP_TAG in cell.get("metadata", {}).get("tags", [])


def test_every_generated_notebook_is_in_step_with_its_source():
    bad = tool.stale()
    assert not bad, ("one-language notebooks out of step with chapters/:\n"
                     + "\n".join(f"  {d.relative_to(REPO)}: {why}" for d, why in bad)
                     + f"\nregenerate them with: {tool.REGENERATE}")


@pytest.mark.parametrize("path, lang", CASES, ids=IDS)
def test_code_cells_are_the_sources_with_this_languages_outputs(path, lang):
    source = nbformat.read(path, as_version=4)
    generated = nbformat.read(tool.target(path, lang), as_version=4)
    mine = [c for c in generated.cells if c.cell_type == "code" and not _setup(c)]
    theirs = [c for c in source.cells if c.cell_type == "code"]
    assert [c.id for c in mine] == [c.id for c in theirs]
    for a, b in zip(mine, theirs):
        assert (a.source, a.metadata, a.execution_count) == (b.source, b.metadata, b.execution_count), a.id
        assert a.outputs == [o for o in b.outputs if tool.output_lang(o) in (None, lang)], a.id


@pytest.mark.parametrize("path, lang", CASES, ids=IDS)
def test_prose_and_outputs_are_one_language(path, lang):
    other = tool._other(lang)
    source = nbformat.read(path, as_version=4)
    generated = nbformat.read(tool.target(path, lang), as_version=4)
    md = [c for c in generated.cells if c.cell_type == "markdown"]
    assert [c.id for c in md] == [c.id for c in source.cells
                                  if c.cell_type == "markdown" and other not in c.metadata.get("tags", [])]
    assert all(other not in c.metadata.get("tags", []) for c in md)
    assert not [o for c in generated.cells if c.cell_type == "code" for o in c.outputs
                if tool.output_lang(o) == other]
    if lang == "en":  # no Chinese prose in the English notebook, except text marked as Chinese
        quoted = re.compile(r'<span lang="zh[^"]*">[^<]*</span>')  # the glossary's Chinese column
        assert not [c.id for c in md if re.search(r"[\u4e00-\u9fff]", quoted.sub("", c.source))]
    assert generated.metadata["d2lcnn"]["lang"] == lang
    assert set(generated.metadata) == {"kernelspec", "language_info", "d2lcnn"}


@pytest.mark.parametrize("path, lang", CASES, ids=IDS)
def test_one_setup_cell_sets_the_readers_language_after_the_imports(path, lang):
    cells = nbformat.read(tool.target(path, lang), as_version=4).cells
    setup = [i for i, c in enumerate(cells) if _setup(c)]
    imports = [i for i, c in enumerate(cells) if c.cell_type == "code" and tool.IMPORTS_D2LCNN.search(c.source)]
    if not imports:
        assert setup == []
        return
    assert setup == [imports[0] + 1]
    cell = cells[setup[0]]
    assert f'd2lcnn.set_lang("{lang}")' in cell.source
    assert "remove-cell" in cell.metadata["tags"]  # the website does not show it
    assert cell.outputs == [] and re.fullmatch(r"[0-9a-f]{8}", cell.id)


@pytest.mark.parametrize("lang", tool.LANGS)
def test_links_between_chapters_stay_in_the_languages_folder(lang):
    folder = tool.OUT / lang / "chapters"
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.ipynb")}
    assert sorted(texts) == [p.name for p in CHAPTERS]
    missing = []
    for name, text in texts.items():
        for page, anchor in re.findall(r"\]\(([\w.-]+\.ipynb)(?:#([\w-]+))?\)", text):
            if page not in texts:
                missing.append(f"{name} -> {page}")
            elif anchor and f'id=\\"{anchor}\\"' not in texts[page]:
                missing.append(f"{name} -> {page}#{anchor}")
    assert not missing, missing


KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _tiny(tmp_path):
    """A bilingual chapter: twin prose, an imports cell and a figure output in each language."""
    def fig(lang):
        return nbformat.v4.new_output("display_data", data={"text/plain": f"<{lang} figure>"},
                                      metadata={"d2lcnn": {"lang": lang}})
    cells = [nbformat.v4.new_markdown_cell("# Title", metadata={"tags": ["en"]}),
             nbformat.v4.new_markdown_cell("# 标题", metadata={"tags": ["zh"]}),
             nbformat.v4.new_markdown_cell("$x$", metadata={"tags": ["any"]}),
             nbformat.v4.new_code_cell("import d2lcnn"),
             nbformat.v4.new_code_cell("d2lcnn.show_figure(draw)", outputs=[
                 fig("en"), fig("zh"), nbformat.v4.new_output("stream", text="both\n")])]
    for i, c in enumerate(cells):
        c.id = f"{i:08x}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "widgets": {}})
    path = tmp_path / "chapters" / "01_tiny.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def test_the_filter_keeps_one_language_and_adds_the_setup_cell(tmp_path):
    path = _tiny(tmp_path)
    zh = tool.reader_notebook(path, "zh")
    assert [c.source for c in zh.cells if c.cell_type == "markdown"] == ["# 标题", "$x$"]
    texts = [o.get("data", {}).get("text/plain", o.get("text")) for o in zh.cells[-1].outputs]
    assert texts == ["<zh figure>", "both\n"]
    assert _setup(zh.cells[3]) and 'set_lang("zh")' in zh.cells[3].source
    assert set(zh.metadata) == {"kernelspec", "d2lcnn"}  # the source's "widgets" is dropped
    assert zh.metadata.d2lcnn.lang == "zh" and zh.metadata.d2lcnn.source == "chapters/01_tiny.ipynb"
    nbformat.validate(zh)
    # the source is left as it was
    assert len(nbformat.read(path, as_version=4).cells[-1].outputs) == 3
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        tool.reader_notebook(path, "fr")


def test_check_names_the_stale_notebook_and_the_command(tmp_path, capsys, monkeypatch):
    path = _tiny(tmp_path)
    out = tmp_path / "notebooks"
    assert tool.write_all([path], out=out) == [out / "en" / "chapters" / path.name, out / "zh" / "chapters" / path.name]
    assert tool.stale([path], out=out) == [] and tool.write_all([path], out=out) == []
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# New title"
    nbformat.write(nb, path)
    assert tool.stale([path], out=out) == [(out / "en" / "chapters" / path.name, f"out of step with {path.name}")]
    monkeypatch.setattr(tool, "OUT", out)
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    assert tool.main(["--check", str(path)]) == 1
    assert "notebooks/en/chapters/01_tiny.ipynb: out of step" in capsys.readouterr().out


def test_each_edition_points_its_colab_button_at_its_own_notebooks():
    """sphinx-book-theme opens <repository.path_to_book>/<page>.ipynb; a page is chapters/<name>."""
    for lang in tool.LANGS:
        for path in CHAPTERS:
            page = f"chapters/{path.stem}"
            assert f"{tool.path_to_book(lang)}/{page}.ipynb" == tool.target(path, lang).relative_to(REPO).as_posix()
    build_book = load_script("tools/build_book.py")
    assert build_book.edition_notebook(CHAPTERS[0], "zh") == tool.reader_notebook(CHAPTERS[0], "zh")


def test_the_website_links_each_edition_to_its_own_notebook(site):
    for lang in tool.LANGS:
        html = (site / lang / "chapters" / "07_alexnet.html").read_text(encoding="utf-8")
        colab = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', html)
        assert colab and all(u.endswith(f"/blob/main/notebooks/{lang}/chapters/07_alexnet.ipynb") for u in colab), colab
        download = site / lang / "_sources" / "chapters" / "07_alexnet.ipynb"
        assert "_sources/chapters/07_alexnet.ipynb" in html
        want = tool.render(tool.reader_notebook(REPO / "chapters" / "07_alexnet.ipynb", lang))
        assert download.read_text(encoding="utf-8") == want
        assert "tag_reader-setup" not in html  # the setup cell (myst-nb would class it tag_reader-setup) is hidden
