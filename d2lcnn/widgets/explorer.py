"""Live controls (kernel only): change the parameters and the stepper redraws.

ipywidgets is imported when an explorer is built, not when d2lcnn is, so the
package works without it. Only APIs shared by ipywidgets 7.7 (pinned by
Colab) and 8 are used. The stepper goes into an ``Output`` widget rather
than ``widgets.HTML``: the latter sets innerHTML, which never runs the
stepper's script.

On the static book site there is no kernel and no widget manager. When the
book's outputs are made ($D2LCNN_OUTPUTS is ``both``: tools/run_notebooks.py
and the tests set it) an explorer therefore displays as the stepper's own
HTML, which recomputes in the browser, with one line saying the cell is live
in Jupyter/Colab: no blank widget box and no request to a widget CDN.
"""
import os

import torch

from .steppers import conv_stepper, pool_stepper

__all__ = ["conv_explorer", "pool_explorer", "input_presets"]


def input_presets(X=None):
    """Named inputs for the explorers; ``X`` (if given) comes first as 'yours'."""
    edge = torch.ones(6, 8)
    edge[:, 2:6] = 0  # the black-and-white edge image of the convolution chapter
    gen = torch.Generator().manual_seed(0)  # fixed, so a redraw shows the same numbers
    presets = {
        "edge image 6×8": edge,
        "arange 4×4": torch.arange(16.0).reshape(4, 4),
        "arange 7×7": torch.arange(49.0).reshape(7, 7),
        "random ints 6×6": torch.randint(0, 10, (6, 6), generator=gen).float(),
    }
    if X is not None:
        presets = {"yours": X, **presets}
    return presets


def _kernel(name, kh, kw, K):
    if name == "yours":
        return K
    if name == "edge [1, −1]":
        return torch.tensor([[1.0, -1.0]])
    if name == "ones":
        return torch.ones(kh, kw)
    if name == "arange":
        return torch.arange(float(kh * kw)).reshape(kh, kw)
    gen = torch.Generator().manual_seed(1)
    return torch.randint(-2, 3, (kh, kw), generator=gen).float()


def _widgets():
    try:
        import ipywidgets
    except ImportError as err:
        raise ImportError("the explorers need ipywidgets (pip install ipywidgets); "
                          "conv_stepper / pool_stepper work without it") from err
    return ipywidgets


def _slider(w, label, value, lo, hi):
    return w.IntSlider(value=value, min=lo, max=hi, description=label, continuous_update=False,
                       style={"description_width": "initial"}, layout=w.Layout(width="200px"))


def _show(w, out, build):
    from IPython.display import HTML, display
    with out:
        out.clear_output(wait=True)
        try:
            display(build())
        except (ValueError, TypeError) as err:
            # A bad combination is part of exploring: say why instead of failing.
            display(HTML(f'<p style="color:#b3261e;font-family:sans-serif">{_escape(str(err))}</p>'))


def _book_mode():
    return os.environ.get("D2LCNN_OUTPUTS", "").strip().lower() == "both"


def _static_in_book(box, build):
    """Display ``box`` as the editable stepper (plus the live-cell line) when the book's outputs are made."""
    if not _book_mode():
        return box

    def bundle():
        try:
            stepper = build()
        except (ValueError, TypeError) as err:
            return {"text/plain": str(err)}
        stepper.live_note = True
        return {"text/html": stepper.html(), "text/plain": repr(stepper)}

    def show(**kwargs):
        from IPython.display import display
        display(bundle(), raw=True)
        return True

    # ipywidgets 7 displays through _ipython_display_, 8 through _repr_mimebundle_: replace both here.
    box._ipython_display_ = show
    box._repr_mimebundle_ = lambda include=None, exclude=None, **kw: bundle()
    return box


def _escape(s):
    from html import escape
    return escape(s)


