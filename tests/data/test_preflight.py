"""The preflight on its own: no server, the example package, an org unit table."""

from datetime import date
from pathlib import Path

import pandas as pd

from dhis2_mch.data.catalogue import build_catalogue
from dhis2_mch.data.preflight import UnitAnswer, rejections
from dhis2_mch.data.preflight import preflight as run_preflight
from dhis2_mch.data.readers import OPTIONAL, ROW
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.package.authoring import load_project

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"
CATALOGUE = build_catalogue(load_project(EXAMPLE)[0])
UNITS = {"23053": "OuHoaThang1"}
JULY = date(2024, 7, 1)


def lookup(texts):
    return {t: UnitAnswer(UNITS.get(t), None if t in UNITS else "no organisation unit with this code") for t in texts}


class Result:
    def __init__(self, frame, checked):
        self.accepted = checked.send
        self.rejections = rejections(frame, checked.problems)
        self.notes = checked.notes
        self.checked = checked


def preflight(df, catalogue, units, **kwargs):
    return Result(df, run_preflight(df, catalogue, lookup, **kwargs))


def frame(*rows):
    df = pd.DataFrame(rows, columns=["orgUnit", "period", "dataElement", "categoryOptionCombo", "value"])
    for name in OPTIONAL:
        if name not in df.columns:
            df[name] = ""
    df[ROW] = range(2, len(df) + 2)
    return df


def test_option_combo_by_option_codes_in_any_order():
    checked = preflight(
        frame(("23053", "202406", "EX_WEIGHED", "EX_SEX_FEMALE+EX_AGE_0_11M", "7")),
        CATALOGUE,
        UNITS,
        today=date(2024, 7, 1),
    )
    assert checked.rejections == []
    row = checked.accepted.iloc[0]
    assert row["coc"] == derive_uid("categoryOptionCombo", "EX_AGE_SEX", "EX_AGE_0_11M", "EX_SEX_FEMALE")
    assert row["ds"] == derive_uid("dataSet", "EX_MONTHLY") and row["ou"] == "OuHoaThang1"


def test_identical_duplicates_are_sent_once_with_a_note():
    row = ("23053", "202406", "EX_WEIGHED", "EX_AGE_0_11M+EX_SEX_MALE", "4")
    checked = preflight(frame(row, row), CATALOGUE, UNITS, today=JULY)
    assert checked.rejections == [] and len(checked.accepted) == 1
    assert checked.notes == ["1 rows repeat another row exactly (rows 3): each value sent once"]
    assert checked.checked.twins[0].tolist() == [1] and checked.checked.twins[1].tolist() == [0]


def test_zero_for_a_zero_insignificant_element_is_noted():
    checked = preflight(
        frame(("23053", "202406", "EX_WEIGHED", "EX_AGE_0_11M+EX_SEX_MALE", "0")),
        CATALOGUE,
        UNITS,
        today=date(2024, 7, 1),
    )
    assert len(checked.accepted) == 1
    assert "not store them" in checked.notes[0]


def test_current_period_is_closed_with_no_open_future_periods():
    checked = preflight(
        frame(("23053", "202407", "EX_WEIGHED", "EX_AGE_0_11M+EX_SEX_MALE", "1")),
        CATALOGUE,
        UNITS,
        today=date(2024, 7, 15),
    )
    (rejection,) = checked.rejections
    assert rejection.column == "period" and "accepts periods up to 202406" in rejection.reason


def test_tracker_data_elements_are_not_pushable_as_aggregate():
    checked = preflight(frame(("23053", "202406", "EX_EV_CAREGIVERS", "", "3")), CATALOGUE, UNITS, today=JULY)
    assert [r.column for r in checked.rejections] == ["dataElement"]
