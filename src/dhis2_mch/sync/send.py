"""Send checked values chunk by chunk, each chunk framed by ledger transactions.

For every chunk: count the attempt → ``POST /api/dataValueSets`` → mark each value from DHIS2's
ImportSummary (a conflict's ``indexes`` point at the values it concerns, dhis2-core
``DefaultDataValueSetService.importDataValueSet``; status ERROR means the whole set was refused).
The values were marked ``pending`` before the first chunk left, so a process killed at any point leaves
them visibly unfinished. Transient failures (connection refused or dropped, timeouts, 502/503/504 after
the connection's own retries) are tried again a bounded number of times; then the run stops and the
rest stays pending for the next run. ``DHIS2_MCH_SYNC_KILL=<point>:<chunk>`` (points ``before_send``,
``after_send``, ``after_mark``) makes the process kill itself there: a test hook for crash safety.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from dhis2_mch.data.payload import envelopes
from dhis2_mch.data.readers import ROW
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.reports import DataValueImportResult
from dhis2_mch.errors import ServerUnavailable
from dhis2_mch.sync.config import Retries
from dhis2_mch.sync.ledger import Ledger

log = logging.getLogger(__name__)
KILL_ENV = "DHIS2_MCH_SYNC_KILL"


@dataclass
class SendResult:
    chunks: int = 0
    confirmed: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (khash, reason)
    unfinished: int = 0
    failure: str | None = None  # why the run stopped sending (a transient fault that did not pass)


def _kill_point(point: str, chunk: int) -> None:
    wanted = os.environ.get(KILL_ENV, "")
    if wanted and wanted == f"{point}:{chunk}":
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def chunks(accepted: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    """Bounded chunks, each within one data set (one envelope per data set, FACTS §6)."""
    out = []
    for _, group in accepted.groupby("ds", sort=True):
        out += [group.iloc[i : i + size] for i in range(0, len(group), size)]
    return out


def outcomes(result: DataValueImportResult, chunk: pd.DataFrame) -> list[tuple[int, str, str | None]]:
    """``(khash, confirmed|rejected, reason)`` for every value of the chunk, from DHIS2's answer."""
    khashes = [int(k) for k in chunk["khash"]]
    if result.aborted:
        why = "; ".join(c.describe() for c in result.conflicts) or result.description or result.status
        return [(k, "rejected", f"DHIS2 refused the whole data value set: {why}") for k in khashes]
    reasons: dict[int, str] = {}
    for conflict in result.conflicts:
        text = f"{conflict.error_code or 'conflict'}: {conflict.message}"
        indexes = conflict.indexes
        if not indexes:  # 2.38 gives no indexes: find the values the conflict names
            named = {str(v) for v in conflict.objects.values()} | ({conflict.object} if conflict.object else set())
            hit = chunk[["de", "period", "ou", "coc"]].isin(named).any(axis=1).to_numpy()
            indexes = [i for i, h in enumerate(hit) if h]
        for i in indexes:
            if 0 <= i < len(khashes):
                reasons[i] = f"{reasons[i]}; {text}" if i in reasons else text
    return [(k, "rejected", reasons[i]) if i in reasons else (k, "confirmed", None) for i, k in enumerate(khashes)]


def send(
    conn: Connection,
    ledger: Ledger,
    instance: str,
    accepted: pd.DataFrame,
    *,
    run_id: str,
    chunk_size: int,
    retries: Retries,
    substitutions: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    result = SendResult()
    parts = chunks(accepted, chunk_size)
    for number, chunk in enumerate(parts, start=1):
        (envelope,) = envelopes(chunk, substitutions)
        assert envelope.rows == [int(r) for r in chunk[ROW]]
        _kill_point("before_send", number)
        ledger.mark_attempt(instance, chunk["khash"])
        answer, failure, may_have_applied = None, None, False
        for attempt in range(1, retries.attempts + 1):
            try:
                answer = api.import_data_values(conn, envelope.body, dry_run=False, check_authorities=number == 1)
                break
            except ServerUnavailable as exc:  # transient: the server is down, restarting or overloaded
                failure = str(exc)
                may_have_applied = may_have_applied or bool(getattr(exc, "may_have_applied", True))
                if attempt < retries.attempts:
                    log.warning("Chunk %d of %d failed (%s); trying again in %.0f s (attempt %d of %d).",
                                number, len(parts), exc, retries.delay, attempt + 1, retries.attempts)  # fmt: skip
                    sleep(retries.delay)
        _kill_point("after_send", number)
        if answer is None:
            # the answer never came: DHIS2 may have stored the values ("sent") or certainly not ("pending")
            ledger.mark(instance, ((int(k), "sent" if may_have_applied else "pending", failure)
                                   for k in chunk["khash"]), run_id)  # fmt: skip
            result.failure = failure
            result.unfinished = sum(len(p) for p in parts[number - 1 :])
            return result
        marks = outcomes(answer, chunk)
        ledger.mark(instance, marks, run_id)
        _kill_point("after_mark", number)
        result.chunks += 1
        result.confirmed += sum(1 for _, s, _ in marks if s == "confirmed")
        result.rejected += [(k, r or "") for k, s, r in marks if s == "rejected"]
    return result


def delete_values(conn: Connection, gone: pd.DataFrame, chunk_size: int) -> list[int]:
    """Delete on the server the values that vanished from their sources (``importStrategy=DELETE``, which
    DHIS2 applies as a soft delete, FACTS §6); the key hashes of those DHIS2 did not refuse."""
    deleted: list[int] = []
    frame = gone.rename(columns={"pe": "period"}).assign(send="", comment="", _row=range(len(gone)))
    frame = frame[frame["status"] != "rejected"]  # never stored: nothing to delete
    for chunk in chunks(frame, chunk_size):
        (envelope,) = envelopes(chunk)
        answer = api.import_data_values(conn, envelope.body, dry_run=False, import_strategy="DELETE")
        deleted += [k for k, status, _ in outcomes(answer, chunk) if status == "confirmed"]
    return deleted
