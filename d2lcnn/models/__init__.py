"""The architectures of the book, one module each, in chapter order.

``ARCHITECTURES`` is the registry: the one list of model modules. Each module's
``__all__`` is re-exported here (and from ``d2lcnn``), and the tests read the
same list: a ``models/<name>.py`` missing from it, or a listed name that
``d2lcnn`` does not export, fails ``tests/test_structure.py``. Modules whose
name starts with ``_`` (``_checks``) are helpers, not architectures.

Note that ``d2lcnn.models.lenet`` is the function; the module itself is
``sys.modules['d2lcnn.models.lenet']`` (``from d2lcnn.models.lenet import ...``
works as usual).
"""
import importlib

# Add a new architecture here, in chapter order (README: "Adding an architecture chapter").
ARCHITECTURES = ("lenet", "alexnet", "vgg", "nin", "googlenet", "batchnorm", "resnet", "densenet")



def _export(names):
    """Import each model module and copy its ``__all__`` names into this package."""
    exported = []
    for name in names:
        module = importlib.import_module(f".{name}", __name__)
        for public in module.__all__:
            if public in exported:
                raise ImportError(f"d2lcnn.models.{name} exports {public!r}, which an earlier model module "
                                  f"already exports; rename one of them")
            globals()[public] = getattr(module, public)
            exported.append(public)
    return exported


__all__ = _export(ARCHITECTURES)
