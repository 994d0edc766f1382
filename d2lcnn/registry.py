"""Registries: a package that lists its modules once and re-exports their public names.

``d2lcnn.models`` (one module per architecture) and ``d2lcnn.figures`` (one module per
chapter) each keep a tuple of module names; ``export_modules`` imports them in that order
and copies every name in each module's ``__all__`` into the package, so adding a module to
the tuple is the one step that makes its names importable. Module objects themselves are
not exported: ``from d2lcnn.figures import *`` must not bring a module ``alexnet`` that
would shadow the network ``d2lcnn.alexnet``.
"""
import importlib

__all__ = ["export_modules"]


def export_modules(package, modules, namespace):
    """Import ``package.<name>`` for each name in ``modules`` and copy its ``__all__`` into
    ``namespace`` (the package's ``globals()``); return the exported names, in order.

    A name exported by two modules is an error rather than a silent shadowing.
    """
    if isinstance(modules, str):
        raise TypeError(f"modules must be a tuple of module names, not the string {modules!r}; "
                        f"write ({modules!r},)")
    exported = {}
    for name in modules:
        module = importlib.import_module(f"{package}.{name}")
        public = getattr(module, "__all__", None)
        if not public:
            raise ImportError(f"{package}.{name} has no __all__; list its public names there")
        for item in public:
            if item in exported:
                raise ImportError(f"{package}.{name} exports {item!r}, which {package}.{exported[item]} "
                                  f"already exports; rename one of them")
            namespace[item] = getattr(module, item)
            exported[item] = name
    return list(exported)
