"""Mappings: how a province's own spreadsheet layout becomes the long format push and sync read.

A mapping (YAML under ``config/mappings/``) says which sheet and header row hold the table, which
column names the org unit (UID, official code, or name within one province) and the period (and how
months are written: ``11/2025``, ``2025-11``, ``Tháng 11/2025`` ...), and which data element and
option combination each value column feeds, by the package's codes. Two layouts:

- ``wide``: a row per org unit and period, a column per figure (the monthly reports communes keep);
- ``long``: a row per value, with columns for the data element, option combination and value.

Mapping files are checked with file:line errors; ``read_mapped`` turns a workbook into a frame of
text in the long format (``readers.REQUIRED`` + ``OPTIONAL`` + ``ROW``) plus ``COLUMN`` (the sheet
column a value came from), keeping each row's line number in the workbook.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dhis2_mch.data.catalogue import Catalogue
from dhis2_mch.data.readers import OPTIONAL, REQUIRED, ROW
from dhis2_mch.errors import InputError

COLUMN = "_column"  # the workbook column (header text) a value came from

#: period formats for monthly reports, as written in Vietnamese workbooks
PERIOD_FORMATS: dict[str, re.Pattern[str]] = {
    "MM/YYYY": re.compile(r"^(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4})$"),
    "Tháng MM/YYYY": re.compile(r"^(?:tháng|thang|th\.?|t)\s*(?P<m>\d{1,2})\s*(?:[/.\-]|năm|nam)\s*(?P<y>\d{4})$"),
    "YYYY-MM": re.compile(r"^(?P<y>\d{4})\s*[/.\-]\s*(?P<m>\d{1,2})$"),
    "YYYYMM": re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),
    # a date typed into a cell formatted as a month (Excel stores the 1st of the month)
    "date": re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-\d{2}(?:[ T]00:00:00(?:\.0+)?)?$"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class OrgUnitColumn(_Strict):
    column: str
    by: Literal["uid", "code", "name"] = "code"
    within: str | None = None
    """for ``by: name``: the official code (or UID) of the province whose units the names are matched in"""

    @model_validator(mode="after")
    def _province(self) -> OrgUnitColumn:
        if self.by == "name" and not self.within:
            raise ValueError(
                "matching by name needs `within:` (the province's code, e.g. 68 for Lâm Đồng): the same commune "
                "name exists in several provinces"
            )
        return self


class PeriodColumn(_Strict):
    column: str | None = None
    value: str | None = None
    """one period for the whole sheet (e.g. ``202511``) instead of a column"""
    format: Literal["auto", "MM/YYYY", "Tháng MM/YYYY", "YYYY-MM", "YYYYMM", "iso"] = "auto"

    @model_validator(mode="after")
    def _one(self) -> PeriodColumn:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of `column:` (the period's column) or `value:` (one period)")
        return self


class ValueColumn(_Strict):
    column: str
    data_element: str = Field(alias="dataElement")
    category_option_combo: str = Field("default", alias="categoryOptionCombo")


class LongColumns(_Strict):
    data_element: str = Field(alias="dataElement")
    category_option_combo: str | None = Field(None, alias="categoryOptionCombo")
    value: str


class Mapping(_Strict):
    data_set: str = Field(alias="dataSet")
    layout: Literal["wide", "long"] = "wide"
    sheet: str | int = 0
    header_row: int = Field(1, alias="headerRow", ge=1, le=1000)
    org_unit: OrgUnitColumn = Field(alias="orgUnit")
    period: PeriodColumn
    comment: str | None = None
    values: list[ValueColumn] = Field(default_factory=list)
    columns: LongColumns | None = None
    title: str | None = None
    """text written above the header by ``dhis2-mch template`` (the report's title)"""
    path: Path | None = Field(None, exclude=True)
    lines: dict[str, int] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="after")
    def _layout(self) -> Mapping:
        if self.layout == "wide" and not self.values:
            raise ValueError("a wide mapping needs `values:` (one entry per value column)")
        if self.layout == "long" and self.columns is None:
            raise ValueError("a long mapping needs `columns:` (dataElement, categoryOptionCombo, value)")
        seen: set[str] = set()
        for v in self.values:
            key = _norm_header(v.column)
            if key in seen:
                raise ValueError(f"column `{v.column}` is mapped twice")
            seen.add(key)
        return self

    def where(self, key: str | None = None) -> str:
        """``file:line`` of a key (``values.3``, ``orgUnit``), for messages."""
        line = self.lines.get(key or "", 0) if key else 0
        return f"{self.path}:{line}" if line else str(self.path)

    @property
    def header_names(self) -> list[str]:
        """The header cells in the order the template writes them."""
        head = [self.org_unit.column]
        if self.period.column:
            head.append(self.period.column)
        if self.layout == "wide":
            head += [v.column for v in self.values]
        elif self.columns is not None:
            cols = self.columns
            head += [cols.data_element, *([cols.category_option_combo] if cols.category_option_combo else []),
                     cols.value]  # fmt: skip
        if self.comment:
            head.append(self.comment)
        return head


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors say ``file:line`` and what to write instead."""
    from dhis2_mch.package.yamlio import read_yaml

    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(f"{path}: a mapping is a YAML mapping with dataSet, orgUnit, period and values.")
    lines: dict[str, int] = {}
    _collect_lines(raw, "", lines)
    try:
        mapping = Mapping.model_validate({**raw, "path": path, "lines": lines})
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:5]:
            loc = [str(p) for p in err["loc"]]
            line = yaml_line(raw, loc)
            where = f"{path}:{line}" if line else str(path)
            key = ".".join(loc) or "(top)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key `{loc[-1]}`{_suggest_key(loc[-1])}"
            problems.append(f"{where}: {key}: {msg}")
        raise InputError("; ".join(problems) + ".") from None
    return mapping


_KEYS = ("dataSet", "layout", "sheet", "headerRow", "orgUnit", "period", "comment", "values", "columns", "title",
         "column", "by", "within", "value", "format", "dataElement", "categoryOptionCombo")  # fmt: skip


def _suggest_key(key: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(key, _KEYS, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _collect_lines(node: Any, prefix: str, out: dict[str, int]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out[name] = getattr(node, "key_lines", {}).get(key, 0)
            _collect_lines(value, name, out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            name = f"{prefix}.{i}"
            out[name] = getattr(item, "line", 0) or out.get(prefix, 0)
            _collect_lines(item, name, out)


def yaml_line(raw: Any, loc: list[str]) -> int:
    """The line of the deepest key of ``loc`` that exists in the YAML (pydantic locs use field aliases)."""
    node, line = raw, getattr(raw, "line", 0)
    for part in loc:
        if isinstance(node, dict) and part in node:
            line = getattr(node, "key_lines", {}).get(part, line)
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            line = getattr(node, "line", line)
        else:
            break
    return line


# ---------------------------------------------------------------------------------------------- reading


def _norm_header(text: object) -> str:
    """Header cells as people type them: any Unicode form, case, line breaks and runs of spaces."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def read_sheet(path: Path, mapping: Mapping) -> pd.DataFrame:
    """The mapped sheet as text, with ``ROW`` = the row number people see in Excel."""
    suffix = path.suffix.lower()
    skip = mapping.header_row - 1
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, sheet_name=mapping.sheet, header=skip, dtype=str, keep_default_na=False,
                                  engine="openpyxl")  # fmt: skip
        elif suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, header=skip, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raise InputError(f"{path}: unsupported file type `{suffix or '(none)'}`; use .xlsx or .csv.")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except InputError:
        raise
    except ValueError as exc:
        if "Worksheet" in str(exc) or "not found" in str(exc):
            raise InputError(
                f"{path}: no sheet {mapping.sheet!r} ({mapping.where('sheet')} names it); check the sheet's name."
            ) from None
        raise InputError(f"{path}: cannot read the workbook ({exc}).") from None
    except Exception as exc:  # openpyxl raises its own types for corrupt workbooks
        raise InputError(f"{path}: cannot read the workbook ({type(exc).__name__}: {exc}).") from None
    frame.columns = [str(c) for c in frame.columns]
    frame[ROW] = range(mapping.header_row + 1, mapping.header_row + 1 + len(frame))
    return frame


