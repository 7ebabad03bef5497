"""The one place that sends HTTP to DHIS2.

Built on dhis2.py's ``Api`` (its session and its base/api URL handling, as the design card asks),
with what it lacks added around it: personal access tokens, a (connect, read) timeout on every
request (dhis2.py drops it on POST), retries, TLS and plain-http guards, version detection, an
authority check, and error mapping. Requests go through ``api.session`` directly because
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

Not safe, never retried once they may have reached the server: async job creation (a second job
would run the same import concurrently with the first), metadata or tracker CREATE without fixed
UIDs (each try creates new objects), importStrategy DELETE, and anything the caller does not mark
``idempotent=True``. Errors that prove the request never left this machine (connection refused,
DNS failure, connect timeout) are retried for every request.

Retries back off exponentially with jitter, honour ``Retry-After``, and stop after ``attempts``
tries or when the total time slept would exceed ``max_total`` seconds. ``sleep`` and ``clock`` are
injectable so tests do not wait.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from dhis2_mch import __version__, logs
from dhis2_mch.dhis2.profiles import Target, Timeouts
from dhis2_mch.dhis2.version import Version, parse_version
from dhis2_mch.errors import AuthError, InputError, ServerUnavailable, ValidationFailed

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class RequestRejected(ValidationFailed):
    """DHIS2 refused the request itself (400, 404, an unexpected 409 ...): something we sent is wrong."""

    def __init__(self, message: str, *, status: int, error_code: str | None = None):
        super().__init__(message)
        self.status = status
        self.error_code = error_code


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try again: at most ``attempts`` tries, sleeping at most ``max_total`` seconds in all."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_total: float = 90.0
    statuses: frozenset[int] = RETRY_STATUSES


@dataclass(frozen=True)
class Reply:
    """A DHIS2 answer: status, parsed JSON body (``None`` when empty) and the raw bytes."""

    status: int
    data: Any
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""


class SystemInfo(BaseModel):
    """``/api/system/info``; only what we use is typed, the rest is kept (new versions add keys)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    version: str
    revision: str | None = None
    build_time: str | None = Field(None, alias="buildTime")
    server_date: str | None = Field(None, alias="serverDate")
    context_path: str | None = Field(None, alias="contextPath")
    system_name: str | None = Field(None, alias="systemName")
    calendar: str | None = None


class Me(BaseModel):
    """``/api/me``: who we are and what we may do."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str | None = None
    username: str | None = None
    display_name: str | None = Field(None, alias="displayName")
    authorities: list[str] = Field(default_factory=list)

    @property
    def is_superuser(self) -> bool:
        return "ALL" in self.authorities

    def has(self, *alternatives: str) -> bool:
        """True when the user holds any of ``alternatives``, or ALL (which passes every check)."""
        return self.is_superuser or any(a in self.authorities for a in alternatives)


# ---------------------------------------------------------------------------------------------- helpers


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 and localhost: the only hosts plain http may carry credentials to by default."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _retry_after(value: str | None, now: Callable[[], datetime]) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _html_title(content: bytes) -> str | None:
    match = _TITLE.search(content[:20000])
    if not match:
        return None
    title = " ".join(match.group(1).decode("utf-8", "replace").split())
    return title[:100] or None


def _looks_like_html(content: bytes, content_type: str) -> bool:
    # JSON never starts with "<"; login pages, proxy error pages and XML all do
    return "html" in content_type.lower() or content.lstrip()[:1] == b"<"


def _server_message(content: bytes, content_type: str) -> tuple[str | None, str | None]:
    """(message, errorCode) from an error body: a WebMessage, an HTML page's title, or the first words."""
    text = content.strip()
    if not text:
        return None, None
    if _looks_like_html(text, content_type):
        title = _html_title(text)
        return (f'an HTML page titled "{title}"' if title else "an HTML page"), None
    try:
        data = json.loads(text)
    except ValueError:
        snippet = " ".join(text[:160].decode("utf-8", "replace").split())
        return f'"{snippet}"', None
    if isinstance(data, dict):
        message = data.get("message") or data.get("devMessage") or data.get("error_description") or data.get("error")
        return (str(message) if message else None), data.get("errorCode")
    return None, None


# ---------------------------------------------------------------------------------------------- connection


