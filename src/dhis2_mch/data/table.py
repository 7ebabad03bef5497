"""The long-format table every reader gives: one row per value, text cells as categoricals, each row with
the physical line (and sheet) it came from, and the shared last steps (canonical column names, tidied
cells, rows that are not data set aside).

Everything is text: ``02809`` keeps its leading zero and ``1.541`` (a thousands separator) reaches the
preflight as written. Columns are categorical (one small integer per cell, each distinct text once), so
a million rows fit in a few tens of megabytes.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dhis2_mch.data.tidy import not_data, runaway_quotes, slipped_columns, spare_note, tidy_cells
from dhis2_mch.errors import InputError

REQUIRED = ("orgUnit", "period", "dataElement", "value")
OPTIONAL = ("categoryOptionCombo", "attributeOptionCombo", "comment")
COLUMNS = (*REQUIRED, *OPTIONAL)
ROW = "_row"  # the row's physical line number in its file (header = its own line), or its id in a frame
SHEET = "_sheet"  # the worksheet of a workbook row ("" for CSV)
POS = "_pos"  # the row's position in the input (0-based), to record its outcome
#: columns a rows-to-push-again file adds after the input's own; ignored when it is read back
MARKERS = ("line", "sheet", "reason")
#: the input's other columns, carried to the rows-to-push-again file: ``_in<i>``, i = position in Table.columns
CARRIED = "_in"
#: columns whose cells are codes, periods or numbers (tidied of invisible and full-width characters)
TIDIED = ("orgUnit", "period", "dataElement", "categoryOptionCombo", "attributeOptionCombo", "value")
HEADER_SEARCH = 20  # lines searched for the header (title rows above it)


@dataclass
class ReadProblem:
    """A row the reader could not take as it stands (its line, the column, what was there, why)."""

    position: int
    column: str
    value: str
    reason: str


@dataclass
class Table:
    path: Path
    frame: pd.DataFrame  # COLUMNS as categorical text, ROW (line), SHEET; index = row ids
    columns: list[str]  # the input's own column names, in its order (the first sheet's for a workbook)
    raw: dict[str, str] = field(default_factory=dict)  # canonical name -> the input's name for it
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    separator: str = ","


def check_columns(where: Path | str, names: list[str]) -> None:
    lowered = [n.strip().lower() for n in names]
    missing = [c for c in REQUIRED if c.lower() not in lowered]
    if missing:
        shown = ", ".join(n for n in names if n) or "none"
        raise InputError(
            f"{where}: missing column(s) {', '.join(missing)}. The long format needs the columns "
            f"{', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)}), in a header row at the top (title rows above "
            f"it are fine); the file has: {shown}."
        )
    dupes = sorted({n for n in lowered if n and lowered.count(n) > 1 and n in {c.lower() for c in COLUMNS}})
    if dupes:
        raise InputError(f"{where}: the column(s) {', '.join(dupes)} appear more than once; keep one of each.")


def unique_names(names: list[str]) -> list[str]:
    """Column names pandas accepts (blank or repeated names of columns we ignore get a suffix)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        key = n or "_blank"
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}_{seen[key]}")
    return out



