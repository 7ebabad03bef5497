"""Real misbehaving servers on loopback: each failure is exit 3 with a clear message, in time, never a bug.

What a provincial HIS officer meets: a national or self-signed certificate, an expired one, a name
that does not match, https typed for an http port, a login page, a wrong answer, a server that never
answers or trickles its answer. ``dhis2-mch info`` runs in-process (CliRunner) with short timeouts.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner
from dhis2_fakes import PASSWORD, USERNAME, assert_no_secret
from loopback import (
    Servers,
    dhis2_like,
    login_page,
    never_answers,
    trickles,
    trickles_headers,
    wrong_shape,
    zero_counts_in_front_of,
)

from dhis2_mch.cli import cli, explain
from dhis2_mch.dhis2.connection import Connection, RetryPolicy
from dhis2_mch.dhis2.profiles import Timeouts
from dhis2_mch.errors import DeadlineExceeded, ReadTimeout

ENV = {"DHIS2_USERNAME": USERNAME, "DHIS2_PASSWORD": PASSWORD}
EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"


@pytest.fixture
def servers():
    running = Servers()
    yield running
    running.close()


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def pem_files(tmp_path, cert, name="server"):
    """(chain file, key file) of a trustme certificate, written for ssl.load_cert_chain."""
    chain, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    key.write_bytes(cert.private_key_pem.bytes())
    return str(chain), str(key)


def info(url: str, *args: str, env: dict | None = None, fmt: str = "text"):
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["info", "--url", url, "--format", fmt, *args], env={**ENV, **(env or {})})
    return result, time.monotonic() - started


def assert_clean_failure(result, *, code: int = 3) -> str:
    """Exit ``code``, one paragraph on stderr (after any retry warnings), no traceback, no bug, no secret."""
    lines = result.stderr.splitlines()
    assert result.exit_code == code, result.output
    assert lines[-1].startswith("Error: ") and all(line.startswith("WARNING: ") for line in lines[:-1]), lines
    message = lines[-1]
    assert "internal error" not in message and "Traceback" not in message and "object at 0x" not in message
    assert_no_secret(result.output)
    return message


# ---------------------------------------------------------------------------------------------- TLS


def test_certificate_from_an_unknown_ca(tmp_path, servers, ca):
    url = servers.serve(dhis2_like, tls=pem_files(tmp_path, ca.issue_cert("127.0.0.1")))
    result, _ = info(url)
    message = assert_clean_failure(result)
    assert "CA that this machine does not trust" in message
    assert "ca_bundle" in message and "REQUESTS_CA_BUNDLE" in message


def test_requests_ca_bundle_is_honoured_with_url(tmp_path, servers, ca):
    url = servers.serve(dhis2_like, tls=pem_files(tmp_path, ca.issue_cert("127.0.0.1")))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    result, _ = info(url, env={"REQUESTS_CA_BUNDLE": str(tmp_path / "ca.pem")})
    assert result.exit_code == 0, result.output
    assert "DHIS2 2.40.4" in result.stdout


def test_self_signed_certificate(tmp_path, servers, ca):
    chain, key = tmp_path / "self.pem", tmp_path / "self.key"
    ca.cert_pem.write_to_path(str(chain))
    ca.private_key_pem.write_to_path(str(key))
    result, _ = info(servers.serve(dhis2_like, tls=(str(chain), str(key))))
    assert "self-signed" in assert_clean_failure(result)


def test_expired_certificate(tmp_path, servers, ca):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    cert = ca.issue_cert("127.0.0.1", not_before=past - dt.timedelta(days=365), not_after=past)
    url = servers.serve(dhis2_like, tls=pem_files(tmp_path, cert))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    result, _ = info(url, env={"REQUESTS_CA_BUNDLE": str(tmp_path / "ca.pem")})
    message = assert_clean_failure(result)
    assert "has expired" in message and str(tmp_path / "ca.pem") in message


def test_certificate_for_another_host(tmp_path, servers, ca):
    url = servers.serve(dhis2_like, tls=pem_files(tmp_path, ca.issue_cert("dhis2.example.org")))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    result, _ = info(url, env={"REQUESTS_CA_BUNDLE": str(tmp_path / "ca.pem")})
    assert "not valid for the host name 127.0.0.1" in assert_clean_failure(result)


def test_https_to_a_plain_http_port(servers):
    url = servers.serve(dhis2_like).replace("http://", "https://")
    result, _ = info(url, fmt="json")
    message = assert_clean_failure(result)
    assert "does not speak TLS" in message
    assert json.loads(result.stdout)["error"]["type"] == "TLSError"


def test_https_to_the_sandbox_http_port(sandbox):
    """The newcomer's case: the sandbox closes the connection on a TLS hello instead of answering it."""
    result, _ = info(sandbox.url.replace("http://", "https://"), fmt="json")
    # (the in-process sandbox server's own thread also writes a traceback about the TLS hello to stderr)
    message = result.stderr.splitlines()[-1]
    assert result.exit_code == 3 and message.startswith("Error: ") and "internal error" not in result.output
    assert "plain-http port" in message and json.loads(result.stdout)["error"]["type"] == "TLSError"


# ---------------------------------------------------------------------------------------------- answers


