"""One edition of the built website as a PDF (run by tools/build_editions.py).

The route: the edition's built chapter pages (tools/build_book.py; their math is typeset already,
by tools/fast_pages.py) are joined into one print document, which Debian's Chromium prints
through Playwright's ``page.pdf``. The document is:

* a title page, a table of contents (parts and chapters, each a link, with the page it starts
  on), then every chapter of ``_toc.yml`` in order, each from a new page;
* each chapter's ``<article>`` as the website shows it, its ids prefixed with the chapter's name
  (every chapter has an "Exercises" section), its links to other chapters turned into links
  inside the PDF, and links to files of the website (the figures' full-size PNGs) dropped;
  the exercises' answers (``<details>``) printed open;
* the site's stylesheet bundle, every page's MathJax rules (the formulas are CHTML drawn with
  MathJax's WOFF2 fonts, which the PDF embeds) and tools/site/print/print.css; Chinese text in
  Noto Sans CJK SC made TrueType for the occasion (tools/cjk_font.py), so the PDF embeds it as
  a named font;
* the interactive views (``[data-d2s]``: steppers, look-inside) drawn by the steppers' engine,
  the document's one script, in their first state, and the check-yourself questions
  (``[data-d2q]``) as their markup shows them; their controls are hidden and a line under each
  links to the page where it can be used (``web_url``, else the chapter in Colab).

The table of contents gets its page numbers in a second print: the first print tells on which
page each chapter starts (``pdftotext`` of poppler-utils), and the numbers fill room reserved
for them, so they move nothing. Chromium writes the outline (PDF bookmarks) from the headings
and a page number into each footer (undouble_outline mends a Chromium slip in the former).
"""
import contextlib
import functools
import html
import http.server
import pathlib
import re
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlparse

import cjk_font  # tools/: the build tools import each other by module name
import yaml
from bs4 import BeautifulSoup

ROOT = pathlib.Path(__file__).resolve().parents[1]
PRINT_CSS = ROOT / "tools" / "site" / "print" / "print.css"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
# Served beside the chapter pages, so that their relative links to ../_images and ../_static hold.
DOC_PATH = "chapters/__print__.html"
# Where the document finds its Chinese font (tools/site/print/print.css names these paths).
CJK_FONT = "/__print__/cjk-{weight}.ttf"

TEXT = {
    "en": {"contents": "Contents", "subtitle": "A hands-on, bilingual textbook",
           "edition": "English edition · printable copy of the website",
           "interactive": "Interactive view, printed in its first state; use it on the web page: ",
           "question": "Check your answer on the web page: ",
           "source": "Source and notebooks: "},
    "zh": {"contents": "目录", "subtitle": "动手学卷积神经网络 · 双语教材",
           "edition": "中文版 · 网站的可打印版本",
           "interactive": "交互视图，此处印出的是它的初始状态；请在网页上使用：",
           "question": "请在网页上核对答案：",
           "source": "源代码与笔记本："},
}


def chapter_list(lang):
    """[(part caption or None, [chapter stem, ...])] in the order of ``_toc.yml``, the root first."""
    from build_book import caption_for  # the one place that splits "English | 中文" captions
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    parts = [(None, [pathlib.PurePath(toc["root"]).name])]
    for part in toc.get("parts", []):
        parts.append((caption_for(part["caption"], lang),
                      [pathlib.PurePath(c["file"]).name for c in part["chapters"]]))
    return parts


def article_of(page):
    """The <article> of a built page."""
    start = page.index('<article class="bd-article"')
    return page[start:page.index("</article>", start) + len("</article>")]


