"""Every shape DHIS2 answers an import with, turned into one typed result per kind of import.

DHIS2 2.38–2.42 wrap reports in a WebMessage (``{"httpStatus", "status", "message", "response"}``),
answer failures with HTTP 409 and ``status: WARNING`` on the envelope while the report inside says
``ERROR``, spell ``responseType`` two ways (``ImportReport``, and ``ImportReportWebMessageResponse``
in 2.42.0–2.42.4) in two positions, return bare reports from ``/api/37/...`` and from
``/api/system/taskSummaries``, and answer ``async=true`` with a job instead of a report
(FACTS.md §1, §2, §4). The parse functions below accept all of them; callers read one model.

Models ignore keys they do not know, so a future version adding keys does not break parsing. A body
that matches no known shape raises ``UnexpectedResponse`` (a ``ServerUnavailable``: the server
answered, but not like DHIS2).
"""

from __future__ import annotations

import builtins
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from dhis2_mch.errors import UnexpectedResponse


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class Stats(_Model):
    created: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    total: int = 0


class JobRef(_Model):
    """An accepted asynchronous job: where to poll for its progress and its report."""

    id: str
    job_type: str
    kind: Literal["system", "tracker"] = "system"
    location: str | None = None
    message: str | None = None


# ---------------------------------------------------------------------------------------------- metadata


class MetadataError(_Model):
    """One errorReport, with the object it belongs to (type, uid, index in the payload)."""

    code: str | None = None
    message: str
    klass: str | None = None
    plural: str | None = None
    uid: str | None = None
    index: int | None = None
    display_name: str | None = None
    main_klass: str | None = None
    main_id: str | None = None
    error_klass: str | None = None
    property: str | None = None
    properties: list[Any] = Field(default_factory=list)
    value: Any = None
    args: list[Any] = Field(default_factory=list)

    @builtins.property  # the field `property` (DHIS2's errorProperty) shadows the builtin in this class body
    def object_type(self) -> str | None:
        """The Java simple name of the failing object (``DataElement``)."""
        return self.klass.rsplit(".", 1)[-1] if self.klass else None

    def describe(self) -> str:
        """``E5003 DataElement abc123 (#3) shortName: <message>`` for tables and logs."""
        where = " ".join(p for p in (self.object_type, self.uid or self.main_id) if p)
        if self.index is not None:
            where += f" (#{self.index})"
        prop = f" {self.property}:" if self.property else ""
        return f"{self.code or 'error'} {where}{prop} {self.message}".replace("  ", " ").strip()


class TypeResult(_Model):
    """Counts for one metadata type, named both ways: ``dataElements`` and ``org.hisp.dhis.dataelement.DataElement``."""

    klass: str
    plural: str
    stats: Stats = Stats()


class MetadataImportResult(_Model):
    """What ``POST /api/metadata`` did (or, for importMode=VALIDATE, would do)."""

    status: str  # OK | WARNING | ERROR, or PENDING for an accepted async job
    http_status: int | None = None
    message: str | None = None
    stats: Stats = Stats()
    types: list[TypeResult] = Field(default_factory=list)
    errors: list[MetadataError] = Field(default_factory=list)
    job: JobRef | None = None
    import_mode: str | None = None
    #: only the legacy unwrapped report (``/api/37/metadata``) echoes the parameters
    import_params: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "OK" and not self.errors

    @property
    def by_type(self) -> dict[str, TypeResult]:
        return {t.plural: t for t in self.types}

    @property
    def by_klass(self) -> dict[str, TypeResult]:
        return {t.klass: t for t in self.types}

    @property
    def changed(self) -> int:
        return self.stats.created + self.stats.updated + self.stats.deleted


def plural_for_klass(klass: str) -> str:
    """``org.hisp.dhis.category.Category`` → ``categories``: the model's table first, English plural rules after."""
    from dhis2_mch.model.types import TYPES

    for t in TYPES:
        if t.klass == klass:
            return t.plural
    simple = klass.rsplit(".", 1)[-1]
    name = simple[:1].lower() + simple[1:]
    if name.endswith("y") and not name.endswith(("ay", "ey", "oy", "uy")):
        return name[:-1] + "ies"
    if name.endswith(("s", "x", "ch", "sh")):
        return name + "es"
    return name + "s"


