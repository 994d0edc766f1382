"""benchmarks/reproduce.py's run records: variants (the remedies), precision, recalibrated BN accuracy,
and writers side by side; d2lcnn.recalibrate_bn."""
import json
import multiprocessing

import pytest
import torch
from torch import nn

import d2lcnn
from _scripts import load_script
from d2lcnn.recalibrate import bn_layers, recalibrate_bn


@pytest.fixture(scope="module")
def repro():
    return load_script("benchmarks/reproduce.py")


def test_variant_parsing_and_recipe_changes(repro):
    assert repro.parse_variant(None) is None
    assert repro.parse_variant(["head_relu=none", "init = kaiming"]) == {"head_relu": "none", "init": "kaiming"}
    with pytest.raises(ValueError, match="KEY=VALUE"):
        repro.parse_variant(["head_relu"])
    nin = repro.apply_variant(d2lcnn.recipe("nin"), {"head_relu": "none"})
    assert dict(nin.model_kwargs) == {"head_relu": "none"} and nin.init == "xavier" and nin.lr == 0.1
    g = repro.apply_variant(d2lcnn.recipe("googlenet"), {"init": "kaiming"})
    assert g.init == "kaiming" and g.model_kwargs == d2lcnn.recipe("googlenet").model_kwargs
    with pytest.raises(ValueError, match="does not fit googlenet"):
        repro.apply_variant(d2lcnn.recipe("googlenet"), {"head_relu": "none"})
    with pytest.raises(ValueError, match="use xavier or kaiming"):
        repro.apply_variant(d2lcnn.recipe("nin"), {"init": "zeros"})
    with pytest.raises(SystemExit):
        repro.parse_args(["--only", "alexnet", "--variant", "head_relu=none"])


def test_a_variant_is_its_own_run(repro, tmp_path):
    out = tmp_path / "r.json"
    base = {"recipe": "nin", "seed": 0, "fast": True, "test_acc": 0.1}
    repro.store_run(out, {"device": "cpu"}, base)
    repro.store_run(out, {"device": "cpu"}, {**base, "variant": {"head_relu": "none"}, "test_acc": 0.8})
    repro.store_run(out, {"device": "cpu"}, {**base, "variant": None, "test_acc": 0.2})  # replaces the first
    runs = json.loads(out.read_text())["runs"]
    assert [(r.get("variant"), r["test_acc"]) for r in runs] == [(None, 0.2), ({"head_relu": "none"}, 0.8)]
    assert repro.variant_key({"b": 1, "a": 2}) == repro.variant_key({"a": 2, "b": 1}) != repro.variant_key(None)


def _writer(args):
    path, worker = args
    repro = load_script("benchmarks/reproduce.py")
    for seed in range(10):
        repro.store_run(path, {"device": "cpu"}, {"recipe": f"r{worker}", "seed": seed, "fast": True})


def test_writers_side_by_side_lose_nothing(tmp_path):
    out = tmp_path / "shared.json"
    # fork where there is one (Linux): the writers are separate processes all the same, without each
    # importing torch again (spawn took most of this test's time)
    context = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(context).Pool(4) as pool:
        pool.map(_writer, [(str(out), w) for w in range(4)])
    assert len(json.loads(out.read_text())["runs"]) == 40
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


def test_bn_run_records_precision_variant_and_recalibrated_accuracy(repro, data_root):
    r = d2lcnn.recipe("lenet_bn_builtin")
    rec = repro.train_one(r, 0, True, torch.device("cpu"), data_root, variant={"init": "kaiming"}, profile="quick")
    assert rec["profile"] == "quick"  # a rehearsal says it was shortened
    assert rec["variant"] == {"init": "kaiming"} and rec["device_name"]
    assert rec["precision"] in ("fp32", "bf16 autocast")  # the CPU default, whichever this processor has
    assert 0 <= rec["test_acc_recalibrated"] <= 1
    plain = repro.train_one(d2lcnn.recipe("lenet_relu"), 0, False, torch.device("cpu"), data_root, profile="quick")
    assert plain["precision"] == "fp32" and plain["variant"] is None and "test_acc_recalibrated" not in plain


def test_recalibrate_bn_averages_batches_and_leaves_the_net_alone():
    d2lcnn.set_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2))
    scratch = d2lcnn.lenet_bn(scratch=True)
    batches = [(torch.randn(8, 1, 6, 6) * (k + 1), torch.zeros(8, dtype=torch.long)) for k in range(3)]
    before = net[1].running_mean.clone()
    fixed = recal = recalibrate_bn(net, batches, num_batches=3)
    assert torch.equal(net[1].running_mean, before) and net[1].momentum == 0.1 and not fixed.training
    with torch.no_grad():
        means = [net[0](X).mean(dim=(0, 2, 3)) for X, _ in batches]
    assert torch.allclose(recal[1].running_mean, sum(means) / 3, atol=1e-5)
    assert torch.equal(fixed[0].weight, net[0].weight)
    # the book's from-scratch layer is found by its buffers
    assert len(bn_layers(scratch)) == 4
    recalibrate_bn(scratch, [(torch.rand(4, 1, 28, 28), None)], num_batches=1)
    with pytest.raises(ValueError, match="no batch-norm layer"):
        recalibrate_bn(nn.Linear(2, 2), batches)
    with pytest.raises(ValueError, match="num_batches must be a positive int"):
        recalibrate_bn(net, batches, num_batches=0)
    with pytest.raises(ValueError, match="yielded no batches"):
        recalibrate_bn(net, [])
