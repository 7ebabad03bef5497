"""The ``dhis2-mch`` command line: a thin layer over the library.

Commands are imported only when invoked, so ``dhis2-mch --help`` and the light commands never pay
for pandas or the HTTP stack. Library errors become a one-paragraph message and an exit code here
and nowhere else (``EXIT_CODES``, looked up along the exception's class hierarchy):

    0 done · 1 ran and found problems · 2 bad usage or unreadable input · 3 DHIS2 unreachable or refused
"""

from __future__ import annotations

import importlib
import json
import os
import sys

import click

from dhis2_mch import __version__
from dhis2_mch.errors import (
    Dhis2MchError,
    InputError,
    ServerUnavailable,
    TLSError,
    TransportError,
    ValidationFailed,
)

# command name -> "module:function"; modules live beside this file, one per command group.
COMMANDS = {
    "build": "dhis2_mch.cli.metadata:build",
    "info": "dhis2_mch.cli.connection:info",
    "validate": "dhis2_mch.cli.metadata:validate",
    "docs": "dhis2_mch.cli.docs:docs",
    "sandbox": "dhis2_mch.cli.sandbox:sandbox",
    "plan": "dhis2_mch.cli.deploy:plan",
    "deploy": "dhis2_mch.cli.deploy:deploy",
    "export": "dhis2_mch.cli.deploy:export",
    "push": "dhis2_mch.cli.data:push",
    "demo": "dhis2_mch.cli.demo:demo",
    "orgunits": "dhis2_mch.cli.orgunits:orgunits",
    "sync": "dhis2_mch.cli.sync:sync",
    "template": "dhis2_mch.cli.template:template",
    "evaluate": "dhis2_mch.cli.evaluate:evaluate",
}


#: exit code per error kind; the most specific class in an exception's MRO wins
EXIT_CODES: dict[type[Dhis2MchError], int] = {
    Dhis2MchError: 1,
    ValidationFailed: 1,
    InputError: 2,
    ServerUnavailable: 3,  # TransportError and all its kinds, AuthError
}


def exit_code(exc: Dhis2MchError) -> int:
    """The exit code for ``exc``: the first of its classes (most specific first) in ``EXIT_CODES``."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


def explain(exc: Dhis2MchError) -> str:
    """The one paragraph a user reads: the library's sentence, plus what it means for them to do next."""
    message = str(exc).strip()
    if isinstance(exc, TLSError):
        message += (
            " If the server's certificate comes from a private or national CA, put that CA's PEM file in the "
            "profile's ca_bundle (or set REQUESTS_CA_BUNDLE to it); check also that the URL's host name is the one "
            "on the certificate, that the port speaks https, and that this machine's clock is right."
        )
    if isinstance(exc, TransportError):
        if exc.may_have_applied:
            message += (
                " The request may already have been applied on the server: check (e.g. with `plan`, or by reading "
                "the data back) before sending it again."
            )
        elif exc.method not in (None, "GET", "HEAD"):
            message += " Nothing was changed on the server."
    return message


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (see click's docs on lazy loading)."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Dhis2MchError as exc:
            fail(ctx, type(exc).__name__, explain(exc), exit_code(exc))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # the reader went away (`dhis2-mch demo | head`): stop quietly, as SIGPIPE would, and keep
            # Python from writing to the closed pipe again at exit (Python docs, "Note on SIGPIPE")
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for those who ask
            if os.environ.get("DHIS2_MCH_DEBUG"):
                raise
            fail(
                ctx,
                "InternalError",
                f"internal error ({type(exc).__name__}: {exc}). This is a bug in dhis2-mch; "
                "run again with DHIS2_MCH_DEBUG=1 to see the traceback and report it.",
                1,
            )


def fail(ctx: click.Context, kind: str, message: str, code: int) -> None:
    """Report an error once: on stderr for people, and as JSON on stdout when ``--format json``."""
    click.echo(f"Error: {message}", err=True)
    if ctx.meta.get("format") == "json":
        click.echo(json.dumps({"error": {"type": kind, "message": message, "exit_code": code}}))
    ctx.exit(code)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dhis2-mch")
def cli() -> None:
    """Maternal and child health programmes of Viet Nam on DHIS2: metadata as code, deploy, data push."""


def main() -> None:
    # Windows consoles and some cron environments default to a non-UTF-8 stdout; names are Vietnamese.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    cli(prog_name="dhis2-mch")
