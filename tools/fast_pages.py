"""Make the built pages open fast on a phone (run by tools/build_book.py on each edition).

Jupyter Book 1 pages ask a phone to do a lot before it can show the first paragraph: a TeX
engine (MathJax, ~1 MB) typesets the math in the browser, a 1.5 MB icon script draws a dozen
icons, the whole search index loads on every page, and every script blocks rendering. This
module rewrites the built HTML so that the page is finished when it arrives:

* math: every ``\\(...\\)`` / ``\\[...\\]`` that Sphinx wrote is typeset now, by MathJax's own
  renderer run with Node (tools/site/node/render_math.js), into CHTML with the formula's
  MathML beside it for screen readers; the page gets the few CSS rules and font links it
  uses, inline, and no MathJax script. The TeX stays on the element (``data-tex``) for
  copying (tools/site/book/math-copy.js). MathJax's fonts are cut to the characters the
  book draws and served as WOFF2 (about 30 KB for a page's fonts instead of 130 KB);
* scripts: the search index and search tools only on the search page (the search box
  submits to it), the theme's icon script replaced by the icons' SVG paths, every other
  script deferred (they only attach behaviour; none draws the first screen) and none
  preloaded;
* images: width and height from the file (no layout shift), lazy loading unless the image
  can be on a phone's first screen, and each notebook figure offered as lossless WebP
  (about 40% of the PNG's bytes) with the PNG as the fallback;
* a ``<meta name="description">`` per page, in the edition's language, from the page's
  first paragraph.
"""
import hashlib
import html
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess

SITE = pathlib.Path(__file__).resolve().parent / "site"

# --- math ------------------------------------------------------------------------------

MATH = re.compile(r'<(span|div) class="math notranslate nohighlight">(.*?)</\1>', re.S)
FONT_MARK = "@@MATHJAX_FONTS@@"
# In the browser MathJax scales formulas to the x-height of the text around them; the book's
# sans-serif text has an x-height about 1.2 times that of MathJax's TeX fonts.
MATH_CSS = 'mjx-container[jax="CHTML"]{font-size:120%}'

FONTS_DIR = "_static/mathjax-fonts"


def _tex(body):
    """The TeX of a Sphinx math element (its \\(...\\) or \\[...\\] delimiters removed)."""
    tex = html.unescape(body).strip()
    for left, right in (("\\(", "\\)"), ("\\[", "\\]")):
        if tex.startswith(left) and tex.endswith(right):
            return tex[len(left):-len(right)].strip()
    raise ValueError(f"math element without \\( \\) or \\[ \\] delimiters: {tex[:80]!r}")


def render_math(pages, node_modules):
    """Typeset the math of several pages at once: {name: html} -> {name: (html, css)}.

    ``node_modules`` holds mathjax-full (tools/npm_packages.npm_package). A TeX error stops
    with a RuntimeError naming the formula.
    """
    names = list(pages)
    request = {"fontURL": FONT_MARK, "pages": []}
    for name in names:
        request["pages"].append([{"tex": _tex(m.group(2)), "display": m.group(1) == "div"}
                                 for m in MATH.finditer(pages[name])])
    proc = subprocess.run(["node", str(SITE / "node" / "render_math.js")], input=json.dumps(request),
                          capture_output=True, text=True, env={**os.environ, "NODE_PATH": str(node_modules)},
                          timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"build-time math rendering failed: {proc.stderr.strip()[-2000:]}")
    rendered = json.loads(proc.stdout)["pages"]
    out = {}
    for name, result in zip(names, rendered):
        parts = iter(result["html"])

        def swap(match):
            tex = _tex(match.group(2))
            tag, display = match.group(1), match.group(1) == "div"
            return (f'<{tag} class="math notranslate nohighlight" data-tex="{html.escape(tex)}"'
                    f'{" data-display" if display else ""}>{next(parts)}</{tag}>')

        out[name] = (MATH.sub(swap, pages[name]), _compact_css(result["css"]) if result["html"] else "")
    return out


