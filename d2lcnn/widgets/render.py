"""Self-contained HTML for the steppers: markup + scoped CSS + one small script.

The stylesheet and the engine are files of their own beside this module,
``stepper.css`` and ``stepper.js`` (package data, read once per process and
inlined into every stepper; the engine as ``stepper.min.js``); every English and Chinese label comes from
``strings.py``. This module writes only the markup and the JSON payload
(documented at the top of ``stepper.js``).

Why this shape:
- The grids are written out here, already showing step 0, so the figure reads
  correctly even where scripts do not run (an untrusted notebook in JupyterLab).
- The numbers travel once as compact JSON; the script only moves classes and
  fills output cells, so a step touches a few dozen elements, not the page.
- Nothing is fetched (no CDN, font or stylesheet): the same output works in
  Jupyter, Colab's output iframe, VS Code and a static Jupyter Book page.
- Every id is a hash of the content, so a re-run writes identical bytes
  (nbval compares outputs) and several steppers share a page safely; CSS is
  scoped under ``.d2s`` and the script only looks inside its own root.
"""
import functools
import hashlib
import json
import re
from html import escape
from importlib import resources

from .frames import fmt, num
from .strings import LANGS, script_labels, word

__all__ = ["render_steps", "render_rf", "rf_text", "refresh_assets", "library_js"]


# ------------------------------------------------------- stylesheet, script

@functools.lru_cache(maxsize=None)
def asset(name):
    """``stepper.css`` (comments and indentation removed) or the engine ``stepper.js`` (its
    minified form ``stepper.min.js``, written by tools/minify_stepper.py) as embedded in a
    stepper; package data beside this module, read once per process."""
    if name.endswith(".js"):
        text = resources.files(__package__).joinpath("stepper.min.js").read_text(encoding="utf-8")
        text = text.split("\n", 1)[1].strip()  # the first line says where it came from
        # The preset images, in base64url without padding (no two slashes, no '=' in the page).
        from .fashion_data import images_b64
        return text.replace("__FM__", images_b64().replace("+", "-").replace("/", "_").rstrip("="))
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # CSS needs no newlines.
    return "".join(line.strip() for line in text.splitlines() if line.strip())


def library_js():
    """The engine as one page-wide file (the website's): it boots every stepper of the page."""
    return asset("stepper.js").replace('"__ID__"', '""')


def _script(uid):
    """One stepper's inline script: the engine (defined once per page) booting this root."""
    return asset("stepper.js").replace("__ID__", uid)


def both_langs(key, **values):
    """Both languages in the markup; CSS shows the one in the root's data-lang."""
    return "".join(f'<span lang="{lang}">{escape(word(lang, key, **values))}</span>' for lang in LANGS)


def _both_text(texts):
    return "".join(f'<span lang="{lang}">{escape(texts[lang])}</span>' for lang in LANGS)


def rf_text(kernel_sizes, layer, i, j, lang):
    """The receptive-field sentence as the script writes it (tests compare the two)."""
    def name(m):
        return word(lang, "rf_in") if m == 0 else word(lang, "layer_n", m=m)

    s, r1, c1 = f"{name(layer)} ({i}, {j})", i, j
    for m in range(layer - 1, -1, -1):
        r1 += kernel_sizes[m][0] - 1
        c1 += kernel_sizes[m][1] - 1
        s += word(lang, "rf_span", name=name(m), r0=i, r1=r1, c0=j, c1=c1)
    return s + word(lang, "rf_size", h=r1 - i + 1, w=c1 - j + 1)


# --------------------------------------------------------------- pieces

def _cell_style(texts, rows, cols):
    """Cells just wide enough for the longest number (square for short ones),
    smaller type for big grids, and the grid's own size spelled out: with it
    (and CSS containment) a step re-lays out one grid, not the whole figure."""
    chars = max((len(t) for t in texts), default=1)
    font = 13 if cols <= 12 else 11
    height = 26 if font == 13 else 22
    width = max(height, round(chars * font * 0.62 + 8))
    return (f"--c:{width}px;--h:{height}px;--f:{font}px;grid-template-columns:repeat({cols},var(--c));"
            f"width:{cols * (width + 2) - 2}px;height:{rows * (height + 2) - 2}px")


