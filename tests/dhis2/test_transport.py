"""A transport you can swap: ``Connection(..., transport=adapter)`` — the in-process sandbox, or your own."""

from __future__ import annotations

import time

import pytest
import requests
from requests.adapters import BaseAdapter

from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection, RetryPolicy
from dhis2_mch.dhis2.profiles import Timeouts
from dhis2_mch.errors import ConnectError, ReadTimeout, TransportError
from dhis2_mch.sandbox import Faults, Sandbox
from dhis2_mch.sandbox.adapter import SandboxAdapter

DE = "AbCdEfGhIj1"
PAYLOAD = {
    "dataElements": [
        {"id": DE, "code": "T_DE", "name": "Transport test", "shortName": "Transport test",
         "valueType": "INTEGER_ZERO_OR_POSITIVE", "domainType": "AGGREGATE", "aggregationType": "SUM"}
    ]
}  # fmt: skip


@pytest.fixture
def sandbox_in_process():
    sb = Sandbox("2.40")  # never started: no socket at all
    yield sb
    sb.stop()


def connect(sb, sleeps, **kwargs) -> Connection:
    return Connection("http://dhis2.localhost", token=sb.token, transport=SandboxAdapter(sb), sleep=sleeps, **kwargs)


def test_the_sandbox_serves_a_connection_in_process(sandbox_in_process, sleeps):
    conn = connect(sandbox_in_process, sleeps)
    assert conn.version.short == (2, 40) and conn.me().is_superuser
    result = api.import_metadata(conn, PAYLOAD, import_mode="COMMIT")
    assert result.ok and result.stats.created == 1 and result.sent == {"dataElements": 1}
    assert [o["code"] for o in api.fetch_objects(conn, "dataElements", ids=[DE])] == ["T_DE"]
    assert sandbox_in_process.get("dataElements", DE)["name"] == "Transport test"


def test_faults_apply_through_the_adapter(sleeps):
    sb = Sandbox("2.40", faults=Faults(drop_rate=1.0, every=1))
    try:
        conn = connect(sb, sleeps, retry=RetryPolicy(attempts=3))
        with pytest.raises(TransportError, match="connection broke") as info:
            conn.system_info()
        assert len(sleeps) == 2 and not info.value.may_have_applied  # a read: retried, changed nothing
        sleeps.clear()
        without_ids = {"dataElements": [{k: v for k, v in PAYLOAD["dataElements"][0].items() if k != "id"}]}
        with pytest.raises(TransportError) as info:
            api.import_metadata(conn, without_ids, import_mode="COMMIT", check_authorities=False)
        assert sleeps == [] and info.value.may_have_applied  # never retried: it may have been applied
    finally:
        sb.stop()


def test_latency_beyond_the_read_timeout_is_a_read_timeout(sleeps):
    sb = Sandbox("2.40", faults=Faults(latency=1.0))
    try:
        conn = connect(sb, sleeps, timeouts=Timeouts(connect=1, read=0.1), retry=RetryPolicy(attempts=1))
        started = time.monotonic()
        with pytest.raises(ReadTimeout, match=r"did not answer within 0\.1 s"):
            conn.system_info()
        assert time.monotonic() - started < 0.8
    finally:
        sb.stop()


def test_a_slow_body_is_cut_off_by_the_clock(sleeps):
    sb = Sandbox("2.40", faults=Faults(slow_body=0.8))  # 8 pieces of 0.1 s: each read is on time
    try:
        conn = connect(sb, sleeps, timeouts=Timeouts(connect=1, read=0.25), retry=RetryPolicy(attempts=1))
        with pytest.raises(ReadTimeout, match="still sending its answer"):
            conn.system_info()
    finally:
        sb.stop()


class Recorder(BaseAdapter):
    """A transport of one's own: records what was sent, answers like a down proxy."""

    def __init__(self):
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(request)
        raise requests.exceptions.ConnectionError("refused by the recorder", request=request)

    def close(self):
        pass


def test_any_requests_adapter_can_be_the_transport(sleeps):
    recorder = Recorder()
    conn = Connection("https://dhis2.example.org", username="u", password="Mật-khẩu", transport=recorder, sleep=sleeps)
    with pytest.raises(TransportError):
        conn.get("system/info")
    assert len(recorder.sent) == RetryPolicy().attempts and not isinstance(recorder.sent[0], ConnectError)
    # UTF-8 Basic credentials, as DHIS2 decodes them (requests alone would fail on "ậ" in latin-1)
    assert recorder.sent[0].headers["Authorization"] == "Basic dTpN4bqtdC1raOG6qXU="


def test_the_sandbox_mock_fixture_serves_connections_through_its_adapter(sandbox_mock):
    conn = Connection("http://dhis2.localhost", token=sandbox_mock.token, transport=sandbox_mock.adapter)
    assert conn.me().username == sandbox_mock.username
    assert conn.session.get_adapter(conn.api_url) is sandbox_mock.adapter
