"""Below the HTTP semantics of each exchange: credentials on the way out, the body on the way in.

- ``basic_auth``: Basic credentials encoded as UTF-8, which is how DHIS2 decodes them. requests
  encodes ``auth=(user, password)`` as latin-1 and fails on "Mật-khẩu"; DHIS2's
  DhisWebApiWebSecurityConfig enables ``httpBasic()`` without a charset, so Spring Security's
  BasicAuthenticationConverter decodes the header with its default credentialsCharset, UTF-8.
- ``read_body``: the body within a time limit. requests' read timeout bounds each socket read
  only, so a server (or proxy) that sends a byte now and then would hold a command for ever; here
  the body is read in small pieces (``read1``: what one socket read returns) against a clock.
- ``Watch`` and ``watched_adapter``: the same bound for the status line and headers, which urllib3
  reads before the body loop can look at a clock.
"""

from __future__ import annotations

import base64
import contextlib
import heapq
import socket
import threading
import time
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


def socket_timeouts(limits: tuple[float, float], left: float | None) -> tuple[float, float]:
    """requests' (connect, read) timeouts, cut to the time ``left`` before the deadline."""
    if left is None:
        return limits
    return (max(0.001, min(limits[0], left)), max(0.001, min(limits[1], left)))


def exchange_seconds(limits: tuple[float, float], left: float | None) -> float:
    """How long one exchange may take in all (connect, wait for the headers, read the body), deadline-capped."""
    whole = limits[0] + 2 * limits[1]
    return whole if left is None else min(whole, max(0.0, left))


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


# ---------------------------------------------------------------------------------------------- watchdog
#
# The body loop above sees the clock between reads; while urllib3 waits for the status line and the
# headers it does not, and a server that sends a header byte now and then keeps each read "on time".
# A watch covers the whole exchange: connections opened or reused for the request in progress
# register with it (a thread-local names that request), and when its time is up a timer thread shuts
# their sockets down, which ends any blocking read at once.

_active = threading.local()


class Watch:
    """Bound one exchange to ``seconds``: ``with Watch(s) as w: ...``; ``w.fired`` says if it cut it off."""

    def __init__(self, seconds: float):
        self.fired = False
        self.done = False
        self.due = time.monotonic() + max(0.0, seconds)
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    def add(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)
            if not self.fired:
                return
        _shut(connection)

    def fire(self) -> None:
        with self._lock:
            if self.done:
                return
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)

    def __enter__(self) -> Watch:
        _active.watch = self
        _WATCHDOG.watch(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.done = True
        _active.watch = None


def _shut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread for every watch of the process (a thread per request costs ~0.5 ms; this ~µs)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._thread: threading.Thread | None = None

    def watch(self, watch: Watch) -> None:
        with self._cond:
            if len(self._heap) > 1000:  # finished watches are dropped lazily; keep the heap small
                self._heap = [entry for entry in self._heap if not entry[2].done]
                heapq.heapify(self._heap)
            earliest = not self._heap or watch.due < self._heap[0][0]
            heapq.heappush(self._heap, (watch.due, id(watch), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="dhis2-mch-watchdog", daemon=True)
                self._thread.start()
            elif earliest:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].fire()


_WATCHDOG = _Watchdog()


def watched_adapter() -> Any:
    """A ``requests`` HTTPAdapter whose connections register with the ``Watch`` in progress (if any)."""
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def watched(base: type) -> type:
        class Watched(base):
            def request(self, *args: Any, **kwargs: Any) -> Any:
                watch = getattr(_active, "watch", None)
                if watch is not None:
                    watch.add(self)
                return super().request(*args, **kwargs)

        return Watched

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = watched(HTTPConnection)

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = watched(HTTPSConnection)

    class WatchedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

    return WatchedAdapter()
