"""``/api/dataValueSets``: reading values back, the import, and its ImportSummary as one typed result.

A 409 is a result, not an error: DHIS2 answers 409 even when it imported part of the values
(conflicts, each with the indexes of the values concerned). The result also checks DHIS2's counts
against the values sent (``sent``/``unaccounted``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from pydantic import Field, ValidationError

from dhis2_mch.dhis2._envelopes import (
    JobRef,
    Model,
    as_int,
    check_id_scheme,
    is_webmessage,
    job_ref,
    serialise,
    shape_checked,
    shape_error,
)
from dhis2_mch.dhis2.authorities import DATA_VALUE_AUTHORITY, require_data_value_import
from dhis2_mch.dhis2.jobs import PollPolicy, wait_for_job
from dhis2_mch.dhis2.reads import MAX_URL_BYTES
from dhis2_mch.errors import InputError, UnexpectedResponse

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection

log = logging.getLogger(__name__)


class DataValue(Model):
    data_element: str = Field(alias="dataElement")
    period: str
    org_unit: str = Field(alias="orgUnit")
    category_option_combo: str | None = Field(None, alias="categoryOptionCombo")
    attribute_option_combo: str | None = Field(None, alias="attributeOptionCombo")
    value: str | None = None
    stored_by: str | None = Field(None, alias="storedBy")
    created: str | None = None
    last_updated: str | None = Field(None, alias="lastUpdated")
    comment: str | None = None
    followup: bool | None = None
    deleted: bool | None = None


@shape_checked("data value read")
def get_data_values(
    conn: Connection,
    *,
    data_set: str | Sequence[str],
    periods: Iterable[str] = (),
    org_units: Iterable[str] = (),
    start_date: str | None = None,
    end_date: str | None = None,
    children: bool = False,
    id_scheme: str | None = None,
    include_deleted: bool = False,
) -> list[DataValue]:
    """Data values of a data set, for periods (or a date range) and org units; org units chunked by URL size."""
    data_sets = [data_set] if isinstance(data_set, str) else list(data_set)
    periods, units = list(periods), list(dict.fromkeys(org_units))
    if not data_sets or not units or not (periods or (start_date and end_date)):
        raise InputError("Reading data values needs a data set, at least one org unit, and periods or a date range.")
    base: list[tuple[str, str]] = [("dataSet", d) for d in data_sets] + [("period", p) for p in periods]
    base += [(k, v) for k, v in (("startDate", start_date), ("endDate", end_date)) if v]
    base += [("children", str(children).lower()), ("includeDeleted", str(include_deleted).lower())]
    if id_scheme:
        base.append(("idScheme", check_id_scheme(id_scheme, "id_scheme")))
    values: list[DataValue] = []
    for params in _unit_chunks(conn, base, units):
        data = conn.get("dataValueSets", params=params).data
        if data is not None and not isinstance(data, dict):
            raise UnexpectedResponse(f"{conn.where}: GET /api/dataValueSets did not answer with a data value set.")
        values += [DataValue.model_validate(v) for v in (data or {}).get("dataValues") or []]
    return values


def _unit_chunks(conn: Connection, base: list[tuple[str, str]], units: list[str]) -> Iterator[list[tuple[str, str]]]:
    prefix = len(f"{conn.api_url}/dataValueSets?") + len(urlencode(base))
    chunk: list[str] = []
    size = prefix
    for unit in units:
        cost = len(urlencode({"orgUnit": unit})) + 1
        if chunk and size + cost > MAX_URL_BYTES:
            yield base + [("orgUnit", u) for u in chunk]
            chunk, size = [], prefix
        chunk.append(unit)
        size += cost
    if chunk:
        yield base + [("orgUnit", u) for u in chunk]


def import_data_values(
    conn: Connection,
    payload: bytes | Mapping[str, Any],
    *,
    dry_run: bool,
    id_scheme: str | None = None,
    data_element_id_scheme: str | None = None,
    org_unit_id_scheme: str | None = None,
    category_option_combo_id_scheme: str | None = None,
    data_set_id_scheme: str | None = None,
    import_strategy: Literal["CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"] = "CREATE_AND_UPDATE",
    async_: bool = False,
    options: Mapping[str, str | bool] | None = None,
    poll: PollPolicy | None = None,
    check_authorities: bool = True,
    values: tuple[int, int] | None = None,
) -> DataValueImportResult:
    """``POST /api/dataValueSets`` (JSON bytes, serialised once by the caller) and return its ImportSummary.

    A 409 is a result (conflicts), not an error: DHIS2 answers 409 even when it imported part of the
    values. ``options`` passes further ImportOptions (``skipAudit``, ``strictPeriods`` ...). ``values``:
    (values, numeric zeros) in the body when the caller built it and knows; otherwise they are counted
    in the bytes.
    """
    strategy = str(import_strategy).upper()
    if strategy not in ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"):
        raise InputError(f"import_strategy must be CREATE, UPDATE, CREATE_AND_UPDATE or DELETE, not {strategy!r}.")
    params: dict[str, str] = {"dryRun": str(bool(dry_run)).lower(), "importStrategy": strategy}
    schemes: tuple[tuple[str, str | None, str], ...] = (
        ("idScheme", id_scheme, "id_scheme"),
        ("dataElementIdScheme", data_element_id_scheme, "data_element_id_scheme"),
        ("orgUnitIdScheme", org_unit_id_scheme, "org_unit_id_scheme"),
        ("categoryOptionComboIdScheme", category_option_combo_id_scheme, "category_option_combo_id_scheme"),
        ("dataSetIdScheme", data_set_id_scheme, "data_set_id_scheme"),
    )
    for key, scheme, name in schemes:
        if scheme:
            params[key] = check_id_scheme(scheme, name)
    for key, option in (options or {}).items():
        params[key] = str(option).lower() if isinstance(option, bool) else str(option)
    if async_:
        params["async"] = "true"
    # serialised once by the caller: counted (~0.1 µs a value), not parsed again (~1.2 µs a value)
    body = bytes(payload) if isinstance(payload, bytes | bytearray) else serialise(payload, "data value")[0]
    sent = values[0] if values is not None else _count_sent(body)
    if check_authorities:
        require_data_value_import(conn)
    log.info("POST /api/dataValueSets (%d bytes, dryRun=%s, async=%s)", len(body), params["dryRun"], async_)
    reply = conn.post(
        "dataValueSets", body, params=params, idempotent=not async_, accept=(409,), authority=DATA_VALUE_AUTHORITY
    )
    result = parse_data_value_import(reply.data, reply.status)
    if result.job is not None:
        summary = wait_for_job(conn, result.job, poll)
        result = parse_data_value_import(summary).model_copy(update={"job": result.job})
    # zeros are looked for only when DHIS2 counted fewer values than were sent (DHIS2 skips some uncounted)
    zeros = 0 if sent is None or result.total >= sent else values[1] if values is not None else _count_zeros(body)
    return result.model_copy(update={"sent": sent, "sent_zeros": zeros})


#: a data value's ``"value"`` key (in a DataValueSet nothing else has a key named value, and a quote
#: inside a string is escaped, so this matches once per value), and the same holding a numeric zero
_VALUE_KEY = (b'"value":', b'"value" :')
_ZERO_VALUE = re.compile(rb'"value"\s*:\s*"?\s*[-+]?0*(?:\.0*)?\s*"?\s*[,}]')


def _count_sent(body: bytes) -> int | None:
    """Values in the JSON bytes of a DataValueSet, without parsing it (None: not a DataValueSet)."""
    if b'"dataValues"' not in body:
        return None
    return sum(body.count(key) for key in _VALUE_KEY)


def _count_zeros(body: bytes) -> int:
    """Values that are a numeric zero ("0", "0.0", "-0" ...) in the JSON bytes of a DataValueSet."""
    return len(_ZERO_VALUE.findall(body))


class Conflict(Model):
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


class DataValueImportResult(Model):
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
    #: values sent, and how many of them were numeric zeros (``import_data_values`` fills both)
    sent: int | None = None
    sent_zeros: int = 0

    @property
    def ok(self) -> bool:
        """SUCCESS, no conflict, and DHIS2's counts account for the values sent."""
        return self.status == "SUCCESS" and not self.conflicts and self.unaccounted is None

    @property
    def unaccounted(self) -> str | None:
        """Why DHIS2's counts do not add up to the values sent (None when they do, or nothing is known).

        Each value is counted once as imported, updated, ignored or deleted, except a zero of a data
        element whose zeros are not significant: DefaultDataValueSetService skips it through
        ``ImportSummary.skipValue()``, whose count the final importCount replaces, so up to
        ``sent_zeros`` values may be missing from the total. An aborted import (ERROR) counts nothing.
        """
        if self.sent is None or self.status in ("PENDING", "ERROR"):
            return None
        if self.sent - self.sent_zeros <= self.total <= self.sent:
            return None
        return (
            f"DHIS2 counted {self.total} value{'s' if self.total != 1 else ''} ({self.imported} imported, "
            f"{self.updated} updated, {self.ignored} ignored, {self.deleted} deleted) for the {self.sent} sent"
        )

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
    given = summary.get("importOptions")
    options: dict[str, Any] = given if isinstance(given, dict) else {}
    conflicts = [Conflict.model_validate(c) for c in summary.get("conflicts") or [] if isinstance(c, dict)]
    return DataValueImportResult(
        status=str(summary.get("status") or ("WARNING" if conflicts else "SUCCESS")).upper(),
        description=summary.get("description"),
        imported=as_int(count.get("imported")) or 0,
        updated=as_int(count.get("updated")) or 0,
        ignored=as_int(count.get("ignored")) or 0,
        deleted=as_int(count.get("deleted")) or 0,
        conflicts=conflicts,
        rejected_indexes=[i for i in (summary.get("rejectedIndexes") or []) if isinstance(i, int)],
        data_set_complete=None if summary.get("dataSetComplete") is None else str(summary.get("dataSetComplete")),
        dry_run=options.get("dryRun"),
        **envelope,
    )


@shape_checked("data value import")
def parse_data_value_import(body: Any, http_status: int | None = None) -> DataValueImportResult:
    """Any answer of ``POST /api/dataValueSets`` (200, 409, async) or its task summary → ``DataValueImportResult``."""
    if not isinstance(body, dict):
        raise shape_error("data value import", body)
    try:
        if is_webmessage(body) and not _is_import_summary(body):
            envelope = {
                "http_status": as_int(body.get("httpStatusCode")) or http_status,
                "message": body.get("message"),
            }
            response = body.get("response")
            if isinstance(response, dict) and _is_import_summary(response):
                return _summary(response, **envelope)
            job = job_ref(response, body.get("message")) if isinstance(response, dict) else None
            if job is not None:
                return DataValueImportResult(status="PENDING", job=job, **envelope)
            if response is None and str(body.get("status")).upper() in ("ERROR", "WARNING"):
                return DataValueImportResult(status="ERROR", description=body.get("message"), **envelope)
            raise shape_error("data value import", body)
        if _is_import_summary(body):
            return _summary(body, http_status=http_status)
    except ValidationError:
        raise shape_error("data value import", body) from None
    raise shape_error("data value import", body)
