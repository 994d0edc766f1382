"""Accessibility: an axe-core audit of every page of both editions and the front page.

axe-core (Deque's rule engine, the npm package, pinned below and fetched with ``npm pack`` as
tools/build_book.py fetches MathJax's renderer) is injected by Playwright into each page once it has
loaded (its deferred scripts run; the math was typeset when the site was built) and checks it
against WCAG 2.0/2.1/2.2 A and AA and axe's best-practice rules. Any violation anywhere fails the
test, listed with its rule, impact, page and the element it was found on; no rule is switched off.
(The issue asked for no serious or critical finding; the site has none of any impact, and minor and
moderate ones fail too so that it stays so.)
The pages are audited at a desktop width and the chapters also at a phone's (375×812: the sidebar folds away, code and
outputs scroll sideways and must be reachable by keyboard); the steppers are audited again after
a reader has used them (stepped, played, changed the controls, loaded a preset, switched
language, opened a cell for editing). The English edition is audited in the theme's dark colour
mode as well (a reader's choice; the default is light).

Every violation found, of any impact, is written to _build/axe/report.json.
"""
import collections
import json
import pathlib
import shutil
import subprocess
import tarfile

import pytest

from _browser import CHROMIUM, guarded_page
from _deps import require_program
from test_book import toc_files

REPO = pathlib.Path(__file__).resolve().parents[1]
AXE = "axe-core@4.14.1"
CACHE = REPO / "_build" / "axe"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAIL_IMPACTS = ("minor", "moderate", "serious", "critical")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

require_program(CHROMIUM, "chromium")


def axe_source():
    """axe.min.js of the pinned axe-core, fetched once with ``npm pack`` into _build/axe/ (as
    tools/build_book.py fetches MathJax's build-time renderer)."""
    script = CACHE / AXE / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:  # the build's math typesetting needs npm too (tools/build_book.py)
            pytest.fail("npm is not installed: cannot fetch axe-core (apt-get install npm)")
        tmp = CACHE / "download"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        name = subprocess.run([npm, "pack", AXE, "--silent"], cwd=tmp, check=True, timeout=300,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(tmp / name) as tar:
            tar.extractall(tmp, members=[tar.getmember("package/axe.min.js")], filter="data")
        script.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(tmp / "package" / "axe.min.js"), script)
        shutil.rmtree(tmp)
    return script


# The JavaScript that runs the audit in the page: every violation, one entry per element.
RUN_AXE = """async ([context, tags]) => {
  const r = await axe.run(context || document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.flatMap(v => v.nodes.map(n => ({rule: v.id, impact: n.impact || v.impact, help: v.help,
    target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
    summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ').slice(0, 240)})));
}"""


