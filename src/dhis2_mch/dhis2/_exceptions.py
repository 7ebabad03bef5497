"""Failures of ``requests`` and HTTP error answers → dhis2-mch's errors by kind (as httpx's ``map_exceptions``).

Each error says what happened in one sentence a person can act on and carries, as attributes, what a
program needs: ``may_have_applied`` (could the request have changed the server?), the method and
path, and for status errors the status and DHIS2's ``errorCode``. Advice that depends on how the
user runs dhis2-mch (profiles, environment variables, "check before sending again") is added by
the CLI, not here. Nothing here ever echoes a credential: texts pass through ``logs.redact``.
"""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import dataclass
from typing import Any

from dhis2_mch import logs
from dhis2_mch.errors import (
    ConfigError,
    ConnectError,
    Dhis2MchError,
    Forbidden,
    HTTPStatusError,
    ReadTimeout,
    TLSError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)


class RequestRejected(HTTPStatusError):
    """DHIS2 refused the request itself (400, 404, 413, an unexpected 409 ...): something we sent is wrong."""


@dataclass(frozen=True)
class Call:
    """One request as messages name it: ``where`` = "DHIS2 at <url> (instance 'x')", ``path`` = "/api/..."."""

    where: str
    method: str
    path: str
    base_url: str
    timeout: tuple[float, float]
    ca_bundle: str | None = None

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    @property
    def name(self) -> str:
        return f"{self.where}: {self.method} {self.path}"

    def kw(self, may_have_applied: bool) -> dict[str, Any]:
        return {"may_have_applied": may_have_applied and self.writes, "method": self.method, "path": self.path}


# ---------------------------------------------------------------------------------------------- causes


def _chain(exc: BaseException):
    """``exc`` and every exception behind it: causes, contexts, urllib3 ``reason``s and exception args."""
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]


def root(exc: BaseException) -> BaseException:
    """The innermost exception behind a requests exception (urllib3's reason, the socket error ...)."""
    last = exc
    for item in _chain(exc):
        last = item
    return last


def reason(exc: BaseException) -> str:
    """A short, credential-free reason: urllib3 puts the object repr first ("<...Connection object at 0x..>: ...")."""
    inner = root(exc)
    text = str(inner)
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    text = re.sub(r"HTTPS?Connection(Pool)?\([^)]*\):\s*", "", text)
    text = text.strip() or type(inner).__name__
    return logs.redact(text[:200])


#: OpenSSL X509_V_ERR_* codes (include/openssl/x509_vfy.h) → the certificate's problem in words
_VERIFY_CODES = {
    9: "the server's certificate is not valid yet (or this machine's clock is behind)",
    10: "the server's certificate has expired (or this machine's clock is ahead)",
    18: "the server's certificate is self-signed, and this machine does not trust it",
    19: "the server's certificate chain ends in a self-signed CA that this machine does not trust",
    20: "the server's certificate was issued by a CA that this machine does not trust (unknown issuer)",
    21: "the server's certificate was issued by a CA that this machine does not trust (unknown issuer)",
    62: "the server's certificate is not valid for this host name",
    64: "the server's certificate is not valid for this IP address",
}
#: handshakes that fail because the port does not speak TLS at all
_NOT_TLS = ("WRONG_VERSION_NUMBER", "wrong version number", "record layer failure", "http request", "packet length")


def tls_problem(exc: BaseException, hostname: str | None) -> str | None:
    """What went wrong in the TLS handshake behind ``exc``, in words; None when it was no TLS failure."""
    for item in _chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            code = getattr(item, "verify_code", None)
            text = str(getattr(item, "verify_message", "") or "")
            if code in (62, 64) or "mismatch" in text.lower():
                return f"the server's certificate is not valid for the host name {hostname}"
            if code in _VERIFY_CODES:
                return _VERIFY_CODES[code]
            return f"the server's certificate did not verify ({text or item.reason or 'no reason given'})"
        if isinstance(item, ssl.SSLError):
            text = f"{item.reason or ''} {item}"
            if any(marker in text for marker in _NOT_TLS):
                return "the port does not speak TLS (an https:// URL pointing at a plain-http port?)"
            if isinstance(item, ssl.SSLEOFError) or "UNEXPECTED_EOF" in text or "EOF occurred" in text:
                return (
                    "the server closed the connection during the TLS handshake (an https:// URL pointing at a "
                    "plain-http port, or something on the way cutting TLS?)"
                )
            return f"the TLS handshake failed ({logs.redact(str(item.reason or item))})"
    return None


# ---------------------------------------------------------------------------------------------- transport


