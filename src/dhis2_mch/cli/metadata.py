"""``build`` and ``validate``: metadata files in, DHIS2 JSON or findings out."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.options import emit, format_option

version_option = click.option(
    "--dhis2-version",
    "dhis2_version",
    default="2.40",
    show_default=True,
    help="DHIS2 version whose rules apply (uniqueness and enumerations differ per version).",
)

metadata_option = click.option(
    "--metadata",
    "source",
    type=click.Path(path_type=Path),
    default=None,
    help="The package: a folder in the authoring format, or a DHIS2 metadata JSON file "
    "[default: the programmes' package shipped with dhis2-mch].",
)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option
@click.option(
    "--dhis2-version",
    "dhis2_version",
    default=None,
    help="DHIS2 version whose rules apply [default: the package's own package.DHIS2Version, else 2.40].",
)
@click.option("--locale", default="vi", show_default=True, help="Locale every translatable text should carry.")
@click.option(
    "--conventions/--no-conventions",
    default=None,
    help="This project's conventions (upper-case codes, translations in --locale, descriptions) as warnings "
    "[default: on for authored folders, off for DHIS2 JSON packages].",
)
def validate(
    paths: tuple[Path, ...], fmt: str, dhis2_version: str | None, locale: str, conventions: bool | None
) -> None:
    """Check metadata offline with DHIS2's own rules.

    PATHS: folders in the authoring format or DHIS2 metadata JSON files (a package from WHO or
    another team); none = the programmes' package shipped with dhis2-mch. Exit 1 when there are errors.
    """
    from dhis2_mch.launch import loading

    with loading():
        from dhis2_mch.project import Project
        from dhis2_mch.validate import declared_version

    reports = []
    targets: list[Path | None] = [*paths] or [None]  # none: the shipped package
    for path in targets:
        with loading():  # the files read live until the exit
            project = Project.load(path)
        own = declared_version(project.metadata) if project.metadata is not None else None
        version = dhis2_version or own or "2.40"
        reports.append(project.compile(version, locale=locale, conventions=conventions).report())
    if fmt == "json":
        data = (
            reports[0].as_json()
            if len(reports) == 1
            else {"reports": [{"path": r.source, **r.as_json()} for r in reports]}
        )
        emit(fmt, data, "")
    else:
        click.echo("\n".join(r.as_text() for r in reports))
    if any(r.errors for r in reports):
        raise SystemExit(1)


@click.command()
@metadata_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/metadata.json"), show_default=True)
@format_option
@version_option
def build(source: Path | None, out: Path, fmt: str, dhis2_version: str) -> None:
    """Compile the package into one DHIS2 metadata JSON file (refuses when validation finds errors)."""
    from dhis2_mch.package.build import build as run
    from dhis2_mch.project import compile_path

    result = run(compile_path(source, dhis2_version), out)
    emit(fmt, result.as_json(), result.as_text())
