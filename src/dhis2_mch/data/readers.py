"""Read the files provinces keep into one table of text, every row with its physical line number.

What Vietnamese offices actually produce, read as they meant it: CSV in UTF-8 (with or without BOM),
Windows-1258 (what "CSV (Comma delimited)" writes on a Vietnamese Windows) and UTF-16 ("Unicode
Text"); comma, semicolon (Vietnamese regional settings) or tab separators, detected from the header;
a title row or two above the header; Excel workbooks with the data on any sheet (every sheet that
has the columns is read). Everything is text: ``02809`` keeps its leading zero and ``1.541`` (a
thousands separator) reaches the preflight as written. A line whose field count does not match the
header (an unquoted ``1,541`` splits into two fields) becomes a row error, never a shifted row.

Large CSV files are read in chunks and kept as categorical columns (one small integer per cell, each
distinct text once), so a million rows fit in a few tens of megabytes.
"""

from __future__ import annotations

import csv
import ctypes
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dhis2_mch.data import excel
from dhis2_mch.data.tidy import not_data, runaway_quotes, slipped_columns, spare_note, tidy_cells
from dhis2_mch.errors import InputError

#: the long format: one row per value. Required columns first.
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
CHUNK_ROWS = 200_000
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
    return _read_csv(path, progress)


# ---------------------------------------------------------------------------------------------- CSV


def _read_csv(path: Path, progress) -> Table:
    head = path.open("rb").read(1 << 16)
    if not head.strip():
        raise InputError(f"{path}: the file is empty; expected a header row with {', '.join(REQUIRED)}.")
    encoding = _encoding(path, head)
    text_head = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    header_line, sep, names = _find_header(path, text_head)
    _check_columns(path, names)
    table = Table(path, pd.DataFrame(), names, encoding=encoding, separator=sep)
    if encoding == "cp1258":
        table.notes.append(
            'read as Windows-1258 (Vietnamese ANSI, Excel\'s "CSV (Comma delimited)"); to be sure of every letter, '
            'save as "CSV UTF-8 (Comma delimited)"'
        )
    scan = _scan(path, encoding, sep, header_line, len(names))
    extras = [f"_extra{i}" for i in range(max(0, scan.max_fields - len(names)))]
    chunks: list[pd.DataFrame] = []
    try:
        reader = pd.read_csv(
            path, sep=sep, header=None, names=[*_unique(names), *extras], skiprows=header_line + 1, dtype=object,
            na_filter=False, keep_default_na=False, encoding=encoding, skip_blank_lines=False, chunksize=CHUNK_ROWS,
            engine="c", index_col=False,
        )  # fmt: skip
        for chunk in reader:
            chunks.append(_categorical(chunk.drop(columns=extras)))
            if progress is not None:
                progress.read(sum(len(c) for c in chunks))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not readable as {encoding} ({exc.reason} at byte {exc.start}); save it from Excel as "
            '"CSV UTF-8 (Comma delimited)" or as .xlsx.'
        ) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: malformed CSV ({str(exc).strip()}).") from None
    frame = _concat(chunks, _unique(names))
    first = header_line + 2  # physical line of the first data record
    records = np.arange(len(frame))
    frame[ROW] = scan.lines[records + header_line + 1] if scan.lines is not None else records + first
    for line, (fields, text) in sorted(scan.long.items()):
        where = np.flatnonzero(frame[ROW].to_numpy() == line)
        if len(where):
            table.problems.append(ReadProblem(int(where[0]), "value", text, (
                f"{fields} fields where the header has {len(names)}: an unquoted thousands separator such as "
                "1,541? write 1541 (or a comma inside a comment? put the comment in quotes)"
            )))  # fmt: skip
    table.frame = frame
    return _finish(table, names)


@dataclass
class _Scan:
    max_fields: int
    long: dict[int, tuple[int, str]]  # physical line -> (fields, the line as written), for lines with too many
    lines: np.ndarray | None  # record -> physical line, only when quoted fields hold line breaks


