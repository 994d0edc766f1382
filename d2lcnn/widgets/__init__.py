"""Interactive window steppers: watch a kernel or pooling window slide over an input.

``conv_stepper``, ``pool_stepper`` and ``receptive_field_view`` return objects
that display as self-contained HTML (stepping works in the browser, also on the
static book site); ``conv_explorer`` and ``pool_explorer`` add ipywidgets
controls that redraw them in a live kernel. ``look_inside`` shows every layer of a
trained network for an image the reader picks or draws, computed by the same engine.

Layers: ``frames`` (the numbers, no HTML) -> ``render`` (markup, with the
script ``stepper.js``, the stylesheet ``stepper.css`` and the label table
``strings``) -> ``steppers`` (the public objects) -> ``explorer`` (ipywidgets);
``inside`` (look_inside) and ``site`` (the website's one engine per page) use ``render``.
``quiz`` (check-yourself questions: ``numeric_question``, ``choice_question``, ``predict_question``)
has its own script ``quiz.js`` and stylesheet ``quiz.css``; ``site`` serves that script once per page too.
``trainer`` (``train_in_browser``: LeNet trained in the page, in a Web Worker; ``trainer_boot.js`` inline,
``trainer.js`` with the engine ``train.js`` loaded only when the reader presses Train).
"""
from .explorer import conv_explorer, pool_explorer
from .inside import look_inside
from .quiz import choice_question, numeric_question, predict_question
from .steppers import conv_stepper, pool_stepper, receptive_field_view
from .trainer import train_in_browser

__all__ = ["conv_stepper", "pool_stepper", "receptive_field_view", "conv_explorer", "pool_explorer", "look_inside",
           "numeric_question", "choice_question", "predict_question", "train_in_browser"]
