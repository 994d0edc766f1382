"""The website: both editions build with no warnings and show the committed outputs."""
import json
import pathlib
import subprocess
import sys

import pytest

from _browser import guarded_page

REPO = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((REPO / "chapters").glob("*.ipynb"))


# The site and served fixtures (the built website, served on 127.0.0.1) are in conftest.py.


def toc_files():
    import yaml
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def test_every_chapter_is_in_the_toc():
    listed = {f.split("/")[-1] for f in toc_files()}
    assert {p.stem for p in CHAPTERS} == listed


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_built(site, lang):
    for f in toc_files():
        assert (site / lang / f"{f}.html").is_file(), f"{lang}: {f} missing"
    assert (site / "index.html").is_file()


def _markdown_sources(nb_path, tag):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"]
            if c["cell_type"] == "markdown" and tag in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("lang,other", [("en", "zh"), ("zh", "en")])
def test_editions_hold_one_language(site, lang, other):
    for nb_path in CHAPTERS:
        page = (site / lang / "chapters" / f"{nb_path.stem}.html").read_text(encoding="utf-8")
        title = _markdown_sources(nb_path, lang)[0].splitlines()[0].lstrip("# ").strip()
        other_title = _markdown_sources(nb_path, other)[0].splitlines()[0].lstrip("# ").strip()
        assert title in page
        assert f">{other_title}<" not in page, f"{lang} edition of {nb_path.name} shows the {other} title"


def test_pages_show_committed_outputs(site):
    """Every code output a chapter commits reaches its page: images with alt text, text outputs."""
    for nb_path in CHAPTERS:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        page = (site / "en" / "chapters" / f"{nb_path.stem}.html").read_text(encoding="utf-8")
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
            images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if images:
                assert alt, f"{nb_path.name}: a figure cell has no alt text"
                assert f'alt="{alt}"' in page.replace("&quot;", '"'), f"{nb_path.name}: alt text not on the page"
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    first = "".join(out["text"]).strip().splitlines()
                    if first:
                        import html
                        # Pygments writes ' as &#39; in output blocks; compare unescaped text
                        line = html.escape(first[0].strip(), quote=False)[:40]
                        assert line in page.replace("&#39;", "'"), \
                            f"{nb_path.name}: output line {first[0][:40]!r} not on the page"


def test_language_switch_and_chooser(site):
    en = (site / "en" / "chapters" / "06_lenet.html").read_text(encoding="utf-8")
    zh = (site / "zh" / "chapters" / "06_lenet.html").read_text(encoding="utf-8")
    assert "阅读中文版" in en and "Read in English" in zh
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="en/index.html"' in index and 'href="zh/index.html"' in index


def test_pages_load_nothing_from_other_hosts(site):
    """Readers offline or behind a firewall get a complete page: scripts, styles, fonts are local."""
    import re
    for page in (site / "en").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|img)[^>]+src="(?:https?:)?//[^"]+"'
                            r'|<link[^>]+href="(?:https?:)?//[^"]+"[^>]*>', text)
        remote = [r for r in remote if 'rel="canonical"' not in r]
        assert not remote, f"{page.relative_to(site)} loads {remote[:2]}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stepper_works_on_the_built_site(served, browser, lang):
    """The edge-detection stepper of chapter 2 steps on the static page, in the edition's language."""
    import torch

    import d2lcnn
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    steps = d2lcnn.conv_stepper(X, torch.tensor([[1.0, -1.0]])).steps
    problems = []
    page = guarded_page(browser, problems, viewport={"width": 1100, "height": 900})
    page.goto(f"{served}/{lang}/chapters/02_conv_layer.html")
    stepper = page.locator(".d2s").first
    stepper.scroll_into_view_if_needed()
    for _ in range(9):
        stepper.locator("[data-a=next]").click()
    assert stepper.get_attribute("data-lang") == lang
    assert stepper.locator(".d2s-math").text_content() == steps.text(9, lang=lang)
    assert stepper.locator(".d2s-pos").text_content() == f"10 / {6 * 7}"
    shots = REPO / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    stepper.screenshot(path=str(shots / f"stepper_ch2_{lang}.png"))
    page.context.close()
    # Zero page errors: tools/build_book.py removes the duplicate THEBE_JS_URL declaration
    # that Jupyter Book 1 emits on every page.
    assert not problems, problems


