"""benchmarks/gpu_book.py: the GPU book run's plan, budget and packing, and its CPU rehearsal (--smoke)."""
import json
import os
import pathlib
import subprocess
import sys
import tarfile
import types

import pytest

from _scripts import load_script

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gb():
    return load_script("benchmarks/gpu_book.py")


def test_full_plan_is_the_issue_s_list(gb, tmp_path):
    args = gb.parse_args(["--out", str(tmp_path), "--jobs", "6"])
    tasks = gb.book_tasks(args, tmp_path / "chapters", tmp_path / "r.json")
    steps = [t.step for t in tasks]
    assert steps == ["a"] * 7 + ["b"] * 30 + ["c"] * 7  # chapters 07-13; 3 seeds x 10; 2 remedies x 3 + ch. 14
    assert [t.name for t in tasks[:7]] == gb.FULL_CHAPTERS
    assert [t.name for t in tasks[7:17]][:2] == ["lenet_sigmoid-s0", "lenet_relu-s0"]  # seed 0 of all first
    remedies = [t for t in tasks if t.step == "c" and t.name != "14_summary"]
    assert {tuple(t.argv[t.argv.index("--variant") + 1:]) for t in remedies} == {("head_relu=none",),
                                                                                 ("init=kaiming",)}
    summary = tasks[-1]
    assert summary.name == "14_summary" and summary.after == {t.name for t in tasks[:-1]}
    assert all(t.env["OMP_NUM_THREADS"] for t in tasks)


def test_arguments_are_checked(gb):
    for argv, message in ((["--steps", "abx"], "--steps"), (["--chapters", "99_none"], "no chapter notebook"),
                          (["--budget-s", "0"], "--budget-s must be positive")):
        with pytest.raises(SystemExit):
            gb.parse_args(argv)


def _sleeper(gb, name, seconds, est=1, step="b"):
    return gb.Task(step, name, [sys.executable, "-c", f"import time; time.sleep({seconds})"], est)


def test_budget_keeps_finished_work_and_stops_the_rest(gb, tmp_path):
    # 2.5 s to run in (3.5 s less the 1 s kept back): "long" is cut off then; "quick" and "after" (0.75 s
    # estimated, with the contention factor) have seconds to spare even on a loaded machine.
    args = types.SimpleNamespace(budget_s=3.5, jobs=2, est_scale=1.0)
    runner = gb.Runner(args, tmp_path / "work", tmp_path / "out")
    tasks = [_sleeper(gb, "quick", 0.1, est=0.5), _sleeper(gb, "long", 60),
             _sleeper(gb, "too-big", 0.1, est=100), _sleeper(gb, "after", 0.1, est=0.5)]
    runner.run(tasks, until_s=1)
    state = {t.name: t.state for t in tasks}
    assert state == {"quick": "done", "long": "cut off", "too-big": "skipped", "after": "done"}
    assert tasks[1].proc.poll() is not None  # the stopped process is gone
    assert "estimated" in tasks[2].note


def test_pack_writes_few_files_and_apply_refuses_a_rehearsal(gb, tmp_path):
    args = types.SimpleNamespace(budget_s=60.0, jobs=1, est_scale=1.0, smoke=True)
    out = tmp_path / "out"
    runner = gb.Runner(args, tmp_path / "work", out)
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    (chapters / "05_pooling.ipynb").write_text("{}")
    task = gb.Task("a", "05_pooling", ["python", "gpu_book.py", "--_notebook", "x"], 1)
    task.state = "done"
    runner.tasks = [task]
    (runner.logs / "a-05_pooling.log").write_text("ran\n")
    runs = {"runs": [{"recipe": "lenet_relu", "seed": 0, "test_acc": 0.5, "train_acc": 0.4, "wall_s": 3,
                      "examples_per_sec": 10.0, "precision": "fp32"}]}
    (out_json := tmp_path / "cpu-x.json").write_text(json.dumps(runs))
    gb.pack(runner, chapters, out_json, gb.summary_table(runner, out_json))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["gpu_book.json", "logs.tar.gz", "notebooks.tar.gz", "summary.txt"]
    with tarfile.open(out / "notebooks.tar.gz") as t:
        assert t.getnames() == ["chapters/05_pooling.ipynb"]
    assert "lenet_relu" in (out / "summary.txt").read_text()
    with pytest.raises(SystemExit, match="rehearsal"):
        gb.apply(out)


