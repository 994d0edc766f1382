"""The repository's and the site's addresses live in one place (_config.yml); everything that names them agrees.

tools/set_repo_url.py writes them into the chapters' Colab install cells (and their one-language
copies) and the README's links; tools/build_book.py gives each edition's pages their canonical
address under the site's.
"""
import json
import pathlib
import shutil

import pytest

from _scripts import load_script

REPO = pathlib.Path(__file__).resolve().parents[1]
SAMPLE_NOTEBOOKS = ["chapters/06_lenet.ipynb", "notebooks/en/chapters/06_lenet.ipynb",
                    "notebooks/zh/chapters/06_lenet.ipynb"]


def _tool():
    return load_script("tools/set_repo_url.py")


def test_every_address_follows_the_config():
    problems = _tool().disagreements()
    assert not problems, "\n".join(problems) + "\nrun python3 tools/set_repo_url.py"


def test_install_cells_use_the_configured_repository():
    tool = _tool()
    url = tool.configured_url()
    chapters = sorted((REPO / "chapters").glob("*.ipynb"))
    wrong = {p.name: tool.install_urls(p) for p in chapters if any(u != url for u in tool.install_urls(p))}
    assert not wrong, f"install cells disagree with _config.yml's {url}: {wrong}; run python3 tools/set_repo_url.py"
    with_install = [p.name for p in chapters if tool.install_urls(p)]
    assert len(with_install) >= len(chapters) - 2  # every chapter but the introduction and the glossary
    for lang in ("en", "zh"):
        copies = sorted((REPO / "notebooks" / lang / "chapters").glob("*.ipynb"))
        assert sum(bool(tool.install_urls(p)) for p in copies) == len(with_install), lang


def test_a_github_repository_is_published_at_its_pages_address():
    tool = _tool()
    repo, site = tool.configured()
    if site.split("/")[2].endswith(".github.io"):
        assert site == tool.github_pages_site(repo), "run python3 tools/set_repo_url.py to derive html.baseurl"


def test_the_readme_links_both_editions_and_colab():
    tool = _tool()
    addr = tool.addresses(*tool.configured())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert addr["en"] in readme and addr["zh"] in readme
    assert addr["colab"] + "notebooks/en/chapters/" in readme


def _copy(tmp_path):
    for rel in ["_config.yml", "README.md", *SAMPLE_NOTEBOOKS]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, tmp_path / rel)
    return tmp_path


def test_set_addresses_moves_every_place_together(tmp_path, monkeypatch):
    monkeypatch.setenv("D2LCNN_NB_LOCK", str(tmp_path / "nb.lock"))
    tool, root = _tool(), _copy(tmp_path)
    old_repo, old_site = tool.configured(root)
    before = {rel: (root / rel).read_text(encoding="utf-8") for rel in SAMPLE_NOTEBOOKS}

    assert tool.set_addresses(old_repo, old_site, root=root) == []  # re-applying the current values writes nothing
    changed = tool.set_addresses("https://github.com/Some-One/cnn-book", root=root)
    assert {"_config.yml", "README.md", *SAMPLE_NOTEBOOKS} == set(changed)
    assert tool.configured(root) == ("https://github.com/Some-One/cnn-book", "https://some-one.github.io/cnn-book/")
    assert tool.disagreements(root) == []
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert old_repo not in readme and old_site not in readme
    assert "https://some-one.github.io/cnn-book/zh/" in readme
    assert "https://colab.research.google.com/github/Some-One/cnn-book/blob/main/notebooks/en/chapters/" in readme
    for rel in SAMPLE_NOTEBOOKS:
        text = (root / rel).read_text(encoding="utf-8")
        assert tool.install_urls(root / rel) == ["https://github.com/Some-One/cnn-book"]
        json.loads(text)
        # Only the install line changed: the file is edited as text, never re-serialized.
        differing = [a for a, b in zip(before[rel].splitlines(), text.splitlines()) if a != b]
        assert len(differing) == 1 and len(before[rel].splitlines()) == len(text.splitlines()), rel

    # A site with a domain of its own; the repository stays.
    tool.set_addresses("https://github.com/Some-One/cnn-book", "https://cnn.example.org/", root=root)
    assert tool.configured(root)[1] == "https://cnn.example.org/"
    assert "https://cnn.example.org/en/" in (root / "README.md").read_text(encoding="utf-8")
    assert tool.disagreements(root) == []


def test_a_stray_address_is_reported(tmp_path):
    tool, root = _tool(), _copy(tmp_path)
    readme = root / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8")
                      + "\n<https://github.com/elsewhere/d2lcnn> <https://elsewhere.github.io/d2lcnn/en/>\n",
                      encoding="utf-8")
    problems = tool.disagreements(root)
    assert any("elsewhere/d2lcnn" in p for p in problems) and any("elsewhere.github.io" in p for p in problems)


def test_bad_addresses_are_refused_with_the_expected_form():
    tool = _tool()
    with pytest.raises(ValueError, match="https://HOST/OWNER/NAME"):
        tool.check_repo_url("github.com/OWNER/NAME")
    with pytest.raises(ValueError, match="ending in a slash"):
        tool.check_site_url("https://owner.github.io/name")
    with pytest.raises(ValueError, match="--site"):
        tool.github_pages_site("https://gitlab.com/owner/name")
    assert tool.github_pages_site("https://github.com/Owner/Owner.github.io") == "https://owner.github.io/"


def test_built_pages_name_their_address_under_the_site(site):
    _repo, base = _tool().configured()
    for lang in ("en", "zh"):
        page = (site / lang / "chapters" / "06_lenet.html").read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{base}{lang}/chapters/06_lenet.html"' in page, lang
