"""Figures of the book, drawn with matplotlib (one module per group of chapters).

``__all__`` collects the modules' own ``__all__`` lists, so ``from .figures import *``
exports the figure functions and never a module object (``figures.alexnet`` is a
module that would otherwise shadow the ``alexnet`` network in ``d2lcnn``).
"""
from . import conv, channels, lenet, alexnet, vgg, nin, googlenet, batch_norm, resnet, densenet, summary  # noqa: I001
from .conv import *  # noqa: F401,F403
from .channels import *  # noqa: F401,F403
from .lenet import *  # noqa: F401,F403
from .alexnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .nin import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .batch_norm import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .summary import *  # noqa: F401,F403

__all__ = [name for module in (conv, channels, lenet, alexnet, vgg, nin, googlenet, batch_norm, resnet, densenet, summary)
           for name in module.__all__]