def _is_webmessage(body: dict) -> bool:
    return "httpStatusCode" in body or "httpStatus" in body or ("response" in body and "status" in body)


def _job(response: dict, message: str | None) -> JobRef | None:
    """A JobConfiguration (metadata/data value async) or a tracker job (``{id, location}``)."""
    if not isinstance(response, dict) or not response.get("id"):
        return None
    kind: Literal["system", "tracker"] = "system"
    job_type = response.get("jobType")
    endpoint = response.get("relativeNotifierEndpoint")
    location = response.get("location")
    if job_type is None and isinstance(endpoint, str) and "/system/tasks/" in endpoint:
        job_type = endpoint.rstrip("/").split("/")[-2]
    if job_type is None and isinstance(location, str) and "/tracker/jobs/" in location:
        job_type, kind = "TRACKER_IMPORT_JOB", "tracker"
    if job_type is None and response.get("responseType") == "TrackerJob":
        job_type, kind = "TRACKER_IMPORT_JOB", "tracker"
    if job_type is None:
        return None
    where = endpoint or location
    return JobRef(id=str(response["id"]), job_type=str(job_type), kind=kind, location=where, message=message)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _shape_error(what: str, body: Any) -> UnexpectedResponse:
    keys = ", ".join(sorted(body)[:8]) if isinstance(body, dict) else type(body).__name__
    return UnexpectedResponse(
        f"DHIS2 answered the {what} in a shape dhis2-mch does not recognise (top-level: {keys}). The server may "
        "not be DHIS2 2.38–2.42, or a proxy changed the answer."
    )


def _metadata_report(report: dict, **envelope: Any) -> MetadataImportResult:
    types, errors = [], []
    for tr in report.get("typeReports") or []:
        if not isinstance(tr, dict):
            continue
        klass = str(tr.get("klass") or "")
        plural = plural_for_klass(klass) if klass else "unknown"
        types.append(TypeResult(klass=klass, plural=plural, stats=Stats.model_validate(tr.get("stats") or {})))
        for obj in tr.get("objectReports") or []:
            if not isinstance(obj, dict):
                continue
            obj_klass = obj.get("klass") or klass
            for er in obj.get("errorReports") or []:
                if not isinstance(er, dict):
                    continue
                errors.append(
                    MetadataError(
                        code=er.get("errorCode"),
                        message=str(er.get("message") or ""),
                        klass=obj_klass,
                        plural=plural_for_klass(obj_klass) if obj_klass else None,
                        uid=obj.get("uid"),
                        index=_int(obj.get("index")),
                        display_name=obj.get("displayName"),
                        main_klass=er.get("mainKlass"),
                        main_id=er.get("mainId"),
                        error_klass=er.get("errorKlass"),
                        property=er.get("errorProperty"),
                        properties=list(er.get("errorProperties") or []),
                        value=er.get("value"),
                        args=list(er.get("args") or []),
                    )
                )
    status = str(report.get("status") or ("ERROR" if errors else "OK")).upper()
    params = report.get("importParams")
    return MetadataImportResult(
        status=status,
        stats=Stats.model_validate(report.get("stats") or {}),
        types=types,
        errors=errors,
        import_params=params if isinstance(params, dict) else None,
        **envelope,
    )


def parse_metadata_import(body: Any, http_status: int | None = None) -> MetadataImportResult:
    """Any answer of ``POST /api/metadata`` or its task summary → ``MetadataImportResult``."""
    if not isinstance(body, dict):
        raise _shape_error("metadata import", body)
    try:
        if _is_webmessage(body):
            envelope = {"http_status": _int(body.get("httpStatusCode")) or http_status, "message": body.get("message")}
            response = body.get("response")
            if isinstance(response, dict) and ("typeReports" in response or "stats" in response):
                return _metadata_report(response, **envelope)
            job = _job(response, body.get("message")) if isinstance(response, dict) else None
            if job is not None:
                return MetadataImportResult(status="PENDING", job=job, **envelope)
            if response is None and str(body.get("status")).upper() in ("ERROR", "WARNING"):
                message = str(body.get("message") or "the import was refused")
                return MetadataImportResult(
                    status="ERROR", errors=[MetadataError(code=body.get("errorCode"), message=message)], **envelope
                )
            raise _shape_error("metadata import", body)
        if "typeReports" in body or "stats" in body:
            return _metadata_report(body, http_status=http_status)
    except ValidationError:
        raise _shape_error("metadata import", body) from None
    raise _shape_error("metadata import", body)


