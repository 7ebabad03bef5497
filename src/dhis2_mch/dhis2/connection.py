"""The connection to DHIS2: the one place HTTP to DHIS2 goes through (with ``_send``, its requests).

Built on dhis2.py's ``Api`` (its session and its base/api URL handling, as the design card asks),
with what it lacks added around it: personal access tokens, UTF-8 Basic credentials, a (connect,
read) timeout on every request (dhis2.py drops it on POST), an overall deadline, retries, TLS and
plain-http guards (``_urls``), version detection, an authority check, and error mapping by failure
kind (``_exceptions``). ``transport=`` mounts any ``requests`` adapter (the in-process sandbox, a
recorder) on the session instead of the network. Requests go through ``api.session`` directly because
``Api._validate_response`` raises on every non-2xx, and DHIS2 answers a failed import with HTTP 409
*and* the import report the user needs to read.

What is retried, and how long anything may wait, is ``_send``'s concern (one request with its
retries and time limits); this module holds the connection itself: credentials, TLS, proxies, the
transport, the deadline clock and who the user is.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from dhis2_mch import __version__, logs
from dhis2_mch.dhis2 import _urls, identity
from dhis2_mch.dhis2._exceptions import Call, RequestRejected
from dhis2_mch.dhis2._retry import RETRY_STATUSES, RetryPolicy
from dhis2_mch.dhis2._send import Reply, send
from dhis2_mch.dhis2._transport import basic_auth, read_body, watched_adapter
from dhis2_mch.dhis2._urls import is_loopback
from dhis2_mch.dhis2.identity import Me, SystemInfo
from dhis2_mch.dhis2.profiles import Target, Timeouts
from dhis2_mch.dhis2.version import Version
from dhis2_mch.errors import ConfigError, DeadlineExceeded

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

__all__ = [
    "RETRY_STATUSES",
    "Connection",
    "Me",
    "Reply",
    "RequestRejected",
    "RetryPolicy",
    "SystemInfo",
    "is_loopback",
]


class Connection:
    """An authenticated session with one DHIS2 instance.

    Use ``Connection.from_target(resolve_target(...))`` or pass the pieces directly. Methods return
    parsed JSON or raise an error by kind (``dhis2_mch.errors``): ``ConnectError``, ``TLSError``,
    ``ReadTimeout``, ``DeadlineExceeded``, ``HTTPStatusError`` (``Unauthorized``, ``Forbidden``,
    ``RequestRejected``) or ``UnexpectedResponse``, each with ``may_have_applied``.

    ``timeouts`` bound each answer, ``deadline`` (seconds) the connection's whole life; ``transport``
    (any ``requests`` adapter, e.g. ``sandbox.adapter.SandboxAdapter``) is mounted for http:// and
    https://, so no request of this connection reaches the network through anything else.
    """

    #: how retries and job polls wait unless ``sleep=`` is given (tests replace it)
    default_sleep = staticmethod(time.sleep)

    def __init__(
        self,
        url: str,
        *,
        username: str | None = None,
        password: SecretStr | str | None = None,
        token: SecretStr | str | None = None,
        timeouts: Timeouts | tuple[float, float] | float | None = None,
        deadline: float | None = None,
        verify: bool = True,
        ca_bundle: str | None = None,
        insecure: bool = False,
        proxies: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        name: str | None = None,
        transport: requests.adapters.BaseAdapter | None = None,
        async_threshold_bytes: int | None = None,
    ):
        raw_url = _urls.check_base_url(url)
        secret = token if token is not None else password
        secret_value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if not secret_value:
            raise ConfigError("No password or token to connect to DHIS2 with.")
        if token is None and not username:
            raise ConfigError("Basic authentication needs a user name.")
        if token is None and username and ":" in username:
            raise ConfigError("A DHIS2 user name cannot contain ':' (Basic authentication splits on it).")
        # registered for ``logs.redact`` (messages); scrubbing log records is the application's choice
        # (``logs.install``, which the CLI calls), not a side effect of opening a connection
        logs.register_secret(secret_value, username=username if token is None else None)

        self.api = _urls.make_api(raw_url, username or "", "")
        self.base_url: str = self.api.base_url
        self.api_url: str = self.api.api_url
        parts = self.base_url.split("://", 1)
        self.hostname = parts[-1].split("/", 1)[0].rsplit("@", 1)[-1].rsplit(":", 1)[0].strip("[]")
        _urls.check_transport_policy(self.base_url, raw_url, insecure=insecure)
        if ca_bundle and not os.path.isfile(os.path.expanduser(ca_bundle)):
            raise ConfigError(f"The CA bundle {ca_bundle} does not exist (or is not a file): check ca_bundle.")
        if not verify and not insecure:
            raise ConfigError(
                "TLS certificate verification can only be switched off together with --insecure (or insecure: true "
                "in the profile). For a certificate from a private CA, set ca_bundle instead."
            )

        self.name = name
        #: metadata payloads above this many bytes go async=true (None: the api module's default)
        self.async_threshold_bytes = async_threshold_bytes
        self.auth_method = "token" if token is not None else "basic"
        self.username = username if token is None else None
        self.timeouts = _timeouts(timeouts)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep if sleep is not None else type(self).default_sleep
        self.clock = clock
        self.deadline = deadline
        self._deadline_at = None if deadline is None else clock() + deadline
        self.rng = rng or random.Random()
        self.ca_bundle = os.path.expanduser(ca_bundle) if (verify and ca_bundle) else None
        self._system_info: SystemInfo | None = None
        self._me: Me | None = None
        #: per-connection memo for api-level lookups (schemas' authorities ...)
        self.cache: dict[str, Any] = {}

        session = self.api.session
        # Proxies and the CA bundle are set explicitly (profiles.resolve_target reads REQUESTS_CA_BUNDLE);
        # trust_env stays off so that ~/.netrc cannot replace our credentials, and requests skips its
        # per-request environment scan (measurable on bulk pushes).
        session.trust_env = False
        if proxies:
            session.proxies.update(proxies)
        session.verify = self.ca_bundle or verify
        if not verify:
            log.warning("TLS certificate verification is OFF for %s (--insecure).", self.base_url)
        session.headers["User-Agent"] = f"dhis2-mch/{__version__} dhis2.py"
        session.headers["Accept"] = "application/json"
        if token is not None:
            session.auth = None
            session.headers["Authorization"] = f"ApiToken {secret_value}"
        else:
            session.auth = basic_auth(username or "", secret_value)
        # every request of this session goes to ``transport`` if given (none to the network), else to an
        # HTTPAdapter whose sockets a watchdog can shut when an exchange outlives its time
        adapter = transport if transport is not None else watched_adapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)

    @classmethod
    def from_target(cls, target: Target, **kwargs: Any) -> Connection:
        """Open a connection as a resolved profile describes it (``kwargs`` override, e.g. ``transport``)."""
        creds = target.credentials
        options: dict[str, Any] = dict(
            timeouts=target.timeouts,
            deadline=target.deadline,
            verify=target.verify,
            ca_bundle=str(target.ca_bundle) if target.ca_bundle else None,
            insecure=target.insecure,
            proxies=target.proxies,
            name=target.name,
            async_threshold_bytes=target.options.async_threshold_bytes,
        )
        if creds.method == "token":
            options["token"] = creds.secret
        else:
            options.update(username=creds.username, password=creds.secret)
        options.update(kwargs)
        return cls(target.url, **options)

    def __repr__(self) -> str:
        who = "token" if self.auth_method == "token" else f"basic user {self.username!r}"
        return f"Connection({self.base_url!r}, {who})"

    def close(self) -> None:
        self.api.session.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def session(self) -> requests.Session:
        return self.api.session

    @property
    def where(self) -> str:
        """How messages name the server: the URL (never with credentials) and the profile name."""
        return f"DHIS2 at {self.base_url}" + (f" (instance {self.name!r})" if self.name else "")

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self._deadline_at is None else self._deadline_at - self.clock()

    def check_deadline(
        self, doing: str, *, may_have_applied: bool = False, method: str | None = None, path: str | None = None
    ) -> None:
        """Raise DeadlineExceeded if the deadline has passed (``doing`` says what was going on)."""
        left = self.remaining()
        if left is not None and left <= 0:
            raise DeadlineExceeded(
                f"{self.where}: the deadline of {self.deadline:g} s passed while {doing}. Raise --deadline (or "
                "deadline: in the profile) if the server is just slow.",
                may_have_applied=may_have_applied,
                method=method,
                path=path,
            )

    def wait(self, seconds: float, doing: str, *, may_have_applied: bool = False) -> None:
        """Sleep ``seconds`` unless that would pass the deadline (then DeadlineExceeded at once)."""
        left = self.remaining()
        if left is not None and seconds >= left:
            self._deadline_at = self.clock()  # nothing left: say so now instead of sleeping into it
            self.check_deadline(doing, may_have_applied=may_have_applied)
        self.sleep(seconds)

    # ------------------------------------------------------------------------------------------ requests

    def get(
        self, path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None, **kwargs: Any
    ) -> Reply:
        return self.request("GET", path, params=params, **kwargs)

    def post(
        self,
        path: str,
        body: bytes,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        *,
        idempotent: bool,
        **kwargs: Any,
    ) -> Reply:
        """POST ``body`` (bytes, serialised once by the caller); ``idempotent`` decides whether it may be retried."""
        return self.request("POST", path, params=params, body=body, idempotent=idempotent, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
        idempotent: bool | None = None,
        accept: Iterable[int] = (),
        authority: str | None = None,
        timeouts: Timeouts | None = None,
        parse: bool = True,
    ) -> Reply:
        """Send one request, retrying when that is safe; return the 2xx (or ``accept``-ed) answer.

        ``path`` is relative to ``/api`` (``"system/info"``). ``accept`` lists non-2xx statuses whose
        body is a result, not an error (409 for imports). ``authority`` names what a 403 means.
        What may be retried and how long it may take: ``_send``.
        """
        return send(self, method, path, params=params, body=body, content_type=content_type, idempotent=idempotent,
                    accept=accept, authority=authority, timeouts=timeouts, parse=parse)  # fmt: skip

    def deadline_passed_during(self, call: Call, exc: Exception) -> None:
        """A socket timeout cut short by the deadline is the deadline's doing, not the server's: raise it as such."""
        if isinstance(exc, DeadlineExceeded):
            raise exc
        left = self.remaining()
        if left is not None and left <= 0.01:
            self._deadline_at = self.clock()
            try:
                self.check_deadline(f"waiting for {call.method} {call.path}", **call.kw(True))
            except DeadlineExceeded as error:
                raise error from exc

    def read_body(self, response: Any, call: Call, limit: float) -> bytes:
        """The whole answer, read against the read timeout and the deadline (``_transport.read_body``)."""
        return read_body(response, call, limit, self.clock, self._deadline_at, self.deadline)

    def credential_words(self) -> str:
        """How messages name the credentials, never the secret itself."""
        return "personal access token" if self.auth_method == "token" else f"user name {self.username!r} and password"

    # ------------------------------------------------------------------------------------------ identity

    def system_info(self) -> SystemInfo:
        """``/api/system/info`` (cached): the version and build of the server."""
        if self._system_info is None:
            self._system_info = identity.fetch_system_info(self)
        return self._system_info

    @property
    def version(self) -> Version:
        """The server's version as ``Version(2, 40, 4)``, from ``/api/system/info``."""
        return identity.server_version(self, self.system_info().version)

    def me(self) -> Me:
        """The authenticated user and their authorities (cached)."""
        if self._me is None:
            self._me = identity.fetch_me(self)
        return self._me

    def require_authorities(self, *needs: str | Sequence[str], purpose: str) -> Me:
        """Raise Forbidden unless the user holds every need (a need = one authority or a tuple of alternatives).

        ALL satisfies everything. Checked before writing, so nothing is half-sent for lack of rights.
        """
        return identity.require(self, self.me(), needs, purpose)


def _timeouts(value: Timeouts | tuple[float, float] | float | None) -> Timeouts:
    if isinstance(value, Timeouts):
        return value
    if value is None:
        return Timeouts()
    if isinstance(value, int | float):
        return Timeouts(connect=value, read=value)
    return Timeouts(connect=value[0], read=value[1])