def _grid(name, rows, cols, texts, classes, extra_cls="", attrs=None, size_texts=None):
    """A CSS grid of <i> cells; ``size_texts`` sizes the cells when they fill in later."""
    attrs = attrs or [""] * len(texts)
    cells = "".join(("<i" + (f' class="{c}"' if c else "") + f"{a}>{escape(t)}</i>")
                    for t, c, a in zip(texts, classes, attrs))
    style = _cell_style(size_texts or texts, rows, cols)
    return (f'<div class="d2s-scroll"><div class="d2s-grid {extra_cls}" data-g="{name}" role="img" '
            f'aria-label="{rows}×{cols}" style="{style}">{cells}</div></div>')


def _legend(items):
    """Legend entries (label key, swatch name[, shown]); the swatch colours are ``.sw-*`` rules in stepper.css.
    Entries written hidden are the ones the script shows when a change makes them apply."""
    spans = "".join(f'<span class="sw-{item[1]}"{"" if len(item) < 3 or item[2] else " hidden"}>{both_langs(item[0])}</span>'
                    for item in items)
    return f'<div class="d2s-legend">{spans}</div>'


def stepper_root(kind, payload, lang, body, extra_cls=""):
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    uid = "d2s-" + hashlib.sha1(f"{kind}|{lang}|{data}|{body}".encode()).hexdigest()[:12]
    shown = "en" if lang == "auto" else lang
    auto = ' data-auto="1"' if lang == "auto" else ""
    data = data.replace("</", "<\\/")
    return (f'<div class="d2s d2s-{kind}{extra_cls}" id="{uid}" data-d2s="{uid}" data-lang="{shown}"{auto} '
            f'tabindex="0" role="group" data-lm-suppress-shortcuts="true">'
            f"<style>{asset('stepper.css')}</style>{body}"
            f'<p class="d2s-hint">{both_langs("hint")}</p>'
            f'<script type="application/json" class="d2s-data">{data}</script>'
            f"<script>{_script(uid)}</script></div>")


# One stepper's saved HTML, as _root writes it: the root tag, its stylesheet, the body up to the
# data, then its script (the data has no "</", the script no "</script>").
_SAVED = re.compile(r'(<div class="d2s [^"]*" id="(d2s-[0-9a-f]{12})"[^>]*>)<style>.*?</style>'
                    r'(.*?<script type="application/json" class="d2s-data">.*?</script>)<script>.*?</script></div>',
                    re.S)


def refresh_assets(html):
    """``html`` with every stepper's inlined stylesheet and script replaced by the current
    ``stepper.css`` and ``stepper.js``: saved outputs after a change to either file, without
    re-running the cells (the stepper's id hashes its data and markup, not these files)."""
    return _SAVED.sub(lambda m: f"{m[1]}<style>{asset('stepper.css')}</style>{m[3]}"
                                f"<script>{_script(m[2])}</script></div>", html)


def _bar(n_steps, out_channels=1, oc=0):
    pick = ""
    if out_channels > 1:
        opts = "".join(f'<option value="{c}"{" selected" if c == oc else ""}>{c}</option>'
                       for c in range(out_channels))
        pick = f'<label>{both_langs("out_channel")} <select data-a="oc">{opts}</select></label>'
    return ('<div class="d2s-bar">'
            f'<button type="button" data-a="reset">↺ {both_langs("reset")}</button>'
            f'<button type="button" data-a="prev">◂ {both_langs("prev")}</button>'
            f'<button type="button" data-a="play" aria-pressed="false"><span class="d2s-play">▸ {both_langs("play")}</span>'
            f'<span class="d2s-pause">❚❚ {both_langs("pause")}</span></button>'
            f'<button type="button" data-a="next">{both_langs("next")} ▸</button>'
            # Named in the markup (a hidden label in both languages, CSS shows the root's one), so a
            # screen reader finds a name before the script starts the stepper (it starts when seen).
            f'<label class="d2s-sl"><span class="d2s-vh">{both_langs("position")}</span>'
            f'<input type="range" data-a="slider" min="0" max="{n_steps - 1}" value="0" step="1"></label>'
            f'<span class="d2s-pos">1 / {n_steps}</span>{pick}</div>')


def _select(key, group, part, value, lo, hi, choices=None):
    """One labelled <select> of the recomputing controls; the script names it (aria-label) in the shown
    language, from data-g (group) and data-p (part)."""
    values = choices or sorted(set(range(lo, hi + 1)) | {value})
    opts = "".join(f'<option value="{v}"{" selected" if v == value else ""}>{v}</option>' for v in values)
    # The group's name is hidden text in the label (the group's heading shows it once for its parts),
    # so that each <select> has its full name in the markup, before any script runs.
    label = f'<span class="d2s-vh">{both_langs(group)}</span>' + (both_langs(part) if part else "")
    part_attr = f' data-p="{part}"' if part else ""
    return (f'<label class="d2s-c">{label}<select data-c="{key}" data-g="{group}"{part_attr}>{opts}</select>'
            f"</label>")


