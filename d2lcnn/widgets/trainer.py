"""Train LeNet in the reader's browser: ``train_in_browser``, and its predict-then-run experiments.

``train_in_browser(preset="lenet-relu", lang="auto", ...)`` returns an object that displays as HTML:
controls for the network, learning rate, batch size, optimizer and initialization; Train / Pause /
Reset; live loss and train/test accuracy curves against the epoch fraction; examples/s; the
first-layer kernels redrawn as they learn; and, when paused or done, "Look inside your network",
which opens the look-inside view (``look_inside``, stepper.js) with the reader's weights (batch norm
folded into the layer before it, as evaluation mode computes it).

``train_in_browser(experiment="activation")`` is a predict-then-run experiment (``EXPERIMENTS``): the
reader must choose a prediction before Train is enabled; then every choice trains from the same seed
and is drawn on the same axes, beside the stored 10-epoch run of the same recipe where
``benchmarks/results`` (``d2lcnn.results``) holds one.

Where the pieces come from (nothing of the trainer loads before the reader asks for it):

* The view itself is a shell: markup in both languages, ``trainer.css``, its JSON payload and a small
  boot script (``trainer_boot.js``) that wires Train and the handle ``root.d2lcnn``.
* The training engine (``train.js`` + ``train_worker.js``: the training runs in a Web Worker) and the
  view's script (``trainer.js``) come, on the book's website, from one file under ``_static`` that the boot
  script adds as a ``<script>`` element when the reader presses Train (``site.serve_trainer_once``);
  the data likewise, from the build's ``tools/make_train_data.py`` script. Script elements, not fetch:
  both work from file:// and any static host, with no external request.
* In a live notebook (Jupyter, Colab) the same call carries the engine and the reader's own copy of the
  data (``d2lcnn.data``'s Fashion-MNIST, encoded as make_train_data does, at call time) inline, as text
  that runs only when Train is pressed. While the book is built (``D2LCNN_OUTPUTS=both``) only the shell
  is written, so committed outputs never embed the training set; a shell with neither engine nor data
  says so in one line and points to ``d2lcnn.train_ch6``.

The handle on the root element (``root.d2lcnn``; every method loads what it needs first):
  set(settings)   preset ('lenet-sigmoid' | 'lenet-relu' | 'lenet-bn' | 'lenet-relu-avg'), lr, batchSize,
                  optimizer ('sgd' | 'momentum' | 'adam'), init ('xavier' | 'kaiming' | 'default'), seed;
                  starts a new network -> Promise
  run(n)          train n batches -> Promise of metrics() when they are done (or paused)
  pause()         stop after the batches being trained -> Promise
  reset()         a new network with the same settings -> Promise
  metrics()       {settings, seen, epoch, loss, trainAcc, testAcc, speed, points: [...]} so far
  weights()       -> Promise of the parameters as plain arrays, in the network's layer order
  evaluate(limit) -> Promise of the test accuracy (eval mode) on the first ``limit`` test images
  predict(i)      (experiments) choose option i as the reader's prediction
"""
import base64
import functools
import gzip
import hashlib
import json
import re
from html import escape
from importlib import resources

from ..data import TEXT_LABELS, TEXT_LABELS_ZH
from ..lang import LANGS, META_KEY, output_langs
from .strings import STRINGS, check_lang, word

__all__ = ["train_in_browser", "TrainerView", "EXPERIMENTS", "PRESETS"]

