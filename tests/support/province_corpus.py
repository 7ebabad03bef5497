"""Messy province files for ``dhis2-mch push``, each row with what it means, and the check that none is lost.

``write_corpus(folder, seed)`` writes files the way Vietnamese provincial and commune health staff produce
them — Excel workbooks with title rows, merged titles, several and hidden sheets, date cells, serial
numbers, formulas Excel never calculated and codes stored as numbers; CSV from Excel on a Vietnamese
Windows (Windows-1258, semicolons, decimal commas), "Unicode Text" (UTF-16, tabs), UTF-8 with and
without BOM, CRLF, blank lines, quoted comments with commas and line breaks, an unquoted ``1,541``;
NBSP, zero-width and full-width characters around codes and values; Vietnamese comments in NFD; one
period written several ways; duplicates equal and conflicting; names instead of codes; event data
elements; future and pre-reform periods — and returns, for every data row, where it is (sheet, line),
what it *means* when it means one data value (``Meaning``), and what a person correcting it would
write (``fix``; None: they would delete it).

``check_push(...)`` runs the real CLI against a sandbox and holds the outcome to the promise: every row
stored exactly as meant, or in the rows-to-push-again file with a reason, or listed there as not sent;
no value stored that no row means, none changed, none sent twice; no traceback; the exit code as
documented. ``follow_advice(...)`` then does what the screen says (push the file as is, or corrected)
and checks that the server ends with exactly the corrected file's values.
"""

from __future__ import annotations

import csv
import io
import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

HEADER = ["orgUnit", "period", "dataElement", "categoryOptionCombo", "value", "comment"]
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")

# (code, name, province) of the sandbox's post-reform communes (official codes, QĐ 19/2025/QĐ-TTg)
COMMUNES = [
    ("02809", "Si Ma Cai", "15"),
    ("02683", "Bát Xát", "15"),
    ("02761", "Mường Khương", "15"),
    ("02947", "Bảo Yên", "15"),
    ("23053", "Hòa Thắng", "68"),
    ("23023", "Sông Lũy", "68"),
]
# monthly aggregate data elements of the package and their option combos (option codes joined by +)
MONTHLY = [
    ("F1000_MEAL_DEMO_SESSIONS", ["default"]),
    ("F1000_MEAL_DEMO_PARTICIPANTS", ["MCH_BEN_CAREGIVER_U2", "MCH_BEN_PREGNANT", "MCH_PART_CHILD_U2",
                                      "MCH_PART_OTHER"]),
    ("F1000_PERSONS_COUNSELLED", ["MCH_BEN_PREGNANT+MCH_MODE_GROUP", "MCH_BEN_CAREGIVER_U2+MCH_MODE_INDIVIDUAL",
                                  "MCH_BEN_PREGNANT+MCH_MODE_INDIVIDUAL", "MCH_BEN_CAREGIVER_U2+MCH_MODE_GROUP"]),
    ("F1000_U2_WEIGHED", ["F+P0M--P6M", "M+P6M--P24M", "F+P6M--P24M", "M+P0M--P6M"]),
    ("F1000_SUPPORT_GROUP_SESSIONS", ["default"]),
    ("EMT_CAREGIVERS_ATTENDED", ["MCH_CG_MOTHER+MCH_ETH_MINORITY", "MCH_CG_FATHER+MCH_ETH_KINH",
                                 "MCH_CG_GRANDPARENT+MCH_ETH_MINORITY"]),
    ("EMT_SUPERVISION_VISITS", ["default"]),
    ("EMT_HW_TRAINED", ["F", "M"]),
]  # fmt: skip
SIX_MONTHLY = [("F1000_CUM_MEAL_DEMO_SESSIONS", ["default"]), ("F1000_MODELS_OPERATING", ["MCH_GUIDE_OLD"])]
EVENT_ELEMENT = "EMT_EV_CG_MOTHER"
COMMENTS = [
    "Xã Si Ma Cai: bữa ăn mẫu cho phụ nữ có thai",
    "Số liệu đã được trạm y tế xác nhận",
    "Thiếu báo cáo thôn Nậm Chảy, sẽ bổ sung",
    "Ghi chú: cán bộ mới, tập huấn lần 2",
    "",
    "",
]


@dataclass(frozen=True)
class Meaning:
    """One data value as DHIS2 would store it: codes, the period as DHIS2 writes it, the value text."""

    de: str
    pe: str
    ou: str
    coc: str
    value: str
    comment: str = ""

    def cells(self) -> list[str]:
        return [self.ou, self.pe, self.de, self.coc, self.value, self.comment]

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.de, self.pe, self.ou, self.coc)


@dataclass
class Row:
    """A data row of a file: its cells as written (objects for a workbook) and what it means."""

    cells: list
    meaning: Meaning | None  # the data value it names when read as its writer meant it; None: none (garbage)
    fix: Meaning | None  # what a person correcting it writes; None: they delete it
    why: str = "good"
    sheet: str = ""
    line: int = 0  # physical line of its first character (CSV) or Excel row, set by the writer
    given: list | None = None  # the cells to find again in a rows-to-push-again file (default: cells)
    written: list | None = None  # the cells as the file holds them, when it shows more (merged cells)
    swallowed: list[Row] = field(default_factory=list)  # rows a stray quote in this row's comment runs over
    inside: bool = False  # read as the text of an earlier row's cell (a stray quote): not a row of its own


@dataclass
class Case:
    name: str
    path: Path
    rows: list[Row]
    refused: str | None = None  # the whole file is refused (exit 2) with this in the message
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ row makers


