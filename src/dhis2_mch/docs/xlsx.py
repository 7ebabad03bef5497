"""The data dictionary as an .xlsx workbook, one sheet per object type (pandas + openpyxl).

pandas is imported inside ``write`` so that importing this module (and the CLI) stays light.
"""

from __future__ import annotations

from pathlib import Path

from dhis2_mch.docs.dictionary import Dictionary
from dhis2_mch.errors import InputError

#: column widths in characters: long texts wrap, codes and enumerations stay narrow
WIDE, MEDIUM, NARROW = 60, 36, 18


def _width(column: str) -> int:
    if column.startswith(("Description", "Numerator", "Denominator", "Expression", "Filter", "Sections",
                          "Stages", "Options", "Categories and")):  # fmt: skip
        return WIDE
    if column.startswith(("Name", "Short name", "Form name", "Data elements", "Disaggregation", "Group")):
        return MEDIUM
    return NARROW


def write(book: Dictionary, path: Path) -> None:
    import pandas as pd
    from openpyxl.styles import Alignment, Font

    try:
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            about = pd.DataFrame(
                [{"Property": k, "Value": " ".join(str(v).split())} for k, v in book.package.items()]
                + [{"Property": "languages", "Value": f"en, {book.locale}"}]
            )
            about.to_excel(writer, sheet_name="Package", index=False)
            for sheet in book.sheets:
                frame = pd.DataFrame(sheet.rows, columns=sheet.columns)
                frame.to_excel(writer, sheet_name=sheet.name[:31], index=False)
            for ws in writer.book.worksheets:
                ws.freeze_panes = "B2"
                if ws.max_row > 1:
                    ws.auto_filter.ref = ws.dimensions
                for col_cells in ws.iter_cols(min_row=1, max_row=1):
                    header = col_cells[0]
                    header.font = Font(bold=True)
                    ws.column_dimensions[header.column_letter].width = _width(str(header.value))
                for row in ws.iter_rows(min_row=2):
                    for c in row:
                        c.alignment = Alignment(wrap_text=True, vertical="top")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the workbook ({exc.strerror or exc}).") from None