@pytest.mark.slow
def test_both_languages_preview_builds(tmp_path):
    """`jupyter-book build .` (the twin-after-twin preview CONTRIBUTING.md mentions) builds with no warnings."""
    subprocess.run([sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(REPO),
                    "-W", "-n", "--path-output", str(tmp_path)], check=True, stdout=subprocess.DEVNULL)
    page = (tmp_path / "_build" / "html" / "chapters" / "06_lenet.html").read_text(encoding="utf-8")
    assert "LeNet: An Early Convolutional Network" in page and "卷积神经网络（LeNet）" in page


def _search(page, served, lang, word):
    """The page names (chapter file stems) that the edition's own search lists for ``word``."""
    from urllib.parse import quote
    page.goto(f"{served}/{lang}/search.html?q={quote(word)}")
    # Results appear one by one; the summary gets its page count (a digit) when the search is done.
    page.wait_for_function("() => /[0-9]/.test((document.querySelector('#search-results p.search-summary')"
                           " || {}).textContent || '')", timeout=30000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
    return {h.split("?")[0].split("#")[0].rsplit("/", 1)[-1].removesuffix(".html") for h in hrefs}


# Each word must find the chapters that teach it (jieba segments the Chinese text; the
# book's terms are in tools/search_terms_zh.txt). 池化 is the common alternative to 汇聚.
SEARCHES = [
    ("zh", "卷积", {"01_fc_to_conv", "02_conv_layer", "03_padding_stride", "04_channels", "05_pooling", "06_lenet"}),
    ("zh", "汇聚", {"05_pooling"}),
    ("zh", "池化", {"05_pooling"}),
    ("zh", "感受野", {"02_conv_layer"}),
    ("zh", "步幅", {"03_padding_stride"}),
    ("en", "padding", {"03_padding_stride"}),
]


@pytest.mark.parametrize("lang,word,expected", SEARCHES)
def test_search_finds_the_chapters_that_teach_a_word(served, browser, lang, word, expected):
    page = browser.new_page()
    found = _search(page, served, lang, word)
    page.close()
    assert expected <= found, f"{lang} search for {word!r} found {sorted(found)}"


def test_every_page_loads_with_no_error_and_no_foreign_request(served, browser):
    """Both editions, every page: no page error, no console error, no failed or external request
    (the math is typeset when the site is built; no page asks for a TeX engine)."""
    problems, count = [], 0
    page = guarded_page(browser, problems)
    for lang in ("en", "zh"):
        for f in toc_files():
            page.goto(f"{served}/{lang}/{f}.html", wait_until="networkidle")
            count += 1
    page.context.close()
    assert count == 2 * len(toc_files())
    assert not problems, problems


def test_front_page_remembers_the_readers_language(served, browser):
    """The front page opens the edition the reader chose last (the switch on any page, or a link on
    index.html#choose), and the browser's language only before any choice."""
    problems = []
    for locale, first in (("en-US", "en"), ("zh-CN", "zh")):
        context = browser.new_context(locale=locale)  # a new context: no stored choice yet
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def front_page_opens(lang):
            # index.html -> LANG/index.html, which sends on to the first chapter
            page.goto(f"{served}/index.html")
            page.wait_for_url(f"**/{lang}/chapters/00_intro.html")

        front_page_opens(first)  # no choice yet: the browser's language
        # The switch opens the same chapter in the other edition ...
        other = "zh" if first == "en" else "en"
        page.goto(f"{served}/{first}/chapters/03_padding_stride.html")
        page.click("a.d2l-lang-switch")
        page.wait_for_url(f"**/{other}/chapters/03_padding_stride.html")
        # ... and the front page now follows that choice, whatever the browser says.
        front_page_opens(other)
        # The chooser's own links are a choice too.
        page.goto(f"{served}/index.html#choose")
        page.click(f"a[data-lang={first}]")
        page.wait_for_url(f"**/{first}/chapters/00_intro.html")
        front_page_opens(first)
        context.close()
    assert not problems, problems


def test_committed_figures_are_images():
    """A figure saved as the text "<Figure size ...>" alone (a kernel run with MPLBACKEND=Agg) shows
    nothing on the website; tools/run_notebooks.py clears MPLBACKEND for the kernel."""
    bare = []
    for nb_path in CHAPTERS:
        for i, cell in enumerate(json.loads(nb_path.read_text(encoding="utf-8"))["cells"]):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "".join(data.get("text/plain", "")).startswith("<Figure size") and "image/png" not in data:
                    bare.append(f"{nb_path.name} cell {i}")
    assert not bare, f"figures saved without an image: {bare}"
