"""Stored runs and the chapters' "notes vs. this book" box.

Stored runs are run records (``d2lcnn.runs``) of the notes' ten recipes
(``d2lcnn.recipes``), trained in full over several seeds, kept one JSON file
per device and measurement in ``benchmarks/results/``. ``benchmarks/reproduce.py``
writes them (``cpu-amd-epyc.json``, ``cuda-nvidia-h200.json``);
``tools/import_results.py`` converts measurements made elsewhere into the same
form, with their provenance on every run. This module reads those files:

* ``load_results(root=None)`` - every file, as dicts;
* ``summarize(name)`` - for recipe ``name``, per file, precision and variant:
  the seeds, and mean, min and max of the final test and training accuracy
  and of the speed, with the code versions and dates that made them;
* ``results_box(name)`` - the notes' numbers beside that summary, as one
  HTML box per output language in a notebook (tagged like ``show_figure``'s
  figures so each edition of the book keeps its own), or as plain text
  elsewhere. When nothing is stored for the recipe, the box says so.

A file marked ``"supersedable": true`` holds older measurements (for example
runs made by an earlier trainer): its runs of a recipe give way as soon as
another file holds runs of that recipe on the same device.

The folder is ``root`` if given, else $D2LCNN_RESULTS, else
``benchmarks/results`` of the repository this package sits in. A
pip-installed copy of the package has no such folder; it reads the copy of
those files packaged with it (``d2lcnn.packaged``).
"""
import decimal
import html
import json
import os
import pathlib
import warnings

from .lang import META_KEY, _display, output_langs, tr
from .packaged import packaged
from .recipes import recipe

__all__ = ["load_results", "summarize", "stored_accuracy", "results_box"]

ENV_VAR = "D2LCNN_RESULTS"
REPRODUCE = "python benchmarks/reproduce.py"
# Shown in the box in this order: GPUs first (the notes' recipes are GPU recipes), then CPUs.
_DEVICE_ORDER = {"cuda": 0, "mps": 1, "cpu": 2}


def results_dir(root=None):
    """The folder of stored results: ``root``, else $D2LCNN_RESULTS, else the repository's ``benchmarks/results``."""
    if root is not None:
        return pathlib.Path(root).expanduser()
    if os.environ.get(ENV_VAR):
        return pathlib.Path(os.environ[ENV_VAR]).expanduser()
    return pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def _packaged_results(root):
    """The packaged copy of the repository's results, for a pip-installed package asked for the default folder."""
    if root is not None or os.environ.get(ENV_VAR):
        return []
    return packaged("results") or []


def _have_results(root):
    return results_dir(root).is_dir() or bool(_packaged_results(root))


def load_results(root=None):
    """Every stored results file (``*.json`` in ``results_dir(root)``), sorted by file name.

    Each is the file's dict (``device``, ``device_name``, ``runs``, ...) with
    ``slug`` (the file's stem unless stored) and ``file`` added. A missing
    folder gives ``[]``; an unreadable file is skipped with a warning.
    """
    folder = results_dir(root)
    if not folder.is_dir():
        return _packaged_results(root)
    found = []
    for path in sorted(folder.glob("*.json")):
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as err:
            warnings.warn(f"skipping results file {path}: {err}", stacklevel=2)
            continue
        if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
            warnings.warn(f"skipping {path}: not a results file (no 'runs' list)", stacklevel=2)
            continue
        found.append({**data, "slug": data.get("slug") or path.stem, "file": path.name})
    return found


def _stats(values):
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values)}


def run_precision(run, device):
    """What arithmetic a stored run used: its ``precision`` field, else what its speed settings meant."""
    if run.get("precision"):
        return str(run["precision"])
    amp = run.get("amp")
    if amp in ("bf16", "bfloat16", "torch.bfloat16"):
        return "bf16 autocast"
    if amp in ("fp16", "float16", "torch.float16"):
        return "fp16 autocast"
    return "fp32+tf32" if (device == "cuda" and run.get("fast", True)) else "fp32"


def _variant_key(variant):
    return json.dumps(variant, sort_keys=True) if variant else ""