# ---------------------------------------------------------------------------------------------- data values


class Conflict(_Model):
    """One ImportConflict: ``message`` is DHIS2's ``value`` key; ``indexes`` point into the sent dataValues."""

    object: str | None = None
    objects: dict[str, Any] = Field(default_factory=dict)
    message: str = Field("", alias="value")
    error_code: str | None = Field(None, alias="errorCode")
    property: str | None = None
    indexes: list[int] = Field(default_factory=list)

    def describe(self) -> str:
        """``E7610 dataElement INVALID_1 (values 1, 2): <message>``."""
        rows = f" (value{'s' if len(self.indexes) > 1 else ''} {', '.join(map(str, self.indexes[:10]))})"
        subject = " ".join(p for p in (self.property, self.object) if p)
        return f"{self.error_code or 'conflict'} {subject}{rows if self.indexes else ''}: {self.message}"


class DataValueImportResult(_Model):
    """What ``POST /api/dataValueSets`` did: counts, conflicts (each with the indexes of the values concerned)."""

    status: str  # SUCCESS | WARNING | ERROR, or PENDING for an accepted async job
    http_status: int | None = None
    message: str | None = None
    description: str | None = None
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[Conflict] = Field(default_factory=list)
    rejected_indexes: list[int] = Field(default_factory=list)
    data_set_complete: str | None = None
    dry_run: bool | None = None
    job: JobRef | None = None

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS" and not self.conflicts

    @property
    def aborted(self) -> bool:
        """ERROR: the whole set was refused (data set, org unit or attribute option combo), nothing written."""
        return self.status == "ERROR"

    @property
    def total(self) -> int:
        return self.imported + self.updated + self.ignored + self.deleted


def _is_import_summary(body: dict) -> bool:
    return body.get("responseType") == "ImportSummary" or "importCount" in body


def _summary(summary: dict, **envelope: Any) -> DataValueImportResult:
    count = summary.get("importCount") or {}
    options = summary.get("importOptions") if isinstance(summary.get("importOptions"), dict) else {}
    conflicts = [Conflict.model_validate(c) for c in summary.get("conflicts") or [] if isinstance(c, dict)]
    return DataValueImportResult(
        status=str(summary.get("status") or ("WARNING" if conflicts else "SUCCESS")).upper(),
        description=summary.get("description"),
        imported=_int(count.get("imported")) or 0,
        updated=_int(count.get("updated")) or 0,
        ignored=_int(count.get("ignored")) or 0,
        deleted=_int(count.get("deleted")) or 0,
        conflicts=conflicts,
        rejected_indexes=[i for i in (summary.get("rejectedIndexes") or []) if isinstance(i, int)],
        data_set_complete=None if summary.get("dataSetComplete") is None else str(summary.get("dataSetComplete")),
        dry_run=options.get("dryRun"),
        **envelope,
    )


def parse_data_value_import(body: Any, http_status: int | None = None) -> DataValueImportResult:
    """Any answer of ``POST /api/dataValueSets`` (200, 409, async) or its task summary → ``DataValueImportResult``."""
    if not isinstance(body, dict):
        raise _shape_error("data value import", body)
    try:
        if _is_webmessage(body) and not _is_import_summary(body):
            envelope = {"http_status": _int(body.get("httpStatusCode")) or http_status, "message": body.get("message")}
            response = body.get("response")
            if isinstance(response, dict) and _is_import_summary(response):
                return _summary(response, **envelope)
            job = _job(response, body.get("message")) if isinstance(response, dict) else None
            if job is not None:
                return DataValueImportResult(status="PENDING", job=job, **envelope)
            if response is None and str(body.get("status")).upper() in ("ERROR", "WARNING"):
                return DataValueImportResult(status="ERROR", description=body.get("message"), **envelope)
            raise _shape_error("data value import", body)
        if _is_import_summary(body):
            return _summary(body, http_status=http_status)
    except ValidationError:
        raise _shape_error("data value import", body) from None
    raise _shape_error("data value import", body)