class Rows:
    """Good rows with distinct data values, and the mistakes provinces make, from one random seed."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.used: set[tuple[str, str, str, str]] = set()
        last = (today.year * 12 + today.month - 2) // 12, (today.year * 12 + today.month - 2) % 12 + 1
        self.months = [(y, m) for y in range(2025, last[0] + 1) for m in range(1, 13)
                       if (y, m) >= (2025, 7) and (y, m) <= last]  # fmt: skip
        self.future_month = (today.year + 2, 6)
        # six-monthly periods that have ended (0 open future periods locks the current one)
        self.semesters = [(y, m) for y, m in self.months if m in (1, 7) and (y, m + 5) < (today.year, today.month)]

    def meaning(self, *, six_monthly: bool = False, comment: str | None = None, value: str | None = None) -> Meaning:
        for _ in range(10_000):
            de, combos = self.rng.choice(SIX_MONTHLY if six_monthly else MONTHLY)
            ou = self.rng.choice(COMMUNES)[0]
            y, m = self.rng.choice(self.semesters if six_monthly else self.months)
            pe = f"{y}S{1 if m <= 6 else 2}" if six_monthly else f"{y}{m:02d}"
            coc = self.rng.choice(combos)
            key = (de, pe, ou, coc)
            if key not in self.used:
                self.used.add(key)
                text = value if value is not None else str(self.rng.choice([1, 2, 3, 5, 8, 12, 17, 25, 40, 86, 120]))
                return Meaning(de, pe, ou, coc, text, self.rng.choice(COMMENTS) if comment is None else comment)
        raise RuntimeError("no distinct data value left")

    def good(self, **kw) -> Row:
        m = self.meaning(**kw)
        return Row(m.cells(), m, m)

    # --- one cell written another way, same meaning
    def period_as(self, style: str) -> Row:
        m = self.meaning()
        y, mo = int(m.pe[:4]), int(m.pe[4:])
        written: object = {
            "dash": f"{y}-{mo:02d}",
            "month_name": date(y, mo, 1).strftime("%b %Y"),
            "T": f"T{mo}/{y}",
            "slash": f"{mo:02d}/{y}",
            "thang": f"Tháng {mo}/{y}",
            "date_cell": datetime(y, mo, 1),
            "mid_month_date": datetime(y, mo, 15),
            "serial": (date(y, mo, 1) - date(1899, 12, 30)).days,
            "int": int(m.pe),
            "vn_date": f"01/{mo:02d}/{y}",
            "us_date": f"{mo}/1/{y}",  # month first: the writer meant the month, read day first it is not
            "vn_date_time": f"1/{mo}/{y} 00:00",
            "en_dash": f"{y}\u2013{mo:02d}",
        }[style]
        cells = m.cells()
        cells[1] = written
        return Row(cells, m, m, f"period {style}")

    def pre_reform_unit(self) -> Row:
        """Old Lào Cai's six-monthly figures of 2024, on its pre-reform unit: never questioned."""
        m = Meaning("F1000_MODELS_OPERATING", "2024S1", "PRE2025-P10", self.rng.choice(["MCH_GUIDE_OLD",
                    "MCH_GUIDE_QD2869"]), str(self.rng.choice([24, 30])), "")  # fmt: skip
        if m.key in self.used:
            return self.good()
        self.used.add(m.key)
        return Row(m.cells(), m, m, "pre-reform unit")

    def six_monthly_lower(self) -> Row:
        m = self.meaning(six_monthly=True)
        cells = m.cells()
        cells[1] = m.pe.lower()
        return Row(cells, m, m, "period lower case")

    def ou_as(self, style: str) -> Row:
        m = self.meaning()
        name = next(n for c, n, _ in COMMUNES if c == m.ou)
        written: object = {
            "lost_zero": str(int(m.ou)),
            "int": int(m.ou),
            "float_text": f"{int(m.ou)}.0",
            "name": f"Xã {name}",
            "bare_name": unicodedata.normalize("NFD", name.upper()),
            "nbsp": f"\u00a0{m.ou}\u00a0",
            "zero_width": f"{m.ou}\u200b",
            "bom_inside": f"\ufeff{m.ou}",
            "full_width": m.ou.translate(_FULL_WIDTH),
            "spaces": f"  {m.ou} ",
        }[style]
        cells = m.cells()
        cells[0] = written
        return Row(cells, m, m, f"orgUnit {style}")

    def value_as(self, style: str) -> Row:
        big = style in ("quoted_thousands", "dot_thousands", "space_thousands", "unquoted_thousands")
        m = self.meaning(value="1541" if big else None)
        meaning: Meaning | None = m
        written: object = {
            "quoted_thousands": "1,541",
            "dot_thousands": "1.541",
            "space_thousands": "1\u00a0541",
            "unquoted_thousands": "1,541",  # the writer leaves it unquoted: one field too many
            "nbsp": f"{m.value}\u00a0",
            "zero_width": f"\u200b{m.value}",
            "full_width": m.value.translate(_FULL_WIDTH),
            "float": float(m.value),
            "float_text": f"{m.value}.0",
            "decimal_comma": "2,5",
            "negative": "-3",
            "word": "mười",
            "dash": "-",
            "na": "N/A",
            "empty": "",
            "none": None,
            "formula": "=1+2",
            "too_big": "99999999999",
            "zero": "0",
        }[style]
        if style == "zero":
            m = meaning = Meaning(m.de, m.pe, m.ou, m.coc, "0", m.comment)
        if style in ("decimal_comma", "negative", "word", "dash", "na", "empty", "none", "formula", "too_big"):
            meaning = None
            if style == "formula":
                m = Meaning(m.de, m.pe, m.ou, m.coc, "3", m.comment)
        cells = m.cells()
        cells[4] = written
        return Row(cells, meaning, m, f"value {style}")

    def de_as(self, style: str) -> Row:
        m = self.meaning()
        written = {"lower": m.de.lower(), "nbsp": f"{m.de}\u00a0", "zero_width": f"{m.de}\u200b",
                   "typo": m.de[:-2] + m.de[-1]}[style]  # fmt: skip
        cells = m.cells()
        cells[2] = written
        return Row(cells, m if style != "typo" else None, m, f"dataElement {style}")

    def coc_as(self, style: str) -> Row:
        while True:
            m = self.meaning()
            if ("+" in m.coc and style != "empty_default") or (style == "empty_default" and m.coc == "default"):
                break
            self.used.discard(m.key)
        parts = m.coc.split("+")
        written = {"reversed": "+".join(reversed(parts)), "spaced": " + ".join(parts), "empty_default": "",
                   "lower": m.coc.lower()}[style]  # fmt: skip
        cells = m.cells()
        cells[3] = written
        return Row(cells, m, m, f"categoryOptionCombo {style}")

    def comment_as(self, style: str) -> Row:
        text = {
            "nfd": unicodedata.normalize("NFD", "Đã kiểm tra, số liệu đúng; hướng dẫn bà mẹ"),
            "comma_quote": 'Trạm y tế "Hòa Thắng", thôn 3, 4',
            "line_break": "Dòng một\nDòng hai, có dấu phẩy",
            "crlf_break": "Ghi chú\r\ntiếp theo",
            "long_ok": "Báo cáo chi tiết. " * 500,
            "too_long": "x" * 50_001,
            "semicolon": "a; b; c",
            "tab": "cột\tkhác",
        }[style]
        m = self.meaning(comment=text)
        expected = unicodedata.normalize("NFC", text).strip()
        meaning = Meaning(m.de, m.pe, m.ou, m.coc, m.value, expected) if style != "too_long" else None
        fix = meaning or Meaning(m.de, m.pe, m.ou, m.coc, m.value, text[:50_000])
        return Row([*m.cells()[:5], text], meaning, fix, f"comment {style}")

    def stray_quote(self, over: int = 2) -> list[Row]:
        """A comment that opens a quote and never closes it where meant: the next rows, up to a later quote
        (``5" rộng``), become its text. Written unquoted."""
        m = self.meaning(comment="Trạm Hòa Thắng")
        rows = [self.good(comment="đủ") for _ in range(over)]
        closer = self.meaning(comment='màn hình 5" rộng')
        rows.append(Row(closer.cells(), closer, closer, "closing quote"))
        for row in rows:
            row.inside, row.why = True, f"{row.why} (inside a stray quote)"
        opener = Row([*m.cells()[:5], '"' + m.comment], None, m, "comment stray quote", swallowed=rows)
        return [opener, *rows]

    # --- rows that must never be stored as written
    def event_element(self) -> Row:
        m = self.meaning()
        return Row([m.ou, m.pe, EVENT_ELEMENT, "default", m.value, ""], None, None, "event data element")

    def future(self) -> Row:
        m = self.meaning()
        y, mo = self.future_month
        pe = f"{y}{mo:02d}"
        meaning = Meaning(m.de, pe, m.ou, m.coc, m.value, m.comment)
        return Row(meaning.cells(), meaning, None, "future period")

    def pre_reform(self) -> Row:
        m = self.meaning()
        return Row([m.ou, "202406", m.de, m.coc, m.value, m.comment], None, None, "pre-reform bare code")

    def unknown_unit(self) -> Row:
        m = self.meaning()
        return Row(["99999", *m.cells()[1:]], None, None, "unknown org unit")

    def duplicates(self, equal: bool, other_period_style: bool | str = False) -> list[Row]:
        m = self.meaning()
        first = Row(m.cells(), m, m, "duplicate (first)")
        second_value = m.value if equal else str(int(m.value) + 1)
        second = Meaning(m.de, m.pe, m.ou, m.coc, second_value, m.comment)
        cells = second.cells()
        if other_period_style == "T":
            cells[1] = f"T{int(m.pe[4:])}/{m.pe[:4]}"
        elif other_period_style:
            cells[1] = f"{m.pe[:4]}-{m.pe[4:]}"
        if equal:
            return [first, Row(cells, second, None, "duplicate (equal)")]
        # a person keeps one of two different figures: the later one here
        return [Row(m.cells(), m, None, "conflicting duplicate (first)"),
                Row(cells, second, second, "conflicting duplicate (second)")]  # fmt: skip


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_NARROW = str.maketrans("０１２３４５６７８９\u2013", "0123456789-")