def _controls(steps):
    """Padding per side, stride, window (or kernel) size and dilation per axis, and the pooling mode:
    changing one recomputes the stepper in the page (stepper.js)."""
    (ph, pw), (sh, sw), (dh, dw) = steps.padding, steps.stride, steps.dilation
    conv = steps.kind == "conv"
    size = "c_ksize" if conv else "c_window"
    groups = [
        ("c_pad", [_select(k, "c_pad", part, v, 0, 3) for k, part, v in
                   (("pt", "c_top", ph), ("pb", "c_bottom", ph), ("pl", "c_left", pw), ("pr", "c_right", pw))]),
        ("c_stride", [_select("sh", "c_stride", "height", sh, 1, 3), _select("sw", "c_stride", "width", sw, 1, 3)]),
        (size, [_select("kh", size, "height", steps.kh, 1, 7 if conv else 5),
                _select("kw", size, "width", steps.kw, 1, 7 if conv else 5)]),
        ("c_dil", [_select("dh", "c_dil", "height", dh, 1, 3), _select("dw", "c_dil", "width", dw, 1, 3)]),
    ]
    if not conv:
        opts = "".join(f'<option value="{m}"{" selected" if m == steps.mode else ""}>{word("en", "m_" + m)}</option>'
                       for m in ("max", "avg"))
        groups.insert(0, ("c_mode", [f'<label class="d2s-c"><span class="d2s-vh">{both_langs("c_mode")}</span>'
                                     f'<select data-c="mode" data-g="c_mode">{opts}</select></label>']))
    return ('<div class="d2s-ctl">' + "".join(f'<span class="d2s-cg"><b>{both_langs(g)}</b>{"".join(items)}</span>'
                                              for g, items in groups) + "</div>")


INPUT_PRESETS = (("x:edge", "p_edge"), ("x:arange", "p_arange"), ("x:rand", "p_rand"), ("x:fm0", "fm_boot"),
                 ("x:fm1", "fm_trouser"), ("x:fm2", "fm_pullover"), ("x:fm3", "fm_bag"))
KERNEL_PRESETS = (("k:edge", "p_edge"), ("k:ident", "p_ident"), ("k:box", "p_box"), ("k:sobx", "p_sobx"),
                  ("k:soby", "p_soby"), ("k:sharp", "p_sharp"), ("k:rand", "p_rand"))


def _presets(conv):
    """One-click inputs (and kernels, for a convolution); the script fills them in."""
    rows = [("c_input", INPUT_PRESETS)] + ([("c_kernel", KERNEL_PRESETS)] if conv else [])
    return ('<div class="d2s-ctl d2s-pre">' + "".join(
        f'<span class="d2s-cg"><b>{both_langs(g)}</b>'
        + "".join(f'<button type="button" data-pre="{k}">{both_langs(label)}</button>' for k, label in items) + "</span>"
        for g, items in rows) + f'<span class="d2s-sub">{both_langs("edit_hint")}</span></div>')


def _head(title, layer_repr):
    layer = f'<code class="d2s-layer">{escape(layer_repr)}</code>' if layer_repr else ""
    return (f'<div class="d2s-head"><span class="d2s-title">{_both_text(title)}</span>'
            f'<button type="button" data-a="lang">{both_langs("lang")}</button>{layer}</div>')


def _pair_text(pair):
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ------------------------------------------------------------ steppers

