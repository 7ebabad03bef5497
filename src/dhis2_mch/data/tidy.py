"""What a cell or a header holds besides what its writer meant, settled once per distinct text before any check.

- Invisible characters at a cell's ends: zero-width space (U+200B), zero-width (non-)joiner (U+200C/D), word
  joiner (U+2060) and a byte-order mark (U+FEFF) come with codes copied from a web page, a chat message or a
  file pasted into another. ``str.strip`` removes spaces and NBSP but not these, and a code that carries one
  looks right and is "not found".
- Full-width forms of ASCII (U+FF01–FF5E) and the ideographic space, which East Asian input methods type:
  ``０２８０９`` is ``02809``; dashes and the minus sign a word processor put for a hyphen (``2025–11``).
  Only in the code, period and value columns: a comment keeps what was written.
- A period as report forms write a month (``T6/2024``, ``Tháng 6/2024``, ``06/2024``) or a date cell that lost
  its format (Excel's serial ``45444``): read as the period it names, so ``202406`` and ``T6/2024`` in one file
  are one data value (two values for it are both refused, not the second silently overwriting the first
  once corrected).
- Rows with no period, data element or number (a signature block under the table, "Người lập biểu",
  "Ngày ... tháng ...") and the header written again are not data: named in a note, never sent, never
  holding the file back (``not_data``).
- A header with a slip in the name of a column the file lacks (``coment``, ``categoryOptionCombos``), or the
  Vietnamese a report form heads the comment with (``Ghi chú``), names that column: left out, its cells would
  be dropped from every value while the values are stored.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from dhis2_mch.model.periods import Period

_EDGES = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")
_WIDE = ({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
         | dict.fromkeys((*range(0x2010, 0x2016), 0x2212), ord("-")))  # dashes and minus a word processor typed
#: how close a header must be to a missing column's name to be taken for it (``commune`` is not ``comment``: 0.71)
SLIP = 0.8


def tidy_cells(frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """In place, on categorical columns: each distinct text tidied once, equal results merged."""
    for c in columns:
        col = frame[c]
        texts = list(col.cat.categories)
        tidied = [t if t.isascii() else _EDGES.sub("", t.translate(_WIDE)) for t in texts]
        if tidied == texts:
            continue
        codes, uniques = pd.factorize(np.asarray(tidied, dtype=object))
        categories = pd.Index(uniques, dtype=object)
        frame[c] = pd.Categorical.from_codes(codes[col.cat.codes.to_numpy()], categories=categories)


def slipped_columns(names: list[str], missing: list[str], known: set[str]) -> dict[str, str]:
    """For each of ``missing`` (canonical names), the one header of ``names`` that is a slip for it, if any.
    ``known``: lower-case names that are something else (the format's own columns, the markers)."""
    out: dict[str, str] = {}
    for wanted in missing:
        key = _key(wanted)
        close = [n for n in names if _key(n) and n.strip().lower() not in known and n not in out.values()
                 and (SequenceMatcher(None, _key(n), key).ratio() >= SLIP or _key(n) in SAID.get(wanted, ()))]
        if len(close) == 1:
            out[wanted] = close[0]
    return out


#: the Vietnamese a report form heads an optional column with (``Ghi chú``: a note, the comment)
SAID = {"comment": frozenset({"ghichú", "ghichu", "ghichú/comment", "chúthích"})}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFC", name)).lower()


# a month as Vietnamese report forms write it: T6/2024, Tháng 6/2024, tháng 6 năm 2024, 06/2024, 6-2024, 6.2024
_MONTH = re.compile(
    r"^(?:(?:tháng|thang|thg\.?|th\.?|t)\s*)?(\d{1,2})\s*(?:[/.\-]|\s+năm\s+|\s+nam\s+)\s*(\d{4})$", re.I
)
#: a month by its English name, as an English Excel shows a date cell formatted ``mmm-yy`` or ``mmmm yyyy``
_NAMED = re.compile(r"^([a-z]{3,9})\.?(?:[\s\-/]*(\d{4})|[\-/](\d{2}))$", re.I)  # May 25 is a day: May-25
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")  # fmt: skip
#: an Excel date serial (days since 1899-12-30) in 2000–2099: five digits, which no DHIS2 period has
_SERIAL = range(36526, 73051)


def written_period(text: str) -> Period | None:
    """A period DHIS2's syntax does not know but a province writes: a month (``T6/2024``, ``Thg 6/2024``,
    ``Jun-24``, ``June 2024`` → 202406), or a date cell that lost its format and shows Excel's serial number
    (``45444`` → 2024-06-01, a Daily period the preflight reads as its month when it is a month's first
    day). None for anything else."""
    from datetime import date, timedelta

    from dhis2_mch.model.periods import parse_period

    clean = unicodedata.normalize("NFC", " ".join(text.split()))
    m = _MONTH.match(clean)
    if m and 1 <= int(m[1]) <= 12:
        return parse_period(f"{m[2]}{int(m[1]):02d}")
    if (named := _NAMED.match(clean)) and (month := _month_named(named[1])):
        year = named[2] or f"20{named[3]}"  # mmm-yy: Excel's two-digit year, 20yy
        return parse_period(f"{year}{month:02d}")
    if clean != clean.upper() and (upper := parse_period(clean.upper().replace("APRIL", "April"))):
        return upper  # 2025s2, 2025q3: DHIS2's letters are capitals
    if d := _DAY.match(_MIDNIGHT.sub("", clean)):
        # a date cell exported to CSV as Vietnamese Windows writes it, day first (01/11/2025): a Daily period
        # the preflight reads as its month when it is the month's first day. Month first (a US 11/1/2025) is
        # not guessed: read day first it is 11 January, not a month's first day, and is refused.
        day, month, year = int(d[1]), int(d[2]), int(d[3])
        if 1 <= month <= 12 and 1 <= day <= 31:
            try:
                return parse_period(date(year, month, day).isoformat())
            except ValueError:
                return None
    if text.isdigit() and len(text) == 5 and int(text) in _SERIAL:
        return parse_period((date(1899, 12, 30) + timedelta(days=int(text))).isoformat())
    return None


def _month_named(name: str) -> int | None:
    """1–12 for an English month name or its abbreviation (``Aug``, ``Sept``, ``August``), else None."""
    name = name.lower()
    for number, full in enumerate(_MONTHS, 1):
        if full.startswith(name) and (len(name) == 3 or name in (full, "sept")):
            return number
    return None


_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MIDNIGHT = re.compile(r"\s+0?0:00(:00)?$")


_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})+$")
_WHOLE = re.compile(r"^(-?\d+)[.,]0+$")
_LEADING = re.compile(r"^0+(\d+)$")
_DECIMAL = re.compile(r"^-?\d+[.,]\d+$")


