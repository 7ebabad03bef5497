"""``POST /api/tracker`` with events, and its report (sync, 409, async job) as one typed result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationError

from dhis2_mch.dhis2._envelopes import (
    JobRef,
    Model,
    Stats,
    check_id_scheme,
    is_webmessage,
    job_ref,
    serialise,
    shape_checked,
    shape_error,
)
from dhis2_mch.dhis2.jobs import PollPolicy, wait_for_job
from dhis2_mch.errors import InputError

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection


def import_events(
    conn: Connection,
    events: Sequence[Mapping[str, Any]] | bytes,
    *,
    import_strategy: Literal["CREATE", "UPDATE", "CREATE_AND_UPDATE"] = "CREATE_AND_UPDATE",
    atomic_mode: Literal["ALL", "OBJECT"] = "OBJECT",
    validate_only: bool = False,
    async_: bool = False,
    id_scheme: str | None = None,
    poll: PollPolicy | None = None,
) -> TrackerImportResult:
    """``POST /api/tracker`` with events (a list, or the JSON bytes of ``{"events": [...]}``).

    Synchronous by default (``async=false``: the tracker endpoint is async unless told otherwise);
    ``validate_only`` = importMode VALIDATE. Retried only when every event has its UID and the
    strategy is not CREATE.
    """
    strategy = str(import_strategy).upper()
    if strategy not in ("CREATE", "UPDATE", "CREATE_AND_UPDATE"):
        raise InputError(f"import_strategy must be CREATE, UPDATE or CREATE_AND_UPDATE, not {strategy!r}.")
    atomic = str(atomic_mode).upper()
    if atomic not in ("ALL", "OBJECT"):
        raise InputError(f"atomic_mode must be ALL or OBJECT, not {atomic!r}.")
    if isinstance(events, bytes):
        body, parsed = serialise(events, "event")
        items = parsed.get("events") if isinstance(parsed, dict) else None
        if not isinstance(items, list):
            raise InputError('An event payload is a JSON object {"events": [...]}.')
    else:
        items = list(events)
        body = serialise({"events": items}, "event")[0]
    params = {
        "async": str(bool(async_)).lower(),
        "importStrategy": strategy,
        "atomicMode": atomic,
        "importMode": "VALIDATE" if validate_only else "COMMIT",
        "reportMode": "ERRORS",
    }
    if id_scheme:
        params["idScheme"] = check_id_scheme(id_scheme, "id_scheme")
    fixed = all(isinstance(e, dict) and e.get("event") for e in items)
    idempotent = not async_ and fixed and strategy != "CREATE"
    reply = conn.post("tracker", body, params=params, idempotent=idempotent, accept=(409,))
    result = parse_tracker_import(reply.data, reply.status)
    if result.job is not None:
        report = wait_for_job(conn, result.job, poll)
        result = parse_tracker_import(report).model_copy(update={"job": result.job})
    return result


class TrackerError(Model):
    code: str | None = Field(None, alias="errorCode")
    message: str = ""
    tracker_type: str | None = Field(None, alias="trackerType")
    uid: str | None = None
    args: list[Any] = Field(default_factory=list)

    def describe(self) -> str:
        """``E1005 TRACKED_ENTITY Kj6vYde4LHh: <message>``."""
        subject = " ".join(p for p in (self.tracker_type, self.uid) if p)
        return f"{self.code or 'error'} {subject}: {self.message}"


class TrackerImportResult(Model):
    """What ``POST /api/tracker`` did (sync report, job report, or an accepted async job)."""

    status: str  # OK | WARNING | ERROR, or PENDING for an accepted async job
    http_status: int | None = None
    message: str | None = None
    stats: Stats = Stats()
    by_type: dict[str, Stats] = Field(default_factory=dict)
    errors: list[TrackerError] = Field(default_factory=list)
    warnings: list[TrackerError] = Field(default_factory=list)
    job: JobRef | None = None

    @property
    def ok(self) -> bool:
        return self.status == "OK" and not self.errors


@shape_checked("tracker import")
def parse_tracker_import(body: Any, http_status: int | None = None) -> TrackerImportResult:
    """``POST /api/tracker`` (bare report, 409 iff ERROR), its async acceptance, or ``/tracker/jobs/{id}/report``."""
    if not isinstance(body, dict):
        raise shape_error("tracker import", body)
    try:
        if "validationReport" in body or "bundleReport" in body or ("stats" in body and "status" in body):
            validation = body.get("validationReport") or {}
            errors = [TrackerError.model_validate(e) for e in validation.get("errorReports") or []]
            warnings = [TrackerError.model_validate(e) for e in validation.get("warningReports") or []]
            type_map = (body.get("bundleReport") or {}).get("typeReportMap") or {}
            by_type = {
                str(k): Stats.model_validate((v or {}).get("stats") or {})
                for k, v in type_map.items()
                if isinstance(v, dict)
            }
            return TrackerImportResult(
                status=str(body.get("status") or ("ERROR" if errors else "OK")).upper(),
                http_status=http_status,
                message=body.get("message"),
                stats=Stats.model_validate(body.get("stats") or {}),
                by_type=by_type,
                errors=errors,
                warnings=warnings,
            )
        if is_webmessage(body):
            response = body.get("response")
            job = job_ref(response, body.get("message")) if isinstance(response, dict) else None
            if job is not None:
                job = job.model_copy(update={"kind": "tracker", "job_type": "TRACKER_IMPORT_JOB"})
                message = body.get("message")
                return TrackerImportResult(status="PENDING", job=job, http_status=http_status, message=message)
    except ValidationError:
        raise shape_error("tracker import", body) from None
    raise shape_error("tracker import", body)
