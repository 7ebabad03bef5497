"""Read the files provinces keep into one table of text, every row with its physical line number.

``read_table`` takes a CSV (``csvfile``: UTF-8, Windows-1258 or UTF-16, comma, semicolon or tab, title
rows above the header, a line with the wrong field count as a row error) or an Excel workbook (here:
every sheet that has the columns), and gives the long-format ``Table`` (``table``: text cells as
categoricals, ``02809`` keeping its leading zero, rows that are not data set aside). The table's names
are re-exported here, where the rest of the package has always found them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dhis2_mch.data import excel
from dhis2_mch.data.csvfile import read_csv
from dhis2_mch.data.table import (  # noqa: F401  (the table's names, where callers have always found them)
    CARRIED,
    COLUMNS,
    HEADER_SEARCH,
    MARKERS,
    OPTIONAL,
    POS,
    REQUIRED,
    ROW,
    SHEET,
    TIDIED,
    ReadProblem,
    Table,
    canonical,
    check_columns,
    clean,
    csv_text,
    drop_blank,
    normalise,
    unique_names,
)
from dhis2_mch.errors import InputError


def read_table(path: Path, sheet: str | None = None, *, progress=None) -> Table:
    """The file as a long-format table; ``sheet`` limits a workbook to one worksheet."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a .csv or .xlsx file.")
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _from_sheets(path, excel.read_workbook(path, sheet, REQUIRED, HEADER_SEARCH))
    if suffix == ".xls":
        raise InputError(f"{path}: an old Excel 97-2003 workbook; save it as .xlsx (Excel Workbook) or CSV UTF-8.")
    if suffix not in (".csv", ".txt", ".tsv"):
        raise InputError(f"{path}: unsupported file type `{suffix or '(none)'}`; use .csv or .xlsx.")
    if sheet:
        raise InputError(f"{path}: --sheet is for Excel workbooks; a CSV file has no sheets.")
    return read_csv(path, progress)


# ---------------------------------------------------------------------------------------------- Excel


def _from_sheets(path: Path, sheets: excel.Sheets) -> Table:
    """Every sheet read into one table; a column of a later sheet that the first lacks is added to the
    table's columns, so the rows-to-push-again file carries it too."""
    frames, problems, names = [], [], list(sheets.columns)
    offset, notes = 0, []
    raw: dict[str, str] = {}
    for sh in sheets.read:
        where = f"{path} (sheet {sh.name!r})"
        check_columns(where, sh.columns)
        unique = unique_names(sh.columns)
        frame = pd.DataFrame(sh.rows, columns=unique, dtype=object)
        frame = pd.DataFrame({c: clean(frame[c].to_numpy(dtype=object)) for c in unique})
        frame, found, said = canonical(frame, where, _positions(names, sh.columns))
        raw = raw or found
        notes += [f"sheet {sh.name!r}: {n}" if len(sheets.read) > 1 else n for n in said]
        frame[ROW] = np.asarray(sh.lines, dtype=np.int64)
        frame[SHEET] = sh.name
        frames.append(frame)
        problems += [ReadProblem(offset + p.position, p.column, p.value, p.reason) for p in sh.problems]
        offset += len(frame)
    if frames:
        frame = pd.concat(frames, ignore_index=True)
        for c in [*COLUMNS, *(c for c in frame.columns if c.startswith(CARRIED))]:
            frame[c] = frame[c].fillna("").astype("category")
        frame[SHEET] = frame[SHEET].astype("category")
    else:
        frame = pd.DataFrame({c: pd.Categorical([]) for c in COLUMNS})
        frame[ROW] = np.zeros(0, dtype=np.int64)
    table = Table(path, frame, names, problems=problems, notes=[*sheets.notes, *notes])
    table.raw = raw or {c: n for c in COLUMNS for n in names if n.strip().lower() == c.lower()}
    table.ignored_columns = [n for n in names if n and n.strip().lower() not in {c.lower() for c in COLUMNS}
                             and n not in table.raw.values()]  # fmt: skip
    table.frame = drop_blank(table.frame, table)
    return table


def _positions(names: list[str], columns: list[str]) -> list[int]:
    """Where each of a sheet's columns sits in the table's columns (the first sheet's, then new ones appended
    to ``names``); a name written twice is matched occurrence by occurrence."""
    out: list[int] = []
    seen: dict[str, int] = {}
    for c in columns:
        key = c.strip().lower()
        n = seen[key] = seen.get(key, 0) + 1
        matches = [i for i, name in enumerate(names) if name.strip().lower() == key]
        if len(matches) >= n:
            out.append(matches[n - 1])
        else:
            names.append(c)
            out.append(len(names) - 1)
    return out