def number_hint(text: str) -> str:
    """What to write instead of a number DHIS2 refuses as a whole number, as spreadsheets produce them:
    ``1.541`` / ``1,541`` / ``1 541`` (thousands), ``17.0`` (a General cell), ``05`` (a Text cell), ``2,5``."""
    if _THOUSANDS.match(text):
        digits = "".join(ch for ch in text if ch.isdigit())
        return f" (no thousands separators: write {digits})"
    if m := _WHOLE.match(text):
        return f" (write {int(m[1])})"
    if m := _LEADING.match(text):
        return f" (no leading zero: write {int(m[1])})"
    if _DECIMAL.match(text):
        return " (a fraction: this data element counts whole numbers)"
    return ""


def runaway_quotes(frame: pd.DataFrame, columns: list[str], sep: str, width: int) -> list[tuple[int, str, str]]:
    """(position, column, reason) for each cell whose text runs over lines that look like rows of the file.

    A quote that opens a field and is never closed where its writer meant (``"Trạm Hòa Thắng`` typed in a text
    editor) makes a CSV reader take every following line, up to the next quote, as that field's text: the rows
    in between vanish into one comment, and the row itself would be stored carrying them. A continuation line
    with nearly a row's worth of separators is such a row; a note written over several lines is not."""
    least = max(2, width - 2)
    out = []
    rows = frame["_row"].to_numpy() if "_row" in frame.columns else None
    for c in columns:
        cat = frame[c].cat
        bad = [i for i, t in enumerate(cat.categories)
               if "\n" in t and any(line.count(sep) >= least for line in t.splitlines()[1:])]  # fmt: skip
        if not bad:
            continue
        for position in np.flatnonzero(np.isin(cat.codes.to_numpy(), bad)).tolist():
            text = cat.categories[cat.codes[position]]
            n = len(text.splitlines()) - 1
            first = int(rows[position]) + 1 if rows is not None else None
            where = f"lines {first}–{first + n - 1}" if first is not None and n > 1 else f"line {first}" if first \
                else f"{n} lines"  # fmt: skip
            out.append((position, c, (
                f"a quote opened in this cell closes only {n} line(s) further on, so {where} were read as its text, "
                "and they look like rows: remove the stray quote (or close it where the text ends) and push again"
            )))  # fmt: skip
    return out


def not_data(frame: pd.DataFrame) -> np.ndarray:
    """Per row: no period, no data element and no number in the value column (a signature's "Giám đốc" may
    stand there; a number without its period and data element is a mistake to report, not a note), or the
    header's own names in its key columns (two exports pasted one under the other)."""
    out = np.ones(len(frame), dtype=bool)
    header = np.ones(len(frame), dtype=bool)
    for c in ("period", "dataElement", "value"):
        cat = frame[c].cat
        codes = cat.codes.to_numpy()
        texts = list(cat.categories)
        spare = [t == "" or (c == "value" and not _NUMBERISH.match(t)) for t in texts]
        out &= np.asarray([*spare, True], dtype=bool)[codes]
        header &= np.asarray([t.strip().lower() == c.lower() for t in texts] + [False], dtype=bool)[codes]
    return out | header


_NUMBERISH = re.compile(r"^[\d\s.,+\-]*\d[\d\s.,+\-]*$")


def spare_note(lines: list[int], sheets: list[str] | None) -> str:
    """The note naming the rows ``not_data`` set aside, by sheet."""
    by_sheet: dict[str, list[int]] = {}
    for sheet, line in zip(sheets or [""] * len(lines), lines, strict=True):
        by_sheet.setdefault(sheet, []).append(line)
    shown = "; ".join((f"sheet {sh!r} " if sh else "") + "lines " + ", ".join(map(str, ns[:10]))
                      + (f" and {len(ns) - 10} more" if len(ns) > 10 else "") for sh, ns in by_sheet.items())
    return (f"{len(lines)} row(s) hold no period, data element or value, or repeat the header (a signature or a "
            f"note under the table?), not read: {shown}")  # fmt: skip
