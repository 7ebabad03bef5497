"""``demo``: the whole flow on the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import click

from dhis2_mch.cli.options import emit, format_option


@click.command()
@click.option("--dhis2-version", "version", default="2.40", show_default=True, help="DHIS2 version the sandbox plays.")
@click.option("--metadata", type=click.Path(path_type=Path), default=None,
              help="The package [default: the programmes' package shipped with dhis2-mch].")  # fmt: skip
@click.option(
    "--values",
    type=click.Path(path_type=Path),
    default=None,
    help="Values to push (long format) [default: the seed articles' figures shipped with dhis2-mch].",
)
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/demo"),
    show_default=True,
    help="Where backups and rejected rows go.",
)
@click.option("--port", type=int, default=0, help="Sandbox port (default: any free port).")
@click.option("--keep-running", is_flag=True, help="Keep the sandbox running afterwards, until Ctrl-C.")
@format_option
def demo(
    version: str, metadata: Path | None, values: Path | None, workdir: Path, port: int, keep_running: bool, fmt: str
) -> None:
    """Deploy the programmes and push the seed figures into a sandbox (a local stand-in, not DHIS2)."""
    from dhis2_mch.launch import loading

    with loading():
        from dhis2_mch.demo import run_demo

    def keep(sb) -> None:
        click.echo(f"\nThe sandbox keeps running at {sb.url} (admin / district; token {sb.token}). Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("Stopped.")

    say = (lambda _text: None) if fmt == "json" else click.echo
    result = run_demo(version=version, metadata=metadata, values=values, workdir=workdir, port=port, say=say,
                      keep=keep if keep_running else None)  # fmt: skip
    if fmt == "json":
        emit(fmt, result.as_json(), "")
    if not result.ok:
        raise SystemExit(1)
