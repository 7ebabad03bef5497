"""``dhis2-mch push`` against the sandbox: the values that reach the server, the rows that do not, and why."""

import csv
from pathlib import Path

import pandas as pd
import pytest
from push_helpers import HEADER, de, push, stored

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.sandbox import org_unit_uid

ROOT = Path(__file__).parents[2]
SEED = ROOT / "config" / "examples" / "seed_figures.csv"


def test_seed_figures_reach_the_server(server):
    result, report = push(server, SEED)
    assert result.exit_code == 0, result.output
    assert report["import_count"] == {"imported": 12, "updated": 0, "ignored": 0, "deleted": 0}
    values = stored(server)
    lao_cai = org_unit_uid("PRE2025-P10")
    pregnant = derive_uid("categoryOptionCombo", "MCH_BENEFICIARY", "MCH_BEN_PREGNANT")
    assert values[(de("F1000_CUM_PERSONS_COUNSELLED"), "2024S1", lao_cai, pregnant)] == "1541"
    assert values[(de("F1000_CUM_MEAL_DEMO_PARTICIPANTS"), "2024S1", lao_cai, "HllvX50cXC0")] == "1589"
    assert len(values) == 12
    again, report = push(server, SEED)
    assert again.exit_code == 0 and report["import_count"]["ignored"] == 12


BAD = HEADER + (
    "PRE2025-P10,2024S1,F1000_MODELS_OPERATING,MCH_GUIDE_OLD,24,good\n"
    "PRE2025-P10,2024S1,F1000_MODELS_OPERATNG,MCH_GUIDE_OLD,24,typo\n"
    "99999,2024S1,F1000_MODELS_DEVELOPING,default,12,unknown org unit\n"
    "PRE2025-P10,202406,F1000_MODELS_DEVELOPING,default,12,monthly period for a six-monthly element\n"
    "PRE2025-P10,2024S7,F1000_MODELS_DEVELOPING,default,12,no such period\n"
    "PRE2025-P10,2024S1,F1000_CUM_MEAL_DEMO_SESSIONS,default,1.541,thousands separator\n"
    "PRE2025-P10,2024S1,F1000_CUM_MEAL_DEMO_PARTICIPANTS,default,mười,text\n"
    "PRE2025-P10,2024S1,F1000_MODELS_OPERATING,MCH_GUIDE_QD2869,30,twice\n"
    "PRE2025-P10,2024S1,F1000_MODELS_OPERATING,MCH_GUIDE_QD2869,31,twice\n"
    "PRE2025-P10,2099S1,F1000_MODELS_DEVELOPING,default,12,future\n"
    "PRE2025-P10,2024S1,F1000_MODELS_OPERATING,MCH_SEX_FEMALE,3,wrong option\n"
)


