"""``dhis2-mch orgunits``: Viet Nam's official units, legacy units and the programmes' assignments."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.connection import ConnectionOptions, connection_options
from dhis2_mch.cli.options import emit, format_option

province_option = click.option(
    "--province",
    "provinces",
    multiple=True,
    required=True,
    metavar="CODE",
    help="Official code of a province of 1 July 2025 (68 Lâm Đồng, 15 Lào Cai); repeat for several.",
)
legacy_option = click.option(
    "--legacy/--no-legacy",
    default=True,
    show_default=True,
    help="Include the closed pre-reform branch (provinces, districts, communes before 1 July 2025).",
)
stations_option = click.option("--stations", is_flag=True, help="Add a commune health station under each commune.")
backup_option = click.option(
    "--backup-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/backups"),
    show_default=True,
    help="Where the server's copies of updated objects are saved before the import.",
)


@click.group()
def orgunits() -> None:
    """Org units after the 2025 reform: build, plan, deploy, assign the programmes, map old codes."""


@orgunits.command()
@province_option
@legacy_option
@stations_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/orgunits.json"), show_default=True)
@click.option(
    "--mapping",
    "mapping_out",
    type=click.Path(path_type=Path),
    default=Path("build/orgunits-mapping.csv"),
    show_default=True,
    help="The old → new table (with divided / merged flags) of the legacy provinces.",
)
@format_option
def build(provinces: tuple[str, ...], legacy: bool, stations: bool, out: Path, mapping_out: Path, fmt: str) -> None:
    """Write the hierarchy as DHIS2 metadata JSON (offline): Việt Nam → province → commune."""
    from dhis2_mch.orgunits.build import build as make
    from dhis2_mch.orgunits.legacy import write_mapping

    result = make(list(provinces), with_legacy=legacy, stations=stations)
    written = {"metadata": str(result.write(out))}
    if result.mapping:
        written["mapping"] = str(write_mapping(result.mapping, mapping_out))
    text = result.as_text() + "".join(f"\nWrote {what}: {path}" for what, path in written.items())
    emit(fmt, {**result.as_json(), "written": written}, text)


@orgunits.command()
@province_option
@legacy_option
@stations_option
@connection_options
@format_option
def plan(provinces: tuple[str, ...], legacy: bool, stations: bool, server: ConnectionOptions, fmt: str) -> None:
    """What deploying the hierarchy would change, and which existing units it adopts. Writes nothing."""
    from dhis2_mch.orgunits.deploy import deploy_hierarchy

    with server.connect() as conn:
        result = deploy_hierarchy(list(provinces), conn, with_legacy=legacy, stations=stations, plan_only=True)
    emit(fmt, result.as_json(), result.as_text())
    if not result.ok:
        raise SystemExit(1)


@orgunits.command()
@province_option
@legacy_option
@stations_option
@connection_options
@format_option
@click.option("--dry-run", is_flag=True, help="Stop after DHIS2's own validation (importMode=VALIDATE).")
@backup_option
def deploy(
    provinces: tuple[str, ...], legacy: bool, stations: bool, server: ConnectionOptions, fmt: str,
    dry_run: bool, backup_dir: Path,
) -> None:  # fmt: skip
    """Deploy the hierarchy: adopt existing units, plan, VALIDATE, back up, COMMIT (atomic, never delete)."""
    from dhis2_mch.orgunits.deploy import deploy_hierarchy

    with server.connect() as conn:
        result = deploy_hierarchy(
            list(provinces), conn, with_legacy=legacy, stations=stations, dry_run=dry_run, backup_dir=backup_dir
        )
    emit(fmt, result.as_json(), result.as_text())
    if not result.ok:
        raise SystemExit(1)


@orgunits.command()
@province_option
@click.option(
    "--members",
    "members_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("config/orgunits/members"),
    show_default=True,
    help="Folder of <GROUP CODE>.txt files: commune codes for org unit groups, usernames for user groups.",
)
@click.option(
    "--assignments",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("config/orgunits/assignments.yaml"),
    show_default=True,
    help="Which data sets and programs go to which group's communes, or to the provinces.",
)
@click.option(
    "--metadata",
    type=click.Path(path_type=Path),
    default=None,
    help="The programmes' package (default: the one shipped with dhis2-mch).",
)
@click.option("--plan", "plan_only", is_flag=True, help="Show the plan only; write nothing.")
@click.option("--dry-run", is_flag=True, help="Stop after DHIS2's own validation (importMode=VALIDATE).")
@backup_option
@connection_options
@format_option
def assign(
    provinces: tuple[str, ...], members_dir: Path, assignments: Path, metadata: Path | None, plan_only: bool,
    dry_run: bool, backup_dir: Path, server: ConnectionOptions, fmt: str,
) -> None:  # fmt: skip
    """Assign data sets and programs to the groups' communes and the provinces, load group members,
    and deploy them with the programmes' package (plan, VALIDATE, backup, COMMIT; adds, never removes)."""
    from dhis2_mch.orgunits.deploy import assign as run

    with server.connect() as conn:
        result = run(
            list(provinces), conn, members_dir=members_dir, assignments=assignments, metadata=metadata,
            plan_only=plan_only, dry_run=dry_run, backup_dir=backup_dir,
        )  # fmt: skip
    emit(fmt, result.as_json(), result.as_text())
    if not result.ok:
        raise SystemExit(1)
