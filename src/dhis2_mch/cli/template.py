"""``template DATASET``: an empty workbook in the layout its mapping reads."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("data_set", metavar="DATASET")
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False),
              help="The mapping to follow [default: the one in config/mappings/ for DATASET].")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write it [default: build/templates/DATASET.xlsx].")  # fmt: skip
def template(data_set: str, mapping: Path | None, out: Path | None) -> None:
    """Write an empty workbook for DATASET (e.g. EMT_MONTHLY) in the layout of its mapping."""
    from dhis2_mch.data.mapping import check_mapping, load_mapping
    from dhis2_mch.data.template import find_mapping, write_template
    from dhis2_mch.errors import InputError
    from dhis2_mch.sync.runner import load_package

    path = mapping or find_mapping(data_set, Path("config/mappings"))
    spec = load_mapping(path)
    if spec.data_set != data_set:
        raise InputError(f"{path} maps data set {spec.data_set}, not {data_set}.")
    catalogue = load_package(None).catalogue
    problems = check_mapping(spec, catalogue)
    if problems:
        raise InputError("The mapping does not fit the package: " + "; ".join(problems[:10]) + ".")
    written = write_template(spec, out or Path("build/templates") / f"{data_set}.xlsx", catalogue)
    click.echo(f"Wrote {written} ({len(spec.header_names)} columns, header on row {spec.header_row}, from {path}).")