def test_bad_rows_are_reported_kept_and_nothing_is_sent(server, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    result, report = push(server, path)
    assert result.exit_code == 1
    assert report["held_back"] and report["sent"] == 0
    assert server.data_values() == []
    by_row = {r["row"]: (r["column"], r["reason"]) for r in report["rejected"]}
    assert sorted(by_row) == list(range(3, 13))
    assert by_row[3][0] == "dataElement" and "did you mean `F1000_MODELS_OPERATING`?" in by_row[3][1]
    assert by_row[4][0] == "orgUnit"
    assert by_row[5] == ("period", by_row[5][1]) and "reported SixMonthly" in by_row[5][1]
    assert by_row[6][0] == "period" and "not a DHIS2 period" in by_row[6][1]
    assert "no thousands separators" in by_row[7][1]
    assert by_row[8][0] == "value"
    assert "different values for the same data value" in by_row[9][1] and 10 in by_row
    assert "in the future" in by_row[11][1]
    assert by_row[12][0] == "categoryOptionCombo"
    with open(report["rejected_file"], encoding="utf-8-sig") as fh:
        kept = list(csv.DictReader(fh))
    # held back: the file holds every row of the input, the good one too, so pushing it loses nothing
    assert [int(r["line"]) for r in kept] == list(range(2, 13))
    assert kept[0]["reason"].startswith("not sent: held back") and kept[0]["value"] == "24"
    assert kept[6]["value"] == "mười" and kept[1]["comment"] == "typo"
    assert list(kept[0])[:6] == ["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"]
    assert report["outcomes"] == {"stored": 0, "rejected": 10, "not sent": 1}
    assert "Traceback" not in result.stderr


def test_partial_sends_the_good_rows_only(server, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    assert report["sent"] == 1 and report["import_count"]["imported"] == 1
    assert list(stored(server).values()) == ["24"]


def share_for_data_entry(sb, plural, code):
    """What an administrator does before a data-entry user can push (imported without a sharing block, a
    data set gives no one data write access: DefaultAclService.resetSharing)."""
    import requests

    obj = next(o for o in sb.objects(plural) if o.get("code") == code)
    obj["publicAccess"] = "rwrw----"
    obj["sharing"] = {**obj.get("sharing", {}), "public": "rwrw----"}
    assert requests.post(f"{sb.url}/api/metadata", json={plural: [obj]}, auth=sb.auth).status_code == 200


def test_conflicts_from_dhis2_are_mapped_back_to_rows(server, tmp_path):
    share_for_data_entry(server, "dataSets", "EMT_MONTHLY")
    path = tmp_path / "communes.csv"
    path.write_text(
        HEADER
        + "23053,202511,EMT_SUPERVISION_VISITS,default,1,Hòa Thắng: the user's own commune\n"
        + "23023,202511,EMT_SUPERVISION_VISITS,default,1,Sông Lũy: outside the user's hierarchy\n",
        encoding="utf-8",
    )
    result, report = push(server, path, user=server.restricted_username)
    assert result.exit_code == 1
    assert report["import_count"]["imported"] == 1
    (rejected,) = report["rejected"]
    assert (rejected["row"], rejected["column"], rejected["stage"]) == (3, "orgUnit", "server")
    assert rejected["reason"].startswith("E7617")
    assert list(stored(server)) == [(de("EMT_SUPERVISION_VISITS"), "202511", org_unit_uid("23053"), "HllvX50cXC0")]


def test_dry_run_stores_nothing(server):
    result, report = push(server, SEED, "--dry-run")
    assert result.exit_code == 0 and report["import_count"]["imported"] == 12
    assert server.data_values() == []


def test_excel_file_keeps_leading_zeros_of_commune_codes(server, tmp_path):
    path = tmp_path / "lao_cai.xlsx"
    frame = pd.DataFrame(
        {
            "orgUnit": ["02809"],
            "period": ["202511"],
            "dataElement": ["F1000_MEAL_DEMO_SESSIONS"],
            "categoryOptionCombo": ["default"],
            "value": ["3"],
        }
    )
    frame.to_excel(path, index=False)
    result, _ = push(server, path)
    assert result.exit_code == 0, result.output
    assert list(stored(server)) == [(de("F1000_MEAL_DEMO_SESSIONS"), "202511", org_unit_uid("02809"), "HllvX50cXC0")]


def test_package_not_deployed_is_said_before_sending(sandbox_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    sb = sandbox_factory("2.40")
    result, _ = push(sb, SEED)
    assert result.exit_code == 1
    assert "not deployed there (run `dhis2-mch deploy` first)" in result.stderr
    assert sb.data_values() == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("orgUnit,period,value\n15,2024S1,3\n", "missing column(s) dataElement"),
        ("", "the file is empty"),
        ('orgUnit,period,dataElement,value\n15,"2024S1,F1000,3\n', "malformed CSV"),
    ],
)
def test_unreadable_files_exit_2(server, tmp_path, content, fragment):
    path = tmp_path / "input.csv"
    path.write_text(content, encoding="utf-8")
    result, _ = push(server, path)
    assert result.exit_code == 2
    assert fragment in result.stderr and "input.csv" in result.stderr


def test_missing_file_exits_2(server, tmp_path):
    result, _ = push(server, tmp_path / "nope.csv")
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_push_frame_reports_every_row_and_each_chunk(server):
    """The library entry: a DataFrame in, each chunk heard as it returns, every row's outcome out."""
    from dhis2_mch.data.push import load_package, push_frame
    from dhis2_mch.dhis2.connection import Connection

    frame = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    frame.index = [f"seed-{i}" for i in range(len(frame))]
    frame.loc["seed-extra"] = ["PRE2025-P10", "2024S1", "F1000_MODELS_OPERATNG", "MCH_GUIDE_OLD", "24", "typo"]
    heard = []
    with Connection(server.url, username=server.username, password=server.password) as conn:
        report = push_frame(frame, conn, load_package(ROOT / "metadata"), partial=True, chunk_size=5,
                            on_chunk=heard.append)  # fmt: skip
    assert [(c.number, c.of, len(c.rows)) for c in heard] == [(1, 3, 5), (2, 3, 5), (3, 3, 2)]
    assert sorted(r for c in heard for r in c.stored) == sorted(frame.index[:-1])
    assert report.outcomes.counts() == {"stored": 12, "rejected": 1, "not sent": 0}
    assert report.outcomes.of("seed-extra") == "rejected" and "did you mean" in report.outcomes.reason("seed-extra")
    assert len(stored(server)) == 12


def test_held_back_rows_are_not_sent(server, tmp_path):
    from dhis2_mch.data.push import load_package, push_file
    from dhis2_mch.dhis2.connection import Connection

    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    with Connection(server.url, username=server.username, password=server.password) as conn:
        report = push_file(path, conn, load_package(ROOT / "metadata"), rejected_dir=tmp_path / "rej")
    assert report.outcomes.of(2) == "not sent" and "held back" in report.outcomes.reason(2)
    assert report.outcomes.counts() == {"stored": 0, "rejected": 10, "not sent": 1}
