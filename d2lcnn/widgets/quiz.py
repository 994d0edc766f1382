"""Check yourself: a question with instant feedback, placed where a chapter taught the idea.

Three kinds, each a public function returning a ``Question``:

``numeric_question``  the reader types a number; the correct value is computed by the cell
                      (``answer=d2lcnn.count_parameters(conv)``), never typed in, and answers
                      within ``tolerance`` of it are accepted.
``choice_question``   one right option among several, with an explanation for *every* option:
                      a wrong choice is told why it is wrong, not only that it is.
``predict_question``  what will the code cell that follows print? Choose, then run the cell (or
                      press "Show the answer"; on the website the output below stays hidden until then).

Every text is a pair, English then Chinese (a 2-tuple, or a dict with keys ``en`` and ``zh``);
``section`` names the heading that teaches the idea (the link under the feedback goes there).

A question displays as self-contained HTML (markup, the stylesheet ``quiz.css`` and the script
``quiz.js``, both package data beside this module), so the same output works in JupyterLab,
Jupyter Notebook, Colab and on the book's website, which strips the inline scripts and loads
``quiz.js`` once per page (``site.py``). In a notebook it displays in the reader's language
(``d2lcnn.set_lang``); while the book is built (``$D2LCNN_OUTPUTS=both``) it displays once per
language, each output tagged with its language like a figure (``d2lcnn.lang.show_figure``), and
each edition keeps its own. Rendered alone (``_repr_html_``) it follows the page's language.

The answer travels in the question's JSON (the page checks it without a server); the
explanations are in the markup, hidden until the reader answers, inside ``.d2q-why``, which the
instructor build (``tools/build_book.py --without-answers``) removes.
"""
import functools
import hashlib
import json
import math
import re
from html import escape
from importlib import resources

from ..lang import LANGS, META_KEY, output_langs
from .strings import STRINGS, word

# The labels quiz.js writes itself (the feedback and the tally); the rest are in the markup.
SCRIPT_KEYS = ("q_right", "q_wrong", "q_nan", "q_pick", "q_shown", "q_shown_opt", "q_tally")

__all__ = ["numeric_question", "choice_question", "predict_question", "Question"]

