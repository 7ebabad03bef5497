"""Options shared by the commands, so every command spells them the same way."""

from __future__ import annotations

import json

import click


def _remember_format(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    # The group's error handler reads this to answer in JSON when the command fails.
    ctx.find_root().meta["format"] = value
    return value


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    is_eager=True,
    callback=_remember_format,
    help="text for people; json = one JSON object on stdout.",
)


def emit(fmt: str, data: dict, text: str) -> None:
    """Print a command's report in the chosen format."""
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(text)