def _compact_css(css):
    """MathJax's stylesheet without its pretty-printing; fonts shown as soon as they arrive, and
    fetched as the WOFF2 subsets the build writes (subset_math_fonts)."""
    css = re.sub(r"\s*\n\s*", " ", css).strip()
    css = re.sub(r"\s*([{};])\s*", r"\1", css)  # not around ":" or ">": they can be combinators
    # Text in a math font is drawn at once (in a fallback) instead of invisible for up to 3 s.
    return woff2_css(css.replace("@font-face{", "@font-face{font-display:swap;"))


CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)", re.S)
# mjx-c.mjx-c1D465.TEX-I::before{padding: ...;content: "x";}
CHAR_RULE = re.compile(r'mjx-c\.mjx-c[0-9A-F]+((?:\.[\w-]+)*)::before\{[^}]*content:\s*"((?:[^"\\]|\\.)*)"')
# The pieces of a stretchy delimiter or brace (an \underbrace's ends, middle and extender):
# mjx-c23DF mjx-beg mjx-c::before{content: "\E152";...}, drawn with the stretchy list below
PIECE_RULE = re.compile(r'mjx-c[0-9A-F]+ mjx-(?:beg|ext|mid|end) mjx-c::before\{[^}]*content:\s*"((?:[^"\\]|\\.)*)"')
# .TEX-I{font-family: MJXZERO, MJXTEX-I;}  and the stretchy delimiters' "... !important" list
FAMILY_RULE = re.compile(r'(?:^|(?<=}))([^{}@]+)\{font-family:\s*([^;}]+?)\s*(?:!\s*important\s*)?;\}')
FONT_FACE = re.compile(r'@font-face[^{]*\{font-family:\s*([\w-]+);src:\s*url\("[^"]*/([\w-]+)\.woff2?"\)')


def _unescape_css(text):
    return CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), text)


def drawn_chars(css):
    """{MathJax font file stem: characters a page's formulas may draw in it}.

    Every glyph of a CHTML formula is the ``content`` of an ``mjx-c`` rule, and the rule's
    class (``.TEX-I``) names the font family list it is drawn with. A character may also be
    drawn with the lists that apply whatever its class: the formula's own (``.MJX-TEX``) and the
    stretchy delimiters' (``mjx-stretchy-v mjx-c{font-family: ... !important}``), so it is kept
    in those fonts too. The pieces a stretchy delimiter or brace is built from (``mjx-beg``,
    ``mjx-ext``, ``mjx-mid``, ``mjx-end``: an ``\\underbrace``) are drawn with the stretchy lists.
    """
    files = {family: stem for family, stem in FONT_FACE.findall(css)}
    classes, wide = {}, set()
    for selector, families in FAMILY_RULE.findall(css):
        names = {f.strip() for f in families.split(",")} & set(files)
        selector = selector.strip()
        if re.fullmatch(r"\.[\w-]+", selector):
            classes[selector[1:]] = names
        if selector == ".MJX-TEX" or "mjx-c" in selector:
            wide |= names
    out = {}
    for cls, content in CHAR_RULE.findall(css):
        families = set(wide)
        for name in re.findall(r"\.([\w-]+)", cls):
            families |= classes.get(name, set())
        for family in families:
            out.setdefault(files[family], set()).update(_unescape_css(content))
    for content in PIECE_RULE.findall(css):
        for family in wide:
            out.setdefault(files[family], set()).update(_unescape_css(content))
    return out


def mathjax_fonts(node_modules):
    """The folder of MathJax's full TeX fonts (WOFF) in the mathjax-full npm package."""
    src = pathlib.Path(node_modules) / "mathjax-full" / "es5" / "output" / "chtml" / "fonts" / "woff-v2"
    if not src.is_dir():
        raise RuntimeError(f"MathJax fonts not found in {src}; reinstall mathjax-full")
    return src


def subset_math_fonts(node_modules, html_dir, chars):
    """MathJax's TeX fonts, each cut to the characters the edition's formulas draw in it
    (``chars``: {file stem: characters}, from drawn_chars), as WOFF2.

    The full WOFF files are 1-41 KB each and a page with a sum, a bold matrix and an italic
    letter needs half a dozen of them (about 130 KB); the browser asks for them, at the highest
    priority, as soon as a formula is laid out, competing with the first paint on a slow link.
    The whole book draws a few dozen characters in each font, so the subsets are a small fraction.
    """
    from fontTools import subset  # matplotlib's dependency; brotli writes WOFF2

    src = mathjax_fonts(node_modules)
    dest = pathlib.Path(html_dir) / FONTS_DIR
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.notdef_outline = True
    for woff in sorted(src.glob("*.woff")):
        font = subset.load_font(str(woff), options)
        keep = set(font.getBestCmap()) & {ord(c) for c in chars.get(woff.stem, ())}
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=keep)
        subsetter.subset(font)
        subset.save_font(font, str(dest / (woff.stem + ".woff2")), options)


