"""The sandbox as a function: request in, response out, with DHIS2's routing and authentication.

Every transport calls ``App.handle``: the loopback HTTP server (``server.py``) and the in-process
adapters (``mock.py``, ``adapter.py``), so unit tests and real HTTP see exactly the same answers.

Paths: ``/api/...`` and ``/api/<n>/...`` (``/api/40/metadata``); a ``.json`` suffix is accepted.
``/api/system/ping`` needs no credentials; every other path does (``auth.py``). Without credentials
the answer is DHIS2's redirect to its login page (``FormLoginBasicAuthenticationEntryPoint`` /
``Http401LoginUrlAuthenticationEntryPoint`` in ``DhisWebApiWebSecurityConfig``): 2.38–2.40
``/dhis-web-commons/security/login.action``, 2.41 ``/dhis-web-login``, 2.42 ``/dhis-web-login/``; with
``X-Requested-With: XMLHttpRequest`` a 401 instead.

A body the endpoint cannot read because its Content-Type is not one DHIS2 consumes is 415 Unsupported
Media Type (``CrudControllerAdvice.httpMediaTypeNotSupportedExceptionHandler``, Spring's message; the
sandbox prints Spring 5's "Content type '<type>' not supported", unverified for 2.42's Spring 6).

What DHIS2 has and the sandbox does not (``NOT_IMPLEMENTED``: XML/CSV/ADX/PDF bodies and answers, the
single-object CRUD of metadata including DELETE, analytics, apps, the data store, ...) answers 501
"Not implemented by the sandbox", never a plausible success or a misleading 404/405.
"""

from __future__ import annotations

import re
import sys
import traceback
from datetime import date

from dhis2_mch.sandbox import auth, datavalue_export, honesty
from dhis2_mch.sandbox import metadata as md
from dhis2_mch.sandbox import webmessage as wm
from dhis2_mch.sandbox.export import FilterError
from dhis2_mch.sandbox.handlers import Handlers
from dhis2_mch.sandbox.jobs import Jobs
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version
from dhis2_mch.sandbox.wire import Caller, Request, Response

__all__ = ["App", "Caller", "Request", "Response"]

LOGIN_PATHS = {38: "/dhis-web-commons/security/login.action", 41: "/dhis-web-login", 42: "/dhis-web-login/"}
LOGIN_PATH = LOGIN_PATHS[38]
LOGIN_PAGE = (
    b"<!DOCTYPE html><html><head><title>DHIS 2</title></head><body><form action='login.action' "
    b"method='post'><input name='j_username'><input name='j_password' type='password'></form>"
    b"</body></html>"
)
_API = re.compile(r"^/api(?:/(?P<version>\d{2}))?(?P<rest>/.*)?$")


class App(Handlers):
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
        if req.path in LOGIN_PATHS.values():
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
        refused = honesty.refusal(req, parts, self.version)
        if refused is not None:
            return refused
        with self.store.lock:
            return self._route(req, parts, api_version, caller)

    def login_path(self) -> str:
        return LOGIN_PATHS[max(v for v in LOGIN_PATHS if v <= self.version.minor)]

    def _authenticate(self, req: Request) -> Caller | Response:
        creds = auth.parse_authorization(req.header("Authorization"))
        if creds.kind == "none":
            if req.header("X-Requested-With") == "XMLHttpRequest":
                return Response.message(wm.unauthorized())
            return Response(302, {"Location": req.base_url + self.login_path()}, b"")
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
                try:
                    return Response.json(200, md.export(self.store, self.version, req.query, self.store.by_uid))
                except FilterError as exc:
                    return Response.message(wm.conflict(str(exc)))
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
        if head in md.KLASSES:  # single-object CRUD, sub-resources: DHIS2 has them, the sandbox does not
            return honesty.not_implemented(method, req.path)
        return Response.message(wm.not_found(f"No handler found for {method} {req.path}"))
