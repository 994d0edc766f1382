"""tools/run_notebooks.py writes back only outputs, so prose edited while a chapter ran survives."""
import nbformat
import pytest

from _scripts import load_script


def _nb(md, code, out_text=None):
    nb = nbformat.v4.new_notebook()
    m = nbformat.v4.new_markdown_cell(md, metadata={"tags": ["en"]})
    m.id = "m1"
    c = nbformat.v4.new_code_cell(code)
    c.id = "c1"
    if out_text is not None:
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text=out_text)]
        c.execution_count = 1
    d = nbformat.v4.new_code_cell("print(2)")
    d.id = "c2"
    nb.cells = [m, c, d]
    return nb


def test_merge_keeps_prose_written_meanwhile_and_names_edited_code(tmp_path):
    tool = load_script("tools/run_notebooks.py")
    path = tmp_path / "ch.ipynb"
    executed = _nb("old prose", "print(1)", "1\n")
    executed.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    on_disk = _nb("prose edited while the chapter ran", "print(1)")
    on_disk.cells[2].source = "print(3)  # edited meanwhile"
    nbformat.write(on_disk, path)
    stale = tool.merge_outputs(executed, path)
    merged = nbformat.read(path, as_version=4)
    assert merged.cells[0].source == "prose edited while the chapter ran"
    assert merged.cells[1].outputs[0]["text"] == "1\n"
    assert stale == ["c2"] and merged.cells[2].outputs == []  # its source is not what ran


def test_committed_cpu_runs_are_fp32_unless_asked(tmp_path, monkeypatch):
    tool = load_script("tools/run_notebooks.py")
    seen = []
    monkeypatch.setattr(tool, "run", lambda path, timeout, **kw: seen.append(tool.os.environ["D2LCNN_CPU_BF16"]) or 0)
    monkeypatch.setitem(tool.sys.modules, "snapshot_book_data", type("m", (), {"write": staticmethod(lambda: "x")}))
    # main() writes these into os.environ: registering each first makes monkeypatch restore them
    for name in ("D2LCNN_PROFILE", "D2LCNN_OUTPUTS", "D2LCNN_CPU_BF16"):
        monkeypatch.setenv(name, "auto")
    monkeypatch.delenv("D2LCNN_OUTPUTS")
    monkeypatch.delenv("D2LCNN_CPU_BF16")
    tool.main(["a.ipynb"])
    monkeypatch.setenv("D2LCNN_CPU_BF16", "1")  # a maintainer who wants bf16 outputs says so
    tool.main(["a.ipynb"])
    assert seen == ["0", "1"]


@pytest.mark.slow  # starts a kernel
def test_cells_runs_only_the_named_cells_and_keeps_the_rest(tmp_path):
    """--cells: a new self-contained cell gets its output without running the chapter around it."""
    tool = load_script("tools/run_notebooks.py")
    path = tmp_path / "ch.ipynb"
    nb = _nb("prose", "print(1)", "old output\n")
    nbformat.write(nb, path)
    tool.run(path, timeout=60, cells=["c2"])
    merged = nbformat.read(path, as_version=4)
    assert merged.cells[1].outputs[0]["text"] == "old output\n"  # not run: kept
    assert merged.cells[2].outputs[0]["text"] == "2\n"


def test_cells_names_a_missing_id(tmp_path):
    tool = load_script("tools/run_notebooks.py")
    path = tmp_path / "ch.ipynb"
    nbformat.write(_nb("prose", "print(1)"), path)
    with pytest.raises(SystemExit, match="no code cell with id nope"):
        tool.run(path, timeout=60, cells=["nope"])
