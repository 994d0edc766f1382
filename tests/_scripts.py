"""Load a repository script (tools/*.py, benchmarks/*.py) as a module, for tests of its functions."""
import importlib.util
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[1]


def load_script(relative_path):
    """The module in ``REPO / relative_path`` (e.g. ``"tools/link_terms.py"``), freshly executed."""
    path = REPO / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
