"""d2lcnn's public surface: the names the chapters teach, importable from the top of the package.

``d2lcnn.__all__`` is the surface. It must hold every name a chapter's code uses, and it is listed
here in full so that a change to it is a decision: a name belongs at the top only when a chapter
teaches it; a helper for tools and tests is used from its module (``d2lcnn.data.FashionMNISTBatches``).
"""
import pathlib
import re
import types

import nbformat
import pytest

import d2lcnn

REPO = pathlib.Path(__file__).resolve().parents[1]

# Every name the chapters and the curriculum use.
NAMES = """
corr2d corr2d_multi_in corr2d_multi_in_out corr2d_multi_in_out_1x1 pool2d Conv2D comp_conv2d conv_output_size
im2col conv2d_as_matmul
load_data_fashion_mnist get_fashion_mnist_labels show_images DataNotFoundError
try_gpu Timer Accumulator accuracy evaluate_accuracy_gpu train_ch6 set_seed current_profile
layer_shapes print_net_shapes count_parameters flop_table print_flop_table
lenet alexnet vgg_block vgg nin_block nin Inception googlenet batch_norm BatchNorm lenet_bn
Residual resnet_block resnet18 resnet conv_block DenseBlock transition_block densenet
conv_stepper pool_stepper receptive_field_view conv_explorer pool_explorer
""".split()

# The whole surface, by where it comes from.
PUBLIC = {
    "taught": """
        corr2d corr2d_multi_in corr2d_multi_in_out corr2d_multi_in_out_1x1 pool2d Conv2D comp_conv2d conv_output_size
        im2col conv2d_as_matmul
        load_data_fashion_mnist get_fashion_mnist_labels show_images default_data_root DataNotFoundError
        CorruptDataError try_gpu set_seed current_profile RECIPES recipe recalibrate_bn set_lang tr show_figure Timer
        Accumulator accuracy evaluate_accuracy_gpu init_weights train_ch6 TrainingRun layer_shapes print_net_shapes
        count_parameters flop_table print_flop_table macs_per_example load_results summarize stored_accuracy
        results_box conv_stepper pool_stepper receptive_field_view conv_explorer pool_explorer look_inside
        numeric_question choice_question predict_question train_in_browser""",
    "models (the names of d2lcnn.models.ARCHITECTURES' modules)": """
        lenet alexnet vgg_block vgg scale_arch VGG11_ARCH VGG16_ARCH VGG19_ARCH nin_block nin Inception googlenet
        batch_norm BatchNorm lenet_bn Residual Bottleneck PreActResidual PreActBottleneck resnet_block resnet18 resnet
        conv_block bottleneck_block DenseBlock transition_block densenet densenet121""",
    "figures (the names of d2lcnn.figures.MODULES)": """
        plot_architecture_map plot_flatten_shuffle plot_dense_vs_local plot_corr2d plot_padding plot_stride
        plot_multi_in_corr plot_conv1x1 plot_pooling plot_pool_stride_padding plot_lenet plot_lenet_alexnet
        plot_first_layer_kernels plot_vgg plot_nin_vs_alexnet plot_inception_block plot_googlenet plot_bn_axes
        plot_bn_recalibration plot_function_classes plot_residual_block plot_preact_block plot_resnet18
        plot_add_vs_concat plot_dense_block_growth plot_accuracy_vs_macs plot_stored_runs""",
    "d2l compatibility (d2lcnn.compat)": """
        tensor zeros ones arange normal matmul stack concat abs float32 reshape reduce_sum transpose size plt
        use_svg_display set_figsize set_axes plot Animator""",
}


def _chapter_names():
    """{name: [chapters]} for every d2lcnn.<name> in the chapters' code cells."""
    used = {}
    for path in sorted((REPO / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for name in re.findall(r"\bd2lcnn\.(\w+)", cell.source):
                    used.setdefault(name, []).append(path.stem)
    return used


def test_the_public_surface_is_as_listed():
    listed = [name for group in PUBLIC.values() for name in group.split()]
    assert len(listed) == len(set(listed)), "a name is listed twice in PUBLIC"
    added = [n for n in d2lcnn.__all__ if n not in listed]
    removed = [n for n in listed if n not in d2lcnn.__all__]
    assert not added and not removed, (
        f"d2lcnn.__all__ changed: added {added}, removed {removed}. A name belongs at the top only when a "
        f"chapter teaches it; if so, list it in PUBLIC in tests/test_api.py, else use it from its module")


def test_all_is_importable_and_holds_no_module():
    assert len(d2lcnn.__all__) == len(set(d2lcnn.__all__)), "a name is exported twice"
    missing = [n for n in d2lcnn.__all__ if not hasattr(d2lcnn, n)]
    assert not missing, f"d2lcnn.__all__ names what d2lcnn lacks: {missing}"
    modules = [n for n in d2lcnn.__all__ if isinstance(getattr(d2lcnn, n), types.ModuleType) and n != "plt"]
    assert not modules, f"modules in d2lcnn.__all__ (export their names, not the module): {modules}"
    from d2lcnn import device, training
    assert d2lcnn.try_gpu is device.try_gpu and training.try_gpu is device.try_gpu, "two functions try_gpu"


def test_every_name_a_chapter_uses_is_public():
    ok = set(d2lcnn.__all__) | {n for n in dir(d2lcnn) if isinstance(getattr(d2lcnn, n), types.ModuleType)}
    stray = {name: chapters for name, chapters in _chapter_names().items() if name not in ok}
    assert not stray, (f"chapters use d2lcnn names that are not public: {stray}; add each to d2lcnn.__all__ "
                       f"(d2lcnn/__init__.py) and PUBLIC in tests/test_api.py")


def test_public_names_import_from_the_top():
    missing = [n for n in NAMES if not hasattr(d2lcnn, n)]
    assert not missing, f"not importable from d2lcnn: {missing}"


@pytest.mark.slow
def test_package_imports_without_ipywidgets(monkeypatch):
    """ipywidgets is needed only by the live explorers; importing the package must not need it."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "import d2lcnn; d2lcnn.conv_stepper([[0., 1.], [2., 3.]], [[1.]])._repr_html_()")
    subprocess.run([sys.executable, "-c", code], check=True)