def test_apply_puts_notebooks_and_runs_into_the_repository(gb, tmp_path, monkeypatch):
    back, repo = tmp_path / "back", tmp_path / "repo"
    (repo / "chapters").mkdir(parents=True)
    (repo / "chapters" / "07_alexnet.ipynb").write_text("old")
    (repo / "benchmarks" / "results").mkdir(parents=True)
    back.mkdir()
    (back / "07_alexnet.ipynb").write_text("new")
    with tarfile.open(back / "notebooks.tar.gz", "w:gz") as t:
        t.add(back / "07_alexnet.ipynb", arcname="chapters/07_alexnet.ipynb")
    record = {"recipe": "alexnet", "seed": 0, "fast": True, "variant": None, "test_acc": 0.9}
    (back / "cuda-x.json").write_text(json.dumps({"device": "cuda", "slug": "cuda-x", "runs": [
        record, {**record, "recipe": "nin", "variant": {"head_relu": "none"}}]}))
    (back / "gpu_book.json").write_text(json.dumps({"smoke": False, "results_file": "cuda-x.json"}))
    monkeypatch.setattr(gb, "REPO", repo)
    assert gb.apply(back) == 0
    assert (repo / "chapters" / "07_alexnet.ipynb").read_text() == "new"
    stored = json.loads((repo / "benchmarks" / "results" / "cuda-x.json").read_text())
    assert [(r["recipe"], r["variant"]) for r in stored["runs"]] == [("alexnet", None), ("nin", {"head_relu": "none"})]
    with tarfile.open(back / "notebooks.tar.gz", "w:gz") as t:  # anything but chapters/*.ipynb is refused
        t.add(back / "07_alexnet.ipynb", arcname="../evil.ipynb")
    with pytest.raises(SystemExit, match="unexpected member"):
        gb.apply(back)


@pytest.mark.slow
def test_smoke_rehearsal_end_to_end(tmp_path):
    """The whole command on the CPU: one chapter, two recipes and a variant (quick profile), nbval, packing.
    About 2 minutes on an idle 2-core machine; the budget leaves room for a loaded one."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    res = subprocess.run([sys.executable, str(REPO / "benchmarks" / "gpu_book.py"), "--smoke", "--out", str(out),
                          "--budget-s", "540", "--nbval-s", "200"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=660)
    status = json.loads((out / "gpu_book.json").read_text())
    states = {t["name"]: t["state"] for t in status["tasks"]}
    assert states == {"05_pooling": "done", "lenet_relu-s0": "done", "lenet_bn_builtin-s0": "done",
                      "lenet_bn_builtin-init-kaiming-s0": "done", "nbval": "done"}, res.stdout[-3000:]
    assert res.returncode == 0, res.stdout[-3000:]
    files = sorted(p.name for p in out.iterdir())
    assert len(files) <= 8 and {"summary.txt", "notebooks.tar.gz", "logs.tar.gz"} <= set(files)
    runs = json.loads((out / status["results_file"]).read_text())["runs"]
    assert sorted((r["recipe"], r["variant"] is not None) for r in runs) == [
        ("lenet_bn_builtin", False), ("lenet_bn_builtin", True), ("lenet_relu", False)]
    assert all(r["profile"] == "quick" and r["precision"] for r in runs)  # a rehearsal never passes as results
    assert all("test_acc_recalibrated" in r for r in runs if r["recipe"] == "lenet_bn_builtin")
    assert "recipe" in (out / "summary.txt").read_text()
