"""book_runs reads the chapter runs back from the records in notebook outputs; the summary figures draw runs."""
import json

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

import d2lcnn
from d2lcnn import book_runs
from d2lcnn.figures import summary
from d2lcnn.lang import lang_context


def _record(recipe="lenet_sigmoid", test_acc=(0.75, 0.82), shortened=False, lr=0.9, init="xavier"):
    """A run record as train_ch6 makes it (only the fields book_runs and the summary read)."""
    return {"schema": 1, "recipe": recipe, "hyper": {"num_epochs": 10, "lr": lr, "batch_size": 256, "init": init,
                                                     "optimizer": "sgd"},
            "profile": "auto", "shortened": shortened, "test_acc": list(test_acc),
            "cut": {"epochs": 1 if shortened else 10, "recipe_epochs": 10,
                    "train_examples": 3328 if shortened else 60000, "dataset_examples": 60000},
            "final": {"train_loss": 0.5, "train_acc": 0.8, "test_acc": test_acc[-1]},
            "examples_per_sec": 7683.1, "device": "cpu", "precision": "fp32"}


def _cell(cid, record=None, text="7683.1 examples/sec on cpu\n"):
    outputs = [{"output_type": "stream", "name": "stdout", "text": "epoch 1, loss 0.7\n"}]
    if record is not None:
        outputs.append({"output_type": "display_data", "data": {"text/plain": text},
                        "metadata": {"d2lcnn": {"run": record}}})
    return {"cell_type": "code", "id": cid, "metadata": {}, "source": "train()", "execution_count": 1,
            "outputs": outputs}