# The presets and the recipe each starts from (d2lcnn.recipes), with the stored runs' recipe name.
PRESETS = {
    "lenet-sigmoid": {"lr": 0.9, "batchSize": 256, "optimizer": "sgd", "init": "xavier", "recipe": "lenet_sigmoid"},
    "lenet-relu": {"lr": 0.15, "batchSize": 256, "optimizer": "sgd", "init": "kaiming", "recipe": "lenet_relu"},
    "lenet-bn": {"lr": 1.0, "batchSize": 256, "optimizer": "sgd", "init": "xavier", "recipe": "lenet_bn_builtin"},
    "lenet-relu-avg": {"lr": 0.15, "batchSize": 256, "optimizer": "sgd", "init": "kaiming", "recipe": None},
}
OPTIMIZERS = ("sgd", "momentum", "adam")
INITS = ("xavier", "kaiming", "default")
LRS = (0.01, 0.03, 0.05, 0.1, 0.15, 0.3, 0.5, 0.9, 1.0, 3.0)
BATCHES = (16, 32, 64, 128, 256)


def _choice(key, en, zh, **settings):
    return {"key": key, "label": {"en": en, "zh": zh}, "settings": settings}


# Each experiment isolates one idea; "epochs" is how much of the subset every choice trains.
EXPERIMENTS = {
    "activation": {
        "chapter": 6, "epochs": 1,
        "question": {"en": "After one epoch with the notes' optimizer, which LeNet has the higher test accuracy?",
                     "zh": "用原笔记的优化器训练一轮之后，哪个 LeNet 的测试准确率更高？"},
        "choices": [_choice("sigmoid", "Sigmoid and average pooling (the notes', lr 0.9)",
                            "sigmoid 与平均汇聚（原笔记，学习率 0.9）", preset="lenet-sigmoid"),
                    _choice("relu", "ReLU and max pooling (lr 0.15, Kaiming)",
                            "ReLU 与最大汇聚（学习率 0.15，Kaiming）", preset="lenet-relu")]},
    "lr": {
        "chapter": 6, "epochs": 1,
        "question": {"en": "The ReLU LeNet with SGD: which learning rate gives the highest test accuracy after one "
                           "epoch, and which one kills units?",
                     "zh": "使用 SGD 的 ReLU LeNet：训练一轮后哪个学习率的测试准确率最高？哪个会让单元“死亡”？"},
        "choices": [_choice("lr0.1", "lr 0.1", "学习率 0.1", preset="lenet-relu", lr=0.1),
                    _choice("lr0.9", "lr 0.9", "学习率 0.9", preset="lenet-relu", lr=0.9),
                    _choice("lr3", "lr 3", "学习率 3", preset="lenet-relu", lr=3.0)]},
    "init": {
        "chapter": 6, "epochs": 1,
        "question": {"en": "The notes' sigmoid LeNet (lr 0.9): which initialization learns faster in the first epoch?",
                     "zh": "原笔记的 sigmoid LeNet（学习率 0.9）：哪种初始化在第一轮学得更快？"},
        "choices": [_choice("xavier", "Xavier (train_ch6's)", "Xavier（train_ch6 的做法）",
                            preset="lenet-sigmoid", init="xavier"),
                    _choice("default", "PyTorch's default", "PyTorch 默认",
                            preset="lenet-sigmoid", init="default", recipe=None)]},
    "pooling": {
        "chapter": 5, "epochs": 1,
        "question": {"en": "The ReLU LeNet, changed in its pooling only: which reaches the higher test accuracy "
                           "after one epoch?",
                     "zh": "只改变 ReLU LeNet 的汇聚方式：训练一轮后，哪一个的测试准确率更高？"},
        "choices": [_choice("max", "Max pooling", "最大汇聚", preset="lenet-relu"),
                    _choice("avg", "Average pooling", "平均汇聚", preset="lenet-relu-avg")]},
    "batchnorm": {
        "chapter": 11, "epochs": 1,
        "question": {"en": "The sigmoid LeNet with and without batch normalization: which has the higher test "
                           "accuracy after one epoch?",
                     "zh": "有无批量规范化的 sigmoid LeNet：训练一轮之后，哪一个的测试准确率更高？"},
        "choices": [_choice("plain", "Without batch norm (lr 0.9)", "没有批量规范化（学习率 0.9）",
                            preset="lenet-sigmoid"),
                    _choice("bn", "With batch norm (lr 1.0)", "有批量规范化（学习率 1.0）", preset="lenet-bn")]},
    "recalibration": {
        "chapter": 11, "epochs": 1, "recalibrate": True,
        "question": {"en": "After training the LeNet with batch norm, which test accuracy is higher: with the moving "
                           "averages, or with statistics recalibrated on training batches?",
                     "zh": "训练带批量规范化的 LeNet 之后，哪个测试准确率更高：用移动平均，还是用在训练批量上"
                           "重新校准的统计量？"},
        "choices": [_choice("moving", "The moving averages", "移动平均", preset="lenet-bn"),
                    _choice("recal", "Recalibrated statistics", "重新校准的统计量", preset="lenet-bn")]},
}