def conv_explorer(X=None, K=None, lang="auto"):
    """Stepper plus controls for input, kernel, kernel size, stride, padding and dilation."""
    w = _widgets()
    presets = input_presets(X)
    kernels = (["yours"] if K is not None else []) + ["edge [1, −1]", "ones", "arange", "random ints"]
    c = {
        "input": w.Dropdown(options=list(presets), description="input", style={"description_width": "initial"}),
        "kernel": w.Dropdown(options=kernels, value="arange" if K is None else "yours",
                             description="kernel", style={"description_width": "initial"}),
        "kh": _slider(w, "kernel h", 2, 1, 5), "kw": _slider(w, "kernel w", 2, 1, 5),
        "sh": _slider(w, "stride h", 1, 1, 4), "sw": _slider(w, "stride w", 1, 1, 4),
        "ph": _slider(w, "padding h", 0, 0, 3), "pw": _slider(w, "padding w", 0, 0, 3),
        "d": _slider(w, "dilation", 1, 1, 3),
    }
    out = w.Output()

    def build():
        size_free = c["kernel"].value not in ("yours", "edge [1, −1]")
        c["kh"].disabled = c["kw"].disabled = not size_free
        ker = _kernel(c["kernel"].value, c["kh"].value, c["kw"].value, K)
        return conv_stepper(presets[c["input"].value], ker, padding=(c["ph"].value, c["pw"].value),
                            stride=(c["sh"].value, c["sw"].value), dilation=c["d"].value, lang=lang)

    for control in c.values():
        control.observe(lambda change: _show(w, out, build), names="value")
    if not _book_mode():  # there the box displays as the stepper itself (_static_in_book)
        _show(w, out, build)
    rows = [w.HBox([c["input"], c["kernel"]]), w.HBox([c["kh"], c["kw"], c["d"]]),
            w.HBox([c["sh"], c["sw"]]), w.HBox([c["ph"], c["pw"]])]
    box = w.VBox([w.VBox(rows, layout=w.Layout(flex_flow="row wrap")), out])
    box.controls = c  # handy in tests and for readers who want to script it
    box.stepper = build
    return _static_in_book(box, build)


def pool_explorer(X=None, lang="auto"):
    """Stepper plus controls for input, window size, stride, padding and max/avg."""
    w = _widgets()
    presets = input_presets(X)
    c = {
        "input": w.Dropdown(options=list(presets), value="arange 4×4" if X is None else "yours",
                            description="input", style={"description_width": "initial"}),
        "mode": w.ToggleButtons(options=["max", "avg"], value="max", description="mode"),
        "kh": _slider(w, "window h", 2, 1, 4), "kw": _slider(w, "window w", 2, 1, 4),
        "same": w.Checkbox(value=True, description="stride = window"),
        "sh": _slider(w, "stride h", 1, 1, 4), "sw": _slider(w, "stride w", 1, 1, 4),
        "ph": _slider(w, "padding h", 0, 0, 2), "pw": _slider(w, "padding w", 0, 0, 2),
    }
    out = w.Output()

    def build():
        same = c["same"].value
        c["sh"].disabled = c["sw"].disabled = same
        stride = None if same else (c["sh"].value, c["sw"].value)
        return pool_stepper(presets[c["input"].value], (c["kh"].value, c["kw"].value), stride=stride,
                            padding=(c["ph"].value, c["pw"].value), mode=c["mode"].value, lang=lang)

    for control in c.values():
        control.observe(lambda change: _show(w, out, build), names="value")
    if not _book_mode():  # there the box displays as the stepper itself (_static_in_book)
        _show(w, out, build)
    rows = [w.HBox([c["input"], c["mode"]]), w.HBox([c["kh"], c["kw"]]),
            w.HBox([c["same"], c["sh"], c["sw"]]), w.HBox([c["ph"], c["pw"]])]
    box = w.VBox([w.VBox(rows), out])
    box.controls = c
    box.stepper = build
    return _static_in_book(box, build)
