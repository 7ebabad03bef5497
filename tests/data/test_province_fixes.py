"""What the province corpus (``test_province_corpus.py``) found, one focused test per fix: pushed through the
CLI to the sandbox, asserting what the user sees (values on the server, the rows-to-push-again file, notes)."""

import csv

import openpyxl
from push_helpers import HEADER, de, push, stored

from dhis2_mch.sandbox import org_unit_uid

DEFAULT = "HllvX50cXC0"
SESSIONS = de("F1000_MEAL_DEMO_SESSIONS")


def kept(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        return next(reader), list(reader)


def test_an_unquoted_thousands_separator_stays_refused_when_its_kept_row_is_pushed_as_is(server, tmp_path):
    """The line was read as its first six fields (value 1, comment 541): written back like that, pushing the
    file as is stored 1 with the comment 541. The kept row holds the value as typed, 1,541, refused again."""
    path = tmp_path / "so_lieu.csv"
    path.write_text(HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,1,541,Si Ma Cai\n", encoding="utf-8")
    _, report = push(server, path, "--partial")
    header, rows = kept(report["rejected_file"])
    assert header[:6] == HEADER.strip().split(",")
    assert rows[0][:6] == ["02809", "202511", "F1000_MEAL_DEMO_SESSIONS", "default", "1,541", "Si Ma Cai"]
    again, second = push(server, report["rejected_file"], "--partial")
    assert again.exit_code == 1 and server.data_values() == []
    assert "no thousands separators" in second["rejected"][0]["reason"]


def test_columns_outside_the_format_are_kept_in_the_rows_to_push_again_file(server, tmp_path):
    """A running number and the commune's name beside the code (as report templates have them) came back
    empty in the kept file: what the user wrote there was lost."""
    path = tmp_path / "thang.csv"
    path.write_text("STT,orgUnit,period,dataElement,categoryOptionCombo,value,Tên xã\n"
                    "1,02809,202511,F1000_MEAL_DEMO_SESSIONS,default,x,Xã Si Ma Cai\n", encoding="utf-8")  # fmt: skip
    _, report = push(server, path)
    header, rows = kept(report["rejected_file"])
    assert header == ["STT", "orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "Tên xã", "line",
                      "reason"]  # fmt: skip
    assert rows[0][:7] == ["1", "02809", "202511", "F1000_MEAL_DEMO_SESSIONS", "default", "x", "Xã Si Ma Cai"]


def test_a_column_only_a_later_sheet_has_is_kept_too(server, tmp_path):
    path = tmp_path / "bao_cao.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Si Ma Cai"
    first.append(["orgUnit", "period", "dataElement", "value"])
    first.append(["02809", "202511", "F1000_MEAL_DEMO_SESSIONS", "x"])
    second = book.create_sheet("Bát Xát")
    second.append(["Ghi chú nội bộ", "orgUnit", "period", "dataElement", "value", "", ""])
    second.append(["gọi lại", "02683", "202511", "F1000_MEAL_DEMO_SESSIONS", "y", "", ""])
    book.save(path)
    _, report = push(server, path)
    header, rows = kept(report["rejected_file"])
    assert header == ["orgUnit", "period", "dataElement", "value", "Ghi chú nội bộ", "line", "sheet", "reason"]
    assert [r[:5] + r[6:7] for r in rows] == [["02809", "202511", "F1000_MEAL_DEMO_SESSIONS", "x", "", "Si Ma Cai"],
                                              ["02683", "202511", "F1000_MEAL_DEMO_SESSIONS", "y", "gọi lại",
                                               "Bát Xát"]]  # fmt: skip


def test_a_misspelt_comment_column_is_read_as_the_comment(server, tmp_path):
    """Left out with a note, its comments were dropped from every value while the values were stored."""
    path = tmp_path / "typo.csv"
    path.write_text("orgUnit,period,dataElement,value,Coment\n02809,202511,F1000_MEAL_DEMO_SESSIONS,3,đã kiểm tra\n",
                    encoding="utf-8")  # fmt: skip
    result, report = push(server, path)
    assert result.exit_code == 0
    assert "read the column `Coment` as comment" in report["notes"]
    assert [(v["value"], v["comment"]) for v in server.data_values()] == [("3", "đã kiểm tra")]


def test_a_column_that_only_looks_like_one_is_not_taken_for_it(server, tmp_path):
    path = tmp_path / "commune.csv"
    path.write_text("orgUnit,period,dataElement,value,commune\n02809,202511,F1000_MEAL_DEMO_SESSIONS,3,Si Ma Cai\n",
                    encoding="utf-8")  # fmt: skip
    result, report = push(server, path)
    assert result.exit_code == 0 and [v["comment"] for v in server.data_values()] == [None]
    assert any("ignored: commune" in n for n in report["notes"])


def test_invisible_and_full_width_characters_around_codes_and_values_are_not_part_of_them(server, tmp_path):
    """A zero-width space or a byte-order mark copied with a code, or digits typed by a full-width input
    method, made a code that looks right "not found" and a value "not a whole number"."""
    path = tmp_path / "copied.csv"
    path.write_text(
        HEADER
        + "02809\u200b,202511,F1000_MEAL_DEMO_SESSIONS,default,\ufeff3,\n"
        + "\ufeff02683,2025-11,F1000_MEAL_DEMO_SESSIONS\u2060,default,１２,\n"
        + "０２７６１,２０２５１１,F1000_MEAL_DEMO_SESSIONS,default,\u200b7\u00a0,giữ nguyên\u200b\n",
        encoding="utf-8",
    )
    result, _ = push(server, path)
    assert result.exit_code == 0, result.output
    assert stored(server) == {
        (SESSIONS, "202511", org_unit_uid("02809"), DEFAULT): "3",
        (SESSIONS, "202511", org_unit_uid("02683"), DEFAULT): "12",
        (SESSIONS, "202511", org_unit_uid("02761"), DEFAULT): "7",
    }
    assert "giữ nguyên\u200b" in {v["comment"] for v in server.data_values()}  # a comment keeps what was written


def test_a_kept_split_line_regroups_its_fields_and_never_passes_as_a_clean_number():
    from dhis2_mch.data.rejected import _regroup

    fields = ["02809", "202602", "DE", "default", "1", "541", "Thiếu báo cáo thôn Nậm Chảy", " sẽ bổ sung"]
    assert _regroup(fields, 6, 4, 5, ",")[4:] == ["1,541", "Thiếu báo cáo thôn Nậm Chảy, sẽ bổ sung"]
    # a comma in the comment only, or a decimal comma: the value takes the surplus (refused again, as typed)
    assert _regroup(["02809", "202602", "DE", "default", "3", "Si Ma Cai", " tháng 6"], 6, 4, 5, ",")[4:] == [
        "3,Si Ma Cai", " tháng 6"]  # fmt: skip
    assert _regroup(["02809", "202602", "DE", "default", "2", "5", ""], 6, 4, 5, ",")[4:] == ["2,5", ""]


def test_a_month_as_report_forms_write_it_is_that_period_and_two_values_for_it_are_both_refused(server, tmp_path):
    """``T11/2025`` was refused as "not a DHIS2 period" while ``202511`` with another value was stored; once
    corrected as advised, the second silently replaced the first. Now they are one data value, both refused."""
    path = tmp_path / "thang.csv"
    path.write_text(
        HEADER
        + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "02809,T11/2025,F1000_MEAL_DEMO_SESSIONS,default,4,\n"
        + "02683,Tháng 11/2025,F1000_MEAL_DEMO_SESSIONS,default,5,\n"
        + "02761,11/2025,F1000_MEAL_DEMO_SESSIONS,default,6,\n",
        encoding="utf-8",
    )
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(2, "value"), (3, "value")]
    assert stored(server) == {
        (SESSIONS, "202511", org_unit_uid("02683"), DEFAULT): "5",
        (SESSIONS, "202511", org_unit_uid("02761"), DEFAULT): "6",
    }


def test_a_month_by_its_name_as_an_english_excel_shows_a_date_cell(server, tmp_path):
    """``mmm-yy`` (Nov-25) and ``mmmm yyyy`` cells saved as CSV by an English Excel, and ``Thg 11`` (Vietnamese
    Excel's month) are that month; ``May 25`` may be a day of May, so a two-digit year needs Excel's hyphen."""
    path = tmp_path / "months.csv"
    path.write_text(
        HEADER
        + "02809,Nov-25,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "02683,November 2025,F1000_MEAL_DEMO_SESSIONS,default,4,\n"
        + "02761,Thg 11/2025,F1000_MEAL_DEMO_SESSIONS,default,5,\n"
        + "02809,Sept 2025,F1000_MEAL_DEMO_SESSIONS,default,6,\n"
        + "02683,May 25,F1000_MEAL_DEMO_SESSIONS,default,7,\n"
        + "02761,Novem 2025,F1000_MEAL_DEMO_SESSIONS,default,8,\n",
        encoding="utf-8",
    )
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(6, "period"), (7, "period")]
    assert stored(server) == {
        (SESSIONS, "202511", org_unit_uid("02809"), DEFAULT): "3",
        (SESSIONS, "202511", org_unit_uid("02683"), DEFAULT): "4",
        (SESSIONS, "202511", org_unit_uid("02761"), DEFAULT): "5",
        (SESSIONS, "202509", org_unit_uid("02809"), DEFAULT): "6",
    }


