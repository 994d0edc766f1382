"""Read it anywhere (tools/build_editions.py): each edition as a PDF and as an offline copy, linked
from every page.

The PDFs are read with poppler-utils (pdfinfo, pdftotext, pdffonts, pdfimages, pdftohtml for the
outline); the offline copies are unzipped into a temporary folder and opened from disk in
Chromium. The first tests need neither: they check the pieces on small made-up pages.
"""
import html
import io
import pathlib
import re
import subprocess
import sys
import zipfile
from urllib.parse import unquote, urlparse

import pytest

from _browser import guarded_page
from _deps import require_cjk_font, require_program
from _scripts import REPO, load_script

sys.path.insert(0, str(REPO / "tools"))
print_book = load_script("tools/print_book.py")
offline_copy = load_script("tools/offline_copy.py")
build_editions = load_script("tools/build_editions.py")

LANGS = ("en", "zh")
# Words the book teaches, which its text must give back (not boxes, not lost to a missing font).
TERMS = {"en": ("convolution", "pooling", "residual"), "zh": ("卷积", "汇聚", "残差")}
# A Chinese and an English search term per edition: the page they must find.
SEARCHES = {"en": {"convolution": "02_conv_layer", "padding": "03_padding_stride"},
            "zh": {"卷积": "02_conv_layer", "ResNet": "12_resnet"}}


# --- the pieces, on made-up pages --------------------------------------------------------

PAGE = """<html><head><title>t</title></head><body>
<article class="bd-article"><section id="intro"><h1>Title<a class="headerlink" href="#intro">#</a></h1>
<p>See <a href="#part">below</a>, <a href="05_pooling.html#max">max pooling</a>, <a href="05_pooling.html">pooling</a>,
<a href="../_images/fig.png"><img src="../_images/fig.png" loading="lazy" decoding="async"></a>
and <a href="https://example.org/x">a site</a>.</p>
<details><summary>Answer</summary><p>42</p></details>
<div class="d2s d2s-conv" id="d2s-1" data-d2s="d2s-1" data-lang="en" data-auto="1"></div>
<section id="part"><h2>Part</h2></section></section></article>
<a href="https://colab.research.google.com/github/o/n/blob/main/x.ipynb">Colab</a></body></html>"""


def test_a_chapter_in_the_print_document():
    """Ids take the chapter's name; links to a section or a chapter of the book stay inside the PDF;
    links to files of the website go (the PDF has no such file); answers print open; a view prints
    in the edition's language with a line that links to where it can be used."""
    live = print_book.live_link(PAGE, "02_x", "zh", None)
    assert live == "https://colab.research.google.com/github/o/n/blob/main/x.ipynb"
    assert print_book.live_link(PAGE, "02_x", "zh", "https://book.example/") == "https://book.example/zh/chapters/02_x.html"
    body = print_book.chapter_body("02_x", PAGE, "zh", {"02_x", "05_pooling"}, live)
    assert 'id="02_x--intro"' in body and 'href="#02_x--part"' in body
    assert 'href="#05_pooling--max"' in body and 'href="#05_pooling"' in body
    assert "_images/fig.png" in body and 'href="../_images' not in body and "loading=" not in body
    assert 'href="https://example.org/x"' in body and "headerlink" not in body
    assert "<details open" in body
    assert 'data-lang="zh"' in body and "data-auto" not in body and 'id="d2s-1"' in body
    assert f'<p class="d2l-print-live">{print_book.TEXT["zh"]["interactive"]}<a href="{live}">' in body
    assert '<article class="bd-article d2l-print-chapter" id="02_x">' in body


def test_a_chapter_without_a_place_to_use_its_views_is_an_error():
    with pytest.raises(RuntimeError, match="no Colab link"):
        print_book.live_link("<p>no link</p>", "02_x", "en", None)


