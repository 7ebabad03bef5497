"""config/examples/seed_figures.csv: the articles' figures, in codes the package really has."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from dhis2_mch.package import load

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "config" / "examples" / "seed_figures.csv"
DOC = ROOT / "docs" / "seed-figures.md"
PERIOD_TYPES = {r"\d{4}S[12]": "SixMonthly", r"\d{6}": "Monthly", r"\d{4}": "Yearly"}


@pytest.fixture(scope="module")
def rows():
    with CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def package():
    md, findings = load(ROOT / "metadata")
    assert findings == []
    by_uid = {o.id: o for _, o in md.items()}
    des = {d.code: d for d in md.of("dataElements")}
    combos = {}  # data element code -> set of frozensets of option codes (or "default")
    for code, de in des.items():
        cocs = {
            frozenset(by_uid[r.id].code for r in coc.categoryOptions)
            for coc in md.of("categoryOptionCombos")
            if coc.categoryCombo.id == de.categoryCombo.id
        }
        combos[code] = cocs or {frozenset({"default"})}
    data_set_of = {e.dataElement.id: ds for ds in md.of("dataSets") for e in ds.dataSetElements}
    return des, combos, data_set_of


def test_columns_are_the_long_format_the_pusher_reads(rows):
    assert list(rows[0]) == ["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"]


def test_every_row_names_an_existing_element_option_combo_and_matching_period(rows, package):
    des, combos, data_set_of = package
    for row in rows:
        de = des.get(row["dataElement"])
        assert de is not None, row["dataElement"]
        assert de.domainType == "AGGREGATE"
        options = frozenset(p.strip() for p in row["categoryOptionCombo"].split("+"))
        assert options in combos[row["dataElement"]], row
        period_type = next(t for pattern, t in PERIOD_TYPES.items() if re.fullmatch(pattern, row["period"]))
        assert data_set_of[de.id].periodType == period_type, row
        assert re.fullmatch(r"[1-9]\d*", row["value"]), row  # INTEGER_ZERO_OR_POSITIVE, no zero to drop
        assert row["comment"].strip()


def test_the_articles_numbers_are_all_there_and_at_province_level(rows):
    values = {int(r["value"]) for r in rows}
    assert {1541, 2924, 103, 1589, 93, 1432, 24, 30, 12, 66, 9} <= values
    assert 54 not in values  # 54 = 24 + 30: entering it too would double the total
    assert {r["orgUnit"] for r in rows} == {"PRE2025-P10"}  # old Lào Cai (code 10 then), never today's 15 nor communes
    assert {r["period"] for r in rows} == {"2024S1"}  # "by June 2024"


def test_each_number_is_quoted_from_its_source_sentence(rows):
    for row in rows:
        shown = f"{int(row['value']):,}"
        assert shown in row["comment"] or f"{row['value']}/" in row["comment"], row


def test_the_mapping_document_covers_every_row_and_both_articles(rows):
    text = DOC.read_text(encoding="utf-8")
    for row in rows:
        assert row["dataElement"] in text
    for fact in ("23053", "23023", "Lâm Đồng", "`68`", "no counts", "2024S1", "202511"):
        assert fact in text, fact
