"""The sandbox's state: metadata objects, data values, events, users' credentials and tokens.

SQLite holds everything (a file with ``--db``, else memory), so a demo can deploy in one command and
push data in the next. Metadata is small (a few thousand objects at most), so it is also kept in memory,
indexed by type and by UID, and written through on every change; data values stay in SQLite only.

One re-entrant lock serialises the server's threads: ``with store.lock:`` around a whole request makes
an import atomic the way a DHIS2 transaction is, which is all the concurrency a stand-in needs.
Passwords are stored salted and hashed, tokens only as their SHA-256 (as DHIS2 stores PATs).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    type TEXT NOT NULL, uid TEXT NOT NULL, code TEXT, name TEXT, data TEXT NOT NULL,
    PRIMARY KEY (type, uid));
CREATE TABLE IF NOT EXISTS datavalues (
    de TEXT NOT NULL, pe TEXT NOT NULL, ou TEXT NOT NULL, coc TEXT NOT NULL, aoc TEXT NOT NULL,
    pe_start TEXT NOT NULL, pe_end TEXT NOT NULL,
    value TEXT, comment TEXT, storedby TEXT, created TEXT, lastupdated TEXT,
    followup INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (de, pe, ou, coc, aoc));
CREATE INDEX IF NOT EXISTS datavalues_ou ON datavalues (ou, pe_start);
CREATE TABLE IF NOT EXISTS complete_registrations (
    ds TEXT, pe TEXT, ou TEXT, aoc TEXT, date TEXT, stored_by TEXT, completed INTEGER,
    PRIMARY KEY (ds, pe, ou, aoc));
CREATE TABLE IF NOT EXISTS events (uid TEXT PRIMARY KEY, program TEXT, orgunit TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (username TEXT PRIMARY KEY, user_uid TEXT NOT NULL, salt TEXT, hash TEXT);
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, user_uid TEXT NOT NULL, created TEXT);
"""

VALUE_COLUMNS = (
    "de",
    "pe",
    "ou",
    "coc",
    "aoc",
    "pe_start",
    "pe_end",
    "value",
    "comment",
    "storedby",
    "created",
    "lastupdated",
    "followup",
    "deleted",
)


