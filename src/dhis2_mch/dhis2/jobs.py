"""Waiting for DHIS2's asynchronous jobs, with a bound.

Large imports are sent with ``async=true`` so that no proxy times out while DHIS2 works; DHIS2 then
answers at once with a job, and we poll:

- metadata and data values: ``/api/system/tasks/{TYPE}/{id}`` (progress notifications, newest
  first) until one says ``completed``, then ``/api/system/taskSummaries/{TYPE}/{id}`` for the report,
  which is an empty 200 until it is stored;
- tracker: ``/api/tracker/jobs/{id}`` then ``/api/tracker/jobs/{id}/report`` (404 until available
  in 2.42).

Polls start at ``interval`` seconds and back off by ``factor`` up to ``max_interval``; after
``max_wait`` seconds (or at the connection's deadline) we stop with a ``JobTimeout`` saying the job
may still finish on the server (it does: DHIS2 has no way to cancel it from here).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError

from dhis2_mch.dhis2._envelopes import JobRef, Model, shape_checked, shape_error
from dhis2_mch.errors import DeadlineExceeded, TransportError

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection

log = logging.getLogger(__name__)


class Notification(Model):
    """One progress line of a job (``/api/system/tasks/{TYPE}/{id}``, ``/api/tracker/jobs/{id}``)."""

    uid: str | None = None
    id: str | None = None
    level: str | None = None
    category: str | None = None
    time: str | None = None
    message: str | None = None
    completed: bool = False
    data_type: str | None = Field(None, alias="dataType")
    data: Any = None

    @property
    def is_error(self) -> bool:
        return (self.level or "").upper() == "ERROR"


@shape_checked("job status")
def parse_notifications(body: Any) -> list[Notification]:
    """Notifications, newest first; an empty body (job not known yet) is an empty list."""
    if body is None:
        return []
    items: list[Any]
    if isinstance(body, list):
        items = body
    elif isinstance(body, dict):  # some versions key the list by job id
        items = [n for v in body.values() if isinstance(v, list) for n in v]
    else:
        raise shape_error("job status", body)
    try:
        notes = [Notification.model_validate(n) for n in items if isinstance(n, dict)]
    except ValidationError:
        raise shape_error("job status", body) from None
    return sorted(notes, key=lambda n: n.time or "", reverse=True)


class JobTimeout(DeadlineExceeded):
    """The job did not finish in time; it may still finish on the server (``may_have_applied`` is True)."""


class JobFailed(TransportError):
    """The job ended with an error and left no report (it may have applied part of the import)."""


@dataclass(frozen=True)
class PollPolicy:
    max_wait: float = 1800.0
    interval: float = 1.0
    max_interval: float = 15.0
    factor: float = 1.5
    #: polls of the report once the job says it completed (the report is stored just after)
    report_polls: int = 10


def _tasks_path(job: JobRef) -> str:
    return f"tracker/jobs/{job.id}" if job.kind == "tracker" else f"system/tasks/{job.job_type}/{job.id}"


def _summary_path(job: JobRef) -> str:
    return f"tracker/jobs/{job.id}/report" if job.kind == "tracker" else f"system/taskSummaries/{job.job_type}/{job.id}"


def wait_for_job(conn: Connection, job: JobRef, policy: PollPolicy | None = None) -> Any:
    """Poll ``job`` until its report is available and return the report's JSON body.

    Uses the connection's ``sleep`` and ``clock`` (tests inject both). Raises ``JobTimeout`` after
    ``max_wait`` seconds and ``JobFailed`` when the job ends in error without a report.
    """
    policy = policy or PollPolicy()
    start = conn.clock()
    interval = policy.interval
    completed: Notification | None = None
    last: Notification | None = None
    report_polls = 0
    while True:
        if completed is None:
            notes = parse_notifications(conn.get(_tasks_path(job), accept=(404,)).data)
            if notes:
                last = notes[0]
                completed = next((n for n in notes if n.completed), None)
                log.info("Job %s %s: %s", job.job_type, job.id, last.message or last.level)
        if completed is not None:
            params = {"reportMode": "FULL"} if job.kind == "tracker" else None
            reply = conn.get(_summary_path(job), params=params, accept=(404,))
            if reply.status != 404 and reply.data not in (None, {}, []):
                return reply.data
            report_polls += 1
            if report_polls >= (3 if completed.is_error else policy.report_polls):
                break
        elapsed = conn.clock() - start
        left = conn.remaining()  # the command's deadline bounds polling too
        if elapsed + interval > policy.max_wait or (left is not None and interval >= left):
            break
        conn.sleep(interval)
        interval = min(policy.max_interval, interval * policy.factor)

    status_url = f"{conn.api_url}/{_tasks_path(job)}"
    if completed is not None:
        how = "with an error" if completed.is_error else "but left no report"
        raise JobFailed(
            f"{conn.where}: job {job.job_type} {job.id} ended {how}: {completed.message or 'no message'}. "
            f"Details may be in the server log; its progress is at {status_url}.",
            may_have_applied=True,
        )
    state = f'last progress: "{last.message}"' if last and last.message else "no progress reported yet"
    waited = conn.clock() - start
    bound = "the command's deadline" if waited + interval <= policy.max_wait else f"{policy.max_wait:g} s"
    raise JobTimeout(
        f"{conn.where}: job {job.job_type} {job.id} did not finish within {bound} ({state}). "
        f"It may still finish on the server: follow it at {status_url} (or in the Data Administration / Import-Export "
        "app) before sending the same import again.",
        may_have_applied=True,
    )
