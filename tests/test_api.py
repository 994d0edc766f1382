"""Every name the chapters and the curriculum use imports from the top of the package."""
import d2lcnn

NAMES = """
corr2d corr2d_multi_in corr2d_multi_in_out corr2d_multi_in_out_1x1 pool2d Conv2D comp_conv2d conv_output_size
load_data_fashion_mnist get_fashion_mnist_labels show_images DataNotFoundError
try_gpu Timer Accumulator accuracy evaluate_accuracy_gpu train_ch6 set_seed current_profile
layer_shapes print_net_shapes count_parameters flop_table print_flop_table
lenet alexnet vgg_block vgg nin_block nin Inception googlenet batch_norm BatchNorm lenet_bn
Residual resnet_block resnet18 resnet conv_block DenseBlock transition_block densenet
conv_stepper pool_stepper receptive_field_view conv_explorer pool_explorer
""".split()


def test_public_names_import_from_the_top():
    missing = [n for n in NAMES if not hasattr(d2lcnn, n)]
    assert not missing, f"not importable from d2lcnn: {missing}"


def test_package_imports_without_ipywidgets(monkeypatch):
    """ipywidgets is needed only by the live explorers; importing the package must not need it."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "import d2lcnn; d2lcnn.conv_stepper([[0., 1.], [2., 3.]], [[1.]])._repr_html_()")
    subprocess.run([sys.executable, "-c", code], check=True)
