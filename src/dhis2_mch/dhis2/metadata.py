"""``POST /api/metadata``: the authorities it needs, the import, and its report as one typed result.

Every shape the answer comes in (sync 200/409, legacy bare report, async job and its task summary,
2.42.0–2.42.4's ``ImportReportWebMessageResponse``) becomes one ``MetadataImportResult``. The result
also checks DHIS2's counts against what was sent: a report whose counts do not account for every
object sent (e.g. "OK, 0 created" after 321 objects) is not ``ok``.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, ValidationError

from dhis2_mch.dhis2._envelopes import (
    JobRef,
    Model,
    Stats,
    as_int,
    choice,
    is_webmessage,
    job_ref,
    serialise,
    shape_checked,
    shape_error,
)
from dhis2_mch.dhis2.authorities import require_metadata_import
from dhis2_mch.dhis2.jobs import PollPolicy, wait_for_job
from dhis2_mch.errors import InputError

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection

log = logging.getLogger(__name__)

#: metadata payloads above this go ``async=true`` so no proxy times out while DHIS2 works
ASYNC_THRESHOLD_BYTES = 5_000_000

ImportMode = Literal["VALIDATE", "COMMIT"]
_CHOICES = {
    "import_mode": ("VALIDATE", "COMMIT"),
    "atomic_mode": ("ALL", "NONE"),
    "import_strategy": ("CREATE", "UPDATE", "CREATE_AND_UPDATE"),
    "report_mode": ("FULL", "ERRORS", "ERRORS_NOT_OWNER", "DEBUG"),
    "identifier": ("UID", "CODE"),
}


class MetadataError(Model):
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


class TypeResult(Model):
    """Counts for one metadata type, named both ways: ``dataElements`` and ``org.hisp.dhis.dataelement.DataElement``."""

    klass: str
    plural: str
    stats: Stats = Stats()


class MetadataImportResult(Model):
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
    #: objects sent per collection (``import_metadata`` fills it), to hold DHIS2's counts against
    sent: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        """DHIS2 said OK, reported no error, and its counts account for every object sent."""
        return self.status == "OK" and not self.errors and self.unaccounted is None

    @property
    def unaccounted(self) -> str | None:
        """Why DHIS2's counts do not add up to what was sent (None when they do, or nothing is known).

        Every object sent is counted once as created, updated, deleted or ignored (core
        DefaultMetadataImportService: with atomicMode=ALL a failed import moves every count to
        ``ignored``). A report that counts fewer, e.g. "OK, 0 created" after 321 objects, did not do
        what was asked, whatever its status says. Only a COMMIT is held to it: in importMode=VALIDATE
        DefaultObjectBundleService.commit returns before counting anything.
        """
        if self.sent is None or self.status == "PENDING" or self.import_mode != "COMMIT":
            return None
        counted = self.stats.created + self.stats.updated + self.stats.deleted + self.stats.ignored
        expected = sum(self.sent.values())
        gaps = []
        for t in self.types:
            got = t.stats.created + t.stats.updated + t.stats.deleted + t.stats.ignored
            if t.plural in self.sent and got != self.sent[t.plural]:
                gaps.append(f"{t.plural} {got} of {self.sent[t.plural]}")
        if counted == expected and not gaps:
            return None
        detail = f" ({'; '.join(gaps)})" if gaps else ""
        return (
            f"DHIS2 counted {counted} object{'s' if counted != 1 else ''} ({self.stats.created} created, "
            f"{self.stats.updated} updated, {self.stats.deleted} deleted, {self.stats.ignored} ignored) for the "
            f"{expected} sent{detail}"
        )

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
                        index=as_int(obj.get("index")),
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


@shape_checked("metadata import")
def parse_metadata_import(body: Any, http_status: int | None = None) -> MetadataImportResult:
    """Any answer of ``POST /api/metadata`` or its task summary → ``MetadataImportResult``."""
    if not isinstance(body, dict):
        raise shape_error("metadata import", body)
    try:
        if is_webmessage(body):
            envelope = {
                "http_status": as_int(body.get("httpStatusCode")) or http_status,
                "message": body.get("message"),
            }
            response = body.get("response")
            if isinstance(response, dict) and ("typeReports" in response or "stats" in response):
                return _metadata_report(response, **envelope)
            job = job_ref(response, body.get("message")) if isinstance(response, dict) else None
            if job is not None:
                return MetadataImportResult(status="PENDING", job=job, **envelope)
            if response is None and str(body.get("status")).upper() in ("ERROR", "WARNING"):
                message = str(body.get("message") or "the import was refused")
                return MetadataImportResult(
                    status="ERROR", errors=[MetadataError(code=body.get("errorCode"), message=message)], **envelope
                )
            raise shape_error("metadata import", body)
        if "typeReports" in body or "stats" in body:
            return _metadata_report(body, http_status=http_status)
    except ValidationError:
        raise shape_error("metadata import", body) from None
    raise shape_error("metadata import", body)


def _metadata_collections(payload: Any) -> dict[str, list]:
    if not isinstance(payload, dict):
        raise InputError("A metadata payload is a JSON object of collections (dataElements, dataSets, ...).")
    return {k: v for k, v in payload.items() if isinstance(v, list)}


def import_metadata(
    conn: Connection,
    payload: Mapping[str, Any] | bytes,
    *,
    import_mode: ImportMode,
    atomic_mode: str = "ALL",
    import_strategy: str = "CREATE_AND_UPDATE",
    report_mode: str = "ERRORS",
    identifier: str = "UID",
    skip_sharing: bool = False,
    async_threshold_bytes: int | None = None,
    poll: PollPolicy | None = None,
    check_authorities: bool = True,
) -> MetadataImportResult:
    """``POST /api/metadata`` and return its report, whatever shape it comes in (sync, 409, or async job).

    Never deletes: importStrategy DELETE is refused. Payloads over ``async_threshold_bytes`` go
    ``async=true`` and the job is polled to its report. Retried on transient failures only when every
    object has a fixed ``id`` and the strategy is CREATE_AND_UPDATE/UPDATE (see ``connection``).
    ``async_threshold_bytes`` defaults to the profile's ``options.async_threshold_bytes``, else 5 MB.
    """
    if str(import_strategy).upper() == "DELETE":
        raise InputError("dhis2-mch never deletes metadata: importStrategy DELETE is refused.")
    params = {
        "importMode": choice("import_mode", import_mode, _CHOICES["import_mode"]),
        "atomicMode": choice("atomic_mode", atomic_mode, _CHOICES["atomic_mode"]),
        "importStrategy": choice("import_strategy", import_strategy, _CHOICES["import_strategy"]),
        "importReportMode": choice("report_mode", report_mode, _CHOICES["report_mode"]),
        "identifier": choice("identifier", identifier, _CHOICES["identifier"]),
    }
    if skip_sharing:
        params["skipSharing"] = "true"
    body, parsed = serialise(payload, "metadata")
    collections = _metadata_collections(parsed)
    if check_authorities:
        require_metadata_import(conn, [k for k, v in collections.items() if v])
    threshold = async_threshold_bytes or conn.async_threshold_bytes or ASYNC_THRESHOLD_BYTES
    use_async = len(body) > threshold
    fixed_ids = all(isinstance(o, dict) and o.get("id") for objs in collections.values() for o in objs)
    idempotent = not use_async and fixed_ids and params["importStrategy"] in ("CREATE_AND_UPDATE", "UPDATE")
    if use_async:
        params["async"] = "true"
    log.info("POST /api/metadata %s (%d bytes%s)", params["importMode"], len(body), ", async" if use_async else "")
    reply = conn.post("metadata", body, params=params, idempotent=idempotent, accept=(409,))
    result = parse_metadata_import(reply.data, reply.status)
    if result.job is not None:
        summary = wait_for_job(conn, result.job, poll)
        result = parse_metadata_import(summary).model_copy(update={"job": result.job})
    sent = {plural: len(objects) for plural, objects in collections.items() if objects}
    return result.model_copy(update={"import_mode": params["importMode"], "sent": sent})


# ---------------------------------------------------------------------------------------------- single objects


class ObjectResult(Model):
    """The WebMessage answering a single-object POST/PUT (``/api/dataElements``, ``/api/apiToken`` ...).

    Such answers name the object ``uid`` (a GET names it ``id``; ``WebMessageUtils.objectReport``).
    ``key`` is only set by ``/api/apiToken`` and is a secret: it is masked in reprs and dumps.
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


@shape_checked("object import")
def parse_object_report(body: Any, http_status: int | None = None) -> ObjectResult:
    """A single-object WebMessage (``response.responseType`` ObjectReport / ApiTokenCreationResponse)."""
    if not isinstance(body, dict) or not is_webmessage(body):
        raise shape_error("object import", body)
    found = body.get("response")
    response: dict[str, Any] = found if isinstance(found, dict) else {}
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
        http_status=as_int(body.get("httpStatusCode")) or http_status,
        message=body.get("message"),
        uid=response.get("uid"),
        klass=klass,
        errors=errors,
        key=SecretStr(key) if isinstance(key, str) else None,
    )
