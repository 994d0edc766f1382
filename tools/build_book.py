#!/usr/bin/env python3
"""Build the website: an English and a Chinese edition of the book.

Each chapter notebook holds both languages, twin after twin (markdown cells
tagged ``en`` / ``zh`` / ``any``). Jupyter Book 1 cannot hide cells by tag
on its own, so this script writes one copy of the book per language with the
other language's prose removed, builds each with ``jupyter-book build -W``
(warnings are errors), and puts them side by side:

    _build/html/index.html   chooses an edition from the browser's language
    _build/html/en/          English edition
    _build/html/zh/          Chinese edition

Usage: python tools/build_book.py [--lang en|zh] [--keep-going] [--without-answers]

--without-answers: the instructor build, into _build/instructor/ (the normal build is untouched):
the exercise answers and the check-yourself questions' explanations are left out
(tools/without_answers.py), so that a course can hand out the exercises.
"""
import argparse
import pathlib
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import fast_pages  # noqa: E402  (after the path insert; the pages' speed-ups, run on each edition)
import npm_packages  # noqa: E402
import reader_notebooks  # the one filter of the other language's cells, shared with the readers' notebooks
import without_answers  # the instructor build's filter

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
SITE = ROOT / "tools" / "site"
LANGS = {
    "en": {"title": "d2lcnn: Convolutional Neural Networks", "other": "zh", "switch": "阅读中文版",
           "sphinx_language": "en",
           "description": "A hands-on, bilingual textbook on convolutional neural networks, from "
                          "convolution and pooling to LeNet, AlexNet, VGG, GoogLeNet, ResNet and DenseNet."},
    "zh": {"title": "d2lcnn：卷积神经网络", "other": "en", "switch": "Read in English",
           "sphinx_language": "zh_CN",
           "description": "动手学卷积神经网络：从卷积和汇聚到 LeNet、AlexNet、VGG、GoogLeNet、ResNet 和 DenseNet 的双语教材。"},
}


def edition_notebook(path, lang):
    """The edition's page source: the reader's one-language notebook (tools/reader_notebooks.py).

    The same notebook as notebooks/<lang>/chapters/, so the page's download button gives what
    its Colab button opens; the cell that sets the reader's language is tagged remove-cell.
    """
    return reader_notebooks.reader_notebook(path, lang)


def caption_for(caption, lang):
    """Part captions are written 'English | 中文'."""
    en, _, zh = caption.partition(" | ")
    return (zh or en).strip() if lang == "zh" else en.strip()


# MathJax's own renderer, run with Node when the book is built (tools/fast_pages.py): pages ship
# typeset math and no TeX engine. Pinned; npm installs it into _build/node/ once.
MATHJAX = "mathjax-full@3.2.2"


def mathjax_modules():
    """node_modules holding the pinned mathjax-full (installed with npm on first use)."""
    return npm_packages.npm_package(MATHJAX)


