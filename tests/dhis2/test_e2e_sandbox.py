"""End to end over real loopback HTTP against the sandbox (the DHIS2 stand-in) at 2.38, 2.40 and 2.42.

Uses the ``sandbox`` / ``sandbox_factory`` fixtures of tests/conftest.py; skips where they are absent.
"""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from dhis2_fakes import assert_no_secret

from dhis2_mch.cli import cli
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection, RetryPolicy
from dhis2_mch.errors import AuthError, ServerUnavailable, TransportError

DE = "Mche2eDe001"
PAYLOAD = {
    "dataElements": [
        {"id": DE, "code": "MCH_E2E_DE", "name": "MCH e2e: trẻ được cân", "shortName": "MCH e2e cân",
         "valueType": "INTEGER_ZERO_OR_POSITIVE", "domainType": "AGGREGATE", "aggregationType": "SUM"}
    ]
}  # fmt: skip


def _fixture(request, name: str):
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        pytest.skip(f"the sandbox fixture `{name}` (tests/conftest.py) is not available")


@pytest.fixture(params=["2.38", "2.40", "2.42"])
def sb(request):
    return _fixture(request, "sandbox_factory")(request.param)


@pytest.fixture
def sb40(request):
    return _fixture(request, "sandbox")


def test_version_user_and_default_model(sb):
    basic = Connection(sb.url, username=sb.username, password=sb.password)
    token = Connection(sb.url, token=sb.token)
    assert basic.version.short in ((2, 38), (2, 40), (2, 42))
    assert basic.system_info().version.startswith(f"2.{basic.version.minor}")
    assert basic.me().is_superuser and token.me().username == basic.me().username
    assert api.default_category_model(basic).category_combo == "bjDvmb4bfuf"


def test_validate_changes_nothing_then_commit_creates(sb):
    conn = Connection(sb.url, username=sb.username, password=sb.password)
    checked = api.import_metadata(conn, PAYLOAD, import_mode="VALIDATE")
    assert checked.ok and checked.stats.created == 1
    assert api.fetch_objects(conn, "dataElements", ids=[DE]) == []
    done = api.import_metadata(conn, PAYLOAD, import_mode="COMMIT")
    assert done.ok and done.by_type["dataElements"].stats.created == 1
    (obj,) = api.fetch_objects(conn, "dataElements", ids=[DE], codes=["MCH_E2E_DE"])
    assert obj["name"] == "MCH e2e: trẻ được cân"


def test_name_clash_is_reported_with_its_object(sb40):
    conn = Connection(sb40.url, token=sb40.token)
    api.import_metadata(conn, PAYLOAD, import_mode="COMMIT")
    clash = {"dataElements": [{**PAYLOAD["dataElements"][0], "id": "Mche2eDe002", "code": "OTHER"}]}
    result = api.import_metadata(conn, clash, import_mode="VALIDATE")
    assert result.status == "ERROR" and result.http_status == 409
    e5003 = [e for e in result.errors if e.code == "E5003"]
    assert e5003 and e5003[0].uid == "Mche2eDe002" and e5003[0].plural == "dataElements"


def test_async_metadata_import_is_polled(sb40):
    conn = Connection(sb40.url, username=sb40.username, password=sb40.password)
    result = api.import_metadata(conn, PAYLOAD, import_mode="COMMIT", async_threshold_bytes=1)
    assert result.ok and result.job is not None and result.stats.total == 1


def test_restricted_user_is_stopped_before_anything_is_sent(sb40):
    conn = Connection(sb40.url, username=sb40.restricted_username, password=sb40.restricted_password)
    with pytest.raises(AuthError, match="may not import this metadata"):
        api.import_metadata(conn, PAYLOAD, import_mode="COMMIT")
    assert all(o.get("id") != DE for o in sb40.objects("dataElements"))


def test_data_value_dry_run_conflict(sb40):
    conn = Connection(sb40.url, token=sb40.token)
    body = b'{"dataValues":[{"dataElement":"Nope0000001","period":"202401","orgUnit":"Nope0000002","value":"3"}]}'
    result = api.import_data_values(conn, body, dry_run=True)
    assert result.status in ("WARNING", "ERROR") and result.conflicts and result.imported == 0


def test_cli_info_and_no_secret_anywhere(sb40, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="dhis2_mch")
    for name in ("DHIS2_URL", "DHIS2_USERNAME", "DHIS2_PASSWORD", "DHIS2_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["info", "--url", sb40.url], env={"DHIS2_TOKEN": sb40.token})
    assert result.exit_code == 0, result.output
    assert "Deploy metadata:   yes" in result.output
    bad = CliRunner().invoke(cli, ["info", "--url", sb40.url], env={"DHIS2_TOKEN": sb40.token[:-4] + "0000"})
    assert bad.exit_code == 3
    for text in (result.output, bad.output, caplog.text):
        assert sb40.token not in text and sb40.password not in text
    assert_no_secret(caplog.text)


def _faulty(request, **faults):
    from dhis2_mch.sandbox import Faults

    return _fixture(request, "sandbox_factory")("2.40", faults=Faults(**faults))


def test_503_with_retry_after_from_a_real_socket_is_retried(request, sleeps):
    sb = _faulty(request, error_rate=1.0, every=2, status=503, retry_after=2)
    conn = Connection(sb.url, username=sb.username, password=sb.password, sleep=sleeps)
    assert conn.me().is_superuser  # request 1
    result = api.import_metadata(conn, PAYLOAD, import_mode="COMMIT")  # request 2 gets 503, fixed ids: retried
    assert result.ok and result.stats.created == 1
    assert sleeps == [2.0]


def test_dropped_connections_retried_for_reads_never_for_unsafe_writes(request, sleeps):
    sb = _faulty(request, drop_rate=1.0, every=1)
    conn = Connection(sb.url, token=sb.token, sleep=sleeps, retry=RetryPolicy(attempts=3))
    with pytest.raises(ServerUnavailable, match="connection broke") as info:
        conn.system_info()
    assert len(sleeps) == 2 and "Gave up after 3 attempts" in str(info.value)
    sleeps.clear()
    no_ids = {"dataElements": [{k: v for k, v in PAYLOAD["dataElements"][0].items() if k != "id"}]}
    with pytest.raises(TransportError, match="connection broke") as failed:
        api.import_metadata(conn, no_ids, import_mode="COMMIT", check_authorities=False)
    assert sleeps == [] and failed.value.may_have_applied
