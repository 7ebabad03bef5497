"""The sandbox as a function: request in, response out, with DHIS2's routing and authentication.

Both transports call ``App.handle``: the loopback HTTP server (``server.py``) and the in-process
``responses`` router (``mock.py``), so unit tests and real HTTP see exactly the same answers.

Paths: ``/api/...`` and ``/api/<n>/...`` (``/api/40/metadata``); a ``.json`` suffix is accepted.
Version paths below 38 (``/api/37/metadata``, ``/api/37/dataValueSets``) answer the bare report with
HTTP 200, as ``withPlainResponseBefore(V38)`` does. ``/api/system/ping`` needs no credentials; every
other path does (see ``auth.py``).

unverified: the 404 text for an unknown object ("<Type> with id <uid> could not be found.", with
errorCode E1005 from 2.40, the first schema whose ErrorCode enum has it)
and for an unknown path; 2.41+ ``Initiated <JOB_TYPE> (<job id>)`` (FACTS only says
"Initiated METADATA_IMPORT (...)").
"""

from __future__ import annotations

import json
import re
import sys
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from dhis2_mch.sandbox import auth, datavalue_export, datavalues, query
from dhis2_mch.sandbox import metadata as md
from dhis2_mch.sandbox import webmessage as wm
from dhis2_mch.sandbox.jobs import Job, Jobs
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.tracker import TrackerImport
from dhis2_mch.sandbox.versions import Version

LOGIN_PATH = "/dhis-web-commons/security/login.action"
LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>DHIS 2</title></head><body><form action='login.action' "
    b"method='post'><input name='j_username'><input name='j_password' type='password'></form>"
    b"</body></html>"
)
_API = re.compile(r"^/api(?:/(?P<version>\d{2}))?(?P<rest>/.*)?$")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = "http://127.0.0.1"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @classmethod
    def json(cls, status: int, obj, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}, body)

    @classmethod
    def message(cls, body: dict, headers: dict[str, str] | None = None) -> Response:
        return cls.json(body["httpStatusCode"], body, headers)

    @classmethod
    def empty(cls, status: int = 200) -> Response:
        return cls(status, {"Content-Type": "application/json;charset=UTF-8"}, b"")


@dataclass
class Caller:
    user: dict
    granted: list[str]


