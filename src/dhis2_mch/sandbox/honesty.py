"""What the sandbox does not do, said plainly: 501 "Not implemented by the sandbox", and DHIS2's 415.

DHIS2 answers many more requests than dhis2-mch makes. Where the sandbox has no model of an answer it
must not invent one (a plausible 200) nor pretend the request is wrong (a 404 or 405 a real server would
not give): it answers 501 with a message naming the request. ``NOT_IMPLEMENTED`` lists what the banner
and README list.

415: DHIS2's import endpoints consume JSON, XML, CSV, ADX, PDF, GML (``MetadataImportExportController``,
``DataValueSetController``, ``TrackerImportController`` ``consumes``); any other or no Content-Type is
Spring's ``HttpMediaTypeNotSupportedException``, answered 415 by ``CrudControllerAdvice`` (no
Content-Type counts as ``application/octet-stream``). Those DHIS2 reads but the sandbox does not (all
but JSON) are 501.
"""

from __future__ import annotations

from dhis2_mch.sandbox import webmessage as wm
from dhis2_mch.sandbox.versions import Version
from dhis2_mch.sandbox.wire import Request, Response

#: What the sandbox does not implement (the banner and README print this).
NOT_IMPLEMENTED = (
    "XML, CSV, ADX, PDF and GML bodies and answers (JSON only)",
    "single-object metadata CRUD: POST/PUT/PATCH/DELETE /api/<type>[/<id>] and sub-resources "
    "(use POST /api/metadata, importStrategy=DELETE included)",
    "analytics, apps and the App Hub, the data store, dashboards' rendering, maintenance and resource tables",
    "data approvals, lock exceptions, audits, validation and predictor runs, messaging, file resources",
    "tracked entities, enrollments and relationships (only events through /api/tracker)",
    "sharing and user administration endpoints (/api/sharing, /api/users/... writes; sharing is honoured "
    "when it comes in through /api/metadata)",
    "system settings, user settings, translations and i18n endpoints",
)

# First path segments of DHIS2 2.38–2.42 Web API endpoints the sandbox does not model.
UNMODELLED_ROOTS = frozenset(
    {
        "analytics", "apps", "appHub", "dataStore", "userDataStore", "dataValues", "dataEntry",
        "dataApprovals", "dataAnalysis", "dataIntegrity", "audits", "maintenance", "resourceTables",
        "sharing", "schemas", "messageConversations", "fileResources", "icons", "locales", "i18n",
        "staticContent", "systemSettings", "userSettings", "configuration", "trackedEntityInstances",
        "events", "enrollments", "relationships", "trackedEntities", "sms", "synchronization", "validation",
        "validationResults", "minMaxDataElements", "lockExceptions", "outlierDetection", "interpretations",
        "periodTypes", "filledOrganisationUnitLevels", "organisationUnitLevels", "apiToken", "account",
        "auth", "2fa", "deletedObjects", "expressions", "dimensions", "svg", "dataSetReport", "reportTables",
        "charts", "dataValueAudits", "gist", "query", "route", "aggregateDataExchanges",
        "metadataAudits", "scheduler",
    }
)  # fmt: skip
UNMODELLED_SYSTEM = frozenset({"id", "uid", "uuid", "cluster", "flags", "styles", "objectCounts", "tasks/summary"})

IMPORTS = ("metadata", "dataValueSets", "tracker", "completeDataSetRegistrations")
# Content types DHIS2 consumes on its import endpoints, other than JSON
OTHER_FORMATS = ("xml", "csv", "adx", "pdf", "gml", "zip", "gzip")
OTHER_SUFFIXES = (".xml", ".csv", ".adx", ".pdf", ".xls", ".xlsx", ".gml", ".zip", ".gz", ".html")


def not_implemented(method: str, path: str) -> Response:
    return Response.message(
        wm.error(
            501,
            f"Not implemented by the sandbox: {method} {path}. The sandbox is a stand-in for the DHIS2 "
            "Web API calls dhis2-mch makes, not DHIS2; `dhis2-mch sandbox` lists what it leaves out.",
        )
    )


def _is_json(content_type: str) -> bool:
    mime = content_type.split(";")[0].strip().lower()
    return mime == "application/json" or mime.endswith("+json")


def refusal(req: Request, parts: list[str], version: Version) -> Response | None:
    """501 or 415 before routing, or None to route the request."""
    method = req.method.upper()
    head = parts[0] if parts else ""
    if req.path.lower().endswith(OTHER_SUFFIXES):
        return not_implemented(method, req.path)
    accept = (req.header("Accept") or "").lower()
    if accept and "json" not in accept and "*/*" not in accept and any(f in accept for f in OTHER_FORMATS):
        return not_implemented(method, req.path)
    if head == "system" and "/".join(parts[1:]) in UNMODELLED_SYSTEM:
        return not_implemented(method, req.path)
    if head in UNMODELLED_ROOTS or (head == "tracker" and not _tracker_modelled(parts)):
        return not_implemented(method, req.path)
    if method in ("POST", "PUT", "PATCH") and head in IMPORTS:
        content_type = req.header("Content-Type") or ""
        if not _is_json(content_type):
            if any(f in content_type.lower() for f in OTHER_FORMATS):
                return not_implemented(method, req.path)
            shown = content_type or "application/octet-stream"
            return Response.message(wm.error(415, f"Content type '{shown}' not supported"))
    return None


def _tracker_modelled(parts: list[str]) -> bool:
    """/api/tracker (POST, events) and /api/tracker/jobs/... are modelled; the rest of /api/tracker is not."""
    return parts == ["tracker"] or (len(parts) >= 3 and parts[1] == "jobs")
