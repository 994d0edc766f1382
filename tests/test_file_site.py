"""The website opened from disk (file://), as the README says to open it: every kind of view works
there as it does served (steppers, the receptive-field view, chapter 6's "look inside", whose numbers
load from a script file when it nears the screen), in both editions, with no failed request, console
error or page error. Browsers refuse fetch on file://, which is what broke "look inside" there."""
import pytest

from _browser import guarded_page

LANGS = ("en", "zh")
PHONE = {"width": 375, "height": 812}


def view_pages(site, lang):
    """The chapter pages of an edition that hold at least one view."""
    pages = sorted(p for p in (site / lang / "chapters").glob("*.html")
                   if 'class="d2s ' in p.read_text(encoding="utf-8"))
    assert pages, f"no page of the {lang} edition holds a view"
    return pages


def use_view(root):
    """Bring ``root`` (a .d2s view) to the screen and use it as a reader would; returns its kind."""
    kind = root.get_attribute("class").split()[1].removeprefix("d2s-")
    root.scroll_into_view_if_needed()
    if kind in ("conv", "pool"):
        position = root.locator(".d2s-pos")
        before = position.inner_text()
        root.locator("[data-a=next]").click()
        assert position.inner_text() != before, f"{kind}: the step did not advance"
    elif kind == "rf":
        grids = root.locator(".d2s-grid[data-g]")
        last = grids.nth(grids.count() - 1).locator("> *").last
        last.click()
        assert "cur" in last.get_attribute("class") and root.locator(".r").count() > 0, "rf: nothing lit"
    elif kind == "inside":
        bars = root.locator(".d2s-probs")
        root.locator(".d2s-probs .d2s-bar-row").first.wait_for(timeout=20000)
        before = bars.inner_text()
        root.locator("[data-img]").nth(1).click()
        root.page.wait_for_function("([el, before]) => el.innerText !== before", arg=[bars.element_handle(), before])
    else:
        raise AssertionError(f"a view of an unknown kind {kind!r}: teach this test to use it")
    assert root.get_attribute("data-ready") == "1", f"{kind}: not started"
    assert root.locator("[data-load-error]:visible").count() == 0, f"{kind}: {root.inner_text()[:200]}"
    return kind


@pytest.mark.parametrize("lang", LANGS)
def test_every_view_works_opened_from_disk(site, browser, lang):
    problems, kinds = [], set()
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page = guarded_page(browser, problems, viewport=viewport)
        for path in view_pages(site, lang):
            page.goto(path.resolve().as_uri())
            assert page.url.startswith("file://")
            roots = page.locator("div.d2s[data-d2s]")
            for n in range(roots.count()):
                kinds.add(use_view(roots.nth(n)))
        page.context.close()
    assert kinds == {"conv", "pool", "rf", "inside"}, kinds  # every kind was used
    assert not problems, problems


def test_the_front_page_opened_from_disk_opens_an_edition(site, browser):
    problems = []
    page = guarded_page(browser, problems, viewport=PHONE, locale="zh-CN")
    page.goto((site / "index.html").resolve().as_uri())
    page.wait_for_url("**/zh/chapters/00_intro.html")  # through zh/index.html, which forwards to the first chapter
    assert page.url.startswith("file://") and page.locator("h1").count() > 0
    page.context.close()
    assert not problems, problems


@pytest.mark.parametrize("lang", LANGS)
def test_the_trainer_works_opened_from_disk(site, browser, lang):
    """The trainer views (chapter 6's experiments and free trainer; 5 and 11 where they carry them) load the
    engine, the worker and the build's data script from _static by <script> elements and train from file://."""
    pages = sorted(p for p in (site / lang / "chapters").glob("*.html")
                   if 'class="d2t"' in p.read_text(encoding="utf-8"))
    assert any(p.name == "06_lenet.html" for p in pages), "chapter 6 carries no trainer"
    problems = []
    page = guarded_page(browser, problems, viewport={"width": 1280, "height": 900})
    for path in pages:
        page.goto(path.resolve().as_uri())
        roots = page.locator("div.d2t[data-d2t]")
        for n in range(roots.count()):
            root = roots.nth(n)
            if root.get_attribute("data-exp"):  # (a case study's view may sit in a folded section: by the handle)
                page.evaluate("el => el.d2lcnn.predict(0)", root.element_handle())
            m = page.evaluate("el => el.d2lcnn.run(1)", root.element_handle())
            assert m["seen"] > 0 and 0 <= m["testAcc"] <= 1, (path.name, n, m)
    page.context.close()
    assert not problems, problems
