"""``sync run`` and ``sync status``: scheduled sync of the provinces' workbooks, and what its ledger says."""

from __future__ import annotations

from pathlib import Path

import click

from dhis2_mch.cli.options import emit, format_option


@click.group()
def sync() -> None:
    """Scheduled sync from the provinces' own spreadsheets (config/sync.yaml), with a ledger of what was sent."""


config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=Path("config/sync.yaml"),
    show_default=True, help="The sync configuration (see config/sync.example.yaml).",
)  # fmt: skip


@sync.command("run")
@config_option
@click.option("--url", metavar="URL", help="Send every source to this DHIS2 (instead of each source's instance); "
              "credentials from DHIS2_TOKEN, or DHIS2_USERNAME and DHIS2_PASSWORD. Env: DHIS2_URL.")  # fmt: skip
@click.option("--profiles", type=click.Path(path_type=Path, dir_okay=False),
              help="Instance profiles file [default: config/instances.yaml, or DHIS2_MCH_CONFIG].")  # fmt: skip
@click.option("--insecure", is_flag=True, help="Allow plain http:// to a host other than this machine.")
@click.option("--timeout", type=click.FloatRange(min=1), metavar="SECONDS", help="Read timeout per request.")
@click.option("--delete-missing", is_flag=True, default=None,
              help="Delete on the server the values that vanished from their source files (default: only report).")
@click.option("--complete/--no-complete", default=None,
              help="Register data sets complete once all their values are confirmed (default: the config's).")
@click.option("--reread", is_flag=True, help="Read every file again, even those whose content did not change.")
@format_option
def run_command(config_path: Path, url: str | None, profiles: Path | None, insecure: bool, timeout: float | None,
                delete_missing: bool | None, complete: bool | None, reread: bool, fmt: str) -> None:  # fmt: skip
    """Push what is new or changed in the configured sources, and record DHIS2's answer in the ledger.

    Exit 0: everything sent was confirmed; 1: values were not accepted (listed, kept in the ledger);
    2: bad configuration, mapping or file; 3: DHIS2 unreachable after retries (the rest stays pending
    for the next run).
    """
    from dhis2_mch.launch import loading

    with loading():
        from dhis2_mch.cli.connection import ConnectionOptions
        from dhis2_mch.dhis2.connection import RetryPolicy
        from dhis2_mch.sync.config import load_config
        from dhis2_mch.sync.runner import run

    config = load_config(config_path)
    policy = RetryPolicy(attempts=config.retries.request_attempts, base_delay=config.retries.backoff)

    def connect(instance: str | None):
        options = ConnectionOptions(instance=None if url else instance, url=url, config=profiles, insecure=insecure,
                                    timeout=timeout)  # fmt: skip
        return options.connect(retry=policy)

    report = run(config, connect, delete_missing=delete_missing, complete=complete, reread=reread)
    emit(fmt, report.as_json(), report.as_text())
    if report.exit_code:
        raise SystemExit(report.exit_code)


@sync.command("status")
@config_option
@click.option("--ledger", type=click.Path(path_type=Path, dir_okay=False),
              help="Read this ledger instead of the one the configuration names.")  # fmt: skip
@format_option
def status_command(config_path: Path, ledger: Path | None, fmt: str) -> None:
    """Per source and org unit: values confirmed, pending, sent, rejected, and when last pushed.

    Reads only the ledger (never DHIS2), so it is safe while a run is going on."""
    from dhis2_mch.sync.config import load_config
    from dhis2_mch.sync.status import read_status

    path = ledger or load_config(config_path).ledger
    status = read_status(path)
    emit(fmt, status.as_json(), status.as_text())