class App:
    def __init__(self, store: Store, version: Version, jobs: Jobs | None = None, today: date | None = None):
        self.store, self.version = store, version
        self.jobs = jobs or Jobs()
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    # -- entry point --

    def handle(self, req: Request) -> Response:
        try:
            return self._handle(req)
        except Exception as exc:  # a sandbox bug: answer like DHIS2's 500 and keep the traceback
            traceback.print_exc(file=sys.stderr)
            return Response.message(wm.error(500, f"{type(exc).__name__}: {exc}"))

    def _handle(self, req: Request) -> Response:
        if req.path == LOGIN_PATH:
            return Response(200, {"Content-Type": "text/html;charset=UTF-8"}, LOGIN_PAGE)
        m = _API.match(req.path)
        if not m:
            return Response.message(wm.not_found(f"No handler found for {req.method} {req.path}"))
        api_version = int(m.group("version")) if m.group("version") else None
        parts = [p for p in (m.group("rest") or "/").split("/") if p]
        if parts and parts[-1].endswith(".json"):
            parts[-1] = parts[-1][: -len(".json")]
        if parts == ["system", "ping"]:
            return Response(200, {"Content-Type": "text/plain;charset=UTF-8"}, b"pong")
        caller = self._authenticate(req)
        if isinstance(caller, Response):
            return caller
        with self.store.lock:
            return self._route(req, parts, api_version, caller)

    def _authenticate(self, req: Request) -> Caller | Response:
        creds = auth.parse_authorization(req.header("Authorization"))
        if creds.kind == "none":
            if req.header("X-Requested-With") == "XMLHttpRequest":
                return Response.message(wm.unauthorized())
            return Response(302, {"Location": req.base_url + LOGIN_PATH}, b"")
        with self.store.lock:
            if creds.kind == "token":
                user_uid = self.store.token_user(creds.secret)
                if user_uid is None:
                    return Response.message(wm.unauthorized(auth.BAD_TOKEN))
            elif creds.kind == "basic":
                user_uid = self.store.check_password(creds.username, creds.secret)
                if user_uid is None:
                    return Response.message(wm.unauthorized(), {"WWW-Authenticate": 'Basic realm="DHIS2"'})
            else:
                return Response.message(wm.unauthorized())
            user = self.store.get("users", user_uid)
            if user is None:
                return Response.message(wm.unauthorized())
            return Caller(user, auth.authorities(user, self.store.objects("userRoles")))

    def _route(self, req: Request, parts: list[str], api_version: int | None, caller: Caller) -> Response:
        legacy = api_version is not None and api_version < 38
        method = req.method.upper()
        head = parts[0] if parts else ""
        if parts == ["system", "info"] and method == "GET":
            return Response.json(200, self._system_info(req))
        if parts == ["me"] and method == "GET":
            return Response.json(200, self._me(req, caller))
        if head == "metadata" and len(parts) == 1:
            if method == "POST":
                return self._post_metadata(req, caller, legacy)
            if method == "GET":
                return Response.json(200, md.export(self.store, self.version, req.query, self.store.by_uid))
        if head == "dataValueSets" and len(parts) == 1:
            if method == "POST":
                return self._post_data_values(req, caller, legacy)
            if method == "GET":
                status, body = datavalue_export.export_values(
                    self.store, self.version, req.query, caller.user, caller.granted
                )
                return Response.json(status, body)
        if head == "completeDataSetRegistrations" and len(parts) == 1 and method in ("GET", "POST"):
            return self._complete_registrations(req, caller, legacy)
        if head == "tracker":
            return self._tracker(req, parts, caller)
        if head == "system" and len(parts) >= 3 and parts[1] in ("tasks", "taskSummaries") and method == "GET":
            return self._tasks(parts)
        if head in md.KLASSES and method == "GET" and len(parts) in (1, 2):
            return self._get_objects(req, head, parts[1] if len(parts) == 2 else None)
        if head in md.KLASSES:
            return Response.message(wm.error(405, f"Request method '{method}' not supported"))
        return Response.message(wm.not_found(f"No handler found for {method} {req.path}"))

    # -- system --

    def _system_info(self, req: Request) -> dict:
        now = datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        return {
            "contextPath": req.base_url,
            "userAgent": req.header("User-Agent") or "",
            "calendar": "iso8601",
            "dateFormat": "yyyy-mm-dd",
            "serverDate": now,
            "serverTimeZoneId": "Asia/Ho_Chi_Minh",
            "serverTimeZoneDisplayName": "Indochina Time",
            "lastAnalyticsTableSuccess": now,
            "intervalSinceLastAnalyticsTableSuccess": "0 s",
            "lastAnalyticsTableRuntime": "00:00:00.000",
            "lastSystemMonitoringSuccess": now,
            "version": self.version.full,
            "revision": self.version.revision,
            "buildTime": self.version.build_time,
            "databaseInfo": {"spatialSupport": False},
            "encryption": False,
            "emailConfigured": False,
            "redisEnabled": False,
            "systemName": "dhis2-mch sandbox (not DHIS2)",
            "instanceBaseUrl": req.base_url,
            "isMetadataVersionEnabled": True,
        }

    def _me(self, req: Request, caller: Caller) -> dict:
        u = caller.user
        me = {
            "id": u["id"],
            "username": u.get("username"),
            "surname": u.get("surname"),
            "firstName": u.get("firstName"),
            "name": u.get("name"),
            "displayName": u.get("name"),
            "created": u.get("created"),
            "lastUpdated": u.get("lastUpdated"),
            "settings": {"keyUiLocale": "en", "keyDbLocale": "en"},
            "programs": sorted(self.store.objects("programs")),
            "dataSets": sorted(self.store.objects("dataSets")),
            "authorities": caller.granted,
            "organisationUnits": u.get("organisationUnits") or [],
            "dataViewOrganisationUnits": u.get("dataViewOrganisationUnits") or [],
            "teiSearchOrganisationUnits": u.get("teiSearchOrganisationUnits") or [],
            "userRoles": u.get("userRoles") or [],
            "userGroups": u.get("userGroups") or [],
            "userCredentials": {"id": u["id"], "username": u.get("username"), "userRoles": u.get("userRoles") or []},
        }
        me = {k: v for k, v in me.items() if v is not None}
        fields = (req.query.get("fields") or [None])[0]
        return query.apply_fields(me, query.parse_fields(fields), self.store.by_uid) if fields else me

    # -- metadata --

    def _get_objects(self, req: Request, plural: str, uid: str | None) -> Response:
        q = req.query
        if uid is not None:
            obj = self.store.get(plural, uid)
            if obj is None:
                name = md.simple(md.KLASSES[plural])
                code = "E1005" if self.version.minor >= 40 else None  # NotFoundException arrived in 2.40
                return Response.message(wm.not_found(f"{name} with id {uid} could not be found.", code))
            spec = query.parse_fields((q.get("fields") or ["*"])[0])
            return Response.json(200, query.apply_fields(obj, spec, self.store.by_uid))
        objs = list(self.store.objects(plural).values())
        if plural == "organisationUnits" and q.get("level"):
            objs = [o for o in objs if str(o.get("level")) == q["level"][0]]
        objs = query.filter_objects(
            objs, q.get("filter") or [], (q.get("rootJunction") or ["AND"])[0], self.store.by_uid
        )
        objs = query.order_objects(objs, (q.get("order") or [None])[0])
        paging = (q.get("paging") or ["true"])[0].lower() != "false"

        def link(page_no: int) -> str:
            params = {k: v for k, v in q.items() if k != "page"}
            return f"{req.base_url}/api/{plural}?{urlencode({**params, 'page': [str(page_no)]}, doseq=True)}"

        try:
            page_no, page_size = int((q.get("page") or ["1"])[0]), int((q.get("pageSize") or ["50"])[0])
        except ValueError:
            return Response.message(wm.error(400, "page and pageSize must be integers"))
        items, pager = query.page(objs, paging=paging, page_no=page_no, page_size=page_size, link=link)
        spec = query.parse_fields((q.get("fields") or ["id,displayName"])[0])
        body: dict = {}
        if pager is not None:
            body["pager"] = pager
        body[plural] = [query.apply_fields(o, spec, self.store.by_uid) for o in items]
        return Response.json(200, body)

    def _json_body(self, req: Request) -> dict | Response:
        try:
            body = json.loads(req.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return Response.message(wm.conflict(f"JSON parse error: {exc}"))
        if not isinstance(body, dict):
            return Response.message(wm.conflict("JSON parse error: expected an object"))
        return body

    def _import_report(self, body: dict) -> dict:
        return wm.typed_response(self.version, "ImportReport", body)

    def _post_metadata(self, req: Request, caller: Caller, legacy: bool) -> Response:
        payload = self._json_body(req)
        if isinstance(payload, Response):
            return payload
        params = md.ImportParams.from_query(req.query)

        def work(job: Job | None = None) -> dict:
            with self.store.lock:
                if job:
                    job.notify(f"({caller.user.get('username')}) Import:Start")
                result = md.MetadataImport(self.store, self.version, params, payload, caller.user, caller.granted).run()
                if job:
                    job.notify(f"({caller.user.get('username')}) Import:Done", completed=True)
                return self._import_report(result.report())

        if params.async_:
            job = self.jobs.start(
                "METADATA_IMPORT", work, start_message=f"({caller.user.get('username')}) Import:Start"
            )
            return self._job_started(req, job, "metadataImport")
        report = work()
        if legacy:
            return Response.json(200, report)
        if report["status"] == "OK":
            return Response.message(wm.web_message(200, "OK", response=report))
        return Response.message(
            wm.web_message(
                409,
                "WARNING",
                "One or more errors occurred, please see full details in import report.",
                response=report,
            )
        )

    def _job_started(self, req: Request, job: Job, old_name: str) -> Response:
        name = old_name if self.version.minor <= 40 else f"{job.type} ({job.id})"
        response = {
            "name": name,
            "id": job.id,
            "created": job.created,
            "jobType": job.type,
            "jobStatus": "RUNNING",
            "relativeNotifierEndpoint": f"/api/system/tasks/{job.type}/{job.id}",
        }
        if self.version.minor >= 42:
            response = wm.typed_response(self.version, "JobConfiguration", response)
        body = wm.web_message(200, "OK", f"Initiated {name}", response=response)
        return Response.message(body, {"Location": f"{req.base_url}/api/system/tasks/{job.type}"})

    # -- data values --

    def _post_data_values(self, req: Request, caller: Caller, legacy: bool) -> Response:
        if not auth.has_authority(caller.granted, "F_DATAVALUE_ADD"):
            return Response.message(wm.forbidden(self.version))
        payload = self._json_body(req)
        if isinstance(payload, Response):
            body = {
                "status": "ERROR",
                "description": "The import process failed: JSON parse error",
                "importCount": {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0},
                "conflicts": [],
            }
            if self.version.rejected_indexes:
                body["rejectedIndexes"] = []
            return self._summary_response("ERROR", body, legacy)
        is_async = (req.query.get("async") or ["false"])[0].lower() == "true"

        def work(job: Job | None = None) -> dict:
            with self.store.lock:
                if job:
                    job.notify("Importing data values")
                _status, body = datavalues.DataValueImport(
                    self.store, self.version, req.query, payload, caller.user, caller.granted, self.today
                ).run()
                if job:
                    job.notify("Import done", completed=True)
                return wm.typed_response(self.version, "ImportSummary", body, suffix_bug=False)

        if is_async:
            return self._job_started(req, self.jobs.start("DATAVALUE_IMPORT", work), "dataValueImport")
        summary = work()
        return self._summary_response(summary["status"], summary, legacy)

    def _complete_registrations(self, req: Request, caller: Caller, legacy: bool) -> Response:
        from dhis2_mch.sandbox import completeness

        if req.method.upper() == "GET":
            return Response.json(200, completeness.export(self.store, req.query))
        # no authority check: the controller has none; access is data sharing (not modelled)
        payload = self._json_body(req)
        if isinstance(payload, Response):
            return payload
        summary = completeness.register(self.store, self.version, payload, caller.user)
        return self._summary_response(summary["status"], summary, legacy)

    def _summary_response(self, status: str, summary: dict, legacy: bool) -> Response:
        if "responseType" not in summary:
            summary = wm.typed_response(self.version, "ImportSummary", summary, suffix_bug=False)
        if legacy:
            return Response.json(200, summary)
        if status == "SUCCESS":
            return Response.message(wm.web_message(200, "OK", "Import was successful.", response=summary))
        if status == "WARNING":
            return Response.message(
                wm.web_message(
                    409, "WARNING", "One more conflicts encountered, please check import summary.", response=summary
                )
            )
        return Response.message(
            wm.web_message(409, "ERROR", "An error occurred, please check import summary.", response=summary)
        )

    # -- tracker and jobs --

    def _tracker(self, req: Request, parts: list[str], caller: Caller) -> Response:
        method = req.method.upper()
        if parts == ["tracker"] and method == "POST":
            payload = self._json_body(req)
            if isinstance(payload, Response):
                return Response.message(wm.error(400, "JSON parse error"))
            is_async = (req.query.get("async") or ["true"])[0].lower() != "false"

            def work(job: Job | None = None) -> dict:
                with self.store.lock:
                    _status, report = TrackerImport(self.store, self.version, req.query, payload, caller.user).run()
                    if job:
                        job.notify("(" + str(caller.user.get("username")) + ") Import:Done", completed=True)
                    return report

            if not is_async:
                report = work()
                return Response.json(409 if report["status"] == "ERROR" else 200, report)
            job = self.jobs.start("TRACKER_IMPORT_JOB", work)
            location = f"{req.base_url}/api/tracker/jobs/{job.id}"
            response = wm.typed_response(self.version, "TrackerJob", {"id": job.id, "location": location})
            return Response.message(
                wm.web_message(200, "OK", "Tracker job added", response=response), {"Location": location}
            )
        if len(parts) in (3, 4) and parts[1] == "jobs" and method == "GET":
            job = self.jobs.get(parts[2], "TRACKER_IMPORT_JOB")
            if len(parts) == 3:
                return Response.json(200, job.notifications if job else [], {"Cache-Control": "no-store"})
            if parts[3] == "report":
                if job and job.summary is not None:
                    return Response.json(200, job.summary)
                if self.version.minor >= 42:
                    return Response.message(wm.not_found(f"Summary for job {parts[2]} does not exist"))
                return Response.empty()
        return Response.message(wm.not_found(f"No handler found for {method} {req.path}"))

    def _tasks(self, parts: list[str]) -> Response:
        kind, job_type = parts[1], parts[2]
        if len(parts) == 3:
            if kind == "tasks":
                return Response.json(200, {j.id: j.notifications for j in self.jobs.of_type(job_type)})
            return Response.json(200, {j.id: j.summary for j in self.jobs.of_type(job_type) if j.summary})
        job = self.jobs.get(parts[3], job_type)
        if kind == "tasks":
            return Response.json(200, job.notifications if job else [])
        if job is None or job.summary is None:
            return Response.empty()
        return Response.json(200, job.summary)
