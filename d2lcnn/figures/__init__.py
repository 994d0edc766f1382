"""Figures of the book, drawn with matplotlib (one module per group of chapters)."""
from .conv import *  # noqa: F401,F403
from .channels import *  # noqa: F401,F403
from .alexnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .nin import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .batch_norm import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .summary import *  # noqa: F401,F403
