#!/usr/bin/env python3
"""Read it anywhere: each edition of the built website as a PDF and as an offline copy.

    python3 tools/build_book.py        # the website, first (_build/html/en, _build/html/zh)
    python3 tools/build_editions.py    # then the PDFs and zips, linked from every page

writes, beside the two editions,

    _build/html/downloads/d2lcnn-en.pdf           the English edition as a PDF (tools/print_book.py)
    _build/html/downloads/d2lcnn-zh.pdf           the Chinese edition as a PDF
    _build/html/downloads/d2lcnn-en-offline.zip   the English website, opened from disk (tools/offline_copy.py)
    _build/html/downloads/d2lcnn-zh-offline.zip   the Chinese website

and adds a "Read offline" entry to every page of both editions (in the left sidebar, and in the
"download this page" menu of the chapter pages) with their sizes. The entry links to these files
on the same host: it makes no request of its own, so the pages' first-visit weight is unchanged.
Run it again after every ``tools/build_book.py`` (which writes the pages without the entry).

Measured on 2 CPU cores shared with other jobs (December 2026): the English PDF 254 pages,
11.7 MB, in 105 s; the Chinese one 236 pages, 12.4 MB, in 90 s (each two prints, the second with
the contents' page numbers, and the Chinese font subset); the zips 5.7 MB and 6.3 MB, in about
a second each. So this is a command of its own rather than part of tools/build_book.py (whose
site every test session builds). Budgets, checked here: 25 MB per PDF, 30 MB per zip. The entry
adds under 200 bytes (gzip) to a page.

The PDF route, chosen by measurement: Chromium's ``page.pdf`` (Playwright, Debian's
/usr/bin/chromium) over the chapter pages the website build has already made, about 50 s per
print of an edition; the pages' math (typeset at build time), figures, tables and interactive
views print as the website shows them.
Sphinx's LaTeX route (xelatex, xeCJK for the Chinese edition) would need 139 Debian packages,
about 500 MB of downloads (texlive-xetex, texlive-lang-chinese, latexmk, texlive-latex-extra),
a second Sphinx build per edition, and would drop the interactive views and the HTML outputs.
Sphinx's ``singlehtml`` builder would add a Sphinx build per edition (the website's build of one
edition took 55 s here) and a second typesetting of its math; the chapter pages are built already.

Options: ``--lang en|zh`` (repeatable) builds one edition; ``--web-url URL`` is the address the
website is published at (the PDF's interactive views link to their page there; without it they
link to the chapter in Colab).
"""
import argparse
import html
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import build_book  # the edition titles and the build folder
import offline_copy
import print_book

HTML = build_book.BUILD / "html"
DOWNLOADS = HTML / "downloads"
PDF_BUDGET = 25 * 2**20
ZIP_BUDGET = 30 * 2**20

LABELS = {
    "en": {"title": "Read offline", "pdf": "The book as a PDF", "zip": "Offline copy of this website (zip)"},
    "zh": {"title": "离线阅读", "pdf": "全书 PDF", "zip": "本网站的离线版（zip）"},
}


def pdf_name(lang):
    return f"d2lcnn-{lang}.pdf"


def zip_name(lang):
    return f"d2lcnn-{lang}-offline.zip"


def megabytes(size):
    return f"{size / 2**20:.1f} MB"


def pages(edition):
    return sorted(p for p in pathlib.Path(edition).rglob("*.html") if "_static" not in p.relative_to(edition).parts)


SIDEBAR_END = '<div class="sidebar-primary-items__end sidebar-primary__section">'
DROPDOWN = re.compile(r'(<div class="dropdown dropdown-download-buttons">.*?<ul class="dropdown-menu">)', re.S)


