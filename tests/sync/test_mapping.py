"""Mappings: checked with file:line errors, months as people write them, wide and long layouts, templates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from dhis2_mch.cli import cli
from dhis2_mch.data.mapping import check_mapping, load_mapping, normalise_periods, read_mapped
from dhis2_mch.errors import InputError
from dhis2_mch.sync.runner import load_package

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def catalogue():
    return load_package(ROOT / "metadata").catalogue


def test_months_as_written_in_vietnamese_workbooks():
    written = pd.Series(["11/2025", "1/2026", "Tháng 11/2025", "tháng 1 năm 2026", "T12/2025", "2025-11", "202511",
                         "2025-11-01 00:00:00", "2024S1", "13/2025", "Tháng mười một"])  # fmt: skip
    assert list(normalise_periods(written)) == [
        "202511", "202601", "202511", "202601", "202512", "202511", "202511", "202511", "2024S1", "13/2025",
        "Tháng mười một",
    ]  # fmt: skip
    # an explicit format reads only that one (and dates typed into month cells)
    assert list(normalise_periods(pd.Series(["2025-11", "11/2025"]), "YYYY-MM")) == ["202511", "11/2025"]


def test_the_shipped_mappings_fit_the_package(catalogue):
    for path in sorted((ROOT / "config/mappings").glob("*.yaml")):
        assert check_mapping(load_mapping(path), catalogue) == [], path


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_errors_name_file_and_line(tmp_path, catalogue):
    path = _write(tmp_path, "dataSet: EMT_MONTHLY\norgUnit: {column: Xã, by: name}\nperiod: {column: Tháng}\n"
                            "values:\n  - {column: A, dataElement: EMT_EPI_SESSIONS}\n  - {colum: B}\n")  # fmt: skip
    with pytest.raises(InputError) as err:
        load_mapping(path)
    text = str(err.value)
    assert f"{path}:2: orgUnit: matching by name needs `within:`" in text
    assert f"{path}:6: values.1.colum: unknown key `colum` (did you mean `column`?)" in text

    path = _write(tmp_path, "dataSet: EMT_MONTHLY\norgUnit: {column: Mã}\nperiod: {value: '202511'}\nvalues:\n"
                            "  - {column: A, dataElement: EMT_EPI_SESION}\n"
                            "  - {column: B, dataElement: F1000_MN_U2}\n"
                            "  - {column: C, dataElement: EMT_HW_TRAINED,\n"
                            "     categoryOptionCombo: MCH_SEX_FEMALE}\n")  # fmt: skip
    problems = check_mapping(load_mapping(path), catalogue)
    assert problems[0].startswith(f"{path}:5: no aggregate data element `EMT_EPI_SESION`")
    assert "did you mean `EMT_EPI_SESSIONS`?" in problems[0]
    assert problems[1] == f"{path}:6: `F1000_MN_U2` is reported in F1000_MONTHLY, not in EMT_MONTHLY"
    assert problems[2].startswith(f"{path}:7: `MCH_SEX_FEMALE` is not an option combination of `EMT_HW_TRAINED`")


def test_long_layout_with_a_fixed_period(tmp_path):
    mapping = load_mapping(_write(tmp_path, "dataSet: F1000_MONTHLY\nlayout: long\nsheet: 0\nheaderRow: 2\n"
                                            "orgUnit: {column: Mã xã}\nperiod: {value: '202509'}\ncomment: Ghi chú\n"
                                            "columns: {dataElement: Chỉ tiêu, categoryOptionCombo: Phân tổ, "
                                            "value: Số liệu}\n"))  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.append(["Báo cáo quý III"])
    ws.append(["Mã xã", "Chỉ  tiêu", "Phân tổ", "Số liệu", "Ghi chú"])  # doubled space: headers are matched loosely
    ws.append(["02809", "F1000_MN_U2", "", 31, ""])
    ws.append(["02809", "F1000_INF_EBF", "F", None, "not counted"])  # blank value: no value
    ws.append(["02683", "F1000_INF_EBF", "M", 4, "đủ"])
    wb.save(tmp_path / "long.xlsx")
    frame = read_mapped(tmp_path / "long.xlsx", mapping)
    columns = ["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment", "_row"]
    assert frame[columns].values.tolist() == [
        ["02809", "202509", "F1000_MN_U2", "", "31", "", 3],
        ["02683", "202509", "F1000_INF_EBF", "M", "4", "đủ", 5],
    ]  # fmt: skip


def test_a_missing_column_says_which_and_what_the_header_has(tmp_path):
    mapping = load_mapping(ROOT / "config/mappings/emt_monthly.yaml")
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo tháng"
    ws.append(["x"])
    ws.append([])
    ws.append([])
    ws.append(["Xã/Phường", "Tháng"])
    wb.save(tmp_path / "short.xlsx")
    with pytest.raises(InputError) as err:
        read_mapped(tmp_path / "short.xlsx", mapping)
    assert "no column `Tháng báo cáo` in the header (row 4)" in str(err.value)
    assert "emt_monthly.yaml:14 maps" in str(err.value) and "the header has: Xã/Phường, Tháng" in str(err.value)


def test_template_writes_the_mapped_layout_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "emt.xlsx"
    result = CliRunner().invoke(cli, ["template", "EMT_MONTHLY", "--out", str(out)])
    assert result.exit_code == 0, result.output
    mapping = load_mapping(ROOT / "config/mappings/emt_monthly.yaml")
    ws = load_workbook(out)["Báo cáo tháng"]
    assert [c.value for c in ws[4]] == mapping.header_names
    assert len(read_mapped(out, mapping)) == 0  # it reads back through its own mapping, empty
    guide = load_workbook(out)["Hướng dẫn - Guide"]
    assert [c.value for c in guide[4]][:3] == ["Số buổi tiêm chủng", "EMT_EPI_SESSIONS", "default"]
    bad = CliRunner().invoke(cli, ["template", "NO_SUCH_SET"])
    assert bad.exit_code == 2 and "No mapping in config/mappings for data set NO_SUCH_SET" in bad.output
