"""Send the values a run chose, chunk by chunk, through the library's push, each chunk framed by the ledger.

Before the first chunk every chosen value is ``pending`` (one transaction). Then per chunk:

1. mark its values ``sent`` (the request is leaving; if the process dies now, the ledger says so);
2. ``data.push_frame`` checks them (DHIS2's rules) and posts them; its ``on_chunk`` hands over
   DHIS2's answer, and the values are marked ``confirmed`` or ``rejected`` (with DHIS2's reason) in
   the same breath, before anything else is sent; values the preflight refused are marked ``rejected``;
3. on a transient failure (connection refused or dropped, timeout, 502/503/504 after the connection's
   own retries) the chunk is tried again, a bounded number of times, then the run stops: the chunk
   stays ``sent`` when DHIS2 may have applied it, ``pending`` when it certainly did not, and the
   chunks not reached stay ``pending``. The next run sends all of them again; DHIS2's import is an
   upsert on the value's key, so a value sent twice is stored once.

``DHIS2_MCH_SYNC_KILL=<point>:<chunk>`` (points ``before_send``, ``after_send``, ``after_mark``) makes
the process kill itself with SIGKILL there: a test hook for crash safety, inert unless set.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from dhis2_mch.data.outcome import ChunkOutcome
from dhis2_mch.data.payload import envelopes
from dhis2_mch.data.preflight import Rejection
from dhis2_mch.data.push import push_frame
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.errors import AuthError, DeadlineExceeded, HTTPStatusError, ServerUnavailable, TLSError
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.sync import reform
from dhis2_mch.sync.config import Retries
from dhis2_mch.sync.ledger import Ledger

log = logging.getLogger(__name__)
KILL_ENV = "DHIS2_MCH_SYNC_KILL"
LONG = ["orgUnit", "period", "dataElement", "categoryOptionCombo", "attributeOptionCombo", "value", "comment"]


@dataclass
class SendResult:
    chunks: int = 0
    confirmed: set[Hashable] = field(default_factory=set)  # row ids
    rejections: list[Rejection] = field(default_factory=list)  # row = row id; stage preflight | server
    failure: str | None = None  # why the run stopped sending (a transient fault that did not pass)


def _kill_point(point: str, chunk: int) -> None:
    if os.environ.get(KILL_ENV) == f"{point}:{chunk}":
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def chunks(rows: pd.DataFrame, size: int) -> list[pd.DataFrame]:
    """Bounded chunks within one data set (``ds`` as the keys resolved it; unresolved rows apart)."""
    out = []
    for _, group in rows.groupby("ds", sort=True, dropna=False):
        out += [group.iloc[i : i + size] for i in range(0, len(group), size)]
    return out


def send(
    conn: Connection,
    ledger: Ledger,
    instance: str,
    rows: pd.DataFrame,
    md: Metadata,
    *,
    run_id: str,
    chunk_size: int,
    retries: Retries,
    today: date,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """``rows``: long-format columns, ``ds`` and ``khash`` (0 = no ledger key), indexed by row id."""
    result = SendResult()
    keyed = rows["khash"] != 0
    parts = chunks(rows, chunk_size)
    for number, chunk in enumerate(parts, start=1):
        khash = chunk["khash"][keyed.loc[chunk.index]]
        _kill_point("before_send", number)
        ledger.mark(instance, ((int(k), "sent", None) for k in khash), run_id)
        pending = set(chunk.index)

        def on_chunk(outcome: ChunkOutcome, number: int = number, khash: pd.Series = khash,
                     pending: set = pending) -> None:  # fmt: skip
            _kill_point("after_send", number)
            marks: list[tuple[int, str, str | None]]
            marks = [(int(khash[r]), "confirmed", None) for r in outcome.stored if r in khash.index]
            marks += [(int(khash[r]), "rejected", why) for r, why in outcome.rejected.items() if r in khash.index]
            ledger.mark(instance, marks, run_id)
            _kill_point("after_mark", number)
            pending.difference_update(outcome.rows)
            result.confirmed.update(outcome.stored)

        failure, may_have_applied = None, False
        for attempt in range(1, retries.attempts + 1):
            todo = chunk.loc[[i for i in chunk.index if i in pending]]
            try:  # one push per source choice of what a pre-reform row's bare code means (sync/reform.py)
                reports = [push_frame(part[LONG], conn, md, partial=True, chunk_size=chunk_size, on_chunk=on_chunk,
                                      today=today, source=f"chunk {number}", before_reform=how,
                                      reform_choices=reform.CHOICES)
                           for how, part in _by_choice(todo)]  # fmt: skip
            except ServerUnavailable as exc:
                may_have_applied = may_have_applied or bool(getattr(exc, "may_have_applied", True))
                if not transient(exc):  # credentials, certificate, deadline, a 4xx: trying again cannot help
                    _unanswered(ledger, instance, khash, pending, may_have_applied, run_id)
                    raise
                failure = str(exc)
                if attempt < retries.attempts:
                    log.warning("Chunk %d of %d failed (%s); trying again in %.0f s (attempt %d of %d).",
                                number, len(parts), exc, retries.delay, attempt + 1, retries.attempts)  # fmt: skip
                    sleep(retries.delay)
                continue
            rejections = [r for report in reports for r in report.rejections]
            refused = [r for r in rejections if r.stage == "preflight"]
            result.rejections += rejections
            ledger.mark(instance, ((int(khash[r.row]), "rejected", f"preflight: {r.reason}") for r in refused
                                   if r.row in khash.index), run_id)  # fmt: skip
            failure = None
            break
        if failure is not None:
            _unanswered(ledger, instance, khash, pending, may_have_applied, run_id)
            result.failure = failure
            return result
        result.chunks += 1
    return result


def _by_choice(todo: pd.DataFrame) -> list[tuple[Any, pd.DataFrame]]:
    """The chunk's rows per source choice of what a pre-reform bare code means (refuse when not given)."""
    if reform.COLUMN not in todo.columns:
        return [("refuse", todo)]
    return list(todo.groupby(reform.COLUMN, sort=True))