def add_entries(edition, lang, files):
    """Link ``files`` ({"pdf": path, "zip": path}) from every page of ``edition``: a "Read offline"
    list at the end of the left sidebar and, where a page has one, two items of its download menu.
    Pages that already link them are updated; returns the number of pages."""
    labels, count = LABELS[lang], 0
    for page in pages(edition):
        text = page.read_text(encoding="utf-8")
        if "</head>" not in text:
            continue  # the edition's index.html: a one-line redirect
        links = {kind: (os.path.relpath(path, page.parent).replace(os.sep, "/"),
                        f"{labels[kind]} ({megabytes(path.stat().st_size)})") for kind, path in files.items()}
        items = "".join(f'<li class="toctree-l1"><a class="reference download internal" '
                        f'href="{html.escape(href)}" download>{html.escape(label)}</a></li>'
                        for href, label in links.values())
        title = labels["title"]
        sidebar = (f'<div class="sidebar-primary-item d2l-downloads"><nav class="bd-links" aria-label="{title}">'
                   f'<p class="caption" role="heading" aria-level="3"><span class="caption-text">{title}</span></p>'
                   f'<ul class="nav bd-sidenav">{items}</ul></nav></div>')
        menu = "".join(f'<li class="d2l-download"><a href="{html.escape(href)}" download '
                       f'class="btn btn-sm dropdown-item"><span class="btn__text-container">{html.escape(label)}'
                       f"</span></a></li>" for href, label in links.values())
        text = offline_copy.DOWNLOAD_ENTRY.sub("", text)  # a second run replaces them
        if SIDEBAR_END not in text:
            raise RuntimeError(f"{page}: no left sidebar to put the downloads in (theme changed?)")
        text = text.replace(SIDEBAR_END, SIDEBAR_END + sidebar, 1)
        text = DROPDOWN.sub(lambda m: m.group(1) + menu, text, count=1)
        page.write_text(text, encoding="utf-8")
        count += 1
    return count


def build(lang, web_url=None):
    """The PDF and the zip of one built edition, linked from its pages; returns a summary dict."""
    edition = HTML / lang
    if not (edition / "chapters").is_dir():
        raise SystemExit(f"{edition} is not built: run python3 tools/build_book.py first")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # A snapshot: the PDF and the zip are made from the same pages, whatever rebuilds the site meanwhile.
        snapshot = pathlib.Path(tmp) / lang
        shutil.copytree(edition, snapshot)
        started = time.monotonic()
        pdf = print_book.build_pdf(snapshot, lang, build_book.LANGS[lang]["title"], DOWNLOADS / pdf_name(lang), web_url)
        zipped = offline_copy.build_zip(snapshot, lang, DOWNLOADS / zip_name(lang))
        zipped["seconds"] = round(time.monotonic() - started - pdf["seconds"], 1)
    for kind, made, budget in (("PDF", pdf, PDF_BUDGET), ("zip", zipped, ZIP_BUDGET)):
        if made["bytes"] > budget:
            raise RuntimeError(f"the {lang} {kind} is {megabytes(made['bytes'])}, "
                               f"over its budget of {megabytes(budget)}")
    linked = add_entries(edition, lang, {"pdf": DOWNLOADS / pdf_name(lang), "zip": DOWNLOADS / zip_name(lang)})
    return {"pdf": pdf, "zip": zipped, "linked_pages": linked}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=sorted(build_book.LANGS), action="append",
                        help="this edition only (repeatable); default: both")
    parser.add_argument("--web-url", help="where the website is published (https://HOST/PATH, holding en/ and zh/)")
    args = parser.parse_args(argv)
    if args.web_url and not re.fullmatch(r"https?://\S+", args.web_url):
        parser.error(f"--web-url must be an http(s) address, not {args.web_url!r}")
    for lang in args.lang or sorted(build_book.LANGS):
        done = build(lang, args.web_url)
        pdf, zipped = done["pdf"], done["zip"]
        print(f"{lang}: {pdf['pdf']}: {pdf['pages']} pages, {megabytes(pdf['bytes'])}, {pdf['views']} interactive "
              f"views, {pdf['seconds']} s")
        print(f"{lang}: {zipped['zip']}: {zipped['files']} files, {megabytes(zipped['bytes'])}, {zipped['seconds']} s")
        print(f"{lang}: linked from {done['linked_pages']} pages")


if __name__ == "__main__":
    main()
