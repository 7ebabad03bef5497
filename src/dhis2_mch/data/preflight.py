"""Check every row against the package and DHIS2's rules before anything is sent, column by column.

DHIS2 checks values one by one and keeps the good ones even when others fail (atomicMode is not
honoured on /api/dataValueSets; a 409 may still have imported half the file). So the same rules run
here first: unknown data element, option combo or org unit, a period that does not parse or is not
the data set's period type or lies beyond its open future periods, a value that does not fit the
value type, two rows for one data value with different values.

Each rule runs once per *distinct* value (or pair of values) of the columns it reads, never per row:
the reader keeps columns categorical, ``columns.distinct`` finds the distinct combinations with numpy, the
rule runs on those, and the answers are spread back to the rows by index. A million rows of one
province's monthly report hold a few thousand distinct combinations.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dhis2_mch.data.catalogue import DEFAULT_COC, Catalogue, DataElementInfo
from dhis2_mch.data.columns import all_distinct, categorical, column_codes, distinct, groups
from dhis2_mch.data.problems import Problems, Rejection, rejections, row_id
from dhis2_mch.data.readers import ROW
from dhis2_mch.data.tidy import number_hint, written_period
from dhis2_mch.errors import InputError
from dhis2_mch.model import values as value_rules
from dhis2_mch.model.periods import Period, latest_open_future_period, parse_period, period_of

# Rejection and rejections live in problems.py; imported from here by the push, the sync and tests
__all__ = ["Checked", "Problems", "Rejection", "UnitAnswer", "preflight", "rejections", "row_id"]

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


@dataclass
class Checked:
    """The rows to send (their positions in the input) with the UIDs and texts to send, and the rest."""

    send: pd.DataFrame  # POS, ds, de, coc, aoc, period, ou, value, comment (categorical), zero (bool)
    problems: Problems
    notes: list[str] = field(default_factory=list)
    twins: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int64))  # (repeat, kept) positions
    #: per data set, the org units it is not assigned to (and how many rows): warnings, or errors with strict
    warned: list[dict] = field(default_factory=list)


@dataclass
class UnitAnswer:
    """What an org unit text is on the server: its UID, or why it is none (with a hint)."""

    uid: str | None
    reason: str | None = None


def preflight(
    frame: pd.DataFrame,
    catalogue: Catalogue,
    org_units: Callable[[list[str]], dict[str, UnitAnswer]],
    *,
    today: date,
    assigned: dict[str, frozenset[str]] | None = None,
    strict: bool = False,
    legacy: Callable[[str, str], str | None] | None = None,
    problems: Problems | None = None,
) -> Checked:
    """``org_units(texts)`` answers for the distinct org unit texts; ``assigned``: data set UID -> its org
    units (the DHIS2 data set assignment), when known; ``legacy(text, period)`` places pre-reform rows."""
    n = len(frame)
    problems = problems if problems is not None else Problems()
    de_cats, de_codes = column_codes(frame, "dataElement")
    infos = [catalogue.data_element(c) for c in de_cats]
    problems.add_answers([None if i else catalogue.unknown_element(c) for c, i in zip(de_cats, infos, strict=True)],
                         de_codes, "dataElement")  # fmt: skip

    # option combo, per distinct (data element, text)
    coc_cats, coc_codes = column_codes(frame, "categoryOptionCombo")
    pairs, coc_inverse = distinct(de_codes, coc_codes)
    inverse = coc_inverse
    coc_uid, coc_why = [], []
    for d, c in pairs:
        info = infos[d]
        uid = catalogue.option_combo(info, coc_cats[c]) if info else None
        coc_uid.append(uid)
        coc_why.append(None if uid or not info else _coc_reason(catalogue, info, coc_cats[c]))
    problems.add_answers(coc_why, inverse, "categoryOptionCombo")

    # attribute option combo: the package's data sets use the default one
    aoc_cats, aoc_codes = column_codes(frame, "attributeOptionCombo")
    aoc_ok = np.array([a in ("", "default", DEFAULT_COC) for a in aoc_cats], dtype=bool)
    problems.add(~aoc_ok[aoc_codes], "attributeOptionCombo",
                 "the package's data sets have no attribute categories: leave empty or write `default`")  # fmt: skip

    # period, per distinct (data element, text): the data set it goes to and the period as DHIS2 writes it
    pe_cats, pe_codes = column_codes(frame, "period")
    parsed = [parse_period(p) or written_period(p) for p in pe_cats]  # T6/2024, an Excel serial: data/tidy.py
    pairs, pe_inverse = distinct(de_codes, pe_codes)
    inverse = pe_inverse
    ds_of, iso_of, pe_why, pe_note = [], [], [], []
    for d, p in pairs:
        info, period = infos[d], parsed[p]
        ds, iso, why, note = _period(info, pe_cats[p], period, today) if info else (None, None, None, None)
        ds_of.append(ds)
        iso_of.append(iso)
        pe_why.append(why)
        pe_note.append(note)
    problems.add_answers(pe_why, inverse, "period")
    notes = sorted({n for n in pe_note if n})

    # org unit, per distinct text; with the pre-reform hook, per distinct (text, period)
    ou_cats, ou_codes = column_codes(frame, "orgUnit")
    if legacy is None:
        answers = org_units([c for c in ou_cats if c])
        ou_uids = [answers[c].uid if c in answers else None for c in ou_cats]
        ou_why = [None if u else (answers[c].reason if c in answers else "empty: which commune or province?")
                  for c, u in zip(ou_cats, ou_uids, strict=True)]  # fmt: skip
        ou_inverse = ou_codes
    else:
        ou_uids, ou_why, ou_inverse, placed = _placed(legacy, org_units, ou_cats, ou_codes, pe_cats, pe_codes)
        if placed:
            notes.append(f"{placed:,} rows of periods before 1 July 2025 placed on the pre-reform units")
    problems.add_answers(ou_why, ou_inverse, "orgUnit")

    # value, per distinct (data element, text)
    va_cats, va_codes = column_codes(frame, "value")
    pairs, va_inverse = distinct(de_codes, va_codes)
    inverse = va_inverse
    va_send, va_why, zero = [], [], []
    for d, v in pairs:
        info, text = infos[d], va_cats[v]
        why = _value_reason(info, text) if info else None
        va_why.append(why)
        va_send.append(value_rules.normalize_boolean(text, info.value_type) if info else text)
        zero.append(info is not None and not why and value_rules.zero_and_insignificant(text, info.as_dict()))
    problems.add_answers(va_why, inverse, "value")
    zero_out = np.asarray([*zero, False], dtype=bool)[inverse] if len(inverse) else np.zeros(0, dtype=bool)

    # comment: DHIS2 takes at most 50,000 characters (ValidationUtils.commentIsValid)
    cm_cats, cm_codes = column_codes(frame, "comment")
    long = np.array([len(c) > value_rules.MAX_LENGTH for c in cm_cats], dtype=bool)
    problems.add(long[cm_codes], "comment", f"longer than {value_rules.MAX_LENGTH} characters")

    # the rows that pass, with their UIDs: categorical columns built from the per-distinct answers
    ok = np.ones(n, dtype=bool)
    ok[problems.positions()] = False
    rows = np.flatnonzero(ok)
    every = None if len(rows) == n else rows  # the usual case: no row rejected, no gather
    send = pd.DataFrame({
        "_pos": rows,
        "ds": categorical(ds_of, pe_inverse, every),
        "de": categorical([i.uid if i else None for i in infos], de_codes, every),
        "coc": categorical(coc_uid, coc_inverse, every),
        "aoc": pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int8), categories=pd.Index([DEFAULT_COC])),
        "period": categorical(iso_of, pe_inverse, every),
        "ou": categorical(ou_uids, ou_inverse, every),
        "value": categorical(va_send, va_inverse, every),
        "comment": pd.Categorical.from_codes(cm_codes if every is None else cm_codes[rows],
                                             categories=pd.Index(cm_cats, dtype=object)),
        "zero": zero_out if every is None else zero_out[rows],
    })  # fmt: skip
    send, twins, dup_notes = _duplicates(send, frame, problems)
    notes += dup_notes
    warned: list[dict] = []
    if assigned is not None and len(send):
        warned, positions = _assignment(send, frame, assigned, catalogue, problems if strict else None)
        if strict and len(positions):
            send = send[~np.isin(send["_pos"].to_numpy(), positions)].reset_index(drop=True)
    zeros = int(send["zero"].sum())
    if zeros:
        notes.append(
            f"{zeros} zero values are for data elements where zero is not significant: DHIS2 accepts them but does "
            "not store them (an empty cell in DHIS2 means zero for these)"
        )
    return Checked(send, problems, notes, twins, warned)


# ---------------------------------------------------------------------------------------------- rules


def _coc_reason(catalogue: Catalogue, info: DataElementInfo, text: str) -> str:
    choices = catalogue.combo_choices(info)
    if not choices:
        return f"`{info.code}` has no disaggregation: leave empty or write `default`"
    shown = ", ".join(choices[:6]) + (" ..." if len(choices) > 6 else "")
    return f"not an option combination of `{info.code}` (option codes joined by +, e.g. {shown})"


def _period(
    info: DataElementInfo, text: str, period: Period | None, today: date
) -> tuple[str | None, str | None, str | None, str | None]:
    """(data set UID, the period as DHIS2 writes it, why not, a note): periods compared as periods."""
    if period is None:
        return None, None, "not a DHIS2 period (e.g. 202406 monthly, 2024S1 six-monthly, 2024 yearly)", None
    note = None
    types = sorted({ds.period_type for ds in info.data_sets})
    if period.type == "Daily" and "Daily" not in types and len(types) == 1:
        # an Excel date cell (or a date typed in a CSV): the first day of a period stands for that period
        containing = period_of(types[0], period.start)
        if containing.start != period.start:
            return (
                None,
                None,
                (f"a date, but `{info.code}` is reported {types[0]}: write the period, e.g. {containing.iso}"),
                None,
            )
        note = f"dates read as {types[0]} periods (e.g. {text} as {containing.iso})"
        period = containing
    matching = [ds for ds in info.data_sets if ds.period_type == period.type]
    if not matching:
        example = EXAMPLE_PERIOD.get(types[0], "") if types else ""
        hint = f" (e.g. {example})" if example else ""
        return (
            None,
            None,
            (
                f"a {period.type} period, but `{info.code}` is reported {' or '.join(types)}{hint} in data set "
                f"{', '.join(ds.code or ds.uid for ds in info.data_sets)}"
            ),
            None,
        )
    ds = matching[0]
    latest = latest_open_future_period(ds.period_type, ds.open_future_periods, today)
    if period.is_after(latest):
        return (
            None,
            None,
            (
                f"in the future: data set {ds.code or ds.uid} accepts periods up to {latest.iso} today "
                f"({ds.open_future_periods} open future periods)"
            ),
            None,
        )
    return ds.uid, period.iso, None, note


def _value_reason(info: DataElementInfo, text: str) -> str | None:
    if text == "":
        return "empty: nothing to send (delete the row, or write 0 if zero was counted)"
    key = value_rules.value_error(text, info.value_type)
    if key is not None:
        hint = VALUE_HINTS.get(key, value_rules.translate(key))
        extra = number_hint(text) if "integer" in key else ""  # 1.541, 17.0, 05: data/tidy.py
        return f"{hint}{extra}; `{info.code}` takes {info.value_type}"
    if info.option_codes is not None and text not in info.option_codes:
        return f"not one of the option codes of `{info.code}`"
    return None


def _placed(legacy, org_units, ou_cats, ou_codes, pe_cats, pe_codes):
    """The hook for the 2025 reform: ``legacy(code, period)`` (``dhis2_mch.orgunits.resolve_legacy``) names
    the unit a row of that period belongs to (a pre-reform unit's ``PRE2025-`` code for periods before
    1 July 2025), or raises with why it belongs to none. Asked once per distinct (code, period)."""
    pairs, inverse = distinct(ou_codes, pe_codes)
    codes, why = [], []
    for o, p in pairs:
        text = ou_cats[o]
        try:
            codes.append(legacy(text, pe_cats[p]) if text else None)
            why.append(None if text else "empty: which commune or province?")
        except InputError as exc:
            codes.append(None)
            why.append(str(exc))
    answers = org_units(sorted({c for c in codes if c}))
    uids = [answers[c].uid if c and c in answers else None for c in codes]
    reasons = [w if w or u else answers[c].reason if c in answers else None
               for c, u, w in zip(codes, uids, why, strict=True)]  # fmt: skip
    moved = np.array([bool(c) and c != ou_cats[o] for (o, _), c in zip(pairs, codes, strict=True)] + [False])
    return uids, reasons, inverse, int(moved[inverse].sum())


def _duplicates(send: pd.DataFrame, frame: pd.DataFrame, problems: Problems):
    """One data value per (data element, period, org unit, option combos): equal repeats are sent once
    (and share the outcome of the row sent); repeats with different values are all rejected."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if not len(send):
        return send, empty, []
    keys = [send[c].cat.codes.to_numpy() for c in ("de", "period", "ou", "coc", "aoc")]
    if all_distinct(keys):  # the usual case: every row its own data value
        return send, empty, []
    group = groups(*keys)
    order = np.argsort(group, kind="stable")
    g = group[order]
    starts = np.r_[True, g[1:] != g[:-1]]
    first_of = order[np.maximum.accumulate(np.where(starts, np.arange(len(g)), 0))]  # per sorted row: its group's first
    value = send["value"].cat.codes.to_numpy()
    comment = send["comment"].cat.codes.to_numpy()
    repeat = order[~starts]
    kept = first_of[~starts]
    same = (value[repeat] == value[kept]) & (comment[repeat] == comment[kept])
    differ_groups = np.unique(group[repeat[~same]])
    in_conflict = np.isin(group, differ_groups)
    pos = send["_pos"].to_numpy()
    lines = frame[ROW].to_numpy()
    conflicted = np.flatnonzero(in_conflict)
    conflict_groups, where = np.unique(group[conflicted], return_inverse=True)
    first_lines: dict[int, list] = {}
    for g, line in zip(group[conflicted].tolist(), lines[pos[conflicted]].tolist(), strict=True):
        members = first_lines.setdefault(g, [])
        if len(members) < 9:
            members.append(line)
    sizes = np.bincount(where)
    why = [
        _conflict_reason(first_lines[g], int(n)) for g, n in zip(conflict_groups.tolist(), sizes.tolist(), strict=True)
    ]
    table = np.empty(len(why), dtype=object)
    table[:] = why
    problems.parts.append((pos[conflicted], "value", table[where], "preflight"))
    twin_mask = ~in_conflict[repeat] & same
    twins = (pos[repeat[twin_mask]], pos[kept[twin_mask]])
    notes = []
    if len(twins[0]):
        shown = _rows([lines[p] for p in twins[0][:8].tolist()])
        notes.append(f"{len(twins[0])} rows repeat another row exactly (rows {shown}): each value sent once")
    drop = np.zeros(len(send), dtype=bool)
    drop[repeat[twin_mask]] = True
    drop |= in_conflict
    return send[~drop].reset_index(drop=True), twins, notes