def transient(exc: ServerUnavailable) -> bool:
    """Worth another try later in the run: the server down, restarting, overloaded, or the line cut."""
    if isinstance(exc, AuthError | TLSError | DeadlineExceeded):
        return False
    if isinstance(exc, HTTPStatusError):
        return exc.status is None or exc.status >= 500 or exc.status == 429
    return True


def _unanswered(ledger: Ledger, instance: str, khash: pd.Series, rows: set, may_have_applied: bool,
                run_id: str) -> None:  # fmt: skip
    """The chunk's values without an answer stay ``sent`` if DHIS2 may have stored them, else ``pending``."""
    if not may_have_applied:
        ledger.mark(instance, ((int(khash[r]), "pending", None) for r in rows if r in khash.index), run_id)


def delete_values(conn: Connection, gone: pd.DataFrame, chunk_size: int) -> list[int]:
    """Delete on the server the values that vanished from their sources (``importStrategy=DELETE``, which
    DHIS2 applies as a soft delete: ``DataValue.deleted``); the key hashes of those DHIS2 did not refuse."""
    deleted: list[int] = []
    frame = gone[gone["status"] != "rejected"]  # never stored: nothing to delete
    frame = frame.rename(columns={"pe": "period"}).assign(send="", comment="", _row=range(len(frame)),
                                                          _pos=range(len(frame)))  # fmt: skip
    for envelope in envelopes(frame, None, chunk_size):
        answer = api.import_data_values(conn, envelope.body, dry_run=False, import_strategy="DELETE")
        if answer.aborted:  # the whole set was refused: nothing deleted
            continue
        refused = {i for c in answer.conflicts for i in c.indexes}
        khashes = [int(k) for k in frame["khash"].iloc[envelope.positions]]
        deleted += [k for i, k in enumerate(khashes) if i not in refused]
    return deleted