def _superseded(data, recipe_name, files):
    """A file marked ``supersedable`` gives way, per recipe, to another file with runs of it on the same device."""
    if not data.get("supersedable"):
        return False
    return any(other is not data and not other.get("supersedable")
               and other.get("device_name") == data.get("device_name")
               and any(isinstance(run, dict) and run.get("recipe") == recipe_name for run in other["runs"])
               for other in files)


def summarize(name, root=None, include_superseded=False):
    """The stored runs of recipe ``name``, one dict per (results file, precision, variant), sorted.

    Only full-recipe runs count (profile ``full``, the recipe's number of
    epochs); a seed stored twice in one group counts once (the last record).
    Runs of a file marked ``supersedable`` (older measurements, such as runs
    converted from another trainer version) are left out once another file
    holds runs of the recipe on the same device, unless ``include_superseded``.

    Each dict: ``recipe``, ``slug``, ``device``, ``device_name``,
    ``precision``, ``variant`` (None for the notes' recipe), ``fast``, ``n``,
    ``seeds``, ``code`` (the code versions that made the runs), ``date``,
    ``superseded``, ``runs`` (the records, by seed), and ``test_acc``,
    ``train_acc``, ``test_acc_recalibrated``, ``examples_per_sec``, ``wall_s``
    as ``{'mean', 'min', 'max'}`` (None where no run has the field).
    """
    r = recipe(name)
    files = load_results(root)
    groups = {}
    for data in files:
        superseded = _superseded(data, r.name, files)
        if superseded and not include_superseded:
            continue
        device = str(data.get("device", data["slug"].split("-")[0]))
        for run in data["runs"]:
            if not isinstance(run, dict) or run.get("recipe") != r.name:
                continue
            if run.get("profile", "full") != "full" or run.get("epochs") != r.num_epochs:
                continue
            precision = run_precision(run, device)
            # fast and plain runs stay apart even where both are fp32 (a CPU): their layouts differ
            key = (data["slug"], precision, bool(run.get("fast", True)), _variant_key(run.get("variant")))
            group = groups.setdefault(key, {"data": data, "device": device, "superseded": superseded,
                                            "variant": run.get("variant") or None, "runs": {}})
            group["runs"][int(run["seed"])] = run
    rows = []
    for (slug, precision, fast, _), group in groups.items():
        data, runs = group["data"], [group["runs"][s] for s in sorted(group["runs"])]
        codes = []
        for run in runs:
            code = run.get("code") or data.get("code") or {}
            label = str(code.get("commit") or code.get("version") or "")[:10]
            if label and label not in codes:
                codes.append(label)
        row = {"recipe": r.name, "slug": slug, "device": group["device"],
               "device_name": str(data.get("device_name", slug)), "precision": precision,
               "variant": group["variant"], "fast": fast, "n": len(runs),
               "seeds": sorted(group["runs"]), "code": codes,
               "date": str(runs[-1].get("date") or data.get("date") or "")[:10],
               "superseded": group["superseded"], "runs": runs}
        for field in ("test_acc", "train_acc", "test_acc_recalibrated", "examples_per_sec", "wall_s"):
            values = [float(run[field]) for run in runs if run.get(field) is not None]
            row[field] = _stats(values) if values else None
        rows.append(row)
    rows.sort(key=lambda row: (_DEVICE_ORDER.get(row["device"], 9), row["superseded"], row["slug"],
                               row["variant"] is not None, row["precision"], not row["fast"]))
    return rows


def stored_accuracy(name, root=None):
    """All of recipe ``name``'s stored full-recipe runs pooled: what the book measured for it, or None.

    Returns ``{"n", "test_acc", "train_acc", "test_acc_recalibrated", "made_with"}``:
    the accuracies as ``{'mean', 'min', 'max'}`` over every run that
    ``summarize`` shows (any device and precision; ``test_acc_recalibrated``
    only for networks with batch normalization, else None), and ``made_with``
    a list of ``(device_name, precision, n)`` saying where the runs come from.
    Variants (changed recipes) are left out: they are not the notes' recipe.
    """
    rows = [row for row in summarize(name, root) if row["variant"] is None]
    runs = [run for row in rows for run in row["runs"] if run.get("test_acc") is not None]
    if not runs:
        return None
    pooled = {"n": len(runs), "made_with": [(row["device_name"], row["precision"], row["n"]) for row in rows]}
    for field in ("test_acc", "train_acc", "test_acc_recalibrated"):
        values = [float(run[field]) for run in runs if run.get(field) is not None]
        pooled[field] = _stats(values) if values else None
    return pooled


