"""Interactive window steppers: watch a kernel or pooling window slide over an input.

``conv_stepper``, ``pool_stepper`` and ``receptive_field_view`` return objects
that display as self-contained HTML (stepping works in the browser, also on the
static book site); ``conv_explorer`` and ``pool_explorer`` add ipywidgets
controls that redraw them in a live kernel.

Layers: ``frames`` (the numbers, no HTML) -> ``render`` (markup, with the
script ``stepper.js``, the stylesheet ``stepper.css`` and the label table
``strings``) -> ``steppers`` (the public objects) -> ``explorer`` (ipywidgets).
"""
from .explorer import conv_explorer, pool_explorer
from .steppers import conv_stepper, pool_stepper, receptive_field_view

__all__ = ["conv_stepper", "pool_stepper", "receptive_field_view", "conv_explorer", "pool_explorer"]
