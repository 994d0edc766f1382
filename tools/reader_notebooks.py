#!/usr/bin/env python3
"""Write the one-language notebooks that Jupyter and Colab readers open.

``chapters/*.ipynb`` are the one source: both languages, twin after twin. A reader
running a chapter wants one language, so this script writes, per chapter and language,

    notebooks/en/chapters/07_alexnet.ipynb
    notebooks/zh/chapters/07_alexnet.ipynb

each holding

* the markdown cells of that language and the ``any`` cells, unchanged;
* every code cell of the source, unchanged (id, source, metadata, execution count), with
  only that language's outputs (a bilingual figure is saved once per language, its output
  tagged ``{"d2lcnn": {"lang": ...}}``, see ``d2lcnn/lang.py``); so nbval of the sources
  covers these notebooks too;
* one added code cell, right after the cell that imports ``d2lcnn``, that sets the language
  of the reader's own runs (``d2lcnn.set_lang("zh")``; in the Chinese notebook it also
  installs a CJK font when it runs in Colab). It is the only cell that is not the source's:
  it carries the tag ``reader-setup`` (tests leave it out of the comparison) and
  ``remove-cell`` (the website does not show it). The language cannot come from the
  notebook's metadata or the environment instead: a Colab kernel sees neither;
* the source's kernelspec and language_info, plus ``{"d2lcnn": {"lang", "source"}}``.

Why ``notebooks/<lang>/chapters/``: the website's "open in Colab" button opens
``<repository>/blob/<branch>/<repository.path_to_book>/<page>.ipynb`` and a page is
``chapters/<name>`` (sphinx-book-theme's launch buttons), so ``tools/build_book.py`` sets
``path_to_book`` to ``notebooks/<lang>`` for each edition. The download button serves the
edition's staged source, which build_book.py writes with ``reader_notebook`` below: the same
notebook. Links between chapters and to the glossary are relative (``glossary.ipynb#...``),
and every language's folder holds every chapter, so they keep working there.

    python3 tools/reader_notebooks.py            # (re)write every one-language notebook
    python3 tools/reader_notebooks.py --check    # list the ones out of step; exit 1 if any
    python3 tools/reader_notebooks.py chapters/07_alexnet.ipynb --lang zh

Run it after every change to a chapter (``tests/test_reader_notebooks.py`` fails while a
generated notebook is out of step with its source).
"""
import argparse
import hashlib
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
OUT = ROOT / "notebooks"
LANGS = ("en", "zh")
SETUP_TAG = "reader-setup"
META_KEY = "d2lcnn"  # as d2lcnn.lang.META_KEY; read from the file so this script needs no torch
REGENERATE = "python3 tools/reader_notebooks.py"

# The cell that sets the reader's language; "{lang}" is the notebook's language.
SETUP_SOURCE = {
    "en": ("# This notebook is the English edition: figures and training plots are labelled in English.\n"
           "import d2lcnn\n"
           'd2lcnn.set_lang("en")'),
    "zh": ("# 本笔记本是中文版：图和训练曲线都用中文标注。Colab 的运行环境通常没有中文字体，\n"
           "# 所以在 Colab 中先安装一个，否则图中的汉字会显示成方框。\n"
           "import sys\n"
           "import d2lcnn\n"
           'd2lcnn.set_lang("zh")\n'
           'if "google.colab" in sys.modules:\n'
           "    !apt-get -qq install -y fonts-noto-cjk > /dev/null"),
}
IMPORTS_D2LCNN = re.compile(r"^\s*(import d2lcnn\b|from d2lcnn\b)", re.M)


def _check_lang(lang):
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {LANGS}")
    return lang


def _other(lang):
    return next(x for x in LANGS if x != _check_lang(lang))


def output_lang(output):
    """The language an output was drawn in (its ``d2lcnn.lang`` metadata), or None for every language."""
    return (output.get("metadata") or {}).get(META_KEY, {}).get("lang")


def one_language(nb, lang):
    """A copy of notebook ``nb`` (nbformat 4) without the other language's markdown cells and outputs.

    The one filter of the book: the website's editions (tools/build_book.py) and the
    readers' notebooks both use it.
    """
    other = _other(lang)
    nb = nbformat.from_dict(dict(nb))  # a new top level; the source's cells are not changed below
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and other in cell.get("metadata", {}).get("tags", []):
            continue
        if cell["cell_type"] == "code":
            cell = nbformat.from_dict(dict(cell))
            cell["outputs"] = [o for o in cell.get("outputs", []) if output_lang(o) in (None, lang)]
        cells.append(cell)
    nb["cells"] = cells
    return nb


