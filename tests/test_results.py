"""Stored results: the reproduce runner (resumable, atomic, budget, slugs) and the chapters' results box."""
import json
import pathlib
import types

import pytest
import torch

import d2lcnn
from d2lcnn import results

from _scripts import load_script

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def repro():
    return load_script("benchmarks/reproduce.py")


def make_run(name, seed, test_acc, train_acc=0.9, fast=True, speed=1000.0, epochs=10, profile="full"):
    return {"recipe": name, "seed": seed, "fast": fast, "profile": profile, "epochs": epochs,
            "train_loss": 0.3, "train_acc": train_acc, "test_acc": test_acc,
            "test_acc_per_epoch": [test_acc] * epochs, "examples_per_sec": speed, "wall_s": 60.0}


def write_file(folder, slug, device, device_name, runs):
    folder.mkdir(parents=True, exist_ok=True)
    data = {"device": device, "device_name": device_name, "slug": slug, "torch": "2.x",
            "date": "2026-01-01T00:00:00+00:00", "runs": runs}
    (folder / f"{slug}.json").write_text(json.dumps(data))


@pytest.fixture
def stored(tmp_path):
    """Two devices: a CPU with three fast seeds of lenet_sigmoid, a GPU with fast and plain runs."""
    folder = tmp_path / "results"
    write_file(folder, "cpu-amd-epyc", "cpu", "AMD EPYC", [
        make_run("lenet_sigmoid", 0, 0.783, 0.818, speed=7000),
        make_run("lenet_sigmoid", 1, 0.794, 0.828, speed=8000),
        make_run("lenet_sigmoid", 2, 0.835, 0.824, speed=9000),
        make_run("lenet_sigmoid", 3, 0.5, epochs=1, profile="quick"),  # a shortened run never counts
    ])
    write_file(folder, "cuda-nvidia-h200", "cuda", "NVIDIA H200", [
        make_run("lenet_sigmoid", 0, 0.80, fast=False, speed=50000),
        make_run("lenet_sigmoid", 0, 0.81, speed=80000),
        make_run("lenet_sigmoid", 1, 0.82, speed=80000),
        make_run("lenet_relu", 0, 0.88),
    ])
    return folder


def test_summarize_mean_and_range_per_device_and_precision(stored):
    rows = results.summarize("lenet_sigmoid", root=stored)
    # records without a precision field get it from their speed settings: fast on CUDA was TF32
    assert [(r["slug"], r["precision"], r["n"]) for r in rows] == [
        ("cuda-nvidia-h200", "fp32", 1), ("cuda-nvidia-h200", "fp32+tf32", 2), ("cpu-amd-epyc", "fp32", 3)]
    cpu = rows[2]
    assert cpu["seeds"] == [0, 1, 2] and cpu["device_name"] == "AMD EPYC" and cpu["device"] == "cpu"
    assert cpu["test_acc"]["mean"] == pytest.approx((0.783 + 0.794 + 0.835) / 3)
    assert (cpu["test_acc"]["min"], cpu["test_acc"]["max"]) == (0.783, 0.835)
    assert (cpu["train_acc"]["min"], cpu["train_acc"]["max"]) == (0.818, 0.828)
    assert cpu["examples_per_sec"]["mean"] == pytest.approx(8000)
    assert results.summarize("alexnet", root=stored) == []


def test_summarize_counts_a_seed_once(tmp_path):
    folder = tmp_path / "r"
    write_file(folder, "cpu-x", "cpu", "X", [make_run("lenet_relu", 0, 0.80), make_run("lenet_relu", 0, 0.90)])
    (row,) = results.summarize("lenet_relu", root=folder)
    assert row["n"] == 1 and row["test_acc"]["mean"] == 0.90


def test_summarize_names_each_code_version_once(tmp_path):
    folder = tmp_path / "r"
    runs = [make_run("lenet_relu", seed, 0.88) for seed in range(3)]
    for run, commit in zip(runs, ["a" * 40, "a" * 40, "b" * 40]):
        run["code"] = {"commit": commit, "dirty": False}
    write_file(folder, "cpu-x", "cpu", "X", runs)
    (row,) = results.summarize("lenet_relu", root=folder)
    assert row["code"] == ["a" * 10, "b" * 10]


