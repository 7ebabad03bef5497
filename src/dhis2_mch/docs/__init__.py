"""The data dictionary of a metadata package (``dhis2-mch docs``): Markdown and an .xlsx workbook,
English and the translation locale side by side, the way WHO packages ship a reference workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhis2_mch.errors import InputError

if TYPE_CHECKING:
    from dhis2_mch.project import Compiled

MARKDOWN_NAME = "data_dictionary.md"
XLSX_NAME = "data_dictionary.xlsx"


@dataclass
class DocsResult:
    markdown: Path
    xlsx: Path
    counts: dict[str, int]
    load_problems: int

    def as_json(self) -> dict:
        return {"markdown": str(self.markdown), "xlsx": str(self.xlsx), "rows": self.counts,
                "load_problems": self.load_problems}  # fmt: skip

    def as_text(self) -> str:
        lines = [f"wrote {self.markdown} and {self.xlsx}"]
        lines += [f"  {sheet:<22}{n:>5}" for sheet, n in self.counts.items()]
        if self.load_problems:
            lines.append(f"{self.load_problems} loading problems: run `dhis2-mch validate` to see them")
        return "\n".join(lines)


def write_docs(compiled: Compiled, out: Path, *, locale: str | None = None) -> DocsResult:
    """Write the Markdown and the workbook of ``compiled`` into ``out`` (``locale`` beside English:
    the one it was compiled for unless given)."""
    from dhis2_mch.docs import dictionary, markdown, xlsx

    book = dictionary.build(compiled.metadata, locale=locale or compiled.locale)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder ({exc.strerror or exc}).") from None
    md_path, xlsx_path = out / MARKDOWN_NAME, out / XLSX_NAME
    markdown.write(book, md_path)
    xlsx.write(book, xlsx_path)
    return DocsResult(md_path, xlsx_path, book.counts(), len(compiled.errors))
