"""The README's first command: ``dhis2-mch demo`` deploys, pushes, reads back and plans no change."""

import json

from click.testing import CliRunner

from dhis2_mch.cli import cli


def test_demo_runs_the_whole_flow_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the checkout: the package and the seed figures ship with the code
    result = CliRunner().invoke(cli, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["replan_changes"] == 0
    assert report["pushed"]["import_count"]["imported"] == 12
    figures = {(r["label"], r["in_dhis2"]) for r in report["readback"]}
    assert ("F1000_CUM_PERSONS_COUNSELLED [MCH_BEN_PREGNANT]", "1541") in figures
    assert ("F1000_CUM_MEAL_DEMO_PARTICIPANTS", "1589") in figures
    # old Lào Cai's "by June 2024" figures, on its pre-reform unit (today's 15 was Yên Bái's code then)
    assert {r["org_unit"] for r in report["readback"]} == {"PRE2025-P10"} and len(report["readback"]) == 12


def test_demo_with_a_missing_values_file_says_which(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo", "--values", "nope.csv"])
    assert result.exit_code == 2
    assert "nope.csv: no such file" in result.stderr and "Traceback" not in result.output