def woff2_css(css):
    """MathJax's @font-face rules pointed at the WOFF2 subsets."""
    return css.replace('.woff") format("woff")', '.woff2") format("woff2")')


# --- icons (replacing the theme's fontawesome.js) --------------------------------------

ICON_PACKS = {"fab": "brands", "fa-brands": "brands", "far": "regular", "fa-regular": "regular",
              "fas": "solid", "fa-solid": "solid", "fa": "solid"}
# Classes that change an icon's look, not which icon it is.
ICON_MODIFIERS = {"fa-lg", "fa-xs", "fa-sm", "fa-xl", "fa-2x", "fa-fw", "fa-spin", "fa-pulse"}
ICON_TAG = re.compile(r'<(i|span) class="((?:[^"]*\s)?(?:fa|fas|fab|far|fa-solid|fa-brands|fa-regular)(?:\s[^"]*)?)"'
                      r'([^>]*)>\s*</\1>')
PAGE_CSS = (".svg-inline--fa{display:inline-block;height:1em;overflow:visible;vertical-align:-.125em;"
            "box-sizing:content-box}.svg-inline--fa.fa-lg{vertical-align:-.2em}"
            # A figure narrowed to the phone's width keeps its shape (its height attribute is a ratio).
            ".bd-article img[width][height]{height:auto}")


def load_icons(fontawesome_js):
    """{(pack, name): (width, height, path)} from the theme's Font Awesome script."""
    text = pathlib.Path(fontawesome_js).read_text(encoding="utf-8")
    icons = {}
    entry = re.compile(r'(?:"([\w-]+)"|([A-Za-z_$][\w$]*)|(\d+)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+","(M[^"]*)"\]')
    # Each pack is one `var p={...}` object handed to d("fas", p) / d("fab", p) / d("far", p).
    for block in re.finditer(r'var p=\{(.*?)\}[;,]?.*?\bd\("(fa[bsr])",p\)', text, re.S):
        pack = ICON_PACKS[block.group(2)]
        for m in entry.finditer(block.group(1)):
            name = m.group(1) or m.group(2) or m.group(3)
            icons[(pack, name)] = (int(m.group(4)), int(m.group(5)), m.group(6))
    return icons


def inline_icons(page, icons):
    """Every Font Awesome <i>/<span> as the inline SVG that fontawesome.js would have drawn."""
    missing = []

    def svg(match):
        classes = match.group(2).split()
        pack = next((ICON_PACKS[c] for c in classes if c in ICON_PACKS), "solid")
        names = [c[3:] for c in classes if c.startswith("fa-") and c not in ICON_PACKS and c not in ICON_MODIFIERS]
        found = [n for n in names if (pack, n) in icons]
        if not found:
            missing.append(match.group(0))
            return match.group(0)
        width, height, path = icons[(pack, found[0])]
        kept = [c for c in classes if c not in ICON_PACKS]
        return (f'<svg class="svg-inline--fa {" ".join(kept)}"{match.group(3)} aria-hidden="true" '
                f'focusable="false" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
                f'<path fill="currentColor" d="{path}"></path></svg>')

    page = ICON_TAG.sub(svg, page)
    if missing:
        raise RuntimeError(f"icons not found in the theme's Font Awesome: {missing[:3]}")
    return page


def trim_icon_css(css):
    """The theme's stylesheet without Font Awesome's ~2,000 ``.fa-NAME:before{content:...}``
    rules: the icons are inline SVG now, and those rules were a third of the stylesheet that
    every page waits for."""
    def keep(match):
        selectors = match.group(1).split(",")
        if all(re.fullmatch(r"\.fa-[\w-]+::?(?:before|after)", sel.strip()) for sel in selectors):
            return ""
        return match.group(0)

    return re.sub(r'(?<=\})([^{}@]+)\{content:"[\\0-9a-fA-F]*"\}', keep, css)