def password_hash(password: str, salt: str) -> str:
    return hashlib.sha256((salt + "\x1f" + password).encode("utf-8")).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Store:
    """Metadata (by type, then UID), data values, events, credentials; see the module docstring."""

    def __init__(self, path: str | Path | None = None):
        self.path = str(path) if path else ":memory:"
        self.lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(SCHEMA)
        self._objects: dict[str, dict[str, dict]] = {}
        self._type_of: dict[str, str] = {}
        for row in self._db.execute("SELECT type, uid, data FROM objects"):
            self._objects.setdefault(row["type"], {})[row["uid"]] = json.loads(row["data"])
            self._type_of[row["uid"]] = row["type"]
        self._depth = 0

    def close(self) -> None:
        with self.lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (nested calls join the outer one)."""
        with self.lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN")
                snapshot = ({t: dict(objs) for t, objs in self._objects.items()}, dict(self._type_of))
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                    self._objects, self._type_of = snapshot
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    # --- metadata ---------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        return not self._type_of

    def types(self) -> list[str]:
        return [t for t, objs in self._objects.items() if objs]

    def objects(self, plural: str) -> dict[str, dict]:
        """UID -> object for one type. The dicts are the store's own: copy before changing them."""
        return self._objects.get(plural, {})

    def get(self, plural: str, uid: str | None) -> dict | None:
        return self._objects.get(plural, {}).get(uid) if uid else None

    def type_of(self, uid: str) -> str | None:
        return self._type_of.get(uid)

    def by_uid(self, uid: str | None) -> dict | None:
        if not uid:
            return None
        plural = self._type_of.get(uid)
        return self._objects[plural][uid] if plural else None

    def find(self, plural: str, prop: str, value) -> dict | None:
        """The first object of ``plural`` whose ``prop`` equals ``value`` (code, name ...)."""
        if value is None:
            return None
        for obj in self._objects.get(plural, {}).values():
            if obj.get(prop) == value:
                return obj
        return None

    def save(self, items: Iterable[tuple[str, dict]]) -> None:
        """Insert or replace objects (``(plural, object)`` pairs; the object needs an ``id``)."""
        with self.transaction():
            for plural, obj in items:
                uid = obj["id"]
                self._db.execute(
                    "INSERT OR REPLACE INTO objects (type, uid, code, name, data) VALUES (?, ?, ?, ?, ?)",
                    (plural, uid, obj.get("code"), obj.get("name"), json.dumps(obj, ensure_ascii=False)),
                )
                self._objects.setdefault(plural, {})[uid] = obj
                self._type_of[uid] = plural

    def delete(self, items: Iterable[tuple[str, str]]) -> None:
        with self.transaction():
            for plural, uid in items:
                self._db.execute("DELETE FROM objects WHERE type = ? AND uid = ?", (plural, uid))
                self._objects.get(plural, {}).pop(uid, None)
                self._type_of.pop(uid, None)

    # --- data values --------------------------------------------------------------------------

    def get_value(self, de: str, pe: str, ou: str, coc: str, aoc: str) -> dict | None:
        row = self._db.execute(
            "SELECT * FROM datavalues WHERE de = ? AND pe = ? AND ou = ? AND coc = ? AND aoc = ?",
            (de, pe, ou, coc, aoc),
        ).fetchone()
        return dict(row) if row else None

    def put_values(self, rows: Iterable[dict]) -> None:
        with self.transaction():
            self._db.executemany(
                f"INSERT OR REPLACE INTO datavalues ({', '.join(VALUE_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(VALUE_COLUMNS))})",
                ([row.get(c) for c in VALUE_COLUMNS] for row in rows),
            )

    def query_values(self, where: str = "1", params: tuple = ()) -> list[dict]:
        sql = f"SELECT * FROM datavalues WHERE {where} ORDER BY de, pe_start, ou, coc, aoc"
        return [dict(r) for r in self._db.execute(sql, params)]

    def has_values_for(self, column: str, uid: str) -> bool:
        """Any row, soft-deleted ones included, that references ``uid`` (blocks deleting it: E4030)."""
        assert column in ("de", "ou", "coc", "aoc")
        return self._db.execute(f"SELECT 1 FROM datavalues WHERE {column} = ? LIMIT 1", (uid,)).fetchone() is not None

    # --- complete data set registrations (also /api/completeDataSetRegistrations) --------------

    def complete(self, ds: str, pe: str, ou: str, aoc: str, day: str, stored_by: str) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO complete_registrations (ds, pe, ou, aoc, date, stored_by, completed) "
                "VALUES (?, ?, ?, ?, ?, ?, 1)",
                (ds, pe, ou, aoc, day, stored_by),
            )

    def completions(self) -> list[dict]:
        return [dict(r) for r in self._db.execute("SELECT * FROM complete_registrations ORDER BY ds, pe, ou, aoc")]

    # --- events -------------------------------------------------------------------------------

    def get_event(self, uid: str) -> dict | None:
        row = self._db.execute("SELECT data FROM events WHERE uid = ?", (uid,)).fetchone()
        return json.loads(row["data"]) if row else None

    def put_events(self, events: Iterable[dict]) -> None:
        with self.transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO events (uid, program, orgunit, data) VALUES (?, ?, ?, ?)",
                ((e["event"], e.get("program"), e.get("orgUnit"), json.dumps(e, ensure_ascii=False)) for e in events),
            )

    def events(self) -> list[dict]:
        return [json.loads(r["data"]) for r in self._db.execute("SELECT data FROM events ORDER BY rowid")]

    # --- users --------------------------------------------------------------------------------

    def set_password(self, username: str, user_uid: str, password: str) -> None:
        salt = secrets.token_hex(8)
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO credentials (username, user_uid, salt, hash) VALUES (?, ?, ?, ?)",
                (username, user_uid, salt, password_hash(password, salt)),
            )

    def has_credentials(self, username: str) -> bool:
        return self._db.execute("SELECT 1 FROM credentials WHERE username = ?", (username,)).fetchone() is not None

    def check_password(self, username: str, password: str) -> str | None:
        """The user's UID when ``password`` is right, else None."""
        row = self._db.execute("SELECT * FROM credentials WHERE username = ?", (username,)).fetchone()
        if row and secrets.compare_digest(row["hash"], password_hash(password, row["salt"])):
            return row["user_uid"]
        return None

    def add_token(self, token: str, user_uid: str, created: str) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO tokens (hash, user_uid, created) VALUES (?, ?, ?)",
                (token_hash(token), user_uid, created),
            )

    def token_user(self, token: str) -> str | None:
        row = self._db.execute("SELECT user_uid FROM tokens WHERE hash = ?", (token_hash(token),)).fetchone()
        return row["user_uid"] if row else None
