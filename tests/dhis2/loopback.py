"""Misbehaving servers on 127.0.0.1 for the transport's failure tests (imported by name).

``serve(behaviour, tls=...)`` starts a threaded server on a free loopback port and returns its URL;
``behaviour`` is one of the functions below (or any ``(handler) -> None``). Every server is stopped
by the ``loopback`` fixture. Certificates come from ``trustme`` (a throw-away CA made in the test).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SYSTEM_INFO = {"version": "2.40.4", "revision": "abc1234", "systemName": "Loopback"}
ME = {"id": "xE7jOejl9FI", "username": "hmis_admin", "displayName": "HMIS Admin", "authorities": ["ALL"]}


class _Handler(BaseHTTPRequestHandler):
    behaviour: Callable[[_Handler], None]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.behaviour()

    do_POST = do_GET

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def dhis2_like(handler: _Handler) -> None:
    """Enough of DHIS2 for ``info`` with a superuser: system/info and me."""
    if handler.command == "POST":
        handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    path = handler.path.split("?", 1)[0]
    body = {"/api/system/info": SYSTEM_INFO, "/api/me": ME}.get(path)
    if body is None:
        handler.send(404, b'{"httpStatus":"Not Found","httpStatusCode":404,"status":"ERROR","message":"no"}')
    else:
        handler.send(200, json.dumps(body).encode())


def login_page(handler: _Handler) -> None:
    """A reverse proxy or an expired session: 200 with DHIS2's login form instead of JSON."""
    page = b"<!DOCTYPE html><html><head><title>DHIS 2</title></head><body><form action='login.action'>"
    handler.send(200, page + b"<input name='j_password' type='password'></form></body></html>", "text/html")


def wrong_shape(handler: _Handler) -> None:
    """JSON, but not DHIS2's: a list where system/info is an object."""
    handler.send(200, b'[{"status": "up"}]')


def never_answers(handler: _Handler) -> None:
    """Reads the request and then says nothing at all."""
    time.sleep(30)


def trickles_headers(handler: _Handler) -> None:
    """Sends the status line, then one header byte every 50 ms: each read is 'on time', the headers never end."""
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(100000):
            handler.wfile.write(b"X")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def trickles(handler: _Handler) -> None:
    """Answers at once, then sends a long body one byte every 50 ms (each read is 'on time')."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    try:
        for _ in range(100000):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


ZERO_COUNTS = {
    "httpStatus": "OK",
    "httpStatusCode": 200,
    "status": "OK",
    "response": {
        "responseType": "ImportReport",
        "status": "OK",
        "stats": {"created": 0, "updated": 0, "deleted": 0, "ignored": 0, "total": 0},
        "typeReports": [],
    },
}


def zero_counts_in_front_of(target: str) -> Callable[[_Handler], None]:
    """A proxy to ``target`` that answers every metadata COMMIT with "OK, 0 created" (and forwards the rest)."""
    import requests

    def behaviour(handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        if handler.command == "POST" and handler.path.startswith("/api/metadata") and "COMMIT" in handler.path:
            handler.send(200, json.dumps(ZERO_COUNTS).encode())
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() in ("authorization", "content-type", "accept")}
        answer = requests.request(handler.command, target + handler.path, data=body, headers=headers, timeout=30)
        handler.send(answer.status_code, answer.content, answer.headers.get("Content-Type", "application/json"))

    return behaviour


class Servers:
    def __init__(self) -> None:
        self._servers: list[ThreadingHTTPServer] = []

    def serve(self, behaviour: Callable[[_Handler], None], *, tls: tuple[str, str] | None = None) -> str:
        """Start a server; ``tls`` = (certificate chain PEM file, key PEM file) for https."""
        handler = type("Handler", (_Handler,), {"behaviour": behaviour})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._servers.append(server)
        port = server.server_address[1]
        return f"{'https' if tls else 'http'}://127.0.0.1:{port}"

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
