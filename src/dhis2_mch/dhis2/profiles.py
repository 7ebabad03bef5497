"""Which DHIS2 to talk to, and with which credentials: instance profiles and secrets.

A profile (``config/instances.yaml``, see ``config/instances.example.yaml``) names an instance: its
URL, the auth method, the user name, timeouts, TLS settings, default options, and *where* the secret
comes from. The secret itself never lives in the profile (that file tends to end up in git), never on
the command line (shell history, ``ps``), and never in a message: it comes from an environment
variable or from a file that only its owner can read (checked like ssh checks private keys), and it
is held in a ``SecretStr`` whose repr is masked and registered with ``logs`` so log records are
scrubbed of it.

Without ``--instance``, ``--url`` (or ``DHIS2_URL``) plus ``DHIS2_TOKEN`` or
``DHIS2_USERNAME``/``DHIS2_PASSWORD`` from the environment (or ``DHIS2_TOKEN_FILE`` /
``DHIS2_PASSWORD_FILE``) describe the target.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from dhis2_mch import logs
from dhis2_mch.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("config/instances.yaml")
#: the overall time one command may take (requests, retries, job polls), unless the profile or --deadline says
DEFAULT_DEADLINE = 3600.0
#: keys that hold a secret wherever they appear in a profiles file (compared lower-case, without - and _)
SECRET_KEYS = frozenset({"password", "passwd", "pwd", "token", "apitoken", "pat", "secret", "accesstoken"})
#: an environment variable's name, as POSIX shells accept it
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: the token characters DHIS2's ApiTokenResolver accepts (``^ApiToken (?<token>[a-zA-Z0-9-._~+/]+=*)$``)
_TOKEN = re.compile(r"^[a-zA-Z0-9\-._~+/]+=*$")


class Timeouts(BaseModel):
    """Seconds to wait for a TCP connection, and for each read of the answer (imports can be slow)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect: float = Field(10.0, gt=0)
    read: float = Field(300.0, gt=0)

    def as_tuple(self) -> tuple[float, float]:
        return (self.connect, self.read)


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


class Options(BaseModel):
    """Settings commands read from a profile (``options:``); unknown names are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: metadata payloads larger than this go ``async=true`` (DHIS2 answers at once with a job to poll)
    async_threshold_bytes: int | None = Field(None, gt=0)


class Defaults(BaseModel):
    """``defaults:``: what every instance gets unless its profile says otherwise."""

    model_config = ConfigDict(extra="forbid")

    timeout: Timeouts | float | None = None
    deadline: float | None = Field(None, gt=0)
    options: Options = Options()


class Target(BaseModel):
    """Everything needed to open a ``Connection``: the resolved profile (or --url + environment)."""

    model_config = ConfigDict(frozen=True)

    url: str
    name: str | None = None
    credentials: Credentials
    timeouts: Timeouts = Timeouts()
    verify: bool = True
    ca_bundle: Path | None = None
    insecure: bool = False
    proxies: dict[str, str] | None = None
    #: seconds the whole command may take (None: no bound)
    deadline: float | None = DEFAULT_DEADLINE
    options: Options = Options()


class InstanceProfile(BaseModel):
    """One entry under ``instances:`` in the profiles file."""

    model_config = ConfigDict(extra="forbid")

    url: str
    auth: Literal["basic", "token"] = "basic"
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    token_env: str | None = None
    token_file: Path | None = None
    timeout: Timeouts | float | None = None
    verify: bool = True
    ca_bundle: Path | None = None
    insecure: bool = False
    #: explicit proxies ``{https: "http://proxy:3128"}``, or ``env`` to take HTTPS_PROXY/NO_PROXY from the environment
    proxies: dict[str, str] | Literal["env"] | None = None
    deadline: float | None = Field(None, gt=0)
    options: Options = Options()

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return value.strip()

    @field_validator("password_env", "token_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        # the value is never echoed: a password pasted here by mistake must not reach a message
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                "must be the NAME of an environment variable (letters, digits and _), and this value is not one. "
                "If you wrote the secret itself here, remove it from the file (and change it if the file was "
                "shared), then export it in a variable and name that variable"
            )
        return value


class ProfilesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: Defaults = Defaults()
    instances: dict[str, InstanceProfile] = Field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- secrets


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


# ---------------------------------------------------------------------------------------------- profiles


def _format_validation(path: Path, exc: ValidationError) -> str:
    # loc + message only: pydantic's default rendering echoes input values, which could be secrets
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}")
    more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return f"{path}: " + "; ".join(parts) + more + "."


def load_profiles(path: Path) -> ProfilesFile:
    """Parse and check a profiles file (``config/instances.yaml``); ConfigError names the file and the key."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"No instance profiles at {path}. Copy config/instances.example.yaml to {path} and edit it, "
            "or use --url with DHIS2_USERNAME/DHIS2_PASSWORD or DHIS2_TOKEN in the environment."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the instance profiles {path}: {exc}.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc}).") from None
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with an `instances:` key.")
    secret_at = _secret_key(raw)
    if secret_at:
        raise ConfigError(
            f"{path}: `{secret_at}` holds a secret written in the file. Secrets do not belong in profiles (they end up "
            "in git and backups): use password_env/token_env (an environment variable) or password_file/token_file "
            "(a file only you can read, chmod 600). Remove it from the file, and change the secret if the file "
            "was shared."
        )
    try:
        return ProfilesFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation(path, exc)) from None