def title_of(article_html):
    """The text of an article's first heading."""
    h1 = re.search(r"<h1>(.*?)</h1>", article_html, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<a class="headerlink".*?</a>', "", h1.group(1)))).strip()


# The roots of the interactive views: steppers and look-inside (d2lcnn/widgets/render.py), questions (quiz.py).
INTERACTIVE = "[data-d2s], [data-d2q]"
def chapter_titles(edition, lang):
    """{stem: title} of the edition's chapters, in the order of the table of contents."""
    stems = [s for _, chapter_stems in chapter_list(lang) for s in chapter_stems]
    return {s: title_of(article_of((pathlib.Path(edition) / "chapters" / f"{s}.html").read_text(encoding="utf-8")))
            for s in stems}


CHAPTER_LINK = re.compile(r"^(?:\.\./chapters/)?([\w-]+)\.html(?:#(.*))?$")


def chapter_body(stem, page, lang, stems, live_url):
    """The print markup of one chapter page: its article, ids and links made document-wide."""
    soup = BeautifulSoup(article_of(page), "html.parser")
    for tag in soup.select("a.headerlink"):
        tag.decompose()
    # A view's own ids stay: its engine finds its numbers by them, and they are unique (content hashes).
    own = {id(tag) for root in soup.select(INTERACTIVE) for tag in [root, *root.find_all(id=True)]}
    for tag in soup.find_all(id=True):
        if id(tag) not in own:
            tag["id"] = f"{stem}--{tag['id']}"
    for a in soup.find_all("a", href=True):
        href = a["href"]
        link = CHAPTER_LINK.match(href)
        if href.startswith("#"):
            a["href"] = f"#{stem}--{href[1:]}"
        elif link and link.group(1) in stems:
            a["href"] = f"#{link.group(1)}--{link.group(2)}" if link.group(2) else f"#{link.group(1)}"
        elif not urlparse(href).scheme:
            a.unwrap()  # a file of the website (a figure's PNG, a source): no target in the PDF
    for img in soup.find_all("img"):
        for attr in ("loading", "decoding"):
            img.attrs.pop(attr, None)
    for details in soup.find_all("details"):
        details["open"] = ""
    for root in soup.select(INTERACTIVE):
        root["data-lang"] = lang  # the view's labels in the edition's language, whatever it was saved in
        root.attrs.pop("data-auto", None)
        note = soup.new_tag("p", attrs={"class": "d2l-print-live"})
        note.append(TEXT[lang]["question" if root.has_attr("data-d2q") else "interactive"])
        anchor = soup.new_tag("a", href=live_url)
        anchor.string = live_url
        note.append(anchor)
        root.insert_after(note)
    article = soup.find("article")
    article["class"] = "bd-article d2l-print-chapter"
    article["id"] = stem
    return str(article)


def page_styles(pages):
    """The stylesheet links (in first-seen order) and the inline <style> blocks of the pages."""
    links, inline = [], []
    for page in pages:
        head = page[:page.index("</head>")]
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', head):
            if href not in links:
                links.append(href)
        for css in re.findall(r'<style id="d2l-inline">(.*?)</style>', head, re.S):
            if css not in inline:
                inline.append(css)
    return links, inline


def live_link(page, stem, lang, web_url):
    """Where a reader can use a chapter's interactive views: the website's page, else Colab."""
    if web_url:
        return f"{web_url.rstrip('/')}/{lang}/chapters/{stem}.html"
    colab = re.search(r'href="(https://colab\.research\.google\.com/[^"]+)"', page)
    if not colab:
        raise RuntimeError(f"{stem}: no Colab link on the page and no web_url to link its interactive views to")
    return html.unescape(colab.group(1))


def print_document(edition, lang, title, page_numbers=None, web_url=None):
    """The whole edition as one HTML document (a string), to be served at ``DOC_PATH``.

    ``page_numbers``: {chapter stem: first page}, written into the table of contents; without it
    the room for the numbers is kept empty.
    """
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    parts = chapter_list(lang)
    stems = [s for _, chapter_stems in parts for s in chapter_stems]
    pages = {s: (pathlib.Path(edition) / "chapters" / f"{s}.html").read_text(encoding="utf-8") for s in stems}
    links, inline = page_styles(pages.values())
    bodies = [chapter_body(s, pages[s], lang, set(stems), live_link(pages[s], s, lang, web_url)) for s in stems]
    titles = {s: title_of(article_of(pages[s])) for s in stems}
    t = TEXT[lang]
    toc = []
    for caption, chapter_stems in parts:
        items = "".join(
            f'<li><a href="#{s}"><span class="d2l-toc-title">{html.escape(titles[s])}</span>'
            f'<span class="d2l-toc-page">{(page_numbers or {}).get(s, "")}</span></a></li>'
            for s in chapter_stems)
        head = f'<p class="d2l-toc-part">{html.escape(caption)}</p>' if caption else ""
        toc.append(f"<li>{head}<ol>{items}</ol></li>")
    repo = config.get("repository", {}).get("url", "")
    css_links = "".join(f'<link rel="stylesheet" href="{href}" />' for href in links)
    styles = "".join(f"<style>{css}</style>" for css in inline)
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}" data-theme="light" data-d2l-print="{lang}">
<head><meta charset="utf-8" /><title>{html.escape(title)}</title>
{css_links}{styles}<style>{PRINT_CSS.read_text(encoding="utf-8")}</style></head>
<body><div class="bd-main"><div class="bd-content"><div class="bd-article-container">
<section class="d2l-print-title">
<p class="d2l-print-book">{html.escape(title)}</p>
<p class="d2l-print-subtitle">{html.escape(t["subtitle"])}</p>
<p class="d2l-print-edition">{html.escape(t["edition"])}</p>
<p class="d2l-print-author">{html.escape(str(config.get("author", "")))}</p>
<p class="d2l-print-source">{html.escape(t["source"])}<a href="{html.escape(repo)}">{html.escape(repo)}</a></p>
</section>
<nav class="d2l-print-toc"><h1 id="contents">{html.escape(t["contents"])}</h1><ol>{"".join(toc)}</ol></nav>
{"".join(bodies)}
</div></div></div>
<script src="../_static/d2lcnn-stepper.js"></script>
</body></html>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder):
    """The folder on 127.0.0.1 (a free port); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# Start every interactive view (the engine boots them on load; a view starts when it comes near the
# screen, which a print never scrolls to) and wait for the numbers a view fetches and for the fonts.
START_VIEWS = """async () => {
  const lib = window.d2lcnnStepper, roots = [...document.querySelectorAll('[data-d2s]')];
  if (roots.length && !lib) throw new Error('the steppers engine did not load');
  await Promise.all(roots.map(root => lib.start(root)));
  await document.fonts.ready;
  return roots.length;
}"""

FOOTER = ('<div style="width:100%;font-size:8px;color:#555;text-align:center;'
          'font-family:\'DejaVu Sans\',\'Noto Sans CJK SC\',sans-serif"><span class="pageNumber"></span></div>')


def render(browser, base_url, document, out_pdf, fonts):
    """Print ``document`` (served at ``DOC_PATH`` of ``base_url``, with ``fonts``: {URL path:
    TrueType bytes}) to ``out_pdf``; returns the number of interactive views drawn. Any request
    that fails, or leaves 127.0.0.1, stops it."""
    problems = []
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(600_000)  # a book of some 200 pages, on a busy machine

    def route(request_route):
        url = request_route.request.url
        if urlparse(url).path == "/" + DOC_PATH:
            request_route.fulfill(body=document, content_type="text/html; charset=utf-8")
        elif urlparse(url).path in fonts:
            request_route.fulfill(body=fonts[urlparse(url).path], content_type="font/ttf")
        elif urlparse(url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            problems.append(f"external request: {url}")
            request_route.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(f"{base_url}/{DOC_PATH}", wait_until="load", timeout=600_000)
    views = page.evaluate(START_VIEWS)
    if problems:
        raise RuntimeError("printing the book failed:\n" + "\n".join(problems[:20]))
    page.pdf(path=str(out_pdf), format="A4", print_background=True, outline=True, tagged=True,
             display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
             margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
    context.close()
    return views


def page_texts(pdf):
    """The text of each page of ``pdf`` (poppler's pdftotext)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    return out.stdout.split("\f")


def _squash(text):
    return re.sub(r"\s+", "", text)


def chapter_pages(pdf, titles):
    """{stem: page number} where each chapter (``titles``: stem -> title, in order) starts: the
    first page after the previous chapter's whose first line is the chapter's title."""
    texts = page_texts(pdf)
    found, page = {}, 1
    for stem, title in titles.items():
        want = _squash(title)[:30]
        while page <= len(texts):
            lines = [line for line in texts[page - 1].splitlines() if line.strip()]
            if lines and _squash(" ".join(lines[:3])).startswith(want):
                found[stem] = page
                break
            page += 1
        else:
            raise RuntimeError(f"chapter {stem} ({title!r}) not found in {pdf}")
    return found


# A bookmark's title: a literal (string) or a hexadecimal <string>, UTF-16 when it starts with FEFF.
OUTLINE_TITLE = re.compile(rb"/Title\s*(\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f]*>)")


def undouble_outline(pdf):
    """Write each bookmark title that Chromium doubled ("SummarySummary") once; returns how many.

    Chromium repeats the text of a heading that the layout moved to the top of the next page in
    the heading's bookmark. The title is rewritten in place, its second half blanked with spaces,
    so that no byte offset of the PDF moves (its cross-reference table stays right).
    """
    data = pathlib.Path(pdf).read_bytes()
    fixed = 0

    def once(match):
        nonlocal fixed
        raw = match.group(1)
        opening, body, closing = raw[:1], raw[1:-1], raw[-1:]
        unit, blank = (4, b"0020") if opening == b"<" and body[:4].upper() == b"FEFF" else (1, b" ")
        if opening == b"<":
            if unit == 1:
                return match.group(0)  # a hexadecimal title in a one-byte encoding: not Chromium's
            opening, body = b"<FEFF", body[4:]
        half = len(body) // 2
        if not body or len(body) % (2 * unit) or body[:half] != body[half:]:
            return match.group(0)
        fixed += 1
        new = opening + body[:half] + blank * (half // unit) + closing
        return match.group(0)[:match.start(1) - match.start(0)] + new

    out = OUTLINE_TITLE.sub(once, data)
    assert len(out) == len(data)
    pathlib.Path(pdf).write_bytes(out)
    return fixed


def build_pdf(edition, lang, title, out_pdf, web_url=None):
    """Print one built edition (``_build/html/<lang>``) to ``out_pdf``; returns a summary dict."""
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    edition = pathlib.Path(edition)
    titles = chapter_titles(edition, lang)
    with serve(edition) as base_url, sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            draft = pathlib.Path(tmp) / "draft.pdf"
            document = print_document(edition, lang, title, web_url=web_url)
            # Chinese in a TrueType subset (tools/cjk_font.py), named and embedded as a font in the PDF.
            fonts = {CJK_FONT.format(weight=w): cjk_font.truetype_subset(set(document) | set("0123456789"), w)
                     for w in cjk_font.WEIGHTS}
            render(browser, base_url, document, draft, fonts)
            numbers = chapter_pages(draft, titles)
            views = render(browser, base_url, print_document(edition, lang, title, numbers, web_url), out_pdf, fonts)
        finally:
            browser.close()
    undouble_outline(out_pdf)
    if chapter_pages(out_pdf, titles) != numbers:
        raise RuntimeError("the page numbers moved the chapters: the table of contents would be wrong")
    return {"pdf": out_pdf, "pages": len(page_texts(out_pdf)) - 1, "chapters": numbers, "views": views,
            "bytes": pathlib.Path(out_pdf).stat().st_size, "seconds": round(time.monotonic() - started, 1)}
