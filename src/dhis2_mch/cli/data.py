"""``push``: aggregate values from a CSV or Excel file into DHIS2."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.connection import ConnectionOptions, connection_options
from dhis2_mch.cli.options import emit, format_option


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--metadata", type=click.Path(path_type=Path), default=Path("metadata"), show_default=True,
              help="The package the file's codes refer to.")  # fmt: skip
@connection_options
@format_option
@click.option("--dry-run", is_flag=True, help="DHIS2 checks everything (dryRun=true) and stores nothing.")
@click.option("--partial", is_flag=True, help="Send the rows that pass the preflight even when others fail.")
@click.option("--sheet", help="Worksheet of an .xlsx file (default: the first).")
@click.option("--rejected-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build/rejected"),
              show_default=True, help="Where rows that were not accepted are kept, with their reasons.")  # fmt: skip
def push(file: Path, metadata: Path, server: ConnectionOptions, fmt: str, dry_run: bool, partial: bool,
         sheet: str | None, rejected_dir: Path) -> None:  # fmt: skip
    """Push a file of values (long format: orgUnit, period, dataElement, categoryOptionCombo, value, comment).

    Codes are the package's (data elements, option codes joined by +) and the official org unit codes.
    Every row is checked first; exit 1 when any row was not accepted (all are kept in the rejected file).
    """
    from dhis2_mch.data.push import push as run

    with server.connect() as conn:
        report = run(file, conn, metadata=metadata, dry_run=dry_run, partial=partial, sheet=sheet,
                     rejected_dir=rejected_dir)  # fmt: skip
    emit(fmt, report.as_json(), report.as_text())
    if not report.ok:
        raise SystemExit(1)
