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


def parse_version(text: str) -> tuple[int, int]:
    from dhis2_mch.dhis2.version import parse_version as parse
    from dhis2_mch.errors import InputError

    try:
        return parse(text).short
    except ValueError:
        raise InputError(f"--dhis2-version {text!r}: expected a version such as 2.40 or 40.") from None


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option
@version_option
@click.option("--locale", default="vi", show_default=True, help="Locale every translatable text should carry.")
def validate(paths: tuple[Path, ...], fmt: str, dhis2_version: str, locale: str) -> None:
    """Check metadata offline with DHIS2's own rules.

    PATHS: the project's metadata/ folder (default), any folder in that format, or DHIS2 metadata
    JSON files (a package from WHO or another team). Exit 1 when there are errors.
    """
    from dhis2_mch.validate.run import validate_paths

    reports = validate_paths(list(paths) or [Path("metadata")], version=parse_version(dhis2_version), locale=locale)
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
@click.option("--metadata", "source", type=click.Path(path_type=Path), default=Path("metadata"), show_default=True,
              help="Folder in the authoring format.")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path), default=Path("build/metadata.json"), show_default=True)
@format_option
@version_option
def build(source: Path, out: Path, fmt: str, dhis2_version: str) -> None:
    """Compile metadata/ into one DHIS2 metadata JSON file (refuses when validation finds errors)."""
    from dhis2_mch.package.build import build_file

    result = build_file(source, out, version=parse_version(dhis2_version))
    emit(fmt, result.as_json(), result.as_text())
