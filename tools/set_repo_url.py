#!/usr/bin/env python3
"""Point the book at its repository and its published site, from one place: `_config.yml`.

    python3 tools/set_repo_url.py https://github.com/OWNER/NAME            # site: https://owner.github.io/NAME/
    python3 tools/set_repo_url.py https://github.com/OWNER/NAME --site https://book.example.org/
    python3 tools/set_repo_url.py                                          # re-apply the current values
    python3 tools/set_repo_url.py --check                                  # list what disagrees; exit 1 if any

`_config.yml` holds both addresses: `repository.url` (the repository button and the Colab
buttons read it) and `html.baseurl`, the published site (tools/build_book.py gives each
edition's pages their canonical address under it, `<site>en/` and `<site>zh/`). Everything
else that names them is written from those two by this script, because it cannot read
`_config.yml` itself:

* each chapter's Colab install cell (`chapters/`) and its one-language copies (`notebooks/en`,
  `notebooks/zh`) install the helper package from the repository;
* README.md links to both editions, to the Colab notebooks and clones the repository.

The deploy workflow (.github/workflows/deploy.yml) names neither: GitHub Pages publishes where
the repository is, and the workflow warns (`--check-site`) when that is not `html.baseurl`.
`tests/test_repo_url.py` fails when any of these disagree.
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
INSTALL = re.compile(r'("d2lcnn @ git\+)(https://[^"]+)(")')
# The same requirement in a notebook file's JSON text, where its quotes are escaped (\").
INSTALL_JSON = re.compile(r'(d2lcnn @ git\+)(https://[^"\\\s]+)')
REPO_URL = re.compile(r"https://(?P<host>[\w.-]+)/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+)")
SITE_URL = re.compile(r"https://[\w.-]+(/[\w.~%-]+)*/")
# Where an address may appear in the README: the repository (and anything under it), Colab's view
# of it, and the site. A URL is a run of characters that cannot end it in Markdown.
URL = re.compile(r"https?://[^\s<>()\[\]`\"']+")
NOTEBOOK_GLOBS = ("chapters/*.ipynb", "notebooks/*/chapters/*.ipynb")


def configured(root=ROOT):
    """``(repository URL, site URL)`` as `_config.yml` sets them."""
    import yaml
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/"), config.get("html", {}).get("baseurl", "")


def configured_url(root=ROOT):
    """The repository URL (`repository.url` of `_config.yml`)."""
    return configured(root)[0]


def check_repo_url(url):
    if not REPO_URL.fullmatch(url):
        raise ValueError(f"not a repository URL: {url!r} (expected https://HOST/OWNER/NAME, e.g. "
                         "https://github.com/OWNER/NAME)")
    return url


def check_site_url(url):
    if not SITE_URL.fullmatch(url):
        raise ValueError(f"not a site URL: {url!r} (expected https://HOST/ or https://HOST/PATH/, "
                         "ending in a slash)")
    return url


def github_pages_site(repo_url):
    """Where GitHub Pages publishes a repository's site: ``https://owner.github.io/NAME/``
    (``https://owner.github.io/`` for the repository named ``owner.github.io``)."""
    m = REPO_URL.fullmatch(check_repo_url(repo_url))
    if m["host"] != "github.com":
        raise ValueError(f"{repo_url} is not on github.com: give the site's address with --site")
    owner = m["owner"].lower()
    if m["name"].lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{m['name']}/"


def addresses(repo_url, site_url, branch="main"):
    """The addresses a reader is sent to, each built from the two configured ones."""
    m = REPO_URL.fullmatch(check_repo_url(repo_url))
    check_site_url(site_url)
    return {
        "repository": repo_url,
        "colab": f"https://colab.research.google.com/github/{m['owner']}/{m['name']}/blob/{branch}/",
        "site": site_url,
        "en": site_url + "en/",
        "zh": site_url + "zh/",
    }


def install_urls(nb_path):
    """The repository URLs in a notebook's install cells."""
    import json
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return [m.group(2) for c in nb["cells"] if c["cell_type"] == "code"
            for m in INSTALL.finditer("".join(c["source"]))]


def readme_urls(root=ROOT):
    return URL.findall((root / "README.md").read_text(encoding="utf-8"))


def disagreements(root=ROOT):
    """Every place that names the repository or the site differently from `_config.yml`, as text lines."""
    repo, site = configured(root)
    try:
        addr = addresses(repo, site)
    except ValueError as error:
        return [f"_config.yml: {error}"]
    problems = []
    for pattern in NOTEBOOK_GLOBS:
        for path in sorted(root.glob(pattern)):
            wrong = [u for u in install_urls(path) if u != repo]
            if wrong:
                problems.append(f"{path.relative_to(root)}: install cell uses {wrong[0]}, not {repo}")
    repo_m = REPO_URL.fullmatch(repo)
    site_host = site.split("/")[2]
    for url in readme_urls(root):
        host = url.split("/")[2]
        if host == repo_m["host"] and not (url == repo or url.startswith(repo + "/")):
            problems.append(f"README.md: {url} is not under the repository {repo}")
        elif host == "colab.research.google.com" and "/github/" in url and not url.startswith(addr["colab"]):
            problems.append(f"README.md: {url} is not a Colab notebook of {repo} (expected {addr['colab']}...)")
        elif (host == site_host or host.endswith(".github.io")) and not url.startswith(site):
            problems.append(f"README.md: {url} is not under the site {site}")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for key in ("en", "zh"):
        if addr[key] not in readme:
            problems.append(f"README.md: no link to the {key} edition, {addr[key]}")
    return problems


def _replace_addresses(text, old, new):
    """``text`` with each of ``old``'s addresses swapped for ``new``'s, in one pass (the longest
    first). An address that does not end in a slash must end where it stands: NAME-extra or
    NAME.io are other repositories, NAME/... and NAME.git are this one."""
    keys = sorted((k for k in old if old[k] != new[k]), key=lambda k: -len(old[k]))
    if not keys:
        return text
    alternatives = [re.escape(old[k]) + ("" if old[k].endswith("/") else r"(?![\w-])(?!\.(?!git\b)\w)")
                    for k in keys]
    by_address = {old[k]: new[k] for k in keys}
    pattern = re.compile("|".join(f"({a})" for a in alternatives))
    return pattern.sub(lambda m: by_address[m.group(0)], text)


def set_addresses(repo_url, site_url=None, root=ROOT):
    """Write ``repo_url`` and ``site_url`` (default: where GitHub Pages publishes the repository)
    into `_config.yml`, and from them into every place listed in this module's docstring."""
    check_repo_url(repo_url)
    site_url = check_site_url(site_url or github_pages_site(repo_url))
    old_repo, old_site = configured(root)
    config = root / "_config.yml"
    text = config.read_text(encoding="utf-8")
    text, n_repo = re.subn(r"(?m)^(repository:\n(?:  #.*\n)*  url: ).*$", lambda m: m.group(1) + repo_url, text,
                           count=1)
    text, n_site = re.subn(r"(?m)^(html:\n(?:  .*\n)*?  baseurl: ).*$", lambda m: m.group(1) + site_url, text,
                           count=1)
    if not (n_repo and n_site):
        raise ValueError("_config.yml lacks `repository:` / `url:` or `html:` / `baseurl:` (two-space indented)")
    changed = []
    if text != config.read_text(encoding="utf-8"):
        config.write_text(text, encoding="utf-8")
        changed.append("_config.yml")
    try:
        old = addresses(old_repo, old_site)
    except ValueError:  # the old values were not valid: only the install cells can be rewritten
        old = None
    new = addresses(repo_url, site_url)
    readme = root / "README.md"
    if old and readme.exists():
        before = readme.read_text(encoding="utf-8")
        after = _replace_addresses(before, old, new)
        if after != before:
            readme.write_text(after, encoding="utf-8")
            changed.append("README.md")

    sys.path.insert(0, str(ROOT / "tools"))
    from run_notebooks import notebook_lock  # the one lock of every chapter write (imports torch: here, not at the top)
    for pattern in NOTEBOOK_GLOBS:
        for path in sorted(root.glob(pattern)):
            with notebook_lock():
                before = path.read_text(encoding="utf-8")
                # Edited as text, so that nothing else in the file changes (no re-serialization).
                after = INSTALL_JSON.sub(lambda m: m.group(1) + repo_url, before)
                if after != before:
                    path.write_text(after, encoding="utf-8")
                    changed.append(str(path.relative_to(root)))
    return changed


def check_site(published):
    """For the deploy workflow: say (as a GitHub Actions warning) when GitHub Pages publishes at
    another address than `html.baseurl`, the one the pages and the README name."""
    _repo, site = configured()
    if published.rstrip("/") + "/" != site:
        print(f"::warning title=Site address::GitHub Pages publishes this book at {published}, but _config.yml's "
              f"html.baseurl is {site}: the README's links and the pages' canonical addresses point there. "
              "Run python3 tools/set_repo_url.py with this repository's URL (and --site if it has its own domain).")
        return 1
    print(f"site address: {site} (as configured)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", help="https://HOST/OWNER/NAME (default: the configured one)")
    parser.add_argument("--site", help="the published site, ending in / (default: GitHub Pages' address of the "
                                       "repository; with no repository given, the configured site)")
    parser.add_argument("--check", action="store_true", help="only list what disagrees with _config.yml")
    parser.add_argument("--check-site", metavar="URL", help="warn when the site is published at URL instead")
    args = parser.parse_args(argv)
    if args.check_site:
        check_site(args.check_site)
        return 0  # a warning, not a failure: the pages work at any address
    if args.check:
        problems = disagreements()
        print("\n".join(problems) or "every address follows _config.yml")
        return 1 if problems else 0
    repo, site = configured()
    try:
        changed = set_addresses(args.repo.rstrip("/") if args.repo else repo,
                                args.site or (None if args.repo else site))
    except ValueError as error:
        sys.exit(f"set_repo_url: {error}")
    print("written: " + ", ".join(changed) if changed else "every address already follows _config.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