# ------------------------------------------------------------------------------------------ writers


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    return str(cell)


def _name_of(row: Row) -> str:
    m = row.meaning or row.fix
    return next((f"Xã {n}" for c, n, _ in COMMUNES if m and c == m.ou), "")


def windows_1258(text: str) -> bytes:
    """What Excel on a Vietnamese Windows writes: tone marks as combining characters after the letter."""
    out = []
    for ch in unicodedata.normalize("NFC", text):  # cp1258 has no lone combining circumflex, breve or horn
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)))
        out.append("".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def write_csv(
    path: Path,
    rows: list[Row],
    *,
    header: list[str] | None = None,
    order: list[int] | None = None,
    sep: str = ",",
    encoding: str = "utf-8",
    newline: str = "\n",
    title: list[str] = (),
    blank_every: int = 0,
    trailing_empty: int = 0,
    unquoted: frozenset[str] = frozenset(),
    extra: bool = False,
    footer: list[str] = (),
    header_again_at: int = 0,
) -> None:
    """Rows as one CSV; sets each row's physical line. ``unquoted``: row whys whose fields are written
    without quoting (an unquoted ``1,541`` becomes two fields)."""
    header = header or HEADER
    order = order or list(range(len(header)))
    if extra:  # a running number first and the commune's name last, as report templates have them
        header = [*header, "STT", "Tên xã"]
        order = [len(header) - 2, *order, len(header) - 1]
        for n, row in enumerate(rows):
            row.cells = [*row.cells[:6], str(n + 1), _name_of(row)]
    lines: list[str] = [*title]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator=newline)

    def record(cells: list[str]) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow([*cells, *([""] * trailing_empty)])
        return buf.getvalue()

    out = "".join(t + newline for t in title)
    out += record([header[i] for i in order])
    line = len(lines) + 2
    for n, row in enumerate(rows):
        if blank_every and n and n % blank_every == 0:
            out += sep * (len(order) - 1 + trailing_empty) + newline if n % (2 * blank_every) else newline
            line += 1
        if header_again_at and n == header_again_at:  # a second export pasted under the first, BOM and all
            out += "\ufeff" + record([header[i] for i in order])
            line += 1
        cells = [_text(row.cells[i]) for i in order]
        row.line = line
        text = sep.join(cells) + newline if row.why in unquoted or row.inside else record(cells)
        out += text
        line += _lines(text, newline)
    out += "".join(f + newline for f in footer)
    if encoding == "cp1258":
        path.write_bytes(windows_1258(out))
    else:
        with open(path, "w", encoding=encoding, newline="") as fh:
            fh.write(out)


def _lines(text: str, newline: str) -> int:
    """Physical lines a record takes (a quoted comment may hold line breaks of any kind)."""
    return text.count("\r\n") + text.replace("\r\n", "").count("\n") + text.replace("\r\n", "").count("\r")


