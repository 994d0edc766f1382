"""tools/colab_check.py's pure parts: finding the chapters' install cell and pointing it at a clone.

The check itself (a Python 3.12 environment, gigabytes of torch) is not run here; see the README."""
import pathlib

import pytest

from _scripts import load_script

REPO = pathlib.Path(__file__).resolve().parents[1]
tool = load_script("tools/colab_check.py")


def _nb(*sources):
    return {"cells": [{"cell_type": "markdown", "source": ["# Title"]}]
            + [{"cell_type": "code", "source": s} for s in sources]}


CELL = ('# In Colab, install the book\'s helper package first; elsewhere it is already installed.\n'
        'import sys\nif "google.colab" in sys.modules:\n'
        '    %pip install -q "d2lcnn @ git+https://github.com/owner/name"')


def test_reads_the_install_line_of_the_first_code_cell():
    assert tool.install_line(_nb(CELL, "import d2lcnn")) == '%pip install -q "d2lcnn @ git+https://github.com/owner/name"'
    # source stored as a list of lines, as in .ipynb files
    assert tool.install_line(_nb(CELL.splitlines(keepends=True))).startswith("%pip install -q")


def test_a_notebook_without_an_install_cell_has_none():
    assert tool.install_line(_nb("import d2lcnn", CELL)) is None  # not the first code cell
    assert tool.install_line(_nb()) is None
    assert tool.chapter_install_lines([]) == {}


def test_refuses_an_unguarded_or_ambiguous_install_cell():
    with pytest.raises(ValueError, match="outside Colab"):
        tool.install_line(_nb('%pip install -q "d2lcnn @ git+https://github.com/owner/name"'))
    with pytest.raises(ValueError, match="2 %pip lines"):
        tool.install_line(_nb(CELL + '\n    %pip install -q "other @ git+https://github.com/o/n"'))


def test_points_the_cell_at_the_clone(tmp_path):
    args, url = tool.pip_args('%pip install -q "d2lcnn @ git+https://github.com/owner/name"', tmp_path)
    assert url == "https://github.com/owner/name"
    assert args == ["install", "-q", f"d2lcnn @ git+{tmp_path.resolve().as_uri()}"]
    packaging = pytest.importorskip("packaging.requirements")
    req = packaging.Requirement(args[-1])  # what pip parses
    assert req.name == "d2lcnn" and req.url == f"git+{tmp_path.resolve().as_uri()}"


def test_refuses_a_line_it_cannot_rewrite(tmp_path):
    with pytest.raises(ValueError, match="not a %pip line"):
        tool.pip_args("!pip install d2lcnn", tmp_path)
    with pytest.raises(ValueError, match="found 0"):
        tool.pip_args("%pip install -q d2lcnn", tmp_path)


def test_every_chapter_install_cell_is_one_the_check_can_run(tmp_path):
    chapters = sorted((REPO / "chapters").glob("*.ipynb"))
    lines = tool.chapter_install_lines(chapters)
    assert len(lines) >= len(chapters) - 2  # all but the introduction and the glossary
    assert len(set(lines.values())) == 1, lines  # the check runs one command for all of them
    args, _ = tool.pip_args(next(iter(lines.values())), tmp_path)
    assert args[0] == "install" and tmp_path.resolve().as_uri() in args[-1]


def test_reads_pips_download_sizes():
    out = ("  Downloading torch-2.14.1-cp312-cp312-manylinux_2_28_x86_64.whl (554.6 MB)\n"
           "  Downloading ipywidgets-7.7.1-py2.py3-none-any.whl (123 kB)\n"
           "  Downloading nbval-0.11.0-py2.py3-none-any.whl (24 kB)\n")
    assert tool.download_mb(out) == pytest.approx(554.6 + 0.123 + 0.024)


def test_a_pip_installed_package_can_be_pointed_at_a_clones_data(tmp_path, monkeypatch):
    """The check's main pass points the installed package at the clone's chapters and stored results."""
    from d2lcnn import book_runs, results
    monkeypatch.setenv("D2LCNN_CHAPTERS", str(tmp_path / "chapters"))
    monkeypatch.setenv("D2LCNN_RESULTS", str(tmp_path / "results"))
    assert book_runs.chapters_folder() == tmp_path / "chapters"
    assert results.results_dir() == tmp_path / "results"
    assert book_runs.committed_runs() == {}  # no such folder: nothing, as in a bare pip install
    monkeypatch.delenv("D2LCNN_CHAPTERS")
    assert book_runs.chapters_folder() == REPO / "chapters"
    assert book_runs.chapters_folder(tmp_path) == tmp_path  # an explicit folder wins


def test_reads_which_cells_failed_and_why():
    out = ("\x1b[91mNotebook cell execution failed\x1b[0m\n\x1b[94mCell 6: Cell outputs differ\n\nInput:\n"
           "\x1b[91mNotebook cell execution failed\x1b[0m\n\x1b[94mCell 9: Cell execution caused an exception\n")
    assert tool.cell_failures(out) == {6: tool.OUTPUT_DIFFERS, 9: "Cell execution caused an exception"}


def test_the_live_explorer_script_compiles():
    compile(tool.LIVE_WIDGETS, "live_widgets", "exec")
