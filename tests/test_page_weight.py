"""Pages that open fast on a phone: what can be counted in the built site (tools/fast_pages.py).

Lighthouse itself is a benchmark (benchmarks/lighthouse.py), too slow and noisy for a test;
these tests guard the causes it measured: a TeX engine typesetting in the browser, scripts that
block the first paint, the search index on every page, the icon script, images without a size,
pages without a description, and the bytes a first visit downloads.
"""
import gzip
import html
import pathlib
import re

import pytest

from _browser import guarded_page
from _scripts import load_script

fast_pages = load_script("tools/fast_pages.py")

LANGS = ("en", "zh")
# First-visit bytes of a chapter page (gzip-compressed HTML, stylesheets and scripts, plus the
# images loaded eagerly), as first_visit_bytes counts them. When the budget was set they were
# 129-271 KiB per chapter page (zh/07_alexnet the largest), down from 714-1,234 KiB when every
# page also fetched MathJax, the icon script and the search index. The budget leaves room for a
# few more figures, not for a new library on every page.
BUDGET_KIB = 320


def pages(site, lang):
    """Every page of an edition, but the root's one-line redirect to the introduction."""
    return sorted(p for p in (site / lang).rglob("*.html")
                  if "_static" not in p.parts and "</head>" in p.read_text(encoding="utf-8"))


def chapter_pages(site, lang):
    return sorted((site / lang / "chapters").glob("*.html"))


def head(text):
    return text[:text.index("</head>")]


def _gz(path):
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def first_visit_bytes(page):
    """Bytes a first visit to ``page`` downloads before any interaction: the HTML, stylesheets
    (and what they @import) and scripts it names, gzip-compressed as a static host serves them,
    and the images not marked loading="lazy" (a figure's WebP where it is offered one). Fonts
    and lazy images load only when drawn."""
    text = page.read_text(encoding="utf-8")
    total, seen = _gz(page), set()

    def add(path, compress=True):
        path = path.resolve()
        if path in seen or not path.is_file():
            return
        seen.add(path)
        nonlocal total
        total += _gz(path) if compress else path.stat().st_size
        if path.suffix == ".css":
            for ref in re.findall(r'@import\s+(?:url\()?["\']?([^"\')]+)', path.read_text(encoding="utf-8")):
                add(path.parent / ref)

    for ref in re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"|<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"', text):
        add(page.parent / html.unescape(ref[0] or ref[1]).split("?")[0])
    for ref in re.findall(r'<script[^>]*\ssrc="([^"]+)"', text):  # not data-src: fetched when seen
        add(page.parent / html.unescape(ref).split("?")[0])
    # A figure offered as WebP in a <picture> loads the WebP.
    for webp, tag in re.findall(r'(?:<source srcset="([^"]+)" type="image/webp" />)?(<img\b[^>]*>)', text):
        src = re.search(r'\bsrc="([^"]+)"', tag)
        if src and 'loading="lazy"' not in tag and not src.group(1).startswith(("data:", "http")):
            url = webp or src.group(1)
            add(page.parent / html.unescape(url).split("?")[0], compress=url.endswith(".svg"))
    return total


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_asks_for_a_tex_engine(site, lang):
    """Every formula arrives typeset (CHTML, with MathML for screen readers and its TeX for
    copying); no page loads or configures MathJax, and the site ships no TeX engine."""
    assert not (site / lang / "_static" / "mathjax").exists()
    formulas = 0
    for page in pages(site, lang):
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(site)
        assert not re.search(r'<script[^>]*src="[^"]*(?:mathjax|tex-mml|tex-chtml|tex-svg|katex)', text, re.I), name
        assert "window.MathJax" not in text, name
        for m in re.finditer(r'<(span|div) class="math notranslate nohighlight"([^>]*)>(.*?)</\1>', text, re.S):
            formulas += 1
            attrs, body = m.group(2), m.group(3)
            assert 'data-tex="' in attrs, f"{name}: a formula without its TeX"
            assert body.startswith("<mjx-container") and "<mjx-assistive-mml" in body, \
                f"{name}: formula not typeset: {body[:80]}"
    assert formulas > 500, f"only {formulas} formulas found in the {lang} edition"


