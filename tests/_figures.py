"""Checks shared by the figure tests: every figure function draws in English and in Chinese."""
import matplotlib.text
import pytest
from matplotlib.figure import Figure

import d2lcnn


def has_chinese(strings):
    return any("\u4e00" <= ch <= "\u9fff" for s in strings for ch in s)


def _texts(fig):
    return (t.get_text() for t in fig.findobj(matplotlib.text.Text))


def assert_bilingual(calls, public_names):
    """``calls`` maps each public figure function's name to ``lambda lang: figure``."""
    assert set(calls) == set(public_names)
    for name, call in calls.items():
        with d2lcnn.lang.lang_context("zh"):  # the CJK font, as show_figure uses it
            fig = call("zh")
        assert isinstance(fig, Figure), name
        assert has_chinese(_texts(fig)), name
        assert not has_chinese(_texts(call("en"))), name


def assert_bad_lang_rejected(calls):
    for call in calls.values():
        with pytest.raises(ValueError):
            call("fr")