def _notebook(path, cells):
    md = {"cell_type": "markdown", "id": "m", "metadata": {"tags": ["en"]}, "source": "# Title"}
    path.write_text(json.dumps({"cells": [md, *cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_notebook_runs_reads_records_not_text(tmp_path):
    path = tmp_path / "06_lenet.ipynb"
    first, second = _record(), _record("lenet_relu", (0.2,), shortened=True, lr=0.15, init="kaiming")
    _notebook(path, [_cell("a", first), _cell("b"), _cell("c", second, text="reworded: anything at all\n")])
    runs = book_runs.notebook_runs(path)
    assert runs == [{**first, "chapter": "06_lenet", "cell_id": "a"},
                    {**second, "chapter": "06_lenet", "cell_id": "c"}]


def test_printed_text_alone_is_not_a_run(tmp_path):
    """A cell that only printed a run (an old output, or the trainer's wording) holds no record."""
    path = tmp_path / "x.ipynb"
    _notebook(path, [_cell("a")])
    assert book_runs.notebook_runs(path) == []
    stale = _record()
    stale["schema"] = 0  # a record of another schema is not read as this one
    _notebook(path, [_cell("a", stale)])
    assert book_runs.notebook_runs(path) == []


def test_chapter_runs_pick_each_recipe_by_name_and_hyper_parameters(tmp_path):
    # an exercise run of the same recipe name with another learning rate does not count
    exercise = _record("lenet_relu", (0.5,), lr=0.9, init="kaiming")
    _notebook(tmp_path / "06_lenet.ipynb", [_cell("ex", exercise), _cell("sig", _record()),
                                            _cell("relu", _record("lenet_relu", (0.88,), lr=0.15, init="kaiming"))])
    runs = book_runs.chapter_runs(tmp_path)
    assert list(runs) == ["lenet_sigmoid", "lenet_relu"]
    assert runs["lenet_sigmoid"]["cell_id"] == "sig" and runs["lenet_relu"]["cell_id"] == "relu"
    assert runs["lenet_relu"]["final"]["test_acc"] == 0.88
    assert not book_runs.follows_recipe(exercise, "lenet_relu")


def test_chapter_runs_without_a_chapters_folder(tmp_path):
    assert book_runs.chapter_runs(tmp_path / "absent") == {}


def test_every_recipe_has_its_chapter_run():
    if not book_runs.chapters_folder().is_dir():
        pytest.skip("no chapters folder beside the package")
    runs = book_runs.chapter_runs()
    missing = sorted(set(d2lcnn.RECIPES) - set(runs))
    assert not missing, (f"no chapter run recorded for {missing}: the chapter must train with "
                         f"train_ch6(..., recipe=r) and be re-executed (python3 tools/run_notebooks.py)")
    for name, run in runs.items():
        assert run["chapter"] == d2lcnn.recipe(name).chapter
        assert 0 <= run["final"]["test_acc"] <= 1 and run["examples_per_sec"] > 0
        assert run["profile"] in ("full", "auto"), f"{name}: the book shows full or auto runs, not {run['profile']}"


def _training_cells():
    """(chapter, cell) for every code cell of the chapters that trains with train_ch6 and draws its plot."""
    import nbformat
    for path in sorted(book_runs.chapters_folder().glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "train_ch6(" in cell.source and "plot=False" not in cell.source:
                yield path.stem, cell


def test_every_committed_training_plot_shows_its_points():
    """An output made by an older trainer has no record; a curve of one point without a marker is invisible."""
    from d2lcnn.runs import record_of_output
    cells = list(_training_cells())
    assert cells, "no training cells found"
    for chapter, cell in cells:
        records = [r for r in map(record_of_output, cell.get("outputs", [])) if r is not None]
        assert records, (f"{chapter}, cell {cell.get('id')}: its output carries no run record, so it was made by an "
                         f"older trainer; re-run the chapter (python3 tools/run_notebooks.py chapters/{chapter}.ipynb)")
        for record in records:
            lines = record.get("plot")
            assert lines, f"{chapter}, cell {cell.get('id')}: the run drew no plot"
            for line in lines:
                assert line["points"] >= 2 or line["marker"] not in ("None", "", " "), \
                    f"{chapter}, cell {cell.get('id')}: curve {line['label']!r} has one point and no marker"
            test_curve = lines[-1]  # train loss, train acc, test acc: one test point per epoch
            assert test_curve["points"] == record["cut"]["epochs"], (chapter, cell.get("id"), lines)


def test_a_changed_trainer_line_breaks_nothing(tmp_path, monkeypatch, capsys):
    """The record travels as data: the words train_ch6 prints are free to change."""
    import torch
    shown = []
    monkeypatch.setattr(d2lcnn.training, "_display",
                        lambda: lambda data, raw, metadata: shown.append((data, metadata)))
    torch.manual_seed(0)
    X, y = torch.rand(16, 1, 28, 28), torch.randint(0, 10, (16,))
    r = d2lcnn.recipe("lenet_relu")
    history = d2lcnn.train_ch6(d2lcnn.lenet("relu"), [(X, y)], [(X, y)], 1, r.lr, "cpu", init=r.init,
                               plot=False, recipe=r)
    ((data, metadata),) = shown
    assert data == {"text/plain": f"{history['examples_per_sec']:.1f} examples/sec on cpu"}
    record = metadata["d2lcnn"]["run"]
    assert record == history["record"] and record["recipe"] == "lenet_relu"
    assert record["final"]["test_acc"] == round(history["final"]["test_acc"], 6)
    assert record["precision"] == history["precision"] in ("fp32", "bf16 autocast")
    _notebook(tmp_path / "n.ipynb", [_cell("a", record, text="completely different words\n")])
    assert book_runs.notebook_runs(tmp_path / "n.ipynb")[0]["final"] == record["final"]
    assert repr(history).startswith("<train_ch6 run: 1 epochs on cpu") and len(repr(history)) < 120


POINTS = [dict(name="lenet_relu", title="LeNet (ReLU, max pool)", title_zh="LeNet（ReLU，最大汇聚）",
               macs=416520, params=61706, notes_acc=0.885, book={"mean": 0.877, "min": 0.857, "max": 0.887, "n": 3}),
          dict(name="resnet18", title="ResNet-18", title_zh="ResNet-18", macs=318657536, params=11175370,
               notes_acc=0.913)]


@pytest.mark.parametrize("lang, xlabel, lenet", [
    ("en", "multiply-accumulates per image (MACs, log scale)", "LeNet (ReLU, max pool)"),
    ("zh", "每张图像的乘加次数（MACs，对数刻度）", "LeNet（ReLU，最大汇聚）"),
])
def test_accuracy_vs_macs(lang, xlabel, lenet):
    assert "plot_accuracy_vs_macs" in summary.__all__ and d2lcnn.plot_accuracy_vs_macs is summary.plot_accuracy_vs_macs
    with lang_context(lang):
        fig = summary.plot_accuracy_vs_macs(POINTS, lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # the notes' panel and the book's
    left, right = fig.axes
    assert left.get_xscale() == "log" and left.get_xlabel() == xlabel
    # a number beside each marker (the book's panel: only the recipes with stored runs); the key names them
    assert [t.get_text() for t in left.texts if t.get_gid() == summary.LABEL_GID] == ["1", "2"]
    assert [t.get_text() for t in right.texts if t.get_gid() == summary.LABEL_GID] == ["1"]
    key = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(key) == 2 and key[0].startswith(lenet) and key[1].startswith("ResNet-18")
    with pytest.raises(ValueError):
        summary.plot_accuracy_vs_macs([])


STORED = [{"recipe": "nin", "slug": "cuda-x", "device": "cuda", "device_name": "NVIDIA H200", "precision": p,
           "variant": None, "code": ["ee50cfb"], "runs": runs}
          for p, runs in (("bf16 autocast", [{"seed": 0, "test_acc_per_epoch": [0.1] * 10},
                                             {"seed": 1, "test_acc_per_epoch": [0.5] * 9 + [0.873]}]),
                          ("fp32", [{"seed": 0, "test_acc_per_epoch": [0.4] * 9 + [0.4795]}]))]


@pytest.mark.parametrize("lang, words", [("en", ("seed 1", "the notes", "epoch")),
                                         ("zh", ("随机种子 1", "笔记", "迭代周期"))])
def test_stored_runs_figure_one_line_per_run(lang, words):
    with lang_context(lang):
        fig = summary.plot_stored_runs("nin", lang=lang, rows=STORED)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 3 + 1  # three stored runs and the notes' mark
    assert any(words[0] in t and t.endswith("0.873") for t in legend)
    assert any(words[1] in t and t.endswith("0.787") for t in legend)  # the notes' NiN figure
    assert ax.get_xlabel() == words[2] and "ee50cfb" in ax.get_title()
    assert ax.get_ylim()[0] <= 0.1  # the collapsed run is inside the axes


def test_stored_runs_figure_without_runs_says_so():
    fig = summary.plot_stored_runs("densenet", lang="en", rows=[])
    assert any("no full 10-epoch run" in t.get_text() for t in fig.axes[0].texts)