@pytest.mark.parametrize("lang", LANGS)
def test_no_script_blocks_the_first_paint(site, lang):
    """Every script with a src is deferred or async and none is preloaded (a preload is fetched at
    high priority beside the stylesheet); the inline ones left in <head> are the theme's
    colour-mode line and Sphinx's small settings objects (none over 1 KB)."""
    for page in pages(site, lang):
        top = head(page.read_text(encoding="utf-8"))
        name = page.relative_to(site)
        if page.name == "search.html":
            continue  # the search page runs the search as it loads: its scripts are its content
        blocking = [t for t in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", top)
                    if not re.search(r"\b(?:defer|async)\b", t)]
        assert not blocking, f"{name}: render-blocking scripts {blocking}"
        preloads = re.findall(r'<link\b[^>]*\brel="(?:preload|modulepreload)"[^>]*\bas="script"[^>]*>', top)
        assert not preloads, f"{name}: scripts preloaded {preloads}"
        for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", top, re.S):
            assert len(body) < 1024, f"{name}: a {len(body)}-character inline script in <head>"


@pytest.mark.parametrize("lang", LANGS)
def test_one_stylesheet_per_page(site, lang):
    """A browser paints nothing until every stylesheet has arrived: the theme's ten files are
    served as one bundle (same order, same cascade), shared by every page."""
    bundles = set()
    for page in pages(site, lang):
        sheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', head(page.read_text(encoding="utf-8")))
        assert len(sheets) == 1, f"{page.relative_to(site)}: {len(sheets)} stylesheets"
        bundles.add(re.search(r'href="(?:\.\./)*([^"]+)"', sheets[0]).group(1))
    assert len(bundles) == 1, bundles
    css = (site / lang / bundles.pop()).read_text(encoding="utf-8")
    for url in re.findall(r'url\(\s*["\']?([^"\')]+)', css):
        if not url.startswith(("data:", "http", "#")):
            assert (site / lang / "_static" / url.split("?")[0].split("#")[0]).is_file(), f"bundle links to missing {url}"


@pytest.mark.parametrize("lang", LANGS)
def test_search_index_loads_only_on_the_search_page(site, lang):
    """The index (the largest script) loads when the reader searches: the search box submits to
    search.html, which loads it; no other page does."""
    for page in pages(site, lang):
        text = page.read_text(encoding="utf-8")
        loads = bool(re.search(r'<script[^>]*src="[^"]*searchindex\.js"', text))
        assert loads == (page.name == "search.html"), page.relative_to(site)


@pytest.mark.parametrize("lang", LANGS)
def test_icons_are_inline_svg_not_the_icon_script(site, lang):
    for page in pages(site, lang):
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(site)
        assert "fontawesome.js" not in text, name
        assert not re.search(r'<(?:i|span) class="[^"]*\bfa(?:s|b|r|-solid|-brands|-regular)\b', text), name
    chapter = (site / lang / "chapters" / "02_conv_layer.html").read_text(encoding="utf-8")
    for icon in ("fa-magnifying-glass", "fa-bars", "fa-github", "fa-sun", "fa-moon"):
        assert re.search(rf'<svg class="svg-inline--fa[^"]*\b{icon}\b[^>]*><path fill="currentColor" d="M', chapter), icon


@pytest.mark.parametrize("lang", LANGS)
def test_images_have_a_size_and_load_lazily_below_the_first(site, lang):
    for page in pages(site, lang):
        text = page.read_text(encoding="utf-8")
        article = text.find('<article class="bd-article"')
        in_article = 0
        for m in re.finditer(r"<img\b[^>]*>", text):
            tag, name = m.group(0), page.relative_to(site)
            assert re.search(r'\bwidth="\d+"', tag) and re.search(r'\bheight="\d+"', tag), f"{name}: {tag[:120]}"
            if article != -1 and m.start() > article:
                in_article += 1
                below = in_article > 1 or fast_pages.text_width(text[article:m.start()]) > fast_pages.FIRST_SCREEN_TEXT
                assert ('loading="lazy"' in tag) == below, f"{name}: image {in_article}: {tag[:120]}"


def test_text_width_counts_what_a_phone_shows():
    assert fast_pages.text_width("<p>ab <b>c</b></p><style>.x{}</style>") == len(" ab c ")
    assert fast_pages.text_width("<p>卷积</p>") == len(" 卷积 ") + 2  # a Chinese character is two wide


