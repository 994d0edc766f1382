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
        # errors: Python raises them (in English), the page shows them in its language
        "what_kernel": "kernel", "what_pool": "pooling window",
        "err_fit": "the {what} spans {span} pixels in {axis}{extra} but the padded input is only {padded} "
                   "({n} + {pads} padding): it fits nowhere; use a smaller {what} or more padding",
        "err_dil": " (a {k}-wide window with dilation {d})",
        "err_half": "padding {padding} is more than half the pooling window {window}: some windows would hold "
                    "only padding (PyTorch refuses this too); use at most half the window (rounded down) as padding",
        "err_avgdil": "average pooling has no dilation in PyTorch; use mode='max' or dilation=1",
        # the controls that recompute in the page
        "c_pad": "padding", "c_top": "top", "c_bottom": "bottom", "c_left": "left", "c_right": "right",
        "c_stride": "stride", "c_ksize": "kernel size", "c_window": "window", "c_dil": "dilation",
        "c_mode": "pooling", "m_max": "max", "m_avg": "average", "c_aria": "{group}, {part}",
        "c_input": "input", "c_kernel": "kernel", "edit": "Edit value",
        "p_edge": "edge", "p_arange": "arange", "p_rand": "random", "p_ident": "identity", "p_box": "box blur",
        "p_sobx": "Sobel x", "p_soby": "Sobel y", "p_sharp": "sharpen",
        "fm_boot": "ankle boot", "fm_trouser": "trouser", "fm_pullover": "pullover", "fm_bag": "bag",
        "edit_hint": "Click an input or kernel cell to change its value (Enter keeps it, Esc cancels).",
        "live": "This cell is live in Jupyter/Colab (sliders rebuild it in Python); here the controls above "
                "recompute it in your browser.",
        # look_inside (inside.py): a trained network's maps, computed in the page
        "li_title": "Look inside the trained network",
        "load_failed": "This view could not load its numbers ({src}). Reload the page to try again.",
        "li_intro": "Pick a test image or draw one: every layer below is computed in your browser. Click a map, then "
                    "a cell of the enlarged map (or use the arrow keys), to see how that number was made.",
        "li_pick": "Test images, two per class (the second is one the network gets wrong, where there is one)",
        "li_draw": "Or draw (28×28, white on black like the data set)", "li_undo": "Undo stroke", "li_clear": "Clear",
        "li_probs": "Class probabilities (softmax of the last layer)", "li_truth": "· true class: {name}",
        "li_scale": "Colours: blue below 0, white at 0, orange above 0. All maps of one layer share one scale, "
                    "from −|max| to +|max| of that layer (the number beside its name).",
        "li_kernels": "First-layer kernels (same colours) and the test image above that excites each map most",
        "li_conv": "convolution", "li_sigmoid": "sigmoid", "li_relu": "ReLU", "li_tanh": "tanh",
        "li_avgpool": "average pooling", "li_maxpool": "max pooling", "li_flatten": "flatten", "li_linear": "dense",
        "li_map": "layer {layer}, map {channel}", "li_cell": "map {channel}, cell ({row}, {col})", "li_unit": "unit {unit}",
        "li_win": "window on the layer before (channel {channel})", "li_ker": "kernel (channel {channel})",
        "li_prod": "products (channel {channel})", "li_pickcell": "this map: click a cell",
        "li_dense": "sum of {n} weights × inputs + bias", "li_flat": "the {n} values of the layer before, in one row",
        "li_detail": "The selected cell; arrow keys move it", "li_kernel_n": "kernel {channel}",
        "li_excite": "excites most: {name} (test image {id})",
        # check-yourself questions (quiz.py, quiz.js)
        "q_check": "Check yourself", "q_yours": "Your answer", "q_tol": "(within ±{tol} counts as right)",
        "q_answer_is": "The answer is {value}.", "q_option": "Option {n}:", "q_check_btn": "Check",
        "q_reveal": "Show the answer", "q_read": "Where this is taught:",
        "q_run_next": "Now run the next cell (on the website its output appears below) and compare.",
        "q_hint": "Static preview: run the cell (or trust the notebook) to check your answer here.",
        "q_right": "Right.", "q_wrong": "Not quite. Try again, or show the answer.",
        "q_nan": "Type a number, such as 42.", "q_pick": "Choose an option first.",
        "q_shown": "The answer is shown below.", "q_shown_opt": "The right answer is option {n}; every option is explained below.",
        "q_tally": "This chapter: {right} of {total} answered right",
        # train_in_browser (trainer.py, trainer.js): LeNet trained in the page
        "tr_title": "Train LeNet in your browser",
        "tr_intro": "Training runs in your browser, in a background thread, on a balanced subset of Fashion-MNIST; "
                    "test accuracy is measured on held-out test images.",
        "tr_preset": "Network", "tr_p_lenet-sigmoid": "LeNet: sigmoid, average pooling (ch. 6, the notes')",
        "tr_p_lenet-relu": "LeNet: ReLU, max pooling", "tr_p_lenet-bn": "LeNet + batch norm (ch. 11)",
        "tr_p_lenet-relu-avg": "LeNet: ReLU, average pooling",
        "tr_lr": "Learning rate", "tr_batch": "Batch size", "tr_opt": "Optimizer",
        "tr_o_sgd": "SGD (the notes' recipe)", "tr_o_momentum": "SGD + momentum 0.9 (not the notes')",
        "tr_o_adam": "Adam (not the notes')", "tr_init": "Initialization", "tr_i_xavier": "Xavier (the notes')",
        "tr_i_kaiming": "Kaiming", "tr_i_default": "PyTorch's default",
        "tr_train": "Train", "tr_pause": "Pause", "tr_reset": "Reset", "tr_inside": "Look inside your network",
        "tr_loss": "Training loss", "tr_acc": "Accuracy", "tr_epochs": "epochs", "tr_train_acc": "train",
        "tr_test_acc": "test", "tr_speed": "examples/s",
        "tr_loading": "Loading the training engine and the data…",
        "tr_ready": "Ready: {train} training and {test} test images.",
        "tr_running": "Training…", "tr_paused": "Paused after {seen} examples.", "tr_done": "Done: {seen} examples.",
        "tr_failed": "The trainer could not start: {why}",
        "tr_stats": "epoch {epoch} · {seen} examples · {speed} examples/s · loss {loss} · train accuracy {train} · "
                    "test accuracy {test}",
        "tr_bn_moving": "Test accuracy with batch norm's moving averages: {acc}.",
        "tr_bn_recal": "With statistics recalibrated on training batches: {acc}.",
        "tr_bn_norecal": "Recalibrated statistics are not available in this engine yet: only the moving averages are shown.",
        "tr_kernels": "First-layer kernels, redrawn as they learn (blue below 0, white at 0, orange above)",
        "tr_static": "This trainer runs where scripts run: on the book's website, or in Jupyter or Colab after running "
                     "the cell. Without them, train in Python with d2lcnn.train_ch6.",
        "tr_nodata": "No training data in this page: run the cell in a notebook with Fashion-MNIST (d2lcnn.data finds "
                     "it), or open the book's website; or train in Python with d2lcnn.train_ch6.",
        "tr_predict": "Predict, then run", "tr_choose": "Choose your prediction to enable Train.",
        "tr_chosen": "Your prediction: {name}. Press Train to run every choice on the same axes.",
        "tr_yours": "your prediction", "tr_stored": "stored 10-epoch run, full 60,000-image epochs",
        "tr_showall": "Show the stored runs' 10 epochs", "tr_run_of": "Run {k} of {n}: {name}",
        "tr_result": "Finished. Highest test accuracy: {name} ({acc}).",
        "tr_curves": "Training loss and accuracy against epochs",
        "tr_recal": "test, recalibrated batch-norm statistics",
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
        "what_kernel": "卷积核", "what_pool": "汇聚窗口",
        "err_fit": "{what}在{axis}方向上跨 {span} 个像素{extra}，但填充后的输入只有 {padded}"
                   "（{n} + {pads} 填充）：放不下任何位置；请换更小的{what}或增加填充",
        "err_dil": "（{k} 宽的窗口，膨胀 {d}）",
        "err_half": "填充 {padding} 超过了汇聚窗口 {window} 的一半：有些窗口只含填充（PyTorch 也拒绝这样做）；"
                    "填充最多取窗口的一半（向下取整）",
        "err_avgdil": "PyTorch 的平均汇聚没有膨胀；请用 mode='max' 或 dilation=1",
        "c_pad": "填充", "c_top": "上", "c_bottom": "下", "c_left": "左", "c_right": "右",
        "c_stride": "步幅", "c_ksize": "卷积核大小", "c_window": "窗口", "c_dil": "膨胀",
        "c_mode": "汇聚方式", "m_max": "最大", "m_avg": "平均", "c_aria": "{group}（{part}）",
        "c_input": "输入", "c_kernel": "卷积核", "edit": "修改数值",
        "p_edge": "边缘", "p_arange": "arange", "p_rand": "随机", "p_ident": "恒等", "p_box": "均值模糊",
        "p_sobx": "Sobel x", "p_soby": "Sobel y", "p_sharp": "锐化",
        "fm_boot": "踝靴", "fm_trouser": "裤子", "fm_pullover": "套头衫", "fm_bag": "包",
        "edit_hint": "点击输入或卷积核的单元可修改其数值（Enter 确认，Esc 取消）。",
        "live": "此单元格在 Jupyter/Colab 中可交互（滑块用 Python 重建）；这里用上面的控件在浏览器中重新计算。",
        "li_title": "看看训练好的网络内部",
        "load_failed": "此视图未能加载其数据（{src}）。请刷新页面重试。",
        "li_intro": "选一张测试图像或自己画一张：下面每一层都在你的浏览器中计算。点击某个映射，再点击放大后的映射中的一个单元"
                    "（或用方向键），即可看到这个数是怎么算出来的。",
        "li_pick": "测试图像，每类两张（若网络在该类上有分错的，第二张就是分错的一张）",
        "li_draw": "或者手绘（28×28，与数据集一样黑底白字）", "li_undo": "撤销一笔", "li_clear": "清除",
        "li_probs": "各类别的概率（最后一层的 softmax）", "li_truth": "· 真实类别：{name}",
        "li_scale": "颜色：小于 0 为蓝色，0 为白色，大于 0 为橙色。同一层的所有映射共用一个色标，"
                    "范围是该层的 −|max| 到 +|max|（层名旁边的数）。",
        "li_kernels": "第一层的卷积核（颜色含义相同），以及上面的测试图像中让每个映射响应最强的一张",
        "li_conv": "卷积", "li_sigmoid": "sigmoid", "li_relu": "ReLU", "li_tanh": "tanh",
        "li_avgpool": "平均汇聚", "li_maxpool": "最大汇聚", "li_flatten": "展平", "li_linear": "全连接",
        "li_map": "第 {layer} 层，第 {channel} 个映射", "li_cell": "映射 {channel}，单元 ({row}, {col})", "li_unit": "单元 {unit}",
        "li_win": "前一层上的窗口（通道 {channel}）", "li_ker": "卷积核（通道 {channel}）",
        "li_prod": "乘积（通道 {channel}）", "li_pickcell": "该映射：点击一个单元",
        "li_dense": "{n} 个权重×输入之和 + 偏置", "li_flat": "前一层的 {n} 个值排成一行",
        "li_detail": "所选单元；方向键可移动", "li_kernel_n": "卷积核 {channel}",
        "li_excite": "响应最强：{name}（测试图像 {id}）",
        "q_check": "自测", "q_yours": "你的答案", "q_tol": "（误差在 ±{tol} 以内即算正确）",
        "q_answer_is": "答案是 {value}。", "q_option": "选项 {n}：", "q_check_btn": "检查",
        "q_reveal": "显示答案", "q_read": "相关内容：",
        "q_run_next": "现在运行下一个单元格（在网站上，它的输出会显示在下方），对照一下。",
        "q_hint": "静态预览：运行该单元格（或信任此笔记本）即可在这里检查答案。",
        "q_right": "正确。", "q_wrong": "不对。再试一次，或者显示答案。",
        "q_nan": "请输入一个数，例如 42。", "q_pick": "请先选择一个选项。",
        "q_shown": "答案见下。", "q_shown_opt": "正确答案是选项 {n}；下面解释了每个选项。",
        "q_tally": "本章：共 {total} 题，已答对 {right} 题",
        "tr_title": "在浏览器中训练 LeNet",
        "tr_intro": "训练在你的浏览器里进行（在后台线程中），使用 Fashion-MNIST 的一个类别均衡的子集；"
                    "测试准确率在留出的测试图像上计算。",
        "tr_preset": "网络", "tr_p_lenet-sigmoid": "LeNet：sigmoid，平均汇聚（第 6 章，原笔记）",
        "tr_p_lenet-relu": "LeNet：ReLU，最大汇聚", "tr_p_lenet-bn": "LeNet + 批量规范化（第 11 章）",
        "tr_p_lenet-relu-avg": "LeNet：ReLU，平均汇聚",
        "tr_lr": "学习率", "tr_batch": "批量大小", "tr_opt": "优化器",
        "tr_o_sgd": "SGD（原笔记的训练设置）", "tr_o_momentum": "SGD + 动量 0.9（非原笔记）",
        "tr_o_adam": "Adam（非原笔记）", "tr_init": "初始化", "tr_i_xavier": "Xavier（原笔记）",
        "tr_i_kaiming": "Kaiming", "tr_i_default": "PyTorch 默认",
        "tr_train": "训练", "tr_pause": "暂停", "tr_reset": "重置", "tr_inside": "查看你的网络内部",
        "tr_loss": "训练损失", "tr_acc": "准确率", "tr_epochs": "轮数", "tr_train_acc": "训练",
        "tr_test_acc": "测试", "tr_speed": "样本/秒",
        "tr_loading": "正在加载训练引擎和数据……",
        "tr_ready": "就绪：{train} 张训练图像，{test} 张测试图像。",
        "tr_running": "训练中……", "tr_paused": "已暂停，共训练 {seen} 个样本。", "tr_done": "完成：共 {seen} 个样本。",
        "tr_failed": "训练器无法启动：{why}",
        "tr_stats": "第 {epoch} 轮 · {seen} 个样本 · 每秒 {speed} 个样本 · 损失 {loss} · 训练准确率 {train} · "
                    "测试准确率 {test}",
        "tr_bn_moving": "用批量规范化的移动平均得到的测试准确率：{acc}。",
        "tr_bn_recal": "用在训练批量上重新校准的统计量：{acc}。",
        "tr_bn_norecal": "这个引擎暂时还不能重新校准统计量：这里只显示移动平均的结果。",
        "tr_kernels": "第一层的卷积核，随学习重新绘制（小于 0 为蓝色，0 为白色，大于 0 为橙色）",
        "tr_static": "这个训练器需要能运行脚本的环境：本书的网站，或在 Jupyter、Colab 中运行该单元格之后。"
                     "否则请在 Python 中用 d2lcnn.train_ch6 训练。",
        "tr_nodata": "此页面没有训练数据：请在有 Fashion-MNIST 的笔记本中运行该单元格（d2lcnn.data 会找到它），"
                     "或打开本书的网站；也可以在 Python 中用 d2lcnn.train_ch6 训练。",
        "tr_predict": "先预测，再运行", "tr_choose": "先选择你的预测，才能开始训练。",
        "tr_chosen": "你的预测：{name}。按“训练”，每个选项都会运行，并画在同一坐标系中。",
        "tr_yours": "你的预测", "tr_stored": "保存的 10 轮训练（每轮完整的 60,000 张图像）",
        "tr_showall": "显示保存的 10 轮结果", "tr_run_of": "第 {k} 次运行，共 {n} 次：{name}",
        "tr_result": "完成。测试准确率最高的是：{name}（{acc}）。",
        "tr_curves": "训练损失和准确率随轮数的变化",
        "tr_recal": "测试，重新校准的批量规范化统计量",
    },
}

# The labels the in-page script needs (it writes the arithmetic, the slider's
# accessible name and the receptive-field sentence itself).
SCRIPT_KEYS = ("bias", "channel", "position", "rf_in", "layer_n", "rf_span", "rf_size",
               # after a change the script rewrites the title, captions, size lines and errors
               "conv", "pool_max", "pool_avg", "input", "padded", "kernel", "output", "window", "pad", "stride",
               "dilation", "sep", "size", "height", "width", "row", "rows", "col", "cols", "size_floor",
               "what_kernel", "what_pool", "err_fit", "err_dil", "err_half", "err_avgdil",
               "c_pad", "c_top", "c_bottom", "c_left", "c_right", "c_stride", "c_ksize", "c_window", "c_dil",
               "c_mode", "m_max", "m_avg", "c_aria", "edit")


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
