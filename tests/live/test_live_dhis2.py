"""The package against a real DHIS2 (2.40–2.42): info, dry run, deploy, plan, one change, export, push.

Written to hold on a real server: assertions are on what DHIS2 reports and stores, not on sandbox
details. Run order matters within the module (deploy before plan), as on a real instance.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhis2_mch.cli import cli

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.live


def run(env, *args):
    result = CliRunner(env=env).invoke(cli, [*args, "--format", "json"])
    assert "Traceback" not in result.output, result.output
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("{") else None)


def test_info_sees_a_supported_version_and_the_rights_to_deploy(live_env, monkeypatch):
    monkeypatch.chdir(ROOT)
    result, report = run(live_env, "info")
    assert result.exit_code == 0, result.output
    text = json.dumps(report)
    assert any(f'"2.{minor}' in text or f'"{minor}.' in text for minor in (40, 41, 42)), text


def test_dry_run_then_deploy_then_plan_shows_no_change(live_env, monkeypatch):
    monkeypatch.chdir(ROOT)
    result, report = run(live_env, "deploy", "--dry-run")
    assert result.exit_code == 0, result.output
    assert report["commit"] is None
    result, report = run(live_env, "deploy")
    assert result.exit_code == 0, result.output
    if report["commit"] is not None:
        assert report["commit"]["status"] == "OK" and report["commit"]["errors"] == []
    result, report = run(live_env, "plan")
    assert result.exit_code == 0, result.output
    changes = json.dumps(report["changes"], indent=1)[:4000]
    assert report["summary"]["create"] == 0 and report["summary"]["update"] == 0, changes


def test_one_renamed_object_is_one_update_and_can_be_reverted(live_env, tmp_path, monkeypatch):
    shutil.copytree(ROOT / "metadata", tmp_path / "metadata")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "metadata" / "common" / "shared.yaml"
    text = path.read_text(encoding="utf-8")
    assert "en: Percent (factor 100)," in text
    path.write_text(text.replace("en: Percent (factor 100),", "en: Percent (factor 100) live test,"), encoding="utf-8")
    result, report = run(live_env, "plan")
    assert result.exit_code == 0, result.output
    assert (report["summary"]["create"], report["summary"]["update"]) == (0, 1), report["changes"]
    result, report = run(live_env, "deploy")
    assert result.exit_code == 0 and report["commit"]["stats"]["updated"] == 1, result.output
    assert Path(report["backup"]).exists()
    monkeypatch.chdir(ROOT)
    result, report = run(live_env, "deploy")
    assert result.exit_code == 0 and report["commit"]["stats"]["updated"] == 1, result.output


def test_export_round_trips(live_env, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "export.json"
    result, report = run(live_env, "export", "--out", str(out))
    assert result.exit_code == 0 and report["missing"] == {}, result.output
    result, report = run({}, "validate", str(out))
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not os.environ.get("DHIS2_LIVE_ORG_UNIT"), reason="set DHIS2_LIVE_ORG_UNIT to an org unit code")
def test_push_dry_run_of_one_value(live_env, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = tmp_path / "one.csv"
    path.write_text(
        "orgUnit,period,dataElement,categoryOptionCombo,value\n"
        f"{os.environ['DHIS2_LIVE_ORG_UNIT']},202406,F1000_MEAL_DEMO_SESSIONS,default,3\n",
        encoding="utf-8",
    )
    result, report = run(live_env, "push", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    counts = report["import_count"]
    assert counts["imported"] + counts["updated"] + counts["ignored"] == 1
