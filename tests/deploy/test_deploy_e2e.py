"""plan / deploy / export through the CLI against the sandbox over loopback HTTP, across versions."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhis2_mch.cli import cli

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "tests" / "fixtures" / "example"


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLE, tmp_path / "metadata")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(sb, *args, token=False):
    """The command against ``sb``; with the ``project`` fixture, on its metadata/ (the example package)."""
    if Path("metadata").is_dir() and args[0] in ("plan", "deploy", "export") and "--plan" not in args:
        args = (*args, "--metadata", "metadata")
    env = {"DHIS2_TOKEN": sb.token} if token else {"DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password}
    env |= {"DHIS2_TOKEN": env.get("DHIS2_TOKEN"), "DHIS2_MCH_CONFIG": None, "DHIS2_URL": None}
    result = CliRunner(env=env).invoke(cli, [*args, "--url", sb.url, "--format", "json"])
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def summary(report):
    return report["plan"]["summary"] if "plan" in report else report["summary"]


@pytest.mark.parametrize("version", ["2.38", "2.39", "2.40", "2.41", "2.42.3"])
def test_programme_package_deploys_plans_no_change_and_accepts_the_seed_figures(sandbox_factory, version, monkeypatch):
    monkeypatch.chdir(ROOT)  # push's package and the seed figures are read from the checkout
    sb = sandbox_factory(version)
    result, report = run(sb, "deploy")
    assert result.exit_code == 0, result.output
    assert report["outcome"].startswith("deployed")
    assert report["commit"]["stats"]["created"] == summary(report)["create"] > 300
    assert report["commit"]["stats"]["ignored"] == 0
    result, report = run(sb, "plan")
    assert result.exit_code == 0
    assert summary(report) == {"create": 0, "update": 0, "unchanged": summary(report)["unchanged"], "conflicts": 0}
    result, report = run(sb, "push", "config/examples/seed_figures.csv")
    assert result.exit_code == 0, result.output
    assert report["import_count"]["imported"] == 12 and report["rejected"] == []
    assert sorted(int(v["value"]) for v in sb.data_values()) == [9, 9, 12, 24, 30, 66, 93, 103, 1432, 1541, 1589, 2924]


@pytest.mark.parametrize("version", ["2.38", "2.40", "2.42.3"])
def test_dry_run_changes_nothing_then_deploy_creates_everything(sandbox_factory, project, version):
    sb = sandbox_factory(version)
    result, report = run(sb, "deploy", "--dry-run")
    assert result.exit_code == 0
    assert report["outcome"].startswith("dry run")
    assert report["validation"]["status"] == "OK" and report["commit"] is None
    assert sb.objects("dataElements") == []
    result, report = run(sb, "deploy", token=True)
    assert result.exit_code == 0
    assert report["commit"]["stats"]["created"] == 26
    assert {o["code"] for o in sb.objects("dataElements")} == {
        "EX_WEIGHED",
        "EX_UNDERWEIGHT",
        "EX_EV_TOPIC",
        "EX_EV_CAREGIVERS",
    }


def test_redeploy_of_unchanged_package_sends_nothing(sandbox_factory, project):
    sb = sandbox_factory("2.40")
    assert run(sb, "deploy")[0].exit_code == 0
    result, report = run(sb, "deploy")
    assert result.exit_code == 0
    assert report["outcome"].startswith("nothing to do")
    assert report["validation"] is None and report["commit"] is None


@pytest.mark.parametrize("version", ["2.38", "2.40", "2.42.3"])
def test_one_changed_name_gives_exactly_one_update_and_a_backup(sandbox_factory, project, version):
    sb = sandbox_factory(version)
    assert run(sb, "deploy")[0].exit_code == 0
    path = project / "metadata" / "demo" / "aggregate.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("EX - Children weighed", "EX - Children weighed (all)"))
    result, report = run(sb, "plan")
    assert result.exit_code == 0
    assert summary(report)["create"] == 0 and summary(report)["update"] == 1
    (change,) = report["changes"]
    assert (change["code"], change["action"]) == ("EX_WEIGHED", "update")
    assert change["changes"] == [
        {"property": "name", "before": "EX - Children weighed", "after": "EX - Children weighed (all)"}
    ]
    result, report = run(sb, "deploy")
    assert result.exit_code == 0 and report["commit"]["stats"]["updated"] == 1
    backup = json.loads(Path(report["backup"]).read_text(encoding="utf-8"))
    assert [o["name"] for o in backup["dataElements"]] == ["EX - Children weighed"]
    assert {o["name"] for o in sb.objects("dataElements")} >= {"EX - Children weighed (all)"}


@pytest.mark.parametrize("version", ["2.38", "2.40", "2.42.3"])
def test_name_clash_with_a_server_object_is_reported_before_any_write(sandbox_factory, project, version):
    sb = sandbox_factory(version)
    import requests

    clash = {"id": "Abcdefghij1", "name": "EX - Children weighed", "shortName": "Someone else's"}
    other = {"dataElements": [{**clash, "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM"}]}
    requests.post(f"{sb.url}/api/metadata", json=other, auth=(sb.username, sb.password), timeout=10).raise_for_status()
    before = sb.objects("dataElements")
    for command in ("plan", "deploy"):
        result, report = run(sb, command)
        assert result.exit_code == 1
        conflicts = (report.get("plan") or report)["conflicts"]
        assert [(c["code"], c["property"], c["server_object"]) for c in conflicts] == [("E5003", "name", "Abcdefghij1")]
        assert "not part of this package and will not be touched" in conflicts[0]["message"]
    assert sb.objects("dataElements") == before
    assert report["validation"] is None


def test_code_clash_suggests_pinning(sandbox_factory, project):
    sb = sandbox_factory("2.40")
    import requests

    other = {"indicatorTypes": [{"id": "Abcdefghij2", "code": "EX_PERCENT", "name": "Per cent", "factor": 100}]}
    requests.post(f"{sb.url}/api/metadata", json=other, auth=(sb.username, sb.password), timeout=10).raise_for_status()
    result, report = run(sb, "plan")
    assert result.exit_code == 1
    (conflict,) = report["conflicts"]
    assert conflict["property"] == "code" and "pin `id: Abcdefghij2`" in conflict["message"]


def test_export_round_trips_the_package(sandbox_factory, project):
    sb = sandbox_factory("2.40")
    assert run(sb, "deploy")[0].exit_code == 0
    result, report = run(sb, "export", "--out", "exported.json")
    assert result.exit_code == 0 and report["missing"] == {}
    exported = json.loads((project / "exported.json").read_text(encoding="utf-8"))
    assert sum(len(v) for v in exported.values()) == 26
    assert not any("lastUpdated" in o for objs in exported.values() for o in objs)
    # the export is itself a valid package with no errors
    result = CliRunner().invoke(cli, ["validate", "exported.json", "--format", "json"])
    assert result.exit_code == 0, result.output


def test_server_down_is_exit_3_without_traceback(project, monkeypatch):
    from dhis2_mch.dhis2.connection import Connection

    monkeypatch.setattr(Connection, "default_sleep", staticmethod(lambda seconds: None))  # the retries, without waiting
    result = CliRunner(env={"DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "s3cret-pw"}).invoke(
        cli, ["deploy", "--metadata", "metadata", "--url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 3
    assert "127.0.0.1:9" in result.output and "s3cret-pw" not in result.output
    assert "Traceback" not in result.output


def test_wrong_password_is_exit_3_and_never_printed(sandbox_factory, project):
    sb = sandbox_factory("2.40")
    result = CliRunner(env={"DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "wrong-Secret-42"}).invoke(
        cli, ["deploy", "--metadata", "metadata", "--url", sb.url, "--format", "json"]
    )
    assert result.exit_code == 3
    assert "wrong-Secret-42" not in result.output
    assert json.loads(result.stdout)["error"]["type"] == "Unauthorized"
    assert sb.objects("dataElements") == []


def test_server_error_500_on_import_is_exit_3_and_nothing_half_written(sandbox_factory, project, monkeypatch):
    from dhis2_mch.sandbox.app import Response

    sb = sandbox_factory("2.40")
    body = {"httpStatus": "Internal Server Error", "httpStatusCode": 500, "status": "ERROR",
            "message": "could not execute statement"}  # fmt: skip
    monkeypatch.setattr(sb.app, "_post_metadata", lambda *a, **k: Response.json(500, body))
    result, _ = run(sb, "deploy")
    assert result.exit_code == 3
    assert "500" in result.stderr
    assert sb.objects("dataElements") == []
