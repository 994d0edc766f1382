"""The architectures of the book, one module each, in chapter order.

``ARCHITECTURES`` is the registry: the one list of model modules. ``d2lcnn.models.<name>``
is always the module (``d2lcnn.models.lenet``, ``d2lcnn.models.batch_norm``); the names each
module lists in ``__all__`` (the functions and classes a chapter uses: ``lenet``,
``batch_norm``, ``Residual`` ...) are exported from ``d2lcnn`` itself, by ``public_names``.
Keeping the two apart means a function never hides the module it comes from. The tests read
the same list: a ``models/<name>.py`` missing from it, or a listed name that ``d2lcnn`` does
not export, fails ``tests/test_structure.py``. Modules whose name starts with ``_``
(``_checks``) are helpers, not architectures.
"""
import importlib

from ..recipes import register_constructors

# Add a new architecture here, in chapter order (CONTRIBUTING.md: "Adding an architecture chapter").
ARCHITECTURES = ("lenet", "alexnet", "vgg", "nin", "googlenet", "batch_norm", "resnet", "densenet")

__all__ = ["ARCHITECTURES", "public_names", *ARCHITECTURES]


def _load():
    for name in ARCHITECTURES:
        globals()[name] = importlib.import_module(f".{name}", __name__)


def public_names():
    """Every architecture module's public names and objects, ``{name: object}`` in chapter order
    (what ``d2lcnn`` exports). A name that two modules export is an error."""
    names = {}
    for name in ARCHITECTURES:
        module = globals()[name]
        for public in module.__all__:
            if public in names:
                raise ImportError(f"d2lcnn.models.{name} exports {public!r}, which an earlier model module "
                                  f"already exports; rename one of them")
            names[public] = getattr(module, public)
    return names


_load()
# The recipes (d2lcnn.recipes, at the bottom of the package) build their networks by name from these,
# handed down here so that no import runs upward.
register_constructors({name: obj for name, obj in public_names().items() if callable(obj)})