_PRESET_KEYS = {"lr": "lr", "batch_size": "batchSize", "optimizer": "optimizer", "init": "init", "seed": "seed"}


@functools.lru_cache(maxsize=None)
def asset(name):
    """A file of this package (trainer.css, trainer_boot.js, trainer.js, train.js, train_worker.js) as
    embedded: the stylesheet without comments and newlines, scripts as they are."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    if name.endswith(".css"):
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        return "".join(line.strip() for line in text.splitlines() if line.strip())
    return text


def library_js():
    """The trainer as the website serves it, one file: the engine, its worker client and the view."""
    from .render import asset as stepper_asset
    css = json.dumps(stepper_asset("stepper.css"))
    # The look-inside view's labels travel with the script, not in every trainer's markup.
    keys = [k for k in STRINGS["en"] if k.startswith("li_")] + ["bias", "channel", "lang"]
    labels = json.dumps({lang: {k: STRINGS[lang][k] for k in keys} for lang in LANGS}, ensure_ascii=False)
    return ("\n".join(asset(n) for n in ("train.js", "train_worker.js", "trainer.js")) +
            f"\nwindow.d2lcnnTrainer.stepperCss = {css};\nwindow.d2lcnnTrainer.insideLabels = {labels};\n")


@functools.lru_cache(maxsize=1)
def _stored_curves():
    """Per recipe: the first stored full-recipe run's per-epoch test accuracy and training loss."""
    from ..results import load_results
    curves = {}
    try:
        files = load_results()
    except Exception:  # stored runs are optional: the view works without them
        return curves
    for data in files:
        for run in data.get("runs", []):
            name = run.get("recipe")
            if name in curves or run.get("variant") or not run.get("test_acc_per_epoch"):
                continue
            curves[name] = {"test": [round(v, 4) for v in run["test_acc_per_epoch"]],
                            "loss": [round(v, 4) for v in run.get("train_loss_per_epoch") or []],
                            "device": data.get("device_name") or data.get("device") or ""}
    return curves


def _settings(preset, overrides):
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: use one of {', '.join(PRESETS)}")
    out = {k: v for k, v in PRESETS[preset].items() if k != "recipe"}
    out["preset"] = preset
    for key, value in overrides.items():
        if value is None:
            continue
        name = _PRESET_KEYS[key]
        if name == "optimizer" and value not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {value!r}: use one of {', '.join(OPTIMIZERS)}")
        if name == "init" and value not in INITS:
            raise ValueError(f"unknown init {value!r}: use one of {', '.join(INITS)}")
        if name == "lr" and not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"lr must be a positive number, got {value!r}")
        if name == "batchSize" and not (isinstance(value, int) and 1 <= value <= 1024):
            raise ValueError(f"batch_size must be an integer from 1 to 1024, got {value!r}")
        out[name] = value
    return out


def _choice_payload(choice):
    s = dict(choice["settings"])
    recipe = s.pop("recipe", PRESETS[s["preset"]]["recipe"])
    settings = _settings(s.pop("preset"), {})
    settings.update(s)
    stored = _stored_curves().get(recipe) if recipe else None
    # A stored run is the same recipe only where the choice keeps the recipe's settings.
    if stored and any(settings[k] != PRESETS[settings["preset"]][k] for k in ("lr", "batchSize", "optimizer", "init")):
        stored = None
    return {"key": choice["key"], "label": choice["label"], "settings": settings,
            "stored": stored, "recipe": recipe if stored else None}


