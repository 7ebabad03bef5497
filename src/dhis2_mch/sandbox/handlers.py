"""The endpoint handlers of the sandbox: system, me, metadata, data values, registrations, tracker, jobs.

``App`` (``app.py``) authenticates and routes; these methods answer. Envelopes as
``WebMessageUtils``: metadata imports 200 OK or 409 WARNING "One or more errors occurred, please see
full details in import report."; data value imports 200 "Import was successful.", 409 WARNING "One more
conflicts encountered, please check import summary." (sic) or 409 ERROR; ``/api/37/...`` answers the bare
report with 200 (``withPlainResponseBefore(V38)``); async imports answer "Initiated <job>" with a Location.
unverified: the 404 text for an unknown object ("<Type> with id <uid> could not be found.", errorCode
E1005 from 2.40) and 2.41+ ``Initiated <JOB_TYPE> (<job id>)``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import urlencode

from dhis2_mch.sandbox import auth, datavalues, query
from dhis2_mch.sandbox import metadata as md
from dhis2_mch.sandbox import webmessage as wm
from dhis2_mch.sandbox.jobs import Job, Jobs
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.tracker import TrackerImport
from dhis2_mch.sandbox.versions import Version
from dhis2_mch.sandbox.wire import Caller, Request, Response


class Handlers:
    """Mixed into ``App``, which sets these attributes."""

    store: Store
    version: Version
    jobs: Jobs

    @property
    def today(self) -> date:
        raise NotImplementedError

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
        fields = req.query.get("fields") or []
        return query.apply_fields(me, query.parse_fields(fields[0]), self.store.by_uid) if fields else me

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
        filters = q.get("filter") or []
        problem = query.filter_error(filters, query.known_properties(plural, objs), self.version.minor)
        if problem is not None:
            return Response.message(wm.conflict(problem))
        objs = query.filter_objects(
            objs, q.get("filter") or [], (q.get("rootJunction") or ["AND"])[0], self.store.by_uid
        )
        objs = query.order_objects(objs, (q.get("order") or [""])[0] or None)
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
            found = self.jobs.get(parts[2], "TRACKER_IMPORT_JOB")
            if len(parts) == 3:
                return Response.json(200, found.notifications if found else [], {"Cache-Control": "no-store"})
            if parts[3] == "report":
                if found and found.summary is not None:
                    return Response.json(200, found.summary)
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
