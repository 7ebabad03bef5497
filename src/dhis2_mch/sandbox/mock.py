"""The sandbox in-process for fast tests, on ``SandboxAdapter`` (no socket).

Two ways to reach it:

- ``router.adapter`` mounted on a session: ``Connection(url, token=router.token,
  transport=router.adapter)`` or ``router.session()`` — no global patching, nothing can reach the
  network (the sandbox never imports the client: the test builds the ``Connection``);
- ``router.install(mock, base_url)``: for tests that call ``requests.get(...)`` directly, route every
  request to ``base_url`` through the adapter via a ``responses.RequestsMock`` the test owns (this
  module never imports ``responses``, a test dependency).

Faults apply once per request, in the adapter (a dropped connection raises
``requests.ConnectionError``). Read helpers (``objects``, ``data_values`` ...) and credentials are those
of the underlying ``Sandbox``.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from dhis2_mch.sandbox import Sandbox
from dhis2_mch.sandbox.adapter import SandboxAdapter
from dhis2_mch.sandbox.faults import Faults

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")


class SandboxRouter:
    def __init__(
        self,
        version: str = "2.40",
        db=None,
        faults: Faults | None = None,
        *,
        today=None,
        sandbox: Sandbox | None = None,
        base_url: str = "http://dhis2.test",
    ):
        self.sandbox = sandbox or Sandbox(version, db, faults, today=today)
        self.adapter = SandboxAdapter(self.sandbox)
        self.base_url = base_url.rstrip("/")

    def __getattr__(self, name: str):
        return getattr(self.sandbox, name)

    @property
    def url(self) -> str:
        return self.base_url

    def session(self) -> requests.Session:
        """A plain ``requests.Session`` served by the sandbox."""
        session = requests.Session()
        session.mount("http://", self.adapter)
        session.mount("https://", self.adapter)
        return session

    def install(self, mock: Any, base_url: str | None = None) -> SandboxRouter:
        """Route ``requests`` calls to ``base_url`` through the adapter, via a ``responses.RequestsMock``."""
        if base_url:
            self.base_url = base_url.rstrip("/")
        # one callback per HTTP method: a test rarely uses them all, so "unfired" is not an error here
        mock.assert_all_requests_are_fired = False
        pattern = re.compile(re.escape(self.base_url) + r"(/.*)?$")
        for method in _METHODS:
            mock.add_callback(method, pattern, callback=self._callback)
        return self

    def _callback(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        response = self.adapter.send(prepared)
        return response.status_code, dict(response.headers), response.content

    def close(self) -> None:
        self.sandbox.stop()
