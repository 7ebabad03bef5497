"""orgunits plan / deploy through the CLI against the sandbox over loopback HTTP."""

import json

import pytest
from click.testing import CliRunner

from dhis2_mch.cli import cli
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.model.uid import derive_uid


def run(sb, *args):
    env = {"DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password, "DHIS2_TOKEN": None,
           "DHIS2_MCH_CONFIG": None, "DHIS2_URL": None}  # fmt: skip
    result = CliRunner(env=env).invoke(cli, [*args, "--url", sb.url, "--format", "json"])
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


@pytest.mark.parametrize("version", ["2.38", "2.42.3"])
def test_lam_dong_and_lao_cai_deploy_then_a_second_deploy_changes_nothing(sandbox_factory, tmp_path, version):
    sb = sandbox_factory(version)
    args = ("orgunits", "deploy", "--province", "68", "--province", "15", "--backup-dir", str(tmp_path))
    result, report = run(sb, *args)
    assert result.exit_code == 0, result.output
    assert report["deploy"]["outcome"].startswith("deployed")
    assert report["build"]["counts"]["communes"] == {"68": 124, "15": 99}
    units = {u["code"]: u for u in sb.objects("organisationUnits")}
    assert sum(1 for u in units.values() if u.get("parent", {}).get("id") == units["68"]["id"]) == 124
    assert sum(1 for u in units.values() if u.get("parent", {}).get("id") == units["15"]["id"]) == 99
    assert units["23053"]["name"] == "Xã Hòa Thắng" and units["23053"]["level"] == 3
    assert units["PRE2025-X02947"]["level"] == 5 and units["PRE2025-X02947"]["closedDate"].startswith("2025-06-30")
    # the sandbox's seeded units were made with the same UIDs: updated (official names), not duplicated
    assert len([u for u in units.values() if u["name"].endswith("Hòa Thắng")]) == 1
    assert sum(1 for u in sb.objects("organisationUnits") if u.get("code") == "23053") == 1

    result, report = run(sb, *args)
    assert result.exit_code == 0
    assert report["deploy"]["outcome"].startswith("nothing to do")
    summary = report["deploy"]["plan"]["summary"]
    assert summary["create"] == summary["update"] == summary["conflicts"] == 0 and summary["unchanged"] == 926
    assert report["deploy"]["commit"] is None and report["deploy"]["validation"] is None


def test_existing_units_are_adopted_by_code_and_name_and_the_plan_says_which(sandbox_factory, tmp_path):
    sb = sandbox_factory("2.40")
    lam_dong = derive_uid("organisationUnit", "68")  # the sandbox's own Lâm Đồng
    made_by_hand = [
        {"id": "MuiNeByHand", "name": "Mũi Né", "shortName": "Mũi Né", "openingDate": "2025-07-01T00:00:00.000",
         "parent": {"id": lam_dong}, "phoneNumber": "0252 3847 000"},
        {"id": "HongThaiHnd", "code": "23041", "name": "Hồng Thái", "shortName": "Hồng Thái",
         "openingDate": "2025-07-01T00:00:00.000", "parent": {"id": lam_dong}},
    ]  # fmt: skip
    with Connection(sb.url, token=sb.token) as conn:
        assert api.import_metadata(conn, {"organisationUnits": made_by_hand}, import_mode="COMMIT").ok
    args = ("orgunits", "deploy", "--province", "68", "--no-legacy", "--backup-dir", str(tmp_path))
    result, report = run(sb, *args)
    assert result.exit_code == 0, result.output
    adopted = {a["code"]: a for a in report["adopted"]}
    assert adopted == {
        "23041": {"code": "23041", "name": "Xã Hồng Thái", "server_id": "HongThaiHnd", "server_name": "Hồng Thái",
                  "by": "code"},
        "22918": {"code": "22918", "name": "Phường Mũi Né", "server_id": "MuiNeByHand", "server_name": "Mũi Né",
                  "by": "name"},
    }  # fmt: skip
    changes = {c["code"]: c for c in report["deploy"]["plan"]["changes"] if c["action"] == "update"}
    assert [c["property"] for c in changes["22918"]["changes"]] == ["code"]  # only the code is added
    assert "23041" not in changes  # adopted as it is
    units = sb.objects("organisationUnits")
    mui_ne = next(u for u in units if u["id"] == "MuiNeByHand")
    assert mui_ne["code"] == "22918" and mui_ne["name"] == "Mũi Né" and mui_ne["phoneNumber"] == "0252 3847 000"
    assert sum(1 for u in units if u.get("parent", {}).get("id") == lam_dong) == 124  # no duplicates


def test_a_code_reused_by_the_reform_is_not_adopted_and_the_plan_stops(sandbox_factory):
    sb = sandbox_factory("2.40")
    yen_bai = {"id": "YenBaiOld15", "code": "15X", "name": "Yên Bái", "shortName": "Yên Bái",
               "openingDate": "1991-10-01", "parent": {"id": derive_uid("organisationUnit", "VN")}}  # fmt: skip
    with Connection(sb.url, token=sb.token) as conn:
        assert api.import_metadata(conn, {"organisationUnits": [yen_bai]}, import_mode="COMMIT").ok
        seeded = next(u for u in sb.objects("organisationUnits") if u.get("code") == "15")
        # an instance that kept the pre-reform provinces under their old codes: 15 is Yên Bái
        for unit in ({**seeded, "code": "15-OLD"}, {**yen_bai, "code": "15"}):
            unit = {k: v for k, v in unit.items() if k not in ("path", "level", "created", "lastUpdated")}
            assert api.import_metadata(conn, {"organisationUnits": [unit]}, import_mode="COMMIT").ok
    result, report = run(sb, "orgunits", "plan", "--province", "15", "--no-legacy")
    assert result.exit_code == 1
    refused = {r["code"]: r for r in report["refused"]}
    assert refused["15"]["server_name"] == "Yên Bái" and "PRE2025-" in refused["15"]["reason"]
    assert any(c["code"] == "E5003" and c["property"] == "code" for c in report["plan"]["conflicts"])
