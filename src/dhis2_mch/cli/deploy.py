"""``plan``, ``deploy`` and ``export``: the package against one DHIS2 instance."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.connection import ConnectionOptions, connection_options
from dhis2_mch.cli.metadata import metadata_option
from dhis2_mch.cli.options import emit, format_option


@click.command()
@metadata_option
@connection_options
@format_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Save the plan for review; `deploy --plan FILE` applies exactly it.")  # fmt: skip
def plan(source: Path | None, server: ConnectionOptions, fmt: str, out: Path | None) -> None:
    """Show what a deploy would change on the server, and what DHIS2 would refuse. Changes nothing on the server.

    Exit 0 when the package can be deployed (with or without changes), 1 when conflicts stand in the way.
    """
    from dhis2_mch.launch import loading

    with loading():
        from dhis2_mch.compile_cache import cached_project
        from dhis2_mch.deploy.apply import plan as make
        from dhis2_mch.deploy.planfile import write_plan

        project = cached_project(source)
    with server.connect() as conn:
        result = make(project.compile(conn.version), conn)
    text = result.as_text()
    if out is not None:
        text += f"\nPlan saved to {write_plan(result, out)}: `dhis2-mch deploy --plan {out}` applies exactly it."
    emit(fmt, result.as_json() | ({"saved": str(out)} if out else {}), text)
    if result.conflicts:
        raise SystemExit(1)


@click.command()
@metadata_option
@connection_options
@format_option
@click.option("--plan", "plan_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Apply this saved plan (`plan --out`) exactly; refused if the server changed since.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Stop after DHIS2's own validation (importMode=VALIDATE).")
@click.option(
    "--backup-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/backups"),
    show_default=True,
    help="Where the server's copies of updated objects are saved before the import.",
)
def deploy(
    source: Path | None, server: ConnectionOptions, fmt: str, plan_file: Path | None, dry_run: bool, backup_dir: Path
) -> None:
    """Deploy the package: validate, plan, VALIDATE on the server, back up, then COMMIT (atomic, never delete)."""
    from dhis2_mch.launch import loading

    with loading():
        from dhis2_mch.compile_cache import cached_project
        from dhis2_mch.deploy.apply import apply_plan
        from dhis2_mch.deploy.apply import deploy as run
        from dhis2_mch.deploy.planfile import read_plan
        from dhis2_mch.errors import InputError

        if plan_file is not None and source is not None:
            raise InputError("--plan and --metadata: a saved plan already holds its package; give one of them.")
        saved = read_plan(plan_file) if plan_file is not None else None
        project = cached_project(source) if saved is None else None
    with server.connect() as conn:
        if saved is not None:
            result = apply_plan(saved, conn, dry_run=dry_run, backup_dir=backup_dir)
        else:
            assert project is not None
            result = run(project.compile(conn.version), conn, dry_run=dry_run, backup_dir=backup_dir)
    emit(fmt, result.as_json(), result.as_text())
    if not result.ok:
        raise SystemExit(1)


@click.command()
@metadata_option
@connection_options
@format_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/export.json"), show_default=True)
def export(source: Path | None, server: ConnectionOptions, fmt: str, out: Path) -> None:
    """Pull the package's objects back from the server as importable metadata JSON."""
    from dhis2_mch.compile_cache import cached_project
    from dhis2_mch.deploy.export import export as run

    project = cached_project(source)
    with server.connect() as conn:
        result = run(project.compile(conn.version), conn, out)
    emit(fmt, result.as_json(), result.as_text())