def write_workbook(path: Path, sheets: list[dict]) -> None:
    """Sheets: {"name", "rows", "title": [..], "hidden", "header", "order", "merged", "styled_tail"}; a sheet
    without "rows" is a read-me. Sets each row's sheet and Excel row number."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        ws = book.create_sheet(spec["name"])
        if spec.get("hidden"):
            ws.sheet_state = "hidden"
        if "rows" not in spec:
            ws.append([spec.get("text", "Hướng dẫn: điền số liệu ở các sheet sau, mỗi dòng một số liệu")])
            continue
        header = spec.get("header") or HEADER
        order = spec.get("order") or list(range(len(header)))
        for t in spec.get("title", []):
            ws.append([t])
        if spec.get("merged") and spec.get("title"):
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(order))
            ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.append([header[i] for i in order])
        for row in spec["rows"]:
            written = row.written if row.written is not None else row.cells
            ws.append([written[i] for i in order])
            row.sheet, row.line = spec["name"], ws.max_row
            for j, i in enumerate(order):
                if isinstance(row.cells[i], datetime):
                    ws.cell(ws.max_row, j + 1).number_format = "mm/yyyy"
        for first, last, column in spec.get("merge", []):  # a code or period merged down a group of rows
            rows = spec["rows"]
            j = order.index(column) + 1
            ws.merge_cells(start_row=rows[first].line, start_column=j, end_row=rows[last].line, end_column=j)
        for f in spec.get("footer", []):
            ws.append(f)
        if spec.get("styled_tail"):  # formatted but empty cells right of and below the data
            for r in range(ws.max_row + 1, ws.max_row + 4):
                ws.cell(r, 1).font = Font(bold=True)
            ws.cell(2, len(order) + 3).font = Font(italic=True)
    book.save(path)


# ------------------------------------------------------------------------------------------ the corpus


#: the files ``write_corpus`` writes for any seed, in order
FILES = ("bao_cao_thang.csv", "unicode_text.txt", "utf8_bom.csv", "header_variants.csv", "periods_and_twins.csv",
         "invisible.csv", "mistakes.csv", "bao_cao_1000_ngay.xlsx", "tong_hop_tinh.xlsx", "mac.csv",
         "dai_1258.csv", "hai_cot_value.csv", "rong.csv", "that_ra_la_xlsx.csv", "huyen_a/thang.csv",
         "huyen_b/thang.csv")  # fmt: skip


def write_corpus(folder: Path, seed: int = 0, today: date | None = None) -> list[Case]:
    """The files of one seed in ``folder``; the same seed writes the same files."""
    rng = random.Random(seed)
    r = Rows(rng, today or date.today())
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, rows: list[Row], writer, **kw) -> None:
        path = folder / name
        writer(path, rows, **kw)
        cases.append(Case(name, path, rows))

    # 1. Excel "CSV (Comma delimited)" on a Vietnamese Windows: Windows-1258, semicolons, a title, blank lines
    rows = [r.good() for _ in range(6)] + [r.value_as("dot_thousands"), r.value_as("decimal_comma"),
                                           r.comment_as("nfd"), r.ou_as("lost_zero"), r.good()]  # fmt: skip
    add("bao_cao_thang.csv", rows, write_csv, sep=";", encoding="cp1258", newline="\r\n",
        title=["BÁO CÁO THÁNG - TỈNH LÀO CAI;;;;;", "Đơn vị: Trung tâm Y tế;;;;;"], blank_every=4)  # fmt: skip
    # 2. "Unicode Text": UTF-16 with tabs, CRLF
    rows = [r.good() for _ in range(4)] + [r.period_as("dash"), r.comment_as("comma_quote"), r.ou_as("nbsp")]
    add("unicode_text.txt", rows, write_csv, sep="\t", encoding="utf-16", newline="\r\n")
    # 3. UTF-8 with BOM, CRLF, quoted commas and line breaks, quoted 1,541, an unquoted one
    rows = [r.good(), r.comment_as("line_break"), r.value_as("quoted_thousands"), r.good(),
            r.value_as("unquoted_thousands"), r.comment_as("crlf_break"), r.good(), r.comment_as("semicolon"),
            *r.stray_quote(), r.good()]  # fmt: skip
    add("utf8_bom.csv", rows, write_csv, encoding="utf-8-sig", newline="\r\n",
        unquoted=frozenset({"value unquoted_thousands", "comment stray quote"}))  # fmt: skip
    # 4. UTF-8, header variants and a column order of its own, trailing empty columns
    rows = [r.good() for _ in range(3)] + [r.coc_as("reversed"), r.coc_as("spaced"), r.coc_as("empty_default"),
                                           r.de_as("lower"), r.de_as("typo"), r.coc_as("lower")]  # fmt: skip
    header = [" OrgUnit ", "PERIOD", "DataElement", "categoryoptioncombo", "Value", "Comment "]
    add("header_variants.csv", rows, write_csv, header=header, order=[4, 0, 1, 2, 3, 5], trailing_empty=3)
    # 5. one cell written several ways, duplicates equal and different
    rows = [*r.duplicates(True), *r.duplicates(True, other_period_style=True), *r.duplicates(False),
            *r.duplicates(False, other_period_style=True), *r.duplicates(False, other_period_style="T"),
            *r.duplicates(True, other_period_style="T"), r.period_as("T"), r.period_as("month_name"),
            r.period_as("slash"), r.period_as("thang"), r.period_as("vn_date"), r.period_as("us_date"),
            r.period_as("vn_date_time"), r.six_monthly_lower(), r.period_as("en_dash"), r.pre_reform_unit(),
            r.good()]  # fmt: skip
    add("periods_and_twins.csv", rows, write_csv, extra=True)
    # 6. invisible and wide characters around codes and values
    rows = [r.ou_as("zero_width"), r.ou_as("bom_inside"), r.ou_as("full_width"), r.ou_as("spaces"),
            r.value_as("nbsp"), r.value_as("zero_width"), r.value_as("full_width"), r.value_as("space_thousands"),
            r.de_as("nbsp"), r.de_as("zero_width"), r.good()]  # fmt: skip
    add("invisible.csv", rows, write_csv)
    # 7. what must never be stored, among good rows
    rows = [r.good(), r.event_element(), r.future(), r.pre_reform(), r.unknown_unit(), r.value_as("negative"),
            r.value_as("word"), r.value_as("dash"), r.value_as("na"), r.value_as("empty"), r.ou_as("name"),
            r.ou_as("bare_name"), r.ou_as("float_text"), r.value_as("float_text"), r.comment_as("too_long"),
            r.comment_as("long_ok"), r.good(six_monthly=True), r.value_as("too_big"), r.value_as("zero"),
            r.de_as("lower"), r.good()]  # fmt: skip
    add("mistakes.csv", rows, write_csv)
    # 8. a workbook as provinces fill it: read-me, title rows (merged), data on two sheets, a hidden one,
    #    date cells, serial numbers, formulas never calculated, codes as numbers, styled empty tail
    s1 = [r.good(), r.period_as("date_cell"), r.ou_as("int"), r.value_as("float"), r.value_as("formula"),
          r.period_as("serial"), r.period_as("int"), r.good()]  # fmt: skip
    s2 = [r.good(), r.period_as("mid_month_date"), r.value_as("none"), r.comment_as("nfd"), r.good()]
    s3 = [r.good(), r.good()]
    s4 = [r.good(), r.ou_as("float_text"), r.good()]
    for n, row in enumerate(s4):  # a blank column between the codes, and a note column written twice
        row.cells = [*row.cells, None, f"kiểm tra {n}", "đã gọi" if n else None]
    sheets = [
        {"name": "Hướng dẫn"},
        {"name": "Tháng", "rows": s1, "title": ["BÁO CÁO THỰC HIỆN MÔ HÌNH 1000 NGÀY VÀNG", "Tỉnh Lào Cai"],
         "merged": True, "styled_tail": True},
        {"name": "Quý", "rows": s2, "header": [c.upper() for c in HEADER], "order": [0, 1, 2, 3, 4, 5]},
        {"name": "Ẩn", "rows": s3, "hidden": True},
        {"name": "Danh mục", "text": "Mã xã | Tên xã"},
        {"name": "Bảng 'phụ'", "rows": s4, "header": [*HEADER, "", "Ghi chú", "Ghi chú"],
         "order": [0, 6, 1, 2, 3, 4, 5, 7, 8]},
    ]  # fmt: skip
    path = folder / "bao_cao_1000_ngay.xlsx"
    write_workbook(path, sheets)
    cases.append(Case(path.name, path, s1 + s2 + s3 + s4))
    # 9. a province's summary workbook: each commune's code and the month merged down its rows, a total row
    #    per commune, and the signature block under the table
    rows = []
    merges = []
    for commune in rng.sample(COMMUNES, 3):
        y, mo = rng.choice(r.months)
        group = []
        for _ in range(3):
            m = r.meaning()
            m = Meaning(m.de, f"{y}{mo:02d}", commune[0], m.coc, m.value, m.comment)
            if m.key in r.used:
                continue
            r.used.add(m.key)
            group.append(Row(m.cells(), m, m, "merged key cells"))
        if len(group) < 2:
            continue
        for row in group[1:]:
            row.written = [None, None, *row.cells[2:]]
        merges += [(len(rows), len(rows) + len(group) - 1, 0), (len(rows), len(rows) + len(group) - 1, 1)]
        total = Row(["Tổng cộng", group[0].cells[1], group[0].cells[2], group[0].cells[3], "999", ""], None, None,
                    "total row")  # fmt: skip
        rows += [*group, total]
    footer = [[None], [None, None, None, None, "Ngày 05 tháng 12 năm 2026"], ["Người lập biểu", None, None, None,
              "Giám đốc"], [None], ["Nguyễn Thị Hoa", None, None, None, "Trần Văn Nam"]]  # fmt: skip
    path = folder / "tong_hop_tinh.xlsx"
    write_workbook(path, [{"name": "Lào Cai", "rows": rows, "title": ["TỔNG HỢP SỐ LIỆU"], "merged": True,
                           "merge": merges, "footer": footer}])  # fmt: skip
    cases.append(Case(path.name, path, rows))
    # 10. Excel for Mac's "CSV (Macintosh)": CR line ends; a second export pasted under the first; a footer
    rows = [r.good() for _ in range(3)] + [r.value_as("unquoted_thousands"), r.good(), r.good()]
    add("mac.csv", rows, write_csv, newline="\r", header_again_at=4, unquoted=frozenset({"value unquoted_thousands"}),
        footer=["", "Người lập biểu,,,,,", ",,,,,Ngày 05 tháng 12 năm 2026"])  # fmt: skip
    # 11. a long Windows-1258 file whose first letters beyond ASCII come after 64 KiB (comments are rare)
    plain = "Da kiem tra so lieu voi tram y te xa, khong dau"  # typed without diacritics: ASCII
    rows = [r.good(comment=plain) for _ in range(700)] + [r.good(comment="Thiếu báo cáo thôn Nậm Chảy")]
    add("dai_1258.csv", rows, write_csv, encoding="cp1258", newline="\r\n")
    # 12. files refused whole (exit 2): a column written twice, nothing but a BOM and blank lines, a workbook
    #     saved under a .csv name
    for name, content, said in (
        ("hai_cot_value.csv", "orgUnit,period,dataElement,value,Value\n02809,202511,F1000_MEAL_DEMO_SESSIONS,3,4\n",
         "appear more than once"),
        ("rong.csv", "\ufeff\r\n\r\n", "missing column"),
    ):  # fmt: skip
        (folder / name).write_text(content, encoding="utf-8")
        cases.append(Case(name, folder / name, [], refused=said))
    fake = folder / "that_ra_la_xlsx.csv"
    fake.write_bytes((folder / "tong_hop_tinh.xlsx").read_bytes())
    cases.append(Case(fake.name, fake, [], refused="binary file"))
    # 13. two inputs with one name in different folders (their rows-to-push-again files must not collide)
    for sub in ("huyen_a", "huyen_b"):
        (folder / sub).mkdir(exist_ok=True)
        rows = [r.good(), r.value_as("word"), r.good()]
        path = folder / sub / "thang.csv"
        write_csv(path, rows)
        cases.append(Case(f"{sub}/thang.csv", path, rows))
    return cases


# ------------------------------------------------------------------------------------------ checks


@dataclass
class Pushed:
    """One push through the CLI: exit code, the JSON report, the rows-to-push-again file's rows."""

    exit_code: int
    report: dict | None
    stderr: str
    kept: list[dict]  # rows of the rows-to-push-again file (header -> cell)
    kept_header: list[str]
    kept_cells: list[list[str]] = field(default_factory=list)  # the same rows as lists (a header may repeat)