def test_the_offline_page_links_nowhere_outside_its_folder():
    page = ('<aside class="bd-header-announcement" aria-label="A">\n<a href="../zh/index.html">中文</a>\n</aside>\n'
            '<div class="sidebar-primary-item d2l-downloads"><nav><a href="../downloads/a.zip">zip</a></nav></div>'
            '<ul class="dropdown-menu"><li class="d2l-download"><a href="../downloads/a.pdf">pdf</a></li></ul>'
            '<script>const DOCUMENTATION_OPTIONS = {SHOW_SEARCH_SUMMARY: true}</script>')
    out = offline_copy.offline_page(page)
    assert "../zh/" not in out and "downloads" not in out
    assert "SHOW_SEARCH_SUMMARY: false" in out and '<ul class="dropdown-menu"></ul>' in out


def test_entries_link_the_files_from_every_depth(tmp_path):
    edition = tmp_path / "html" / "en"
    (edition / "chapters").mkdir(parents=True)
    side = build_editions.SIDEBAR_END
    menu = ('<div class="dropdown dropdown-download-buttons"><button></button>'
            '<ul class="dropdown-menu"><li>x</li></ul></div>')
    (edition / "search.html").write_text(f"<html><head></head><body>{side}</div></body></html>", encoding="utf-8")
    (edition / "chapters" / "a.html").write_text(f"<html><head></head><body>{side}</div>{menu}</body></html>",
                                                 encoding="utf-8")
    redirect = '<meta http-equiv="Refresh" content="0; url=chapters/a.html" />'
    (edition / "index.html").write_text(redirect, encoding="utf-8")
    downloads = tmp_path / "html" / "downloads"
    downloads.mkdir()
    files = {"pdf": downloads / "d2lcnn-en.pdf", "zip": downloads / "d2lcnn-en-offline.zip"}
    for path in files.values():
        path.write_bytes(b"x" * 3 * 2**20)
    for _ in range(2):  # a second run replaces the entries
        assert build_editions.add_entries(edition, "en", files) == 2
    chapter = (edition / "chapters" / "a.html").read_text(encoding="utf-8")
    assert chapter.count('href="../../downloads/d2lcnn-en.pdf"') == 2  # sidebar and menu
    assert chapter.count('href="../../downloads/d2lcnn-en-offline.zip"') == 2
    assert "The book as a PDF (3.0 MB)" in chapter
    assert (edition / "search.html").read_text(encoding="utf-8").count('href="../downloads/d2lcnn-en.pdf"') == 1
    with pytest.raises(RuntimeError, match="no left sidebar"):
        (edition / "search.html").write_text("<html><head></head><body></body></html>", encoding="utf-8")
        build_editions.add_entries(edition, "en", files)


def test_doubled_bookmark_titles_are_mended_in_place(tmp_path):
    """Chromium's doubled titles (literal or UTF-16 hexadecimal) are written once, padded with
    spaces so that no byte moves; other titles stay as they are."""
    zh = "汇聚".encode("utf-16-be").hex().upper().encode()
    pdf = tmp_path / "a.pdf"
    original = (b"1 0 obj <</Title (SummarySummary) /Parent 2 0 R>> 3 0 obj <</Title (Exercises)>> "
                b"4 0 obj <</Title <FEFF" + zh + zh + rb">>> 5 0 obj <</Title (a\)a\))>> "
                b"6 0 obj <</Title <FEFF" + zh + b">>>")
    pdf.write_bytes(original)
    assert print_book.undouble_outline(pdf) == 3
    out = pdf.read_bytes()
    assert len(out) == len(original)
    assert b"/Title (Summary       )" in out and b"/Title (Exercises)" in out
    assert b"/Title <FEFF" + zh + b"00200020>" in out and rb"/Title (a\)   )" in out
    assert out.endswith(b"/Title <FEFF" + zh + b">>>")


def test_the_chinese_font_is_a_truetype_subset():
    """Noto Sans CJK SC cut to the characters asked for, with TrueType outlines (which Chromium
    embeds as a named font) of the same advance widths."""
    require_cjk_font()
    from fontTools.ttLib import TTFont
    cjk_font = load_script("tools/cjk_font.py")
    font = TTFont(io.BytesIO(cjk_font.truetype_subset("卷积汇聚", 700)))
    assert "glyf" in font and "CFF " not in font
    cmap = font.getBestCmap()
    assert {ord(c) for c in "卷积汇聚"} <= set(cmap) and ord("残") not in cmap
    assert font["name"].getDebugName(6) == "NotoSansCJKsc-Bold"
    glyph = font["glyf"][cmap[ord("卷")]]
    assert glyph.numberOfContours > 0 and font["hmtx"][cmap[ord("卷")]][0] == 1000


