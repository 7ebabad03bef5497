"""How every command that talks to DHIS2 names its target, and ``dhis2-mch info``.

``@connection_options`` adds ``--instance``, ``--url``, ``--config``, ``--insecure``, ``--timeout`` and ``--deadline``
and hands the command one ``ConnectionOptions`` (keyword ``server``); ``server.connect()`` resolves
the profile and secrets and opens the ``Connection``. There is deliberately no option for a password
or a token: they come from the environment or a secret file (see ``dhis2.profiles``).

Only click is imported at module level: ``dhis2-mch --help`` lists this module's command and must
not pay for requests or pydantic.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dhis2_mch.cli.options import emit, format_option

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.dhis2.profiles import Target


@dataclass(frozen=True)
class ConnectionOptions:
    """What the user said about the target on the command line (no secrets here, by construction)."""

    instance: str | None = None
    url: str | None = None
    config: Path | None = None
    insecure: bool = False
    timeout: float | None = None
    deadline: float | None = None

    def target(self) -> Target:
        from dhis2_mch.dhis2.profiles import resolve_target

        return resolve_target(
            instance=self.instance,
            url=self.url,
            config=self.config,
            insecure=self.insecure,
            timeout=self.timeout,
            deadline=self.deadline,
        )

    def connect(self, **overrides: Any) -> Connection:
        """Resolve the profile and secrets, and open the connection (nothing is sent yet)."""
        return connect(self, **overrides)


def connect(options: ConnectionOptions, **overrides: Any) -> Connection:
    """A ``Connection`` built from the shared options; ``overrides`` go to the Connection (e.g. ``retry``)."""
    from dhis2_mch import logs
    from dhis2_mch.dhis2.connection import Connection

    logs.configure()
    return Connection.from_target(options.target(), **overrides)


_OPTIONS = (
    click.option(
        "--instance",
        "-i",
        "instance",
        metavar="NAME",
        help="Instance profile from the profiles file (config/instances.yaml).",
    ),
    click.option(
        "--url",
        "url",
        metavar="URL",
        help="DHIS2 base URL (e.g. https://dhis2.example.org); credentials come from DHIS2_TOKEN, or "
        "DHIS2_USERNAME and DHIS2_PASSWORD, in the environment. Env: DHIS2_URL.",
    ),
    click.option(
        "--config",
        "config",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Profiles file [default: config/instances.yaml, or DHIS2_MCH_CONFIG].",
    ),
    click.option(
        "--insecure",
        is_flag=True,
        default=False,
        help="Allow plain http:// to a host other than this machine (credentials travel unencrypted).",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        metavar="SECONDS",
        help="Longest wait for one answer from DHIS2 (default 300, or the profile's timeout.read).",
    ),
    click.option(
        "--deadline",
        type=click.FloatRange(min=1),
        metavar="SECONDS",
        help="Longest the whole command may take, retries and waiting for DHIS2's jobs included "
        "(default 3600, or the profile's deadline).",
    ),
)


def connection_options(func):
    """Decorator: add the shared target options and pass them as ``server: ConnectionOptions``."""

    @functools.wraps(func)
    def wrapper(*args, instance, url, config, insecure, timeout, deadline, **kwargs):
        server = ConnectionOptions(
            instance=instance, url=url, config=config, insecure=insecure, timeout=timeout, deadline=deadline
        )
        return func(*args, server=server, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


@click.command()
@connection_options
@format_option
def info(server: ConnectionOptions, fmt: str) -> None:
    """Show the DHIS2 version, who you are there, and whether you may deploy metadata and push data.

    Exits 0 when DHIS2 answered and accepted the credentials (3 when not); missing authorities are
    reported, not treated as failure.
    """
    from dhis2_mch import logs
    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.dhis2.info import describe, describe_text

    logs.configure()
    target = server.target()
    with Connection.from_target(target) as conn:
        data = describe(conn, target)
    emit(fmt, data, describe_text(data))
