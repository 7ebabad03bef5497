"""The data dictionary as one Markdown file: a table per object type, English and translation side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dhis2_mch.docs.dictionary import Dictionary
from dhis2_mch.errors import InputError


def cell(value: Any) -> str:
    """A table cell: pipes escaped, line breaks as <br> (a Markdown table row is one line), indents kept."""
    if value is None:
        return ""
    lines = str(value).replace("|", "\\|").splitlines()
    return "<br>".join("&nbsp;&nbsp;" + line.strip() if line.startswith("  ") else line.strip() for line in lines)


def render(book: Dictionary) -> str:
    pkg = book.package
    lines = [f"# Data dictionary: {book.title}", ""]
    facts = [(k, pkg[k]) for k in ("code", "version", "description") if pkg.get(k)]
    lines += [f"- **{k}**: {' '.join(str(v).split())}" for k, v in facts]
    lines += [f"- **languages**: en, {book.locale} (side by side in every table)", ""]
    lines += ["| sheet | rows |", "|---|---:|"]
    lines += [f"| [{s.name}](#{s.name.lower().replace(' ', '-')}) | {len(s.rows)} |" for s in book.sheets]
    for sheet in book.sheets:
        lines += ["", f"## {sheet.name}", ""]
        if not sheet.rows:
            lines.append("(none)")
            continue
        lines.append("| " + " | ".join(sheet.columns) + " |")
        lines.append("|" + "---|" * len(sheet.columns))
        for row in sheet.rows:
            lines.append("| " + " | ".join(cell(row.get(c)) for c in sheet.columns) + " |")
    return "\n".join(lines) + "\n"


def write(book: Dictionary, path: Path) -> None:
    try:
        path.write_text(render(book), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the data dictionary ({exc.strerror or exc}).") from None
