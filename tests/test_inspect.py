"""Shape tables, parameter counts and FLOPs."""
import pytest
import torch
from torch import nn

import d2lcnn


def seq():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),
                         nn.Sequential(nn.Conv2d(6, 16, 5), nn.ReLU()), nn.Flatten(), nn.Linear(1600, 10))


def test_layer_shapes_top_level_and_nested():
    X = torch.rand(1, 1, 28, 28)
    top = d2lcnn.layer_shapes(seq(), X)
    assert [(c, s) for _, c, s in top] == [
        ("Conv2d", (1, 6, 28, 28)), ("Sigmoid", (1, 6, 28, 28)), ("AvgPool2d", (1, 6, 14, 14)),
        ("Sequential", (1, 16, 10, 10)), ("Flatten", (1, 1600)), ("Linear", (1, 10))]
    nested = d2lcnn.layer_shapes(seq(), X, depth=2)
    assert [n for n, _, _ in nested] == ["0", "1", "2", "3.0", "3.1", "4", "5"]


def test_print_net_shapes(capsys):
    d2lcnn.print_net_shapes(seq(), torch.rand(1, 1, 28, 28))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Layer") and "Output shape" in out[0]
    assert out[2].split() == ["Conv2d", "(1,", "6,", "28,", "28)"]


def test_counts_match_formulas():
    net = seq()
    assert d2lcnn.count_parameters(net) == (6 * 25 + 6) + (16 * 6 * 25 + 16) + (1600 * 10 + 10)
    rows = d2lcnn.flop_table(net, torch.rand(1, 1, 28, 28))
    by_name = {r["name"]: r for r in rows}
    # conv MACs = c_o * H * W * c_i * k_h * k_w
    assert by_name["0"]["macs"] == 6 * 28 * 28 * 1 * 25
    assert by_name["3"]["macs"] == 16 * 10 * 10 * 6 * 25
    assert by_name["5"]["macs"] == 1600 * 10
    assert by_name["total"]["flops"] == 2 * sum(r["macs"] for r in rows[:-1])
    assert by_name["1"]["flops"] == 0


def test_print_flop_table(capsys):
    d2lcnn.print_flop_table(seq(), torch.rand(1, 1, 28, 28))
    out = capsys.readouterr().out
    assert "117.60 K" in out and "total" in out and "Sigmoid" not in out


def test_errors():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        d2lcnn.layer_shapes("net", torch.rand(1))
    with pytest.raises(ValueError, match="depth must be >= 1"):
        d2lcnn.layer_shapes(seq(), torch.rand(1, 1, 28, 28), depth=0)
