"""Sync cases on the EM-THRIVE example alone: completeness, values that vanish from a workbook,
commune names that match nothing, a value DHIS2 refuses."""

from __future__ import annotations

import json
import shutil
import sqlite3

import requests
from click.testing import CliRunner
from openpyxl import load_workbook

from dhis2_mch.cli import cli
from dhis2_mch.model.uid import derive_uid
from sync.conftest import EXAMPLES, sync, write_config

SHEET = "Báo cáo tháng"


def emt_only(tmp_path, **extra):
    config = write_config(tmp_path, **extra)
    path = tmp_path / "inbox/emt/emt_monthly_lam_dong.xlsx"
    shutil.copy(EXAMPLES / "emt_monthly_lam_dong.xlsx", path)
    return config, path


def test_completeness_is_registered_once_every_value_is_confirmed(server, tmp_path):
    config, _ = emt_only(tmp_path, complete=True)
    result, report = sync(server, config)
    assert result.exit_code == 0, result.output
    assert report["counts"]["completed"] == 6  # 2 communes × 3 months
    ds = derive_uid("dataSet", "EMT_MONTHLY")
    answer = requests.get(f"{server.url}/api/completeDataSetRegistrations", auth=server.auth, timeout=10,
                          params={"dataSet": ds, "period": ["202511", "202512", "202601"],
                                  "orgUnit": [server.get("organisationUnits", derive_uid("organisationUnit", c))["id"]
                                              for c in ("23053", "23023")]}).json()  # fmt: skip
    registered = {(r["period"], r["organisationUnit"]) for r in answer["completeDataSetRegistrations"]}
    assert len(registered) == 6 and all(r["completed"] for r in answer["completeDataSetRegistrations"])
    server.requests.clear()
    again, report = sync(server, config, "--reread")
    assert again.exit_code == 0 and report["counts"]["completed"] == 0
    assert server.requests.posts("completeDataSetRegistrations") == []


def test_values_gone_from_a_workbook_are_reported_and_deleted_only_when_asked(server, tmp_path):
    config, path = emt_only(tmp_path)
    assert sync(server, config)[0].exit_code == 0
    wb = load_workbook(path)
    ws = wb[SHEET]
    gone = sum(1 for c in ws[9][3:-1] if c.value is not None)  # row 9: Hòa Thắng, Tháng 1/2026
    assert ws.cell(row=9, column=2).value == "Xã Hòa Thắng" and ws.cell(row=9, column=3).value == "Tháng 1/2026"
    ws.delete_rows(9)
    wb.save(path)
    result, report = sync(server, config)
    assert result.exit_code == 0, result.output
    assert report["counts"]["missing"] == gone and report["counts"]["deleted"] == 0
    assert f"{path} row 9: " in report["sources"][0]["missing"][0]
    assert len(server.data_values()) == 127  # still there
    result, report = sync(server, config, "--delete-missing")
    assert result.exit_code == 0, result.output
    assert report["counts"]["deleted"] == gone
    assert len(server.data_values()) == 127 - gone
    assert all(v["pe"] != "202601" or v["ou"] != derive_uid("organisationUnit", "23053") for v in server.data_values())
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM value WHERE status = 'deleted'").fetchone()[0] == gone


def test_names_that_match_no_commune_are_listed_with_the_closest_and_the_rest_is_sent(server, tmp_path):
    config, path = emt_only(tmp_path)
    wb = load_workbook(path)
    ws = wb[SHEET]
    ws.cell(row=5, column=2).value = "Xã Hòa Thuận"  # no such commune in Lâm Đồng
    ws.cell(row=6, column=2).value = "Bát Xát"  # a commune of Lào Cai: never matched from a Lâm Đồng report
    ws.cell(row=7, column=2).value = "HOA THANG"  # no diacritics, capitals: still Hòa Thắng
    wb.save(path)
    result, report = sync(server, config)
    assert result.exit_code == 1, result.output
    problems = report["sources"][0]["problems"]
    by_row = {p["row"]: p for p in problems}
    assert set(by_row) == {5, 6}
    assert by_row[5]["column"] == "orgUnit" and "closest: Hòa Thắng (23053)" in by_row[5]["reason"]
    assert by_row[6]["value"] == "Bát Xát" and "no unit named `Bát Xát` in this province" in by_row[6]["reason"]
    sent = report["counts"]["confirmed"]
    assert sent == 127 - report["counts"]["problems"] and sent > 0
    assert {v["ou"] for v in server.data_values()} == {derive_uid("organisationUnit", c) for c in ("23053", "23023")}
    status = json.loads(CliRunner().invoke(cli, ["sync", "status", "--config", str(config), "--format", "json"]).stdout)
    (noted,) = status["sources"][0]["files_with_problems"]
    assert noted["rows"] == report["counts"]["problems"] and "Xã Hòa Thuận" in noted["first"]


def test_values_dhis2_refuses_are_not_sent_again_until_their_cell_changes(server, tmp_path):
    # the restricted user has no write access to the data set: DHIS2 refuses the values (E7601)
    config, path = emt_only(tmp_path)
    env = {"DHIS2_USERNAME": server.restricted_username, "DHIS2_PASSWORD": server.restricted_password,
           "DHIS2_TOKEN": None, "DHIS2_URL": None, "DHIS2_MCH_CONFIG": None}  # fmt: skip
    args = ["sync", "run", "--config", str(config), "--url", server.url, "--format", "json"]
    first = CliRunner(env=env).invoke(cli, args)
    assert first.exit_code == 1, first.output
    report = json.loads(first.stdout)
    assert report["counts"]["rejected"] == 127 and report["counts"]["confirmed"] == 0
    assert all("E7601" in p["reason"] for p in report["sources"][0]["problems"])
    with sqlite3.connect(tmp_path / "ledger.sqlite") as db:
        reasons = db.execute("SELECT status, reason FROM value").fetchall()
    assert len(reasons) == 127 and all(s == "rejected" and "E7601" in r for s, r in reasons)
    server.requests.clear()
    again = CliRunner(env=env).invoke(cli, [*args, "--reread"])
    assert again.exit_code == 0, again.output  # nothing new: refused values wait for their source to change
    assert server.requests.posts("dataValueSets") == []
    wb = load_workbook(path)
    wb[SHEET].cell(row=5, column=4).value = 9
    wb.save(path)
    third = CliRunner(env=env).invoke(cli, args)
    assert json.loads(third.stdout)["counts"]["sent"] == 1
    assert len(server.requests.posts("dataValueSets")) == 1