def test_login_page_instead_of_json(servers):
    message = assert_clean_failure(info(servers.serve(login_page))[0])
    assert 'HTML page ("DHIS 2")' in message and "login page" in message


def test_answer_of_the_wrong_shape(servers):
    result, _ = info(servers.serve(wrong_shape), fmt="json")
    message = assert_clean_failure(result)
    assert "no DHIS2 API answers" in message
    assert json.loads(result.stdout)["error"]["type"] == "UnexpectedResponse"


def test_ok_with_zero_counts_is_a_failed_deploy(servers, sandbox, tmp_path, monkeypatch):
    """DHIS2 answering "OK, 0 created" to the COMMIT is not "N created": deploy says what DHIS2 counted, exit 1."""
    monkeypatch.chdir(tmp_path)  # whatever the command writes (build/...) lands here, to be searched for secrets
    url = servers.serve(zero_counts_in_front_of(sandbox.url))
    env = {"DHIS2_USERNAME": sandbox.username, "DHIS2_PASSWORD": sandbox.password}
    args = ["deploy", "--url", url, "--metadata", str(EXAMPLE), "--format", "json"]
    result = CliRunner(env=env).invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    sent = report["plan"]["summary"]["create"]
    assert sent > 0 and report["commit"]["stats"]["created"] == 0
    assert report["outcome"].startswith(
        f"failed: DHIS2 counted 0 objects (0 created, 0 updated, 0 deleted, 0 ignored) for the {sent} sent"
    )
    assert "created" not in report["outcome"].split("although")[1]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert sandbox.password.encode() not in path.read_bytes(), path


# ---------------------------------------------------------------------------------------------- time


def test_server_that_never_answers_is_cut_off_by_the_deadline(servers):
    result, took = info(servers.serve(never_answers), "--timeout", "1", "--deadline", "1", fmt="json")
    message = assert_clean_failure(result)
    assert took < 3, took
    assert json.loads(result.stdout)["error"]["type"] == "DeadlineExceeded"
    assert "deadline of 1 s passed" in message and "--deadline" in message


def test_trickling_server_through_the_cli(servers):
    result, took = info(servers.serve(trickles), "--timeout", "1", "--deadline", "30", fmt="json")
    message = assert_clean_failure(result)
    assert took < 3, took  # 1 s for the body, then given up (a trickled answer is not asked for again)
    assert json.loads(result.stdout)["error"]["type"] == "ReadTimeout" and "still sending its answer" in message


def test_server_that_never_answers_times_out_per_request(servers, sleeps):
    conn = connect(servers.serve(never_answers), sleeps, timeouts=Timeouts(connect=1, read=0.2))
    started = time.monotonic()
    with pytest.raises(ReadTimeout, match=r"did not answer within 0.2 s .* Gave up after 2 attempts") as info:
        conn.system_info()
    assert time.monotonic() - started < 2 and len(sleeps) == 1  # a read is retried once, then given up
    assert not info.value.may_have_applied and explain(info.value) == str(info.value)


def test_trickling_server_is_cut_off_by_the_read_timeout(servers, sleeps):
    conn = connect(servers.serve(trickles), sleeps, timeouts=Timeouts(connect=1, read=0.3))
    started = time.monotonic()
    with pytest.raises(ReadTimeout, match=r"still sending its answer after 0\.3 s"):
        conn.system_info()
    assert time.monotonic() - started < 2


def test_trickled_headers_are_cut_off_by_the_watchdog(servers, sleeps):
    conn = connect(servers.serve(trickles_headers), sleeps, timeouts=Timeouts(connect=0.1, read=0.2))
    started = time.monotonic()
    with pytest.raises(ReadTimeout, match=r"did not finish answering within 0\.5 s") as info:
        conn.system_info()
    assert time.monotonic() - started < 2 and "Gave up after 2 attempts" in str(info.value)


def test_deadline_cuts_a_trickle_short(servers, sleeps):
    conn = connect(servers.serve(trickles), sleeps, timeouts=Timeouts(connect=1, read=60), deadline=0.4)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"deadline of 0\.4 s passed"):
        conn.system_info()
    assert time.monotonic() - started < 2


def test_a_write_cut_by_the_deadline_may_have_been_applied(servers, sleeps):
    conn = connect(servers.serve(never_answers), sleeps, timeouts=Timeouts(connect=1, read=60), deadline=0.3)
    with pytest.raises(DeadlineExceeded) as info:
        conn.post("dataValueSets", b'{"dataValues": []}', idempotent=True)
    assert info.value.may_have_applied and info.value.path == "/api/dataValueSets"
    assert "may already have been applied" in explain(info.value)


def test_nothing_is_sent_once_the_deadline_has_passed(servers, sleeps):
    clock = iter([0.0, 100.0, 100.0, 100.0]).__next__
    conn = connect(servers.serve(dhis2_like), sleeps, deadline=10, clock=clock)
    with pytest.raises(DeadlineExceeded) as info:
        conn.post("metadata", b"{}", idempotent=False)
    assert not info.value.may_have_applied and "Nothing was changed" in explain(info.value)


def connect(url: str, sleeps, **kwargs) -> Connection:
    return Connection(url, username=USERNAME, password=PASSWORD, sleep=sleeps, retry=RetryPolicy(attempts=2), **kwargs)
