"""The reader's language (English or Chinese) for figures, plots and widget labels.

In Jupyter or Colab a reader sees one language: ``d2lcnn.set_lang('zh')``
switches figures and plots to Chinese (default English, or $D2LCNN_LANG).

The book itself is built from notebooks whose committed outputs hold *both*
renderings of every figure: when $D2LCNN_OUTPUTS is ``both`` (set by
``tools/run_notebooks.py`` and by the test suite, so nbval sees the same
outputs), ``show_figure`` displays one figure per language and tags each output
with ``{"d2lcnn": {"lang": ...}}`` in its metadata; ``tools/build_book.py``
keeps the edition's own.

Chinese text needs a CJK font that matplotlib can find: Debian's
``fonts-noto-cjk`` (the build and CI install it) or any system CJK font from
``CJK_FONTS``; one installed while the kernel runs is picked up without a restart.
Without one, Chinese figures are still drawn, with a single warning.
"""
import contextlib
import os
import warnings

__all__ = ["LANGS", "set_lang", "get_lang", "resolve_lang", "output_langs", "tr", "lang_context", "show_figure"]

LANGS = ("en", "zh")
ENV_VAR = "D2LCNN_LANG"
OUTPUTS_ENV = "D2LCNN_OUTPUTS"
META_KEY = "d2lcnn"  # output metadata: {"d2lcnn": {"lang": "en"}}
_lang = None

# Font families tried in order; matplotlib falls back glyph by glyph along the list,
# so Latin text keeps DejaVu Sans and Chinese characters come from the first CJK font found.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "Arial Unicode MS")


def _check(lang):
    value = str(lang).strip().lower()
    if value not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use 'en' (English) or 'zh' (中文)")
    return value


def resolve_lang(lang=None):
    """``lang`` checked ('en' or 'zh'), or the current language when it is None: what every
    function taking a ``lang`` argument draws in."""
    return _check(lang or get_lang())


def set_lang(lang):
    """Show figures, plots and widget labels in ``'en'`` or ``'zh'`` from now on."""
    global _lang
    _lang = _check(lang)


def get_lang():
    """The current language: set by ``set_lang``, else $D2LCNN_LANG, else ``'en'``."""
    if _lang is not None:
        return _lang
    env = os.environ.get(ENV_VAR)
    return _check(env) if env else "en"


def output_langs():
    """The languages a figure is rendered in: both when building the book, else the current one."""
    mode = os.environ.get(OUTPUTS_ENV, "").strip().lower()
    if mode in ("", "one"):
        return (get_lang(),)
    if mode != "both":
        raise ValueError(f"{OUTPUTS_ENV}={mode!r} is not understood: use 'both' or leave it unset")
    return LANGS


def tr(en, zh, lang=None):
    """``en`` or ``zh``, whichever matches ``lang`` (default: the current language)."""
    return zh if resolve_lang(lang) == "zh" else en


_warned = False
_found = None


class MissingFontWarning(UserWarning):
    """No CJK font for matplotlib: Chinese labels are drawn as empty boxes."""


NO_CJK_FONT = ("d2lcnn: no Chinese (CJK) font found for matplotlib, so Chinese labels show as empty boxes. "
               "Install the font package fonts-noto-cjk (Debian, Ubuntu, Colab: !apt-get -qq install fonts-noto-cjk; "
               "other systems: a Noto Sans CJK SC font), then draw the figure again.")
GLYPH_MISSING = r"Glyph (1[2-9]\d{3}|[2-9]\d{4}|\d{6,}) .* missing from font"


def _system_cjk_files():
    """CJK font files fontconfig knows (``fc-list :lang=zh``); [] where there is no fontconfig."""
    import subprocess
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())


def _cjk_families():
    """The CJK font families from ``CJK_FONTS`` that matplotlib can use; remembered once found.

    matplotlib lists fonts from a cache made when it was first imported, so a font installed
    while the kernel runs (in Colab: ``!apt-get -qq install fonts-noto-cjk``) is not in it.
    When the cache has none, the fonts fontconfig knows are added to it, and a figure drawn
    after the install uses them without a restart.
    """
    global _found
    if _found:
        return _found
    from matplotlib import font_manager

    def usable():
        names = {f.name for f in font_manager.fontManager.ttflist}
        return tuple(f for f in CJK_FONTS if f in names)

    families = usable()
    if not families:
        for path in _system_cjk_files():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # a file matplotlib cannot read
        families = usable()
    _found = families or None
    return families


def _warn_at_caller(message, category):
    """``warnings.warn`` pointing at the first frame outside d2lcnn (the reader's cell), however deep
    in the package it was raised."""
    import sys
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(), 1
    while frame.f_back is not None and (frame.f_code.co_filename.startswith(package)
                                        or frame.f_code.co_filename == contextlib.__file__):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


@contextlib.contextmanager
def lang_context(lang=None):
    """Matplotlib settings for drawing in ``lang``: a CJK font for Chinese, and minus signs it has."""
    import matplotlib
    global _warned
    lang = resolve_lang(lang)
    rc = {}
    if lang == "zh":
        cjk = _cjk_families()
        if cjk:
            rc = {"font.family": ["DejaVu Sans", *cjk], "axes.unicode_minus": False}
        elif not _warned:
            _warned = True
            _warn_at_caller(NO_CJK_FONT, MissingFontWarning)
            # This one warning says it all: without it matplotlib writes one "Glyph ... missing from
            # font(s)" line per Chinese character of every figure (code points from U+2EE0 up, which
            # hold every CJK character and punctuation mark the book draws).
            warnings.filterwarnings("ignore", message=GLYPH_MISSING, category=UserWarning)
    with matplotlib.rc_context(rc):
        yield lang


def _display():
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    return display if get_ipython() is not None else None


def show_figure(draw, langs=None):
    """Draw ``draw(lang)`` (a function returning a matplotlib Figure) in each output language and show it.

    In a notebook each figure becomes one output tagged with its language; the
    figures are closed afterwards, so the inline backend shows no extra copy.
    Returns ``{lang: figure}``, so a script can save them.
    """
    import matplotlib.pyplot as plt
    if not callable(draw):
        raise TypeError(f"draw must be a function lang -> matplotlib Figure, got {type(draw).__name__}")
    show = _display()
    figures = {}
    for lang in langs or output_langs():
        with lang_context(lang):
            fig = draw(lang)
            if not hasattr(fig, "savefig"):
                raise TypeError(f"draw({lang!r}) returned {type(fig).__name__}, not a matplotlib Figure")
            if show is not None:
                show(fig, metadata={META_KEY: {"lang": lang}})
        plt.close(fig)
        figures[lang] = fig
    return figures