# theme.css only @imports basic.css: linking basic.css itself saves a round trip before the first paint.
THEME_CSS = re.compile(r'<link href="([^"]*_static/)styles/theme\.css\?[^"]*" rel="stylesheet" />')


# --- stylesheets: one file instead of ten ----------------------------------------------

STYLESHEET = re.compile(r'[ \t]*<link (?=[^>]*\brel="stylesheet")(?![^>]*\bmedia=)[^>]*\bhref="([^":]+)"[^>]*/?>\n?')
CSS_URL = re.compile(r'url\(\s*([\'"]?)([^\'")]+)\1\s*\)')


def _rebase_css(css, css_path, static):
    """``css`` as if it lived in ``static``: its relative url()s rewritten to still point at their files."""
    def rebase(match):
        quote, ref = match.group(1), match.group(2).strip()
        if ref.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        target = os.path.normpath(os.path.join(css_path.parent, ref))
        return f"url({quote}{os.path.relpath(target, static).replace(os.sep, '/')}{quote})"

    if re.search(r"@import\b", css):
        raise RuntimeError(f"{css_path} has an @import, which cannot move into a bundle")
    css = re.sub(r"/\*[#@] sourceMappingURL=[^*]*\*/", "", css)
    css = re.sub(r'@charset\s+"[^"]*";', "", css)
    return CSS_URL.sub(rebase, css)


def bundle_stylesheets(page, page_path, static, bundles):
    """The page's local stylesheets as one file in _static (same order, so the same cascade).

    A browser waits for every stylesheet before the first paint, and on a slow phone network
    each extra file costs a request; ``bundles`` maps a list of files to the bundle made for it,
    so pages that share their stylesheets share one cached file.
    """
    links = list(STYLESHEET.finditer(head_of(page)))
    if len(links) < 2:
        return page
    files = tuple(os.path.normpath(page_path.parent / html.unescape(m.group(1)).split("?")[0]) for m in links)
    if files not in bundles:
        css = "\n".join(_rebase_css(pathlib.Path(f).read_text(encoding="utf-8"), pathlib.Path(f), static)
                        for f in files)
        name = f"d2l-styles-{hashlib.sha256(css.encode()).hexdigest()[:10]}.css"
        (static / name).write_text(css, encoding="utf-8")
        bundles[files] = name
    href = os.path.relpath(static / bundles[files], page_path.parent).replace(os.sep, "/")
    first, rest = links[0], links[1:]
    out = page[:first.start()] + f'    <link rel="stylesheet" href="{href}" />\n'
    cursor = first.end()
    for m in rest:
        out += page[cursor:m.start()]
        cursor = m.end()
    return out + page[cursor:]


def head_of(page):
    end = page.find("</head>")
    return page if end == -1 else page[:end]


# --- scripts ----------------------------------------------------------------------------

SEARCH_SCRIPTS = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>')
MATHJAX_SCRIPTS = re.compile(r'\s*<script>window\.MathJax = .*?</script>|\s*<script [^>]*src="[^"]*mathjax[^"]*"></script>')
FONTAWESOME = re.compile(r'\s*<script [^>]*src="[^"]*scripts/fontawesome\.js[^"]*"></script>')
DOC_OPTIONS = re.compile(r'<script src="[^"]*_static/documentation_options\.js[^"]*"></script>')
# The theme preloads its two scripts: a preload is fetched at high priority, beside the stylesheet
# the first paint waits for, though the scripts themselves are deferred to the end of <body>.
SCRIPT_PRELOAD = re.compile(r'\s*<link rel="preload" as="script" href="[^"]*"\s*/?>')
SCRIPT_SRC = re.compile(r"<script (?![^>]*\b(?:defer|async)\b)([^>]*\bsrc=[^>]*)>")