def test_box_gives_the_recalibrated_accuracy_where_runs_measured_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    monkeypatch.setattr(results, "_display", lambda: None)
    folder = tmp_path / "r"
    runs = [make_run("lenet_bn_scratch", seed, acc) for seed, acc in enumerate([0.71, 0.80, 0.87])]
    for run, recal in zip(runs, [0.875, 0.876, 0.879]):
        run["test_acc_recalibrated"] = recal
    write_file(folder, "cpu-x", "cpu", "X", runs)
    write_file(folder, "cuda-y", "cuda", "Y", [make_run("lenet_bn_scratch", 0, 0.85)])  # not measured there
    d2lcnn.results_box("lenet_bn_scratch", root=folder)
    out = capsys.readouterr().out
    assert ("X, fp32: with the batch-norm statistics recomputed for the final weights (`d2lcnn.recalibrate_bn`, "
            "chapter 11) instead of the moving averages, the test accuracy is 0.877 (0.875–0.879) over 3 runs.") in out
    assert "X，fp32：用为最终权重重新计算的批量规范化统计量" in out
    assert "3 次运行的测试精度为 0.877（0.875–0.879）" in out
    assert out.count("recalibrate_bn") == 2  # X's runs, once per language; Y measured none
    d2lcnn.results_box("lenet_sigmoid", root=folder)
    assert "recalibrate" not in capsys.readouterr().out


def test_load_results_root_env_and_default(stored, tmp_path, monkeypatch):
    (stored / "broken.json").write_text("{not json")
    (stored / "other.json").write_text("[1, 2]")
    with pytest.warns(UserWarning):
        files = results.load_results(stored)
    assert [f["file"] for f in files] == ["cpu-amd-epyc.json", "cuda-nvidia-h200.json"]
    monkeypatch.setenv("D2LCNN_RESULTS", str(stored))
    assert results.results_dir() == stored
    monkeypatch.delenv("D2LCNN_RESULTS")
    assert results.results_dir() == REPO / "benchmarks" / "results"
    assert results.load_results(tmp_path / "missing") == []


def test_box_text_in_both_languages(stored, monkeypatch, capsys):
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    monkeypatch.setattr(results, "_display", lambda: None)
    assert d2lcnn.results_box("lenet_sigmoid", root=stored) is None
    out = capsys.readouterr().out
    assert "LeNet (sigmoid, avg pool): the notes vs. this book" in out
    assert "LeNet（sigmoid，平均汇聚）：笔记与本书对照" in out
    assert "| The notes (1 run) | 0.819 | 0.821 | 34,924 | CPU |" in out
    assert "| 笔记（1 次运行） | 0.819 | 0.821 | 34,924 | CPU |" in out
    assert ("| This book, fp32, 3 seeds (2026-01-01) | 0.823 (0.818–0.828) | 0.804 (0.783–0.835) "
            "| 8,000 (7,000–9,000) | AMD EPYC (CPU) |") in out
    assert ("| 本书，fp32，3 个随机种子（2026-01-01） | 0.823（0.818–0.828） | 0.804（0.783–0.835） "
            "| 8,000（7,000–9,000） | AMD EPYC（CPU） |") in out
    assert "| This book, fp32, 1 seed (2026-01-01) | 0.900 | 0.800 | 50,000 | NVIDIA H200 (GPU) |" in out
    assert "| This book, fp32+tf32, 2 seeds (2026-01-01) |" in out
    # GPUs first, then the CPU
    assert out.index("NVIDIA H200 (GPU)") < out.index("AMD EPYC (CPU)")


def test_box_says_when_a_recipe_has_no_stored_runs(stored, monkeypatch, capsys):
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    monkeypatch.setattr(results, "_display", lambda: None)
    d2lcnn.results_box("densenet", root=stored)
    out = capsys.readouterr().out
    # in a reader's words, not a maintainer's to-do
    assert "No full 10-epoch run of this recipe is stored yet" in out
    assert "本书尚未存储这一训练设置完整 10 个迭代周期的运行" in out
    assert "run `python" not in out and "请运行" not in out
    assert "This book" not in out and "0.882" in out  # the notes' number only
    d2lcnn.results_box("densenet", root=stored / "absent")  # a pip-installed package has no results folder
    out = capsys.readouterr().out
    assert "carries none of the book's stored runs" in out and "This book" not in out


def test_box_html_one_per_language_tagged_and_deterministic(stored, monkeypatch):
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    shown = []
    monkeypatch.setattr(results, "_display", lambda: lambda obj, metadata: shown.append((obj, metadata)))
    d2lcnn.results_box("lenet_sigmoid", root=stored)
    d2lcnn.results_box("lenet_sigmoid", root=stored)
    assert [m for _, m in shown] == [{"d2lcnn": {"lang": "en"}}, {"d2lcnn": {"lang": "zh"}}] * 2
    en, zh = shown[0][0]._repr_html_(), shown[1][0]._repr_html_()
    assert en == shown[2][0]._repr_html_() and repr(shown[0][0]) == repr(shown[2][0])
    for page in (en, zh):
        assert page.count("<table") == 1 and "<caption" in page
        assert page.count('scope="col"') == 5 and page.count('scope="row"') == 4
    assert 'lang="en"' in en and "0.804<br><small" in en and "0.783–0.835" in en
    assert 'lang="zh-Hans"' in zh and "本书，fp32，3 个随机种子" in zh
    assert "<code>python benchmarks/reproduce.py --only lenet_sigmoid</code>" in en
    assert repr(shown[0][0]).startswith("LeNet (sigmoid, avg pool): the notes vs. this book")