def test_a_date_cell_that_lost_its_format_is_read_as_its_date(server, tmp_path):
    """A period column formatted General shows Excel's serial (45962 = 1 Nov 2025): five digits, no DHIS2 period."""
    path = tmp_path / "serial.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["orgUnit", "period", "dataElement", "value"])
    book.active.append(["02809", 45962, "F1000_MEAL_DEMO_SESSIONS", 3])
    book.active.append(["02683", 45966, "F1000_MEAL_DEMO_SESSIONS", 4])
    book.save(path)
    _, report = push(server, path, "--partial")
    assert stored(server) == {(SESSIONS, "202511", org_unit_uid("02809"), DEFAULT): "3"}
    (bad,) = report["rejected"]
    assert bad["row"] == 3 and "write the period, e.g. 202511" in bad["reason"]


def test_hints_for_a_code_that_went_through_a_number_and_a_data_element_in_lower_case(server, tmp_path):
    path = tmp_path / "hints.csv"
    path.write_text(HEADER + "2809.0,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
                    "02683,202511,f1000_meal_demo_sessions,default,3,\n", encoding="utf-8")  # fmt: skip
    _, report = push(server, path)
    reasons = {r["row"]: r["reason"] for r in report["rejected"]}
    assert "did you mean `02809` (Si Ma Cai)?" in reasons[2]
    assert "did you mean `F1000_MEAL_DEMO_SESSIONS`?" in reasons[3]