# ------------------------------------------------------------------ data for a live notebook

def _paeth(images):
    """PNG's Paeth filter on N x 28 x 28 uint8 images, as tools/make_train_data.py applies it (the worker
    undoes it)."""
    import numpy as np
    a = images.astype(np.int16)
    left, up, corner = a[:, 1:, :-1], a[:, :-1, 1:], a[:, :-1, :-1]
    guess = left + up - corner
    da, db, dc = np.abs(guess - left), np.abs(guess - up), np.abs(guess - corner)
    pick = np.where((da <= db) & (da <= dc), left, np.where(db <= dc, up, corner))
    out = a.copy()
    out[:, 1:, 1:] = a[:, 1:, 1:] - pick
    return (out % 256).astype(np.uint8)


def _first_per_class(labels, count):
    import numpy as np
    return np.sort(np.concatenate([np.flatnonzero(labels == k)[:count] for k in range(10)]))


@functools.lru_cache(maxsize=2)
def encode_data(root=None, train_per_class=1000, test_per_class=200):
    """The reader's own Fashion-MNIST (``d2lcnn.data``) as the script text that defines
    ``d2lcnnTrainData`` (the format of tools/make_train_data.py), or None where no data is found."""
    import numpy as np

    from ..data import load_fashion_mnist_tensors
    try:
        x_tr, y_tr = (t.numpy() for t in load_fashion_mnist_tensors(root=root, train=True))
        x_te, y_te = (t.numpy() for t in load_fashion_mnist_tensors(root=root, train=False))
    except Exception:  # no data and no network: the view says so and points to train_ch6
        return None
    tr, te = _first_per_class(y_tr, train_per_class), _first_per_class(y_te, test_per_class)
    raw = b"".join([_paeth(x_tr[tr]).tobytes(), _paeth(x_te[te]).tobytes(),
                    y_tr[tr].astype(np.uint8).tobytes(), y_te[te].astype(np.uint8).tobytes()])
    header = {"version": 1, "classes": 10, "train": len(tr), "test": len(te), "filter": "paeth", "side": 28}
    packed = base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")
    return ("(typeof self !== 'undefined' ? self : this).d2lcnnTrainData = " + json.dumps(header)[:-1] +
            ', "bytes": "' + packed + '"};')


# ------------------------------------------------------------------ markup

def _both(key, **values):
    return "".join(f'<span lang="{lang}">{escape(word(lang, key, **values))}</span>' for lang in LANGS)


def _both_text(texts):
    return "".join(f'<span lang="{lang}">{escape(texts[lang])}</span>' for lang in LANGS)


def _select(name, label_key, options, value, disabled):
    opts = "".join(f'<option value="{v}"{" selected" if v == value else ""}>{text}</option>' for v, text in options)
    return (f'<label class="d2t-c">{_both(label_key)}<select data-c="{name}"{" disabled" if disabled else ""}>'
            f'{opts}</select></label>')


def _fmt_lr(v):
    return f"{v:g}"


