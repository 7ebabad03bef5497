"""The sandbox as a ``requests`` transport adapter: DHIS2's answers in-process, no socket, no global patch.

    from dhis2_mch.sandbox import Sandbox
    from dhis2_mch.sandbox.adapter import SandboxAdapter
    from dhis2_mch.dhis2.connection import Connection

    sb = Sandbox("2.40")
    conn = Connection("http://dhis2.test", token=sb.token, transport=SandboxAdapter(sb))

Every request goes through the same ``App.handle`` as the loopback HTTP server, so the answers are
identical. The sandbox's ``Faults`` are drawn once per request and applied as a network would apply
them: latency (longer than the read timeout: ``requests.ReadTimeout``), a dropped connection
(``requests.ConnectionError``), a proxy's 502/503 page, and a body trickled out over ``slow_body``
seconds (in 8 pieces, each one a read the client can time).
"""

from __future__ import annotations

import http
import io
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from dhis2_mch.sandbox.app import App, Request
from dhis2_mch.sandbox.faults import Fault, Faults, error_response


class _Body(io.RawIOBase):
    """A response body that can be read in pieces, optionally slowly (``slow`` seconds in all, 8 pieces)."""

    def __init__(self, data: bytes, slow: float = 0.0, read_timeout: float | None = None):
        self._data = data
        self._pos = 0
        self._step = max(1, -(-len(data) // 8)) if slow else len(data) or 1
        self._delay = slow / 8 if slow else 0.0
        self._read_timeout = read_timeout

    def readable(self) -> bool:
        return True

    def read(self, amt: int | None = -1, decode_content: bool | None = None) -> bytes:
        if self._pos >= len(self._data):
            return b""
        if self._delay:
            if self._read_timeout is not None and self._delay > self._read_timeout:
                time.sleep(self._read_timeout)
                raise requests.exceptions.ReadTimeout(f"Read timed out. (read timeout={self._read_timeout:g})")
            time.sleep(self._delay)
        size = self._step if amt is None or amt < 0 else min(amt, self._step)
        piece = self._data[self._pos : self._pos + size]
        self._pos += len(piece)
        return piece

    read1 = read

    def readinto(self, buffer: Any) -> int:
        piece = self.read(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)


def _timeouts(timeout: Any) -> tuple[float | None, float | None]:
    if isinstance(timeout, tuple):
        return timeout[0], timeout[1]
    return timeout, timeout


class SandboxAdapter(BaseAdapter):
    """Serve ``sandbox`` (a ``Sandbox``, or its ``App``) to any ``requests.Session`` it is mounted on."""

    def __init__(self, sandbox: Any, faults: Faults | None = None):
        super().__init__()
        self.app: App = sandbox if isinstance(sandbox, App) else sandbox.app
        self.faults = faults if faults is not None else getattr(sandbox, "faults", None)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        _, read_timeout = _timeouts(timeout)
        fault = self.faults.next() if self.faults else Fault()
        if fault.latency:
            if read_timeout is not None and fault.latency > read_timeout:
                time.sleep(read_timeout)
                raise requests.exceptions.ReadTimeout(
                    f"Read timed out. (read timeout={read_timeout:g})", request=request
                )
            time.sleep(fault.latency)
        if fault.kind == "drop":
            raise requests.exceptions.ConnectionError(
                "Connection aborted: the sandbox dropped the connection (fault)", request=request
            )
        if fault.kind == "error" and self.faults is not None:
            status, headers, body = error_response(fault, self.faults.retry_after)
        else:
            status, headers, body = self.handle(request)
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.reason = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
        response.raw = _Body(body, fault.slow_body, read_timeout)
        response.url = request.url or ""
        response.request = request
        response.connection = self  # type: ignore[assignment]  # requests types it as its HTTPAdapter
        if not stream:
            _ = response.content  # read it now, as requests' HTTPAdapter does without stream=True
        return response

    def handle(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        """One request through the sandbox's ``App``: (status, headers, body)."""
        url = urlsplit(prepared.url or "")
        raw: Any = prepared.body or b""
        body: bytes = raw.encode("utf-8") if isinstance(raw, str) else raw if isinstance(raw, bytes) else b"".join(raw)
        req = Request(
            method=prepared.method or "GET",
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v if isinstance(v, str) else v.decode("latin-1") for k, v in prepared.headers.items()},
            body=body,
            base_url=f"{url.scheme}://{url.netloc}",
        )
        resp = self.app.handle(req)
        return resp.status, dict(resp.headers), resp.body

    def close(self) -> None:
        pass