def test_csv_macintosh_line_ends_keep_a_split_line_a_row_error(server, tmp_path):
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone: the byte scan saw one line, and pandas then
    refused the whole file as malformed because one line had a field too many."""
    path = tmp_path / "mac.csv"
    text = HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
    text += "02683,202511,F1000_MEAL_DEMO_SESSIONS,default,1,541,\n"
    path.write_bytes(text.replace("\n", "\r").encode())
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    assert [(r["row"], r["stage"]) for r in report["rejected"]] == [(3, "read")]
    assert stored(server) == {(SESSIONS, "202511", org_unit_uid("02809"), DEFAULT): "3"}


def test_a_code_and_month_merged_down_a_communes_rows_count_for_each_row(server, tmp_path):
    """Report forms merge a commune's code (and the month) down its indicator rows; only the first row held
    the code, so the others were refused as having no org unit."""
    path = tmp_path / "tong_hop.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["TỔNG HỢP THÁNG 11/2025"])
    ws.merge_cells("A1:E1")
    ws.append(["orgUnit", "period", "dataElement", "categoryOptionCombo", "value"])
    ws.append(["02809", "202511", "F1000_MEAL_DEMO_SESSIONS", "default", 3])
    ws.append([None, None, "F1000_SUPPORT_GROUP_SESSIONS", "default", 4])
    ws.append(["02683", "202511", "F1000_MEAL_DEMO_SESSIONS", "default", 5])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    book.save(path)
    result, report = push(server, path)
    assert result.exit_code == 0, result.output
    assert stored(server) == {
        (SESSIONS, "202511", org_unit_uid("02809"), DEFAULT): "3",
        (de("F1000_SUPPORT_GROUP_SESSIONS"), "202511", org_unit_uid("02809"), DEFAULT): "4",
        (SESSIONS, "202511", org_unit_uid("02683"), DEFAULT): "5",
    }
    assert any("merged" in n for n in report["notes"])


def test_a_signature_block_and_a_repeated_header_do_not_hold_the_file_back(server, tmp_path):
    """Under the table: the header again (two exports pasted together), a date line, "Người lập biểu" and the
    director beside it. They hold no value: named in a note, never sent, never holding the rows back."""
    path = tmp_path / "bao_cao.csv"
    path.write_text(
        HEADER
        + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
        + "\ufeff" + HEADER
        + "02683,202511,F1000_MEAL_DEMO_SESSIONS,default,5,\n"
        + ",,,,Ngày 05 tháng 12 năm 2025,\n"
        + "Người lập biểu,,,,Giám đốc,\n",
        encoding="utf-8",
    )
    result, report = push(server, path)
    assert result.exit_code == 0, result.output
    assert len(stored(server)) == 2 and report["rows"] == 2
    assert any("not read: lines 3, 5, 6" in n for n in report["notes"])


def test_a_number_without_its_period_and_data_element_is_still_a_row_error(server, tmp_path):
    path = tmp_path / "thieu.csv"
    path.write_text(HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n02683,,,,12,\n", encoding="utf-8")
    result, report = push(server, path)
    assert result.exit_code == 1 and report["held_back"]
    assert {r["row"] for r in report["rejected"]} == {3}


def test_a_total_row_is_refused_as_a_total(server, tmp_path):
    path = tmp_path / "tong.csv"
    path.write_text(HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n"
                    "Tổng cộng,202511,F1000_MEAL_DEMO_SESSIONS,default,3,\n", encoding="utf-8")  # fmt: skip
    _, report = push(server, path, "--partial")
    (total,) = report["rejected"]
    assert total["row"] == 3 and "a total row" in total["reason"]
    assert len(stored(server)) == 1


def test_numbers_as_spreadsheets_write_them_are_refused_with_what_to_write(server, tmp_path):
    path = tmp_path / "so.csv"
    path.write_text(HEADER + "".join(f"{c},202511,F1000_MEAL_DEMO_SESSIONS,default,{v},\n" for c, v in (
        ("02809", '"1 541"'), ("02683", "17.0"), ("02761", "05"), ("02947", '"2,5"'))), encoding="utf-8")  # fmt: skip
    _, report = push(server, path)
    reasons = [r["reason"] for r in report["rejected"]]
    assert "(no thousands separators: write 1541)" in reasons[0]
    assert "(write 17)" in reasons[1] and "(no leading zero: write 5)" in reasons[2]
    assert "(a fraction: this data element counts whole numbers)" in reasons[3]


def test_a_hidden_sheet_is_read_and_said_to_be_hidden(server, tmp_path):
    path = tmp_path / "an.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["orgUnit", "period", "dataElement", "value"])
    book.active.append(["02809", "202511", "F1000_MEAL_DEMO_SESSIONS", 3])
    hidden = book.create_sheet("Tháng cũ")
    hidden.sheet_state = "hidden"
    hidden.append(["orgUnit", "period", "dataElement", "value"])
    hidden.append(["02809", "202510", "F1000_MEAL_DEMO_SESSIONS", 2])
    book.save(path)
    _, report = push(server, path)
    assert len(stored(server)) == 2
    assert any("sheet 'Tháng cũ' is hidden in Excel; its 1 rows are read too" in n for n in report["notes"])


def test_a_windows_1258_file_whose_first_letters_come_late_is_read_whole(server, tmp_path):
    """Comments are rare: the first 64 KiB were ASCII, the file was taken for UTF-8, and the letter on line 1,001
    refused the whole file ("not readable as utf-8")."""
    path = tmp_path / "dai.csv"
    rows = "".join(f"02809,2026{m:02d},F1000_MEAL_DEMO_SESSIONS,default,{m},Da kiem tra so lieu voi tram y te xa\r\n"
                   for m in range(1, 12)) * 70  # fmt: skip
    text = HEADER.replace("\n", "\r\n") + rows + "02683,202601,F1000_MEAL_DEMO_SESSIONS,default,3,Thiếu báo cáo\r\n"
    path.write_bytes(_cp1258(text))
    assert path.stat().st_size > 1 << 16
    result, report = push(server, path, "--partial")
    assert any("Windows-1258" in n for n in report["notes"])
    assert {v["comment"] for v in server.data_values() if v["ou"] == org_unit_uid("02683")} == {"Thiếu báo cáo"}
    assert result.exit_code == 0 and report["outcomes"]["stored"] == 771  # repeats of a row are sent once
    assert len(server.data_values()) == 12


def _cp1258(text):
    from support.province_corpus import windows_1258

    return windows_1258(text)


def test_dates_as_vietnamese_windows_exports_them_lower_case_periods_and_option_codes(server, tmp_path):
    """A date cell exported to CSV on a Vietnamese Windows reads 01/11/2025 (day first); 2025s2 and f were
    refused for their case alone. A month-first 11/1/2025 is not guessed: read day first it is 11 January."""
    path = tmp_path / "ngay.csv"
    path.write_text(
        HEADER
        + "02809,01/11/2025,F1000_MEAL_DEMO_SESSIONS,Default,3,\n"
        + "02683,1/11/2025 00:00,F1000_MEAL_DEMO_SESSIONS,default,4,\n"
        + "02761,11/1/2025,F1000_MEAL_DEMO_SESSIONS,default,5,\n"
        + "02809,2025s2,F1000_CUM_MEAL_DEMO_SESSIONS,default,6,\n"
        + "02809,202511,EMT_HW_TRAINED,f,7,\n",
        encoding="utf-8",
    )
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    (bad,) = report["rejected"]
    assert bad["row"] == 4 and "a date" in bad["reason"]
    assert stored(server) == {
        (SESSIONS, "202511", org_unit_uid("02809"), DEFAULT): "3",
        (SESSIONS, "202511", org_unit_uid("02683"), DEFAULT): "4",
        (de("F1000_CUM_MEAL_DEMO_SESSIONS"), "2025S2", org_unit_uid("02809"), DEFAULT): "6",
        (de("EMT_HW_TRAINED"), "202511", org_unit_uid("02809"), _option_combo("EMT_HW_TRAINED", "F")): "7",
    }


def _option_combo(element, codes):
    from support.province_corpus import Uids

    catalogue = Uids().catalogue
    return catalogue.option_combo(catalogue.data_element(element), codes)


def test_a_stray_quote_that_runs_over_rows_is_refused_and_loses_none_of_them(server, tmp_path):
    """``"Trạm Hòa Thắng`` typed without its closing quote: every line up to the next quote became that comment's
    text. The rows in between vanished, and the row itself was stored carrying them as its comment."""
    path = tmp_path / "ngoac.csv"
    path.write_text(
        HEADER
        + '02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,"Trạm Hòa Thắng\n'
        + "02683,202511,F1000_MEAL_DEMO_SESSIONS,default,4,ok\n"
        + '02761,202511,F1000_MEAL_DEMO_SESSIONS,default,5,màn hình 5" rộng\n'
        + "02947,202511,F1000_MEAL_DEMO_SESSIONS,default,6,\n",
        encoding="utf-8",
    )
    result, report = push(server, path, "--partial")
    assert result.exit_code == 1
    (bad,) = report["rejected"]
    assert bad["row"] == 2 and bad["stage"] == "read" and "lines 3–4 were read as its text" in bad["reason"]
    assert stored(server) == {(SESSIONS, "202511", org_unit_uid("02947"), DEFAULT): "6"}
    _, rows = kept(report["rejected_file"])
    assert "02683,202511,F1000_MEAL_DEMO_SESSIONS,default,4,ok" in rows[0][5]  # nothing of them lost
    again, _ = push(server, report["rejected_file"], "--partial")  # pushed as it is: refused again
    assert again.exit_code == 1 and len(stored(server)) == 1


def test_a_dash_a_word_processor_typed_is_a_hyphen_in_codes_and_periods(server, tmp_path):
    path = tmp_path / "gach.csv"
    path.write_text(HEADER + "02809,2025\u201311,F1000_U2_WEIGHED,F+P0M\u2013\u2013P6M,3,\n", encoding="utf-8")
    result, _ = push(server, path)
    assert result.exit_code == 0, result.output
    assert list(stored(server).values()) == ["3"]


def test_a_workbook_of_nothing_but_uncalculated_formulas_names_them(server, tmp_path):
    """Every cell a formula a program wrote and Excel never calculated: the rows read as empty and the file
    was refused as having no rows; they are rows whose formulas have no saved result."""
    path = tmp_path / "cong_thuc.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["orgUnit", "period", "dataElement", "value"])
    book.active.append(["=Nguon!A2", "=Nguon!B2", "=Nguon!C2", "=Nguon!D2"])
    book.save(path)
    result, report = push(server, path)
    assert result.exit_code == 1 and server.data_values() == []
    assert {r["column"] for r in report["rejected"]} == {"orgUnit", "period", "dataElement", "value"}
    assert all("never saved" in r["reason"] for r in report["rejected"])


def test_a_mac_file_joined_to_a_windows_file_reads_every_line(server, tmp_path):
    """Mixed line ends: a bare CR inside a CRLF file made the quote check read a line holding a line break, and
    the push ended with an internal error."""
    path = tmp_path / "ghep.csv"
    path.write_bytes(b"orgUnit,period,dataElement,categoryOptionCombo,value,comment\r\n"
                     b'02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,"a, b"\r'
                     b"02683,202511,F1000_MEAL_DEMO_SESSIONS,default,4,\r\n"
                     b"02761,202511,F1000_MEAL_DEMO_SESSIONS,default,1,541,\r\n")  # fmt: skip
    result, report = push(server, path, "--partial")
    assert "internal error" not in result.stderr
    assert [(r["row"], r["stage"]) for r in report["rejected"]] == [(4, "read")]
    assert len(stored(server)) == 2


def test_a_short_windows_1258_file_whose_only_letter_ends_it_is_not_taken_for_utf8(server, tmp_path):
    path = tmp_path / "ngan.csv"
    path.write_bytes((HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,3,Bát\n").encode("cp1258")[:-1])
    result, _ = push(server, path)
    assert result.exit_code == 0, result.output
    assert [v["comment"] for v in server.data_values()] == ["Bát"]


def test_a_comment_column_headed_ghi_chu_is_the_comment(server, tmp_path):
    path = tmp_path / "ghi_chu.csv"
    path.write_text("orgUnit,period,dataElement,value,Ghi chú\n02809,202511,F1000_MEAL_DEMO_SESSIONS,3,đã kiểm tra\n",
                    encoding="utf-8")  # fmt: skip
    result, report = push(server, path)
    assert result.exit_code == 0 and "read the column `Ghi chú` as comment" in report["notes"]
    assert [v["comment"] for v in server.data_values()] == ["đã kiểm tra"]


def test_the_advice_to_correct_the_file_warns_of_excel_eating_leading_zeros(server, tmp_path):
    from push_helpers import push_text

    path = tmp_path / "sai.csv"
    path.write_text(HEADER + "02809,202511,F1000_MEAL_DEMO_SESSIONS,default,x,\n", encoding="utf-8")
    output = push_text(server, path).output
    assert "correct the rows that have a reason" in output and "a double-click turns 02809 into 2809" in output
