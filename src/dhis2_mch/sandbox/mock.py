"""The sandbox in-process, behind the ``responses`` library, for fast unit tests.

    with responses.RequestsMock() as rsps:
        router = SandboxRouter(version="2.40").install(rsps, base_url="http://dhis2.test")
        requests.get("http://dhis2.test/api/me", auth=(router.username, router.password))

Every request to ``base_url`` goes through the same ``App.handle`` as the HTTP server, so answers are
identical; faults apply too (a dropped connection raises ``requests.ConnectionError``). Read helpers
(``objects``, ``data_values`` ...) and credentials are those of the underlying ``Sandbox``.
``install`` registers a callback for every HTTP method and therefore switches off
``assert_all_requests_are_fired`` on the mock it is given.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from dhis2_mch.sandbox import Sandbox
from dhis2_mch.sandbox.app import Request
from dhis2_mch.sandbox.faults import Faults, error_response


class SandboxRouter:
    def __init__(
        self,
        version: str = "2.40",
        db=None,
        faults: Faults | None = None,
        *,
        today=None,
        sandbox: Sandbox | None = None,
    ):
        self.sandbox = sandbox or Sandbox(version, db, faults, today=today)
        self.base_url = ""

    def __getattr__(self, name: str):
        return getattr(self.sandbox, name)

    def install(self, rsps: responses.RequestsMock, base_url: str = "http://dhis2.test") -> SandboxRouter:
        self.base_url = base_url.rstrip("/")
        # one callback per HTTP method: a test rarely uses them all, so "unfired" is not an error here
        rsps.assert_all_requests_are_fired = False
        pattern = re.compile(re.escape(self.base_url) + r"(/.*)?$")
        for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE, responses.PATCH, responses.HEAD):
            rsps.add_callback(method, pattern, callback=self._callback)
        return self

    @property
    def url(self) -> str:
        return self.base_url

    def _callback(self, prepared: requests.PreparedRequest):
        faults = self.sandbox.faults
        fault = faults.next() if faults else None
        if fault and fault.latency:
            time.sleep(fault.latency)
        if fault and fault.kind == "drop":
            raise requests.ConnectionError("Connection aborted: the sandbox dropped the connection (fault)")
        if fault and fault.kind == "error":
            return error_response(fault, faults.retry_after)
        url = urlsplit(prepared.url)
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            body = b"".join(body)
        req = Request(
            method=prepared.method or "GET",
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in prepared.headers.items()},
            body=body,
            base_url=self.base_url,
        )
        resp = self.sandbox.app.handle(req)
        if fault and fault.slow_body:
            time.sleep(fault.slow_body)
        return resp.status, resp.headers, resp.body

    def close(self) -> None:
        self.sandbox.stop()
