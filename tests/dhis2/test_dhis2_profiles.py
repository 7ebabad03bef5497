"""Instance profiles and secrets: where they may come from, and what is refused."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from dhis2_fakes import PASSWORD, TOKEN, URL, USERNAME, assert_no_secret

from dhis2_mch.cli import exit_code
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.profiles import load_profiles, read_secret_file, resolve_target
from dhis2_mch.errors import InputError

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "instances.example.yaml"
posix_only = pytest.mark.skipif(os.name != "posix", reason="file permission bits are POSIX")


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def profiles(tmp_path) -> Path:
    write(tmp_path / "staging.token", TOKEN + "\n")
    return write(
        tmp_path / "instances.yaml",
        f"""
        defaults:
          timeout: {{connect: 5, read: 120}}
          options: {{async_threshold_bytes: 1000}}
        instances:
          staging:
            url: https://staging.example.org
            auth: token
            token_file: staging.token
            options: {{async_threshold_bytes: 2000}}
          local:
            url: http://localhost:8080
            username: {USERNAME}
            password_env: LOCAL_PW
            timeout: 30
        """,
        0o644,
    )


def test_the_example_file_is_valid():
    parsed = load_profiles(EXAMPLE)
    assert {"local", "staging", "national"} <= set(parsed.instances)
    assert parsed.instances["staging"].auth == "token"


@posix_only
def test_token_from_a_private_file(profiles):
    target = resolve_target(instance="staging", config=profiles, env={})
    assert target.credentials.method == "token"
    assert target.credentials.secret.get_secret_value() == TOKEN
    assert target.credentials.source == f"file {profiles.parent / 'staging.token'}"
    assert target.timeouts.connect == 5 and target.timeouts.read == 120
    assert target.options.async_threshold_bytes == 2000
    assert Connection.from_target(target).auth_method == "token"


def test_password_from_the_named_environment_variable(profiles):
    target = resolve_target(instance="local", config=profiles, env={"LOCAL_PW": PASSWORD}, timeout=77)
    assert (target.credentials.method, target.credentials.username) == ("basic", USERNAME)
    assert target.credentials.secret.get_secret_value() == PASSWORD
    assert target.timeouts.read == 77  # --timeout wins over the profile's 30
    assert "environment variable LOCAL_PW" in target.credentials.describe()


def test_missing_environment_variable_is_named(profiles):
    with pytest.raises(InputError, match="environment variable LOCAL_PW, which is not set") as info:
        resolve_target(instance="local", config=profiles, env={})
    assert exit_code(info.value) == 2


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_secret_file_readable_by_others_is_refused(tmp_path, mode):
    path = write(tmp_path / "pw", PASSWORD, mode)
    with pytest.raises(InputError) as info:
        read_secret_file(path, "password")
    message = str(info.value)
    assert f"{mode:04o}" in message and "too open" in message and f"chmod 600 {path}" in message
    assert_no_secret(message)


@posix_only
def test_profile_with_an_open_token_file_is_refused(profiles):
    (profiles.parent / "staging.token").chmod(0o644)
    with pytest.raises(InputError, match="too open"):
        resolve_target(instance="staging", config=profiles, env={})


def test_missing_and_empty_secret_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_secret_file(tmp_path / "nope")
    with pytest.raises(InputError, match="is empty"):
        read_secret_file(write(tmp_path / "empty", "\n"))


@pytest.mark.parametrize("key", ["password", "token"])
def test_secret_written_into_the_profile_is_refused(tmp_path, key):
    path = write(tmp_path / "p.yaml", f"instances:\n  x:\n    url: {URL}\n    {key}: {PASSWORD}\n")
    with pytest.raises(InputError) as info:
        load_profiles(path)
    assert f"`instances.x.{key}` holds a secret" in str(info.value)
    assert_no_secret(info.value)


def test_unknown_key_and_bad_values_name_the_key_not_the_value(tmp_path):
    path = write(tmp_path / "p.yaml", f"instances:\n  x:\n    url: {URL}\n    auth: oauth\n    pasword_env: X\n")
    with pytest.raises(InputError) as info:
        load_profiles(path)
    assert "instances.x.auth" in str(info.value) and "instances.x.pasword_env" in str(info.value)


def test_bad_yaml_names_the_line(tmp_path):
    path = write(tmp_path / "p.yaml", "instances:\n  x: [unclosed\n")
    with pytest.raises(InputError, match=r"p\.yaml line \d+: not valid YAML"):
        load_profiles(path)


def test_unknown_instance_lists_the_known_ones(profiles):
    with pytest.raises(InputError, match=r"No instance 'prod' .*local, staging"):
        resolve_target(instance="prod", config=profiles, env={})


def test_no_profiles_file_explains_what_to_do(tmp_path):
    with pytest.raises(InputError, match=r"instances\.example\.yaml"):
        resolve_target(instance="x", config=tmp_path / "missing.yaml", env={})


def test_url_with_token_from_environment():
    target = resolve_target(url=URL, env={"DHIS2_TOKEN": TOKEN, "DHIS2_PASSWORD": PASSWORD})
    assert target.credentials.method == "token" and target.url == URL and target.name is None


def test_url_from_environment_with_username_and_password():
    target = resolve_target(env={"DHIS2_URL": URL, "DHIS2_USERNAME": USERNAME, "DHIS2_PASSWORD": PASSWORD})
    assert (target.credentials.method, target.credentials.username, target.url) == ("basic", USERNAME, URL)


@posix_only
def test_url_with_password_file_from_environment(tmp_path):
    path = write(tmp_path / "pw", PASSWORD + "\n")
    target = resolve_target(url=URL, env={"DHIS2_USERNAME": USERNAME, "DHIS2_PASSWORD_FILE": str(path)})
    assert target.credentials.secret.get_secret_value() == PASSWORD


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "DHIS2_USERNAME and DHIS2_PASSWORD"),
        ({"DHIS2_USERNAME": USERNAME}, "DHIS2_PASSWORD (or DHIS2_PASSWORD_FILE)"),
    ],
)
def test_url_without_credentials(env, expected):
    with pytest.raises(InputError) as info:
        resolve_target(url=URL, env=env)
    assert expected in str(info.value)
    assert "never taken from the command line" in str(info.value)


def test_no_target_at_all():
    with pytest.raises(InputError, match="Which DHIS2"):
        resolve_target(env={})


def test_instance_and_url_together_refused(profiles):
    with pytest.raises(InputError, match="either --instance or --url"):
        resolve_target(instance="local", url=URL, config=profiles, env={})


def test_token_with_a_line_break_or_quote_is_refused_without_echo():
    with pytest.raises(InputError, match="characters DHIS2 does not accept") as info:
        resolve_target(url=URL, env={"DHIS2_TOKEN": f"'{TOKEN}'"})
    assert_no_secret(info.value)


def test_insecure_profile_allows_plain_http_on_a_lan(tmp_path):
    path = write(
        tmp_path / "p.yaml",
        f"instances:\n  lan:\n    url: http://192.168.1.20:8080\n    username: {USERNAME}\n    insecure: true\n",
    )
    target = resolve_target(instance="lan", config=path, env={"DHIS2_PASSWORD": PASSWORD})
    assert Connection.from_target(target).base_url == "http://192.168.1.20:8080"
    target = target.model_copy(update={"insecure": False})
    with pytest.raises(InputError, match="plain http"):
        Connection.from_target(target)
