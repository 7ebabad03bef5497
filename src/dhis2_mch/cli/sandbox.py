"""``dhis2-mch sandbox``: run the DHIS2 stand-in in the foreground until Ctrl-C."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback only).")
@click.option("--port", default=8080, show_default=True, type=int, help="Port (0 = any free port).")
@click.option(
    "--dhis2-version",
    "version",
    default="2.40",
    show_default=True,
    help="DHIS2 version to play: 2.38 to 2.42, or a full one such as 2.42.3.",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite file that keeps the state across runs (default: in memory).",
)
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host (the credentials are public).")
@click.option("--latency", type=float, default=0.0, show_default=True, help="Fault: seconds added to every answer.")
@click.option(
    "--error-rate",
    type=float,
    default=0.0,
    show_default=True,
    help="Fault: share of requests answered 502/503 (503 with Retry-After).",
)
@click.option(
    "--drop-rate",
    type=float,
    default=0.0,
    show_default=True,
    help="Fault: share of connections closed without an answer.",
)
@click.option(
    "--slow-body",
    type=float,
    default=0.0,
    show_default=True,
    help="Fault: seconds over which each body is trickled out.",
)
@click.option("--retry-after", type=int, default=1, show_default=True, help="Fault: Retry-After seconds of a 503.")
@click.option("--fault-seed", type=int, default=0, show_default=True, help="Seed of the fault sequence.")
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def sandbox(
    host, port, version, db, allow_remote, latency, error_rate, drop_rate, slow_body, retry_after, fault_seed, quiet
) -> None:
    """Run a local stand-in for DHIS2 (NOT DHIS2) on loopback, for demos and tests."""
    import signal

    from dhis2_mch.errors import InputError
    from dhis2_mch.sandbox import Faults, Sandbox
    from dhis2_mch.sandbox.banner import not_implemented_lines, users_lines
    from dhis2_mch.sandbox.server import is_loopback, stderr_log

    if not allow_remote and not is_loopback(host):
        raise InputError(
            f"--host {host} is not a loopback address; the sandbox has public credentials "
            "(use 127.0.0.1, or --allow-remote if you really mean it)."
        )
    try:
        faults = Faults(
            latency=latency,
            error_rate=error_rate,
            drop_rate=drop_rate,
            slow_body=slow_body,
            retry_after=retry_after,
            seed=fault_seed,
        )
        sb = Sandbox(version, db, faults if faults.active else None, log=None if quiet else stderr_log)
    except ValueError as exc:
        raise InputError(str(exc)) from None

    def ready(url: str) -> None:
        click.echo(f"dhis2-mch sandbox, playing DHIS2 {sb.version.full} (a stand-in, NOT DHIS2)")
        click.echo(f"  URL:      {url}")
        click.echo("  users:")
        for line in users_lines():
            click.echo(f"    {line}")
        click.echo(f"  token:    {sb.token}  (admin's; shown once; Authorization: ApiToken <token>)")
        click.echo(f"  state:    {db or 'in memory (lost on exit)'}")
        if faults.active:
            click.echo(
                f"  faults:   latency {latency}s, error rate {error_rate}, drop rate {drop_rate}, "
                f"slow body {slow_body}s, seed {fault_seed}"
            )
        click.echo('  not implemented (answered 501 "Not implemented by the sandbox"):')
        for line in not_implemented_lines():
            click.echo(f"    - {line}")
        click.echo("Ctrl-C stops it.", nl=True)

    def terminate(_signum, _frame) -> None:  # a service manager's TERM stops it as cleanly as Ctrl-C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        sb.serve_forever(host, port, allow_remote=allow_remote, ready=ready)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        click.echo("stopped.")
