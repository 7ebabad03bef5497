"""``dhis2-mch info`` and the shared connection options, as a user sees them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner
from dhis2_fakes import API, PASSWORD, TOKEN, URL, USERNAME, add_me, add_system_info, assert_no_secret

from dhis2_mch.cli import cli

TOKEN_ENV = {"DHIS2_TOKEN": TOKEN}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("DHIS2_URL", "DHIS2_TOKEN", "DHIS2_TOKEN_FILE", "DHIS2_USERNAME", "DHIS2_PASSWORD",
                 "DHIS2_PASSWORD_FILE", "DHIS2_MCH_CONFIG"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def run(*args, env=None):
    return CliRunner().invoke(cli, ["info", *args], env=env or {})


def test_info_text_for_a_superuser(rsps):
    add_system_info(rsps, "2.40.4.1")
    add_me(rsps, authorities=["ALL"])
    result = run("--url", URL, env=TOKEN_ENV)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"DHIS2 2.40.4.1 at {URL}" in out and "Hệ thống test" in out
    assert (
        f"User:              {USERNAME} (HMIS Admin), personal access token from environment variable DHIS2_TOKEN"
        in out
    )
    assert "Superuser (ALL):   yes" in out and "Deploy metadata:   yes" in out and "Push data values:  yes" in out
    assert rsps.calls[0].request.headers["Authorization"] == f"ApiToken {TOKEN}"
    assert_no_secret(out)


def test_info_json_for_a_data_entry_user(rsps):
    add_system_info(rsps, "41.0.1")
    add_me(rsps, authorities=["F_DATAVALUE_ADD", "F_METADATA_IMPORT"])
    rsps.get(f"{API}/schemas", json={"schemas": []})  # an older server without authorities: built-in table
    result = run("--url", URL, "--format", "json", env={"DHIS2_USERNAME": USERNAME, "DHIS2_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["version"] == {"text": "41.0.1", "major": 2, "minor": 41, "patch": 0}  # 41.0.1 = 2.41.0 hotfix 1
    assert data["user"]["username"] == USERNAME and data["user"]["auth"] == "basic"
    auth = data["authorities"]
    assert auth["superuser"] is False and auth["push_data_values"]["ok"] is True and auth["F_METADATA_IMPORT"] is True
    assert auth["deploy_metadata"]["ok"] is False
    assert auth["deploy_metadata"]["missing"]["dataElements"] == [
        "F_DATAELEMENT_PUBLIC_ADD",
        "F_DATAELEMENT_PRIVATE_ADD",
    ]
    assert_no_secret(result.output)


def test_info_text_lists_missing_create_authorities(rsps):
    add_system_info(rsps)
    add_me(rsps, authorities=["F_DATAVALUE_ADD"])
    rsps.get(f"{API}/schemas", status=500, body="")
    result = run("--url", URL, env=TOKEN_ENV)
    assert result.exit_code == 0
    assert "Deploy metadata:   NO" in result.output
    assert "cannot create dataSets: needs F_DATASET_PUBLIC_ADD or F_DATASET_PRIVATE_ADD" in result.output


def test_info_with_an_instance_profile(rsps, tmp_path):
    (tmp_path / "t.token").write_text(TOKEN)
    (tmp_path / "t.token").chmod(0o600)
    (tmp_path / "instances.yaml").write_text(
        f"instances:\n  test:\n    url: {URL}\n    auth: token\n    token_file: t.token\n"
    )
    add_system_info(rsps)
    add_me(rsps)
    result = run("--instance", "test", "--config", str(tmp_path / "instances.yaml"))
    assert result.exit_code == 0, result.output
    assert "(instance 'test')" in result.output and f"token from file {tmp_path / 't.token'}" in result.output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_info_401_exit_3_without_traceback(rsps, fmt):
    rsps.get(f"{API}/system/info", status=401, json={"status": "ERROR", "message": "Unauthorized"})
    result = run("--url", URL, "--format", fmt, env={"DHIS2_USERNAME": USERNAME, "DHIS2_PASSWORD": PASSWORD})
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: DHIS2 at https://dhis2.test: GET /api/system/info: DHIS2 refused the user")
    assert "Traceback" not in result.output
    if fmt == "json":
        assert json.loads(result.stdout)["error"]["type"] == "Unauthorized"
    assert_no_secret(result.output)


def test_info_500_exit_3(rsps):
    rsps.get(f"{API}/system/info", status=500, json={"message": "java.lang.NullPointerException"})
    result = run("--url", URL, env=TOKEN_ENV)
    assert result.exit_code == 3 and "HTTP 500" in result.stderr and "NullPointerException" in result.stderr


def test_info_against_a_server_that_is_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run("--url", f"http://127.0.0.1:{port}", "--timeout", "2", env=TOKEN_ENV)
    assert result.exit_code == 3
    assert f"could not connect to 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.output
    assert result.stderr.count("WARNING: GET http://127.0.0.1") == 3 and "retrying in" in result.stderr
    assert_no_secret(result.output)


def test_info_refuses_plain_http_to_a_remote_host_without_insecure(rsps):
    result = run("--url", "http://dhis2.example.org", env=TOKEN_ENV)
    assert result.exit_code == 2 and "plain http" in result.stderr and "--insecure" in result.stderr
    assert len(rsps.calls) == 0
    rsps.get("http://dhis2.example.org/api/system/info", json={"version": "2.39.1"})
    rsps.get("http://dhis2.example.org/api/me", json={"username": "u", "authorities": ["ALL"]})
    assert run("--url", "http://dhis2.example.org", "--insecure", env=TOKEN_ENV).exit_code == 0


def test_info_without_a_target_says_how_to_name_one():
    result = run()
    assert result.exit_code == 2 and "--instance NAME" in result.stderr and "DHIS2_TOKEN" in result.stderr


def test_there_is_no_password_option():
    result = CliRunner().invoke(cli, ["info", "--help"])
    assert result.exit_code == 0
    for option in ("--instance", "--url", "--config", "--insecure", "--timeout", "--format"):
        assert option in result.output
    assert "--password" not in result.output and "--token" not in result.output


def test_help_does_not_import_the_http_stack():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom dhis2_mch.cli import cli\n"
        "r = CliRunner().invoke(cli, ['--help'])\nassert 'info' in r.output, r.output\n"
        "print(sorted(m for m in ('requests', 'pandas', 'urllib3', 'dhis2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
