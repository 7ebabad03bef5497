"""Which DHIS2 to talk to, and with which credentials: instance profiles and secrets.

A profile (``config/instances.yaml``, see ``config/instances.example.yaml``) names an instance: its
URL, the auth method, the user name, timeouts, TLS settings, default options, and *where* the secret
comes from. The secret itself never lives in the profile (that file tends to end up in git), never on
the command line (shell history, ``ps``), and never in a message: it comes from an environment
variable or from a file that only its owner can read (checked like ssh checks private keys), and it
is held in a ``SecretStr`` whose repr is masked and registered with ``logs`` so log records are
scrubbed of it (``credentials``).

Without ``--instance``, ``--url`` (or ``DHIS2_URL``) plus ``DHIS2_TOKEN`` or
``DHIS2_USERNAME``/``DHIS2_PASSWORD`` from the environment (or ``DHIS2_TOKEN_FILE`` /
``DHIS2_PASSWORD_FILE``) describe the target.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dhis2_mch.dhis2.credentials import (
    Credentials,
    env_credentials,
    profile_credentials,
    read_secret_file,
    resolve_path,
)
from dhis2_mch.errors import ConfigError

__all__ = [
    "Credentials", "Defaults", "InstanceProfile", "Options", "ProfilesFile", "Target", "Timeouts", "load_profiles",
    "read_secret_file", "resolve_target",
]  # fmt: skip

DEFAULT_CONFIG = Path("config/instances.yaml")
#: the overall time one command may take (requests, retries, job polls), unless the profile or --deadline says
DEFAULT_DEADLINE = 3600.0
#: keys that hold a secret wherever they appear in a profiles file (compared lower-case, without - and _)
SECRET_KEYS = frozenset({"password", "passwd", "pwd", "token", "apitoken", "pat", "secret", "accesstoken"})
#: an environment variable's name, as POSIX shells accept it
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Timeouts(BaseModel):
    """Seconds to wait for a TCP connection, and for each read of the answer (imports can be slow)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect: float = Field(10.0, gt=0)
    read: float = Field(300.0, gt=0)

    def as_tuple(self) -> tuple[float, float]:
        return (self.connect, self.read)


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
            credentials=profile_credentials(instance, profile, base, env),
            timeouts=timeouts,
            deadline=deadline or profile.deadline or profiles.defaults.deadline or DEFAULT_DEADLINE,
            verify=profile.verify,
            ca_bundle=resolve_path(profile.ca_bundle, base) or _env_ca_bundle(env),
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
        credentials=env_credentials(env),
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