# ---------------------------------------------------------------------------------------------- tracker


class TrackerError(_Model):
    code: str | None = Field(None, alias="errorCode")
    message: str = ""
    tracker_type: str | None = Field(None, alias="trackerType")
    uid: str | None = None
    args: list[Any] = Field(default_factory=list)

    def describe(self) -> str:
        """``E1005 TRACKED_ENTITY Kj6vYde4LHh: <message>``."""
        subject = " ".join(p for p in (self.tracker_type, self.uid) if p)
        return f"{self.code or 'error'} {subject}: {self.message}"


class TrackerImportResult(_Model):
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


def parse_tracker_import(body: Any, http_status: int | None = None) -> TrackerImportResult:
    """``POST /api/tracker`` (bare report, 409 iff ERROR), its async acceptance, or ``/tracker/jobs/{id}/report``."""
    if not isinstance(body, dict):
        raise _shape_error("tracker import", body)
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
        if _is_webmessage(body):
            job = _job(body.get("response"), body.get("message"))
            if job is not None:
                job = job.model_copy(update={"kind": "tracker", "job_type": "TRACKER_IMPORT_JOB"})
                message = body.get("message")
                return TrackerImportResult(status="PENDING", job=job, http_status=http_status, message=message)
    except ValidationError:
        raise _shape_error("tracker import", body) from None
    raise _shape_error("tracker import", body)


# ---------------------------------------------------------------------------------------------- single objects


class ObjectResult(_Model):
    """The WebMessage answering a single-object POST/PUT (``/api/dataElements``, ``/api/apiToken`` ...).

    Such answers name the object ``uid`` (a GET names it ``id``, FACTS §6). ``key`` is only set by
    ``/api/apiToken`` and is a secret: it is masked in reprs and dumps.
    """

    status: str
    http_status: int | None = None
    message: str | None = None
    uid: str | None = None
    klass: str | None = None
    errors: list[MetadataError] = Field(default_factory=list)
    key: SecretStr | None = None

    @builtins.property
    def ok(self) -> bool:
        return self.status == "OK" and not self.errors


def parse_object_report(body: Any, http_status: int | None = None) -> ObjectResult:
    """A single-object WebMessage (``response.responseType`` ObjectReport / ApiTokenCreationResponse)."""
    if not isinstance(body, dict) or not _is_webmessage(body):
        raise _shape_error("object import", body)
    response = body.get("response") if isinstance(body.get("response"), dict) else {}
    klass = response.get("klass")
    errors = [
        MetadataError(
            code=er.get("errorCode"),
            message=str(er.get("message") or ""),
            klass=klass,
            uid=response.get("uid"),
            main_klass=er.get("mainKlass"),
            main_id=er.get("mainId"),
            error_klass=er.get("errorKlass"),
            property=er.get("errorProperty"),
            properties=list(er.get("errorProperties") or []),
            args=list(er.get("args") or []),
        )
        for er in response.get("errorReports") or []
        if isinstance(er, dict)
    ]
    key = response.get("key")
    return ObjectResult(
        status=str(body.get("status") or "").upper() or ("ERROR" if errors else "OK"),
        http_status=_int(body.get("httpStatusCode")) or http_status,
        message=body.get("message"),
        uid=response.get("uid"),
        klass=klass,
        errors=errors,
        key=SecretStr(key) if isinstance(key, str) else None,
    )


# ---------------------------------------------------------------------------------------------- jobs


class Notification(_Model):
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
        raise _shape_error("job status", body)
    try:
        notes = [Notification.model_validate(n) for n in items if isinstance(n, dict)]
    except ValidationError:
        raise _shape_error("job status", body) from None
    return sorted(notes, key=lambda n: n.time or "", reverse=True)
