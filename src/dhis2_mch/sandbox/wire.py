"""The sandbox's request and response, independent of the transport (HTTP server, in-process adapters)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


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
    def json(cls, status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
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