def test_drawn_chars_follow_the_font_classes():
    """Each character goes to the font its rule's class names, and to the fonts every formula
    and every stretchy delimiter may fall back on; CSS escapes are decoded."""
    css = ('.MJX-TEX{font-family: MJXZERO, MJXTEX;}.TEX-I{font-family: MJXZERO, MJXTEX-I;}'
           '.TEX-B{font-family: MJXZERO, MJXTEX-B;}'
           'mjx-stretchy-v mjx-c, mjx-stretchy-h mjx-c{font-family: MJXZERO, MJXTEX-S1, MJXTEX ! important;}'
           '@font-face /* 0 */{font-family: MJXZERO;src: url("F/MathJax_Zero.woff") format("woff");}'
           '@font-face /* 1 */{font-family: MJXTEX;src: url("F/MathJax_Main-Regular.woff") format("woff");}'
           '@font-face /* 2 */{font-family: MJXTEX-B;src: url("F/MathJax_Main-Bold.woff") format("woff");}'
           '@font-face /* 3 */{font-family: MJXTEX-I;src: url("F/MathJax_Math-Italic.woff") format("woff");}'
           '@font-face /* 4 */{font-family: MJXTEX-S1;src: url("F/MathJax_Size1-Regular.woff") format("woff");}'
           'mjx-c.mjx-c1D465.TEX-I::before{padding: 0.442em 0.572em 0.011em 0;content: "x";}'
           'mjx-c.mjx-c2211::before{padding: 0.75em 1.056em 0.25em 0;content: "\\2211";}'
           'mjx-c.mjx-c1D407.TEX-B::before{padding: 0.686em 0.9em 0 0;content: "H";}')
    drawn = fast_pages.drawn_chars(css)
    assert drawn == {"MathJax_Math-Italic": {"x"}, "MathJax_Main-Bold": {"H"},
                     "MathJax_Zero": {"x", "\u2211", "H"}, "MathJax_Main-Regular": {"x", "\u2211", "H"},
                     "MathJax_Size1-Regular": {"x", "\u2211", "H"}}
    assert fast_pages.woff2_css(css).count('.woff2") format("woff2")') == 5


def test_every_page_has_a_description_in_its_language(site):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for lang in LANGS:
        for page in pages(site, lang):
            found = re.findall(r'<meta name="description" content="([^"]*)"', head(page.read_text(encoding="utf-8")))
            name = page.relative_to(site)
            assert len(found) == 1, f"{name}: {len(found)} descriptions"
            text = html.unescape(found[0])
            assert len(text) >= (20 if lang == "zh" else 40), f"{name}: {text!r}"
            assert bool(cjk.search(text)) == (lang == "zh"), f"{name}: description not in {lang}: {text!r}"
            assert "\\" not in text and "<" not in text, f"{name}: markup in the description: {text!r}"


def test_first_visit_bytes_within_budget(site):
    sizes = {f"{lang}/{p.stem}": first_visit_bytes(p) / 1024 for lang in LANGS for p in chapter_pages(site, lang)}
    over = {k: round(v) for k, v in sizes.items() if v > BUDGET_KIB}
    assert not over, f"over the {BUDGET_KIB} KiB first-visit budget: {over}"


def test_first_visit_bytes_counts_what_a_page_loads(tmp_path):
    """The budget's yardstick is not blind: a script, a stylesheet's @import and an eager image count;
    a lazy image and a view's data fetched when it is seen (data-src, widgets/site.py) do not."""
    import random
    noise = random.Random(0).randbytes(10000).hex()  # 20,000 hex digits: about 10 KB gzip-compressed
    (tmp_path / "a.js").write_text(f"// {noise}")
    (tmp_path / "b.css").write_text('@import "c.css";')
    (tmp_path / "c.css").write_text(f"/* {noise[::-1]} */")
    (tmp_path / "d.png").write_bytes(b"\x89PNG" + bytes(5000))
    page = tmp_path / "p.html"
    page.write_text("<html><head></head><body></body></html>")
    base = first_visit_bytes(page)
    (tmp_path / "e.json").write_text(f'"{noise}"')
    page.write_text('<html><head><script defer src="a.js"></script><link rel="stylesheet" href="b.css" />'
                    '</head><body><img src="d.png" loading="lazy" />'
                    '<script type="application/json" class="d2s-data" data-src="e.json"></script></body></html>')
    lazy = first_visit_bytes(page)
    page.write_text(page.read_text().replace('data-src="e.json"', 'src="e.json"'))
    assert first_visit_bytes(page) > lazy + 9000  # e.json counts once the page loads it at once
    assert lazy > base + 2 * 9000  # a.js and c.css
    page.write_text(page.read_text().replace('src="e.json"', 'data-src="e.json"').replace(' loading="lazy"', ""))
    assert first_visit_bytes(page) > lazy + 4900  # the 5,004-byte image (the HTML is a few bytes shorter)


