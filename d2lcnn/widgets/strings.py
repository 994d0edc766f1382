"""Every English and Chinese word the steppers show, in one table.

Python writes the page (titles, buttons, legends, the arithmetic and size
lines); the in-page script writes what changes as a reader steps (the labels
in ``SCRIPT_KEYS``, carried in each stepper's JSON as ``L``). Both read this
table, so a label changes in one place, and the tests check that the two
languages hold the same keys with the same ``{placeholders}``.

Templates use ``{name}`` placeholders only (no format specs): Python fills
them with ``str.format`` and the script with ``fill`` in ``stepper.js``.
"""
from ..lang import LANGS

__all__ = ["LANGS", "STRINGS", "SCRIPT_KEYS", "word", "check_lang"]

STRINGS = {
    "en": {
        # titles and panel captions
        "conv": "Convolution", "pool_max": "Max pooling", "pool_avg": "Average pooling",
        "input": "Input", "padded": "padding", "kernel": "Kernel", "output": "Output", "channel": "channel",
        "bias": "bias", "window": "window", "pad": "padding", "stride": "stride", "dilation": "dilation",
        "sep": ", ", "out_channel": "output channel",
        # controls
        "reset": "Reset", "prev": "Prev", "next": "Next", "play": "Play", "pause": "Pause",
        "position": "Window position", "lang": "中文",
        "hint": "Static preview: run the cell (or trust the notebook) to step through it.",
        "keys": "Keys: ← → step, space plays, Home/End.",
        # output size
        "size": "Output size ⌊(n − k + p + s)/s⌋, with p the total padding of both sides",
        "height": "height", "width": "width", "row": "row", "rows": "rows", "col": "column", "cols": "columns",
        "size_floor": "  ({padded} − {span} = {rest} is not a multiple of {s}: the last {left} {unit} "
                      "cannot hold another window, so the formula rounds down)",
        # legend
        "lg_input": "input", "lg_pad": "zero padding", "lg_padmax": "padding (−∞)", "lg_window": "kernel window",
        "lg_pwindow": "pooling window", "lg_kernel": "kernel", "lg_out": "output so far",
        "lg_cur": "cell being written", "lg_win": "largest value (wins)", "lg_unused": "never reached",
        "lg_rf": "reaches the selected cell", "lg_sel": "selected cell",
        # receptive field
        "rf": "Receptive field", "rf_click": "Click a cell of a later layer (or use ← → ↑ ↓).",
        "rf_in": "input", "layer_n": "layer {m}", "rf_caption": "layer {m} ({kh}×{kw} kernel)",
        "rf_span": " ← {name} rows {r0}–{r1}, cols {c0}–{c1}", "rf_size": " (receptive field {h}×{w})",
    },
    "zh": {
        "conv": "卷积", "pool_max": "最大汇聚", "pool_avg": "平均汇聚",
        "input": "输入", "padded": "填充", "kernel": "卷积核", "output": "输出", "channel": "通道",
        "bias": "偏置", "window": "窗口", "pad": "填充", "stride": "步幅", "dilation": "膨胀",
        "sep": "，", "out_channel": "输出通道",
        "reset": "重置", "prev": "上一步", "next": "下一步", "play": "播放", "pause": "暂停",
        "position": "窗口位置", "lang": "English",
        "hint": "静态预览：运行该单元格（或信任此笔记本）即可逐步查看。",
        "keys": "按键：← → 单步，空格播放，Home/End。",
        "size": "输出大小 ⌊(n − k + p + s)/s⌋，p 为两侧填充之和",
        "height": "高", "width": "宽", "row": "行", "rows": "行", "col": "列", "cols": "列",
        "size_floor": "（{padded} − {span} = {rest} 不是 {s} 的倍数："
                      "最后 {left} {unit}放不下下一个窗口，所以公式向下取整）",
        "lg_input": "输入", "lg_pad": "零填充", "lg_padmax": "填充（−∞）", "lg_window": "卷积核窗口",
        "lg_pwindow": "汇聚窗口", "lg_kernel": "卷积核", "lg_out": "已算出的输出",
        "lg_cur": "正在写入的单元", "lg_win": "最大值（胜出）", "lg_unused": "从未被窗口覆盖",
        "lg_rf": "能影响所选单元", "lg_sel": "所选单元",
        "rf": "感受野", "rf_click": "点击后面某层的单元（或用 ← → ↑ ↓）。",
        "rf_in": "输入", "layer_n": "第 {m} 层", "rf_caption": "第 {m} 层（{kh}×{kw} 卷积核）",
        "rf_span": " ← {name} 行 {r0}–{r1}，列 {c0}–{c1}", "rf_size": "（感受野 {h}×{w}）",
    },
}

# The labels the in-page script needs (it writes the arithmetic, the slider's
# accessible name and the receptive-field sentence itself).
SCRIPT_KEYS = ("bias", "channel", "position", "rf_in", "layer_n", "rf_span", "rf_size")


def word(lang, key, **values):
    """The label ``key`` in ``lang`` ('en' or 'zh'), its ``{placeholders}`` filled from ``values``."""
    return STRINGS[lang][key].format(**values)


def script_labels():
    """The part of the table each stepper carries for its script: {lang: {key: template}}."""
    return {lang: {k: STRINGS[lang][k] for k in SCRIPT_KEYS} for lang in LANGS}


def check_lang(lang):
    if lang not in LANGS + ("auto",):
        raise ValueError(f"unknown lang {lang!r}: use 'en', 'zh' or 'auto' (follow the page's language)")
    return lang
