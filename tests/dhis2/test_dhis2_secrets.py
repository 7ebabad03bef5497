"""The password and the token appear nowhere: not in messages, reprs, dumps, log records or CLI output."""

from __future__ import annotations

import base64
import logging
import socket
import subprocess
import sys

import pytest
import requests
from click.testing import CliRunner
from dhis2_fakes import API, PASSWORD, TOKEN, URL, USERNAME, assert_no_secret

from dhis2_mch import logs
from dhis2_mch.cli import cli
from dhis2_mch.dhis2.connection import Connection, RetryPolicy
from dhis2_mch.dhis2.profiles import resolve_target
from dhis2_mch.errors import Dhis2MchError

BASIC = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


@pytest.fixture
def everything_logged(caplog):
    caplog.set_level(logging.DEBUG)  # root: urllib3, requests, dhis2.py and ours
    caplog.set_level(logging.DEBUG, logger="dhis2_mch")  # the CLI may have set ours to WARNING
    return caplog


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _failures(conn: Connection, rsps) -> list[Dhis2MchError]:
    """Provoke every kind of failure; return the exceptions."""
    info = f"{API}/system/info"
    rsps.get(info, status=401, json={"status": "ERROR", "message": "Unauthorized"})
    rsps.get(info, status=500, body=f"Proxy error. Request headers: Authorization: Basic {BASIC} / ApiToken {TOKEN}")
    rsps.get(info, body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=300)"))
    rsps.get(info, body="<html><title>Login</title></html>", content_type="text/html")
    rsps.get(info, status=403, json={"message": f"denied for {PASSWORD}"})
    errors = []
    for _ in range(5):
        try:
            conn.get("system/info")
        except Dhis2MchError as exc:
            errors.append(exc)
    return errors


@pytest.mark.parametrize("auth", ["basic", "token"])
def test_no_secret_in_errors_or_log_records(rsps, sleeps, everything_logged, auth):
    kwargs = {"token": TOKEN} if auth == "token" else {"username": USERNAME, "password": PASSWORD}
    conn = Connection(URL, sleep=sleeps, retry=RetryPolicy(attempts=1), **kwargs)
    errors = _failures(conn, rsps)
    assert len(errors) == 5
    for exc in errors:
        assert_no_secret(str(exc), repr(exc), exc.args, exc.__cause__, repr(exc.__cause__))
    records = everything_logged.records
    assert records  # the requests were logged at DEBUG
    assert_no_secret(everything_logged.text, *(r.getMessage() for r in records))
    # what a server echoed back is scrubbed from the message too
    assert f"Authorization: {logs.REDACTED}" in str(errors[1]) and "HTTP 500" in str(errors[1])


def test_real_refused_connection_message_has_no_secret(sleeps, everything_logged):
    conn = Connection(f"http://127.0.0.1:{_free_port()}", username=USERNAME, password=PASSWORD, sleep=sleeps)
    with pytest.raises(Dhis2MchError) as info:
        conn.system_info()
    assert_no_secret(str(info.value), repr(info.value.__cause__), everything_logged.text)


def test_opening_a_connection_installs_no_process_wide_logging_hook():
    code = (
        "import logging\n"
        "factory = logging.getLogRecordFactory()\n"
        "from dhis2_mch.dhis2.connection import Connection\n"
        "Connection('http://127.0.0.1:9', username='u', password='p')\n"
        "assert logging.getLogRecordFactory() is factory, 'Connection() replaced the log record factory'\n"
        "from dhis2_mch import logs\n"
        "logs.install()\n"
        "assert logging.getLogRecordFactory() is not factory\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_careless_log_lines_elsewhere_are_scrubbed_once_installed(sleeps, everything_logged):
    logs.install()  # what the CLI does (logs.configure); a library user opts in the same way
    Connection(URL, username=USERNAME, password=PASSWORD, sleep=sleeps)  # registers the secret
    Connection(URL, token=TOKEN, sleep=sleeps)
    other = logging.getLogger("some.library")
    other.warning("sending Authorization: Basic %s", BASIC)
    other.warning("password=%s", PASSWORD)
    other.info("headers {'Authorization': 'ApiToken %s'}", TOKEN)
    try:
        raise RuntimeError(f"failed with {PASSWORD}")
    except RuntimeError:
        other.exception("boom")
    assert_no_secret(everything_logged.text, *(r.getMessage() for r in everything_logged.records))
    assert everything_logged.text.count(logs.REDACTED) >= 4
    assert BASIC not in everything_logged.text


def test_redact_keeps_ordinary_words():
    assert logs.redact("Basic authentication failed") == "Basic authentication failed"
    assert logs.redact("Authorization: Basic dXNlcjpwYXNz") == f"Authorization: {logs.REDACTED}"
    assert logs.redact("x ApiToken d2pat_abcdefghijklmnop1234 y") == f"x ApiToken {logs.REDACTED} y"
    assert logs.redact("curl -H 'Authorization: ApiToken abc'") == f"curl -H 'Authorization: {logs.REDACTED}'"
    assert (
        logs.redact("proxy http://me:S3cr3t@proxy.gov.vn:3128 down")
        == f"proxy http://{logs.REDACTED}@proxy.gov.vn:3128 down"
    )
    assert logs.redact("see https://dhis2.example.org/dhis (ok)") == "see https://dhis2.example.org/dhis (ok)"


def test_redacting_filter_for_handlers_configured_elsewhere():
    logs.register_secret("another-Secret-value-42")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pw %s", ("another-Secret-value-42",), None)
    assert logs.RedactingFilter().filter(record)
    assert record.getMessage() == f"pw {logs.REDACTED}"


def test_target_and_credentials_hide_the_secret(monkeypatch):
    monkeypatch.setenv("DHIS2_TOKEN", TOKEN)
    target = resolve_target(url=URL, env={"DHIS2_TOKEN": TOKEN})
    assert target.credentials.secret.get_secret_value() == TOKEN
    assert_no_secret(
        repr(target), str(target), target.model_dump(), target.model_dump_json(), target.credentials.describe()
    )


@pytest.mark.parametrize("auth", ["basic", "token"])
def test_cli_output_has_no_secret_on_auth_failure(rsps, monkeypatch, auth):
    for name in ("DHIS2_URL", "DHIS2_TOKEN", "DHIS2_USERNAME", "DHIS2_PASSWORD", "DHIS2_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    env = {"DHIS2_TOKEN": TOKEN} if auth == "token" else {"DHIS2_USERNAME": USERNAME, "DHIS2_PASSWORD": PASSWORD}
    rsps.get(f"{API}/system/info", status=401, json={"status": "ERROR", "message": "Unauthorized"})
    for fmt in ("text", "json"):
        result = CliRunner().invoke(cli, ["info", "--url", URL, "--format", fmt], env=env)
        assert result.exit_code == 3
        assert "Traceback" not in result.output
        assert_no_secret(result.output, result.stderr)
        assert "HTTP 401" in result.stderr