def run_cli(sandbox, path: Path, rejected_dir: Path, *args: str, user: str | None = None) -> Pushed:
    from click.testing import CliRunner

    from dhis2_mch.cli import cli

    env = {"DHIS2_USERNAME": user or sandbox.username, "DHIS2_PASSWORD": sandbox.password, "DHIS2_TOKEN": None,
           "DHIS2_URL": None, "DHIS2_MCH_CONFIG": None, "DHIS2_MCH_DEBUG": None}  # fmt: skip
    result = CliRunner(env=env).invoke(
        cli, ["push", str(path), "--url", sandbox.url, "--format", "json", "--rejected-dir", str(rejected_dir), *args]
    )
    report = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    kept, header, cells = [], [], []
    if report and report.get("rejected_file"):
        with open(report["rejected_file"], encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            cells = list(reader)
            kept = [dict(zip(header, c, strict=False)) for c in cells]
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(result.exception))
    return Pushed(result.exit_code, report, stderr, kept, header, cells)


def stored_values(sandbox) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    return {(v["de"], v["pe"], v["ou"], v["coc"]): (v["value"], v["comment"] or "") for v in sandbox.data_values()}


class Uids:
    """Codes of a ``Meaning`` as the UIDs the server keys values by (the package's own derivation)."""

    def __init__(self) -> None:
        from dhis2_mch.data.catalogue import build_catalogue
        from dhis2_mch.project import Project
        from dhis2_mch.sandbox import org_unit_uid

        self.catalogue = build_catalogue(Project.load(None).compile((2, 40)))
        self.ou = org_unit_uid

    def key(self, m: Meaning) -> tuple[str, str, str, str]:
        info = self.catalogue.data_element(m.de)
        assert info is not None, m.de
        coc = self.catalogue.option_combo(info, m.coc)
        assert coc is not None, (m.de, m.coc)
        return (info.uid, m.pe, self.ou(m.ou), coc)

    def zero_dropped(self, m: Meaning) -> bool:
        info = self.catalogue.data_element(m.de)
        return m.value == "0" and info is not None and not info.zero_is_significant


