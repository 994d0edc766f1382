"""The book's website serves the stepper engine once per page, not once per stepper.

A saved stepper carries the engine inline so that it works alone in Jupyter, Colab or VS Code
(``render.stepper_root``). On a built page with several steppers those copies repeat. After the
website is built, ``serve_engine_once`` (called by ``tools/build_book.py``) rewrites every
page that holds a stepper: the inline engines go, one ``<script defer src=...>`` loads the
engine file (written once into the site's ``_static``), which then boots every stepper on the
page; the inline stylesheet stays on the first stepper only (it is scoped to ``.d2s``, so
one copy styles them all).

A payload larger than ``INLINE_LIMIT`` (the trained LeNet of chapter 6's "look inside", about
190 KB) moves to a file of its own, ``_static/d2s-data/<id>.js``; the page keeps an empty data
script naming it (``data-src``), which the engine loads when the view is about to be seen.
So a first visit to the page does not download the weights of a view the reader may never reach.
The file is a script that registers the payload's JSON text in ``window.d2lcnnPayloads[<id>]``,
added to the page as a ``<script>`` element: browsers refuse ``fetch`` on a page opened from disk
(``file://``), but run its scripts.
"""
import hashlib
import json
import os
import pathlib
import re

from .render import both_langs, library_js

__all__ = ["ENGINE_FILE", "QUIZ_FILE", "TRAINER_FILE", "TRAIN_DATA_FILE", "serve_engine_once", "serve_quiz_once",
           "serve_trainer_once"]

ENGINE_FILE = "d2lcnn-stepper.js"
QUIZ_FILE = "d2lcnn-quiz.js"
TRAINER_FILE = "d2lcnn-trainer.js"
TRAIN_DATA_FILE = "d2lcnn-train-data.js"

# A stepper's root tag with its stylesheet; its data followed by its engine (render.stepper_root's layout).
_STYLE = re.compile(r'(<div class="d2s [^"]*" id="d2s-[0-9a-f]{12}"[^>]*>)<style>.*?</style>', re.S)
INLINE_LIMIT = 32 * 1024
DATA_DIR = "d2s-data"
_DATA = re.compile(r'<div class="d2s [^"]*" id="(d2s-[0-9a-f]{12})"[^>]*>.*?'
                   r'(<script type="application/json" class="d2s-data">(.*?)</script>)', re.S)
_ENGINE = re.compile(r'(<script type="application/json" class="d2s-data">.*?</script>)<script>.*?</script>(</div>)',
                     re.S)


def payload_script(uid, payload):
    """The script file that registers ``payload`` (the JSON text of view ``uid``, as the page held it)
    for the engine, which parses it as it parses an inline payload (JSON.parse reads the escaped
    slash of ``<\\/`` as "/")."""
    return (f"/* d2lcnn: the numbers of view {uid}, loaded when it nears the screen (d2lcnn/widgets/site.py) */\n"
            f"(window.d2lcnnPayloads = window.d2lcnnPayloads || {{}})[{json.dumps(uid)}] = "
            f"{json.dumps(payload, ensure_ascii=False)};\n")


def _external_data(text, page, static):
    """``text`` with every payload over ``INLINE_LIMIT`` written to its own file under ``static``."""
    def move(m):
        uid, tag, payload = m[1], m[2], m[3]
        if len(payload.encode("utf-8")) <= INLINE_LIMIT:
            return m[0]
        target = static / DATA_DIR / f"{uid}.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(payload_script(uid, payload), encoding="utf-8")
        src = os.path.relpath(target, page.parent).replace(os.sep, "/")
        empty = f'<script type="application/json" class="d2s-data" data-src="{src}"></script>'
        # Shown by the engine if the file cannot be fetched (its reason appended in .d2s-why).
        failed = (f'<p class="d2s-err" role="alert" data-load-error hidden>{both_langs("load_failed", src=src)}'
                  f' <span class="d2s-why"></span></p>')
        return m[0][:len(m[0]) - len(tag)] + failed + empty

    return _DATA.sub(move, text)


def _one_page(text, src):
    styles = [0]

    def keep_first(m):
        styles[0] += 1
        return m[0] if styles[0] == 1 else m[1]

    new = _STYLE.sub(keep_first, text)
    new = _ENGINE.sub(lambda m: m[1] + m[2], new)
    tag = f'<script defer src="{src}"></script>'
    if tag not in new:
        new = new.replace("</head>", tag + "</head>", 1)
    return new


def serve_engine_once(html_dir):
    """Rewrite every page under ``html_dir`` that holds a stepper (see the module docstring);
    returns the number of pages changed."""
    html_dir = pathlib.Path(html_dir)
    engine = library_js()
    static = html_dir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / ENGINE_FILE).write_text(engine, encoding="utf-8")
    version = hashlib.sha256(engine.encode("utf-8")).hexdigest()[:10]
    changed = 0
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if 'class="d2s-data"' not in text:
            continue
        src = os.path.relpath(static / ENGINE_FILE, page.parent).replace(os.sep, "/") + f"?v={version}"
        new = _external_data(_one_page(text, src), page, static)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