# ---------------------------------------------------------------- the box

def fmt_acc(value):
    """An accuracy with three decimals, rounded half up as a decimal (4795 of 10,000 is 0.480, not 0.479)."""
    return str(decimal.Decimal(repr(float(value))).quantize(decimal.Decimal("0.001"), decimal.ROUND_HALF_UP))


def _run_text(run, lang):
    """One stored run in words: its final test accuracy and, if higher, its best epoch."""
    final, per_epoch = float(run["test_acc"]), run.get("test_acc_per_epoch") or []
    best = max(range(len(per_epoch)), key=lambda k: per_epoch[k], default=None)
    text = tr(f"seed {run['seed']} {fmt_acc(final)}", f"随机种子 {run['seed']} 为 {fmt_acc(final)}", lang)
    if best is not None and fmt_acc(per_epoch[best]) != fmt_acc(final):
        text += tr(f" (highest {fmt_acc(per_epoch[best])}, epoch {best + 1})",
                   f"（最高 {fmt_acc(per_epoch[best])}，第 {best + 1} 个迭代周期）", lang)
    return text


def _acc(stats):
    if stats is None:
        return "—", ""
    if stats["min"] == stats["max"]:
        return fmt_acc(stats["mean"]), ""
    return fmt_acc(stats["mean"]), f"{fmt_acc(stats['min'])}–{fmt_acc(stats['max'])}"


def _speed(value):
    return "—" if value is None else f"{value:,.0f}"


def _speed_range(stats):
    if stats is None:
        return "—", ""
    if stats["min"] == stats["max"]:
        return _speed(stats["mean"]), ""
    return _speed(stats["mean"]), f"{_speed(stats['min'])}–{_speed(stats['max'])}"


# How the Chinese edition names a stored run's arithmetic (the prose's 自动混合精度 for autocast).
_PRECISION_ZH = {"bf16 autocast": "bf16 自动混合精度", "fp16 autocast": "fp16 自动混合精度"}


def precision_text(precision, lang=None):
    """A run's precision (``run_precision``) in a reader's words: the stored name in English, the book's term in zh."""
    return tr(precision, _PRECISION_ZH.get(precision, precision), lang)


def _device_kind(device, lang):
    return {"cpu": "CPU", "cuda": "GPU", "mps": tr("Apple GPU", "Apple GPU", lang)}.get(device, device.upper())


def _mode_text(row, lang):
    """The run's arithmetic, with fast=False named where the precision alone does not say it (a CPU)."""
    plain = not row["fast"] and row["precision"] == "fp32" and row["device"] != "cuda"
    return precision_text(row["precision"], lang) + (tr(", fast=False", "，fast=False", lang) if plain else "")


def _variant_text(variant, lang):
    if not variant:
        return ""
    parts = tr(", ", "，", lang).join(f"{k}={v!r}" for k, v in variant.items())
    return tr(f", with {parts}", f"，改为 {parts}", lang)


def _row_label(row, lang):
    """A group of stored runs in words: device, arithmetic and any change to the recipe."""
    return f"{row['device_name']}{tr(', ', '，', lang)}{_mode_text(row, lang)}{_variant_text(row['variant'], lang)}"