def test_copying_math_gives_its_tex(served, browser):
    """Selecting a sentence with a formula and copying it puts the formula's TeX in the clipboard;
    the page loads no MathJax, no search index and no icon script."""
    problems, requested = [], []
    page = guarded_page(browser, problems)
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{served}/en/chapters/03_padding_stride.html", wait_until="networkidle")
    copied = page.evaluate("""() => {
        const p = [...document.querySelectorAll('article p')].find(el => el.querySelector('.math[data-tex]'));
        const range = document.createRange();
        range.selectNodeContents(p);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        let text = null;
        window.addEventListener('copy', e => { text = e.clipboardData.getData('text/plain'); }, {once: true});
        document.execCommand('copy');
        return {text, tex: p.querySelector('.math[data-tex]').getAttribute('data-tex')};
    }""")
    page.context.close()
    assert copied["text"] and f"${copied['tex']}$" in copied["text"], copied
    assert not [u for u in requested if re.search(r"mathjax/|tex-mml|searchindex\.js|fontawesome\.js", u)], requested
    assert not problems, problems


@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_offered_as_lossless_webp(site, lang):
    """Every notebook figure a chapter shows is offered as WebP (with its PNG as the fallback) that
    holds exactly the PNG's pixels, in well under the PNG's bytes."""
    import numpy as np
    from PIL import Image

    offered = set()
    for page in chapter_pages(site, lang):
        text = page.read_text(encoding="utf-8")
        for webp, src in re.findall(r'(?:<source srcset="([^"]+)" type="image/webp" />)?<img\b[^>]*\bsrc="([^"]*_images/[^"]+\.png)"', text):
            assert webp == src[:-4] + ".webp", f"{page.name}: {src} offered without its WebP"
            offered.add(page.parent / html.unescape(src))
    assert len(offered) >= 30, offered
    png_bytes = webp_bytes = 0
    for png in offered:
        webp = png.with_suffix(".webp")
        with Image.open(png) as a, Image.open(webp) as b:
            assert np.array_equal(np.asarray(a.convert("RGBA")), np.asarray(b.convert("RGBA"))), webp.name
        png_bytes, webp_bytes = png_bytes + png.stat().st_size, webp_bytes + webp.stat().st_size
    assert webp_bytes < 0.6 * png_bytes, (webp_bytes, png_bytes)


def test_figures_keep_their_shape_at_phone_width(served, browser):
    """Width and height attributes reserve a figure's space; narrowed to a phone's width it keeps
    its aspect ratio (the height attribute alone would stretch it). The browser loads the
    figures' WebP, not their PNG."""
    problems, requested = [], []
    page = guarded_page(browser, problems, viewport={"width": 375, "height": 812})
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{served}/en/chapters/06_lenet.html", wait_until="load")
    shapes = page.evaluate("""async () => {
        const imgs = [...document.querySelectorAll('article img')];
        for (const img of imgs) { img.loading = 'eager'; if (!img.complete) await new Promise(r => img.addEventListener('load', r, {once: true})); }
        return imgs.filter(i => i.offsetParent).map(i => [i.naturalWidth, i.naturalHeight, i.clientWidth, i.clientHeight]);
    }""")
    page.context.close()
    assert any(cw < nw for nw, nh, cw, ch in shapes), f"no figure was narrowed at 375 px: {shapes}"
    for nw, nh, cw, ch in shapes:
        assert abs(ch - cw * nh / nw) <= 2, f"figure {nw}x{nh} drawn {cw}x{ch}"
    figures = [u for u in requested if "/_images/" in u]
    assert figures and all(u.endswith(".webp") for u in figures), figures
    assert not problems, problems


# Only the formulas are drawn (everything else hidden, no animation), so two screenshots of a
# page differ only where a formula's glyphs do.
MATH_ONLY_CSS = ("body *{visibility:hidden!important}mjx-container,mjx-container *{visibility:visible!important}"
                 "img{display:none!important}*{animation:none!important;transition:none!important}")


