"""End to end over real HTTP against the sandbox (the DHIS2 stand-in), when it is available.

Uses the ``sandbox`` fixture from tests/conftest.py when it exists; otherwise starts
``dhis2_mch.sandbox.Sandbox`` directly; skips when neither is there.
"""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from dhis2_fakes import assert_no_secret

from dhis2_mch.cli import cli
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.errors import AuthError

DE = "Mche2eDe001"
PAYLOAD = {
    "dataElements": [
        {"id": DE, "code": "MCH_E2E_DE", "name": "MCH e2e: trẻ được cân", "shortName": "MCH e2e cân",
         "valueType": "INTEGER_ZERO_OR_POSITIVE", "domainType": "AGGREGATE", "aggregationType": "SUM"}
    ]
}  # fmt: skip


def _start(request, version: str):
    try:
        fixture = request.getfixturevalue("sandbox")
    except pytest.FixtureLookupError:
        fixture = None
    if fixture is not None and str(getattr(fixture, "version", "")).startswith(version):
        return fixture, None
    try:
        from dhis2_mch.sandbox import Sandbox
    except ImportError:
        pytest.skip("the sandbox (dhis2_mch.sandbox) is not available")
    sb = Sandbox(version=version).start()
    return sb, sb


@pytest.fixture(params=["2.38", "2.40", "2.42"])
def sb(request):
    sandbox, owned = _start(request, request.param)
    yield sandbox
    if owned is not None:
        owned.stop()


@pytest.fixture
def sb40(request):
    sandbox, owned = _start(request, "2.40")
    yield sandbox
    if owned is not None:
        owned.stop()


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
