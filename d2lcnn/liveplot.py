"""A training-curve plot that redraws in place, in the reader's language.

In a live notebook (Jupyter, Colab, VS Code) the figure updates as training
runs. It is shown through one IPython display handle per language, so when a
notebook is executed without a front end (nbval, nbclient, the book build)
every update replaces the previous one and exactly one static figure per
language is left in the cell (``d2lcnn.lang``: one language for a reader,
both when the book's outputs are made). Outside IPython it stays silent;
``figure`` still holds the final plot.

(The module was called ``plot``; that name is now d2l's ``plot`` function, ``d2lcnn.compat``.)
"""
from .lang import META_KEY, _display, lang_context, output_langs

__all__ = ["LivePlot"]


def _text(label, lang):
    """A label is a string, or ``{'en': ..., 'zh': ...}``."""
    return label.get(lang, label["en"]) if isinstance(label, dict) else label


class LivePlot:
    """Curves ``legend[k]`` against x, one point at a time; ``None`` values are skipped.

    ``xlabel``, ``ylabel`` and each legend entry are a string or ``{'en': ..., 'zh': ...}``
    (a ``None`` entry draws its curve without a legend entry). ``fmts`` are the curves'
    matplotlib format strings; ``xscale``/``yscale`` are ``'linear'`` or ``'log'``.
    """

    def __init__(self, xlabel, legend, xlim=None, ylim=None, figsize=(4.2, 3.0), langs=None,
                 ylabel=None, xscale="linear", yscale="linear", fmts=("-", "m--", "g-.", "r:")):
        import matplotlib.pyplot as plt
        self.legend, self.xlim, self.ylim, self.xlabel = list(legend), xlim, ylim, xlabel
        self.ylabel, self.xscale, self.yscale, self.fmts = ylabel, xscale, yscale, tuple(fmts)
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
        """Append ``values[k]`` at ``x`` to curve k (``x`` may also be one x per curve) and redraw."""
        if len(values) != len(self.legend):
            raise ValueError(f"expected {len(self.legend)} values ({self.legend}), got {len(values)}")
        x_each = list(x) if isinstance(x, (list, tuple)) else [x] * len(values)
        if len(x_each) != len(values):
            raise ValueError(f"got {len(x_each)} x values for {len(values)} curves; give one x, or one per curve")
        for (xs, ys), xk, v in zip(self.points, x_each, values):
            if v is not None and xk is not None:
                xs.append(xk)
                ys.append(float(v))
        self.draw()

    def draw(self):
        for lang in self.langs:
            with lang_context(lang):
                self._draw(lang)

    def _draw(self, lang):
        ax, fig = self._axes[lang], self.figures[lang]
        ax.cla()
        for k, ((xs, ys), label) in enumerate(zip(self.points, self.legend)):
            if xs:
                # a lone point (a one-epoch run's test accuracy) needs a marker to be seen
                ax.plot(xs, ys, self.fmts[k % len(self.fmts)], label=_text(label, lang) if label else None,
                        marker="o" if len(xs) == 1 else None)
        if self.xlabel:
            ax.set_xlabel(_text(self.xlabel, lang))
        if self.ylabel:
            ax.set_ylabel(_text(self.ylabel, lang))
        ax.set_xscale(self.xscale)
        ax.set_yscale(self.yscale)
        if self.xlim:
            ax.set_xlim(*self.xlim)
        if self.ylim:
            ax.set_ylim(*self.ylim)
        ax.grid(True, alpha=0.3)
        if any(self.legend):
            ax.legend(loc="best", fontsize=8)
        fig.tight_layout()
        if self._show is None:
            return
        if lang not in self._handles:
            self._handles[lang] = self._show(fig, display_id=True, metadata={META_KEY: {"lang": lang}})
        else:
            self._handles[lang].update(fig, metadata={META_KEY: {"lang": lang}})
