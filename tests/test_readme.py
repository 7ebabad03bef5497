"""The README's two set-up commands stay true: CI runs the same test command, the demo command exists."""

import re
from pathlib import Path

from click.testing import CliRunner

from dhis2_mch.cli import cli

ROOT = Path(__file__).parents[1]


def commands() -> list[str]:
    section = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("## Get going", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands():
    install_demo, install_test = commands()
    assert install_demo.endswith(".venv/bin/dhis2-mch demo")
    assert install_test.endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_test_command():
    ci = ROOT.joinpath(".ci", "run").read_text(encoding="utf-8")
    assert commands()[1] in ci


def test_ci_checks_the_house_rules_before_the_tests():
    lines = ROOT.joinpath(".ci", "run").read_text(encoding="utf-8").splitlines()
    steps = ("ruff check", "mypy src", "bin/pytest")
    position = {name: next(i for i, line in enumerate(lines) if name in line) for name in steps}
    assert position["ruff check"] < position["bin/pytest"] and position["mypy src"] < position["bin/pytest"]


def test_every_command_in_the_readme_table_exists():
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"^\| `dhis2-mch (\w[\w-]*)", readme, flags=re.MULTILINE))
    listed = set(cli.list_commands(None))
    assert named and named <= listed, named - listed
    assert listed <= named, f"commands missing from README's table: {sorted(listed - named)}"
    assert CliRunner().invoke(cli, ["--help"]).exit_code == 0