class Connection:
    """An authenticated session with one DHIS2 instance.

    Use ``Connection.from_target(resolve_target(...))`` or pass the pieces directly (tests). Methods
    return parsed JSON or raise: ``ServerUnavailable`` (unreachable, timeout, 5xx, garbage),
    ``AuthError`` (401, 403, missing authority), ``RequestRejected`` (400/404/unexpected 409).
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
        verify: bool = True,
        ca_bundle: str | None = None,
        insecure: bool = False,
        proxies: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        name: str | None = None,
    ):
        from dhis2 import Api, ClientException

        logs.install()
        raw_url = (url or "").strip()
        if "@" in urlsplit(raw_url if "://" in raw_url else "//" + raw_url).netloc:
            raise InputError(
                f"The DHIS2 URL {_strip_userinfo(raw_url)} has credentials written into it (user:password@host). "
                "Give the URL without them; credentials come from the environment or a secret file."
            )
        secret = token if token is not None else password
        secret_value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if not secret_value:
            raise InputError("No password or token to connect to DHIS2 with.")
        if token is None and not username:
            raise InputError("Basic authentication needs a user name.")
        logs.register_secret(secret_value, username=username if token is None else None)

        if re.search(r"/api(/|$)", urlsplit(raw_url if "://" in raw_url else "//" + raw_url).path):
            raise InputError(
                f"The DHIS2 URL {raw_url} ends in /api: give the server's base URL (what you open in a browser, "
                "e.g. https://dhis2.example.org or https://host/dhis); dhis2-mch adds /api itself."
            )
        api_password = "" if token is not None else secret_value
        try:
            self.api = Api(raw_url.rstrip("/"), username or "", api_password)
        except ClientException:
            # dhis2.py refuses any URL containing "/api", hosts such as https://api.example.org included:
            # let it normalise a neutral stand-in with the same scheme, then put the real host back.
            stand_in = re.sub(r"/api", "/x-pi", raw_url.rstrip("/"))
            self.api = Api(stand_in, username or "", api_password)
            self.api._base_url = self.api.base_url.replace("/x-pi", "/api")
        parts = urlsplit(self.api.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"The DHIS2 URL {raw_url} is not an http(s) URL.")
        if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
            raise InputError(
                f"Refusing to send credentials over plain http to {parts.hostname}: anyone on the network path "
                f"could read them. Use https://{parts.netloc}{parts.path}, or pass --insecure (or set insecure: "
                "true in the profile) if this really is a closed, trusted network."
            )
        if ca_bundle and not os.path.isfile(os.path.expanduser(ca_bundle)):
            raise InputError(f"The CA bundle {ca_bundle} does not exist (or is not a file): check ca_bundle.")
        if not verify and not insecure:
            raise InputError(
                "TLS certificate verification can only be switched off together with --insecure (or insecure: true "
                "in the profile). For a certificate from a private CA, set ca_bundle instead."
            )

        self.name = name
        self.base_url = self.api.base_url
        self.api_url = self.api.api_url
        self.auth_method = "token" if token is not None else "basic"
        self.username = username if token is None else None
        self.timeouts = (
            timeouts
            if isinstance(timeouts, Timeouts)
            else Timeouts()
            if timeouts is None
            else Timeouts(connect=timeouts, read=timeouts)
            if isinstance(timeouts, int | float)
            else Timeouts(connect=timeouts[0], read=timeouts[1])
        )
        self.retry = retry or RetryPolicy()
        self.sleep = sleep if sleep is not None else type(self).default_sleep
        self.clock = clock
        self._rng = rng or random.Random()
        self._system_info: SystemInfo | None = None
        self._me: Me | None = None
        #: per-connection memo for api-level lookups (schemas' authorities ...)
        self.cache: dict[str, Any] = {}

        session = self.api.session
        # Proxies, when wanted, are set explicitly; trust_env stays off so that ~/.netrc cannot replace
        # our credentials and REQUESTS_CA_BUNDLE cannot replace the profile's CA, and requests skips
        # its per-request environment scan (measurable on bulk pushes, FACTS §7).
        session.trust_env = False
        if proxies:
            session.proxies.update(proxies)
        session.verify = os.path.expanduser(ca_bundle) if (verify and ca_bundle) else verify
        if not verify:
            log.warning("TLS certificate verification is OFF for %s (--insecure).", self.base_url)
        session.headers["User-Agent"] = f"dhis2-mch/{__version__} dhis2.py"
        session.headers["Accept"] = "application/json"
        if token is not None:
            session.auth = None
            session.headers["Authorization"] = f"ApiToken {secret_value}"

    @classmethod
    def from_target(cls, target: Target, **kwargs: Any) -> Connection:
        """Open a connection as a resolved profile describes it (``kwargs`` override, e.g. ``sleep`` in tests)."""
        creds = target.credentials
        options: dict[str, Any] = dict(
            timeouts=target.timeouts,
            verify=target.verify,
            ca_bundle=str(target.ca_bundle) if target.ca_bundle else None,
            insecure=target.insecure,
            proxies=target.proxies,
            name=target.name,
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
    def session(self):
        return self.api.session

    @property
    def where(self) -> str:
        """How messages name the server: the URL (never with credentials) and the profile name."""
        return f"DHIS2 at {self.base_url}" + (f" (instance {self.name!r})" if self.name else "")

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
        timeout = (timeouts or self.timeouts).as_tuple()
        accept = frozenset(accept)
        slept, attempt = 0.0, 0
        while True:
            attempt += 1
            log.debug("%s %s (attempt %d)", method, shown, attempt)
            try:
                response = self.session.request(
                    method, url, params=params, data=body, headers=headers, timeout=timeout, allow_redirects=False
                )
            except requests.exceptions.RequestException as exc:
                error, retryable, never_sent = self._transport_error(exc, method, shown, timeout, safe)
                if retryable and (safe or never_sent):
                    delay = self._backoff(attempt)
                    if attempt < self.retry.attempts and slept + delay <= self.retry.max_total:
                        log.warning(
                            "%s %s%s: %s (%s); retrying in %.1f s (attempt %d of %d).",
                            method, self.base_url, shown, _reason(exc), type(exc).__name__, delay, attempt + 1,
                            self.retry.attempts,
                        )  # fmt: skip
                        self.sleep(delay)
                        slept += delay
                        continue
                    error = type(error)(f"{error} Gave up after {attempt} attempt{'s' if attempt > 1 else ''}.")
                raise error from exc

            status = response.status_code
            gave_up: tuple[int, float | None] | None = None
            if status in self.retry.statuses and safe and status not in accept:
                asked = _retry_after(response.headers.get("Retry-After"), lambda: datetime.now(UTC))
                delay = asked if asked is not None else self._backoff(attempt)
                if attempt < self.retry.attempts and slept + delay <= self.retry.max_total:
                    log.warning(
                        "%s %s%s: HTTP %d; retrying in %.1f s (attempt %d of %d).",
                        method, self.base_url, shown, status, delay, attempt + 1, self.retry.attempts,
                    )  # fmt: skip
                    self.sleep(delay)
                    slept += delay
                    continue
                gave_up = (attempt, asked)
            return self._finish(response, method, shown, safe, accept, authority, parse, gave_up)

    def _backoff(self, attempt: int) -> float:
        # exponential with "equal jitter": between half and all of the step, so clients do not stampede
        step = min(self.retry.max_delay, self.retry.base_delay * (2 ** (attempt - 1)))
        return step * self._rng.uniform(0.5, 1.0)

    def _transport_error(
        self, exc: Exception, method: str, shown: str, timeout: tuple[float, float], safe: bool
    ) -> tuple[Exception, bool, bool]:
        """(error to raise, worth retrying, proven never sent) for a requests exception."""
        import requests
        from urllib3.exceptions import NameResolutionError, NewConnectionError

        host = urlsplit(self.base_url).netloc
        where = f"{self.where}: {method} {shown}"
        unsure = (
            ""
            if safe
            else " The request may already have been applied on the server: check (e.g. with `plan`, or by "
            "reading the data back) before sending it again."
        )
        if isinstance(exc, requests.exceptions.SSLError):
            return (
                ServerUnavailable(
                    f"{where} failed TLS verification ({_reason(exc)}). If the server's certificate comes from a "
                    "private or national CA, put that CA's PEM file in the profile's ca_bundle; check also that the "
                    "URL's host name matches the certificate and that this machine's clock is right."
                ),
                False,
                True,
            )
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return (
                ServerUnavailable(
                    f"{where}: no connection within {timeout[0]:g} s. Check that the host is reachable from this "
                    "machine (network, VPN, firewall) and that the URL is right."
                ),
                True,
                True,
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return (
                ServerUnavailable(
                    f"{where}: DHIS2 did not answer within {timeout[1]:g} s (read timeout). The server may be "
                    f"overloaded or the request large; raise --timeout (or timeout.read in the profile).{unsure}"
                ),
                True,
                False,
            )
        if isinstance(exc, requests.exceptions.ProxyError):
            return (
                ServerUnavailable(f"{where}: the HTTP proxy refused or failed ({_reason(exc)}). Check `proxies`."),
                True,
                True,
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            reason = _root(exc)
            if isinstance(reason, NameResolutionError) or "Name or service not known" in str(reason):
                return (
                    ServerUnavailable(
                        f"{where}: the host name {urlsplit(self.base_url).hostname} could not be resolved (DNS). "
                        "Check the URL's spelling and this machine's network or VPN."
                    ),
                    True,
                    True,
                )
            if isinstance(reason, NewConnectionError):
                return (
                    ServerUnavailable(
                        f"{where}: could not connect to {host} ({_reason(exc)}). Is DHIS2 running and listening on "
                        "that port? Check the URL, and any firewall between this machine and the server."
                    ),
                    True,
                    True,
                )
            return (
                ServerUnavailable(f"{where}: the connection broke before DHIS2 answered ({_reason(exc)}).{unsure}"),
                True,
                False,
            )
        if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            return ServerUnavailable(f"{where}: the answer was cut off ({_reason(exc)}).{unsure}"), True, False
        if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
            return InputError(f"The DHIS2 URL {self.base_url} is not valid ({_reason(exc)})."), False, True
        return ServerUnavailable(f"{where} failed: {_reason(exc)}.{unsure}"), False, False

    def _finish(
        self,
        response,
        method: str,
        shown: str,
        safe: bool,
        accept: frozenset[int],
        authority: str | None,
        parse: bool,
        gave_up: tuple[int, float | None] | None = None,
    ) -> Reply:
        """The answer as a Reply, or the error it means; ``gave_up`` = (attempts made, Retry-After asked)."""
        status = response.status_code
        content = response.content or b""
        ctype = response.headers.get("Content-Type", "")
        where = f"{self.where}: {method} {shown}"
        if 200 <= status < 300 or status in accept:
            data = self._decode(content, ctype, where, status) if parse else None
            return Reply(status, data, method, shown, dict(response.headers), content)

        message, error_code = _server_message(content, ctype)
        if message and not message.rstrip().endswith((".", "!", "?", '"')):
            message = message.rstrip() + "."
        said = logs.redact(f" DHIS2 said: {message}") if message else ""
        if 300 <= status < 400:
            location = _strip_userinfo(response.headers.get("Location", "")).split("?", 1)[0]
            if "login" in location.lower():
                raise AuthError(
                    f"{where} was redirected to the login page ({location}): DHIS2 did not accept the "
                    f"{self._credential_words()}. Check them, and that the account is not disabled or locked."
                )
            raise ServerUnavailable(
                f"{where} answered with a redirect (HTTP {status}) to {location or 'nowhere'}. Set the instance URL to "
                "the address DHIS2 really answers at (https:// instead of http://, or with its context path)."
            )
        if status == 401:
            raise AuthError(
                f"{where}: DHIS2 refused the {self._credential_words()} (HTTP 401).{said} Check them, that the "
                "account is not disabled or locked, and for a token that it has not expired and allows this "
                "client's IP address and method."
            )
        if status == 403:
            needs = (
                f" This needs the authority {authority} (or ALL): ask a DHIS2 administrator to add it to one of "
                "your user roles."
                if authority
                else " Your user lacks an authority, or sharing access to an object, that this needs: ask a DHIS2 "
                "administrator."
            )
            raise AuthError(f"{where}: access denied (HTTP 403).{said}{needs}")
        if status in self.retry.statuses or status >= 500:
            tries = f" after {gave_up[0]} attempts" if gave_up and gave_up[0] > 1 else ""
            if gave_up and gave_up[1] is not None and gave_up[0] < self.retry.attempts:
                tries = f" (it asked to retry after {gave_up[1]:g} s, longer than dhis2-mch waits)"
            unsure = (
                " The request may still have been applied (a proxy can give up while DHIS2 keeps working): "
                "check before sending it again."
                if not safe and status in (502, 504)
                else ""
            )
            what = {
                429: "is refusing requests for now (HTTP 429, too many requests)",
                502: "is not reachable behind its proxy (HTTP 502 Bad Gateway)",
                503: "is unavailable (HTTP 503; starting up, in maintenance or overloaded)",
                504: "did not answer its proxy in time (HTTP 504 Gateway Timeout)",
            }.get(status, f"failed with a server error (HTTP {status})")
            raise ServerUnavailable(f"{where}: DHIS2 {what}{tries}.{said}{unsure}")
        if status == 413:
            raise RequestRejected(
                f"{where}: the request is too large for the server or its proxy (HTTP 413). Send it in smaller "
                "parts, or ask the administrator to raise the proxy's body size limit.",
                status=status,
            )
        code = f" [{error_code}]" if error_code else ""
        raise RequestRejected(f"{where} was refused (HTTP {status}){code}.{said}", status=status, error_code=error_code)

    def _credential_words(self) -> str:
        return "personal access token" if self.auth_method == "token" else f"user name {self.username!r} and password"

    def _decode(self, content: bytes, ctype: str, where: str, status: int) -> Any:
        if not content.strip():
            return None
        if _looks_like_html(content, ctype):
            title = _html_title(content)
            titled = f' ("{title}")' if title else ""
            raise ServerUnavailable(
                f"{where} answered with an HTML page{titled} where JSON was expected (HTTP {status}). This is "
                "usually a login page (credentials not accepted or a session expired), a proxy's error or "
                "maintenance page, or a URL that does not point at DHIS2. Check the URL, including the context "
                "path, and the credentials."
            )
        try:
            return json.loads(content)
        except ValueError:
            snippet = logs.redact(" ".join(content[:80].decode("utf-8", "replace").split()))
            raise ServerUnavailable(
                f"{where} answered with something that is not JSON (HTTP {status}, starting {snippet!r}). A proxy "
                "or another service may be answering at this URL."
            ) from None

    # ------------------------------------------------------------------------------------------ identity

    def system_info(self) -> SystemInfo:
        """``/api/system/info`` (cached): the version and build of the server."""
        if self._system_info is None:
            reply = self.get("system/info", accept=(404,))
            if reply.status == 404 or not isinstance(reply.data, dict) or "version" not in reply.data:
                raise ServerUnavailable(
                    f"{self.where}: no DHIS2 API answers at {self.api_url}/system/info. Check the URL, including "
                    "the context path if DHIS2 is not at the root (e.g. https://host/dhis)."
                )
            self._system_info = SystemInfo.model_validate(reply.data)
        return self._system_info

    @property
    def version(self) -> Version:
        """The server's version as ``Version(2, 40, 4)``, from ``/api/system/info``."""
        text = self.system_info().version
        try:
            return parse_version(text)
        except ValueError:
            raise ServerUnavailable(f"{self.where} reports a version dhis2-mch cannot read: {text!r}.") from None

    def me(self) -> Me:
        """The authenticated user and their authorities (cached)."""
        if self._me is None:
            reply = self.get("me", params={"fields": "id,username,displayName,authorities,userCredentials[username]"})
            data = reply.data if isinstance(reply.data, dict) else {}
            if not data.get("username") and isinstance(data.get("userCredentials"), dict):
                data = {**data, "username": data["userCredentials"].get("username")}
            if "authorities" not in data:
                extra = self.get("me/authorization").data
                data = {**data, "authorities": extra if isinstance(extra, list) else []}
            self._me = Me.model_validate(data)
        return self._me

    def require_authorities(self, *needs: str | Sequence[str], purpose: str) -> Me:
        """Raise AuthError unless the user holds every need (a need = one authority or a tuple of alternatives).

        ALL satisfies everything. Checked before writing, so nothing is half-sent for lack of rights.
        """
        me = self.me()
        missing = []
        for need in needs:
            alternatives = (need,) if isinstance(need, str) else tuple(need)
            if not me.has(*alternatives):
                missing.append(" or ".join(alternatives))
        if missing:
            who = f"user {me.username!r}" if me.username else "the token's user"
            raise AuthError(
                f"{self.where}: {who} may not {purpose}: missing the authorit{'ies' if len(missing) > 1 else 'y'} "
                f"{'; '.join(missing)}. Ask a DHIS2 administrator to add "
                f"{'them' if len(missing) > 1 else 'it'} to one of your user roles (or use a superuser account)."
            )
        return me


def _root(exc: BaseException) -> BaseException:
    """The innermost urllib3 reason behind a requests exception."""
    seen = exc
    for _ in range(6):
        first = seen.args[0] if seen.args else None
        nxt = getattr(seen, "reason", None) or (first if isinstance(first, BaseException) else None)
        if nxt is None or nxt is seen:
            break
        seen = nxt
    return seen


def _reason(exc: BaseException) -> str:
    """A short, credential-free reason: urllib3 puts the object repr first ("<...Connection object at 0x..>: ...")."""
    root = _root(exc)
    text = str(root)
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    text = re.sub(r"HTTPS?Connection(Pool)?\([^)]*\):\s*", "", text)
    text = text.strip() or type(root).__name__
    return logs.redact(text[:200])