def _math_screenshots(browser, served, pages, problems, full_fonts=None):
    """{page: full-page screenshot of its formulas alone, at phone width}; with ``full_fonts``,
    every request for a site font is answered with MathJax's full font of that name instead."""
    page = guarded_page(browser, problems, viewport={"width": 412, "height": 900})
    swapped = []
    if full_fonts is not None:
        def full(route):
            name = route.request.url.split("?")[0].rsplit("/", 1)[-1].replace(".woff2", ".woff")
            swapped.append(name)
            route.fulfill(path=full_fonts / name, content_type="font/woff")
        page.route("**/mathjax-fonts/*.woff2", full)  # tried before guarded_page's own route
    shots = {}
    for rel in pages:
        page.goto(f"{served}/{rel}", wait_until="load")
        page.add_style_tag(content=MATH_ONLY_CSS)
        page.evaluate("document.fonts.ready.then(() => true)")
        shots[rel] = page.screenshot(full_page=True)
    page.context.close()
    if full_fonts is not None:
        assert swapped, "no font request was answered with a full font: the comparison would be empty"
    return shots


def test_math_fonts_are_subsets_that_draw_every_formula_alike(site, served, browser):
    """The site's MathJax fonts are WOFF2 subsets holding only the characters the book's formulas
    draw (a page's fonts were about 130 KB of full WOFF files, requested at the highest priority as
    soon as a formula is laid out). Every chapter page's formulas, in both editions, are drawn pixel
    for pixel as they are with MathJax's full fonts served in the subsets' place."""
    full = fast_pages.mathjax_fonts(load_script("tools/build_book.py").mathjax_modules())
    for lang in LANGS:
        subsets = sorted((site / lang / fast_pages.FONTS_DIR).glob("*.woff2"))
        assert [p.stem for p in subsets] == sorted(p.stem for p in full.glob("*.woff"))
        size, full_size = sum(p.stat().st_size for p in subsets), sum(p.stat().st_size for p in full.glob("*.woff"))
        assert size < full_size / 4, f"{lang}: subsets {size} bytes, full fonts {full_size}"
    pages = [f"{lang}/chapters/{p.name}" for lang in LANGS for p in chapter_pages(site, lang)
             if "<mjx-container" in p.read_text(encoding="utf-8")]
    assert len(pages) >= 28, pages
    problems = []
    subset_shots = _math_screenshots(browser, served, pages, problems)
    full_shots = _math_screenshots(browser, served, pages, problems, full_fonts=full)
    differ = [rel for rel in pages if subset_shots[rel] != full_shots[rel]]
    assert not differ, f"formulas drawn differently with the subset fonts on {differ}"
    assert not problems, problems


def test_lighthouse_benchmark_marks_late_first_paints():
    """benchmarks/lighthouse.py marks a run whose first paint came long after DOMContentLoaded
    (headless Chromium's held-back frame) and counts such runs per page."""
    lh = load_script("benchmarks/lighthouse.py")
    early = {"observedFirstContentfulPaint": 226, "observedDomContentLoaded": 300}
    late = {"observedFirstContentfulPaint": 1269, "observedDomContentLoaded": 389}
    assert not lh.late_paint(early) and lh.late_paint(late)
    runs = [{"performance": p, "lcp_s": lcp, "tbt_ms": 0, "late_paint": lp}
            for p, lcp, lp in ((99, 2.1, False), (88, 3.2, True), (99, 2.0, False))]
    row = lh.median_row(runs)
    assert row["late_paints"] == 1 and row["performance"] == 99 and row["lcp_median_s"] == 2.1


@pytest.mark.parametrize("lang", LANGS)
def test_the_trainer_loads_nothing_on_a_first_visit(site, lang):
    """The in-browser trainer (chapter 6's views) names its engine and its data only on the view's root
    (data-lib, data-data), for its boot script to load when the reader presses Train: no page's <script>
    or <link> names them, so a first visit downloads none of them. The data script stays under 6 MB
    as a static host serves it (gzip)."""
    from d2lcnn.widgets.site import TRAIN_DATA_FILE, TRAINER_FILE
    with_trainer = 0
    for page in pages(site, lang):
        text = page.read_text(encoding="utf-8")
        for name in (TRAINER_FILE, TRAIN_DATA_FILE, "train.js", "train_worker.js"):
            assert not re.search(r'<(?:script|link)\b[^>]*(?:src|href)="[^"]*' + re.escape(name), text), \
                f"{page.relative_to(site)} loads {name} on a first visit"
        with_trainer += 'class="d2t"' in text
    assert with_trainer, "no page of the edition carries the trainer"
    data = site / lang / "_static" / TRAIN_DATA_FILE
    assert data.is_file() and _gz(data) <= 6 * 1024 * 1024, data
