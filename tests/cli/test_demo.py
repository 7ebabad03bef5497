"""The README's first command: ``dhis2-mch demo`` deploys, pushes, reads back and plans no change."""

import json
from pathlib import Path

from click.testing import CliRunner

from dhis2_mch.cli import cli

ROOT = Path(__file__).parents[2]


def test_demo_runs_the_whole_flow(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["replan_changes"] == 0
    assert report["pushed"]["import_count"]["imported"] == 12
    figures = {(r["label"], r["in_dhis2"]) for r in report["readback"]}
    assert ("F1000_CUM_PERSONS_COUNSELLED [MCH_BEN_PREGNANT]", "1541") in figures
    assert ("F1000_CUM_MEAL_DEMO_PARTICIPANTS", "1589") in figures


def test_demo_outside_a_checkout_says_where_to_run_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 2
    assert "run it from the project's root folder" in result.stderr
