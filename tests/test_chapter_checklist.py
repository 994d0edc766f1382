"""CONTRIBUTING.md's "Adding an architecture chapter" checklist, as tests: each step that can be
forgotten fails here with a message that says what to add, and where.

The model registry (``ARCHITECTURES``) and the import layers are checked in test_structure.py,
a chapter's shapes and parameter counts in test_models.py, its glossary links in test_glossary.py.
"""
import pathlib
import re
import sys

import nbformat
import pytest
import yaml

import d2lcnn
from d2lcnn import figures, models
from d2lcnn.recipes import RECIPES

REPO = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = REPO / "d2lcnn"
CHAPTERS = REPO / "chapters"
GLOSSARY = "glossary"


def toc_chapters():
    """Notebook stems in the order of _toc.yml: the root, then each part's chapters."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    return [f.split("/")[-1] for f in files]


def _markdown(stem, lang):
    cells = nbformat.read(CHAPTERS / f"{stem}.ipynb", as_version=4).cells
    return [c.source for c in cells if c.cell_type == "markdown" and lang in c.metadata.get("tags", [])]


# ------------------------------------------------------------------ table of contents

def test_every_notebook_is_in_the_toc():
    listed = toc_chapters()
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        assert path.stem in listed, (f"chapters/{path.name} is not in the table of contents: add "
                                     f"'- file: chapters/{path.stem}' to _toc.yml, in chapter order")
    for stem in listed:
        assert (CHAPTERS / f"{stem}.ipynb").is_file(), f"_toc.yml lists chapters/{stem}, which does not exist"


# ------------------------------------------------------------------ next-chapter links

READING_ORDER = [stem for stem in toc_chapters() if stem != GLOSSARY]
NEXT = list(zip(READING_ORDER[:-1], READING_ORDER[1:]))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stem,following", NEXT, ids=[a for a, _ in NEXT])
def test_each_chapter_ends_by_linking_the_next(stem, following, lang):
    """A chapter's last prose cell that links a chapter links the next one in the reading order;
    inserting a chapter means updating the link at the end of the one before it, in both languages."""
    last = None
    for text in _markdown(stem, lang):
        links = re.findall(r"\]\(([\w-]+)\.ipynb[^)]*\)", text)
        links = [s for s in links if s != GLOSSARY]
        last = links[-1] if links else last
    assert last == following, (
        f"chapters/{stem}.ipynb: the last chapter link of its `{lang}` cells points to {last}.ipynb, but the "
        f"next chapter in _toc.yml is {following}: link [{following}]({following}.ipynb) at the end of "
        f"{stem}'s `{lang}` text (and in its {'zh' if lang == 'en' else 'en'} twin)")


# ------------------------------------------------------------------ recipes and glossary

ARCH_MODULES = [name for name in models.ARCHITECTURES]


@pytest.mark.parametrize("name", ARCH_MODULES)
def test_every_architecture_has_a_training_recipe(name):
    public = set(sys.modules[f"d2lcnn.models.{name}"].__all__)
    trained = [r.name for r in RECIPES.values() if r.model in public]
    assert trained, (f"no recipe trains a network of d2lcnn/models/{name}.py: add an _r(...) entry to "
                     f"RECIPES in d2lcnn/recipes.py with the notes' lr, batch_size, resize, init and results")


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_names_a_chapter_and_a_constructor(name):
    r = RECIPES[name]
    assert (CHAPTERS / f"{r.chapter}.ipynb").is_file(), \
        f"recipe {name!r}: chapter={r.chapter!r} is no notebook in chapters/; give the notebook's stem"
    assert callable(getattr(d2lcnn, r.model, None)), \
        f"recipe {name!r}: model={r.model!r} is not a d2lcnn constructor; list it in its model module's __all__"


def _glossary_chapters():
    cells = _markdown(GLOSSARY, "en") + _markdown(GLOSSARY, "zh")
    return {m for text in cells for line in text.splitlines() if line.startswith("|")
            for m in re.findall(r"\]\(([\w-]+)\.ipynb", line)}


@pytest.mark.parametrize("stem", sorted({r.chapter for r in RECIPES.values()}))
def test_every_architecture_chapter_adds_glossary_rows(stem):
    assert stem in _glossary_chapters(), (
        f"no glossary row is introduced by chapters/{stem}.ipynb: add a row for each new term to both tables "
        f"of chapters/glossary.ipynb (last column: a link to {stem}.ipynb), then its patterns to TERMS in "
        f"tools/link_terms.py and run python3 tools/link_terms.py")


# ------------------------------------------------------------------ figures registry

def test_every_figure_module_is_registered():
    on_disk = sorted(p.stem for p in (PACKAGE / "figures").glob("*.py") if not p.stem.startswith("_"))
    assert len(set(figures.MODULES)) == len(figures.MODULES), f"listed twice in MODULES: {figures.MODULES}"
    for name in on_disk:
        assert name in figures.MODULES, (f"d2lcnn/figures/{name}.py is not registered: add {name!r} to MODULES "
                                         f"in d2lcnn/figures/__init__.py (a helper module would start with '_')")
    ghosts = sorted(set(figures.MODULES) - set(on_disk))
    assert not ghosts, f"MODULES in d2lcnn/figures/__init__.py lists {ghosts}, which are not in d2lcnn/figures/"


@pytest.mark.parametrize("name", figures.MODULES)
def test_figure_functions_are_exported_from_the_top(name):
    module = sys.modules[f"d2lcnn.figures.{name}"]
    for public in module.__all__:
        assert public.startswith("plot_"), f"d2lcnn/figures/{name}.py: {public} in __all__ is no plot_ function"
        assert getattr(d2lcnn, public, None) is getattr(module, public), \
            f"d2lcnn.{public} is not d2lcnn.figures.{name}.{public} (missing, or shadowed by another module)"


def test_the_registries_refuse_a_name_exported_twice(tmp_path, monkeypatch):
    """export_modules stops on two modules exporting one name instead of letting the later win."""
    from d2lcnn.registry import export_modules
    pkg = tmp_path / "twice"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("__all__ = ['f']\ndef f(): pass\n")
    (pkg / "b.py").write_text("__all__ = ['f']\ndef f(): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert export_modules("twice", ("a",), {}) == ["f"]
    with pytest.raises(ImportError, match="twice.b exports 'f', which twice.a already exports"):
        export_modules("twice", ("a", "b"), {})
    with pytest.raises(TypeError, match="tuple of module names"):
        export_modules("twice", "a", {})