def render_steps(steps, out_channel=0, lang="en", layer_repr=None, live_note=False):
    """HTML for a ``ConvSteps`` or ``PoolSteps`` showing step 0 of ``out_channel``."""
    conv = steps.kind == "conv"
    steps.check_channel(out_channel)
    cells0 = steps.cells(0)
    (ph, pw), Hp, Wp = steps.padding, steps.padded.shape[1], steps.padded.shape[2]
    oh, ow = steps.out_hw
    max_mode = not conv and steps.mode == "max"
    kernel_texts = ([fmt(num(v)) for v in steps.K[out_channel].flatten().tolist()] if conv else [])

    # The ×weight tag on window cells only fits when the kernel numbers are short
    # (and is kept to grids small enough that its extra layout per step is cheap).
    tags = " d2s-kl" if conv and max(len(t) for t in kernel_texts) <= 3 and Wp <= 16 else ""

    # Input grids: padding and never-reached cells get their class once, here.
    in_grids = []
    window = {rc: n for n, rc in enumerate(cells0)}
    winner = None if conv else steps.winner(0)
    for c in range(steps.c_in):
        texts, classes, attrs = [], [], []
        for r in range(Hp):
            for q in range(Wp):
                cls = []
                if not (ph <= r < ph + steps.h and pw <= q < pw + steps.w):
                    cls.append("p")
                if not (steps.covered_rows[r] and steps.covered_cols[q]):
                    cls.append("u")
                if (r, q) in window:
                    cls.append("w")
                    if (r, q) == winner:
                        cls.append("win")
                texts.append(fmt(num(steps.padded[c, r, q])))
                classes.append(" ".join(cls))
                attrs.append(f' data-k="{escape(kernel_texts[c * steps.kh * steps.kw + window[(r, q)]])}"'
                             if tags and (r, q) in window else "")
        sub = (f'<div class="d2s-sub">{both_langs("channel")} {c}</div>' if steps.c_in > 1 else "")
        in_grids.append(sub + _grid(f"x{c}", Hp, Wp, texts, classes, "d2s-x", attrs))
    pad_note = (f' <span class="d2s-sub">(+ {both_langs("padded")} {_pair_text(steps.padding)})</span>'
                if ph or pw else "")
    panels = [f'<figure class="d2s-panel"><figcaption>{both_langs("input")} {steps.h}×{steps.w}{pad_note}'
              f'</figcaption>{"".join(in_grids)}</figure>']

    if conv:
        k_grids, per = [], steps.kh * steps.kw
        for c in range(steps.c_in):
            sub = (f'<div class="d2s-sub">{both_langs("channel")} {c}</div>' if steps.c_in > 1 else "")
            texts = kernel_texts[c * per:(c + 1) * per]
            k_grids.append(sub + _grid(f"k{c}", steps.kh, steps.kw, texts, [""] * per, "d2s-k"))
        bias = fmt(num(steps.bias[out_channel]))
        panels.append(f'<figure class="d2s-panel"><figcaption>{both_langs("kernel")} {steps.kh}×{steps.kw}</figcaption>'
                      f'{"".join(k_grids)}<div class="d2s-bias">{both_langs("bias")} = <span class="d2s-bv">{bias}'
                      f"</span></div></figure>")

    # Output: every cell is sized for its final number but only step 0 is filled.
    y_all = [fmt(num(v)) for v in steps.output[out_channel].flatten().tolist()]
    y_texts = [y_all[0]] + [""] * (oh * ow - 1)
    y_cls = ["f cur"] + [""] * (oh * ow - 1)
    grid = _grid("y", oh, ow, y_texts, y_cls, "d2s-y", size_texts=y_all)
    panels.append(f'<figure class="d2s-panel"><figcaption>{both_langs("output")} {oh}×{ow}</figcaption>{grid}</figure>')

    size = "".join(f"<div>{_both_text({lang_: line for lang_, line in zip(LANGS, pair)})}</div>"
                   for pair in zip(*(steps.size_lines[lang_] for lang_ in LANGS)))
    padded = bool(ph or pw)
    legend = [("lg_input", "input"), ("lg_pad", "pad", padded and not max_mode)]
    if not conv:
        legend.append(("lg_padmax", "padmax", padded and max_mode))
    legend.append(("lg_window" if conv else "lg_pwindow", "window"))
    if conv:
        legend.append(("lg_kernel", "kernel"))
    else:
        legend.append(("lg_win", "win", max_mode))
    legend += [("lg_out", "out"), ("lg_cur", "cur"),
               ("lg_unused", "unused", not (all(steps.covered_rows) and all(steps.covered_cols)))]

    title = _title(steps)
    shown_lang = "en" if lang == "auto" else lang
    live = f'<p class="d2s-live">{both_langs("live")}</p>' if live_note else ""
    body = (_head(title, layer_repr) + live + _bar(oh * ow, steps.c_out, out_channel) + _controls(steps) + _presets(conv)
            + '<div class="d2s-err" role="alert" hidden></div>'
            + f'<div class="d2s-panels">{"".join(panels)}</div>'
            + f'<div class="d2s-math" aria-live="polite">{escape(steps.text(0, out_channel, shown_lang))}</div>'
            + f'<div class="d2s-size"><b>{both_langs("size")}</b>{size}</div>' + _legend(legend)
            + f'<div class="d2s-keys">{both_langs("keys")}</div>')

    payload = {"t": steps.kind, "ci": steps.c_in, "h": steps.h, "w": steps.w, "p": list(steps.padding),
               "s": list(steps.stride), "d": list(steps.dilation), "kh": steps.kh, "kw": steps.kw,
               "oh": oh, "ow": ow, "oc": out_channel,
               "X": [num(v) for v in steps.X.flatten().tolist()],
               "Y": [num(v) for v in steps.output.flatten().tolist()],
               # Play through any size in about 12 s, but never faster than the eye can follow.
               "ms": max(60, min(700, 12000 // (oh * ow))), "L": script_labels()}
    if conv:
        payload.update(K=[num(v) for v in steps.K.flatten().tolist()],
                       b=[num(v) for v in steps.bias.flatten().tolist()])
    else:
        payload.update(mode=steps.mode, cip=int(bool(steps.count_include_pad)), dv=steps.divisor_override or 0)
    return stepper_root(steps.kind, payload, lang, body, tags)


def _title(steps):
    s, p, d = _pair_text(steps.stride), _pair_text(steps.padding), _pair_text(steps.dilation)
    out = {}
    for lang in LANGS:
        def w(key):
            return word(lang, key)
        sep = w("sep")
        if steps.kind == "conv":
            shape = f"{steps.c_in}×{steps.h}×{steps.w}" if steps.c_in > 1 else f"{steps.h}×{steps.w}"
            kshape = f"{steps.kh}×{steps.kw}"
            if steps.c_out > 1 or steps.c_in > 1:
                kshape = f"{steps.c_out}×{steps.c_in}×{kshape}"
            head = f"{w('conv')}: {w('input')} {shape}{sep}{w('kernel')} {kshape}"
        else:
            head = (f"{w('pool_' + steps.mode)}: {w('input')} {steps.h}×{steps.w}"
                    f"{sep}{w('window')} {steps.kh}×{steps.kw}")
        head += f"{sep}{w('pad')} {p}{sep}{w('stride')} {s}"
        if d != "1":
            head += f"{sep}{w('dilation')} {d}"
        out[lang] = head
    return out


# ------------------------------------------------------- receptive field

def render_rf(rf, lang="en", selected=None):
    """HTML for a ``ReceptiveField``: one grid per layer, the last layer's cell picked."""
    last = len(rf.shapes) - 1
    sel = selected or (last, 0, 0)
    region = rf.region(*sel)
    panels = []
    for m, (h, w) in enumerate(rf.shapes):
        if m < len(rf.values):
            texts = [fmt(num(v)) for v in rf.values[m].flatten().tolist()]
        else:
            texts = [""] * (h * w)
        classes = []
        for r in range(h):
            for q in range(w):
                if m == sel[0] and (r, q) == sel[1:]:
                    classes.append("cur")
                elif m in region and region[m][0] <= r <= region[m][1] and region[m][2] <= q <= region[m][3]:
                    classes.append("r")
                else:
                    classes.append("")
        if m == 0:
            cap = both_langs("input")
        else:
            k = rf.kernel_sizes[m - 1]
            cap = both_langs("rf_caption", m=m, kh=k[0], kw=k[1])
        panels.append(f'<figure class="d2s-panel"><figcaption>{cap} {h}×{w}</figcaption>'
                      + _grid(f"l{m}", h, w, texts, classes, "d2s-x" if m == 0 else "d2s-y") + "</figure>")
    ks = [list(k) for k in rf.kernel_sizes]
    title = {lang_: f"{word(lang_, 'rf')}: " + " → ".join(f"{k[0]}×{k[1]}" for k in ks) for lang_ in LANGS}
    shown_lang = "en" if lang == "auto" else lang
    body = (_head(title, None) + f'<div class="d2s-sub">{both_langs("rf_click")}</div>'
            + f'<div class="d2s-panels">{"".join(panels)}</div>'
            + f'<div class="d2s-math" aria-live="polite">{escape(rf_text(ks, *sel, shown_lang))}</div>'
            + _legend([("lg_input", "input"), ("lg_rf", "rf"), ("lg_sel", "sel")]))
    payload = {"t": "rf", "shapes": [list(s) for s in rf.shapes], "ks": ks, "sel": list(sel), "L": script_labels()}
    return stepper_root("rf", payload, lang, body, " d2s-rf")
