"""Check every row against the package and DHIS2's rules before anything is sent.

DHIS2 checks values one by one and keeps the good ones even when others fail (FACTS §6: atomicMode
is not honoured, a 409 may still have imported half the file). So the same rules run here first:
unknown data element, option combo or org unit, a period that does not parse or is not the data
set's period type or lies beyond its open future periods, a value that does not fit the value type,
two rows for one data value with different values. Each check runs once per distinct value, not
per row, so a 100,000-row file costs a few thousand checks.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from numbers import Integral
from typing import Any

import pandas as pd

from dhis2_mch.data.catalogue import DEFAULT_COC, Catalogue, DataElementInfo
from dhis2_mch.data.readers import ROW
from dhis2_mch.model import values as value_rules
from dhis2_mch.model.periods import latest_open_future_period, parse_period

#: DHIS2's i18n keys, said for people who fill in spreadsheets
VALUE_HINTS = {
    "value_not_zero_or_positive_integer": "not a whole number ≥ 0",
    "value_not_positive_integer": "not a whole number > 0",
    "value_not_integer": "not a whole number",
    "value_not_negative_integer": "not a whole number < 0",
    "value_not_numeric": "not a number",
    "value_not_percentage": "not a percentage between 0 and 100",
    "value_not_unit_interval": "not a number between 0 and 1",
    "value_not_bool": "not true or false",
    "value_not_true_only": "only `true` is allowed",
    "value_not_valid_date": "not a date (yyyy-MM-dd)",
}
EXAMPLE_PERIOD = {"Monthly": "202406", "Yearly": "2024", "SixMonthly": "2024S1", "Quarterly": "2024Q2"}


@dataclass(frozen=True)
class Rejection:
    row: Hashable  # the row id: a line number for a file, the index label for a DataFrame
    column: str
    value: str
    reason: str
    stage: str = "preflight"  # or "server" (a conflict DHIS2 reported)

    def as_json(self) -> dict:
        return dict(self.__dict__)

    def as_text(self) -> str:
        return f"row {self.row}, {self.column} `{self.value}`: {self.reason}"


@dataclass
class Checked:
    accepted: pd.DataFrame  # source columns + de, coc, aoc, ou, ds (UIDs) and the value to send
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def preflight(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    org_units: Mapping[str, str],
    *,
    today: date,
    server: str = "the server",
) -> Checked:
    """``org_units`` maps the org unit codes (or UIDs) found on the server to their UIDs."""
    problems: dict[int, list[tuple[str, str]]] = {}
    df = frame.copy()

    def flag(mask: pd.Series, column: str, reasons: pd.Series | str) -> None:
        for i in df.index[mask.fillna(False).astype(bool)]:
            reason = reasons if isinstance(reasons, str) else reasons[i]
            problems.setdefault(i, []).append((column, reason))

    # data element
    infos = {c: catalogue.data_element(c) for c in df["dataElement"].unique()}
    df["_info"] = df["dataElement"].map(infos)
    unknown = df["_info"].isna()
    flag(
        unknown,
        "dataElement",
        df["dataElement"].map(
            {c: f"no aggregate data element with this code in the package{catalogue.suggest(c)}" for c in infos}
        ),
    )

    # option combo, per distinct (data element, text)
    pairs = {(d, t) for d, t in zip(df["dataElement"], df["categoryOptionCombo"], strict=True) if infos.get(d)}
    cocs = {p: catalogue.option_combo(infos[p[0]], p[1]) for p in pairs}
    df["de"] = df["_info"].map(lambda i: i.uid if isinstance(i, DataElementInfo) else None)
    df["coc"] = [cocs.get((d, t)) for d, t in zip(df["dataElement"], df["categoryOptionCombo"], strict=True)]
    bad_coc = ~unknown & df["coc"].isna()
    flag(
        bad_coc,
        "categoryOptionCombo",
        pd.Series(
            {i: _coc_reason(catalogue, df.at[i, "_info"], df.at[i, "categoryOptionCombo"]) for i in df.index[bad_coc]},
            dtype=object,
        ),
    )

    # attribute option combo: the package's data sets use the default one
    df["aoc"] = DEFAULT_COC
    flag(
        ~df["attributeOptionCombo"].isin(["", "default", DEFAULT_COC]),
        "attributeOptionCombo",
        "the package's data sets have no attribute categories: leave empty or write `default`",
    )

    # period: parse once per distinct text, then match each data element's data set
    periods = {p: parse_period(p) for p in df["period"].unique()}
    df["_period"] = df["period"].map(periods)
    flag(df["_period"].isna(), "period", "not a DHIS2 period (e.g. 202406 monthly, 2024S1 six-monthly, 2024 yearly)")
    ds_of: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for code, text in {(d, p) for d, p in zip(df["dataElement"], df["period"], strict=True)}:
        info, period = infos.get(code), periods.get(text)
        if info and period:
            ds_of[(code, text)] = _data_set_for(info, period, today)
    df["ds"] = [ds_of.get(k, (None, None))[0] for k in zip(df["dataElement"], df["period"], strict=True)]
    keys = list(zip(df["dataElement"], df["period"], strict=True))
    period_reason = pd.Series([ds_of.get(k, (None, None))[1] for k in keys], index=df.index, dtype=object)
    flag(period_reason.notna(), "period", period_reason)

    # org unit
    df["ou"] = df["orgUnit"].map(lambda c: org_units.get(c))
    flag(df["ou"].isna(), "orgUnit", f"no organisation unit with this code on {server}")

    # value, once per distinct (data element, text)
    info_values = list(zip(df["_info"], df["value"], strict=True))
    known = [(i, v) for i, v in info_values if isinstance(i, DataElementInfo)]
    checks = {(i.uid, v): _value_reason(i, v) for i, v in set(known)}
    value_reason = pd.Series(
        [checks[(i.uid, v)] if isinstance(i, DataElementInfo) else None for i, v in info_values],
        index=df.index,
        dtype=object,
    )
    flag(value_reason.notna(), "value", value_reason)
    df["send"] = [
        value_rules.normalize_boolean(v, i.value_type) if isinstance(i, DataElementInfo) else v for i, v in info_values
    ]

    rejections = [
        Rejection(row_id(df.at[i, ROW]), column, str(df.at[i, column]), reason)
        for i, items in sorted(problems.items())
        for column, reason in items
    ]
    ok = df[~df.index.isin(problems.keys())]
    ok, duplicates, notes = _duplicates(ok)
    rejections += duplicates
    zeros = [
        row_id(r)
        for r, i, v in zip(ok[ROW], ok["_info"], ok["send"], strict=True)
        if value_rules.zero_and_insignificant(v, i.as_dict())
    ]
    if zeros:
        notes.append(
            f"{len(zeros)} zero values (rows {_rows(zeros)}) are for data elements where zero is not significant: "
            "DHIS2 accepts them but does not store them."
        )
    accepted = ok.drop(columns=["_info", "_period"])
    return Checked(accepted.reset_index(drop=True), sorted(rejections, key=lambda r: _order(r.row)), notes)


def _coc_reason(catalogue: Catalogue, info: DataElementInfo, text: str) -> str:
    choices = catalogue.combo_choices(info)
    if not choices:
        return f"`{info.code}` has no disaggregation: leave empty or write `default`"
    shown = ", ".join(choices[:6]) + (" ..." if len(choices) > 6 else "")
    return f"not an option combination of `{info.code}` (option codes joined by +, e.g. {shown})"


def _data_set_for(info: DataElementInfo, period, today: date) -> tuple[str | None, str | None]:
    """The data set this value goes to, or why none takes it (period type, open future periods)."""
    matching = [ds for ds in info.data_sets if ds.period_type == period.type]
    if not matching:
        types = sorted({ds.period_type for ds in info.data_sets})
        example = EXAMPLE_PERIOD.get(types[0], "") if types else ""
        hint = f" (e.g. {example})" if example else ""
        return None, (
            f"a {period.type} period, but `{info.code}` is reported {' or '.join(types)}{hint} in data set "
            f"{', '.join(ds.code or ds.uid for ds in info.data_sets)}"
        )
    ds = matching[0]
    latest = latest_open_future_period(ds.period_type, ds.open_future_periods, today)
    if period.is_after(latest):
        return None, (
            f"in the future: data set {ds.code or ds.uid} accepts periods up to {latest.iso} today "
            f"({ds.open_future_periods} open future periods)"
        )
    return ds.uid, None


def _value_reason(info: DataElementInfo, text: str) -> str | None:
    if text == "":
        return "empty: nothing to send (delete the row, or write 0 if zero was counted)"
    key = value_rules.value_error(text, info.value_type)
    if key is not None:
        hint = VALUE_HINTS.get(key, value_rules.translate(key))
        extra = " (no thousands separators: write 1541, not 1.541 or 1,541)" if "integer" in key and any(
            s in text for s in ".,"
        ) else ""  # fmt: skip
        return f"{hint}{extra}; `{info.code}` takes {info.value_type}"
    if info.option_codes is not None and text not in info.option_codes:
        return f"not one of the option codes of `{info.code}`"
    return None


def _duplicates(ok: pd.DataFrame) -> tuple[pd.DataFrame, list[Rejection], list[str]]:
    """One data value per (data element, period, org unit, option combos).

    Equal repeats are sent once; repeats with different values are all rejected (which one is right?).
    """
    key = ["de", "period", "ou", "coc", "aoc"]
    dup = ok.duplicated(key, keep=False)
    if not dup.any():
        return ok, [], []
    rejections, notes, drop = [], [], []
    for _, group in ok[dup].groupby(key, sort=False):
        rows = [row_id(r) for r in group[ROW]]
        if group["send"].nunique() == 1:
            drop += list(group.index[1:])
            notes.append(f"rows {_rows(rows)} give the same value for one data value: sent once")
        else:
            drop += list(group.index)
            why = f"rows {_rows(rows)} give different values for the same data value"
            rejections += [
                Rejection(row_id(r), "value", str(v), why) for r, v in zip(group[ROW], group["value"], strict=True)
            ]
    return ok.drop(index=drop), rejections, notes


def row_id(value: Hashable) -> Hashable:
    """numpy's integers as Python ints (for JSON and equality with the file's line numbers)."""
    return int(value) if isinstance(value, Integral) else value


def _order(row: Hashable) -> tuple[int, Any]:
    return (0, row) if isinstance(row, int) else (1, str(row))


def _rows(rows: list[Hashable]) -> str:
    shown = ", ".join(map(str, rows[:8]))
    return shown + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
