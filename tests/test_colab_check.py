"""tools/colab_check.py's pure parts: finding the chapters' install cell and pointing it at a clone.

The check itself (a Python 3.12 environment, gigabytes of torch) is not run here; see
CONTRIBUTING.md, "Checking the Colab path"."""
import pathlib

import pytest

from _deps import require_module
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
    packaging = require_module("packaging.requirements")
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
    assert book_runs.chapter_runs() == {}  # no such folder: nothing, as in a bare pip install
    monkeypatch.delenv("D2LCNN_CHAPTERS")
    assert book_runs.chapters_folder() == REPO / "chapters"
    assert book_runs.chapters_folder(tmp_path) == tmp_path  # an explicit folder wins


def test_reads_which_cells_failed_and_why():
    out = ("\x1b[91mNotebook cell execution failed\x1b[0m\n\x1b[94mCell 6: Cell outputs differ\n\nInput:\n"
           "\x1b[91mNotebook cell execution failed\x1b[0m\n\x1b[94mCell 9: Cell execution caused an exception\n")
    assert tool.cell_failures(out) == {6: tool.OUTPUT_DIFFERS, 9: "Cell execution caused an exception"}


def test_the_live_explorer_script_compiles():
    compile(tool.LIVE_WIDGETS, "live_widgets", "exec")


# ---------------------------------------------------------------- the one-language notebooks (issue 23)

def test_reader_option_names_languages():
    assert tool.reader_langs("zh") == ("zh",) and tool.reader_langs("en, zh") == ("en", "zh")
    assert tool.reader_langs("none") == ()
    with pytest.raises(Exception, match="en, zh, en,zh or none"):
        tool.reader_langs("fr")


def test_a_reader_notebook_runs_without_the_books_conftest_and_language(tmp_path):
    path = tool.reader_paths(tmp_path, "zh", [REPO / "chapters" / "06_lenet.ipynb"])[0]
    assert path == tmp_path / "notebooks" / "zh" / "chapters" / "06_lenet.ipynb"
    cmd = tool.reader_command("py", path, tmp_path)
    assert cmd[-2:] == ["--noconftest", "notebooks/zh/chapters/06_lenet.ipynb"] and cmd[:3] == ["py", "-m", "pytest"]
    env = tool.reader_env({"D2LCNN_OUTPUTS": "both", "D2LCNN_LANG": "en", "D2LCNN_PROFILE": "quick", "PATH": "/bin"})
    assert env == {"D2LCNN_PROFILE": "quick", "PATH": "/bin"}


def test_reader_results_fail_on_exceptions_and_list_other_outputs(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks" / "zh" / "chapters"
    folder.mkdir(parents=True)
    picked = [tmp_path / "chapters" / f"{n}.ipynb" for n in ("01_a", "02_b", "03_c")]
    code = '{"cells": [{"cell_type": "code", "source": "1"}]}'
    (folder / "01_a.ipynb").write_text(code)
    (folder / "02_b.ipynb").write_text(code)
    outputs = {"01_a": (1, "Cell 3: Cell outputs differ\n1 failed, 4 passed"),
               "02_b": (1, "Cell 2: Cell execution caused an exception\n1 failed")}
    calls = []

    def fake_run(cmd, log=None, **kw):
        calls.append((cmd, kw["env"]))
        return outputs[pathlib.Path(cmd[-1]).stem]

    monkeypatch.setattr(tool, "run", fake_run)
    results = tool.run_reader_notebooks("py", tmp_path, ("zh",), picked, {"D2LCNN_OUTPUTS": "both"}, tmp_path)
    by_name = {name: (rc, summary) for name, rc, _, summary in results}
    assert by_name["zh/01_a.ipynb"][0] == 0 and "cells [3] show other outputs" in by_name["zh/01_a.ipynb"][1]
    assert by_name["zh/02_b.ipynb"][0] == 1 and "errors in cells [2]" in by_name["zh/02_b.ipynb"][1]
    assert by_name["zh/03_c.ipynb"] == (1, "missing: regenerate with python3 tools/reader_notebooks.py")
    assert all("--noconftest" in cmd and "D2LCNN_OUTPUTS" not in env for cmd, env in calls)


@pytest.mark.slow
def test_a_chinese_notebook_passes_nbval_the_way_colab_opens_it(tmp_path, monkeypatch):
    """The real code path on a small chapter: its outputs made as the book makes them (both languages),
    its Chinese notebook generated, then run with nbval the way the check runs it: one language, set by the
    notebook's own setup cell."""
    import os
    import shutil
    import subprocess
    import sys

    import nbformat
    from nbclient import NotebookClient
    readers = load_script("tools/reader_notebooks.py")
    clone = tmp_path / "clone"
    (clone / "chapters").mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", clone)
    code = ["import d2lcnn",
            "figures = d2lcnn.show_figure(lambda lang: d2lcnn.plot_lenet_alexnet(lang=lang))",
            "print(d2lcnn.lang.get_lang())"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A", metadata={"tags": ["en"]}),
                                         nbformat.v4.new_markdown_cell("# 甲", metadata={"tags": ["zh"]})]
                                  + [nbformat.v4.new_code_cell(c) for c in code],
                                  metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")  # the book's outputs; the kernel inherits this environment
    monkeypatch.delenv("D2LCNN_LANG", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    nbformat.write(nb, clone / "chapters" / "01_a.ipynb")
    assert len([o for o in nb.cells[3].outputs if o["output_type"] == "display_data"]) == 2  # en and zh
    readers.write_all([clone / "chapters" / "01_a.ipynb"], langs=("zh",), out=clone / "notebooks")
    path = tool.reader_paths(clone, "zh", [clone / "chapters" / "01_a.ipynb"])[0]
    zh = nbformat.read(path, as_version=4)
    assert "print(d2lcnn.lang.get_lang())" in zh.cells[-1].source and zh.cells[-1].outputs[0]["text"] == "en\n"
    zh.cells[-1].outputs[0]["text"] = "zh\n"  # what a reader's run prints once the setup cell set Chinese
    nbformat.write(zh, path)
    cmd = tool.reader_command(sys.executable, path, clone)
    p = subprocess.run(cmd, cwd=clone, env=tool.reader_env(dict(os.environ)), capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout[-3000:]
    assert "4 passed" in p.stdout, p.stdout[-1000:]  # the three cells and the setup cell
