"""``docs``: the package's data dictionary (Markdown and .xlsx, English and Vietnamese side by side)."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.metadata import metadata_option
from dhis2_mch.cli.options import emit, format_option


@click.command()
@metadata_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/docs"), show_default=True,
              help="Folder for data_dictionary.md and data_dictionary.xlsx.")  # fmt: skip
@click.option("--locale", default="vi", show_default=True, help="Translation shown beside English.")
@format_option
def docs(source: Path | None, out: Path, locale: str, fmt: str) -> None:
    """Write the data dictionary: one table / sheet per object type, English beside the translation."""
    from dhis2_mch.docs import write_docs
    from dhis2_mch.project import compile_path

    result = write_docs(compile_path(source, locale=locale), out)
    emit(fmt, result.as_json(), result.as_text())
