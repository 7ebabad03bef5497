"""Fault injection for reliability tests: bounded, off by default, deterministic.

A ``Faults`` decides, request by request, whether to add latency, answer 502/503 (503 with
``Retry-After``), drop the connection without an answer, or send the body slowly. Decisions come from
one ``random.Random(seed)`` drawn in request order, so the same seed and the same requests give the
same faults. ``every`` makes it exact instead: every N-th request gets the fault (N=1: all of them).

Bounds keep a misconfigured run from hanging a test suite: latency and slow-body delays are capped at
10 s, rates must lie in [0, 1].
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

MAX_DELAY = 10.0


@dataclass(frozen=True)
class Fault:
    """What to do to one request: ``kind`` is none, error, drop; plus latency and a slow body."""

    kind: str = "none"
    status: int = 0
    latency: float = 0.0
    slow_body: float = 0.0


@dataclass
class Faults:
    latency: float = 0.0
    """seconds added before every answer"""
    error_rate: float = 0.0
    """share of requests answered 502 or 503 (half each)"""
    drop_rate: float = 0.0
    """share of requests whose connection is closed without an answer"""
    slow_body: float = 0.0
    """seconds over which the body is trickled out (in 8 chunks)"""
    retry_after: int = 1
    """the ``Retry-After`` seconds of a 503"""
    seed: int = 0
    every: int = 0
    """with error_rate or drop_rate > 0: fault exactly every N-th request instead of at random"""
    status: int = 0
    """force one status (502 or 503) instead of alternating"""
    _rng: random.Random = field(init=False, repr=False)
    _count: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        for name in ("latency", "slow_body"):
            if not 0.0 <= getattr(self, name) <= MAX_DELAY:
                raise ValueError(f"{name} must be between 0 and {MAX_DELAY} seconds, got {getattr(self, name)}")
        if self.status not in (0, 502, 503):
            raise ValueError("status must be 502 or 503")
        if not 0 <= self.retry_after <= 3600:
            raise ValueError("retry_after must be between 0 and 3600 seconds")
        self._rng = random.Random(self.seed)

    @property
    def active(self) -> bool:
        return bool(self.latency or self.error_rate or self.drop_rate or self.slow_body)

    def next(self) -> Fault:
        """The fault for the next request (thread-safe; advances the seeded sequence)."""
        if not self.active:
            return Fault()
        with self._lock:
            self._count += 1
            draw = self._rng.random()
            pick = self._rng.random()
            if self.every:
                hit = self._count % self.every == 0
                drop, error = hit and self.drop_rate > 0, hit and self.error_rate > 0 and not self.drop_rate
            else:
                drop = draw < self.drop_rate
                error = not drop and draw < self.drop_rate + self.error_rate
        if drop:
            return Fault("drop", latency=self.latency)
        if error:
            status = self.status or (503 if pick < 0.5 else 502)
            return Fault("error", status=status, latency=self.latency)
        return Fault("none", latency=self.latency, slow_body=self.slow_body)


ERROR_BODIES = {
    502: b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
    b"<hr><center>nginx</center></body></html>\n",
    503: b"<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
    b"<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>\n",
}


def error_response(fault: Fault, retry_after: int) -> tuple[int, dict[str, str], bytes]:
    """What a reverse proxy in front of DHIS2 answers when the server is down or restarting."""
    headers = {"Content-Type": "text/html"}
    if fault.status == 503:
        headers["Retry-After"] = str(retry_after)
    return fault.status, headers, ERROR_BODIES[fault.status]