def _assignment(send, frame, assigned, catalogue, problems: Problems | None) -> tuple[list[dict], np.ndarray]:
    """DHIS2 stores a value for an org unit its data set is not assigned to (unless strictOrganisationUnits),
    but Data Entry and completeness never show it: one warning per data set naming the org units, or with
    ``strict`` an error on each row. Returns the warnings and the positions of the rows concerned."""
    pairs, inverse = distinct(send["ds"].cat.codes.to_numpy(), send["ou"].cat.codes.to_numpy())
    ds_cats, ou_cats = list(send["ds"].cat.categories), list(send["ou"].cat.categories)
    bad = [assigned.get(ds_cats[d]) is not None and ou_cats[o] not in assigned[ds_cats[d]] for d, o in pairs]
    flagged = np.asarray([*bad, False], dtype=bool)[inverse]
    if not flagged.any():
        return [], np.zeros(0, dtype=np.int64)
    positions = send["_pos"].to_numpy()[flagged]
    pair_of_row = inverse[flagged]
    counts = np.bincount(pair_of_row, minlength=len(pairs))
    pairs_seen = np.flatnonzero(counts)
    some_row = np.zeros(len(pairs), dtype=np.int64)
    some_row[pair_of_row] = np.arange(len(pair_of_row))  # a row of each pair, to show its org unit as written
    first_index = some_row[pairs_seen]
    text_cats, text_codes = column_codes(frame, "orgUnit")
    written = [text_cats[c] for c in text_codes[positions[first_index]].tolist()]  # the org unit as written
    by_ds: dict[str, dict] = {}
    for pair, text in zip(pairs_seen.tolist(), written, strict=True):
        ds = catalogue.labels.get(ds_cats[pairs[pair][0]], ds_cats[pairs[pair][0]])
        entry = by_ds.setdefault(ds, {"data_set": ds, "org_units": [], "rows": 0})
        entry["org_units"].append(text)
        entry["rows"] += int(counts[pair])
    if problems is not None:
        table = np.empty(len(pairs), dtype=object)
        for pair in pairs_seen.tolist():
            label = catalogue.labels.get(ds_cats[pairs[pair][0]], ds_cats[pairs[pair][0]])
            table[pair] = f"data set {label} is not assigned to this org unit (pushed with --strict)"
        problems.parts.append((positions, "orgUnit", table[pair_of_row], "preflight"))
    return list(by_ds.values()), positions


def _conflict_reason(lines: list, count: int) -> str:
    shown = ", ".join(str(row_id(x)) for x in lines[:8])
    more = f" and {count - 8} more" if count > 8 else ""
    return f"rows {shown}{more} give different values for the same data value"


def _rows(rows: list[Hashable]) -> str:
    shown = ", ".join(str(row_id(r)) for r in rows[:8])
    return shown + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
