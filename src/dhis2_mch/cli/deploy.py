"""``plan``, ``deploy`` and ``export``: the package against one DHIS2 instance."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.connection import ConnectionOptions, connection_options
from dhis2_mch.cli.options import emit, format_option

metadata_option = click.option(
    "--metadata",
    "source",
    type=click.Path(path_type=Path),
    default=Path("metadata"),
    show_default=True,
    help="The package: a folder in the authoring format, or a DHIS2 metadata JSON file.",
)


@click.command()
@metadata_option
@connection_options
@format_option
def plan(source: Path, server: ConnectionOptions, fmt: str) -> None:
    """Show what a deploy would change on the server, and what DHIS2 would refuse. Writes nothing.

    Exit 0 when the package can be deployed (with or without changes), 1 when conflicts stand in the way.
    """
    from dhis2_mch.deploy.apply import plan as make

    with server.connect() as conn:
        result = make(source, conn)
    emit(fmt, result.as_json(), result.as_text())
    if result.conflicts:
        raise SystemExit(1)


@click.command()
@metadata_option
@connection_options
@format_option
@click.option("--dry-run", is_flag=True, help="Stop after DHIS2's own validation (importMode=VALIDATE).")
@click.option(
    "--backup-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/backups"),
    show_default=True,
    help="Where the server's copies of updated objects are saved before the import.",
)
def deploy(source: Path, server: ConnectionOptions, fmt: str, dry_run: bool, backup_dir: Path) -> None:
    """Deploy the package: validate, plan, VALIDATE on the server, back up, then COMMIT (atomic, never delete)."""
    from dhis2_mch.deploy.apply import deploy as run

    with server.connect() as conn:
        result = run(source, conn, dry_run=dry_run, backup_dir=backup_dir)
    emit(fmt, result.as_json(), result.as_text())
    if not result.ok:
        raise SystemExit(1)


@click.command()
@metadata_option
@connection_options
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/export.json"), show_default=True)
def export(source: Path, server: ConnectionOptions, fmt: str, out: Path) -> None:
    """Pull the package's objects back from the server as importable metadata JSON."""
    from dhis2_mch.deploy.export import export as run

    with server.connect() as conn:
        result = run(source, conn, out)
    emit(fmt, result.as_json(), result.as_text())
