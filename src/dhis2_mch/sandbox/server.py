"""The sandbox over loopback HTTP: a ThreadingHTTPServer in front of ``App.handle``.

It refuses to bind anything but a loopback address unless ``allow_remote`` is set: the sandbox has
well-known credentials and no TLS. Faults (``faults.py``) are applied here, where a connection can
really be dropped or a body really trickled out. The request log never prints headers, so neither
passwords nor tokens reach the terminal; it prints method, path (without the query), status and time.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from dhis2_mch.sandbox.app import App, Request
from dhis2_mch.sandbox.faults import Faults, error_response


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle on, the body waits for the client's delayed ACK
    # (about 40 ms per request on Linux loopback). DHIS2's Tomcat sets TCP_NODELAY too.
    disable_nagle_algorithm = True
    server_version = "dhis2-mch-sandbox"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:
        if self.server.log:
            self.server.log(f"{self.address_string()} {format % args}")

    def log_request(self, code="-", size="-") -> None:
        # requestline holds the query string (it may carry ids, never secrets); print the path only. A request
        # line that is not HTTP (a TLS hello to this plain-http port) is answered 400 before a path exists.
        path = urlsplit(getattr(self, "path", "") or "").path or "(no request line)"
        self.log_message('"%s %s" %s', getattr(self, "command", None) or "-", path, code)

    def _serve(self) -> None:
        faults = self.server.faults
        fault = faults.next() if faults else None
        if fault and fault.latency:
            time.sleep(fault.latency)
        if fault and fault.kind == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if fault and faults and fault.kind == "error":
            status, headers, payload = error_response(fault, faults.retry_after)
            self._write(status, headers, payload, 0.0)
            return
        url = urlsplit(self.path)
        address = self.server.server_address
        host = self.headers.get("Host") or f"{address[0]!s}:{address[1]}"
        req = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )
        resp = self.server.app.handle(req)
        self._write(resp.status, resp.headers, resp.body, fault.slow_body if fault else 0.0)

    def _write(self, status: int, headers: dict[str, str], body: bytes, slow: float) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if slow and body:
            chunk = max(len(body) // 8, 1)
            for i in range(0, len(body), chunk):
                self.wfile.write(body[i : i + chunk])
                self.wfile.flush()
                time.sleep(slow / 8)
        else:
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, app: App, faults: Faults | None = None, log=None):
        super().__init__(address, _Handler)
        self.app, self.faults, self.log = app, faults, log


def serve(
    app: App,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    faults: Faults | None = None,
    allow_remote: bool = False,
    log=None,
) -> SandboxHTTPServer:
    """Bind (not yet serving); refuses non-loopback hosts unless ``allow_remote``."""
    if not allow_remote and not is_loopback(host):
        raise ValueError(
            f"refusing to listen on {host}: the sandbox has well-known credentials; "
            "use a loopback address (127.0.0.1) or pass allow_remote"
        )
    return SandboxHTTPServer((host, port), app, faults, log)


def run_in_thread(server: SandboxHTTPServer) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="dhis2-mch-sandbox"
    )
    thread.start()
    return thread


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