def _box_rows(r, rows, lang):
    """Header and body rows of the box: lists of (text, note) cells, the first cell a row header."""
    header = [tr("Run", "运行", lang), tr("Train acc", "训练精度", lang), tr("Test acc", "测试精度", lang),
              tr("Examples/s", "每秒样本数", lang), tr("Device", "设备", lang)]
    notes_device = {"cpu": "CPU", "gpu": "GPU"}.get(r.notes_device, "—") if r.notes_device else "—"
    body = [[(tr("The notes (1 run)", "笔记（1 次运行）", lang), ""), (f"{r.notes_train_acc:.3f}", ""),
             (f"{r.notes_test_acc:.3f}", ""), (_speed(r.notes_examples_per_sec), ""), (notes_device, "")]]
    for row in rows:
        n = row["n"]
        seeds = tr(f"{n} seed{'s' if n != 1 else ''}", f"{n} 个随机种子", lang)
        made = tr(", ", "，", lang).join(filter(None, [tr("code ", "代码 ", lang) + "/".join(row["code"])
                                                        if row["code"] else "", row["date"]]))
        body.append([(tr(f"This book, {_mode_text(row, lang)}{_variant_text(row['variant'], lang)}, {seeds}",
                         f"本书，{_mode_text(row, lang)}{_variant_text(row['variant'], lang)}，{seeds}", lang), made),
                     _acc(row["train_acc"]), _acc(row["test_acc"]), _speed_range(row["examples_per_sec"]),
                     (tr(f"{row['device_name']} ({_device_kind(row['device'], lang)})",
                         f"{row['device_name']}（{_device_kind(row['device'], lang)}）", lang), "")])
    return header, body


def _box_texts(r, rows, lang, folder_exists):
    """Caption (title, recipe), and the lines under the table, in a reader's words."""
    recipe_line = tr(f"{r.num_epochs} epochs, lr {r.lr:g}, batch size {r.batch_size}, "
                     f"{r.resize}×{r.resize} px, {r.init.capitalize()} init",
                     f"{r.num_epochs} 个迭代周期，学习率 {r.lr:g}，批量大小 {r.batch_size}，"
                     f"{r.resize}×{r.resize} 像素，{r.init.capitalize()} 初始化", lang)
    caption = (tr(f"{r.title}: the notes vs. this book", f"{r.title_zh}：笔记与本书对照", lang), recipe_line)
    how = tr(f"These runs are made by `{REPRODUCE} --only {r.name}` in the book's repository, "
             "which trains the whole recipe once per seed.",
             f"这些运行由本书仓库中的 `{REPRODUCE} --only {r.name}` 生成：每个随机种子完整训练一遍。", lang)
    if rows:
        comma, colon, semi = tr(", ", "，", lang), tr(": ", "：", lang), tr("; ", "；", lang)
        each = semi.join(
            f"{_row_label(row, lang)}{colon}"
            + comma.join(_run_text(run, lang) for run in row["runs"] if run.get("test_acc") is not None)
            for row in rows)
        notes = [tr(f"Each run's test accuracy after its last epoch (and its best epoch, where that was higher): "
                    f"{each}.", f"各次运行在最后一个迭代周期后的测试精度（若某个迭代周期更高，括号中给出）：{each}。",
                    lang),
                 tr(f"Mean over seeds, with the lowest–highest in small print: the last of the recipe's "
                    f"{r.num_epochs} epochs. The precision is the arithmetic the run used: fp32, fp32+tf32 "
                    "(TF32 matrix products on a GPU, train_ch6's GPU default today) or bf16 autocast "
                    "(its GPU default at an earlier code version). Under each run: the code version and "
                    "the date that made it.",
                    f"大字为各随机种子的均值，小字为最低值–最高值；均为完整训练设置第 {r.num_epochs} 个"
                    "（最后一个）迭代周期的结果。数值格式指运行时所用的算术：fp32、fp32+tf32"
                    "（GPU 上用 TF32 做矩阵乘法，即 train_ch6 当前在 GPU 上的默认设置）或 bf16 自动混合精度"
                    "（较早代码版本在 GPU 上的默认设置）。每行下方的小字是生成该运行的代码版本和日期。", lang),
                 *_recalibrated_texts(rows, lang), how]
    elif folder_exists:
        notes = [tr(f"No full {r.num_epochs}-epoch run of this recipe is stored yet: the book shows only its "
                    "own shortened run above.",
                    f"本书尚未存储这一训练设置完整 {r.num_epochs} 个迭代周期的运行，只有上面的缩短运行。", lang),
                 how]
    else:
        notes = [tr("This copy of d2lcnn carries none of the book's stored runs, so only the notes' numbers "
                    "are shown.",
                    "这份 d2lcnn 不含本书存储的运行结果，因此只显示笔记中的数字。", lang), how]
    return caption, notes