# --- the built PDFs and zips ---------------------------------------------------------------

@pytest.fixture(scope="module")
def editions(site):
    """tools/build_editions.py run on the built website; the downloads folder."""
    for program in ("pdftotext", "pdffonts", "pdfimages", "pdfinfo", "pdftohtml"):
        require_program(f"/usr/bin/{program}", "poppler-utils")
    subprocess.run([sys.executable, str(REPO / "tools" / "build_editions.py")], check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL)
    return site / "downloads"


def squash(text):
    return re.sub(r"\s+", "", text)


def poppler(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_holds_every_chapter_in_order(site, editions, lang):
    """Page count, a table of contents naming every chapter with the page it starts on, the same
    chapters as bookmarks (the outline), numbered pages."""
    pdf = editions / build_editions.pdf_name(lang)
    assert pdf.stat().st_size <= build_editions.PDF_BUDGET
    pages = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", str(pdf))).group(1))
    titles = print_book.chapter_titles(site / lang, lang)
    assert pages > 8 * len(titles), f"{pages} pages for {len(titles)} chapters"
    starts = print_book.chapter_pages(pdf, titles)  # raises unless every chapter starts a page, in order
    texts = print_book.page_texts(pdf)
    contents = " ".join(texts[1:3])
    for stem, title in titles.items():
        line = re.search(re.escape(title) + r"\s+(\d+)", contents)
        assert line, f"{title!r} is not in the table of contents"
        assert int(line.group(1)) == starts[stem], f"{title!r}: listed on {line.group(1)}, starts on {starts[stem]}"
    outline = poppler("pdftohtml", "-xml", "-i", "-stdout", "-f", "1", "-l", "1", str(pdf))
    # (pdftohtml joins a title's wrapped lines without a space: compare without spaces)
    bookmarks = [squash(html.unescape(b)) for b in re.findall(r'<item page="\d+">(.*?)</item>', outline)]
    for title in titles.values():
        assert squash(title) in bookmarks, f"{title!r} is not a bookmark"
    doubled = [b for b in bookmarks if len(b) > 6 and b[:len(b) // 2] == b[len(b) // 2:]]
    assert not doubled, doubled
    # The footer numbers every page: the last line of a page is its number.
    for number in (5, pages // 2, pages):
        assert texts[number - 1].strip().splitlines()[-1].strip() == str(number)


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_text_is_real_text_in_embedded_fonts(editions, lang):
    """Every font embedded; the book's terms extractable; no missing glyph (a box, a replacement
    character, Chromium's last-resort font); Chinese in a named Noto Sans CJK font."""
    pdf = editions / build_editions.pdf_name(lang)
    fonts = poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts
    for row in fonts:
        assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row), row
        emb = row.split()[-5]
        assert emb == "yes", f"a font not embedded: {row}"
        assert "LastResort" not in row and "notdef" not in row.lower(), row
    # Chinese (the whole Chinese edition; the English glossary's Chinese terms) in a named, embedded
    # Noto Sans CJK subset (tools/cjk_font.py), regular and bold; the math's fonts are Type 3 drawings.
    for weight in ("Regular", "Bold") if lang == "zh" else ("Regular",):  # no bold Chinese in the English one
        assert any(re.match(rf"[A-Z]{{6}}\+NotoSansCJKsc-{weight}\s", row) for row in fonts), (weight, fonts[:20])
    text = poppler("pdftotext", str(pdf), "-")
    flat = squash(text).lower()
    for term in TERMS[lang]:
        assert term in flat, f"{term!r} not found in the {lang} PDF's text"
    for bad in ("\u25a1", "\ufffd", "\x00"):
        assert bad not in text, f"{bad!r} in the {lang} PDF's text"


def article_images(site, lang):
    """The distinct raster figures (PNG, JPEG, WebP) of the edition's chapter articles."""
    found = set()
    for page in (site / lang / "chapters").glob("*.html"):
        article = print_book.article_of(page.read_text(encoding="utf-8"))
        for src in re.findall(r'<img\b[^>]*\bsrc="([^"]+)"', article):
            if not src.endswith(".svg"):
                found.add(src.rsplit("/", 1)[-1])
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_holds_every_figure_and_view(site, editions, lang):
    """At least as many images as the chapters have raster figures (the print stops on any figure
    that fails to load, SVG ones too), and a line to the live page under every interactive view."""
    pdf = editions / build_editions.pdf_name(lang)
    rows = [row.split() for row in poppler("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    # pdfimages -list: page, num, type, ..., object number (column 11); a figure drawn twice is one
    # object, and an image's transparency is an "smask" of its own.
    objects = {row[10] for row in rows if row[2] == "image"}
    figures = article_images(site, lang)
    assert figures and len(objects) >= len(figures), (len(objects), len(figures))
    views = sum(len(re.findall(r"\bdata-d2[sq]=", print_book.article_of(p.read_text(encoding="utf-8"))))
                for p in (site / lang / "chapters").glob("*.html"))
    flat = squash(poppler("pdftotext", str(pdf), "-"))
    lines = sum(flat.count(squash(print_book.TEXT[lang][k])) for k in ("interactive", "question"))
    assert views and lines == views, (lines, views)


@pytest.fixture(scope="module")
def unzipped(editions, tmp_path_factory):
    """Each edition's offline copy, unzipped into a temporary folder: {lang: its index.html}."""
    out = {}
    for lang in LANGS:
        archive = editions / build_editions.zip_name(lang)
        assert archive.stat().st_size <= build_editions.ZIP_BUDGET
        folder = tmp_path_factory.mktemp(f"offline-{lang}")
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(folder)
        out[lang] = folder / f"d2lcnn-{lang}" / "index.html"
    return out


# Start every view (steppers near the screen, look-inside's numbers from their file) and wait for it.
START_VIEWS = """async () => {
  const lib = window.d2lcnnStepper;
  await Promise.all([...document.querySelectorAll('[data-d2s]')].map(root => lib.start(root)));
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_the_offline_copy_works_from_disk(unzipped, browser, lang):
    """Every page opened from file:// loads with no failed request, console error or page error,
    its views started; every link to a file of the copy finds it; search finds a Chinese and an
    English term."""
    index = unzipped[lang]
    root = index.parent
    problems = []
    page = guarded_page(browser, problems)
    pages = sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts
                   and "</head>" in p.read_text(encoding="utf-8"))  # not the one-line redirects
    assert len(pages) > 15
    for path in pages:
        page.goto(path.as_uri())
        assert page.url.startswith("file://"), page.url
        if page.locator("[data-d2s]").count():
            page.evaluate(START_VIEWS)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy figures load
        page.wait_for_load_state("load")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            if href.startswith("file://"):
                target = pathlib.Path(unquote(urlparse(href).path))
                assert target.exists(), f"{path.name}: {href} is missing"
    for term, stem in SEARCHES[lang].items():
        page.goto(f"{(root / 'search.html').as_uri()}?q={term}")
        page.locator("#search-results li").first.wait_for(timeout=60000)
        found = page.eval_on_selector_all("#search-results li a", "els => els.map(a => a.href)")
        assert any(f"/chapters/{stem}.html" in href for href in found), f"{term!r}: {found[:5]}"
    page.context.close()
    assert not problems, problems


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_the_downloads(site, editions, lang):
    """A "Read offline" entry on every page of the website, whose links find the files."""
    for page in sorted((site / lang).rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "_static" in page.relative_to(site / lang).parts or "</head>" not in text:
            continue
        entry = re.search(r'<div class="sidebar-primary-item d2l-downloads">(.*?)</div>', text, re.S)
        assert entry, f"{page.name}: no download entry"
        hrefs = re.findall(r'href="([^"]+)"', entry.group(1))
        assert len(hrefs) == 2
        for href in hrefs:
            assert (page.parent / html.unescape(href)).resolve().is_file(), f"{page.name}: {href}"
