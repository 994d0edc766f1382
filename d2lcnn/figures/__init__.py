"""Figures of the book, drawn with matplotlib, one module per chapter or group of chapters.

``MODULES`` is the registry: the one list of figure modules, in chapter order. Each module's
``__all__`` (its ``plot_*`` functions) is exported from here and from ``d2lcnn``;
``tests/test_chapter_checklist.py`` fails on a figure module left out of it. The modules
themselves stay ``d2lcnn.figures.<name>`` and are never exported by ``*``: ``figures.alexnet``
is a module that would otherwise shadow the ``alexnet`` network in ``d2lcnn``.
"""
from ..registry import export_modules

# Add a new chapter's figure module here, in chapter order (CONTRIBUTING.md: "Adding an architecture chapter").
MODULES = ("intro", "conv", "channels", "lenet", "alexnet", "vgg", "nin", "googlenet", "batch_norm", "resnet",
           "densenet", "summary")

__all__ = export_modules(__name__, MODULES, globals())