def check_push(case: Case, pushed: Pushed, server: dict, uids: Uids, *, partial: bool, before: dict | None = None,
               rows: list[Row] | None = None) -> list[str]:  # fmt: skip
    """What broke the promise for this push (empty: nothing). ``server``: values after the push;
    ``before``: values before it (a fresh server: empty); ``rows``: the rows pushed (default: the case's)."""
    rows = [r for r in (case.rows if rows is None else rows) if not r.inside]
    before = before or {}
    failures: list[str] = []
    say = failures.append
    if "Traceback" in pushed.stderr or "Traceback" in (json.dumps(pushed.report) if pushed.report else ""):
        say(f"traceback: {pushed.stderr[-2000:]}")
    if case.refused is not None or pushed.exit_code == 2:
        if case.refused is None:
            say(f"refused the whole file (exit 2): {pushed.stderr.strip()[:400]}")
        elif pushed.exit_code != 2 or case.refused not in pushed.stderr:
            say(f"exit {pushed.exit_code}, where a refusal saying {case.refused!r} was due: {pushed.stderr[:400]}")
        if server != before:
            say("a refused file changed the server")
        return failures
    report = pushed.report
    if report is None:
        return [*failures, f"no JSON report (exit {pushed.exit_code}): {pushed.stderr.strip()[:400]}"]
    counts = report["outcomes"]
    if report["rows"] != len(rows) or sum(counts.values()) != len(rows):
        say(f"{len(rows)} data rows in the file, report counts {report['rows']} read and outcomes {counts}")
    expected_exit = 0 if counts["rejected"] == 0 and counts["not sent"] == 0 else 1
    if pushed.exit_code != expected_exit:
        say(f"exit {pushed.exit_code} where {expected_exit} was due (outcomes {counts})")
    # the rows-to-push-again file: every row not stored, with a reason, in the input's columns first
    kept: dict[tuple[str, int], dict] = {}
    own_cells: dict[tuple[str, int], list[str]] = {}
    markers = [i for i, name in enumerate(pushed.kept_header) if name in ("line", "sheet", "reason")]
    for k, cells in zip(pushed.kept, pushed.kept_cells, strict=True):
        try:
            kept[(k.get("sheet", ""), int(k["line"]))] = k
            own_cells[(k.get("sheet", ""), int(k["line"]))] = [c for i, c in enumerate(cells) if i not in markers]
        except (KeyError, ValueError):
            say(f"a kept row without a line number: {k}")
    if pushed.kept and "reason" not in pushed.kept_header:
        say(f"kept file without a reason column: {pushed.kept_header}")
    stored_rows = [row for row in rows if (row.sheet, row.line) not in kept]
    if len(kept) != counts["rejected"] + counts["not sent"]:
        say(f"kept file holds {len(kept)} rows, the report {counts['rejected']} rejected + {counts['not sent']} not "
            "sent")  # fmt: skip
    known = {(row.sheet, row.line) for row in rows}
    for where in kept:
        if where not in known:
            say(f"kept file names {where}, which is no data row of the input")
    by_where = {(row.sheet, row.line): row for row in rows}
    for (sheet, line), k in kept.items():
        if not (k.get("reason") or "").strip():
            say(f"{sheet}:{line} kept without a reason")
        row = by_where.get((sheet, line))
        if row is not None and row.swallowed:  # the rows a stray quote ran over are in this row's cells
            text = " ".join(own_cells[(sheet, line)])
            lost = [r.line for r in row.swallowed if not all(_norm(c) in text for c in r.cells[:5] if _norm(c))]
            if lost:
                say(f"{sheet}:{line} ({row.why}) kept without the text of lines {lost} that its quote ran over")
            continue
        if row is None or row.why == "value formula":  # a formula's text is not a value: the cell stays empty
            continue
        given = sorted(t for t in (_norm(c) for c in (row.given if row.given is not None else row.cells)) if t)
        holds = sorted(t for c in own_cells[(sheet, line)] if (t := _norm(c)))
        if given != holds:
            say(f"{sheet}:{line} ({row.why}) kept as {holds}, the input row holds {given}")
    # what reached the server: every stored row as it means, nothing else, nothing changed
    new = {key: v for key, v in server.items() if before.get(key) != v}
    claimed: dict[tuple, list[Row]] = {}
    for row in stored_rows:
        if row.meaning is None:
            say(f"{row.sheet}:{row.line} ({row.why}) was stored although it names no data value: {row.cells}")
            continue
        key = uids.key(row.meaning)
        claimed.setdefault(key, []).append(row)
        got = server.get(key)
        want = (row.meaning.value, row.meaning.comment)
        if got is None:
            if not uids.zero_dropped(row.meaning):
                say(f"{row.sheet}:{row.line} ({row.why}) counted stored but is not on the server: {row.cells}")
        elif got != want:
            say(f"{row.sheet}:{row.line} ({row.why}) stored as {got!r}, the row says {want!r}")
    for key, value in new.items():
        if key not in claimed:
            say(f"the server holds {key} = {value!r}, which no stored row of the file means")
    for rs in claimed.values():
        values = {(r.meaning.value, r.meaning.comment) for r in rs if r.meaning}
        if len(values) > 1:
            say(f"rows {[(r.sheet, r.line) for r in rs]} were all stored for one data value with different values")
    if not partial and kept and len(kept) != len(rows) and counts["rejected"]:
        say("held back, but the kept file does not hold every row")
    sent = report.get("sent", 0)
    by_server = [by_where[w] for w, k in kept.items()
                 if (k.get("reason") or "").startswith("server:") and w in by_where]  # fmt: skip
    distinct = len({uids.key(r.meaning) for r in [*stored_rows, *by_server] if r.meaning})
    if sent > distinct:
        say(f"{sent} values sent for {distinct} distinct data values stored or refused by DHIS2: something was sent "
            "twice")
    return failures


