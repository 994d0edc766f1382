"""The architectures of the book, one module each, in chapter order.

Each module's public names are re-exported here (and from ``d2lcnn``). Note
that ``d2lcnn.models.lenet`` is the function; the module itself is
``sys.modules['d2lcnn.models.lenet']`` (``from d2lcnn.models.lenet import ...``
works as usual).
"""
from . import lenet as _lenet, alexnet as _alexnet, vgg as _vgg, nin as _nin  # noqa: I001
from . import googlenet as _googlenet, batchnorm as _batchnorm, resnet as _resnet, densenet as _densenet
from .lenet import *  # noqa: F401,F403
from .alexnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .nin import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403

__all__ = [name for module in (_lenet, _alexnet, _vgg, _nin, _googlenet, _batchnorm, _resnet, _densenet)
           for name in module.__all__]
