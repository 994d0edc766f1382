"""Bad inputs a careless reader types get an error that says what was wrong and what to do (issue 20)."""
import pytest
import torch
from torch import nn

import d2lcnn


def test_print_net_shapes_names_the_layer_its_input_and_what_to_pass():
    # A hand-built LeNet, as chapter 6 writes it: no model-specific check, only the shape helpers'.
    net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5),
                        nn.Sigmoid(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 10))
    with pytest.raises(ValueError) as err:
        d2lcnn.print_net_shapes(net, torch.rand(1, 3, 28, 28))
    message = str(err.value)
    assert message.startswith("layer 0 (Conv2d) failed on an input of shape (1, 3, 28, 28)")
    assert "expects 1 input channel(s), got 3" in message and "torch.rand(1, 1, 28, 28)" in message
    with pytest.raises(ValueError, match=r"layer 7 \(Linear\) failed on an input of shape \(1, 576\): "
                                         r"it expects 400 input features, got 576.*image size"):
        d2lcnn.layer_shapes(net, torch.rand(1, 1, 32, 32))
    with pytest.raises(ValueError, match=r"layer 7 \(Linear\)"):
        d2lcnn.flop_table(net, torch.rand(1, 1, 32, 32))


def test_a_nested_layer_is_named_by_its_path():
    net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Sequential(nn.Conv2d(8, 8, 3), nn.Conv2d(4, 8, 3)))
    with pytest.raises(ValueError, match=r"^layer 1\.1 \(Conv2d\) failed on an input of shape \(1, 8, 24, 24\): "
                                         r"it expects 4 input channel\(s\) but the layer before it gives 8"):
        d2lcnn.layer_shapes(net, torch.rand(1, 1, 28, 28), depth=2)


def test_lenet_with_three_channels_in_the_shape_table():
    with pytest.raises(ValueError, match=r"LeNet's layer 0 \(Conv2d\) takes 1 input channel\(s\) and got a batch "
                                         r"of shape \(1, 3, 28, 28\).*torch.rand\(1, 1, 28, 28\).*in_channels=3"):
        d2lcnn.print_net_shapes(d2lcnn.lenet(), torch.rand(1, 3, 28, 28))


@pytest.mark.parametrize("call", [lambda net, X: net(X), d2lcnn.print_net_shapes, d2lcnn.flop_table,
                                  d2lcnn.macs_per_example], ids=["forward", "print_net_shapes", "flop_table",
                                                                 "macs_per_example"])
def test_lenet_says_it_expects_28x28_images(call):
    with pytest.raises(ValueError, match=r"LeNet expects 28x28 images, got 32x32.*interpolate\(X, size=\(28, 28\)"):
        call(d2lcnn.lenet("relu"), torch.rand(4, 1, 32, 32))


def test_lenet_still_takes_what_it_should():
    net = d2lcnn.lenet(in_channels=3, num_classes=5)
    assert net(torch.rand(2, 3, 28, 28)).shape == (2, 5)
    with pytest.raises(ValueError, match=r"add the batch dimension: X.unsqueeze\(0\)"):
        d2lcnn.lenet()(torch.rand(1, 28, 28))
    import io
    torch.save(d2lcnn.lenet(), io.BytesIO())  # the input check does not stop a whole network from pickling


@pytest.mark.parametrize("kwargs, match", [
    ({"growth_rate": 0}, r"growth_rate must be a positive int \(.*32\), got 0"),
    ({"growth_rate": 2.5}, r"growth_rate must be a positive int .* got 2.5"),
    ({"init_channels": 0}, r"init_channels must be a positive int"),
    ({"num_convs_in_dense_blocks": ()}, r"non-empty list of layer counts"),
    ({"num_convs_in_dense_blocks": (4, 0)}, r"num_convs_in_dense_blocks\[1\] must be a positive int"),
])
def test_densenet_refuses_arguments_that_build_nothing(kwargs, match):
    with pytest.raises(ValueError, match=match):
        d2lcnn.densenet(**kwargs)


def test_dense_block_refuses_a_zero_growth_rate():
    with pytest.raises(ValueError, match=r"num_channels must be a positive int \(the growth rate"):
        d2lcnn.DenseBlock(2, 3, 0)