def _norm(cell: object) -> str:
    """A cell's text up to what the reader may tidy: Unicode form, spacing and invisible characters at its ends."""
    text = unicodedata.normalize("NFC", _text(cell)).replace("\r\n", "\n").translate(_NARROW)
    return text.strip().strip("\u200b\u200c\u200d\u2060\ufeff").strip()


def kept_rows(case: Case, pushed: Pushed) -> tuple[Path, list[Row]]:
    """The rows-to-push-again file as a case of its own: each of its rows with the meaning of the input
    row it came from (by sheet and line), at its own physical line."""
    path = Path(pushed.report["rejected_file"])  # type: ignore[index]
    by_where = {(row.sheet, row.line): row for row in case.rows}
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        line = reader.line_num + 1
        for cells in reader:
            record = dict(zip(pushed.kept_header, cells, strict=False))
            origin = by_where[(record.get("sheet", ""), int(record["line"]))]
            given = [c for name, c in zip(pushed.kept_header, cells, strict=False) if name not in ("line", "sheet",
                                                                                                "reason")]
            out.append(Row(cells, origin.meaning, origin.fix, origin.why, "", line, given,
                           swallowed=origin.swallowed))  # fmt: skip
            line = reader.line_num + 1
    return path, out


def corrected(case: Case, pushed: Pushed) -> tuple[Path, list[Row]]:
    """The rows-to-push-again file corrected as a person would: rows with a reason rewritten to what they
    should say (or deleted), rows merely not sent left alone; written back in place, UTF-8 with BOM."""
    path, rows = kept_rows(case, pushed)
    header = pushed.kept_header
    reasons = [dict(zip(header, r.cells, strict=False)).get("reason", "") for r in rows]
    out: list[Row] = []
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    canonical = {c.lower(): n for n, c in enumerate(HEADER)}
    for row, reason in zip(rows, reasons, strict=True):
        if reason.startswith("not sent"):
            out.append(row)
            continue
        if row.fix is None:
            continue
        cells = list(row.cells)
        fixed = row.fix.cells()
        for name, i in columns.items():
            if name in canonical:
                cells[i] = fixed[canonical[name]]
        given = [c for name, c in zip(header, cells, strict=False) if name not in ("line", "sheet", "reason")]
        out.append(Row(cells, row.fix, row.fix, f"corrected {row.why}", given=given))
        for inner in row.swallowed:  # the quote closed where meant: the rows it ran over are rows again
            if inner.fix is not None:
                again = [""] * len(header)
                for name, i in columns.items():
                    if name in canonical:
                        again[i] = inner.fix.cells()[canonical[name]]
                out.append(Row(again, inner.fix, inner.fix, f"corrected {inner.why}"))
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        line = 2
        for row in out:
            writer.writerow(row.cells)
            row.line = line
            line += sum(str(c).count("\n") for c in row.cells) + 1
    return path, out


def intended(case: Case, uids: Uids) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    """What the server should hold once every row is corrected as a person would."""
    out = {}
    for row in case.rows:
        if row.fix is not None and not uids.zero_dropped(row.fix):
            out[uids.key(row.fix)] = (row.fix.value, row.fix.comment)
    return out


# ------------------------------------------------------------------------------------------ a whole run


@dataclass
class Outcome:
    case: str
    flow: str
    failures: list[str]
    pushes: int


