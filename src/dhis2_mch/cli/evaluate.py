"""``evaluate``: the package's indicators and validation rules on a values file, offline."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.options import emit, format_option


@click.command()
@click.argument("values", type=click.Path(path_type=Path))
@click.option("--org-unit", "org_unit", required=True, help="Org unit code as in the file (PRE2025-P10, 15, 23053).")
@click.option("--period", required=True, help="DHIS2 period as in the file (2024S1, 202406).")
@click.option("--metadata", "source", type=click.Path(path_type=Path), default=None,
              help="Folder in the authoring format (default: the programmes' package).")  # fmt: skip
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="CODE=N",
    help="Members of an org unit group for OUG{} (per-instance data), e.g. MCH_REGION3_COMMUNES=70.",
)
@format_option
def evaluate(values: Path, org_unit: str, period: str, source: Path | None, groups: tuple[str, ...], fmt: str) -> None:
    """What the package's indicators show for one org unit and period, and which rules the values break."""
    from dhis2_mch.compile_cache import load_compiled
    from dhis2_mch.errors import InputError
    from dhis2_mch.evaluate import report

    sizes = {}
    for given in groups:
        code, _, n = given.partition("=")
        if not n.isdigit():
            raise InputError(f"--group {given!r}: expected CODE=NUMBER, e.g. MCH_REGION3_COMMUNES=70.")
        sizes[code] = int(n)
    compiled = load_compiled(source, (2, 40)).require_valid("nothing was evaluated")
    result = report(compiled.metadata, values, org_unit, period, sizes)
    lines = [f"{org_unit} {period}: {len(result['indicators'])} indicators, {len(result['violations'])} rules broken"]
    lines += [f"  {code:<45}{value:>10}" for code, value in sorted(result["indicators"].items())]
    lines += [f"  BROKEN {v['rule']}: {v['left']} {v['operator']} {v['right']}" for v in result["violations"]]
    emit(fmt, result, "\n".join(lines))
    if result["violations"]:
        raise SystemExit(1)