class TrainerView:
    """The trainer's view; see ``train_in_browser``."""

    def __init__(self, settings, experiment, lang, data_text):
        self.settings, self.experiment, self.lang = settings, experiment, check_lang(lang)
        self.data_text = data_text

    def payload(self):
        keys = [k for k in STRINGS["en"] if k.startswith("tr_")] + ["lang", "li_intro"]
        data = {"settings": self.settings, "L": {lang: {k: STRINGS[lang][k] for k in keys} for lang in LANGS},
                "names": {"en": list(TEXT_LABELS), "zh": list(TEXT_LABELS_ZH)}}
        if not self.experiment:
            stored = _choice_payload({"key": "mine", "label": None, "settings": dict(self.settings)})
            data["stored"] = stored["stored"]
        if self.experiment:
            exp = EXPERIMENTS[self.experiment]
            data["exp"] = {"id": self.experiment, "epochs": exp["epochs"], "question": exp["question"],
                           "recalibrate": bool(exp.get("recalibrate")),
                           "choices": [_choice_payload(c) for c in exp["choices"]]}
        return data

    def _body(self, uid):
        s, exp = self.settings, self.experiment
        fixed = bool(exp)
        presets = [(p, "".join(f'{word(lang, "tr_p_" + p)}' for lang in ("en",))) for p in PRESETS]
        controls = "".join([
            _select("preset", "tr_preset", presets, s["preset"], fixed),
            _select("lr", "tr_lr", [(_fmt_lr(v), _fmt_lr(v)) for v in sorted(set(LRS) | {s["lr"]})],
                    _fmt_lr(s["lr"]), fixed),
            _select("batchSize", "tr_batch", [(str(v), str(v)) for v in sorted(set(BATCHES) | {s["batchSize"]})],
                    str(s["batchSize"]), fixed),
            _select("optimizer", "tr_opt", [(o, word("en", "tr_o_" + o)) for o in OPTIMIZERS], s["optimizer"], fixed),
            _select("init", "tr_init", [(i, word("en", "tr_i_" + i)) for i in INITS], s["init"], fixed)])
        predict = ""
        if exp:
            e = EXPERIMENTS[exp]
            opts = "".join(f'<label class="d2t-opt"><input type="radio" name="{uid}-p" value="{n}"> '
                           f'{_both_text(c["label"])}</label>' for n, c in enumerate(e["choices"]))
            predict = (f'<fieldset class="d2t-predict"><legend><span class="d2t-tag">{_both("tr_predict")}</span> '
                       f'{_both_text(e["question"])}</legend><div class="d2t-opts">{opts}</div>'
                       f'<p class="d2t-pnote">{_both("tr_choose")}</p></fieldset>')
        plots = (f'<div class="d2t-plots" role="img" aria-label="{escape(word("en", "tr_curves"))}">'
                 f'<figure><figcaption>{_both("tr_loss")}</figcaption><svg class="d2t-svg" data-p="loss" '
                 'viewBox="0 0 320 180" aria-hidden="true"></svg></figure>'
                 f'<figure><figcaption>{_both("tr_acc")}</figcaption><svg class="d2t-svg" data-p="acc" '
                 'viewBox="0 0 320 180" aria-hidden="true"></svg></figure></div>'
                 '<div class="d2t-legend"></div>')
        showall = (f'<label class="d2t-all" hidden><input type="checkbox" data-a="all"> {_both("tr_showall")}</label>'
                   if exp else "")
        return (f'<div class="d2t-head"><span class="d2t-title">{_both("tr_title")}</span>'
                f'<button type="button" data-a="lang">{_both("lang")}</button></div>'
                f'<p class="d2t-sub">{_both("tr_intro")}</p>{predict}'
                f'<div class="d2t-ctl">{controls}</div>'
                '<div class="d2t-bar">'
                f'<button type="button" data-a="train" disabled>{_both("tr_train")}</button>'
                f'<button type="button" data-a="pause" disabled>{_both("tr_pause")}</button>'
                f'<button type="button" data-a="reset" disabled>{_both("tr_reset")}</button>'
                f'<button type="button" data-a="inside" hidden>{_both("tr_inside")}</button></div>'
                f'<p class="d2t-status" role="status" aria-live="polite"></p>'
                f'<p class="d2t-stats"></p>{plots}{showall}<p class="d2t-bn"></p>'
                f'<div class="d2t-kernels" hidden><b>{_both("tr_kernels")}</b><div class="d2t-krow"></div></div>'
                f'<p class="d2t-static">{_both("tr_static")}</p>'
                '<div class="d2t-inside"></div>')

    def html(self, lang=None, live=None):
        """The view's HTML in ``lang`` ('en', 'zh' or 'auto'); ``live`` (default: whether it has data)
        carries the engine and the reader's data inline, as text that runs only when Train is pressed."""
        lang = check_lang(lang or self.lang)
        live = self.data_text is not None if live is None else live
        payload = self.payload()
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        uid = "d2t-" + hashlib.sha1(f"{lang}|{text}".encode()).hexdigest()[:12]
        shown = "en" if lang == "auto" else lang
        auto = ' data-auto="1"' if lang == "auto" else ""
        text = text.replace("</", "<\\/")
        extra = ""
        if live:
            from .render import library_js as stepper_js
            engine = library_js() + "\n" + stepper_js()
            # Inert text until Train: the boot script runs it (new Function) when the reader asks.
            extra = (f'<script type="text/plain" class="d2t-engine">{_inert(engine)}</script>'
                     f'<script type="text/plain" class="d2t-train-data">{_inert(self.data_text)}</script>')
        exp = f' data-exp="{self.experiment}"' if self.experiment else ""
        return (f'<div class="d2t" id="{uid}" data-d2t="{uid}" data-lang="{shown}"{auto}{exp} role="group" '
                f'aria-label="{escape(word("en", "tr_title"))}" data-lm-suppress-shortcuts="true">'
                f"<style>{asset('trainer.css')}</style>{self._body(uid)}"
                f'<script type="application/json" class="d2t-data">{text}</script>{extra}'
                f"<script>{asset('trainer_boot.js')}</script></div>")

    def _repr_html_(self):
        return self.html()

    def _ipython_display_(self):
        """One output per output language (both while the book is built: then without engine and data)."""
        from IPython.display import HTML, display
        langs = output_langs()
        for lang in langs:
            display(HTML(self.html(lang, live=None if len(langs) == 1 else False)),
                    metadata={META_KEY: {"lang": lang}})

    def __repr__(self):
        what = f"experiment {self.experiment!r}" if self.experiment else f"preset {self.settings['preset']!r}"
        return f"<TrainerView: {what}; display it in a notebook or on the book's website to train>"


