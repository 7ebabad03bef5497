"""The one place that sends HTTP to DHIS2.

Built on dhis2.py's ``Api`` (its session and its base/api URL handling, as the design card asks),
with what it lacks added around it: personal access tokens, UTF-8 Basic credentials, a (connect,
read) timeout on every request (dhis2.py drops it on POST), an overall deadline, retries, TLS and
plain-http guards (``_urls``), version detection, an authority check, and error mapping by failure
kind (``_exceptions``). ``transport=`` mounts any ``requests`` adapter (the in-process sandbox, a
recorder) on the session instead of the network. Requests go through ``api.session`` directly because
``Api._validate_response`` raises on every non-2xx, and DHIS2 answers a failed import with HTTP 409
*and* the import report the user needs to read.

Which requests may be sent twice
================================
A request is retried (connection error, HTTP 429/502/503/504) only when sending it again cannot
change the outcome, because after a read timeout or a 502/504 from a proxy we cannot know whether
DHIS2 already applied it:

- GET (and HEAD) never change anything.
- ``POST /api/metadata`` with ``importStrategy=CREATE_AND_UPDATE`` where every object carries its
  ``id``, synchronous, ``importMode`` VALIDATE or COMMIT: the import is keyed by UID, so a second
  run finds the objects the first one created and updates them to the same values (the report then
  says "updated" instead of "created"; the server ends in the same state).
- ``POST /api/dataValueSets`` synchronous: data values are upserts keyed by (dataElement, period,
  orgUnit, categoryOptionCombo, attributeOptionCombo); importing the same set again rewrites the same
  values (counted as updated/ignored the second time).
- ``POST /api/tracker`` synchronous with CREATE_AND_UPDATE or UPDATE where every event has its UID.

A read timeout is retried once at most: each try costs the whole read timeout.

Not safe, never retried once they may have reached the server: async job creation (a second job
would run the same import concurrently with the first), metadata or tracker CREATE without fixed
UIDs (each try creates new objects), importStrategy DELETE, and anything the caller does not mark
``idempotent=True``. Errors that prove the request never left this machine (connection refused,
DNS failure, connect timeout) are retried for every request.

Retries back off exponentially with jitter, honour ``Retry-After``, and stop after ``attempts``
tries or when the total time slept would exceed ``max_total`` seconds. ``sleep`` and ``clock`` are
injectable so tests do not wait.

Nothing waits for ever
======================
``timeouts.read`` bounds each answer: requests' read timeout only bounds each socket read, so the
body is read in small pieces against a clock and a server that trickles bytes is cut off when the
whole answer has taken longer than the read timeout. ``deadline`` (seconds from the connection's
creation, i.e. per command) bounds everything together: requests, retries, back-off sleeps and job
polls; past it, ``DeadlineExceeded``.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from dhis2_mch import __version__, logs
from dhis2_mch.dhis2 import _urls, identity
from dhis2_mch.dhis2._exceptions import (
    Call,
    RequestRejected,
    decode,
    reason,
    status_error,
    too_slow,
    transport_error,
)
from dhis2_mch.dhis2._retry import RETRY_STATUSES, RetryPolicy, retry_after
from dhis2_mch.dhis2._transport import (
    Watch,
    basic_auth,
    exchange_seconds,
    read_body,
    socket_timeouts,
    watched_adapter,
)
from dhis2_mch.dhis2._urls import is_loopback
from dhis2_mch.dhis2.identity import Me, SystemInfo
from dhis2_mch.dhis2.profiles import Target, Timeouts
from dhis2_mch.dhis2.version import Version
from dhis2_mch.errors import ConfigError, DeadlineExceeded, ReadTimeout

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


@dataclass(frozen=True)
class Reply:
    """A DHIS2 answer: status, parsed JSON body (``None`` when empty) and the raw bytes."""

    status: int
    data: Any
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""


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
        self._hostname = parts[-1].split("/", 1)[0].rsplit("@", 1)[-1].rsplit(":", 1)[0].strip("[]")
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
        self._rng = rng or random.Random()
        self._ca_bundle = os.path.expanduser(ca_bundle) if (verify and ca_bundle) else None
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
        session.verify = self._ca_bundle or verify
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
        """
        import requests

        method = method.upper()
        safe = method in ("GET", "HEAD") if idempotent is None else idempotent
        url = f"{self.api_url}/{path.lstrip('/')}"
        shown = "/" + url[len(self.base_url) :].lstrip("/")
        headers = {"Content-Type": content_type} if body is not None else {}
        limits = (timeouts or self.timeouts).as_tuple()
        call = Call(self.where, method, shown, self.base_url, limits, self._ca_bundle)
        accepted = frozenset(accept)
        slept, attempt, timeouts_seen = 0.0, 0, 0
        while True:
            attempt += 1
            self.check_deadline(f"about to send {method} {shown}", method=method, path=shown)
            timeout = socket_timeouts(limits, self.remaining())
            log.debug("%s %s (attempt %d)", method, shown, attempt)
            watch = Watch(exchange_seconds(limits, self.remaining()))
            try:
                with watch:
                    response = self.session.request(
                        method,
                        url,
                        params=params,
                        data=body,
                        headers=headers,
                        timeout=timeout,
                        allow_redirects=False,
                        stream=True,
                    )
                    content = self._read_body(response, call, limits[1])
                    if watch.fired:  # what was read before the cut is not the whole answer
                        raise requests.exceptions.ConnectionError("the exchange was cut off by the watchdog")
            except requests.exceptions.RequestException as exc:
                self._deadline_check_after(call, exc)
                error, retryable, never_sent = transport_error(exc, call, self._hostname)
                if watch.fired:  # the watchdog ended it: the server kept the connection, answering too slowly
                    error, retryable, never_sent = too_slow(call, exchange_seconds(limits, None)), True, False
                if isinstance(error, ReadTimeout):
                    # each try costs the whole read timeout: a server that did not answer twice will not
                    # answer a third time, and four tries of 300 s held a command for 20 minutes
                    timeouts_seen += 1
                    retryable = retryable and timeouts_seen < 2
                if retryable and (safe or never_sent):
                    delay = self.retry.backoff(attempt, self._rng)
                    if attempt < self.retry.attempts and slept + delay <= self.retry.max_total:
                        log.warning(
                            "%s %s%s: %s (%s); retrying in %.1f s (attempt %d of %d).",
                            method, self.base_url, shown, reason(exc), type(exc).__name__, delay, attempt + 1,
                            self.retry.attempts,
                        )  # fmt: skip
                        self.wait(delay, f"waiting to retry {method} {shown}", may_have_applied=not never_sent)
                        slept += delay
                        continue
                if attempt > 1 or (retryable and (safe or never_sent)):
                    error.args = (f"{error} Gave up after {attempt} attempt{'s' if attempt > 1 else ''}.",)
                raise error from exc

            status = response.status_code
            gave_up: tuple[int, float | None] | None = None
            if status in self.retry.statuses and safe and status not in accepted:
                asked = retry_after(response.headers.get("Retry-After"))
                delay = asked if asked is not None else self.retry.backoff(attempt, self._rng)
                if attempt < self.retry.attempts and slept + delay <= self.retry.max_total:
                    log.warning(
                        "%s %s%s: HTTP %d; retrying in %.1f s (attempt %d of %d).",
                        method, self.base_url, shown, status, delay, attempt + 1, self.retry.attempts,
                    )  # fmt: skip
                    self.wait(delay, f"waiting to retry {method} {shown} (HTTP {status})", may_have_applied=True)
                    slept += delay
                    continue
                gave_up = (attempt, asked)
            if 200 <= status < 300 or status in accepted:
                data = decode(content, response.headers.get("Content-Type", ""), call, status) if parse else None
                return Reply(status, data, method, shown, dict(response.headers), content)
            raise status_error(
                status,
                response.headers,
                content,
                call,
                authority=authority,
                credentials=self._credential_words(),
                gave_up=gave_up,
                attempts=self.retry.attempts,
            )

    def _deadline_check_after(self, call: Call, exc: Exception) -> None:
        """A socket timeout cut short by the deadline is the deadline's doing, not the server's."""
        if isinstance(exc, DeadlineExceeded):
            raise exc
        left = self.remaining()
        if left is not None and left <= 0.01:
            self._deadline_at = self.clock()
            try:
                self.check_deadline(f"waiting for {call.method} {call.path}", **call.kw(True))
            except DeadlineExceeded as error:
                raise error from exc

    def _read_body(self, response: Any, call: Call, limit: float) -> bytes:
        return read_body(response, call, limit, self.clock, self._deadline_at, self.deadline)

    def _credential_words(self) -> str:
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