def _scan(path: Path, encoding: str, sep: str, header_line: int, width: int) -> _Scan:
    """Count each line's fields, to catch a line with more fields than the header before pandas truncates it.

    Byte-level with numpy (separator, newline and quote are single ASCII bytes in UTF-8 and Windows-1258),
    the csv module only for lines that hold quotes, and for whole files whose quoted fields span lines.
    """
    if encoding.startswith("utf-16") or _cr_only(path):  # the csv module reads "CSV (Macintosh)" line ends
        return _scan_slow(path, encoding, sep, header_line, width)
    byte, quote = ord(sep), ord('"')
    long: dict[int, tuple[int, str]] = {}
    most, base, rest = width, 1, b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(1 << 23)
            data = rest + block
            if not data:
                break
            cut = data.rfind(b"\n") + 1 if block else len(data)
            if cut == 0:
                rest = data
                continue
            chunk, rest = data[:cut], data[cut:]
            if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):  # a bare CR ends a line too
                return _scan_slow(path, encoding, sep, header_line, width)  # (a Mac's file joined to a PC's)
            a = np.frombuffer(chunk, dtype=np.uint8)
            ends = np.flatnonzero(a == 10)
            if not len(ends) or ends[-1] != len(a) - 1:
                ends = np.r_[ends, len(a)]
            seps = np.flatnonzero(a == byte)
            quotes = b'"' in chunk  # memchr first: most files hold none
            if not quotes and _every_line_full(seps, ends, width):
                base += len(ends)
                continue
            counts = np.diff(np.searchsorted(seps, ends), prepend=0) + 1
            quoted = np.flatnonzero(a == quote) if quotes else ()
            if len(quoted):
                if _quoted_breaks(chunk):
                    return _scan_slow(path, encoding, sep, header_line, width)
                starts = np.r_[0, ends[:-1] + 1]
                for i in np.unique(np.searchsorted(ends, quoted)).tolist():
                    line = chunk[starts[i] : ends[i]].decode(encoding, errors="replace")
                    counts[i] = len(next(csv.reader([line], delimiter=sep), [""]))
            over = np.flatnonzero(counts > width)
            for i in over.tolist():
                line_no = base + i
                if line_no > header_line + 1:
                    start = 0 if i == 0 else int(ends[i - 1]) + 1
                    text = chunk[start : int(ends[i])].decode(encoding, errors="replace").rstrip("\r")
                    long[line_no] = (int(counts[i]), text)
                    most = max(most, int(counts[i]))
            base += len(ends)
    return _Scan(most, long, None)


def _every_line_full(seps: np.ndarray, ends: np.ndarray, width: int) -> bool:
    """Whether every line of the block has exactly the header's fields, without counting line by line: as
    many separators as ``width - 1`` per line, and the k-th group of them inside the k-th line."""
    if width < 2 or len(seps) != (width - 1) * len(ends):
        return False
    groups = seps.reshape(len(ends), width - 1)
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, ends[:-1] + 1
    return bool((groups[:, 0] >= starts).all() and (groups[:, -1] < ends).all())


def _cr_only(path: Path) -> bool:
    """Lines ended by CR alone (Excel for Mac's "CSV (Macintosh)"): the byte scan counts LF."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    return b"\r" in head and b"\n" not in head


def _quoted_breaks(chunk: bytes) -> bool:
    """A quoted field that holds a line break: an odd number of quotes on some line."""
    return any(line.count(b'"') % 2 for line in chunk.split(b"\n") if b'"' in line)


def _scan_slow(path: Path, encoding: str, sep: str, header_line: int, width: int) -> _Scan:
    starts: list[int] = []
    long: dict[int, tuple[int, str]] = {}
    most = width
    with path.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        line = 1
        for record, fields in enumerate(reader):
            starts.append(line)
            if record > header_line and len(fields) > width:
                long[line] = (len(fields), sep.join(fields))
                most = max(most, len(fields))
            line = reader.line_num + 1
    return _Scan(most, long, np.asarray(starts, dtype=np.int64))


def _unique(names: list[str]) -> list[str]:
    """Column names pandas accepts (blank or repeated names of columns we ignore get a suffix)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        key = n or "_blank"
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}_{seen[key]}")
    return out


def _encoding(path: Path, head: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 (BOM), else Windows-1258 when the bytes are not UTF-8."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if b"\x00" in head:
        raise InputError(f'{path}: a binary file or UTF-16 without its mark; save it from Excel as "CSV UTF-8".')
    if head.isascii():  # codes and numbers only so far: judge by the first letters further on
        head = _first_letters(path, len(head)) or head
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) == 1 << 16:  # a character cut by the 64 KiB window
            return "utf-8"  # (not at the end of a shorter file: a Windows-1258 letter there is no cut character)
    try:
        head.decode("cp1258")
    except UnicodeDecodeError:
        raise InputError(
            f'{path}: neither UTF-8 nor Windows-1258 text; save it from Excel as "CSV UTF-8 (Comma delimited)".'
        ) from None
    return "cp1258"


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _first_letters(path: Path, start: int) -> bytes | None:
    """64 KiB from the first byte beyond ASCII after ``start`` (a Vietnamese comment on line 1,500 of a file
    saved as Windows-1258), or None when the whole file is ASCII."""
    with path.open("rb") as fh:
        fh.seek(start)
        offset = start
        while block := fh.read(1 << 20):
            if not block.isascii():
                at = offset + _NON_ASCII.search(block).start()  # type: ignore[union-attr]
                fh.seek(at)
                return fh.read(1 << 16)
            offset += len(block)
    return None