# The check-yourself questions (quiz.py) the same way: the first stylesheet stays, the inline scripts go,
# one deferred quiz.js boots every question of the page.
_Q_STYLE = re.compile(r'(<div class="d2q [^"]*" id="d2q-[0-9a-f]{12}"[^>]*>)<style>.*?</style>', re.S)
_Q_HEADING = re.compile(r'<section id="([^"]+)">\s*<h[1-6][^>]*>(.*?)<a class="headerlink"', re.S)
_Q_LINK = re.compile(r'<a class="d2q-link" href="#[^"]*" data-en="([^"]*)" data-zh="([^"]*)">')
_Q_SCRIPT = re.compile(r'(<script type="application/json" class="d2q-data">.*?</script>)<script>.*?</script>(</div>)',
                       re.S)


def _link_sections(text):
    """Each question's link pointed at its heading's id on this page (Sphinx numbers the ids of Chinese
    headings, id1, id2 ...), so that it works before, and without, any script."""
    from html import unescape
    ids = {}
    for m in _Q_HEADING.finditer(text):
        ids.setdefault(unescape(re.sub(r"<[^>]+>", "", m[2])).strip(), m[1])

    def point(m):
        target = next((ids[t] for t in (unescape(m[1]), unescape(m[2])) if t in ids), None)
        return m[0] if target is None else m[0].replace(m[0].split('"')[3], "#" + target, 1)

    return _Q_LINK.sub(point, text)


def serve_quiz_once(html_dir, explanations=True):
    """Rewrite every page under ``html_dir`` that holds a question: quiz.js once per page (written to
    ``_static``), one inline stylesheet; with ``explanations=False`` (the instructor build) every
    question's explanations are removed too. Returns the number of pages changed."""
    from .quiz import library_js as quiz_js
    from .quiz import without_explanations
    html_dir = pathlib.Path(html_dir)
    script = quiz_js()
    static = html_dir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / QUIZ_FILE).write_text(script, encoding="utf-8")
    version = hashlib.sha256(script.encode("utf-8")).hexdigest()[:10]
    changed = 0
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if 'class="d2q-data"' not in text:
            continue
        styles = [0]

        def keep_first(m):
            styles[0] += 1
            return m[0] if styles[0] == 1 else m[1]

        new = _link_sections(_Q_SCRIPT.sub(lambda m: m[1] + m[2], _Q_STYLE.sub(keep_first, text)))
        if not explanations:
            new = without_explanations(new)
        src = os.path.relpath(static / QUIZ_FILE, page.parent).replace(os.sep, "/") + f"?v={version}"
        # One tag, of this version (a page rewritten again keeps no older one).
        new = re.sub(r'<script defer src="[^"]*' + re.escape(QUIZ_FILE) + r'\?v=[0-9a-f]+"></script>', "", new)
        new = new.replace("</head>", f'<script defer src="{src}"></script></head>', 1)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


# The in-browser trainer (trainer.py): its engine, view script and data are files under _static that the
# view's inline boot script adds as <script> elements when the reader presses Train; the root tag names them.
_TRAINER_ROOT = re.compile(r'<div class="d2t" id="d2t-[0-9a-f]{12}"(?! data-lib=)')


def serve_trainer_once(html_dir, data_script=None):
    """Give every trainer view under ``html_dir`` its files: ``_static/d2lcnn-trainer.js`` (train.js,
    train_worker.js and trainer.js), the data script ``data_script`` (tools/make_train_data.py's output)
    copied to ``_static/d2lcnn-train-data.js``, and the stepper engine for "Look inside your network".
    Nothing of it is named by the page's <head>: a first visit loads none of it. Without ``data_script``
    the views say that there is no data and point to train_ch6. Returns the number of pages changed."""
    import shutil

    from .trainer import library_js as trainer_js
    html_dir = pathlib.Path(html_dir)
    pages = [p for p in sorted(html_dir.rglob("*.html")) if 'class="d2t"' in p.read_text(encoding="utf-8")]
    if not pages:
        return 0
    static = html_dir / "_static"
    static.mkdir(parents=True, exist_ok=True)
    script = trainer_js()
    (static / TRAINER_FILE).write_text(script, encoding="utf-8")
    files = {"data-lib": (static / TRAINER_FILE, hashlib.sha256(script.encode("utf-8")).hexdigest()[:10])}
    if data_script is not None and pathlib.Path(data_script).is_file():
        shutil.copyfile(data_script, static / TRAIN_DATA_FILE)
        files["data-data"] = (static / TRAIN_DATA_FILE, hashlib.sha256((static / TRAIN_DATA_FILE).read_bytes()).hexdigest()[:10])
    engine = library_js()
    if not (static / ENGINE_FILE).is_file():
        (static / ENGINE_FILE).write_text(engine, encoding="utf-8")
    files["data-stepper"] = (static / ENGINE_FILE, hashlib.sha256((static / ENGINE_FILE).read_bytes()).hexdigest()[:10])
    changed = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        attrs = "".join(f' {name}="{os.path.relpath(path, page.parent).replace(os.sep, "/")}?v={version}"'
                        for name, (path, version) in files.items())
        new = _TRAINER_ROOT.sub(lambda m: m[0] + attrs, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed
