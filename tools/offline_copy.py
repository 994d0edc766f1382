"""One edition of the built website as a zip that works opened from disk (run by
tools/build_editions.py).

Unzipped, ``d2lcnn-<lang>/index.html`` opens the book in a browser from ``file://``: the pages
already carry their math typeset, their icons inline and every file they load beside them
(tools/fast_pages.py), the search page loads its index with a <script> (Sphinx's searchtools),
and the steppers' engine reads its payloads without fetch (d2lcnn/widgets/site.py). The copy
leaves out what no page of it uses or reaches:

* the search results' page summaries: Sphinx's search fetches each result's page to quote it,
  and a browser refuses fetch on ``file://``; the results list the pages and their sections;
* the link to the other edition (the announcement bar) and the downloads menu entries of
  tools/build_editions.py: both point outside this one edition's folder;
* source maps, the theme's icon script (fast_pages draws the icons inline) and the TTF copies
  of icon fonts that exist as WOFF2 too.
"""
import pathlib
import re
import shutil
import tempfile
import zipfile

ANNOUNCEMENT = re.compile(r'[ \t]*<aside class="bd-header-announcement"[^>]*>.*?</aside>\n?', re.S)
# The "Read offline" entries that tools/build_editions.py adds to a page (sidebar and menu).
DOWNLOAD_ENTRY = re.compile(r'<div class="sidebar-primary-item d2l-downloads">.*?</div>|'
                            r'<li class="d2l-download">.*?</li>', re.S)
SEARCH_SUMMARY = "SHOW_SEARCH_SUMMARY: true"
# Fixed file times: the same site gives the same zip.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def unused(path):
    """Files of the built site that no page of the offline copy loads."""
    name = path.name
    return (name.endswith(".map") or name.startswith("fontawesome.js")
            or (path.suffix == ".ttf" and path.with_suffix(".woff2").exists()))


def offline_page(text):
    """A page of the offline copy: no links out of the edition's folder."""
    text = DOWNLOAD_ENTRY.sub("", ANNOUNCEMENT.sub("", text))
    return text.replace(SEARCH_SUMMARY, "SHOW_SEARCH_SUMMARY: false")


def build_zip(edition, lang, out_zip):
    """Zip the built edition ``edition`` (``_build/html/<lang>``) as ``d2lcnn-<lang>/``; returns
    a summary dict (files, bytes)."""
    edition, out_zip = pathlib.Path(edition), pathlib.Path(out_zip)
    folder = f"d2lcnn-{lang}"
    with tempfile.TemporaryDirectory() as tmp:
        part = pathlib.Path(tmp) / out_zip.name
        count = 0
        with zipfile.ZipFile(part, "w") as zf:
            for path in sorted(edition.rglob("*")):
                if not path.is_file() or unused(path):
                    continue
                name = f"{folder}/{path.relative_to(edition).as_posix()}"
                data = path.read_bytes()
                if path.suffix == ".html":
                    data = offline_page(data.decode("utf-8")).encode("utf-8")
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data, compresslevel=9)
                count += 1
        out_zip.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(part, out_zip)
    return {"zip": out_zip, "files": count, "bytes": out_zip.stat().st_size}