def defer_scripts(page, doc_options_js, search_page=False):
    """Scripts that do not block the first paint, nor compete with what it waits for.

    documentation_options.js is inlined (the inline scripts after it set fields on it), so
    every script with a src can be deferred: deferred scripts still run in document order.
    """
    if not search_page:
        page = SEARCH_SCRIPTS.sub("", page)
    page = MATHJAX_SCRIPTS.sub("", page)
    page = FONTAWESOME.sub("", page)
    page = SCRIPT_PRELOAD.sub("", page)
    page = DOC_OPTIONS.sub(lambda m: f"<script>{doc_options_js.strip()}</script>", page)
    if search_page:
        return page  # searchtools.js runs the query as soon as it loads
    return SCRIPT_SRC.sub(r"<script defer \1>", page)


# --- images -----------------------------------------------------------------------------

IMG = re.compile(r"<img\b([^>]*?)\s*/?>")


def image_size(path):
    """(width, height) in CSS pixels of a PNG, JPEG or SVG file; None if unknown."""
    path = pathlib.Path(path)
    data = path.read_bytes()[:65536] if path.is_file() else b""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] == b"\xff\xd8":
        from PIL import Image
        with Image.open(path) as im:
            return im.size
    if path.suffix == ".svg":
        text = data.decode("utf-8", "replace")
        head = re.search(r"<svg\b[^>]*>", text)
        if head:
            w = re.search(r'\bwidth="([\d.]+)(?:px)?"', head.group(0))
            h = re.search(r'\bheight="([\d.]+)(?:px)?"', head.group(0))
            if w and h:
                return round(float(w.group(1))), round(float(h.group(1)))
            box = re.search(r'viewBox="[\d.-]+[ ,]+[\d.-]+[ ,]+([\d.]+)[ ,]+([\d.]+)"', head.group(0))
            if box:
                return round(float(box.group(1))), round(float(box.group(2)))
    return None


# How much text a phone's first screen holds (375 x 667 px, 16 px type): about 20 lines of 45
# characters, counting a Chinese character as two. An image with more text than this before it
# in the article cannot be on the first screen.
FIRST_SCREEN_TEXT = 1000


def text_width(fragment):
    """The text of an HTML fragment in character widths: a CJK character counts as two."""
    fragment = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", " ", fragment, flags=re.S)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))
    return len(text) + len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", text))


def size_images(page, page_path):
    """width/height on every <img> (from its file); lazy loading for every image that cannot be
    on a phone's first screen: the article's first image only when less than FIRST_SCREEN_TEXT
    of text comes before it, every later one always. An eager image below the first screen
    takes the slow network from the stylesheet and the text that the first paint waits for."""
    article = page.find('<article class="bd-article"')
    seen_in_article = 0

    def fix(match):
        nonlocal seen_in_article
        attrs = match.group(1)
        src = re.search(r'\bsrc="([^"]+)"', attrs)
        if src and "width=" not in attrs and "height=" not in attrs and not src.group(1).startswith(("data:", "http")):
            size = image_size(page_path.parent / html.unescape(src.group(1)).split("?")[0])
            if size:
                attrs += f' width="{size[0]}" height="{size[1]}"'
        in_article = article != -1 and match.start() > article
        if in_article:
            seen_in_article += 1
        # The first figure may be on the first screen; a hidden menu's logo never is.
        lazy = (in_article and (seen_in_article > 1 or text_width(page[article:match.start()]) > FIRST_SCREEN_TEXT)
                or "Colab logo" in attrs)
        if lazy and "loading=" not in attrs:
            attrs += ' loading="lazy" decoding="async"'
        return f"<img{attrs} />"

    return IMG.sub(fix, page)


def webp_images(html_dir):
    """Every notebook figure (``_images/*.png``) also as lossless WebP where that is at least 10%
    smaller (matplotlib's PNGs shrink to about 40%); returns the names of the PNGs that got one.

    Lossless and ``exact``: the same pixels, transparent ones included. Pages offer the WebP in a
    <picture> with the PNG as the fallback (offer_webp), so a browser without WebP still draws it.
    """
    from PIL import Image

    done = set()
    for png in sorted((pathlib.Path(html_dir) / "_images").glob("*.png")):
        webp = png.with_suffix(".webp")
        with Image.open(png) as im:
            im.save(webp, "WEBP", lossless=True, exact=True, method=4, quality=100)
        if webp.stat().st_size <= 0.9 * png.stat().st_size:
            done.add(png.name)
        else:
            webp.unlink()
    return done


