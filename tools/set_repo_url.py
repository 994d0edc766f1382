#!/usr/bin/env python3
"""Point the book at its repository: `_config.yml`'s `repository.url` is the one place it is set.

    python3 tools/set_repo_url.py https://github.com/OWNER/NAME   # change it everywhere
    python3 tools/set_repo_url.py                                 # re-apply the current value

The launch buttons read `repository.url` from `_config.yml`; each chapter's first code cell
installs the helper package in Colab from the same repository, and a notebook cannot read
`_config.yml` there, so this script writes the URL into those cells. `tests/test_repo_url.py`
fails when a chapter's install cell and `_config.yml` disagree.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
INSTALL = re.compile(r'("d2lcnn @ git\+)(https://[^"]+)(")')


def configured_url():
    import yaml
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")


def install_urls(nb_path):
    """The repository URLs in a chapter's install cells."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return [m.group(2) for c in nb["cells"] if c["cell_type"] == "code"
            for m in INSTALL.finditer("".join(c["source"]))]


def set_url(url):
    if not re.fullmatch(r"https://[\w.-]+/[\w.-]+/[\w.-]+", url):
        sys.exit(f"not a repository URL: {url!r} (expected https://HOST/OWNER/NAME)")
    config = ROOT / "_config.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(repository:\n  url: ).*", lambda m: m.group(1) + url, text, count=1)
    config.write_text(text, encoding="utf-8")
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            new = INSTALL.sub(lambda m: m.group(1) + url + m.group(3), src)
            if cell["cell_type"] == "code" and new != src:
                cell["source"] = new.splitlines(keepends=True)
                changed = True
        if changed:
            path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: install cell now uses {url}")


if __name__ == "__main__":
    set_url(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else configured_url())
