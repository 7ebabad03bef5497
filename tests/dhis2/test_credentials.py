"""Credentials as a Vietnamese officer has them, and as they are mistyped: never echoed, never a crash."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner
from dhis2_fakes import PASSWORD, TOKEN, assert_no_secret

from dhis2_mch.cli import cli, exit_code
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.profiles import load_profiles, resolve_target
from dhis2_mch.errors import ConfigError

VIETNAMESE = "Mật-khẩu"


def invoke(*args: str, env: dict[str, str | None]):
    base = {"DHIS2_URL": None, "DHIS2_TOKEN": None, "DHIS2_MCH_CONFIG": None, "REQUESTS_CA_BUNDLE": None}
    return CliRunner().invoke(cli, list(args), env={**base, **env})


def profile_file(tmp_path, text: str):
    path = tmp_path / "instances.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_utf8_password_logs_in(sandbox):
    sandbox.store.set_password(sandbox.username, sandbox.admin_uid, VIETNAMESE)
    result = invoke(
        "info", "--url", sandbox.url, "--format", "json",
        env={"DHIS2_USERNAME": sandbox.username, "DHIS2_PASSWORD": VIETNAMESE},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["user"]["username"] == sandbox.username
    assert VIETNAMESE not in result.output


def test_a_wrong_utf8_password_is_refused_cleanly_and_not_echoed(sandbox):
    result = invoke(
        "info", "--url", sandbox.url, env={"DHIS2_USERNAME": sandbox.username, "DHIS2_PASSWORD": VIETNAMESE}
    )
    assert result.exit_code == 3 and "HTTP 401" in result.stderr
    assert VIETNAMESE not in result.output and "internal error" not in result.output


@pytest.mark.parametrize(
    "url",
    [
        f"https://admin:{PASSWORD}@dhis2.example.org",
        f"https://dhis2.example.org/?password={PASSWORD}",
        f"https://dhis2.example.org/dhis?api_token={TOKEN}",
    ],
)
def test_a_secret_in_the_url_is_refused_without_echoing_it(url):
    result = invoke("info", "--url", url, env={"DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "x-not-it"})
    assert result.exit_code == 2
    assert "dhis2.example.org" in result.stderr
    assert_no_secret(result.output)


def test_a_secret_in_password_env_is_refused_without_echoing_it(tmp_path):
    path = profile_file(
        tmp_path,
        f"""
        instances:
          prov:
            url: https://dhis2.example.org
            username: admin
            password_env: {PASSWORD}
        """,
    )
    result = invoke("info", "--instance", "prov", "--config", str(path), env={})
    assert result.exit_code == 2
    assert "password_env" in result.stderr and "NAME of an environment variable" in result.stderr
    assert_no_secret(result.output)


def test_a_secret_written_as_a_password_file_name_is_not_echoed(tmp_path):
    path = profile_file(
        tmp_path,
        f"""
        instances:
          prov:
            url: https://dhis2.example.org
            username: admin
            password_file: {PASSWORD}
        """,
    )
    with pytest.raises(ConfigError) as info:
        resolve_target(instance="prov", config=path, env={})
    assert "does not exist" in str(info.value) and exit_code(info.value) == 2
    assert_no_secret(str(info.value))


@pytest.mark.parametrize(
    "block",
    [
        "defaults:\n  password: {secret}\n",
        "defaults:\n  options:\n    api_token: {secret}\n",
        "instances:\n  prov:\n    url: https://x.org\n    options:\n      Password: {secret}\n",
        "instances:\n  prov:\n    url: https://x.org\n    proxies: {{https: 'http://p:3128', secret: {secret}}}\n",
    ],
)
def test_a_secret_key_anywhere_in_the_profile_file_is_refused(tmp_path, block):
    path = tmp_path / "instances.yaml"
    path.write_text(block.format(secret=PASSWORD), encoding="utf-8")
    with pytest.raises(ConfigError, match="holds a secret written in the file") as info:
        load_profiles(path)
    assert_no_secret(str(info.value))


def test_options_nothing_reads_are_refused_not_ignored(tmp_path):
    path = profile_file(
        tmp_path,
        """
        instances:
          staging:
            url: https://x.org
            options: {dry_run_first: true}
        """,
    )
    with pytest.raises(ConfigError, match=r"instances\.staging\.options\.dry_run_first: Extra inputs"):
        load_profiles(path)


def test_the_profile_option_reaches_the_connection(tmp_path):
    path = profile_file(
        tmp_path,
        """
        defaults:
          options: {async_threshold_bytes: 1234}
          deadline: 99
        instances:
          prov:
            url: https://x.org
            auth: token
            token_env: PROV_TOKEN
        """,
    )
    target = resolve_target(instance="prov", config=path, env={"PROV_TOKEN": TOKEN})
    conn = Connection.from_target(target)
    assert conn.async_threshold_bytes == 1234 and conn.deadline == 99
    assert resolve_target(instance="prov", config=path, env={"PROV_TOKEN": TOKEN}, deadline=5).deadline == 5


def test_requests_ca_bundle_that_does_not_exist_is_named(tmp_path):
    env = {"DHIS2_TOKEN": TOKEN, "REQUESTS_CA_BUNDLE": str(tmp_path / "missing.pem")}
    with pytest.raises(ConfigError, match=r"REQUESTS_CA_BUNDLE names .*missing\.pem, which does not exist"):
        resolve_target(url="https://x.org", env=env)
