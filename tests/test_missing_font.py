"""A reader without a CJK font (a plain Jupyter server) gets one clear warning from d2lcnn naming the
font package, not matplotlib's "Glyph ... missing" line per character; with the font, no warning
at all (nbval compares the chapters' stderr, so the committed outputs must not carry one)."""
import warnings

import pytest

from d2lcnn import lang, show_figure, tr

from _deps import require_cjk_font


def _chinese_figure(lang_):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title(tr("Convolution", "卷积核，步幅（填充）。", lang_))
    ax.set_xlabel(tr("stride", "《步幅》、通道", lang_))
    fig.canvas.draw()  # what the inline backend does when it shows the figure
    return fig


@pytest.fixture
def without_cjk_font(monkeypatch):
    """matplotlib and fontconfig as on a machine without any CJK font."""
    from matplotlib import font_manager
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist if f.name not in lang.CJK_FONTS])
    monkeypatch.setattr(lang, "_system_cjk_files", lambda: [])
    monkeypatch.setattr(lang, "_found", None)
    monkeypatch.setattr(lang, "_warned", False)


def _drawn_twice(lang_):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = show_figure(_chinese_figure, langs=[lang_])[lang_]
        show_figure(_chinese_figure, langs=[lang_])
        first.canvas.draw()  # drawn again outside d2lcnn's font settings, as a returned figure is
    return caught


def test_without_a_cjk_font_one_warning_names_the_package(without_cjk_font):
    caught = _drawn_twice("zh")
    messages = [str(w.message) for w in caught]
    assert len(caught) == 1, messages
    assert caught[0].category is lang.MissingFontWarning
    assert "fonts-noto-cjk" in messages[0] and "Noto Sans CJK" in messages[0] and "d2lcnn" in messages[0]
    assert caught[0].filename == __file__  # it points at the caller, not at d2lcnn's internals


def test_without_a_cjk_font_english_figures_stay_silent(without_cjk_font):
    assert _drawn_twice("en") == []


def test_other_missing_glyphs_still_warn(without_cjk_font):
    """Only the CJK glyphs the one warning explains are silenced, not, say, a missing Greek or arrow glyph."""
    import matplotlib.pyplot as plt
    _drawn_twice("zh")  # the warning, and the filter
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _drawn_twice("zh")
        fig, ax = plt.subplots()
        ax.set_title("\u0D9A")  # a Sinhala letter (U+0D9A), which DejaVu Sans lacks
        fig.canvas.draw()
        plt.close(fig)
    assert [str(w.message)[:10] for w in caught] == ["Glyph 3482"]


def test_with_the_font_no_warning_at_all():
    require_cjk_font()
    assert _drawn_twice("zh") == []
