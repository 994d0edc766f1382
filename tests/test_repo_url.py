"""The repository URL lives in one place (_config.yml); every chapter's Colab install cell agrees with it."""
import pathlib

from _scripts import load_script

REPO = pathlib.Path(__file__).resolve().parents[1]


def _tool():
    return load_script("tools/set_repo_url.py")


def test_install_cells_use_the_configured_repository():
    tool = _tool()
    url = tool.configured_url()
    chapters = sorted((REPO / "chapters").glob("*.ipynb"))
    wrong = {p.name: tool.install_urls(p) for p in chapters if any(u != url for u in tool.install_urls(p))}
    assert not wrong, f"install cells disagree with _config.yml's {url}: {wrong}; run python3 tools/set_repo_url.py"
    with_install = [p.name for p in chapters if tool.install_urls(p)]
    assert len(with_install) >= len(chapters) - 2  # every chapter but the introduction and the glossary
