"""The sandbox: a local stand-in for DHIS2 2.38–2.42, for development, tests and demos. It is NOT DHIS2.

It answers the Web API calls dhis2-mch makes the way DHIS2 does (status codes, WebMessage envelopes,
import reports and summaries, error codes and texts, per version), with rules of its own read from
dhis2-core and never imported from the client's model or validator (``klasses.py``, ``periods.py``,
``valuetypes.py``, ``sharing.py``). Each module cites the dhis2-core classes it follows and lists what
could not be verified; what it does not implement answers 501 (``honesty.py``).

    with Sandbox(version="2.40") as sb:          # starts on 127.0.0.1, a free port
        requests.get(sb.url + "/api/me", auth=(sb.username, sb.password))
        requests.get(sb.url + "/api/me", headers={"Authorization": f"ApiToken {sb.token}"})

For fast tests the same handlers run in-process, through a ``requests`` adapter
(``sandbox.adapter.SandboxAdapter``, mounted with ``Connection(..., transport=...)``; ``sandbox.mock``
builds on it). The client never imports this package at module level: only the demo, ``cli/sandbox.py``,
the façade's lazy ``dhis2_mch.Sandbox`` and the tests do.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dhis2_mch.sandbox.app import App
from dhis2_mch.sandbox.auth import new_token
from dhis2_mch.sandbox.faults import Faults
from dhis2_mch.sandbox.jobs import Jobs
from dhis2_mch.sandbox.seed import (
    ADMIN_PASSWORD,
    ADMIN_UID,
    ADMIN_USERNAME,
    RESTRICTED_PASSWORD,
    RESTRICTED_USERNAME,
    USER_UIDS,
    USERS,
    org_unit_uid,
    seed,
)
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version, parse_version

if TYPE_CHECKING:
    from dhis2_mch.sandbox.server import SandboxHTTPServer

__all__ = ["Faults", "Sandbox", "SandboxRouter", "Version", "org_unit_uid", "parse_version"]


def __getattr__(name: str):
    if name == "SandboxRouter":  # imported on demand: most users of the sandbox never route in-process
        from dhis2_mch.sandbox.mock import SandboxRouter

        return SandboxRouter
    raise AttributeError(name)


class Sandbox:
    """A sandbox server: state (SQLite), the app, and, once started, a loopback HTTP server.

    ``db``: a file path to keep state across restarts, or None for memory. ``faults``: a ``Faults``
    (off when None). ``today``: pin the date that decides open future periods (tests). ``job_delay``:
    seconds an async job waits before running.
    """

    username, password = ADMIN_USERNAME, ADMIN_PASSWORD
    restricted_username, restricted_password = RESTRICTED_USERNAME, RESTRICTED_PASSWORD
    admin_uid = ADMIN_UID
    #: every seeded user but admin: username -> UID (password ``district``; ``seed.USERS`` says what each is for)
    user_uids = USER_UIDS
    users = USERS

    def __init__(
        self,
        version: str | Version = "2.40",
        db: str | Path | None = None,
        faults: Faults | None = None,
        *,
        today: date | None = None,
        job_delay: float = 0.0,
        log=None,
    ):
        self.version = parse_version(version)
        self.store = Store(db)
        seed(self.store)
        self.token = new_token()
        self.store.add_token(self.token, ADMIN_UID, datetime.now().isoformat(timespec="milliseconds"))
        self.jobs = Jobs(job_delay)
        self.app = App(self.store, self.version, self.jobs, today)
        self.faults = faults
        self.log = log
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --

    def start(self, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False) -> Sandbox:
        from dhis2_mch.sandbox.server import run_in_thread, serve

        if self._server is None:
            server = serve(self.app, host, port, faults=self.faults, allow_remote=allow_remote, log=self.log)
            self._server, self._thread = server, run_in_thread(server)
        return self

    def serve_forever(
        self, host: str = "127.0.0.1", port: int = 8080, *, allow_remote: bool = False, ready=None
    ) -> None:
        """Serve in the calling thread until interrupted (the CLI); ``ready(url)`` runs once bound."""
        from dhis2_mch.sandbox.server import serve

        server = serve(self.app, host, port, faults=self.faults, allow_remote=allow_remote, log=self.log)
        self._server = server
        if ready:
            ready(self.url)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, let running jobs finish, close the database (a file keeps everything)."""
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join(timeout=5)
            self._server.server_close()
            self._server = self._thread = None
        self.jobs.wait_all(timeout=10)
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash, no /api)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    # -- read helpers for tests --

    def objects(self, plural: str) -> list[dict]:
        """Stored objects of a type (``dataElements`` ...), copies."""
        with self.store.lock:
            return [dict(o) for o in self.store.objects(plural).values()]

    def get(self, plural: str, uid: str) -> dict | None:
        with self.store.lock:
            obj = self.store.get(plural, uid)
            return dict(obj) if obj else None

    def data_values(self, *, include_deleted: bool = False) -> list[dict]:
        """Stored data values as rows: de, pe, ou, coc, aoc, value, comment, storedby, followup, deleted ..."""
        with self.store.lock:
            return self.store.query_values("1" if include_deleted else "deleted = 0")

    def events(self) -> list[dict]:
        with self.store.lock:
            return self.store.events()