_ID = re.compile(r"^ch[0-9]{2}[a-z]?-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SAVED = re.compile(r'<script type="application/json" class="d2q-data">(.*?)</script>', re.S)
WHY = re.compile(r'<div class="d2q-why"[^>]*>.*?</div><!--/d2q-why-->', re.S)


# ------------------------------------------------------------------ assets

@functools.lru_cache(maxsize=None)
def asset(name):
    """``quiz.css`` or ``quiz.js`` as embedded in a question: comments and indentation removed
    (neither file has "/*" or "//" inside a string, and the script ends its statements with ";")."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    lines = [line.strip() for line in text.splitlines()]
    if name.endswith(".js"):
        lines = [line for line in lines if not line.startswith("//")]
        return "\n".join(line for line in lines if line)
    return "".join(line for line in lines if line)


def library_js():
    """The script as one page-wide file (the website's): it boots every question of the page."""
    return asset("quiz.js").replace('"__ID__"', '""')


# --------------------------------------------------------------- arguments

def _pair(value, what):
    """{'en': ..., 'zh': ...} from an (English, Chinese) pair or such a dict, both non-empty strings."""
    if isinstance(value, dict):
        if set(value) != set(LANGS):
            raise ValueError(f"{what} must have exactly the keys 'en' and 'zh', got {sorted(value)}")
        texts = dict(value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        texts = dict(zip(LANGS, value))
    else:
        raise TypeError(f"{what} must be a pair (English, Chinese) or a dict {{'en': ..., 'zh': ...}}, "
                        f"got {type(value).__name__}: {value!r:.60}")
    for lang, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{what}: the {'English' if lang == 'en' else 'Chinese'} text must be a non-empty "
                             f"string, got {text!r:.60}")
    return {lang: texts[lang].strip() for lang in LANGS}


def _section(value):
    """The teaching heading as the page shows it: its Markdown code marks dropped."""
    return {lang: text.replace("`", "") for lang, text in _pair(value, "section").items()}


def _option(value, what):
    """An option: one string for both languages (code output) or a pair."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f"{what} is empty: give the text of the option")
        return {lang: value for lang in LANGS}
    return _pair(value, what)


def _check_id(qid):
    if not isinstance(qid, str) or not _ID.match(qid):
        raise ValueError(f"question id {qid!r} must look like 'ch05-max-linear': 'ch', the chapter's two digits "
                         "(and letter, as in ch00a), then lowercase words joined by '-'; it keys the reader's "
                         "progress, so keep it once published")
    return qid


def _number(value, what):
    """A finite float from a Python or NumPy number or a one-element tensor."""
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"{what} must be a number computed by the cell, got {type(value).__name__} {value!r}")
    try:
        if hasattr(value, "numel") and value.numel() != 1:
            raise TypeError(f"{what} must be one number, got a tensor of shape {tuple(value.shape)}; "
                            "use .numel(), .item() or index it")
        number = float(value)
    except (TypeError, ValueError) as err:
        if "must be" in str(err):
            raise
        raise TypeError(f"{what} must be a number computed by the cell, got {type(value).__name__}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {number}")
    return number


def _options(options, explanations, answer, kind):
    if not isinstance(options, (list, tuple)) or not 2 <= len(options) <= 6:
        raise ValueError(f"options must be a list of 2 to 6 options, got {options!r:.80}")
    opts = [_option(o, f"option {n}") for n, o in enumerate(options)]
    if not isinstance(explanations, (list, tuple)) or len(explanations) != len(opts):
        got = len(explanations) if isinstance(explanations, (list, tuple)) else type(explanations).__name__
        raise ValueError(f"explanations must give one explanation per option ({len(opts)}), got {got}: "
                         "say why each wrong option is wrong, not only why the right one is right")
    whys = [_pair(e, f"explanation {n}") for n, e in enumerate(explanations)]
    if kind == "pred" and not isinstance(answer, int):
        answer = _match_output(answer, opts)
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(opts):
        raise ValueError(f"answer must be the index of the right option, 0 to {len(opts) - 1}, got {answer!r}")
    if len({o["en"] for o in opts}) != len(opts):
        raise ValueError("two options have the same text: each option must differ")
    return opts, whys, answer


def _match_output(output, opts):
    """The index of the option equal to ``output`` (the computed output of the cell that follows)."""
    text = str(output).strip()
    found = [n for n, o in enumerate(opts) if o["en"].strip() == text]
    if len(found) != 1:
        raise ValueError(f"the computed output {text!r} is not one of the options "
                         f"{[o['en'] for o in opts]}: the right option must be what the cell prints")
    return found[0]


# ------------------------------------------------------------------ markup

def _both(texts, tag="span"):
    return "".join(f'<{tag} lang="{lang}">{escape(texts[lang])}</{tag}>' for lang in LANGS)


def _label(key, **values):
    return _both({lang: word(lang, key, **values) for lang in LANGS})


def _slug(text):
    """The anchor Sphinx gives an English heading ('Padding and Stride' -> 'padding-and-stride');
    the script finds the heading by its text where the anchor differs (Chinese, JupyterLab)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _fmt(value):
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


class Question:
    """One question (see the module docstring); ``html(lang)`` is its markup."""

    def __init__(self, kind, qid, question, section, options=(), explanations=(), answer=None,
                 tolerance=0.0, explanation=None, unit=None):
        self.kind, self.id = kind, qid
        self.question, self.section = question, section
        self.options, self.explanations, self.answer = list(options), list(explanations), answer
        self.tolerance, self.explanation, self.unit = tolerance, explanation, unit

    @property
    def chapter(self):
        return self.id.split("-", 1)[0]

    def accepts(self, value):
        """Whether the page counts ``value`` as right: within the tolerance (numeric) or the right
        option's index (choice, predict); the rule quiz.js applies."""
        if self.kind == "num":
            return abs(float(value) - self.answer) <= self.tolerance + 1e-9 * max(1.0, abs(self.answer))
        return value == self.answer

    def payload(self):
        data = {"id": self.id, "ch": self.chapter, "k": self.kind, "a": self.answer,
                "L": {lang: {k: STRINGS[lang][k] for k in SCRIPT_KEYS} for lang in LANGS}}
        if self.kind == "num":
            data["tol"] = self.tolerance
        else:
            data["n"] = len(self.options)
        return data

    def _body(self, uid):
        legend = (f'<legend><span class="d2q-tag">{_label("q_check")}</span> '
                  f'<span class="d2q-q">{_both(self.question)}</span></legend>')
        if self.kind == "num":
            note = ""
            if self.tolerance:
                note = f' <span class="d2q-note">{_label("q_tol", tol=_fmt(self.tolerance))}</span>'
            unit = f' <span class="d2q-unit">{_both(self.unit)}</span>' if self.unit else ""
            field = (f'<div class="d2q-field"><label for="{uid}-in">{_label("q_yours")}</label> '
                     f'<input type="text" id="{uid}-in" inputmode="decimal" autocomplete="off" spellcheck="false" '
                     f'class="d2q-in">{unit}{note}</div>')
            whys = f'<p data-o="a">{_both(self.explanation)}</p>'
            shown = f'<p class="d2q-ans" hidden>{_label("q_answer_is", value=_fmt(self.answer))}</p>'
        else:
            code = self.kind == "pred"
            items = []
            for n, opt in enumerate(self.options):
                text = (f'<code>{escape(opt["en"])}</code>' if code and opt["en"] == opt["zh"] else _both(opt))
                items.append(f'<label class="d2q-opt"><input type="radio" name="{uid}" value="{n}"> '
                             f'<span class="d2q-ot">{text}</span></label>')
            field = f'<div class="d2q-opts">{"".join(items)}</div>'
            whys = "".join(f'<p data-o="{n}" hidden><b>{_label("q_option", n=n + 1)}</b> {_both(e)}</p>'
                           for n, e in enumerate(self.explanations))
            shown = ""
        bar = ('<div class="d2q-bar">'
               f'<button type="button" data-a="check">{_label("q_check_btn")}</button>'
               f'<button type="button" data-a="reveal">{_label("q_reveal")}</button></div>')
        after = f'<p class="d2q-next">{_label("q_run_next")}</p>' if self.kind == "pred" else ""
        link = (f'<a class="d2q-link" href="#{_slug(self.section["en"])}" data-en="{escape(self.section["en"])}" '
                f'data-zh="{escape(self.section["zh"])}">{_label("q_read")} {_both(self.section)}</a>')
        return (f'<fieldset>{legend}{field}{bar}'
                f'<p class="d2q-fb" role="status" aria-live="polite"></p>'
                f'<div class="d2q-why" hidden>{shown}{whys}{after}</div><!--/d2q-why-->'
                f'<p class="d2q-foot">{link}<span class="d2q-tally"></span></p>'
                f'<p class="d2q-hint">{_label("q_hint")}</p></fieldset>')

    def html(self, lang="auto"):
        """The question's self-contained HTML, shown in ``lang`` ('en', 'zh', or 'auto': the page's)."""
        if lang not in LANGS + ("auto",):
            raise ValueError(f"unknown lang {lang!r}: use 'en', 'zh' or 'auto' (follow the page's language)")
        data = json.dumps(self.payload(), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        uid = "d2q-" + hashlib.sha1(f"{lang}|{data}|{json.dumps(self.__dict__, default=str)}".encode()).hexdigest()[:12]
        body = self._body(uid)
        auto = ' data-auto="1"' if lang == "auto" else ""
        shown = "en" if lang == "auto" else lang
        data = data.replace("</", "<\\/")
        # data-lm-suppress-shortcuts: JupyterLab leaves the keys to the question (arrows move between options).
        return (f'<div class="d2q d2q-{self.kind}" id="{uid}" data-d2q="{uid}" data-lang="{shown}"{auto} '
                'data-lm-suppress-shortcuts="true">'
                f"<style>{asset('quiz.css')}</style>{body}"
                f'<script type="application/json" class="d2q-data">{data}</script>'
                f"<script>{asset('quiz.js').replace('__ID__', uid)}</script></div>")

    def _repr_html_(self):
        return self.html("auto")

    def _ipython_display_(self):
        """In a notebook: one output per output language (both while the book is built), each tagged."""
        from IPython.display import HTML, display
        for lang in output_langs():
            display(HTML(self.html(lang)), metadata={META_KEY: {"lang": lang}})

    def __repr__(self):
        return f"<Question {self.id} ({self.kind}): display it in a notebook to answer it>"


def numeric_question(qid, question, answer, explanation, section, tolerance=0, unit=None):
    """A question answered with a number. ``answer``: the value the cell computed (a number or a
    one-element tensor, never a literal typed in); answers within ``tolerance`` of it are right.
    ``explanation``: how to get it; ``section``: the heading that teaches it (both pairs); ``unit``:
    an optional pair shown after the field."""
    qid = _check_id(qid)
    value = _number(answer, "answer")
    tol = _number(tolerance, "tolerance")
    if tol < 0:
        raise ValueError(f"tolerance must be 0 or more, got {tol}")
    return Question("num", qid, _pair(question, "question"), _section(section), answer=value,
                    tolerance=tol, explanation=_pair(explanation, "explanation"),
                    unit=_pair(unit, "unit") if unit is not None else None)


def choice_question(qid, question, options, answer, explanations, section):
    """One right option among 2 to 6. ``answer``: its index; ``explanations``: one per option, why it
    is right or wrong; ``options``: pairs (or one string for both languages)."""
    qid = _check_id(qid)
    opts, whys, index = _options(options, explanations, answer, "one")
    return Question("one", qid, _pair(question, "question"), _section(section), opts, whys, index)


def predict_question(qid, question, options, answer, explanations, section):
    """What does the code cell right after this one print? ``options``: candidate outputs (strings);
    ``answer``: the index of the right one, or better the output itself as the cell computes it
    (``str(...)`` of the same expression), which must equal one of the options."""
    qid = _check_id(qid)
    opts, whys, index = _options(options, explanations, answer, "pred")
    return Question("pred", qid, _pair(question, "question"), _section(section), opts, whys, index)


def read_questions(html):
    """The payloads of every question in saved HTML (a notebook output or a built page)."""
    return [json.loads(m[1].replace("<\\/", "</")) for m in _SAVED.finditer(html)]


# One question's saved HTML, as Question.html writes it: the root tag, its stylesheet, the body up to the
# data, then its script.
_SAVED_HTML = re.compile(r'(<div class="d2q [^"]*" id="(d2q-[0-9a-f]{12})"[^>]*>)<style>.*?</style>'
                         r'(.*?<script type="application/json" class="d2q-data">.*?</script>)<script>.*?</script></div>',
                         re.S)


def refresh_assets(html):
    """``html`` with every question's inlined stylesheet and script replaced by the current ``quiz.css`` and
    ``quiz.js``: saved outputs after a change to either file, without re-running the cells (a question's id
    hashes its content, not these files)."""
    return _SAVED_HTML.sub(lambda m: f"{m[1]}<style>{asset('quiz.css')}</style>{m[3]}"
                                     f"<script>{asset('quiz.js').replace('__ID__', m[2])}</script></div>", html)


def without_explanations(html):
    """``html`` with every question's explanations (and shown answer) removed: the instructor build."""
    return WHY.sub('<div class="d2q-why" hidden></div><!--/d2q-why-->', html)
