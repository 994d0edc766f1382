"""A training-curve plot that redraws in place.

In a live notebook (Jupyter, Colab, VS Code) the figure updates as training
runs. It is shown through one IPython display handle, so when a notebook is
executed without a front end (nbval, nbclient, the book build) every update
replaces the previous one and exactly one static figure is left in the cell.
Outside IPython it stays silent; ``figure`` still holds the final plot.
"""
__all__ = ["LivePlot"]


def _display_handle():
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    return display


class LivePlot:
    """Curves ``legend[k]`` against x, one point at a time; ``None`` values are skipped."""

    def __init__(self, xlabel, legend, xlim=None, ylim=None, figsize=(4.2, 3.0)):
        import matplotlib.pyplot as plt
        self.legend, self.xlim, self.ylim, self.xlabel = list(legend), xlim, ylim, xlabel
        self.points = [([], []) for _ in self.legend]
        self.figure, self.axes = plt.subplots(figsize=figsize)
        plt.close(self.figure)  # keep the inline backend from showing a second copy at cell end
        self._show = _display_handle()
        self._handle = None

    def add(self, x, values):
        if len(values) != len(self.legend):
            raise ValueError(f"expected {len(self.legend)} values ({self.legend}), got {len(values)}")
        for (xs, ys), v in zip(self.points, values):
            if v is not None:
                xs.append(x)
                ys.append(float(v))
        self.draw()

    def draw(self):
        ax = self.axes
        ax.cla()
        styles = ("-", "m--", "g-.", "r:")
        for (xs, ys), label, style in zip(self.points, self.legend, styles):
            if xs:
                ax.plot(xs, ys, style, label=label)
        ax.set_xlabel(self.xlabel)
        if self.xlim:
            ax.set_xlim(*self.xlim)
        if self.ylim:
            ax.set_ylim(*self.ylim)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        self.figure.tight_layout()
        if self._show is None:
            return
        if self._handle is None:
            self._handle = self._show(self.figure, display_id=True)
        else:
            self._handle.update(self.figure)