# A glossary row: | <span id="glossary-..."></span>**term** | column | column | ...
GLOSSARY_ROW = re.compile(r'^\|\s*<span id="(glossary-[a-z0-9-]+)"></span>')
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _columns(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def chinese_names(nb):
    """{glossary anchor: the English page's Chinese column} from the Chinese tables of ``nb``: the zh
    row's term, then the variants other Chinese books use, each marked as Chinese for fonts and
    screen readers. Derived here, so the English cells hold no Chinese and cannot drift from it."""
    names = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown" or "zh" not in cell.get("metadata", {}).get("tags", []):
            continue
        for line in cell["source"].splitlines():
            m = GLOSSARY_ROW.match(line)
            if m:
                term, also = _columns(line)[:2]
                term = re.sub(r"<span[^>]*></span>", "", term).replace("*", "").strip()
                variants = [v.strip() for v in re.split(r"[、，,]", also) if HAN.search(v)]
                names[m.group(1)] = f'<span lang="zh-CN">{term}</span>' + (
                    f' (elsewhere also <span lang="zh-CN">{"、".join(variants)}</span>)' if variants else "")
    return names


def with_chinese_column(source, names):
    """An English glossary table with a "Chinese" column after "Term" (``names``: chinese_names)."""
    lines = []
    for line in source.splitlines():
        if line.startswith("|"):
            m = GLOSSARY_ROW.match(line)
            cells = line.split("|")  # '', the term, the other columns ..., ''
            head = cells[1].strip()
            cells.insert(2, f" {names[m.group(1)]} " if m else " Chinese " if head == "Term" else "---")
            line = "|".join(cells)
        lines.append(line)
    return "\n".join(lines)


def setup_cell(name, lang):
    """The added cell that sets the reader's language (id derived from the chapter and language)."""
    cell = nbformat.v4.new_code_cell(SETUP_SOURCE[_check_lang(lang)])
    cell["id"] = hashlib.sha1(f"{name}:{lang}:{SETUP_TAG}".encode()).hexdigest()[:8]
    cell["metadata"] = {"tags": [SETUP_TAG, "remove-cell"]}
    return cell


def reader_notebook(path, lang):
    """The one-language notebook for ``path`` (a chapter): see the module docstring."""
    path = pathlib.Path(path)
    source = nbformat.read(path, as_version=4)
    nb = one_language(source, lang)
    names = chinese_names(source) if lang == "en" else {}
    if names:  # the glossary: the English page gives each term's Chinese name (the introduction promises it)
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown" and any(map(GLOSSARY_ROW.match, cell["source"].splitlines())):
                cell["source"] = with_chinese_column(cell["source"], names)
    where = next((i for i, c in enumerate(nb["cells"])
                  if c["cell_type"] == "code" and IMPORTS_D2LCNN.search(c["source"])), None)
    if where is not None:
        cell = setup_cell(path.stem, lang)
        if any(c.get("id") == cell["id"] for c in nb["cells"]):
            raise ValueError(f"{path.name}: a cell already has the setup cell's id {cell['id']}; "
                             "give that cell another id")
        nb["cells"].insert(where + 1, cell)
    meta = {k: source["metadata"][k] for k in ("kernelspec", "language_info") if k in source["metadata"]}
    meta[META_KEY] = {"lang": lang, "source": f"chapters/{path.name}",
                      "note": f"generated by tools/reader_notebooks.py from chapters/{path.name}: edit that file"}
    nb["metadata"] = meta
    return nb


def render(nb):
    """The file text of ``nb``, exactly as ``nbformat.write`` writes it."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def path_to_book(lang):
    """The folder, relative to the repository, that holds ``chapters/`` of ``lang``'s notebooks."""
    return f"{OUT.relative_to(ROOT).as_posix()}/{_check_lang(lang)}"


def target(path, lang, out=None):
    """Where the ``lang`` notebook of chapter ``path`` is written (under ``out``, default notebooks/)."""
    return pathlib.Path(out or OUT) / _check_lang(lang) / "chapters" / pathlib.Path(path).name


def sources(chapters=CHAPTERS):
    return sorted(pathlib.Path(chapters).glob("*.ipynb"))


def stale(paths=None, langs=LANGS, out=None):
    """[(generated file, why)] for every one-language notebook that differs from what its source gives."""
    found = []
    for path in paths or sources():
        for lang in langs:
            dest = target(path, lang, out)
            if not dest.is_file():
                found.append((dest, "missing"))
            elif dest.read_text(encoding="utf-8") != render(reader_notebook(path, lang)):
                found.append((dest, f"out of step with {pathlib.Path(path).name}"))
    wanted = {target(p, lang, out).resolve() for p in (paths or sources()) for lang in langs}
    if paths is None:
        for lang in langs:
            for extra in sorted((pathlib.Path(out or OUT) / lang / "chapters").glob("*.ipynb")):
                if extra.resolve() not in wanted:
                    found.append((extra, "has no source in chapters/ (delete it)"))
    return found


def write_all(paths=None, langs=LANGS, out=None):
    """Write the notebooks; return the files that changed."""
    changed = []
    for path in paths or sources():
        for lang in langs:
            dest = target(path, lang, out)
            text = render(reader_notebook(path, lang))
            if not dest.is_file() or dest.read_text(encoding="utf-8") != text:
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(text, encoding="utf-8")
                changed.append(dest)
    return changed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path, help="chapters to convert (default: all)")
    ap.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook is out of step")
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or None
    langs = tuple(args.lang or LANGS)
    if args.check:
        bad = stale(paths, langs)
        for dest, why in bad:
            print(f"{dest.relative_to(ROOT)}: {why}")
        if bad:
            print(f"regenerate with: {REGENERATE}")
        return 1 if bad else 0
    changed = write_all(paths, langs)
    for dest in changed:
        print(f"wrote {dest.relative_to(ROOT)}")
    print(f"{len(changed)} notebook(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