def read_mapped(path: Path, mapping: Mapping) -> pd.DataFrame:
    """A workbook in the mapping's layout → the long format, as text; blank value cells are no value."""
    sheet = read_sheet(path, mapping)
    by_norm = {_norm_header(c): c for c in sheet.columns if c != ROW}

    def col(name: str, key: str) -> str:
        found = by_norm.get(_norm_header(name))
        if found is None:
            shown = ", ".join(c for c in sheet.columns if c != ROW and not c.startswith("Unnamed")) or "none"
            raise InputError(
                f"{path}: no column `{name}` in the header (row {mapping.header_row}) that {mapping.where(key)} "
                f"maps; the header has: {shown}. Check headerRow and the column's text."
            )
        return found

    def text(name: str) -> pd.Series:
        return sheet[name].fillna("").astype(str).str.strip()

    ou = text(col(mapping.org_unit.column, "orgUnit.column"))
    if mapping.period.column:
        pe = normalise_periods(text(col(mapping.period.column, "period.column")), mapping.period.format)
    else:
        pe = pd.Series(str(mapping.period.value), index=sheet.index)
    comment = text(col(mapping.comment, "comment")) if mapping.comment else pd.Series("", index=sheet.index)
    base = pd.DataFrame({"orgUnit": ou, "period": pe, "comment": comment, ROW: sheet[ROW]})
    # rows with neither org unit nor period are notes, totals or blank lines under the table
    base = base[(base["orgUnit"] != "") | (base["period"] != "")]
    parts = []
    if mapping.layout == "wide":
        for i, v in enumerate(mapping.values):
            name = col(v.column, f"values.{i}")
            part = base.assign(dataElement=v.data_element, categoryOptionCombo=v.category_option_combo,
                               value=text(name).loc[base.index], **{COLUMN: name})  # fmt: skip
            parts.append(part[part["value"] != ""])
    else:
        assert mapping.columns is not None
        cols = mapping.columns
        coc = text(col(cols.category_option_combo, "columns.categoryOptionCombo")) if cols.category_option_combo else ""
        part = base.assign(dataElement=text(col(cols.data_element, "columns.dataElement")).loc[base.index],
                           categoryOptionCombo=coc if isinstance(coc, str) else coc.loc[base.index],
                           value=text(col(cols.value, "columns.value")).loc[base.index],
                           **{COLUMN: cols.value})  # fmt: skip
        parts.append(part[part["value"] != ""])
    out = pd.concat(parts, ignore_index=True) if parts else base.head(0)
    out["attributeOptionCombo"] = ""
    return out[[*REQUIRED, *OPTIONAL, ROW, COLUMN]].reset_index(drop=True)