def _zh_fragments(text):
    """What the Chinese edition must not show in a box or a figure title: English words for the
    arithmetic, and ASCII parentheses (a Chinese sentence uses （）)."""
    import re
    text = re.sub(r"<[^>]+>", " ", text)                      # HTML tags
    text = re.sub(r"`[^`]*`", " ", text)                     # code
    return sorted({m for m in re.findall(r"autocast|with|seed|code|epochs?|[()]", text)})


@pytest.fixture
def stored_bf16(tmp_path):
    """A GPU file with bf16 runs (an older code version's default) and a variant, beside a CPU run."""
    folder = tmp_path / "results"
    bf16 = [{**make_run("nin", s, 0.8 + s / 100), "amp": "bf16", "code": {"commit": "ee50cfb"}} for s in (0, 1)]
    variant = {**make_run("nin", 0, 0.85), "variant": {"head_relu": "none"}}
    write_file(folder, "cuda-nvidia-h200", "cuda", "NVIDIA H200", bf16 + [variant])
    write_file(folder, "cpu-amd-epyc", "cpu", "AMD EPYC", [make_run("nin", 0, 0.78, fast=False)])
    return folder


def test_zh_box_and_stored_runs_figure_are_chinese(stored_bf16, monkeypatch, capsys):
    """The zh box and the zh stored-runs figure name bf16 autocast as 自动混合精度 and use full-width
    parentheses; the English keeps "bf16 autocast" and its own parentheses."""
    from d2lcnn.figures import summary
    monkeypatch.setenv("D2LCNN_OUTPUTS", "both")
    shown = []
    monkeypatch.setattr(results, "_display", lambda: lambda obj, metadata: shown.append((obj, metadata)))
    d2lcnn.results_box("nin", root=stored_bf16)
    (en, _), (zh, _) = shown
    assert "bf16 autocast" in en._repr_html_() and "bf16 autocast" in repr(en) and "NVIDIA H200 (GPU)" in repr(en)
    for text in (zh._repr_html_(), repr(zh)):
        assert "bf16 自动混合精度" in text and "（GPU）" in text and "（CPU）" in text
        assert _zh_fragments(text) == [], text
    assert "本书，bf16 自动混合精度，2 个随机种子（ee50cfb" not in repr(zh)  # code is "代码 ..."
    assert "本书，bf16 自动混合精度，2 个随机种子（代码 ee50cfb" in repr(zh)
    rows = results.summarize("nin", root=stored_bf16)
    for lang in ("en", "zh"):
        ax = summary.plot_stored_runs("nin", lang=lang, rows=rows).axes[0]
        words = [ax.get_title()] + [t.get_text() for t in ax.get_legend().get_texts()]
        if lang == "en":
            assert any("bf16 autocast" in w for w in words) and "the whole 10 epochs" in ax.get_title()
        else:
            assert ax.get_title().startswith("NiN：已存储运行完整 10 个迭代周期的测试精度")
            assert any("bf16 自动混合精度" in w for w in words)
            assert [f for w in words[:-1] for f in _zh_fragments(w)] == [], words
            assert words[-1].startswith("笔记，最后一个迭代周期（1 次运行）")


def test_box_follows_the_reader_language(stored, monkeypatch, capsys):
    monkeypatch.delenv("D2LCNN_OUTPUTS", raising=False)
    monkeypatch.setenv("D2LCNN_LANG", "zh")
    monkeypatch.setattr(results, "_display", lambda: None)
    d2lcnn.results_box("lenet_relu", root=stored)
    out = capsys.readouterr().out
    assert "笔记与本书对照" in out and "the notes vs. this book" not in out