def audit(page, where, context=None):
    """axe's violations on the loaded ``page``, each tagged with ``where``."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(axe_source()))
    return [dict(v, page=where) for v in page.evaluate(RUN_AXE, [context, TAGS])]


def _guarded_page(browser, viewport, problems, dark=False):
    # The theme's colour-mode button stores the reader's choice in localStorage['mode'].
    return guarded_page(browser, problems, init_script="localStorage.setItem('mode', 'dark')" if dark else None,
                        viewport=viewport, color_scheme="dark" if dark else "light")


def _open(page, url):
    # The math is typeset at build time (tools/fast_pages.py) and the scripts are deferred: at "load"
    # they have run, so the audit sees the page a reader sees.
    page.goto(url, wait_until="load")


def use_steppers(page):
    """Do to every stepper on the page what a reader would; returns how many there were."""
    steppers = page.locator(".d2s")
    for n in range(steppers.count()):
        s = steppers.nth(n)
        s.scroll_into_view_if_needed()
        if s.locator("[data-a=next]").count():
            for _ in range(3):
                s.locator("[data-a=next]").click()
            s.locator("[data-a=play]").click()
            s.locator("[data-a=play]").click()  # pause again
            s.locator("[data-a=prev]").click()
            s.locator("[data-c=pt]").select_option("1")
            s.locator("[data-c=sh]").select_option("2")
            if s.locator("[data-c=mode]").count():
                s.locator("[data-c=mode]").select_option("avg")
                s.locator("[data-c=mode]").select_option("max")
            s.locator("[data-pre='x:arange']").click()
            s.locator("[data-a=next]").click()
        else:  # the receptive-field view: pick a cell of the last layer
            s.locator(".d2s-grid").last.locator("i").first.click()
        s.locator("[data-a=lang]").click()
        s.locator("[data-a=lang]").click()
    cells = page.locator(".d2s:is(.d2s-conv, .d2s-pool):not(.d2s-bad) .d2s-x i:not(.p)")
    if cells.count():
        # Leave one input cell open for editing: the editor is audited too.
        cells.first.click()
        page.wait_for_selector(".d2s input.d2s-ed")
    return steppers.count()


def open_case_studies(page):
    """Open every case study (tools/sphinx/case_studies.py) by its <summary>, as a reader would; return how many."""
    studies = page.locator("details.d2lcnn-case-study")
    for n in range(studies.count()):
        # Opening one case study lets its lazy figures load and move what lies below it: a click aimed at the
        # next <summary> can land on the figures instead. So click until it is open (a reader would click again).
        for _ in range(3):
            if studies.nth(n).evaluate("d => d.open"):
                break
            summary = studies.nth(n).locator(":scope > summary")
            summary.scroll_into_view_if_needed()
            summary.click()
            page.wait_for_timeout(200)
    assert page.locator("details.d2lcnn-case-study:not([open])").count() == 0
    return studies.count()


def _pages():
    pages = [("index.html#choose", "front page")]
    for lang in ("en", "zh"):
        pages += [(f"{lang}/{f}.html", f"{lang}/{f}") for f in toc_files()]
    return pages


def _report(found):
    """Write every violation to _build/axe/report.json; return those of a FAIL_IMPACTS impact, one line each."""
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "report.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return [f"{v['rule']} ({v['impact']}) on {v['page']}: {v['target']} - {v['summary']}"
            for v in found if v["impact"] in FAIL_IMPACTS]


def _table(found):
    """rule, impact -> elements and pages, for the failure message."""
    rows = collections.defaultdict(lambda: [0, set()])
    for v in found:
        rows[v["rule"], v["impact"]][0] += 1
        rows[v["rule"], v["impact"]][1].add(v["page"])
    return "\n".join(f"  {rule} ({impact}): {n} elements on {len(p)} pages"
                     for (rule, impact), (n, p) in sorted(rows.items()))


def test_every_page_passes_axe(served, browser):
    """Both editions, every page in _toc.yml at a desktop width and the chapters at a phone's, the
    English edition in the dark colour mode too, and the front page's chooser: no axe violation of
    any impact, the steppers used as well as fresh."""
    problems, found = [], []
    desktop = _guarded_page(browser, DESKTOP, problems)
    phone = _guarded_page(browser, PHONE, problems)
    dark = _guarded_page(browser, DESKTOP, problems, dark=True)
    used = opened = 0
    for path, where in _pages():
        _open(desktop, f"{served}/{path}")
        found += audit(desktop, where)
        if desktop.locator(".d2s").count():
            used += use_steppers(desktop)
            found += audit(desktop, f"{where} (steppers used)", context=".d2s")
        if desktop.locator("details.d2lcnn-case-study").count():  # axe skips what a closed <details> hides
            opened += open_case_studies(desktop)
            found += audit(desktop, f"{where} (case studies open)")
        if "/chapters/" in path:
            _open(phone, f"{served}/{path}")
            found += audit(phone, f"{where} (phone)")
        if path.startswith("en/"):  # the theme's colours are the same in both editions
            _open(dark, f"{served}/{path}")
            assert dark.evaluate("document.documentElement.dataset.theme") == "dark"
            found += audit(dark, f"{where} (dark)")
    assert used, "no stepper was audited after use"
    assert opened, "no case study was audited open"
    failing = _report(found)
    assert not problems, problems
    assert not failing, (f"{len(failing)} axe violations (all violations by rule:\n"
                         f"{_table(found)})\n" + "\n".join(failing))
