"""tools/run_notebooks.py writes back only outputs, so prose edited while a chapter ran survives."""
import nbformat

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