def transport_error(exc: Exception, call: Call, hostname: str | None) -> tuple[Dhis2MchError, bool, bool]:
    """(error to raise, worth retrying, proven never sent) for an exception from requests/urllib3."""
    import requests
    from urllib3.exceptions import NameResolutionError, NewConnectionError, ProtocolError
    from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeout

    where = call.name
    problem = tls_problem(exc, hostname) if isinstance(exc, requests.exceptions.SSLError | OSError) else None
    if problem is None and isinstance(exc, requests.exceptions.SSLError):
        problem = f"the TLS handshake failed ({reason(exc)})"
    if problem is not None:
        trusted = f"the CA bundle {call.ca_bundle}" if call.ca_bundle else "this machine's trusted CAs"
        message = f"{where}: TLS failed: {problem} (checked against {trusted})."
        return TLSError(message, problem=problem, **call.kw(False)), False, True
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        message = (
            f"{where}: no connection within {call.timeout[0]:g} s. Check that the host is reachable from this "
            "machine (network, VPN, firewall) and that the URL is right."
        )
        return ConnectError(message, **call.kw(False)), True, True
    timed_out = isinstance(exc, requests.exceptions.ReadTimeout) or any(
        isinstance(e, Urllib3ReadTimeout | TimeoutError) for e in _chain(exc)
    )
    if timed_out:
        message = (
            f"{where}: DHIS2 did not answer within {call.timeout[1]:g} s (read timeout). The server may be "
            "overloaded or the request large; raise --timeout (or timeout.read in the profile)."
        )
        return ReadTimeout(message, **call.kw(True)), True, False
    if isinstance(exc, requests.exceptions.ProxyError):
        message = f"{where}: the HTTP proxy refused or failed ({reason(exc)}). Check `proxies` in the profile."
        return ConnectError(message, **call.kw(False)), True, True
    if isinstance(exc, requests.exceptions.ConnectionError):
        causes = list(_chain(exc))
        if any(isinstance(e, NameResolutionError) for e in causes) or "Name or service not known" in str(exc):
            message = (
                f"{where}: the host name {hostname} could not be resolved (DNS). Check the URL's spelling and this "
                "machine's network or VPN."
            )
            return ConnectError(message, **call.kw(False)), True, True
        if any(isinstance(e, NewConnectionError | ConnectionRefusedError) for e in causes):
            host = re.sub(r"^[a-z]+://", "", call.base_url).split("/", 1)[0]
            message = (
                f"{where}: could not connect to {host} ({reason(exc)}). Is DHIS2 running and listening on that "
                "port? Check the URL, and any firewall between this machine and the server."
            )
            return ConnectError(message, **call.kw(False)), True, True
        cut = any(isinstance(e, ProtocolError) for e in causes) and "IncompleteRead" in str(exc)
        what = "the answer was cut off" if cut else "the connection broke before DHIS2 answered"
        message = f"{where}: {what} ({reason(exc)})."
        kind = UnexpectedResponse if cut else TransportError
        return kind(message, **call.kw(True)), True, False
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        message = f"{where}: the answer was cut off or garbled ({reason(exc)})."
        return UnexpectedResponse(message, **call.kw(True)), True, False
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return ConfigError(f"The DHIS2 URL {call.base_url} is not valid ({reason(exc)})."), False, True
    return TransportError(f"{where} failed: {reason(exc)}.", **call.kw(True)), False, False


def too_slow(call: Call, seconds: float) -> ReadTimeout:
    """The watchdog ended an exchange that outlived ``seconds``: the server kept the connection, saying little."""
    return ReadTimeout(
        f"{call.name}: DHIS2 did not finish answering within {seconds:g} s; it kept the connection open while "
        "sending little or nothing (a stuck proxy or server). Raise --timeout (or timeout.read in the profile) "
        "if the server is just slow.",
        **call.kw(True),
    )


# ---------------------------------------------------------------------------------------------- answers

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_STATUS_WORDS = {
    429: "is refusing requests for now (HTTP 429, too many requests)",
    502: "is not reachable behind its proxy (HTTP 502 Bad Gateway)",
    503: "is unavailable (HTTP 503; starting up, in maintenance or overloaded)",
    504: "did not answer its proxy in time (HTTP 504 Gateway Timeout)",
}


def html_title(content: bytes) -> str | None:
    match = _TITLE.search(content[:20000])
    if not match:
        return None
    title = " ".join(match.group(1).decode("utf-8", "replace").split())
    return title[:100] or None


def looks_like_html(content: bytes, content_type: str) -> bool:
    # JSON never starts with "<"; login pages, proxy error pages and XML all do
    return "html" in content_type.lower() or content.lstrip()[:1] == b"<"


