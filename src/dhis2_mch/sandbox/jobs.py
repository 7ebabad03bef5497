"""Asynchronous imports: a job runs in a thread and leaves notifications and a summary behind.

DHIS2 answers ``async=true`` at once with a job, then ``/api/system/tasks/{TYPE}/{id}`` lists the job's
notifications newest first and ``/api/system/taskSummaries/{TYPE}/{id}`` gives the bare report once the
job is done (``SystemController``, ``Notifier``). Tracker jobs are read at ``/api/tracker/jobs/{id}``
and ``.../report``.
Like DHIS2's in-memory notifier, jobs do not survive a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dhis2_mch.sandbox.metadata import new_uid


def _time() -> str:
    now = datetime.now()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"


@dataclass
class Job:
    id: str
    type: str
    created: str
    notifications: list[dict] = field(default_factory=list)
    summary: dict | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def notify(self, message: str, *, level: str = "INFO", completed: bool = False) -> None:
        self.notifications.insert(
            0,
            {
                "uid": new_uid(),
                "id": self.id,
                "level": level,
                "category": self.type,
                "time": _time(),
                "message": message,
                "completed": completed,
            },
        )


class Jobs:
    def __init__(self, delay: float = 0.0):
        #: seconds a job waits before it runs, so tests can watch a job that has not finished
        self.delay = delay
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, job_type: str, work: Callable[[Job], dict], *, start_message: str = "Process started") -> Job:
        """Run ``work(job)`` in a daemon thread; what it returns becomes the job's summary."""
        job = Job(new_uid(), job_type, _time())
        job.notify(start_message)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            if self.delay:
                threading.Event().wait(self.delay)
            try:
                job.summary = work(job)
            except Exception as exc:  # the job fails; DHIS2 notifies the error and finishes
                job.notify(f"Process failed: {exc}", level="ERROR", completed=True)
            finally:
                job.done.set()

        threading.Thread(target=run, name=f"sandbox-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str, job_type: str | None = None) -> Job | None:
        job = self._jobs.get(job_id)
        if job is None or (job_type is not None and job.type != job_type):
            return None
        return job

    def of_type(self, job_type: str) -> list[Job]:
        return [j for j in self._jobs.values() if j.type == job_type]

    def wait_all(self, timeout: float = 10.0) -> None:
        for job in list(self._jobs.values()):
            job.done.wait(timeout)
