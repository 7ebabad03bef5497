"""An empty workbook in a mapping's layout, for the communes to fill in (``dhis2-mch template DATASET``).

The report sheet has the mapping's title above the header row and the header exactly as the mapping
reads it; the org unit and period columns are formatted as text so codes like ``02809`` keep their
zero. A second sheet explains each column: the data element, the option combination and what to count.
"""

from __future__ import annotations

from pathlib import Path

from dhis2_mch.data.catalogue import Catalogue
from dhis2_mch.data.mapping import Mapping, load_mapping
from dhis2_mch.errors import InputError

PERIOD_EXAMPLE = {"auto": "11/2025", "MM/YYYY": "11/2025", "Tháng MM/YYYY": "Tháng 11/2025", "YYYY-MM": "2025-11",
                  "YYYYMM": "202511", "iso": "202511"}  # fmt: skip


def find_mapping(data_set: str, folder: Path) -> Path:
    """The mapping under ``folder`` for a data set code."""
    found = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            if load_mapping(path).data_set == data_set:
                found.append(path)
        except InputError:
            continue
    if not found:
        raise InputError(f"No mapping in {folder} for data set {data_set}; write one (see config/mappings/).")
    if len(found) > 1:
        raise InputError(f"Several mappings in {folder} for {data_set} ({', '.join(map(str, found))}): pass --mapping.")
    return found[0]


def write_template(mapping: Mapping, out: Path, catalogue: Catalogue | None = None) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = mapping.sheet if isinstance(mapping.sheet, str) else "Report"
    if mapping.header_row > 1 and mapping.title:
        ws.cell(row=1, column=1, value=mapping.title).font = Font(bold=True, size=13)
    head = mapping.header_names
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, name in enumerate(head, start=1):
        cell = ws.cell(row=mapping.header_row, column=i, value=name)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(12, min(40, len(name) + 2))
        if name in (mapping.org_unit.column, mapping.period.column):
            for row in range(mapping.header_row + 1, mapping.header_row + 201):
                ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = ws.cell(row=mapping.header_row + 1, column=3 if mapping.period.column else 2)

    guide = wb.create_sheet("Hướng dẫn - Guide")
    guide.append(["Cột / column", "Mã chỉ tiêu / data element", "Phân tổ / option combination", "Tên / name"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    what = {"uid": "UID", "code": "mã đơn vị / official code", "name": f"tên xã / name (in {mapping.org_unit.within})"}
    guide.append([mapping.org_unit.column, "", "", what[mapping.org_unit.by]])
    if mapping.period.column:
        guide.append([mapping.period.column, "", "", f"tháng / month, e.g. {PERIOD_EXAMPLE[mapping.period.format]}"])
    for v in mapping.values:
        info = catalogue.data_element(v.data_element) if catalogue else None
        guide.append([v.column, v.data_element, v.category_option_combo, (info.name if info else "") or ""])
    for letter, width in zip("ABCD", (40, 32, 40, 60), strict=True):
        guide.column_dimensions[letter].width = width
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the template ({exc.strerror or exc}).") from None
    return out