def test_older_measurements_give_way_to_newer_runs_on_the_same_device(stored):
    old = {"device": "cuda", "device_name": "NVIDIA H200", "slug": "cuda-nvidia-h200-old", "supersedable": True,
           "runs": [{**make_run("lenet_sigmoid", 0, 0.7), "precision": "bf16 autocast", "code": {"commit": "ee50cfb"}},
                    {**make_run("alexnet", 0, 0.88), "precision": "bf16 autocast", "code": {"commit": "ee50cfb"}}]}
    (stored / "cuda-nvidia-h200-old.json").write_text(json.dumps(old))
    # lenet_sigmoid has newer H200 runs: the old ones are hidden unless asked for
    assert all(not r["superseded"] for r in results.summarize("lenet_sigmoid", root=stored))
    assert "bf16 autocast" not in {r["precision"] for r in results.summarize("lenet_sigmoid", root=stored)}
    every = results.summarize("lenet_sigmoid", root=stored, include_superseded=True)
    assert [r["precision"] for r in every if r["superseded"]] == ["bf16 autocast"]
    # alexnet has nothing newer: the old runs are what the book has, with their code version
    (row,) = results.summarize("alexnet", root=stored)
    assert row["precision"] == "bf16 autocast" and row["code"] == ["ee50cfb"] and not row["superseded"]


def test_the_converted_h200_runs_are_current_and_checked(tmp_path):
    """benchmarks/results/ holds the shared H200 measurement, converted by the script, not retyped."""
    tool = load_script("tools/import_results.py")
    source = REPO.parent / "shared" / "results" / "h200-2026-11-28.json"
    if not source.is_file():
        pytest.skip("no ../shared/results beside the repository")
    converted = tool.convert(source)
    stored_file = REPO / "benchmarks" / "results" / f"{converted['slug']}.json"
    assert stored_file.read_text(encoding="utf-8") == tool.render(converted), \
        "run python3 tools/import_results.py ../shared/results/h200-2026-11-28.json"
    assert len(converted["runs"]) == 16 and converted["supersedable"]
    for run in converted["runs"]:
        assert {"device", "device_name", "date", "torch", "code", "precision"} <= set(run)
        assert run["precision"] in ("bf16 autocast", "fp32")
    # every recipe has at least one stored 10-epoch GPU run
    assert {run["recipe"] for run in converted["runs"]} == set(d2lcnn.RECIPES)
    # a run that does not follow its recipe stops the conversion
    bad = json.loads(source.read_text(encoding="utf-8"))
    bad["runs"][0]["lr"] = 0.5
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="does not follow recipe"):
        tool.convert(tmp_path / "bad.json")


def test_unknown_recipe_lists_the_names(stored):
    with pytest.raises(KeyError, match="lenet_sigmoid, lenet_relu, alexnet"):
        d2lcnn.results_box("lenet5", root=stored)
    with pytest.raises(KeyError, match="the recipes are"):
        results.summarize("resnet50", root=stored)


# ---------------------------------------------------------------- the runner

@pytest.mark.parametrize("kind, name, slug", [
    ("cpu", "AMD EPYC", "cpu-amd-epyc"),
    ("cuda", "NVIDIA H200", "cuda-nvidia-h200"),
    ("cuda", "NVIDIA H100 80GB HBM3", "cuda-nvidia-h100-80gb-hbm3"),
    ("cpu", "Intel(R) Xeon(R) CPU @ 2.20GHz", "cpu-intel-xeon"),
    ("cpu", "Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz", "cpu-intel-core-i7-8550u"),
    ("cpu", "", "cpu-unknown"),
    ("cpu", "../../etc/passwd", "cpu-etc-passwd"),
])
def test_device_slug(repro, kind, name, slug):
    assert repro.device_slug(kind, name) == slug


def test_unknown_recipe_names_are_refused(repro, capsys):
    with pytest.raises(SystemExit):
        repro.parse_args(["--only", "lenet_sigmoid,lenet5,vgg16"])
    err = capsys.readouterr().err
    assert "unknown recipes lenet5, vgg16" in err and ", ".join(d2lcnn.RECIPES) in err
    with pytest.raises(SystemExit):
        repro.parse_args(["--seeds", "0,x"])
    args = repro.parse_args(["--only", "nin, googlenet", "--seeds", "3,4", "--plain"])
    assert (args.only, args.seeds, args.fast) == (["nin", "googlenet"], [3, 4], False)
    assert repro.parse_args([]).only == list(d2lcnn.RECIPES)


@pytest.fixture
def fake_training(repro, monkeypatch):
    """train_one replaced by a stub that records its calls and advances a fake clock by 100 s per run."""
    calls, clock = [], [0.0]

    def train_one(r, seed, fast, device, root, variant=None, profile="full"):
        calls.append((r.name, seed, fast))
        clock[0] += 100
        return {**make_run(r.name, seed, 0.8 + seed / 100, fast=fast), "train_loss_per_epoch": [0.3] * 10}
    monkeypatch.setattr(repro, "train_one", train_one)
    monkeypatch.setattr(repro, "_clock", lambda: clock[0])
    return calls


