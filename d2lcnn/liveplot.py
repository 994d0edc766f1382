"""A training-curve plot that redraws in place, in the reader's language.

In a live notebook (Jupyter, Colab, VS Code) the figure updates as training
runs. It is shown through one IPython display handle per language, so when a
notebook is executed without a front end (nbval, nbclient, the book build)
every update replaces the previous one and exactly one static figure per
language is left in the cell (``d2lcnn.lang``: one language for a reader,
both when the book's outputs are made). Outside IPython it stays silent;
``figure`` still holds the final plot.
"""
from .lang import META_KEY, _display, lang_context, output_langs

__all__ = ["LivePlot"]


def _text(label, lang):
    """A label is a string, or ``{'en': ..., 'zh': ...}``."""
    return label.get(lang, label["en"]) if isinstance(label, dict) else label


class LivePlot:
    """Curves ``legend[k]`` against x, one point at a time; ``None`` values are skipped.

    ``xlabel`` and each legend entry are a string or ``{'en': ..., 'zh': ...}``.
    """

    def __init__(self, xlabel, legend, xlim=None, ylim=None, figsize=(4.2, 3.0), langs=None):
        import matplotlib.pyplot as plt
        self.legend, self.xlim, self.ylim, self.xlabel = list(legend), xlim, ylim, xlabel
        self.points = [([], []) for _ in self.legend]
        self.langs = tuple(langs or output_langs())
        self.figures, self._axes = {}, {}
        for lang in self.langs:
            with lang_context(lang):
                self.figures[lang], self._axes[lang] = plt.subplots(figsize=figsize)
            plt.close(self.figures[lang])  # keep the inline backend from showing a second copy at cell end
        self._show = _display()
        self._handles = {}

    @property
    def figure(self):
        """The figure in the first output language."""
        return self.figures[self.langs[0]]

    @property
    def axes(self):
        return self._axes[self.langs[0]]

    def add(self, x, values):
        if len(values) != len(self.legend):
            raise ValueError(f"expected {len(self.legend)} values ({self.legend}), got {len(values)}")
        for (xs, ys), v in zip(self.points, values):
            if v is not None:
                xs.append(x)
                ys.append(float(v))
        self.draw()

    def draw(self):
        for lang in self.langs:
            with lang_context(lang):
                self._draw(lang)

    def _draw(self, lang):
        ax, fig = self._axes[lang], self.figures[lang]
        ax.cla()
        styles = ("-", "m--", "g-.", "r:")
        for (xs, ys), label, style in zip(self.points, self.legend, styles):
            if xs:
                # a lone point (a one-epoch run's test accuracy) needs a marker to be seen
                ax.plot(xs, ys, style, label=_text(label, lang), marker="o" if len(xs) == 1 else None)
        ax.set_xlabel(_text(self.xlabel, lang))
        if self.xlim:
            ax.set_xlim(*self.xlim)
        if self.ylim:
            ax.set_ylim(*self.ylim)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        if self._show is None:
            return
        if lang not in self._handles:
            self._handles[lang] = self._show(fig, display_id=True, metadata={META_KEY: {"lang": lang}})
        else:
            self._handles[lang].update(fig, metadata={META_KEY: {"lang": lang}})