def _recalibrated_texts(rows, lang):
    """For batch-norm runs that also measured it: the test accuracy with recalibrated statistics (chapter 11)."""
    texts = []
    for row in rows:
        stats = row["test_acc_recalibrated"]
        if stats is None:
            continue
        n = sum(run.get("test_acc_recalibrated") is not None for run in row["runs"])
        mean, spread = _acc(stats)
        spread = tr(f" ({spread})", f"（{spread}）", lang) if spread else ""
        where = _row_label(row, lang)
        texts.append(tr(f"{where}: with the batch-norm statistics recomputed for the final weights "
                        f"(`d2lcnn.recalibrate_bn`, chapter 11) instead of the moving averages, the test accuracy "
                        f"is {mean}{spread} over {n} run{'s' if n != 1 else ''}.",
                        f"{where}：用为最终权重重新计算的批量规范化统计量（`d2lcnn.recalibrate_bn`，第 11 章）"
                        f"代替移动平均，{n} 次运行的测试精度为 {mean}{spread}。", lang))
    return texts


def _code_spans(text):
    """HTML-escape ``text`` and turn `backquoted` parts into <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _box_html(r, rows, lang, folder_exists):
    header, body = _box_rows(r, rows, lang)
    caption, notes = _box_texts(r, rows, lang, folder_exists)
    cell = "padding:0.2em 0.7em;border-bottom:1px solid #ccc;"
    out = [f'<div class="d2lcnn-results" lang="{"zh-Hans" if lang == "zh" else "en"}" '
           'style="border:1px solid #999;border-radius:6px;padding:0.5em 0.8em;margin:0.5em 0;'
           'max-width:52em;font-size:90%;">',
           '<table style="border-collapse:collapse;margin:0;">',
           f'<caption style="text-align:left;padding-bottom:0.3em;"><strong>{html.escape(caption[0])}</strong>'
           f'<br><small>{html.escape(caption[1])}</small></caption>',
           "<thead><tr>" + "".join(
               f'<th scope="col" style="{cell}text-align:{"left" if i in (0, 4) else "right"};">{html.escape(h)}</th>'
               for i, h in enumerate(header)) + "</tr></thead>", "<tbody>"]
    for row in body:
        cells = []
        for i, (text, note) in enumerate(row):
            small = f'<br><small style="opacity:0.75;">{html.escape(note)}</small>' if note else ""
            align = "left" if i in (0, 4) else "right"
            if i == 0:
                cells.append(f'<th scope="row" style="{cell}text-align:left;font-weight:normal;">'
                             f'{html.escape(text)}{small}</th>')
            else:
                cells.append(f'<td style="{cell}text-align:{align};">{html.escape(text)}{small}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    out += [f'<p style="margin:0.4em 0 0 0;">{_code_spans(note)}</p>' for note in notes]
    out.append("</div>")
    return "\n".join(out)


def _box_text(r, rows, lang, folder_exists):
    header, body = _box_rows(r, rows, lang)
    caption, notes = _box_texts(r, rows, lang, folder_exists)
    lines = [*caption, "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in body:
        lines.append("| " + " | ".join(tr(f"{text} ({note})", f"{text}（{note}）", lang) if note else text
                                       for text, note in row) + " |")
    return "\n".join(lines + notes)


class _Box:
    """One language's box: HTML in a notebook, the text table as its plain-text form."""

    def __init__(self, html_text, plain_text):
        self._html, self._text = html_text, plain_text

    def _repr_html_(self):
        return self._html

    def __repr__(self):
        return self._text


def results_box(name, root=None):
    """Show the notes' result for recipe ``name`` beside the stored runs of this book (mean, range, device).

    In a notebook: one box per output language (``d2lcnn.output_langs()``),
    each tagged with its language, as HTML with the text table as its
    plain-text form. Elsewhere: the text table, printed.
    """
    r = recipe(name)
    rows = summarize(name, root)
    folder_exists = _have_results(root)
    show = _display()
    for lang in output_langs():
        text = _box_text(r, rows, lang, folder_exists)
        if show is not None:
            show(_Box(_box_html(r, rows, lang, folder_exists), text), metadata={META_KEY: {"lang": lang}})
        else:
            print(text)
