"""``plan --out`` then ``deploy --plan``: the reviewed plan is applied as it is, and refused (nothing sent)
when the server changed in between, saying what changed."""

import json
import shutil
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from dhis2_mch.cli import cli

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLE, tmp_path / "metadata")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(sb, *args):
    env = {"DHIS2_TOKEN": sb.token, "DHIS2_MCH_CONFIG": None, "DHIS2_URL": None, "DHIS2_USERNAME": None}
    result = CliRunner(env=env).invoke(cli, [*args, "--url", sb.url, "--format", "json"])
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def post(sb, payload):
    auth = (sb.username, sb.password)
    requests.post(f"{sb.url}/api/metadata", json=payload, auth=auth, timeout=10).raise_for_status()


def rename_on_server(sb, plural, code, name):
    (obj,) = [o for o in sb.objects(plural) if o.get("code") == code]
    post(sb, {plural: [{**obj, "name": name}]})


def test_deploy_applies_exactly_the_saved_plan(sandbox, project):
    result, report = run(sandbox, "plan", "--metadata", "metadata", "--out", "plan.json")
    assert result.exit_code == 0 and report["saved"] == "plan.json"
    saved = json.loads((project / "plan.json").read_text(encoding="utf-8"))
    assert saved["plan"]["summary"]["create"] == 26 and saved["url"] == sandbox.url
    # the package changes after the review: the saved plan, not the folder, is what gets deployed
    path = project / "metadata" / "demo" / "aggregate.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("EX - Children weighed", "EX - Renamed later"))
    result, report = run(sandbox, "deploy", "--plan", "plan.json")
    assert result.exit_code == 0, result.output
    assert report["commit"]["stats"]["created"] == 26
    assert "EX - Children weighed" in {o["name"] for o in sandbox.objects("dataElements")}
    # applied: planning the same package again finds nothing left to do
    result, report = run(sandbox, "deploy", "--plan", "plan.json")
    assert result.exit_code == 1
    assert "created on the server since the plan" in result.stderr


def test_a_change_on_the_server_since_the_plan_is_refused_and_named(sandbox, project):
    assert run(sandbox, "deploy", "--metadata", "metadata")[0].exit_code == 0
    path = project / "metadata" / "demo" / "aggregate.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("EX - Children weighed", "EX - Children weighed (all)"))
    result, report = run(sandbox, "plan", "--metadata", "metadata", "--out", "plan.json")
    assert result.exit_code == 0 and report["summary"]["update"] == 1
    rename_on_server(sandbox, "dataElements", "EX_UNDERWEIGHT", "EX - Underweight, edited in the web UI")
    before = sandbox.objects("dataElements")
    result, report = run(sandbox, "deploy", "--plan", "plan.json")
    assert result.exit_code == 1
    assert report["error"]["type"] == "PlanOutdated"
    message = report["error"]["message"]
    assert "changed since the plan was made" in message and "nothing was sent" in message
    assert "dataElement EX_UNDERWEIGHT 'EX - Children underweight'" in message and "updated on the server at" in message
    assert "EX_WEIGHED" not in message  # the object the plan changes did not move on the server
    assert sandbox.objects("dataElements") == before


def test_an_unchanged_server_lets_the_reviewed_update_through(sandbox, project):
    assert run(sandbox, "deploy", "--metadata", "metadata")[0].exit_code == 0
    path = project / "metadata" / "demo" / "aggregate.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("EX - Children weighed", "EX - Children weighed (all)"))
    assert run(sandbox, "plan", "--metadata", "metadata", "--out", "plan.json")[0].exit_code == 0
    result, report = run(sandbox, "deploy", "--plan", "plan.json", "--backup-dir", "backups")
    assert result.exit_code == 0, result.output
    assert report["commit"]["stats"]["updated"] == 1 and report["plan"]["summary"]["update"] == 1
    backup = json.loads(Path(report["backup"]).read_text(encoding="utf-8"))
    assert [o["name"] for o in backup["dataElements"]] == ["EX - Children weighed"]


def test_a_new_clash_on_the_server_since_the_plan_is_refused(sandbox, project):
    assert run(sandbox, "plan", "--metadata", "metadata", "--out", "plan.json")[0].exit_code == 0
    post(sandbox, {"indicatorTypes": [{"id": "Abcdefghij2", "code": "EX_PERCENT", "name": "Per cent", "factor": 100}]})
    result, report = run(sandbox, "deploy", "--plan", "plan.json")
    assert result.exit_code == 1
    assert "new conflict: E5003 indicatorType" in report["error"]["message"]
    assert sandbox.objects("dataElements") == []


def test_an_edited_plan_file_is_refused(sandbox, project):
    assert run(sandbox, "plan", "--metadata", "metadata", "--out", "plan.json")[0].exit_code == 0
    path = project / "plan.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["payload"]["dataElements"][0]["name"] = "Slipped in after the review"
    path.write_text(json.dumps(saved), encoding="utf-8")
    result, _ = run(sandbox, "deploy", "--plan", "plan.json")
    assert result.exit_code == 2
    assert "edited after the plan was made" in result.stderr
    assert sandbox.objects("dataElements") == []


def test_a_plan_for_another_server_is_refused(sandbox_factory, project):
    first, second = sandbox_factory("2.40"), sandbox_factory("2.40")
    assert run(first, "plan", "--metadata", "metadata", "--out", "plan.json")[0].exit_code == 0
    result, _ = run(second, "deploy", "--plan", "plan.json")
    assert result.exit_code == 1
    assert f"it was made for {first.url}, not {second.url}" in result.stderr
    assert second.objects("dataElements") == []


def test_plan_and_metadata_together_are_a_usage_error(sandbox, project):
    result, _ = run(sandbox, "deploy", "--plan", "plan.json", "--metadata", "metadata")
    assert result.exit_code == 2 and "give one of them" in result.stderr
