"""``push``: aggregate values from a CSV or Excel file into DHIS2."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.connection import ConnectionOptions, connection_options
from dhis2_mch.cli.metadata import metadata_option
from dhis2_mch.cli.options import emit, format_option


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@metadata_option
@connection_options
@format_option
@click.option("--dry-run", is_flag=True, help="DHIS2 checks everything (dryRun=true) and stores nothing.")
@click.option("--partial", is_flag=True, help="Send the rows that pass the preflight even when others fail.")
@click.option("--strict", is_flag=True,
              help="Refuse values for org units their data set is not assigned to (by default a warning).")  # fmt: skip
@click.option("--pre-reform", is_flag=True,
              help="Rows of periods before 1 July 2025: a bare code is the unit of that time, put on its "
                   "pre-reform unit (PRE2025- codes). By default such rows are refused: the reform reused codes.")
@click.option("--current-units", is_flag=True,
              help="Rows of periods before 1 July 2025: a bare code is today's unit, deliberately (not with "
                   "--pre-reform).")  # fmt: skip
@click.option("--sheet", help="Read only this worksheet of an .xlsx file (default: every sheet with the columns).")
@click.option("--chunk-size", type=click.IntRange(1, 1_000_000), default=None,
              help="Values per request (default 10000, about 1.2 MB).")  # fmt: skip
@click.option("--rejected-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build/rejected"),
              show_default=True,
              help="Where the rows not stored are kept (with their reasons), to push again.")  # fmt: skip
def push(file: Path, source: Path | None, server: ConnectionOptions, fmt: str, dry_run: bool, partial: bool,
         strict: bool, pre_reform: bool, current_units: bool, sheet: str | None, chunk_size: int | None,
         rejected_dir: Path) -> None:  # fmt: skip
    """Push a file of values (long format: orgUnit, period, dataElement, categoryOptionCombo, value, comment).

    Codes are the package's (data elements, option codes joined by +) and the official org unit codes.
    The 1 July 2025 reform reused codes (15 was Yên Bái, is Lào Cai now), so a row of an earlier period
    keyed by a bare code is refused unless --pre-reform or --current-units says which unit it means.
    Every row is checked first; every row ends stored, rejected or not sent, and the rows not stored are
    kept in one file to correct and push again. Exit 0 all stored, 1 rows rejected or held back, 3 the
    server failed midway (the report says which rows are stored).
    """
    from dhis2_mch.launch import loading

    with loading():
        from dhis2_mch.cli import exit_code
        from dhis2_mch.compile_cache import cached_project
        from dhis2_mch.data.progress import Progress
        from dhis2_mch.data.push import push_file
        from dhis2_mch.data.units import BeforeReform
        from dhis2_mch.errors import Dhis2MchError

        if pre_reform and current_units:
            raise click.UsageError("--pre-reform and --current-units contradict each other: choose one.")
        project = cached_project(source)  # compiled once, reused while nothing it depends on changes
    before_reform: BeforeReform = "pre-reform" if pre_reform else "current" if current_units else "refuse"
    progress = Progress.for_terminal()
    with server.connect() as conn:
        package = project.compile(conn.version).require_valid("nothing was sent")
        try:
            report = push_file(file, conn, package, sheet=sheet, rejected_dir=rejected_dir, dry_run=dry_run,
                               partial=partial, chunk_size=chunk_size, strict=strict, before_reform=before_reform,
                               progress=progress)  # fmt: skip
        except (Dhis2MchError, KeyboardInterrupt) as exc:  # stopped midway: say which rows are stored, and exit
            stopped = getattr(exc, "report", None)
            if stopped is None:
                raise
            emit(fmt, stopped.as_json(), stopped.as_text())
            raise SystemExit(exit_code(exc) if isinstance(exc, Dhis2MchError) else 130) from None
    emit(fmt, report.as_json(), report.as_text())
    if not report.ok:
        raise SystemExit(1)