def _inert(text):
    """Script text kept inside a text/plain script element: only "</script" could end the element early and
    "<!--" change how it is parsed, so those two are escaped (trainer_boot.js undoes exactly them; a general
    "</" -> "<\\/" would break regular expressions such as /</g)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I).replace("<!--", "<\\!--")


def train_in_browser(preset="lenet-relu", lang="auto", lr=None, batch_size=None, optimizer=None, init=None,
                     seed=None, experiment=None, data="auto", root=None):
    """Train a LeNet in the reader's browser (see the module docstring).

    preset: 'lenet-sigmoid' (ch. 6, the notes'), 'lenet-relu', 'lenet-bn' (ch. 11) or 'lenet-relu-avg';
    lr, batch_size, optimizer ('sgd' the notes', 'momentum', 'adam'), init ('xavier', 'kaiming',
    'default'), seed: start values of the controls (default: the preset's recipe).
    experiment: one of ``EXPERIMENTS`` ('activation', 'lr', 'init', 'pooling', 'batchnorm',
    'recalibration') for a predict-then-run experiment (the controls are then fixed by it).
    data: 'auto' carries the reader's Fashion-MNIST (``root`` or where ``d2lcnn.data`` finds it) in a live
    notebook and nothing while the book is built; None never carries it (the website's build adds its own).
    """
    lang = check_lang(lang)
    if experiment is not None and experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}: use one of {', '.join(EXPERIMENTS)}")
    if data not in ("auto", None):
        raise ValueError(f"data must be 'auto' or None, got {data!r}")
    settings = _settings(preset, {"lr": lr, "batch_size": batch_size, "optimizer": optimizer, "init": init,
                                  "seed": seed})
    settings.setdefault("seed", 0)
    data_text = None
    if data == "auto" and len(output_langs()) == 1:
        data_text = encode_data(root)
    return TrainerView(settings, experiment, lang, data_text)