def clean(values: np.ndarray) -> pd.Categorical:
    """Stripped, NFC text as a categorical: each distinct value is converted and cleaned once, not every cell."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return cleaned(codes, list(uniques))


def cleaned(codes: np.ndarray, uniques: list) -> pd.Categorical:
    """``uniques[codes]`` as stripped NFC text (code -1: an empty cell), equal results merged."""
    cleaned = ["" if _missing(u) else unicodedata.normalize("NFC", _text(u)).strip() for u in uniques]
    if (codes < 0).any():  # None / NaN cells: empty text
        codes = np.where(codes < 0, len(cleaned), codes)
        cleaned.append("")
    merged_codes, merged = pd.factorize(np.asarray([*cleaned, ""], dtype=object))
    if not len(codes):
        out = np.zeros(0, dtype=np.int64)
    elif np.array_equal(merged_codes[: len(cleaned)], np.arange(len(cleaned))):
        out = codes  # cleaning merged nothing (the usual case): the codes stand, no gather of a million
    else:
        out = merged_codes[codes]
    return pd.Categorical.from_codes(out, categories=pd.Index(merged, dtype=object))


# ---------------------------------------------------------------------------------------------- shared


def finish(table: Table, names: list[str]) -> Table:
    frame, raw, notes = canonical(table.frame, str(table.path))
    table.raw = raw
    table.notes += notes
    texts = [c for c in frame.columns if c in COLUMNS or c.startswith(CARRIED)]
    width = len([n for n in names if n.strip().lower() not in MARKERS])  # a rows-to-push-again file's own width
    for position, column, reason in runaway_quotes(frame, texts, table.separator, width):
        cell = str(frame[column].iat[position])
        name = column if column in COLUMNS else table.columns[int(column[len(CARRIED):])]
        table.problems.append(ReadProblem(position, name, cell, reason))
    table.ignored_columns = [
        n for n in names if n and n.strip().lower() not in {c.lower() for c in COLUMNS} and n not in MARKERS
        and n not in raw.values()
    ]  # fmt: skip
    table.frame = drop_blank(frame, table)
    return table


def canonical(
    frame: pd.DataFrame, where: str, positions: list[int] | None = None
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Columns renamed to the canonical long-format names (any case; a slip in a missing one's name is taken
    for it), missing optional ones empty, code and value cells tidied (``tidy``). The input's other columns
    are carried as ``_in<i>`` (``i``: their position in the table's columns, ``positions[j]`` for the frame's
    j-th column, default j), for the rows-to-push-again file. Returns the frame, canonical -> the input's
    name, and notes."""
    names = [str(c) for c in frame.columns]
    check_columns(where, [n for n in names if not n.startswith("_")])
    by_lower = {n.strip().lower(): n for n in names}
    raw = {c: by_lower[c.lower()] for c in COLUMNS if c.lower() in by_lower}
    known = {c.lower() for c in COLUMNS} | set(MARKERS)
    slips = slipped_columns([n for n in names if n not in (ROW, SHEET)], [c for c in OPTIONAL if c not in raw], known)
    raw.update(slips)
    out = pd.DataFrame(index=frame.index)
    for c in COLUMNS:
        out[c] = frame[raw[c]] if c in raw else pd.Categorical.from_codes(
            np.zeros(len(frame), dtype=np.int8), categories=pd.Index([""], dtype=object)
        )  # fmt: skip
    tidy_cells(out, TIDIED)
    for c in (ROW, SHEET):
        if c in frame.columns:
            out[c] = frame[c]
    used = set(raw.values())
    for j, n in enumerate(names):
        if n not in used and n not in (ROW, SHEET) and n.strip().lower() not in MARKERS:
            out[f"{CARRIED}{positions[j] if positions else j}"] = frame.iloc[:, j]
    notes = [f"read the column `{n}` as {c}" for c, n in slips.items()]
    return out, raw, notes


def drop_blank(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Rows with every long-format cell empty are spacing, not data (their line numbers stay with the others).
    So are rows with no period, data element or value (a signature block or a note under the table: "Người lập
    biểu", "Ngày ... tháng ...") and the header written again (files joined one after another): those are named
    in a note, never sent, and never hold the rest of the file back."""
    blank = np.ones(len(frame), dtype=bool)
    for c in COLUMNS:
        cat = frame[c].cat
        empty = np.asarray(cat.categories == "", dtype=bool)
        blank &= empty[cat.codes.to_numpy()] if empty.any() else False
        if not blank.any():
            break
    spare = not_data(frame) & ~blank
    problem_rows = {p.position for p in table.problems}
    if problem_rows:
        blank[list(problem_rows)] = False
        spare[list(problem_rows)] = False
    if spare.any():
        sheets = frame[SHEET].astype(str).to_numpy()[spare].tolist() if SHEET in frame.columns else None
        table.notes.append(spare_note(frame[ROW].to_numpy()[spare].tolist(), sheets))
        blank |= spare
    if not blank.any():
        frame.index = pd.RangeIndex(len(frame))
        return frame
    keep = np.flatnonzero(~blank)
    remap = {old: new for new, old in enumerate(keep.tolist())}
    for p in table.problems:
        p.position = remap[p.position]
    return frame.iloc[keep].reset_index(drop=True)


def normalise(frame: pd.DataFrame, source: str = "the DataFrame") -> pd.DataFrame:
    """A caller's long-format frame (any dtypes) as the reader's table; its index labels stay the row ids."""
    check_columns(source, [str(c) for c in frame.columns])
    by_lower = {str(c).strip().lower(): c for c in frame.columns}
    out = pd.DataFrame(index=frame.index)
    for c in COLUMNS:
        if c.lower() in by_lower:
            out[c] = clean(frame[by_lower[c.lower()]].to_numpy(dtype=object))
        else:
            out[c] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), categories=pd.Index([""]))
    tidy_cells(out, TIDIED)
    out[ROW] = frame[ROW].to_numpy() if ROW in frame.columns else frame.index
    return out


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT


def _text(v: object) -> str:
    """A notebook's cell as the text a spreadsheet shows: 12.0 → ``12``, a timestamp → its date."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp | datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()