def _secret_key(node: Any, where: str = "") -> str | None:
    """The dotted path of the first key anywhere in ``node`` that names a secret (``instances.x.password``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if str(key).lower().replace("_", "").replace("-", "") in SECRET_KEYS:
                return here
            found = _secret_key(value, here)
            if found:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _secret_key(value, f"{where}[{i}]")
            if found:
                return found
    return None


def _resolve_path(value: Path | None, base: Path) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    return value if value.is_absolute() else base / value


def _profile_secret(file: Path | None, var: str, what: str, env: Mapping[str, str]) -> tuple[SecretStr | None, str]:
    """The secret from a permission-checked file if the profile names one, else from an environment variable."""
    if file is not None:
        return read_secret_file(file, what), f"file {file}"
    return _secret_from_env(env, var), f"environment variable {var}"


def _profile_credentials(name: str, profile: InstanceProfile, base: Path, env: Mapping[str, str]) -> Credentials:
    if profile.auth == "token":
        var = profile.token_env or "DHIS2_TOKEN"
        secret, source = _profile_secret(_resolve_path(profile.token_file, base), var, "token", env)
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
    secret, source = _profile_secret(_resolve_path(profile.password_file, base), var, "password", env)
    if secret is None:
        raise ConfigError(
            f"Instance {name!r}: the password for user {username!r} comes from the environment variable {var}, "
            "which is not set. Export it, or set password_file in the profile (a file only you can read)."
        )
    return _register(Credentials(method="basic", username=username, secret=secret, source=source))


def _env_credentials(env: Mapping[str, str]) -> Credentials:
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


def _proxies(value: dict[str, str] | Literal["env"] | None, url: str) -> dict[str, str] | None:
    if value == "env":
        from requests.utils import get_environ_proxies

        return dict(get_environ_proxies(url)) or None
    return dict(value) if value else None


def resolve_target(
    *,
    instance: str | None = None,
    url: str | None = None,
    config: Path | None = None,
    insecure: bool = False,
    timeout: float | None = None,
    deadline: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Target:
    """The target of a command: ``--instance NAME`` from the profiles file, or ``--url``/``DHIS2_URL`` + environment.

    ``timeout`` (``--timeout``) overrides the read timeout and ``deadline`` (``--deadline``) the
    command's overall deadline; ``insecure`` (``--insecure``) allows plain http to a non-loopback host
    for this run. Without a ``ca_bundle`` in the profile, ``REQUESTS_CA_BUNDLE`` (or ``CURL_CA_BUNDLE``)
    from the environment names the CA bundle, as it would for requests itself.
    """
    env = os.environ if env is None else env
    if instance and url:
        raise ConfigError("Give either --instance or --url, not both.")
    if instance:
        path = config or Path(env.get("DHIS2_MCH_CONFIG") or DEFAULT_CONFIG)
        profiles = load_profiles(path)
        if instance not in profiles.instances:
            known = ", ".join(sorted(profiles.instances)) or "none"
            raise ConfigError(f"No instance {instance!r} in {path} (instances defined there: {known}).")
        profile = profiles.instances[instance]
        base = path.parent.resolve()
        timeouts = _timeouts(profile.timeout, profiles.defaults.timeout, path)
        if timeout is not None:
            timeouts = Timeouts(connect=timeouts.connect, read=timeout)
        given = profiles.defaults.options.model_dump(exclude_unset=True)
        options = Options.model_validate({**given, **profile.options.model_dump(exclude_unset=True)})
        return Target(
            url=profile.url,
            name=instance,
            credentials=_profile_credentials(instance, profile, base, env),
            timeouts=timeouts,
            deadline=deadline or profile.deadline or profiles.defaults.deadline or DEFAULT_DEADLINE,
            verify=profile.verify,
            ca_bundle=_resolve_path(profile.ca_bundle, base) or _env_ca_bundle(env),
            insecure=insecure or profile.insecure,
            proxies=_proxies(profile.proxies, profile.url),
            options=options,
        )
    url = (url or env.get("DHIS2_URL") or "").strip()
    if not url:
        raise ConfigError(
            "Which DHIS2? Give --instance NAME (a profile in config/instances.yaml), or --url URL (or DHIS2_URL) "
            "with DHIS2_TOKEN, or DHIS2_USERNAME and DHIS2_PASSWORD, in the environment."
        )
    timeouts = Timeouts() if timeout is None else Timeouts(read=timeout)
    return Target(
        url=url,
        credentials=_env_credentials(env),
        timeouts=timeouts,
        deadline=deadline or DEFAULT_DEADLINE,
        ca_bundle=_env_ca_bundle(env),
        insecure=insecure,
    )


def _env_ca_bundle(env: Mapping[str, str]) -> Path | None:
    """The CA bundle requests would take from the environment (its ``trust_env`` is off in ``Connection``)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        value = (env.get(name) or "").strip()
        if value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise ConfigError(f"{name} names {path}, which does not exist (or is not a file).")
            return path
    return None


def _timeouts(value: Timeouts | float | None, default: Timeouts | float | None, path: Path) -> Timeouts:
    value = value if value is not None else default
    if value is None:
        return Timeouts()
    if isinstance(value, Timeouts):
        return value
    try:
        return Timeouts(read=float(value))
    except (ValidationError, ValueError):
        raise ConfigError(f"{path}: `timeout` must be seconds or {{connect: s, read: s}}.") from None