def _find_header(path: Path, text: str) -> tuple[int, str, list[str]]:
    """The line holding the column names (title rows may stand above it) and the separator it uses."""
    lines = text.splitlines()[:HEADER_SEARCH]
    wanted = {c.lower() for c in REQUIRED}
    for number, line in enumerate(lines):
        for sep in (",", ";", "\t"):
            names = next(csv.reader([line], delimiter=sep), [])
            if wanted <= {n.strip().lower() for n in names}:
                return number, sep, [n.strip() for n in names]
    first = lines[0] if lines else ""
    sep = max((",", ";", "\t"), key=first.count)
    names = [n.strip() for n in next(csv.reader([first], delimiter=sep), [])]
    _check_columns(path, names)  # raises: the required columns are missing
    raise AssertionError("unreachable")


def _check_columns(where: Path | str, names: list[str]) -> None:
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


def _categorical(chunk: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: _clean_parsed(chunk[c].to_numpy()) for c in chunk.columns}, index=chunk.index)


def _clean_parsed(values: np.ndarray) -> pd.Categorical:
    """``_clean`` for a column from pandas' C parser, found by object identity rather than by hashing texts.

    The parser hands equal texts of a chunk one shared string object, so the cells' addresses (integers,
    read from the array without touching the objects) factorize ~4× faster than the texts. Equal texts held
    by different objects get different codes here and are merged when the distinct texts are cleaned, so
    the result never depends on that sharing, only the speed does.
    """
    values = np.ascontiguousarray(values, dtype=object)
    if not len(values):
        return _clean(values)
    slots = (ctypes.c_ssize_t * len(values)).from_address(values.ctypes.data)
    codes, _ = pd.factorize(np.frombuffer(memoryview(slots), dtype=np.intp))
    run = np.maximum.accumulate(codes)  # codes are numbered in order of first appearance
    first = np.flatnonzero(np.r_[True, run[1:] > run[:-1]])
    return _cleaned(codes, values[first].tolist())


def _clean(values: np.ndarray) -> pd.Categorical:
    """Stripped, NFC text as a categorical: each distinct value is converted and cleaned once, not every cell."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return _cleaned(codes, list(uniques))


def _cleaned(codes: np.ndarray, uniques: list) -> pd.Categorical:
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


def _concat(chunks: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
    if not chunks:
        return pd.DataFrame({n: pd.Categorical([]) for n in names})
    out = {}
    columns = list(chunks[0].columns)
    for c in columns:
        out[c] = pd.api.types.union_categoricals([ch[c] for ch in chunks])
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------- Excel


def _from_sheets(path: Path, sheets: excel.Sheets) -> Table:
    """Every sheet read into one table; a column of a later sheet that the first lacks is added to the
    table's columns, so the rows-to-push-again file carries it too."""
    frames, problems, names = [], [], list(sheets.columns)
    offset, notes = 0, []
    raw: dict[str, str] = {}
    for sh in sheets.read:
        where = f"{path} (sheet {sh.name!r})"
        _check_columns(where, sh.columns)
        unique = _unique(sh.columns)
        frame = pd.DataFrame(sh.rows, columns=unique, dtype=object)
        frame = pd.DataFrame({c: _clean(frame[c].to_numpy(dtype=object)) for c in unique})
        frame, found, said = _canonical(frame, where, _positions(names, sh.columns))
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
    table.frame = _drop_blank(table.frame, table)
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


# ---------------------------------------------------------------------------------------------- shared


def _finish(table: Table, names: list[str]) -> Table:
    frame, raw, notes = _canonical(table.frame, str(table.path))
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
    table.frame = _drop_blank(frame, table)
    return table


def _canonical(
    frame: pd.DataFrame, where: str, positions: list[int] | None = None
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Columns renamed to the canonical long-format names (any case; a slip in a missing one's name is taken
    for it), missing optional ones empty, code and value cells tidied (``tidy``). The input's other columns
    are carried as ``_in<i>`` (``i``: their position in the table's columns, ``positions[j]`` for the frame's
    j-th column, default j), for the rows-to-push-again file. Returns the frame, canonical -> the input's
    name, and notes."""
    names = [str(c) for c in frame.columns]
    _check_columns(where, [n for n in names if not n.startswith("_")])
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


def _drop_blank(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
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
    _check_columns(source, [str(c) for c in frame.columns])
    by_lower = {str(c).strip().lower(): c for c in frame.columns}
    out = pd.DataFrame(index=frame.index)
    for c in COLUMNS:
        if c.lower() in by_lower:
            out[c] = _clean(frame[by_lower[c.lower()]].to_numpy(dtype=object))
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
