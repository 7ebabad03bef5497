"""One request to DHIS2, with its retries and its time limits (``Connection.request`` sends through it).

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dhis2_mch.dhis2._exceptions import Call, decode, reason, status_error, too_slow, transport_error
from dhis2_mch.dhis2._retry import retry_after
from dhis2_mch.dhis2._transport import Watch, exchange_seconds, socket_timeouts
from dhis2_mch.dhis2.profiles import Timeouts
from dhis2_mch.errors import ReadTimeout

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection

log = logging.getLogger("dhis2_mch.dhis2.connection")  # where these messages were always logged


@dataclass(frozen=True)
class Reply:
    """A DHIS2 answer: status, parsed JSON body (``None`` when empty) and the raw bytes."""

    status: int
    data: Any
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""


def send(
    conn: Connection,
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
    """``Connection.request``: send, retry when that is safe (module docstring), return the accepted answer."""
    import requests

    method = method.upper()
    safe = method in ("GET", "HEAD") if idempotent is None else idempotent
    url = f"{conn.api_url}/{path.lstrip('/')}"
    shown = "/" + url[len(conn.base_url) :].lstrip("/")
    headers = {"Content-Type": content_type} if body is not None else {}
    limits = (timeouts or conn.timeouts).as_tuple()
    call = Call(conn.where, method, shown, conn.base_url, limits, conn.ca_bundle)
    accepted = frozenset(accept)
    slept, attempt, timeouts_seen = 0.0, 0, 0
    while True:
        attempt += 1
        conn.check_deadline(f"about to send {method} {shown}", method=method, path=shown)
        timeout = socket_timeouts(limits, conn.remaining())
        log.debug("%s %s (attempt %d)", method, shown, attempt)
        watch = Watch(exchange_seconds(limits, conn.remaining()))
        try:
            with watch:
                response = conn.session.request(
                    method,
                    url,
                    params=params,
                    data=body,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                )
                content = conn.read_body(response, call, limits[1])
                if watch.fired:  # what was read before the cut is not the whole answer
                    raise requests.exceptions.ConnectionError("the exchange was cut off by the watchdog")
        except requests.exceptions.RequestException as exc:
            conn.deadline_passed_during(call, exc)
            error, retryable, never_sent = transport_error(exc, call, conn.hostname)
            if watch.fired:  # the watchdog ended it: the server kept the connection, answering too slowly
                error, retryable, never_sent = too_slow(call, exchange_seconds(limits, None)), True, False
            if isinstance(error, ReadTimeout):
                # each try costs the whole read timeout: a server that did not answer twice will not
                # answer a third time, and four tries of 300 s held a command for 20 minutes
                timeouts_seen += 1
                retryable = retryable and timeouts_seen < 2
            if retryable and (safe or never_sent):
                delay = conn.retry.backoff(attempt, conn.rng)
                if attempt < conn.retry.attempts and slept + delay <= conn.retry.max_total:
                    log.warning(
                        "%s %s%s: %s (%s); retrying in %.1f s (attempt %d of %d).",
                        method, conn.base_url, shown, reason(exc), type(exc).__name__, delay, attempt + 1,
                        conn.retry.attempts,
                    )  # fmt: skip
                    conn.wait(delay, f"waiting to retry {method} {shown}", may_have_applied=not never_sent)
                    slept += delay
                    continue
            if attempt > 1 or (retryable and (safe or never_sent)):
                error.args = (f"{error} Gave up after {attempt} attempt{'s' if attempt > 1 else ''}.",)
            raise error from exc

        status = response.status_code
        gave_up: tuple[int, float | None] | None = None
        if status in conn.retry.statuses and safe and status not in accepted:
            asked = retry_after(response.headers.get("Retry-After"))
            delay = asked if asked is not None else conn.retry.backoff(attempt, conn.rng)
            if attempt < conn.retry.attempts and slept + delay <= conn.retry.max_total:
                log.warning(
                    "%s %s%s: HTTP %d; retrying in %.1f s (attempt %d of %d).",
                    method, conn.base_url, shown, status, delay, attempt + 1, conn.retry.attempts,
                )  # fmt: skip
                conn.wait(delay, f"waiting to retry {method} {shown} (HTTP {status})", may_have_applied=True)
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
            credentials=conn.credential_words(),
            gave_up=gave_up,
            attempts=conn.retry.attempts,
        )