def server_message(content: bytes, content_type: str) -> tuple[str | None, str | None]:
    """(message, errorCode) from an error body: a WebMessage, an HTML page's title, or the first words."""
    text = content.strip()
    if not text:
        return None, None
    if looks_like_html(text, content_type):
        title = html_title(text)
        return (f'an HTML page titled "{title}"' if title else "an HTML page"), None
    try:
        data = json.loads(text)
    except ValueError:
        snippet = " ".join(text[:160].decode("utf-8", "replace").split())
        return f'"{snippet}"', None
    if isinstance(data, dict):
        message = data.get("message") or data.get("devMessage") or data.get("error_description") or data.get("error")
        code = data.get("errorCode")
        return (str(message) if message else None), (str(code) if code else None)
    return None, None


def status_error(
    status: int,
    headers: Any,
    content: bytes,
    call: Call,
    *,
    authority: str | None,
    credentials: str,
    gave_up: tuple[int, float | None] | None,
    attempts: int,
) -> Dhis2MchError:
    """The error a non-2xx answer means; ``gave_up`` = (attempts made, Retry-After asked) after retries."""
    from dhis2_mch.dhis2._urls import shown

    where = call.name
    ctype = headers.get("Content-Type", "")
    message, error_code = server_message(content, ctype)
    if message and not message.rstrip().endswith((".", "!", "?", '"')):
        message = message.rstrip() + "."
    said = logs.redact(f" DHIS2 said: {message}") if message else ""
    common: dict[str, Any] = {"status": status, "error_code": error_code, "method": call.method, "path": call.path}
    if 300 <= status < 400:
        location = shown(headers.get("Location", "") or "")
        if "login" in location.lower():
            return Unauthorized(
                f"{where} was redirected to the login page ({location}): DHIS2 did not accept the {credentials}. "
                "Check them, and that the account is not disabled or locked.",
                **common,
            )
        return UnexpectedResponse(
            f"{where} answered with a redirect (HTTP {status}) to {location or 'nowhere'}. Set the instance URL to "
            "the address DHIS2 really answers at (https:// instead of http://, or with its context path).",
            method=call.method,
            path=call.path,
        )
    if status == 401:
        return Unauthorized(
            f"{where}: DHIS2 refused the {credentials} (HTTP 401).{said} Check them, that the account is not "
            "disabled or locked, and for a token that it has not expired and allows this client's IP address "
            "and method.",
            **common,
        )
    if status == 403:
        needs = (
            f" This needs the authority {authority} (or ALL): ask a DHIS2 administrator to add it to one of "
            "your user roles."
            if authority
            else " Your user lacks an authority, or sharing access to an object, that this needs: ask a DHIS2 "
            "administrator."
        )
        return Forbidden(f"{where}: access denied (HTTP 403).{said}{needs}", authority=authority, **common)
    if status in _STATUS_WORDS or status >= 500:
        tries = f" after {gave_up[0]} attempts" if gave_up and gave_up[0] > 1 else ""
        if gave_up and gave_up[1] is not None and gave_up[0] < attempts:
            tries = f" (it asked to retry after {gave_up[1]:g} s, longer than dhis2-mch waits)"
        what = _STATUS_WORDS.get(status, f"failed with a server error (HTTP {status})")
        # a proxy can give up (502/504) while DHIS2 keeps working; a 500 may come after part of the work
        applied = status not in (429, 503)
        return HTTPStatusError(f"{where}: DHIS2 {what}{tries}.{said}", **{**common, **call.kw(applied)})
    if status == 413:
        return RequestRejected(
            f"{where}: the request is too large for the server or its proxy (HTTP 413). Send it in smaller parts, "
            "or ask the administrator to raise the proxy's body size limit.",
            **common,
        )
    code = f" [{error_code}]" if error_code else ""
    return RequestRejected(f"{where} was refused (HTTP {status}){code}.{said}", **common)


def decode(content: bytes, ctype: str, call: Call, status: int) -> Any:
    """The JSON body of a successful answer, or UnexpectedResponse for a login page, HTML or garbage."""
    if not content.strip():
        return None
    if looks_like_html(content, ctype):
        title = html_title(content)
        titled = f' ("{title}")' if title else ""
        raise UnexpectedResponse(
            f"{call.name} answered with an HTML page{titled} where JSON was expected (HTTP {status}). This is "
            "usually a login page (credentials not accepted or a session expired), a proxy's error or maintenance "
            "page, or a URL that does not point at DHIS2. Check the URL, including the context path, and the "
            "credentials.",
            **call.kw(True),
        )
    try:
        return json.loads(content)
    except ValueError:
        snippet = logs.redact(" ".join(content[:80].decode("utf-8", "replace").split()))
        raise UnexpectedResponse(
            f"{call.name} answered with something that is not JSON (HTTP {status}, starting {snippet!r}). A proxy "
            "or another service may be answering at this URL, or the answer was cut off.",
            **call.kw(True),
        ) from None