def test_runner_writes_after_every_run_and_resumes(repro, fake_training, tmp_path, capsys):
    out = tmp_path / "res" / "cpu-test.json"
    argv = ["--only", "lenet_relu,nin", "--seeds", "0,1", "--device", "cpu", "--out", str(out)]
    assert repro.main(argv) == 0
    assert fake_training == [("lenet_relu", 0, True), ("nin", 0, True), ("lenet_relu", 1, True), ("nin", 1, True)]
    data = json.loads(out.read_text())
    assert {"device", "device_name", "slug", "torch", "python", "date", "runs"} <= set(data)
    assert data["device"] == "cpu" and len(data["runs"]) == 4
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind
    fake_training.clear()
    assert repro.main(argv) == 0 and fake_training == []  # every run is already stored
    assert repro.main(argv + ["--seeds", "0,1,2", "--plain"]) == 0
    assert fake_training == [(n, s, False) for s in (0, 1, 2) for n in ("lenet_relu", "nin")]
    assert len(json.loads(out.read_text())["runs"]) == 10
    # the box reads what the runner wrote
    rows = results.summarize("nin", root=out.parent)
    assert [(r["precision"], r["fast"], r["n"]) for r in rows] == [("fp32", True, 2), ("fp32", False, 3)]


def test_runner_stops_cleanly_at_the_budget(repro, fake_training, tmp_path, capsys):
    out = tmp_path / "cpu-test.json"
    rc = repro.main(["--only", "lenet_sigmoid", "--seeds", "0,1,2,3", "--device", "cpu", "--out", str(out),
                     "--budget-s", "150"])
    assert rc == 3 and fake_training == [("lenet_sigmoid", 0, True), ("lenet_sigmoid", 1, True)]
    assert "skipped 2 run(s): lenet_sigmoid seed 2, lenet_sigmoid seed 3" in capsys.readouterr().out
    assert len(json.loads(out.read_text())["runs"]) == 2


def test_a_run_is_repeatable(repro, monkeypatch, data_root):
    """Same seed, same record: set_seed before the loaders and the network (quick profile, a few seconds)."""
    train_ch6 = d2lcnn.train_ch6

    def quick(*args, **kwargs):
        h = train_ch6(*args, **{**kwargs, "profile": "quick"})
        return {**h, "plan": types.SimpleNamespace(reduced=False)}
    monkeypatch.setattr(d2lcnn, "train_ch6", quick)
    r = d2lcnn.recipe("lenet_relu")
    a, b = (repro.train_one(r, 5, True, torch.device("cpu"), data_root) for _ in range(2))
    keep = ("train_loss", "train_acc", "test_acc", "test_acc_per_epoch")
    assert {k: a[k] for k in keep} == {k: b[k] for k in keep}
    assert a["recipe"] == "lenet_relu" and a["seed"] == 5 and a["profile"] == "full"


# --- A pip-installed package carries the repository's results and committed runs -----------------

def test_packaged_snapshot_is_current():
    """d2lcnn/book_data.json holds what benchmarks/results/ and the chapters hold now."""
    tool = load_script("tools/snapshot_book_data.py")
    assert tool.is_current(), "d2lcnn/book_data.json is stale: run python3 tools/snapshot_book_data.py"


def test_without_the_repository_the_package_reads_its_snapshot(monkeypatch, tmp_path):
    """As in Colab (pip install from GitHub): no benchmarks/results/ and no chapters/ beside the package."""
    from d2lcnn import book_runs
    in_repo = (results.load_results(), book_runs.chapter_runs())
    assert in_repo[0] and in_repo[1]
    monkeypatch.delenv("D2LCNN_RESULTS", raising=False)
    monkeypatch.delenv("D2LCNN_CHAPTERS", raising=False)
    missing = tmp_path / "not-a-repository"
    monkeypatch.setattr(results, "results_dir", lambda root=None: pathlib.Path(root) if root else missing)
    monkeypatch.setattr(book_runs, "chapters_folder", lambda root=None: pathlib.Path(root) if root else missing)
    assert results.load_results() == in_repo[0]
    assert book_runs.chapter_runs() == in_repo[1]
    assert list(book_runs.chapter_runs()) == [n for n in d2lcnn.RECIPES if n in in_repo[1]]  # recipes' order
    assert results.summarize("lenet_sigmoid")  # the box has rows to show
    # An explicit folder that does not exist still means "nothing there", not the snapshot.
    assert results.load_results(missing) == [] and book_runs.chapter_runs(missing) == {}