def run_case(case: Case, start_server, uids: Uids, work: Path, *, partial: bool) -> Outcome:
    """Push one file (default flow or ``--partial``) to a fresh server, check it, then follow the advice:
    push the rows-to-push-again file as is, and corrected, until every row is stored or deliberately
    dropped; the server must end with exactly the corrected rows' values."""
    import shutil

    flow = "partial" if partial else "default"
    args = ("--partial",) if partial else ()
    rejected_dir = work / f"rejected-{flow}"
    sandbox = start_server()
    failures: list[str] = []
    pushes = 1
    first = run_cli(sandbox, case.path, rejected_dir, *args)
    after = stored_values(sandbox)
    failures += check_push(case, first, after, uids, partial=partial)
    if first.report is None or case.refused is not None:
        return Outcome(case.name, flow, failures, pushes)
    header = first.kept_header
    expected_columns = _input_columns(case)
    if first.kept and expected_columns and header[: len(expected_columns)] != expected_columns:
        failures.append(f"kept file columns {header} do not start with the input's {expected_columns}")
    if first.kept:
        # ignore the advice once: push a copy of the file as it is; nothing wrong may be stored
        copy = work / f"as_is-{flow}" / Path(first.report["rejected_file"]).name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(first.report["rejected_file"], copy)
        _, rows = kept_rows(case, first)
        as_is = Case(f"{case.name} (kept file as is)", copy, rows)
        again = run_cli(sandbox, copy, work / f"rejected-as-is-{flow}", *args)
        pushes += 1
        now = stored_values(sandbox)
        failures += [f"as is: {f}" for f in check_push(as_is, again, now, uids, partial=partial, before=after)]
        after = now
        # then as advised: correct the rows that have a reason, push the file itself
        path, rows = corrected(case, first)
        fixed = Case(f"{case.name} (kept file corrected)", path, rows)
        if rows:
            third = run_cli(sandbox, path, rejected_dir, *args)
            pushes += 1
            now = stored_values(sandbox)
            failures += [f"corrected: {f}" for f in check_push(fixed, third, now, uids, partial=partial,
                                                                 before=after)]  # fmt: skip
            if third.report and third.report.get("rejected_file"):
                failures.append(f"corrected: rows still not stored: {third.kept[:3]}")
    final = stored_values(sandbox)
    want = intended(case, uids)
    for key, value in want.items():
        if final.get(key) != value:
            failures.append(f"in the end {key} is {final.get(key)!r} on the server, the corrected rows say {value!r}")
    for key in set(final) - set(want):
        failures.append(f"in the end the server holds {key} = {final[key]!r}, which no corrected row says")
    return Outcome(case.name, flow, failures, pushes)


def _input_columns(case: Case) -> list[str]:
    """The input's header as written (first sheet of a workbook), for the column-order check."""
    if case.path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(case.path, read_only=True)
        for ws in book.worksheets:
            for row in ws.iter_rows(max_row=6, values_only=True):
                cells = [str(c).strip() if c is not None else "" for c in row]
                if "value" in {c.lower() for c in cells}:
                    book.close()
                    width = max(i + 1 for i, c in enumerate(cells) if c)
                    return cells[:width]
        book.close()
        return []
    raw = case.path.read_bytes()
    for enc in ("utf-16", "utf-8-sig", "cp1258"):
        if enc == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    for line in text.splitlines():
        for sep in (",", ";", "\t"):
            cells = next(csv.reader([line], delimiter=sep))
            if "value" in {c.strip().lower() for c in cells}:
                names = [c.strip() for c in cells]
                while names and not names[-1]:
                    names.pop()
                return names
    return []


def run_dry(case: Case, start_server, uids: Uids, work: Path) -> Outcome:
    """``--dry-run`` first: nothing reaches the server, and when anything would not be stored the file holds
    every row; then as advised: that file corrected and pushed (or, when all would be stored, the input
    itself); the server must end with exactly the corrected rows' values."""
    rejected_dir = work / "rejected-dry-run"
    sandbox = start_server()
    failures: list[str] = []
    first = run_cli(sandbox, case.path, rejected_dir, "--dry-run")
    say = failures.append
    if "Traceback" in first.stderr:
        say(f"dry run: traceback: {first.stderr[-2000:]}")
    if stored_values(sandbox):
        say("dry run: values reached the server")
    if case.refused is not None or first.report is None:
        if case.refused is None:
            say(f"dry run: no report (exit {first.exit_code}): {first.stderr.strip()[:400]}")
        return Outcome(case.name, "dry-run", failures, 1)
    counts = first.report["outcomes"]
    rows = [r for r in case.rows if not r.inside]
    due = 0 if counts["stored"] == len(rows) else 1
    if first.exit_code != due or sum(counts.values()) != len(rows):
        say(f"dry run: exit {first.exit_code} (due {due}), outcomes {counts} for {len(rows)} rows")
    if first.kept:
        if len(first.kept) != len(rows):
            say(f"dry run: the file holds {len(first.kept)} of {len(rows)} rows")
        path, rows = corrected(case, first)
        second = run_cli(sandbox, path, rejected_dir)
        failures += [f"after the dry run: {f}" for f in
                     check_push(Case(case.name, path, rows), second, stored_values(sandbox), uids, partial=False)]
    else:
        second = run_cli(sandbox, case.path, rejected_dir)
        failures += [f"after the dry run: {f}" for f in
                     check_push(case, second, stored_values(sandbox), uids, partial=False)]  # fmt: skip
    final, want = stored_values(sandbox), intended(case, uids)
    if final != want:
        say(f"after the dry run: the server holds {len(final)} values, the corrected rows say {len(want)}; "
            f"differing: {sorted(set(final.items()) ^ set(want.items()))[:3]}")  # fmt: skip
    return Outcome(case.name, "dry-run", failures, 2)


def run_restricted(case: Case, start_server, uids: Uids, work: Path) -> Outcome:
    """``--partial`` as the sandbox's Hòa Thắng data-entry user, once an administrator has shared the data sets
    and category options for data entry: DHIS2 refuses every value outside the user's commune (E7617), so
    the conflicts DHIS2 returns must be mapped back to exactly the rows they name, among twins and rows
    the preflight refused."""
    import requests

    sandbox = start_server()
    for plural in ("dataSets", "categoryOptions"):
        shared = [{**o, "publicAccess": "rwrw----", "sharing": {**o.get("sharing", {}), "public": "rwrw----"}}
                  for o in sandbox.objects(plural) if o.get("code") != "default"]  # fmt: skip
        answer = requests.post(f"{sandbox.url}/api/metadata", json={plural: shared}, auth=sandbox.auth, timeout=60)
        assert answer.status_code == 200, answer.text[:500]
    pushed = run_cli(sandbox, case.path, work / "rejected-restricted", "--partial", user=sandbox.restricted_username)
    failures = check_push(case, pushed, stored_values(sandbox), uids, partial=True)
    if pushed.report and case.refused is None:
        outside = [r for r in case.rows if not r.inside and r.meaning and r.meaning.ou != "23053"
                   and (r.sheet, r.line) not in {(k.get("sheet", ""), int(k["line"])) for k in pushed.kept}]
        failures += [f"{r.sheet}:{r.line} ({r.why}) outside the user's commune, yet not kept" for r in outside]
    return Outcome(case.name, "restricted", failures, 1)