def normalise_periods(texts: pd.Series, fmt: str = "auto") -> pd.Series:
    """``11/2025``, ``Tháng 11/2025``, ``2025-11``, ``T11/2025`` → ``202511``; anything else is kept as written
    (a DHIS2 period such as ``2025S1`` passes, the rest is reported by the preflight with its row)."""
    distinct = {t: _period(t, fmt) for t in texts.unique()}
    return texts.map(distinct)


def _period(text: str, fmt: str) -> str:
    clean = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    if fmt == "iso":
        return text
    for name, pattern in PERIOD_FORMATS.items():
        if fmt != "auto" and name not in (fmt, "date"):
            continue
        m = pattern.match(clean)
        if m and 1 <= int(m["m"]) <= 12:
            return f"{m['y']}{int(m['m']):02d}"
    return text


def check_mapping(mapping: Mapping, catalogue: Catalogue) -> list[str]:
    """What the package says is wrong with a mapping (unknown codes, elements of another data set), as ``file:line``
    messages; run before anything is read or sent."""
    problems = []
    for i, v in enumerate(mapping.values):
        where = mapping.where(f"values.{i}")
        info = catalogue.data_element(v.data_element)
        if info is None:
            problems.append(f"{where}: no aggregate data element `{v.data_element}` in the package"
                            f"{catalogue.suggest(v.data_element)}")  # fmt: skip
            continue
        if mapping.data_set not in {ds.code for ds in info.data_sets}:
            sets = ", ".join(ds.code or ds.uid for ds in info.data_sets)
            problems.append(f"{where}: `{v.data_element}` is reported in {sets}, not in {mapping.data_set}")
        if catalogue.option_combo(info, v.category_option_combo) is None:
            choices = ", ".join(catalogue.combo_choices(info)[:8]) or "default"
            problems.append(f"{where}: `{v.category_option_combo}` is not an option combination of "
                            f"`{v.data_element}` (one of: {choices})")  # fmt: skip
    known = {ds.code for info in catalogue.data_elements.values() for ds in info.data_sets}
    if mapping.data_set not in known:
        problems.append(f"{mapping.where('dataSet')}: no data set `{mapping.data_set}` in the package")
    return problems
