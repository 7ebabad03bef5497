"""Where the secret to connect with comes from, and the checks it passes on the way.

The secret never lives in a profile (that file tends to end up in git), never on the command line
(shell history, ``ps``), and never in a message: it comes from an environment variable or from a file
that only its owner can read (checked like ssh checks private keys), and it is held in a
``SecretStr`` whose repr is masked and registered with ``logs`` so log records are scrubbed of it.
A personal access token is checked against the characters DHIS2 accepts (``ApiTokenResolver``)
before it is sent.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, SecretStr

from dhis2_mch import logs
from dhis2_mch.errors import ConfigError

if TYPE_CHECKING:
    from dhis2_mch.dhis2.profiles import InstanceProfile

log = logging.getLogger("dhis2_mch.dhis2.profiles")  # where these messages were always logged

#: the token characters DHIS2's ApiTokenResolver accepts (``^ApiToken (?<token>[a-zA-Z0-9-._~+/]+=*)$``)
_TOKEN = re.compile(r"^[a-zA-Z0-9\-._~+/]+=*$")


class Credentials(BaseModel):
    """Basic (username + password) or a personal access token; ``source`` says where the secret came from."""

    model_config = ConfigDict(frozen=True)

    method: Literal["basic", "token"]
    username: str | None = None
    secret: SecretStr
    source: str

    def describe(self) -> str:
        if self.method == "token":
            return f"personal access token from {self.source}"
        return f"user {self.username!r} with a password from {self.source}"


def read_secret_file(path: Path, what: str = "secret") -> SecretStr:
    """The first line of ``path``, refused when group or others may read it (as ssh refuses keys)."""
    path = path.expanduser()
    try:
        st = path.stat()
    except FileNotFoundError:
        # the name is not repeated: a secret pasted where a file name belongs must not reach a message
        raise ConfigError(
            f"The {what} file named in the configuration does not exist (looked in {path.parent}; the name itself "
            "is not shown in case the secret was written there instead of a file name)."
        ) from None
    except OSError as exc:
        raise ConfigError(f"The {what} file {path} cannot be read: {exc.strerror}.") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"The {what} file {path} is not a regular file.")
    if os.name == "posix" and st.st_mode & 0o077:
        raise ConfigError(
            f"Permissions {stat.S_IMODE(st.st_mode):04o} for the {what} file {path} are too open: other users "
            f"of this machine could read it. It must be readable by its owner only; run `chmod 600 {path}`."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The {what} file {path} cannot be read: {exc}.") from None
    value = text.splitlines()[0].strip() if text.strip() else ""
    if not value:
        raise ConfigError(f"The {what} file {path} is empty.")
    return SecretStr(value)


def _secret_from_env(env: Mapping[str, str], name: str) -> SecretStr | None:
    value = (env.get(name) or "").strip()
    return SecretStr(value) if value else None


def _check_token(token: SecretStr, source: str) -> None:
    if not _TOKEN.match(token.get_secret_value()):
        # never echo the token: say what is wrong with it
        raise ConfigError(
            f"The personal access token from {source} contains characters DHIS2 does not accept in a token "
            "(spaces, quotes or a line break?). Copy the whole d2pat_... value again."
        )


def _register(credentials: Credentials) -> Credentials:
    logs.register_secret(credentials.secret.get_secret_value(), username=credentials.username)
    return credentials


def resolve_path(value: Path | None, base: Path) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    return value if value.is_absolute() else base / value


def _profile_secret(file: Path | None, var: str, what: str, env: Mapping[str, str]) -> tuple[SecretStr | None, str]:
    """The secret from a permission-checked file if the profile names one, else from an environment variable."""
    if file is not None:
        return read_secret_file(file, what), f"file {file}"
    return _secret_from_env(env, var), f"environment variable {var}"


def profile_credentials(name: str, profile: InstanceProfile, base: Path, env: Mapping[str, str]) -> Credentials:
    if profile.auth == "token":
        var = profile.token_env or "DHIS2_TOKEN"
        secret, source = _profile_secret(resolve_path(profile.token_file, base), var, "token", env)
        if secret is None:
            raise ConfigError(
                f"Instance {name!r} uses a personal access token, but the environment variable {var} is not "
                "set. Export it (e.g. from your password manager), or set token_file in the profile."
            )
        _check_token(secret, source)
        return _register(Credentials(method="token", secret=secret, source=source))

    username = profile.username or (env.get("DHIS2_USERNAME") or "").strip() or None
    if not username:
        raise ConfigError(f"Instance {name!r} uses a user name and password, but has no `username:` in the profile.")
    var = profile.password_env or "DHIS2_PASSWORD"
    secret, source = _profile_secret(resolve_path(profile.password_file, base), var, "password", env)
    if secret is None:
        raise ConfigError(
            f"Instance {name!r}: the password for user {username!r} comes from the environment variable {var}, "
            "which is not set. Export it, or set password_file in the profile (a file only you can read)."
        )
    return _register(Credentials(method="basic", username=username, secret=secret, source=source))


def env_credentials(env: Mapping[str, str]) -> Credentials:
    token, source = _secret_from_env(env, "DHIS2_TOKEN"), "environment variable DHIS2_TOKEN"
    if token is None and env.get("DHIS2_TOKEN_FILE"):
        path = Path(env["DHIS2_TOKEN_FILE"])
        token, source = read_secret_file(path, "token"), f"file {path}"
    if token is not None:
        if env.get("DHIS2_PASSWORD") or env.get("DHIS2_PASSWORD_FILE"):
            log.info("Both a token and a password are set in the environment; using the token.")
        _check_token(token, source)
        return _register(Credentials(method="token", secret=token, source=source))

    username = (env.get("DHIS2_USERNAME") or "").strip()
    password, source = _secret_from_env(env, "DHIS2_PASSWORD"), "environment variable DHIS2_PASSWORD"
    if password is None and env.get("DHIS2_PASSWORD_FILE"):
        path = Path(env["DHIS2_PASSWORD_FILE"])
        password, source = read_secret_file(path, "password"), f"file {path}"
    if username and password is not None:
        return _register(Credentials(method="basic", username=username, secret=password, source=source))
    missing = "DHIS2_PASSWORD (or DHIS2_PASSWORD_FILE)" if username else "DHIS2_USERNAME and DHIS2_PASSWORD"
    raise ConfigError(
        f"No credentials for the DHIS2 given with --url: set DHIS2_TOKEN (a personal access token), or {missing}, "
        "in the environment. Secrets are never taken from the command line."
    )
