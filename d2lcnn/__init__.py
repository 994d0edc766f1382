"""d2lcnn: the helper package of the d2lcnn book on convolutional neural networks.

Every name a chapter uses is importable from here (``from d2lcnn import corr2d``),
and lives in the module named after its idea: ``ops`` (convolution and pooling
by hand), ``data`` (Fashion-MNIST), ``training`` (``train_ch6`` and friends),
``profiles`` (full / quick / auto runs), ``inspect`` (shapes, parameters,
FLOPs), ``models`` (one file per architecture) and ``widgets`` (the window
stepper).
"""
from .lang import *  # noqa: F401,F403
from .ops import *  # noqa: F401,F403
from .inspect import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .profiles import current_profile, plan_run  # noqa: F401
from .liveplot import LivePlot  # noqa: F401
from .models import *  # noqa: F401,F403
from .recipes import *  # noqa: F401,F403
from .results import *  # noqa: F401,F403
from .recalibrate import recalibrate_bn  # noqa: F401
from . import book_runs  # noqa: F401  (the summary chapter reads the committed runs)
from .widgets import *  # noqa: F401,F403
from .figures import *  # noqa: F401,F403
# d2l compatibility (issue 23): d2l's framework aliases, Animator and plot, so that d2l's own code
# runs with `import d2lcnn as d2l` (d2lcnn/compat.py). The chapters do not use these names.
from .compat import *  # noqa: F401,F403

__version__ = "0.1.0"
