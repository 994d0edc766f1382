"""book_runs reads the training runs the chapters print back from notebook files; the summary figure draws them."""
import json

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import d2lcnn  # noqa: E402
from d2lcnn import book_runs  # noqa: E402
from d2lcnn.figures import summary  # noqa: E402
from d2lcnn.lang import lang_context  # noqa: E402

FULL = ["training on cpu; profile auto: the full recipe, 10 epochs of 60,000 training examples, tested on 10,000\n",
        "epoch 1, loss 0.700, train acc 0.700, test acc 0.750\n",
        "epoch 2, loss 0.500, train acc 0.800, test acc 0.820\n",
        "loss 0.500, train acc 0.800, test acc 0.820\n", "7683.1 examples/sec on cpu\n"]
SHORT_PLAN = ("SHORTENED RUN (auto profile on a CPU, to finish in minutes): 1 of 10 epochs, 3,328 of 60,000 "
              "training examples per epoch, tested on 2,432 of 10,000; set D2LCNN_PROFILE=full for the whole recipe")
SHORT = [f"training on cpu; {SHORT_PLAN}\n", "epoch 1, loss 2.300, train acc 0.116, test acc 0.197\n",
         "loss 2.300, train acc 0.116, test acc 0.197\n", "1,056.6 examples/sec on cuda:0\n", SHORT_PLAN + "\n"]


def _cell(lines, cid):
    return {"cell_type": "code", "id": cid, "metadata": {}, "source": "train()", "execution_count": 1,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": lines}]}


def _notebook(path, cells):
    md = {"cell_type": "markdown", "id": "m", "metadata": {"tags": ["en"]}, "source": "# Title"}
    path.write_text(json.dumps({"cells": [md, *cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_notebook_runs_parses_full_and_shortened(tmp_path):
    path = tmp_path / "06_lenet.ipynb"
    _notebook(path, [_cell(FULL, "a"), _cell(["no run here\n"], "b"), _cell(SHORT, "c")])
    first, second = book_runs.notebook_runs(path)
    assert first == {"chapter": "06_lenet", "cell": 1, "cell_id": "a", "device": "cpu",
                     "plan": FULL[0][len("training on cpu; "):].strip(), "profile": "auto", "shortened": False, "epochs": 2,
                     "planned_epochs": 10, "recipe_epochs": 10, "train_examples": 60000,
                     "dataset_examples": 60000, "train_loss": 0.5, "train_acc": 0.8, "test_acc": 0.82,
                     "examples_per_sec": 7683.1, "speed_device": "cpu"}
    assert second["cell"] == 3 and second["shortened"] and second["plan"] == SHORT_PLAN
    assert second["profile"] == "auto"
    assert (second["planned_epochs"], second["recipe_epochs"]) == (1, 10)
    assert (second["train_examples"], second["dataset_examples"]) == (3328, 60000)
    assert second["test_acc"] == 0.197 and second["examples_per_sec"] == 1056.6
    assert second["speed_device"] == "cuda:0"


def test_an_unfinished_run_is_not_reported(tmp_path):
    path = tmp_path / "x.ipynb"
    _notebook(path, [_cell(FULL[:3], "a")])  # interrupted: no final lines
    assert book_runs.notebook_runs(path) == []


def test_committed_runs_picks_each_recipes_run(tmp_path):
    _notebook(tmp_path / "06_lenet.ipynb", [_cell(FULL, "sig"), _cell(SHORT, "relu")])
    runs = book_runs.committed_runs(tmp_path)
    assert list(runs) == ["lenet_sigmoid", "lenet_relu"]
    assert runs["lenet_sigmoid"]["cell_id"] == "sig" and runs["lenet_relu"]["cell_id"] == "relu"
    assert runs["lenet_relu"]["recipe"] == "lenet_relu"


def test_committed_runs_without_a_chapters_folder(tmp_path):
    assert book_runs.committed_runs(tmp_path / "absent") == {}


def test_the_repositorys_chapters_parse():
    runs = book_runs.committed_runs()
    if not book_runs.chapters_folder().is_dir():
        pytest.skip("no chapters folder beside the package")
    for name, run in runs.items():
        assert name in d2lcnn.RECIPES and run["chapter"] == d2lcnn.recipe(name).chapter
        assert 0 <= run["test_acc"] <= 1 and run["examples_per_sec"] > 0


POINTS = [dict(name="lenet_relu", title="LeNet (ReLU, max pool)", title_zh="LeNet（ReLU，最大汇聚）",
               macs=416520, params=61706, notes_acc=0.885, book={"mean": 0.877, "min": 0.857, "max": 0.887, "n": 3}),
          dict(name="resnet18", title="ResNet-18", title_zh="ResNet-18", macs=318657536, params=11175370,
               notes_acc=0.913)]


@pytest.mark.parametrize("lang, xlabel, lenet", [
    ("en", "multiply-accumulates per image (MACs, log scale)", "LeNet (ReLU, max pool)"),
    ("zh", "每张图像的乘加次数（MACs，对数刻度）", "LeNet（ReLU，最大汇聚）"),
])
def test_accuracy_vs_macs(lang, xlabel, lenet):
    assert summary.__all__ == ["plot_accuracy_vs_macs"] and d2lcnn.plot_accuracy_vs_macs is summary.plot_accuracy_vs_macs
    with lang_context(lang):
        fig = summary.plot_accuracy_vs_macs(POINTS, lang=lang)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == xlabel
    assert {t.get_text() for t in ax.texts} == {lenet, "ResNet-18"}
    # one legend entry per marker kind (notes, book) and per reference size up to the largest network
    assert len(ax.get_legend().get_texts()) == 2 + 3
    with pytest.raises(ValueError):
        summary.plot_accuracy_vs_macs([])
