"""How hard to try again, and how long to wait between tries.

Which requests may be retried at all is decided by ``connection`` (see its docstring); this module
only knows the policy (attempts, delays, statuses) and reads ``Retry-After``.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries, sleeping at most ``max_total`` seconds in all."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_total: float = 90.0
    statuses: frozenset[int] = RETRY_STATUSES

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential with "equal jitter": between half and all of the step, so clients do not stampede."""
        step = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return step * rng.uniform(0.5, 1.0)


def retry_after(value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date, RFC 9110 §10.2.3)."""
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
