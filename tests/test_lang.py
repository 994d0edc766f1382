"""d2lcnn.lang: the reader's language, and a CJK font for Chinese figures."""
import pytest

import d2lcnn
from d2lcnn import lang

from _deps import require_cjk_font


def test_tr_and_set_lang():
    assert d2lcnn.tr("stride", "步幅", "zh") == "步幅" and d2lcnn.tr("stride", "步幅", "en") == "stride"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        d2lcnn.tr("a", "b", "fr")


def test_a_cjk_font_installed_after_matplotlib_started_is_found(monkeypatch):
    """As in Colab after `!apt-get install fonts-noto-cjk`: matplotlib's font list predates the font."""
    require_cjk_font()
    from matplotlib import font_manager
    manager = font_manager.fontManager
    without_cjk = [f for f in manager.ttflist if f.name not in lang.CJK_FONTS]
    monkeypatch.setattr(manager, "ttflist", without_cjk)
    monkeypatch.setattr(lang, "_found", None)
    found = lang._cjk_families()
    assert found and found[0] in lang.CJK_FONTS  # added from the files fontconfig lists
    assert lang._cjk_families() is found  # remembered: no second search
