"""CSV files as provinces write them, read into the long-format table.

UTF-8 (with or without BOM), Windows-1258 (what "CSV (Comma delimited)" writes on a Vietnamese Windows)
and UTF-16 ("Unicode Text"); comma, semicolon (Vietnamese regional settings) or tab separators, detected
from the header; title rows above the header; Windows, Mac or mixed line ends. A line whose field count
does not match the header (an unquoted ``1,541`` splits into two fields) becomes a row error, never a
shifted row: the lines are counted first, with numpy over the bytes. Large files are read in chunks by
pandas' C parser, each column made categorical as it comes.
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dhis2_mch.data.table import (
    HEADER_SEARCH,
    REQUIRED,
    ROW,
    ReadProblem,
    Table,
    check_columns,
    clean,
    cleaned,
    finish,
    unique_names,
)
from dhis2_mch.errors import InputError

CHUNK_ROWS = 200_000


def read_csv(path: Path, progress) -> Table:
    head = path.open("rb").read(1 << 16)
    if not head.strip():
        raise InputError(f"{path}: the file is empty; expected a header row with {', '.join(REQUIRED)}.")
    encoding = _encoding(path, head)
    text_head = head.decode(encoding, errors="ignore").lstrip("\ufeff")
    header_line, sep, names = _find_header(path, text_head)
    check_columns(path, names)
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
            path, sep=sep, header=None, names=[*unique_names(names), *extras], skiprows=header_line + 1, dtype=object,
            na_filter=False, keep_default_na=False, encoding=encoding, skip_blank_lines=False, chunksize=CHUNK_ROWS,
            engine="c", index_col=False,
        )  # fmt: skip
        for chunk in reader:
            chunks.append(_categorical(chunk.drop(columns=extras)))
            if progress is not None:
                progress.read(sum(len(c) for c in chunks))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not readable as {encoding}: {exc.reason}{_where_undecodable(path, encoding)}; save it from "
            'Excel as "CSV UTF-8 (Comma delimited)" or as .xlsx.'
        ) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: malformed CSV ({str(exc).strip()}).") from None
    frame = _concat(chunks, unique_names(names))
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
    return finish(table, names)


def _where_undecodable(path: Path, encoding: str) -> str:
    """`` on line 812 (byte 40,961)``: the first bytes not in the encoding, found in the file itself (pandas'
    error counts bytes from the start of its buffer, not the file's)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, lines = 0, 1
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                start = max(exc.start, 0)
                line = lines + block[:start].count(b"\n")
                return f" on line {line:,} (byte {offset + start:,})"
            offset += len(block)
            lines += block.count(b"\n")
    return ""


@dataclass
class _Scan:
    max_fields: int
    long: dict[int, tuple[int, str]]  # physical line -> (fields, the line as written), for lines with too many
    lines: np.ndarray | None  # record -> physical line, only when quoted fields hold line breaks


def _scan(path: Path, encoding: str, sep: str, header_line: int, width: int) -> _Scan:
    """Count each line's fields, to catch a line with more fields than the header before pandas truncates it.

    Byte-level with numpy (separator, newline and quote are single ASCII bytes in UTF-8 and Windows-1258),
    the csv module only for lines that hold quotes, and for whole files whose quoted fields span lines.
    Blocks of full lines (nearly every block of a machine-written file) need neither (``_full_lines``).
    """
    if encoding.startswith("utf-16") or _cr_only(path):  # the csv module reads "CSV (Macintosh)" line ends
        return _scan_slow(path, encoding, sep, header_line, width)
    byte, quote = ord(sep), ord('"')
    long: dict[int, tuple[int, str]] = {}
    most, base, head = width, 1, header_line + 1  # head: the title and header lines still to pass
    space, filled = bytearray(1 << 23), 0  # one buffer read into again and again; filled: a line carried over
    with path.open("rb") as fh:
        while True:
            size = fh.readinto(memoryview(space)[filled:])
            end = filled + size
            if not end:
                break
            data = space if end == len(space) else space[:end]  # (translate has no range: the whole buffer)
            cut = data.rfind(b"\n") + 1 if size else end
            if cut == 0:  # one line longer than the buffer: a bigger one
                space, filled = space + bytearray(len(space)), end
                continue
            skip = _after_lines(data, head, cut)
            lines = _full_lines(data, skip, cut, sep.encode("ascii"), width) if skip is not None else None
            chunk = None
            if lines is not None and data.count(b"\r", 0, skip) == data.count(b"\r\n", 0, skip):
                base, head = base + head + lines, 0  # the usual block: every line full, nothing quoted
            else:
                chunk = bytes(data[:cut])  # counted line by line below
            space[: end - cut], filled = data[cut:end], end - cut  # the unfinished line, carried to the front
            if chunk is None:
                continue
            if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):  # a bare CR ends a line too
                return _scan_slow(path, encoding, sep, header_line, width)  # (a Mac's file joined to a PC's)
            a = np.frombuffer(chunk, dtype=np.uint8)
            ends = np.flatnonzero(a == 10)
            if not len(ends) or ends[-1] != len(a) - 1:
                ends = np.r_[ends, len(a)]
            head = max(0, head - len(ends))
            seps = np.flatnonzero(a == byte)
            quotes = b'"' in chunk  # memchr first: most files hold none
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


