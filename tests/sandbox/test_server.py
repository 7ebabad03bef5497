"""The sandbox over real loopback HTTP: auth, persistence across restarts, faults, logs, the CLI."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
import responses

from dhis2_mch.sandbox import Faults, Sandbox
from dhis2_mch.sandbox.mock import SandboxRouter
from dhis2_mch.sandbox.server import is_loopback
from sandbox import payloads as p


def test_basic_and_token_auth_and_dhis2s_refusals(sandbox):
    url = sandbox.url
    assert requests.get(f"{url}/api/system/ping").text == "pong"  # no credentials needed
    me = requests.get(f"{url}/api/me", auth=sandbox.auth).json()
    assert (me["username"], me["authorities"]) == ("admin", ["ALL"])
    by_token = requests.get(f"{url}/api/me", headers={"Authorization": f"ApiToken {sandbox.token}"})
    assert by_token.json()["id"] == me["id"]
    bad_token = requests.get(f"{url}/api/me", headers={"Authorization": "ApiToken d2pat_" + "x" * 42})
    assert (bad_token.status_code, bad_token.json()["message"]) == (401, "The API token does not exists.")
    bad_password = requests.get(f"{url}/api/me", auth=("admin", "wrong"))
    assert bad_password.status_code == 401 and bad_password.json()["httpStatus"] == "Unauthorized"
    anonymous = requests.get(f"{url}/api/me", allow_redirects=False)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith("/security/login.action")
    ajax = requests.get(f"{url}/api/me", headers={"X-Requested-With": "XMLHttpRequest"})
    assert ajax.status_code == 401
    info = requests.get(f"{url}/api/40/system/info", auth=sandbox.auth).json()
    assert info["version"] == "2.40.4.1" and info["contextPath"] == url


def test_refuses_non_loopback_hosts_unless_allowed():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    sb = Sandbox("2.40")
    try:
        with pytest.raises(ValueError, match=r"refusing to listen on 0\.0\.0\.0"):
            sb.start(host="0.0.0.0")
    finally:
        sb.stop()


def test_a_file_database_survives_a_restart(tmp_path):
    db = tmp_path / "sandbox.sqlite"
    first = Sandbox("2.40", db=db).start()
    try:
        assert requests.post(f"{first.url}/api/metadata", json=p.package(), auth=first.auth).status_code == 200
        pushed = requests.post(
            f"{first.url}/api/dataValueSets", auth=first.auth, json={"dataValues": [p.value(period="202001", v="8")]}
        )
        assert pushed.status_code == 200
        old_token = first.token
    finally:
        first.stop()
    second = Sandbox("2.40", db=db).start()
    try:
        assert second.get("dataElements", p.DE_NUMBER)["code"] == "T_NUMBER"
        assert [(v["de"], v["pe"], v["value"]) for v in second.data_values()] == [(p.DE_NUMBER, "202001", "8")]
        assert requests.get(f"{second.url}/api/me", headers={"Authorization": f"ApiToken {old_token}"}).ok
        assert second.token != old_token
        assert len(second.objects("organisationUnits")) == 11  # seeded once, not twice (9 units + the pre-reform 2)
    finally:
        second.stop()


def test_faults_503_with_retry_after_dropped_connections_and_latency(sandbox_factory):
    busy = sandbox_factory(faults=Faults(error_rate=1.0, every=2, status=503, retry_after=7))
    answers = [requests.get(f"{busy.url}/api/system/ping") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 503, 200, 503]
    assert answers[1].headers["Retry-After"] == "7" and "503" in answers[1].text
    dropping = sandbox_factory(faults=Faults(drop_rate=1.0, every=2))
    assert requests.get(f"{dropping.url}/api/system/ping").ok
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{dropping.url}/api/system/ping")
    slow = sandbox_factory(faults=Faults(latency=0.15, slow_body=0.1))
    started = time.monotonic()
    info = requests.get(f"{slow.url}/api/system/info", auth=slow.auth)
    assert time.monotonic() - started >= 0.25 and info.json()["version"] == "2.40.4.1"


def test_the_request_log_never_shows_credentials(sandbox_factory):
    lines: list[str] = []
    sb = sandbox_factory(log=lines.append)
    requests.get(f"{sb.url}/api/me", auth=sb.auth)
    requests.get(f"{sb.url}/api/me?fields=id", headers={"Authorization": f"ApiToken {sb.token}"})
    requests.get(f"{sb.url}/api/me", auth=("admin", "not-the-password"))
    assert any('"GET /api/me" 200' in line for line in lines) and any("401" in line for line in lines)
    text = "\n".join(lines)
    assert sb.token not in text and sb.password not in text and "not-the-password" not in text
    assert "Authorization" not in text and "fields=id" not in text


def test_the_mock_router_answers_exactly_like_the_server(sandbox):
    bad = p.package()
    del bad["dataElements"][0]["shortName"]
    over_http = requests.post(f"{sandbox.url}/api/metadata", json=bad, auth=sandbox.auth)
    with responses.RequestsMock() as rsps:
        router = SandboxRouter("2.40").install(rsps, base_url="http://dhis2.test")
        in_process = requests.post(f"{router.url}/api/metadata", json=bad, auth=router.auth)
        router.close()
    assert (over_http.status_code, over_http.json()) == (in_process.status_code, in_process.json())


def test_mock_router_faults_raise_connection_errors():
    with responses.RequestsMock() as rsps:
        router = SandboxRouter("2.40", faults=Faults(drop_rate=1.0)).install(rsps)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{router.url}/api/system/ping")
        router.close()


def test_cli_prints_url_and_credentials_once_and_stops_cleanly_on_ctrl_c(tmp_path):
    db = tmp_path / "cli.sqlite"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "dhis2_mch", "sandbox", "--port", "0", "--db", str(db), "--dhis2-version", "2.39"]
    # Ctrl-C at a terminal reaches a foreground process whose SIGINT is at its default; a suite started in the
    # background (``pytest &``, nohup, some CI runners) hands its children SIGINT *ignored*, which Python keeps
    # (it installs its KeyboardInterrupt handler only when SIGINT is not ignored), and the signal would do nothing
    restore = functools.partial(signal.signal, signal.SIGINT, signal.SIG_DFL)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=restore)  # fmt: skip
    try:
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Ctrl-C stops it."):
            lines.append(proc.stdout.readline())
        banner = "".join(lines)
        for user in ("admin / district", "hoathang / district", "hoathang_late / district", "hoathang_guest / district",
                     "viewer / district"):  # fmt: skip
            assert user in banner
        assert "not implemented (answered 501" in banner and "analytics" in banner
        url = next(line.split()[-1] for line in lines if line.strip().startswith("URL:"))
        token = next(line.split()[1] for line in lines if line.strip().startswith("token:"))
        assert "NOT DHIS2" in lines[0] and "2.39.2.1" in lines[0]
        info = requests.get(f"{url}/api/system/info", headers={"Authorization": f"ApiToken {token}"}, timeout=5)
        assert info.json()["version"] == "2.39.2.1"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped." in out and token not in err and db.exists()


def test_a_database_of_an_older_sandbox_gets_the_users_it_lacks(tmp_path):
    from dhis2_mch.sandbox.seed import USER_UIDS

    db = tmp_path / "old.sqlite"
    with Sandbox("2.40", db) as sb, sb.store.transaction():  # as an older sandbox left it: no hoathang_late
        sb.store.delete([("users", USER_UIDS["hoathang_late"])])
        sb.store._db.execute("DELETE FROM credentials WHERE username = 'hoathang_late'")
    with Sandbox("2.40", db) as sb:
        assert sb.get("users", USER_UIDS["hoathang_late"]) is not None
        assert sb.store.check_password("hoathang_late", "district") == USER_UIDS["hoathang_late"]


def test_a_tls_hello_on_the_plain_http_port_is_a_400_not_a_traceback(sandbox_factory, capfd):
    lines: list[str] = []
    sb = sandbox_factory(log=lines.append)
    host, port = sb.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n")  # a ClientHello's first bytes
        answer = conn.recv(200)
    assert b"Error code: 400" in answer  # http.server answers a non-HTTP request line HTTP/0.9-style: no status line
    assert any("(no request line)" in line and "400" in line for line in lines)
    assert "Traceback" not in capfd.readouterr().err
