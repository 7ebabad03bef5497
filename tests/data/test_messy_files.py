"""Files as provinces really write them, pushed to a sandbox: every row stored as given, or listed with a
reason, or listed as not sent; nothing changed, dropped or sent twice; no traceback."""

import csv
import unicodedata

import openpyxl
import pytest
from push_helpers import HEADER, de, push, push_text, stored

from dhis2_mch.data.names import TONES
from dhis2_mch.sandbox import org_unit_uid

DEFAULT = "HllvX50cXC0"
LAO_CAI, SI_MA_CAI, BAT_XAT = org_unit_uid("15"), org_unit_uid("02809"), org_unit_uid("02683")
SESSIONS = de("F1000_MEAL_DEMO_SESSIONS")


def windows_1258(text):
    """What Excel on a Vietnamese Windows writes: tone marks as combining characters after the letter."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)))
        out.append("".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def kept_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def accounted(report):
    """Every row read is exactly one of stored, rejected, not sent."""
    counts = report["outcomes"]
    assert sum(counts.values()) == report["rows"], counts
    return counts


def test_windows_1258_semicolons_title_row_and_a_blank_line(server, tmp_path):
    path = tmp_path / "bao_cao.csv"
    text = (
        "BÁO CÁO THÁNG 6/2025 - TỈNH LÀO CAI;;;;;\n"
        "orgUnit;period;dataElement;categoryOptionCombo;value;comment\n"
        "02809;202511;F1000_MEAL_DEMO_SESSIONS;default;3;Xã Si Ma Cai: bữa ăn mẫu\n"
        ";;;;;\n"
        "02683;202511;F1000_MEAL_DEMO_SESSIONS;default;5;Bát Xát\n"
        "02683;202511;F1000_MEAL_DEMO_SESSON;default;5;typo on line 6\n"
    )
    path.write_bytes(windows_1258(text))
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    (bad,) = report["rejected"]
    assert bad["row"] == 6 and bad["column"] == "dataElement"  # the physical line, after the title and blank line
    assert accounted(report) == {"stored": 2, "rejected": 1, "not sent": 0}
    assert stored(server)[(SESSIONS, "202511", SI_MA_CAI, DEFAULT)] == "3"
    comments = {v["comment"] for v in server.data_values()}
    assert "Xã Si Ma Cai: bữa ăn mẫu" in comments  # every Vietnamese letter arrived
    assert any("Windows-1258" in n for n in report["notes"])


def test_utf16_tab_separated_unicode_text(server, tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_text(
        "orgUnit\tperiod\tdataElement\tcategoryOptionCombo\tvalue\n02809\t2025-11\tF1000_MEAL_DEMO_SESSIONS\t\t7\n",
        encoding="utf-16",
    )
    result, _report = push(server, path)
    assert result.exit_code == 0, result.output
    assert stored(server) == {(SESSIONS, "202511", SI_MA_CAI, DEFAULT): "7"}


def test_an_unquoted_thousands_separator_is_a_row_error_and_the_file_pushes_after_correcting(server, tmp_path):
    path = tmp_path / "so_lieu.csv"
    path.write_text(
        HEADER
        + "15,2025S2,F1000_CUM_PERSONS_COUNSELLED,MCH_BEN_PREGNANT,1,541,\n"
        + "15,2025S2,F1000_CUM_MEAL_DEMO_SESSIONS,default,86,\n",
        encoding="utf-8",
    )
    result, report = push(server, path)
    assert result.exit_code == 1 and report["held_back"]
    (bad,) = report["rejected"]
    assert bad["row"] == 2 and bad["stage"] == "read" and "7 fields where the header has 6" in bad["reason"]
    assert server.data_values() == []
    # follow the advice: correct the rows with a reason in the file, push it; the good row is in it too
    rows = kept_rows(report["rejected_file"])
    assert [r["line"] for r in rows] == ["2", "3"]
    rows[0]["value"] = "1541"
    with open(report["rejected_file"], "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again, second = push(server, report["rejected_file"])
    assert again.exit_code == 0, again.output
    assert accounted(second) == {"stored": 2, "rejected": 0, "not sent": 0}
    pregnant = "MCH_BEN_PREGNANT"
    values = stored(server)
    assert len(values) == 2 and "1541" in values.values() and "86" in values.values()
    assert pregnant and "now stored: you may delete it" in push_text(server, report["rejected_file"]).output


def test_one_period_written_two_ways_is_one_data_value(server, tmp_path):
    path = tmp_path / "periods.csv"
    path.write_text(
        HEADER
        + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "02809,2025-11,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "02683,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "02683,2025-11,F1000_MEAL_DEMO_SESSIONS,default,4,\n",
        encoding="utf-8",
    )
    _result, report = push(server, path, "--partial")
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(4, "value"), (5, "value")]
    assert "different values for the same data value" in report["rejected"][0]["reason"]
    assert report["sent"] == 1 and accounted(report) == {"stored": 2, "rejected": 2, "not sent": 0}
    assert stored(server) == {(SESSIONS, "202511", SI_MA_CAI, DEFAULT): "3"}


def test_hints_for_a_lost_leading_zero_a_commune_name_and_an_event_element(server, tmp_path):
    path = tmp_path / "hints.csv"
    path.write_text(
        HEADER
        + "2809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "Xã Si Ma Cai,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "bat xat,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "02683,202511,EMT_EV_CG_MOTHER,,3,\n"
        + "02761,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n",
        encoding="utf-8",
    )
    _result, report = push(server, path)
    reasons = {r["row"]: r["reason"] for r in report["rejected"]}
    assert "did you mean `02809` (Si Ma Cai)?" in reasons[2]
    assert "write its code `02809`" in reasons[3]
    assert "write its code `02683`" in reasons[4]
    assert "event data element" in reasons[5]
    assert 6 not in reasons and report["held_back"]


def test_a_workbook_as_provinces_fill_it(server, tmp_path):
    from datetime import datetime

    path = tmp_path / "bao_cao.xlsx"
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Read me"
    readme.append(["Hướng dẫn: điền số liệu ở các sheet sau"])
    for name, unit, value in (("Si Ma Cai", "02809", 3), ("Bát Xát", "02683", 5)):
        ws = book.create_sheet(name)
        ws.append([f"BÁO CÁO THÁNG 11/2025 - {name.upper()}"])
        ws.append(["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"])
        ws.append([unit, datetime(2025, 11, 1), "F1000_MEAL_DEMO_SESSIONS", "default", value, None])
        ws.append([unit, "202510", "F1000_MEAL_DEMO_SESSIONS", "default", "=1+1", "formula, never calculated"])
    book.save(path)
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    (bad, bad2) = report["rejected"]
    assert (bad["sheet"], bad["row"], bad["column"]) == ("Si Ma Cai", 4, "value")
    assert "never saved" in bad["reason"] and bad2["sheet"] == "Bát Xát"
    assert stored(server) == {
        (SESSIONS, "202511", SI_MA_CAI, DEFAULT): "3",
        (SESSIONS, "202511", BAT_XAT, DEFAULT): "5",
    }
    assert any("Read me" in n for n in report["notes"])
    assert accounted(report) == {"stored": 2, "rejected": 2, "not sent": 0}


def test_a_workbook_without_the_columns_is_refused_naming_its_sheets(server, tmp_path):
    path = tmp_path / "wide.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Tháng 6"
    book.active.append(["Xã", "Số buổi", "Số người"])
    book.save(path)
    result, _ = push(server, path)
    assert result.exit_code == 2 and "sheet 'Tháng 6' starts with: Xã, Số buổi, Số người" in result.stderr


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("orgUnit,period,dataElement,value,Value\n", "appear more than once"),
        ("a;b\n1;2\n", "missing column(s) orgUnit, period, dataElement, value"),
    ],
)
def test_header_problems_are_one_clear_error(server, tmp_path, content, fragment):
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    result, _ = push(server, path)
    assert result.exit_code == 2 and fragment in result.stderr


def test_two_inputs_with_one_name_keep_separate_files_and_a_clean_push_removes_the_stale_one(server, tmp_path):
    good = "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
    bad = "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,x,\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "thang6.csv", tmp_path / "b" / "thang6.csv"
    first.write_text(HEADER + bad, encoding="utf-8")
    second.write_text(HEADER + bad, encoding="utf-8")
    _, r1 = push(server, first)
    _, r2 = push(server, second)
    assert r1["rejected_file"] != r2["rejected_file"]
    first.write_text(HEADER + good, encoding="utf-8")
    result, r3 = push(server, first)
    assert result.exit_code == 0 and r3["removed_file"] == r1["rejected_file"]
    assert not (tmp_path / r1["rejected_file"]).exists() and (tmp_path / r2["rejected_file"]).exists()


def test_an_org_unit_without_the_data_set_is_a_warning_or_with_strict_an_error(server, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n", encoding="utf-8")
    result, report = push(server, path, "--dry-run")
    assert result.exit_code == 0
    assert report["warnings"] == [{"data_set": "F1000_MONTHLY", "org_units": ["02809"], "rows": 1}]
    strict, report = push(server, path, "--strict")
    assert strict.exit_code == 1 and "not assigned" in report["rejected"][0]["reason"]
    assert server.data_values() == []


def test_a_push_interrupted_between_chunks_then_resumed_as_advised_stores_every_value_once(
    sandbox_factory, deployed_db, tmp_path, monkeypatch
):
    """The server goes away after chunk 2 of 4: the report says which rows are stored and which not sent,
    the file holds exactly the rows not sent, and pushing it as the report says finishes the job."""
    import shutil

    from push_helpers import ROOT

    from dhis2_mch.data.push import load_package, push_file
    from dhis2_mch.dhis2.connection import Connection, RetryPolicy
    from dhis2_mch.errors import TransportError
    from dhis2_mch.sandbox.faults import Faults

    db = tmp_path / "server.sqlite"
    shutil.copy(deployed_db, db)
    monkeypatch.chdir(tmp_path)
    faults = Faults()
    sb = sandbox_factory("2.40", faults=faults, db=db)
    communes = ["02809", "02683", "02761", "02947"]
    path = tmp_path / "big.csv"
    lines = [f"{c},2026{m:02d},F1000_MEAL_DEMO_SESSIONS,default,{i},\n" for i, (c, m) in
             enumerate((c, m) for c in communes for m in range(1, 7))]  # fmt: skip
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    package = load_package(ROOT / "metadata")
    heard = []

    def on_chunk(outcome):
        heard.append(outcome)
        if outcome.number == 2:
            faults.drop_rate, faults.every = 1.0, 1  # every later request: connection dropped, nothing applied

    def connect():
        return Connection(sb.url, username=sb.username, password=sb.password, retry=RetryPolicy(attempts=2),
                          sleep=lambda _: None)  # fmt: skip

    with connect() as conn, pytest.raises(TransportError) as stopped:
        push_file(path, conn, package, chunk_size=6, on_chunk=on_chunk, rejected_dir=tmp_path / "rej")
    report = stopped.value.report  # the error carries every row's outcome
    assert [o.number for o in heard] == [1, 2] and report.failure is stopped.value
    assert report.outcomes.counts() == {"stored": 12, "rejected": 0, "not sent": 12}
    assert sorted(report.outcomes.rows("stored")) == sorted(r for o in heard for r in o.stored)
    assert len(sb.data_values()) == 12
    text = report.as_text()
    assert "stopped after chunk 2 of 4" in text and "push it as it is" in text
    unsent = kept_rows(report.rejected_file)
    assert [int(r["line"]) for r in unsent] == sorted(report.outcomes.rows("not sent"))

    faults.drop_rate = 0.0
    with connect() as conn:
        resumed = push_file(report.rejected_file, conn, package, chunk_size=6, rejected_dir=tmp_path / "rej")
    assert resumed.ok and resumed.outcomes.counts() == {"stored": 12, "rejected": 0, "not sent": 0}
    values = sb.data_values()
    assert len(values) == 24 and len({(v["ou"], v["pe"]) for v in values}) == 24
    assert sorted(int(v["value"]) for v in values) == list(range(24))


def test_a_200_whose_counts_do_not_add_up_is_a_failure_not_a_success(server, tmp_path, monkeypatch):
    from dhis2_mch.dhis2 import api

    real = api.import_data_values

    def short_counted(conn, body, **kwargs):
        result = real(conn, body, **kwargs)
        return result.model_copy(update={"imported": result.imported - 1})  # one value unaccounted for

    monkeypatch.setattr(api, "import_data_values", short_counted)
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n", encoding="utf-8")
    result, report = push(server, path)
    assert result.exit_code == 3
    assert "do not add up" in report["failure"] and report["outcomes"]["not sent"] == 1
    assert [r["line"] for r in kept_rows(tmp_path / report["rejected_file"])] == ["2"]


def test_after_a_dry_run_the_file_holds_every_row_so_pushing_it_loses_none(server, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n02683,202511,F1000_MEAL_DEMO_SESSIONS,default,x,\n",
        encoding="utf-8",
    )
    result, report = push(server, path, "--dry-run", "--partial")
    assert result.exit_code == 1 and server.data_values() == []
    rows = kept_rows(tmp_path / report["rejected_file"])
    assert [r["line"] for r in rows] == ["2", "3"] and rows[0]["reason"] == "not sent: dry run"


def test_progress_only_on_a_terminal():
    import io

    from dhis2_mch.data.progress import Progress

    assert Progress.for_terminal(io.StringIO()) is None

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    progress = Progress.for_terminal(screen)
    progress.sent(10_000, 20_000, 1, 2)
    progress.sent(20_000, 20_000, 2, 2)
    progress.done()
    assert "chunk 2 of 2" in screen.getvalue() and "20,000 of 20,000 values" in screen.getvalue()


def test_a_header_without_rows_and_a_misspelt_column(server, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    result, _ = push(server, empty)
    assert result.exit_code == 2 and "no rows under the header" in result.stderr
    typo = tmp_path / "typo.csv"
    typo.write_text("orgUnit,period,dataElement,value,coment\n02809,202511,F1000_MEAL_DEMO_SESSIONS,3,hi\n")
    result, report = push(server, typo, "--dry-run")
    assert "read the column `coment` as comment" in report["notes"]  # a slip in a missing column's name