#: per separator, every byte but the separator and the line ends (what ``_full_lines`` deletes)
_NOT_STRUCTURE = {
    sep: bytes(b for b in range(256) if b not in (ord(sep), 10, 13)) for sep in (b",", b";", b"\t")
}


def _full_lines(data: bytearray, start: int, end: int, sep: bytes, width: int) -> int | None:
    """How many lines ``data[start:end]`` holds when each has exactly the header's fields and no quote, each
    ended by LF or each by CR LF (machine-written files, nearly always), else None (count line by line).
    ``end`` is just after a line end, or the end of the file; what follows it is the start of a line the
    next read completes.

    Deleting every byte but separators and line ends leaves a skeleton that must be one line's worth of
    separators and its line end, repeated: one ``translate`` and one comparison, no array, no copy of the
    block."""
    if width < 2 or data.find(b'"', start, end) >= 0:
        return None
    skeleton = data.translate(None, _NOT_STRUCTURE[sep])
    begin = _after_lines(skeleton, data.count(b"\n", 0, start), len(skeleton)) or 0
    stop = skeleton.rfind(b"\n") + 1
    full = sep * (width - 1)
    last = end == len(data) and not data.endswith(b"\n") and end > start  # the last line, without line end
    if last and skeleton[stop:] != full:
        return None
    lines = skeleton.count(b"\n", begin, stop)
    if skeleton[begin:stop] == (full + b"\n") * lines:
        return lines + last
    if skeleton[begin:stop] == (full + b"\r\n") * lines:
        # a CR is its line's CR LF, or (``5\rjunk\n``) a CR that pandas and the csv module take for a line
        # end with no separator after it: a one-field record, short, never too long, numbered alike
        return lines + last
    return None


def _after_lines(data: bytearray, lines: int, end: int) -> int | None:
    """The offset just after the first ``lines`` lines of ``data[:end]`` (None: they end beyond it)."""
    at = 0
    for _ in range(lines):
        at = data.find(b"\n", at, end) + 1
        if at == 0:
            return None
    return at


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
    check_columns(path, names)  # raises: the required columns are missing
    raise AssertionError("unreachable")


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
        return clean(values)
    slots = (ctypes.c_ssize_t * len(values)).from_address(values.ctypes.data)
    addresses = np.frombuffer(memoryview(slots), dtype=np.intp)
    if (addresses == addresses[0]).all():  # one text all along (an empty comment column): nothing to find
        return cleaned(np.zeros(len(values), dtype=np.int8), [values[0]])
    codes, _ = pd.factorize(addresses)
    run = np.maximum.accumulate(codes)  # codes are numbered in order of first appearance
    first = np.flatnonzero(np.r_[True, run[1:] > run[:-1]])
    return cleaned(codes, values[first].tolist())


def _concat(chunks: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
    if not chunks:
        return pd.DataFrame({n: pd.Categorical([]) for n in names})
    out = {}
    columns = list(chunks[0].columns)
    for c in columns:
        out[c] = pd.api.types.union_categoricals([ch[c] for ch in chunks])
    return pd.DataFrame(out)


