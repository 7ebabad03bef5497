"""``dhis2-mch sync run`` against the sandbox: what reaches the server, what the ledger says, and that
reruns change nothing."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from dhis2_mch.cli import cli
from sync.conftest import EXAMPLES, MAPPINGS, drop_examples, sync, write_config

# the workbooks' own spelling of units and months → official codes and DHIS2 periods (written out here,
# independently of the code under test)
UNITS = {"Xã Hòa Thắng": "23053", "xã Sông Lũy": "23023", "Si Ma Cai": "02809", "Bát Xát": "02683",
         "Mường Khương": "02761", "Bảo Yên": "02947"}  # fmt: skip
MONTHS = {"Tháng 11/2025": "202511", "Tháng 12/2025": "202512", "Tháng 1/2026": "202601", "07/2025": "202507",
          "08/2025": "202508", "09/2025": "202509"}  # fmt: skip


def expected(workbook: Path, mapping: Path) -> dict[tuple, str]:
    """(data element code, period, org unit code, option codes) → value, read cell by cell with openpyxl."""
    spec = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    ws = load_workbook(workbook)[spec["sheet"]]
    header = [c.value for c in ws[spec["headerRow"]]]
    column = {name: i for i, name in enumerate(header)}
    out = {}
    for row in ws.iter_rows(min_row=spec["headerRow"] + 1, values_only=True):
        unit, month = UNITS[row[column[spec["orgUnit"]["column"]]]], MONTHS[row[column[spec["period"]["column"]]]]
        for v in spec["values"]:
            cell = row[column[v["column"]]]
            if cell is not None:
                options = frozenset(v.get("categoryOptionCombo", "default").split("+"))
                out[(v["dataElement"], month, unit, options)] = str(cell)
    return out


def on_server(sb) -> dict[tuple, str]:
    """The sandbox's stored values, with codes instead of UIDs."""
    de = {o["id"]: o["code"] for o in sb.objects("dataElements")}
    ou = {o["id"]: o["code"] for o in sb.objects("organisationUnits")}
    option = {o["id"]: o["code"] for o in sb.objects("categoryOptions")}
    combos = sb.objects("categoryOptionCombos")
    coc = {o["id"]: frozenset(option[r["id"]] for r in o["categoryOptions"]) for o in combos}
    return {(de[v["de"]], v["pe"], ou[v["ou"]], coc[v["coc"]]): v["value"] for v in sb.data_values()}


def both_examples() -> dict[tuple, str]:
    return expected(EXAMPLES / "emt_monthly_lam_dong.xlsx", MAPPINGS / "emt_monthly.yaml") | expected(
        EXAMPLES / "f1000_monthly_lao_cai.xlsx", MAPPINGS / "f1000_monthly.yaml"
    )


def ledger_rows(folder: Path) -> list[tuple]:
    with sqlite3.connect(folder / "ledger.sqlite") as db:
        return db.execute("SELECT de, pe, ou, coc, value, status, attempts FROM value").fetchall()


def test_both_example_workbooks_sync_and_read_back_exactly(server, tmp_path):
    config = write_config(tmp_path)
    drop_examples(tmp_path)
    result, report = sync(server, config)
    assert result.exit_code == 0, result.output
    want = both_examples()
    assert len(want) == 645  # 127 EM-THRIVE values, 518 First 1000 days values
    assert on_server(server) == want
    assert report["counts"]["confirmed"] == 645 and report["counts"]["problems"] == 0
    assert {status for *_, status, _ in ledger_rows(tmp_path)} == {"confirmed"}


def test_a_second_run_over_unchanged_sources_sends_nothing(server, tmp_path):
    config = write_config(tmp_path)
    drop_examples(tmp_path)
    first, _ = sync(server, config)
    assert first.exit_code == 0, first.output
    server.requests.clear()
    again, report = sync(server, config)
    assert again.exit_code == 0, again.output
    assert server.requests.posts("dataValueSets") == []
    assert report["counts"]["sent"] == 0 and len(report["sources"][0]["files_unchanged"]) == 1
    # reading every file again compares value by value with the ledger: still nothing to send
    reread, report = sync(server, config, "--reread")
    assert reread.exit_code == 0, reread.output
    assert server.requests.posts("dataValueSets") == []
    assert report["counts"]["unchanged"] == 645 and report["counts"]["sent"] == 0


def test_one_corrected_cell_in_a_resent_workbook_pushes_exactly_that_value(server, tmp_path):
    config = write_config(tmp_path)
    emt, _ = drop_examples(tmp_path)
    assert sync(server, config)[0].exit_code == 0
    before = {(v["de"], v["pe"], v["ou"], v["coc"]): (v["value"], v["lastupdated"]) for v in server.data_values()}
    wb = load_workbook(emt)
    ws = wb["Báo cáo tháng"]
    header = [c.value for c in ws[4]]
    cell = ws.cell(row=7, column=header.index("Số buổi tiêm chủng") + 1)  # Hòa Thắng, Tháng 12/2025
    assert ws.cell(row=7, column=2).value == "Xã Hòa Thắng" and ws.cell(row=7, column=3).value == "Tháng 12/2025"
    cell.value = int(cell.value) + 1
    time.sleep(0.01)
    wb.save(emt.with_name("emt_monthly_lam_dong_corrected.xlsx"))  # re-sent beside the first one, newer
    server.requests.clear()
    result, report = sync(server, config)
    assert result.exit_code == 0, result.output
    assert len(server.requests.posts("dataValueSets")) == 1
    assert report["counts"]["sent"] == 1 and report["counts"]["confirmed"] == 1
    after = {(v["de"], v["pe"], v["ou"], v["coc"]): (v["value"], v["lastupdated"]) for v in server.data_values()}
    changed = {k for k in after if after[k] != before[k]}
    assert len(changed) == 1
    (key,) = changed
    assert after[key][0] == str(cell.value) and key[1] == "202512"


def test_status_per_source_and_org_unit(server, tmp_path):
    config = write_config(tmp_path)
    drop_examples(tmp_path)
    sync(server, config)
    result = CliRunner().invoke(cli, ["sync", "status", "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    by_source = {s["source"]: s for s in status["sources"]}
    assert by_source["emt-lam-dong"]["counts"] == {"confirmed": 127}
    units = {u["code"]: u["counts"] for u in by_source["f1000-lao-cai"]["org_units"]}
    assert set(units) == {"02809", "02683", "02761", "02947"}
    assert sum(c["confirmed"] for c in units.values()) == 518
    assert status["runs"][0]["exit_code"] == 0
    text = CliRunner().invoke(cli, ["sync", "status", "--config", str(config)]).output
    hoa_thang = sum(1 for key in both_examples() if key[2] == "23053")
    assert f"23053 Hòa Thắng: {hoa_thang} confirmed" in text


def test_each_run_appends_one_json_line_to_the_log(server, tmp_path):
    config = write_config(tmp_path)
    drop_examples(tmp_path)
    sync(server, config)
    sync(server, config)
    lines = [json.loads(x) for x in (tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["exit_code"] for x in lines] == [0, 0]
    assert lines[0]["counts"]["confirmed"] == 645 and lines[1]["counts"]["sent"] == 0
    assert lines[0]["run_id"] != lines[1]["run_id"] and all(x["duration_s"] >= 0 for x in lines)
