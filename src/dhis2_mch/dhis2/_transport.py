"""Below the HTTP semantics of each exchange: credentials on the way out, the body on the way in.

- ``basic_auth``: Basic credentials encoded as UTF-8, which is how DHIS2 decodes them. requests
  encodes ``auth=(user, password)`` as latin-1 and fails on "Mật-khẩu"; DHIS2's
  DhisWebApiWebSecurityConfig enables ``httpBasic()`` without a charset, so Spring Security's
  BasicAuthenticationConverter decodes the header with its default credentialsCharset, UTF-8.
- ``read_body``: the body within a time limit. requests' read timeout bounds each socket read
  only, so a server (or proxy) that sends a byte now and then would hold a command for ever; here
  the body is read in small pieces (``read1``: what one socket read returns) against a clock.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from dhis2_mch.dhis2._exceptions import Call
from dhis2_mch.errors import DeadlineExceeded, ReadTimeout

#: bytes asked of the socket per body read; a read returns what has arrived, so the clock is seen often
_READ_CHUNK = 65536


def basic_auth(username: str, password: str) -> Any:
    """A ``requests`` auth that sends ``Authorization: Basic base64(utf-8(user:password))``."""
    import requests.auth

    class Utf8BasicAuth(requests.auth.AuthBase):
        def __call__(self, request: Any) -> Any:
            pair = f"{username}:{password}".encode()
            request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
            return request

        def __repr__(self) -> str:
            return f"Utf8BasicAuth({username!r}, ***)"

    return Utf8BasicAuth()


def read_body(
    response: Any,
    call: Call,
    limit: float,
    clock: Callable[[], float],
    deadline_at: float | None,
    deadline: float | None,
) -> bytes:
    """The whole body of a streamed ``response`` within ``limit`` seconds of its headers (and the deadline).

    Failures are raised as ``requests`` exceptions (mapped by ``_exceptions.transport_error`` like any
    other), except running out of time: ``ReadTimeout`` or ``DeadlineExceeded`` directly.
    """
    import requests
    from urllib3.exceptions import HTTPError as Urllib3Error
    from urllib3.exceptions import ReadTimeoutError

    started = clock()
    raw = response.raw
    read = getattr(raw, "read1", None) or raw.read
    chunks: list[bytes] = []
    try:
        while True:
            try:
                chunk = read(_READ_CHUNK, decode_content=True)
            except TypeError:  # a file-like raw without decode_content (custom transports)
                chunk = read(_READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            now = clock()
            if deadline_at is not None and now >= deadline_at:
                raise DeadlineExceeded(
                    f"{call.name}: the deadline of {deadline:g} s passed while DHIS2 was still sending its answer "
                    f"({sum(map(len, chunks))} bytes so far).",
                    **call.kw(True),
                )
            if now - started > limit:
                raise ReadTimeout(
                    f"{call.name}: DHIS2 was still sending its answer after {limit:g} s "
                    f"({sum(map(len, chunks))} bytes so far); a proxy or the server is trickling it. Raise "
                    "--timeout (or timeout.read in the profile) if the answer is just very large.",
                    **call.kw(True),
                )
    except requests.exceptions.RequestException:
        raise  # a transport adapter's own error (``transport=``): mapped like any other
    except ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from exc
    except (Urllib3Error, OSError) as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    finally:
        response.close()
    return b"".join(chunks)
