"""Read a CSV or Excel file into a table of text, keeping each row's line number.

Everything is read as text: commune codes such as ``02809`` keep their leading zero, and a value
like ``1.541`` (a Vietnamese thousands separator) reaches the preflight as written instead of
silently becoming 1.541.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dhis2_mch.errors import InputError

#: the long format: one row per value. Required columns first.
REQUIRED = ("orgUnit", "period", "dataElement", "value")
OPTIONAL = ("categoryOptionCombo", "attributeOptionCombo", "comment")
ROW = "_row"  # the row's line number in the source file (header = line 1), or its id in a frame
POS = "_pos"  # the row's position in the input frame (0-based), to record its outcome


@dataclass
class Table:
    path: Path
    frame: pd.DataFrame  # canonical column names, text values, plus ROW
    original_columns: list[str]
    ignored_columns: list[str]


def read_table(path: Path, sheet: str | None = None) -> Table:
    frame = _read(path, sheet)
    if frame.empty and len(frame.columns) == 0:
        raise InputError(f"{path}: the file is empty; expected a header row with {', '.join(REQUIRED)}.")
    original = [str(c) for c in frame.columns]
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame, ignored = normalise(frame, str(path))
    return Table(path, frame, original, ignored)


def normalise(frame: pd.DataFrame, source: str = "the table") -> tuple[pd.DataFrame, list[str]]:
    """The long format's columns under their canonical names, as stripped text, blank rows dropped.

    ``ROW`` is the row's id: the frame's index label (for a file, its line number). Returns the
    frame and the names of the columns it ignored.
    """
    original = [str(c) for c in frame.columns]
    by_lower = {c.strip().lower(): c for c in original}
    rename, missing = {}, []
    for name in (*REQUIRED, *OPTIONAL):
        column = by_lower.get(name.lower())
        if column is not None:
            rename[column] = name
        elif name in REQUIRED:
            missing.append(name)
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}. The long format needs the columns "
            f"{', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)}); the file has: {', '.join(original) or 'none'}."
        )
    frame = frame.rename(columns=rename)[list(rename.values())].copy()
    for name in OPTIONAL:
        if name not in frame.columns:
            frame[name] = ""
    for name in frame.columns:
        frame[name] = frame[name].fillna("").astype(str).str.strip()
    frame[ROW] = frame.index
    blank = (frame[list(REQUIRED)] == "").all(axis=1)
    frame = frame[~blank]
    ignored = [c for c in original if c not in rename]
    return frame, ignored


def _read(path: Path, sheet: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False, engine="openpyxl")
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file ({getattr(exc, 'strerror', None) or exc}).") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty; expected a header row with {', '.join(REQUIRED)}.") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: malformed CSV ({str(exc).strip()}).") from None
    except ValueError as exc:  # pandas/openpyxl: unknown sheet, not a zip file ...
        raise InputError(f"{path}: cannot read the workbook ({exc}).") from None
    except Exception as exc:  # openpyxl raises its own types for corrupt workbooks
        raise InputError(f"{path}: cannot read the workbook ({type(exc).__name__}: {exc}).") from None
    raise InputError(f"{path}: unsupported file type `{suffix or '(none)'}`; use .csv or .xlsx.")
