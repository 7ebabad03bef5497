"""Build, deploy and assign, then push as the commune users: the must-show of org units and access.

Against the sandbox over loopback HTTP. The sandbox applies DHIS2's data write sharing (data set,
category options: DataValueSetImportValidator.validateDataSetIsAccessibleByUser and
validateDataValueCategoryOptionComboAccess) and the user's capture hierarchy (E7617).
"""

import json
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from dhis2_mch.cli import cli
from dhis2_mch.data.push import push_frame
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.project import Project

ROOT = Path(__file__).parents[2]


def run(sb, *args):
    env = {"DHIS2_USERNAME": sb.username, "DHIS2_PASSWORD": sb.password, "DHIS2_TOKEN": None,
           "DHIS2_MCH_CONFIG": None, "DHIS2_URL": None}  # fmt: skip
    result = CliRunner(env=env).invoke(cli, [*args, "--url", sb.url, "--format", "json"])
    assert "Traceback" not in result.output
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def members(tmp_path: Path) -> Path:
    folder = tmp_path / "members"
    shutil.copytree(ROOT / "config" / "orgunits" / "members", folder)
    (folder / "MCH_UG_EMT_COMMUNE.txt").write_text("hoathang  # Cán bộ Hòa Thắng\n", encoding="utf-8")
    return folder


def push_as(sb, username, rows, **kwargs):
    frame = pd.DataFrame(rows, columns=["orgUnit", "period", "dataElement", "categoryOptionCombo", "value"])
    package = Project.load(None).compile((2, 40))
    with Connection(sb.url, username=username, password="district") as conn:
        return push_frame(frame, conn, package, partial=True, **kwargs)


def test_after_build_deploy_and_assign_hoa_thang_enters_its_own_data_only(sandbox_factory, tmp_path):
    sb = sandbox_factory("2.40")
    backups = str(tmp_path / "backups")
    result, report = run(sb, "orgunits", "deploy", "--province", "68", "--province", "15", "--backup-dir", backups)
    assert result.exit_code == 0, result.output
    result, report = run(sb, "deploy", "--backup-dir", backups)
    assert result.exit_code == 0, result.output
    args = ["orgunits", "assign", "--province", "68", "--province", "15", "--members", str(members(tmp_path)),
            "--backup-dir", backups]  # fmt: skip
    result, report = run(sb, *args)
    assert result.exit_code == 0, result.output
    assert report["assigned"]["dataSets"]["EMT_MONTHLY"] == 2 and report["assigned"]["userGroups"] == {
        "MCH_UG_EMT_COMMUNE": 1
    }
    emt = next(d for d in sb.objects("dataSets") if d["code"] == "EMT_MONTHLY")
    units = {u["id"]: u["code"] for u in sb.objects("organisationUnits")}
    assert sorted(units[r["id"]] for r in emt["organisationUnits"]) == ["23023", "23053"]
    summary = next(d for d in sb.objects("dataSets") if d["code"] == "F1000_SUMMARY")
    assert sorted(units[r["id"]] for r in summary["organisationUnits"]) == [
        "15", "68", "PRE2025-P10", "PRE2025-P15", "PRE2025-P60", "PRE2025-P67", "PRE2025-P68"
    ]  # fmt: skip
    group = next(g for g in sb.objects("userGroups") if g["code"] == "MCH_UG_EMT_COMMUNE")
    assert [u["id"] for u in group["users"]] == [derive_uid("user", "hoathang")]

    rows = [("23053", "202512", "EMT_EPI_SESSIONS", "", "4"), ("23023", "202512", "EMT_EPI_SESSIONS", "", "3")]
    pushed = push_as(sb, "hoathang", rows)
    stored = [v for v in sb.data_values() if v["value"] in ("3", "4")]
    assert [v["value"] for v in stored] == ["4"]  # Hòa Thắng's value is in, Sông Lũy's refused
    assert stored[0]["ou"] == derive_uid("organisationUnit", "23053")
    assert pushed.outcomes.counts() == {"stored": 1, "rejected": 1, "not sent": 0}
    assert "E7617" in json.dumps(pushed.as_json(), ensure_ascii=False)  # outside the user's hierarchy

    # a user of Hòa Thắng in no programme group gets nothing in: the data set is not shared with them
    refused = push_as(sb, "hoathang_guest", [("23053", "202511", "EMT_EPI_SESSIONS", "", "5")])
    assert not [v for v in sb.data_values() if v["value"] == "5"]
    assert "E7601" in json.dumps(refused.as_json(), ensure_ascii=False)

    # a second assign changes nothing
    result, report = run(sb, *args)
    assert result.exit_code == 0
    assert report["deploy"]["outcome"].startswith("nothing to do")


def test_a_2024_row_for_a_pre_reform_commune_lands_on_its_legacy_unit(sandbox_factory, tmp_path):
    sb = sandbox_factory("2.40")
    backups = str(tmp_path / "backups")
    assert run(sb, "orgunits", "deploy", "--province", "15", "--backup-dir", backups)[0].exit_code == 0
    assert run(sb, "deploy", "--backup-dir", backups)[0].exit_code == 0
    rows = [("02947", "202405", "F1000_MEAL_DEMO_SESSIONS", "", "7"),  # Thị trấn Phố Ràng, May 2024
            ("02947", "202512", "F1000_MEAL_DEMO_SESSIONS", "", "8")]  # Xã Bảo Yên, December 2025  # fmt: skip
    report = push_as(sb, "admin", rows, pre_reform=True)
    assert report.outcomes.counts()["stored"] == 2, report.as_text()
    placed = {v["value"]: v["ou"] for v in sb.data_values()}
    assert placed["7"] == derive_uid("organisationUnit", "PRE2025-X02947")  # the legacy unit
    assert placed["8"] == derive_uid("organisationUnit", "02947")  # the new commune that reuses the code