def offer_webp(page, webp_names):
    """Each <img> of a figure that has a WebP twin, wrapped in a <picture> offering the WebP."""
    def wrap(match):
        src = re.search(r'\bsrc="([^"]*_images/([^"/]+\.png))"', match.group(0))
        if not src or src.group(2) not in webp_names:
            return match.group(0)
        webp = src.group(1)[:-4] + ".webp"
        return f'<picture><source srcset="{webp}" type="image/webp" />{match.group(0)}</picture>'

    return IMG.sub(wrap, page)


# --- meta description -------------------------------------------------------------------

def _plain(fragment):
    fragment = MATH.sub(lambda m: _tex(m.group(2)), fragment)
    fragment = re.sub(r"\\(?:mathrm|mathbf|text|operatorname)\{([^}]*)\}", r"\1", fragment)
    fragment = fragment.replace("\\times", "×").replace("\\,", " ").replace("\\", "")
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return re.sub(r"\s+", " ", text).strip()


def description(page, lang, fallback):
    """The first paragraph of the article, cut to the length search engines show."""
    article = page.find('<article class="bd-article"')
    text = ""
    if article != -1:
        for para in re.finditer(r"<p>(.*?)</p>", page[article:], re.S):
            text = _plain(para.group(1))
            if len(text) >= 40:
                break
    text = text or fallback
    limit = 80 if lang == "zh" else 155
    if len(text) > limit:
        cut = text[:limit]
        if lang != "zh" and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:，；：") + "…"
    return text


def add_description(page, text):
    tag = f'<meta name="description" content="{html.escape(text)}" />'
    if '<meta name="description"' in page:
        return page
    return page.replace("<title>", f"{tag}\n    <title>", 1)


# --- the whole edition ------------------------------------------------------------------

def optimize_edition(html_dir, lang, mathjax_modules, fallback_description):
    """Rewrite every page of one built edition in place; returns a short summary dict."""
    html_dir = pathlib.Path(html_dir)
    pages = {p: p.read_text(encoding="utf-8") for p in sorted(html_dir.rglob("*.html"))
             if "_static" not in p.relative_to(html_dir).parts}
    # index.html is a one-line redirect to the introduction: nothing to speed up.
    pages = {p: text for p, text in pages.items() if "</head>" in text}
    doc_options = (html_dir / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    icons = load_icons(html_dir / "_static" / "scripts" / "fontawesome.js")
    theme_css = html_dir / "_static" / "styles" / "pydata-sphinx-theme.css"
    theme_css.write_text(trim_icon_css(theme_css.read_text(encoding="utf-8")), encoding="utf-8")
    # Descriptions first, from the TeX (before the math turns into glyph markup).
    described = {p: description(text, lang, fallback_description) for p, text in pages.items()}
    with_math = {p: t for p, t in pages.items() if MATH.search(t)}
    rendered = render_math(with_math, mathjax_modules) if with_math else {}
    if rendered:
        chars = {}
        for _, css in rendered.values():
            for stem, drawn in drawn_chars(css).items():
                chars.setdefault(stem, set()).update(drawn)
        subset_math_fonts(mathjax_modules, html_dir, chars)
    shutil.rmtree(html_dir / "_static" / "mathjax", ignore_errors=True)
    webp_names = webp_images(html_dir)
    formulas, bundles = 0, {}
    for path, text in pages.items():
        css = PAGE_CSS
        if path in rendered:
            formulas += len(MATH.findall(text))
            text, math_css = rendered[path]
            fonts = os.path.relpath(html_dir / FONTS_DIR, path.parent).replace(os.sep, "/")
            css += MATH_CSS + math_css.replace(FONT_MARK, fonts)
        text = defer_scripts(text, doc_options, search_page=path.name == "search.html")
        text = inline_icons(text, icons)
        text = THEME_CSS.sub(r'<link href="\1basic.css" rel="stylesheet" />', text)
        text = bundle_stylesheets(text, path, html_dir / "_static", bundles)
        text = size_images(text, path)
        text = offer_webp(text, webp_names)
        text = add_description(text, described[path])
        text = text.replace("</head>", f'<style id="d2l-inline">{css}</style>\n</head>', 1)
        path.write_text(text, encoding="utf-8")
    return {"pages": len(pages), "formulas": formulas}