def stage(lang, answers=True):
    """Write the sources of one edition to _build/src/<lang> (without answers: _build/src-instructor/<lang>);
    return that folder."""
    import yaml
    src = BUILD / ("src" if answers else "src-instructor") / lang
    if src.exists():
        shutil.rmtree(src)
    (src / "chapters").mkdir(parents=True)
    for nb_path in sorted((ROOT / "chapters").glob("*.ipynb")):
        (src / "chapters" / nb_path.name).write_text(
            reader_notebooks.render(edition_notebook(nb_path, lang) if answers else
                                    without_answers.strip_answers(edition_notebook(nb_path, lang))),
            encoding="utf-8")
    for extra in (ROOT / "chapters").iterdir():
        if extra.suffix != ".ipynb" and extra.name != ".ipynb_checkpoints":
            (shutil.copytree if extra.is_dir() else shutil.copy2)(extra, src / "chapters" / extra.name)
    if (ROOT / "images").is_dir():
        shutil.copytree(ROOT / "images", src / "images")

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    info = LANGS[lang]
    config["title"] = info["title"]
    # Local Sphinx extensions are found relative to _config.yml; this copy lives in _build/src.
    for name, folder in config.get("sphinx", {}).get("local_extensions", {}).items():
        config["sphinx"]["local_extensions"][name] = str(ROOT / folder)
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["language"] = info["sphinx_language"]
    # The Colab button opens <path_to_book>/<page>.ipynb on GitHub: this edition's one-language notebook.
    config.setdefault("repository", {})["path_to_book"] = reader_notebooks.path_to_book(lang)
    # Each edition is published under the site's address (html.baseurl, set by tools/set_repo_url.py):
    # its pages name their canonical address there.
    if config.get("html", {}).get("baseurl"):
        config["html"]["baseurl"] = config["html"]["baseurl"].rstrip("/") + f"/{lang}/"
    if lang == "zh":
        # jieba splits Chinese text into words for the search index; the book's own terms
        # (池化, 感受野, 步幅, ...) are added so that each is indexed as one word.
        sphinx_config["html_search_options"] = {"dict": str(ROOT / "tools" / "search_terms_zh.txt")}
    # The book's own stylesheets and scripts (tools/site/book/) are served from _site/ and
    # added to every page by name. Not under _static: Jupyter Book adds every .js found
    # there as a page script, which would also load MathJax's many files.
    site = src / "_site"
    shutil.copytree(SITE / "book", site)
    sphinx_config["html_static_path"] = ["_site"]
    sphinx_config["html_css_files"] = sorted(p.name for p in site.glob("*.css"))
    sphinx_config["html_js_files"] = sorted(p.name for p in site.glob("*.js"))
    # Sphinx still writes a MathJax <script> on pages with math; tools/fast_pages.py typesets the
    # math and removes it. Pointing it at a local path means a page it missed fails the tests
    # (a 404) instead of quietly fetching MathJax from a CDN.
    sphinx_config["mathjax_path"] = "mathjax/tex-mml-chtml.js"
    # The switch to the other edition (site/book/lang-switch.js opens the same page there
    # and remembers the choice); the plain href is the fallback without JavaScript.
    config.setdefault("html", {})["announcement"] = (
        f'<a class="d2l-lang-switch" data-lang="{info["other"]}" lang="{info["other"]}" '
        f'href="../{info["other"]}/index.html">{info["switch"]}</a>')
    # The site's icon and logo come from images/ (copied above), as _config.yml says.

    (src / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        if "caption" in part:
            part["caption"] = caption_for(part["caption"], lang)
    (src / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return src




def dedupe_thebe_config(html_dir):
    """Drop the second copy of sphinx-thebe's config script from every page.

    Jupyter Book 1 emits `<script>const THEBE_JS_URL = ...</script>` twice per page
    (also in a bare `jupyter-book create` book), and the second `const` throws
    "Identifier 'THEBE_JS_URL' has already been declared" in every reader's console.
    Returns the number of pages fixed.
    """
    fixed = 0
    for page in pathlib.Path(html_dir).rglob("*.html"):
        lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
        seen, kept = False, []
        for line in lines:
            if line.lstrip().startswith("<script>const THEBE_JS_URL"):
                if seen:
                    continue
                seen = True
            kept.append(line)
        if len(kept) != len(lines):
            page.write_text("".join(kept), encoding="utf-8")
            fixed += 1
    return fixed


def train_data():
    """The in-browser trainer's data script (tools/make_train_data.py, from the loader's Fashion-MNIST),
    written once into _build/train/; None (the trainers then say there is no data) without the data set."""
    import make_train_data
    out = make_train_data.DEFAULT_OUT
    if out.is_file() and out.stat().st_mtime >= pathlib.Path(make_train_data.__file__).stat().st_mtime:
        return out  # written by this version of the script
    try:
        return make_train_data.main([])
    except Exception as err:  # no Fashion-MNIST here and no network: the site builds without the data
        print(f"no data for the in-browser trainer ({type(err).__name__}: {err}); its views will say so")
        return None


def build(lang, keep_going=False, answers=True):
    src = stage(lang, answers)
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
           "build", str(src), "--builder", "html", "-W", "-n"]
    if keep_going:
        cmd.append("--keep-going")
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    out = BUILD / ("html" if answers else "instructor") / lang
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src / "_build" / "html", out)
    dedupe_thebe_config(out)
    from d2lcnn.widgets.site import serve_engine_once  # the stepper engine once per page, not per stepper
    print(f"{lang}: stepper engine served once on {serve_engine_once(out)} pages")
    from d2lcnn.widgets.site import serve_quiz_once  # the check-yourself questions' script likewise
    print(f"{lang}: question script served once on {serve_quiz_once(out, explanations=answers)} pages")
    from d2lcnn.widgets.site import serve_trainer_once  # the in-browser trainer's files, loaded on Train only
    print(f"{lang}: trainer files named on {serve_trainer_once(out, train_data())} pages")
    summary = fast_pages.optimize_edition(out, lang, mathjax_modules(), LANGS[lang]["description"])
    print(f"{lang}: {summary['formulas']} formulas typeset on {summary['pages']} pages")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=sorted(LANGS), action="append",
                        help="build only this edition (repeatable); default: both")
    parser.add_argument("--keep-going", action="store_true", help="report every warning, then fail")
    parser.add_argument("--without-answers", action="store_true",
                        help="the instructor build, into _build/instructor/: no exercise answers, no explanations")
    args = parser.parse_args(argv)
    for lang in args.lang or sorted(LANGS):
        print(f"built {build(lang, args.keep_going, answers=not args.without_answers)}")
    site = BUILD / ("instructor" if args.without_answers else "html")
    site.mkdir(parents=True, exist_ok=True)
    # The front page chooses an edition: the reader's last choice, else the browser's language.
    for name in ("index.html", "chooser.js", "chooser.css"):
        shutil.copy2(SITE / name, site / name)
    print(f"website: {site / 'index.html'}")


if __name__ == "__main__":
    main()
