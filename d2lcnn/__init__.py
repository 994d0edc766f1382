"""d2lcnn: the helper package of the d2lcnn book on convolutional neural networks.

Every name a chapter uses is importable from here (``from d2lcnn import corr2d``), and
``__all__`` lists exactly those: the book's public surface (``tests/test_api.py``). Everything
else lives in the module named after its idea and is used from there: ``ops`` (convolution
and pooling by hand), ``data`` (Fashion-MNIST), ``device``, ``profiles`` (full / quick / auto
runs), ``training`` (``train_ch6``), ``inspect`` (shapes, parameters, MACs), ``recipes``,
``results``, ``lang`` (figures in English or Chinese), ``models`` and ``figures`` (registries:
one module per architecture or chapter), ``widgets`` (the window stepper), ``compat`` (d2l's
names).
"""
from . import (
    book_runs,  # noqa: F401  (d2lcnn.book_runs: the summary chapter reads the chapters' runs)
    compat,
    figures,
    inspect,
    models,
    results,
    training,
    widgets,
)

# d2l compatibility (issue 23): d2l's framework aliases, Animator and plot, so that d2l's own code
# runs with `import d2lcnn as d2l` (d2lcnn/compat.py). The chapters do not use these names.
from .compat import *  # noqa: F403
from .data import (
    CorruptDataError,
    DataNotFoundError,
    default_data_root,
    get_fashion_mnist_labels,
    load_data_fashion_mnist,
    show_images,
)
from .device import set_seed, try_gpu
from .figures import *  # noqa: F403
from .inspect import *  # noqa: F403
from .lang import set_lang, show_figure, tr
from .ops import (
    Conv2D,
    comp_conv2d,
    conv2d_as_matmul,
    conv_output_size,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    im2col,
    pool2d,
)
from .profiles import current_profile
from .recalibrate import recalibrate_bn
from .recipes import RECIPES, recipe
from .results import *  # noqa: F403
from .training import *  # noqa: F403
from .widgets import *  # noqa: F403

# The public surface, listed by tests/test_api.py: the names the chapters teach. A module whose whole
# __all__ is for the chapters is exported as a whole (inspect, training, results, widgets, and the
# registered architectures and figures); from the others, only the names a chapter uses.
__all__ = [
    # convolution and pooling by hand (chapters 2-5)
    "corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1", "pool2d", "Conv2D",
    "comp_conv2d", "conv_output_size", "im2col", "conv2d_as_matmul",
    # Fashion-MNIST, and the errors that say what to fix when it is missing or damaged
    "load_data_fashion_mnist", "get_fashion_mnist_labels", "show_images", "default_data_root",
    "DataNotFoundError", "CorruptDataError",
    # devices, run profiles, the notes' recipes, chapter 11's BN recalibration
    "try_gpu", "set_seed", "current_profile", "RECIPES", "recipe", "recalibrate_bn",
    # figures in the reader's language
    "set_lang", "tr", "show_figure",
]
# The architectures' names (lenet, vgg_block, Residual ...) from their modules; d2lcnn.models.<name>
# stays the module (d2lcnn/models/__init__.py).
_model_names = models.public_names()
globals().update(_model_names)
for _names in (training.__all__, inspect.__all__, results.__all__, widgets.__all__, list(_model_names),
               figures.__all__, compat.__all__):
    __all__ += [name for name in _names if name not in __all__]
del _names, _model_names

__version__ = "0.1.0"
