"""The deploy workflow (.github/workflows/deploy.yml) and CI run exactly the README's commands.

The workflow cannot run here, so its commands are read from it and compared with the README's
"Two commands" block: command 1 (set up and build) is what the workflow runs, command 2 (lint
and test) is what .ci/run runs. Changing one without the other fails here.
"""
import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "deploy.yml"
# The one other command the workflow runs: a warning when Pages publishes somewhere else than html.baseurl.
CHECK_SITE = 'python3 tools/set_repo_url.py --check-site "${{ steps.pages.outputs.base_url }}"'
ACTIONS = {"actions/checkout", "actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}


def readme_commands():
    """``{1: "...", 2: "..."}``: the README's numbered commands, from its "Two commands" bash block.
    A command is the non-comment lines after its ``# N.`` comment, up to a blank line."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Two commands\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands, number = {}, None
    for line in block.splitlines():
        m = re.match(r"#\s*(\d+)\.", line)
        if m:
            number = int(m.group(1))
            commands[number] = []
        elif not line.strip():
            number = None
        elif number is not None and not line.lstrip().startswith("#"):
            commands[number].append(line.strip())
    return {n: " ".join(lines) for n, lines in commands.items()}


def workflow():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_the_readme_has_two_commands():
    commands = readme_commands()
    assert set(commands) == {1, 2} and all(commands.values()), commands
    assert "tools/build_book.py" in commands[1] and "pytest" in commands[2]


# The PDFs and offline copies: a command of its own, run after command 1 (tools/build_editions.py).
EDITIONS = "python3 tools/build_editions.py"


def test_the_readme_gives_the_editions_command():
    assert f"`{EDITIONS}`" in (REPO / "README.md").read_text(encoding="utf-8"), (
        "the README must give the command that builds the PDFs and offline copies, as the workflow runs it")


def test_the_workflow_runs_exactly_readme_command_1():
    runs = [step["run"].strip() for job in workflow()["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs == [readme_commands()[1], EDITIONS, CHECK_SITE], (
        f"the deploy workflow runs {runs}; the README's command 1 is {readme_commands()[1]!r}: "
        "make .github/workflows/deploy.yml's build step run exactly that command")


def test_ci_runs_exactly_readme_command_2():
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands[-1] == readme_commands()[2], ".ci/run must end with the README's command 2, as it is written there"


def test_it_deploys_on_push_to_main_with_the_pages_permissions_only():
    data = workflow()
    assert data["on"]["push"]["branches"] == ["main"] and "workflow_dispatch" in data["on"]
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert "secrets." not in WORKFLOW.read_text(encoding="utf-8"), "the default token is enough"
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    upload = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert len(upload) == 1 and upload[0]["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_actions_are_pinned_to_commits():
    uses = re.findall(r"uses:\s*(\S+)(.*)", WORKFLOW.read_text(encoding="utf-8"))
    assert {u.split("@")[0] for u, _ in uses} == ACTIONS
    for action, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), f"{action}: pin a full commit SHA"
        assert re.fullmatch(r"\s*#\s*v\d+\.\d+\.\d+", comment), f"{action}: name its release in a comment"


def test_it_builds_on_the_python_and_system_the_readme_names():
    image = workflow()["jobs"]["build"]["container"]
    two_commands = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Two commands\n", 1)[1]
    python = re.search(r"Python (3\.\d+)", two_commands).group(1)
    assert image.startswith(f"python:{python}-") and "Debian" in two_commands.split("```")[0]


def test_the_build_needs_no_dataset():
    """The workflow provides no Fashion-MNIST: the site shows the committed outputs and executes no notebook."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off", (
        "the book now executes notebooks: the deploy workflow must provide Fashion-MNIST (D2LCNN_DATA)")
