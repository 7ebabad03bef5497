"""The shapes around every request and answer: WebMessage envelopes, jobs, counts, and request parameters.

DHIS2 2.38–2.42 wrap reports in a WebMessage (``{"httpStatus", "status", "message", "response"}``),
answer failures with HTTP 409 and ``status: WARNING`` on the envelope while the report inside says
``ERROR``, return bare reports from ``/api/37/...`` and from ``/api/system/taskSummaries``, and answer
``async=true`` with a job instead of a report (core WebMessageUtils, MetadataImportExportController).
The per-import modules (``metadata``, ``datavalues``, ``tracker``) parse their reports with these
helpers. Models ignore keys they do not know, so a future version adding keys does not break parsing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict

from dhis2_mch.errors import InputError, UnexpectedResponse

F = TypeVar("F", bound=Callable[..., Any])

_ID_SCHEME = re.compile(r"^(?i:uid|id|code|name|attribute:[a-zA-Z][a-zA-Z0-9]{10})$")


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class Stats(Model):
    created: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    total: int = 0


class JobRef(Model):
    """An accepted asynchronous job: where to poll for its progress and its report."""

    id: str
    job_type: str
    kind: Literal["system", "tracker"] = "system"
    location: str | None = None
    message: str | None = None


def is_webmessage(body: dict) -> bool:
    return "httpStatusCode" in body or "httpStatus" in body or ("response" in body and "status" in body)


def job_ref(response: dict, message: str | None) -> JobRef | None:
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


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def shape_error(what: str, body: Any) -> UnexpectedResponse:
    keys = ", ".join(sorted(body)[:8]) if isinstance(body, dict) else type(body).__name__
    return UnexpectedResponse(
        f"DHIS2 answered the {what} in a shape dhis2-mch does not recognise (top-level: {keys}). The server may "
        "not be DHIS2 2.38–2.42, or a proxy changed the answer."
    )


def shape_checked(what: str) -> Callable[[F], F]:
    """Decorate a parser or reader: an answer that breaks it (a list where an object belongs, a count
    that is not a number ...) is an ``UnexpectedResponse`` naming ``what``, never an internal error."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
                raise UnexpectedResponse(
                    f"DHIS2 answered the {what} in a shape dhis2-mch does not recognise ({type(exc).__name__} "
                    "while reading it). The server may not be DHIS2 2.38–2.42, or a proxy changed the answer."
                ) from exc

        return cast(F, checked)

    return decorate


def choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    value = str(value).upper()
    if value not in choices:
        # DHIS2 silently falls back to the default for an unknown value (``Enums.getIfPresent(...).or(default)``
        # in ``DefaultMetadataImportService.getParamsFromMap``): refuse it here instead
        raise InputError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def check_id_scheme(value: str, name: str) -> str:
    if not _ID_SCHEME.match(value):
        raise InputError(f"{name} must be UID, CODE, NAME or ATTRIBUTE:<attribute uid>, not {value!r}.")
    return value.upper() if ":" not in value else "ATTRIBUTE:" + value.split(":", 1)[1]


def serialise(payload: Mapping[str, Any] | bytes, what: str) -> tuple[bytes, Any]:
    """(body bytes, parsed payload): a dict is serialised once; bytes are parsed once to inspect them."""
    if isinstance(payload, bytes | bytearray):
        body = bytes(payload)
        try:
            parsed = json.loads(body)
        except ValueError as exc:
            raise InputError(f"The {what} payload is not valid JSON: {exc}.") from None
        return body, parsed
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), payload
