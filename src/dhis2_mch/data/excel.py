"""Excel workbooks as provinces fill them: data on any sheet, a title above the header, dates and formulas.

Every sheet whose header (within its first rows) has the long format's columns is read; other sheets
(a "Read me", a chart) are skipped with a note, and a workbook where no sheet has them is refused with
what each sheet has. Cells become the text Excel shows: a whole number without ``.0``, a date cell as
``yyyy-MM-dd`` (the preflight turns the first day of a month into that month's period). A formula
whose result was never saved (a workbook written by a program and never opened in Excel) has no
value to send: its row is an error that says so, rather than an empty value.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from dhis2_mch.errors import InputError


@dataclass
class SheetProblem:
    position: int  # row position within the sheet's rows
    column: str
    value: str
    reason: str


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]  # the Excel row number of each row
    problems: list[SheetProblem] = field(default_factory=list)


@dataclass
class Sheets:
    read: list[Sheet]
    columns: list[str]  # the first read sheet's header, in its order
    raw: dict[str, str]  # canonical name -> the header's own spelling
    notes: list[str] = field(default_factory=list)


def read_workbook(path: Path, only: str | None, required: tuple[str, ...], search: int) -> Sheets:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/its own types for files that are not xlsx
        raise InputError(
            f"{path}: cannot read the workbook ({type(exc).__name__}: {exc}); is it really an .xlsx file? "
            "Save it from Excel as Excel Workbook (.xlsx) or CSV UTF-8."
        ) from None
    try:
        names = list(book.sheetnames)
        if only is not None and only not in names:
            raise InputError(f"{path}: no sheet named {only!r}; the workbook has: {', '.join(map(repr, names))}.")
        wanted = {c.lower() for c in required}
        read: list[Sheet] = []
        read_notes: list[str] = []
        seen: dict[str, str] = {}
        for name in [only] if only else names:
            ws = book[name]
            rows = ws.iter_rows(values_only=True)
            header_at, header = None, None
            for number, row in enumerate(rows, 1):
                cells = [_text(c).strip() for c in row]
                if wanted <= {c.lower() for c in cells}:
                    header_at, header = number, cells
                    break
                if number >= search:
                    break
            if header is None or header_at is None:
                first = next(iter(ws.iter_rows(max_row=1, values_only=True)), ())
                seen[name] = ", ".join(_text(c) for c in first if c not in (None, "")) or "nothing"
                continue
            width = max((i + 1 for i, c in enumerate(header) if c), default=0)
            header = header[:width]
            sheet = Sheet(name, header, [], [])
            last = 0  # rows after the last one with any text are formatting (a template styled to row 10,000)
            for number, row in enumerate(rows, header_at + 1):
                cells = [_text(c) for c in row[:width]] + [""] * (width - min(len(row), width))
                sheet.rows.append(cells)
                sheet.lines.append(number)
                if any(cells):
                    last = len(sheet.rows)
            if last:  # (a sheet with no text at all keeps its rows: they may all be formulas never calculated)
                del sheet.rows[last:], sheet.lines[last:]
            _fill_merged(path, getattr(ws, "_worksheet_path", None), sheet, header_at, read_notes)
            if getattr(ws, "sheet_state", "visible") != "visible" and only is None:
                read_notes.append(f"sheet {name!r} is hidden in Excel; its {len(sheet.rows)} rows are read too "
                                  "(unhide it to check them, or --sheet NAME to read one sheet)")  # fmt: skip
            read.append(sheet)
        if not read:
            has = "; ".join(f"sheet {n!r} starts with: {v}" for n, v in seen.items())
            raise InputError(
                f"{path}: no sheet has the columns {', '.join(required)} in a header row (within its first {search} "
                f"rows). {has}."
            )
        notes = [f"sheet {n!r} has no {', '.join(required)} header: skipped" for n in seen if len(names) > 1]
        if len(read) > 1:
            notes.append(f"read {len(read)} sheets: {', '.join(repr(s.name) for s in read)}")
        notes += read_notes
    finally:
        book.close()
    _formulas(path, read)
    raw = {c.strip(): c for c in read[0].columns}
    return Sheets(read, read[0].columns, {k.lower(): v for k, v in raw.items()}, notes)


#: columns whose merged cells stand for every row they span (a commune's code merged down its indicator rows)
MERGED_KEYS = ("orgunit", "period", "dataelement", "categoryoptioncombo", "attributeoptioncombo")
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _fill_merged(path: Path, part: str | None, sheet: Sheet, header_at: int, notes: list[str]) -> None:
    """A code or period merged down several rows (how report forms show a commune beside its indicators)
    holds its text in the first row only; Excel shows it on all of them, so every row of the range gets it.
    Only the key columns: a value or comment merged over rows is not copied (the rows stay empty, and say so).
    The ranges are read from the sheet's XML (read-only workbooks do not expose them)."""
    if part is None:
        return
    keys = {j for j, c in enumerate(sheet.columns) if c.strip().lower() in MERGED_KEYS}
    ranges = []
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as fh:
            tail = b""
            while block := fh.read(1 << 20):
                data = tail + block
                ranges += _MERGE.findall(data)
                cut = data.rfind(b"<")
                tail = data[cut:] if cut >= 0 and not _MERGE.match(data[cut:]) else b""
    except (KeyError, OSError, zipfile.BadZipFile):
        return
    row_of = {line: i for i, line in enumerate(sheet.lines)}
    filled = 0
    for c1, r1, c2, r2 in set(ranges):
        cols = [j for j in range(_column(c1), _column(c2) + 1) if j in keys]
        first, last = int(r1), int(r2)
        if not cols or last <= first or first <= header_at or first not in row_of:
            continue
        top = sheet.rows[row_of[first]]
        for line in range(first + 1, last + 1):
            if line not in row_of:
                continue
            row = sheet.rows[row_of[line]]
            for j in cols:
                if row[j] == "" and top[j] != "":
                    row[j] = top[j]
                    filled += 1
    if filled:
        notes.append(f"sheet {sheet.name!r}: {filled} cells of merged codes or periods read as the merged text")


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _formulas(path: Path, sheets: list[Sheet]) -> None:
    """Empty cells that hold a formula with no saved result: say so instead of sending nothing."""
    empty = [(s, i, j) for s in sheets for i, row in enumerate(s.rows) for j, c in enumerate(row) if c == ""]
    if not empty:  # (a sheet of nothing but uncalculated formulas reads as empty: it is checked too)
        return
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in sheets:
            wanted = {(i, j) for s, i, j in empty if s is sheet}
            if not wanted:
                continue
            first = sheet.lines[0] if sheet.lines else 1
            rows = book[sheet.name].iter_rows(min_row=first, max_row=sheet.lines[-1], values_only=True)
            for i, row in enumerate(rows):
                for j, cell in enumerate(row[: len(sheet.columns)]):
                    if (i, j) in wanted and isinstance(cell, str) and cell.startswith("="):
                        sheet.problems.append(SheetProblem(i, sheet.columns[j], cell, (
                            "a formula whose result was never saved (the workbook was written by a program, not "
                            "Excel): open it in Excel, save it, and push it again"
                        )))  # fmt: skip
    finally:
        book.close()


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else format(cell, ".15g")
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(timespec="minutes")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)
