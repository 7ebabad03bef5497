"""The sync ledger: one SQLite row per data value key, saying what was last sent and what DHIS2 answered.

A value's key is DHIS2's own (data element, period, org unit, category option combo, attribute option
combo; ``DataValue``'s composite id in dhis2-core's ``DataValueStore``), per instance. Each row keeps
the hash of the value and comment last taken from a source, the source file and row, a status and
the run that set it:

- ``pending``   chosen to be sent by a run that has not seen DHIS2's answer (yet, or ever: it died);
- ``sent``      the request left, but the answer was lost (DHIS2 may have stored it);
- ``confirmed`` DHIS2's import summary accepted it (imported, updated or ignored as unchanged);
- ``rejected``  DHIS2 refused it; ``reason`` says why. Re-sent only when its source changes;
- ``deleted``   it vanished from its source and was deleted on the server (only when asked to).

Status changes happen in short transactions around each chunk (pending → send → mark from the answer),
so a process killed at any instant leaves every value either settled or visibly unfinished; the next
run sends the unfinished ones again (DHIS2's import is an upsert, so a value sent twice is stored once).
The diff reads only integers (key hash, value hash, file id) so a million values compare in a second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from dhis2_mch.errors import InputError

STATUSES = ("pending", "sent", "confirmed", "rejected", "deleted")
UNFINISHED = ("pending", "sent")
KEY = ("de", "pe", "ou", "coc", "aoc")

SCHEMA = """
CREATE TABLE IF NOT EXISTS value (
    instance TEXT NOT NULL, de TEXT NOT NULL, pe TEXT NOT NULL, ou TEXT NOT NULL, coc TEXT NOT NULL,
    aoc TEXT NOT NULL, khash INTEGER NOT NULL, vhash INTEGER NOT NULL, ds TEXT, value TEXT, comment TEXT,
    source TEXT, file_id INTEGER, row INTEGER, status TEXT NOT NULL, reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, run_id TEXT, updated TEXT, pushed TEXT, missing INTEGER NOT NULL DEFAULT 0,
    UNIQUE (instance, de, pe, ou, coc, aoc)
);
CREATE UNIQUE INDEX IF NOT EXISTS value_khash ON value (instance, khash);
-- covers the diff's scan (key hash, value hash, file, status): a compact index instead of the wide rows
CREATE INDEX IF NOT EXISTS value_diff ON value (instance, khash, vhash, file_id, status);
CREATE INDEX IF NOT EXISTS value_unfinished ON value (file_id) WHERE status IN ('pending', 'sent');
CREATE TABLE IF NOT EXISTS file (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, source TEXT, fingerprint TEXT, mtime REAL,
    rows INTEGER, problems INTEGER, problem_summary TEXT, run_id TEXT, read_at TEXT, present INTEGER DEFAULT 1
);
CREATE TABLE IF NOT EXISTS orgunit (instance TEXT, uid TEXT, code TEXT, name TEXT, PRIMARY KEY (instance, uid));
CREATE TABLE IF NOT EXISTS completion (
    instance TEXT, ds TEXT, pe TEXT, ou TEXT, aoc TEXT, status TEXT, reason TEXT, run_id TEXT, at TEXT,
    PRIMARY KEY (instance, ds, pe, ou, aoc)
);
CREATE TABLE IF NOT EXISTS run (
    run_id TEXT PRIMARY KEY, started TEXT, finished TEXT, exit_code INTEGER, summary TEXT
);
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Ledger:
    """The ledger file. ``with ledger.transaction():`` groups writes; each chunk is its own transaction."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            # WAL: readers (sync status) never block a run; NORMAL survives a killed process (not
            # necessarily a power cut, where the last marks may be lost: those values are re-sent).
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path}: not a usable sync ledger ({exc}).") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- files --

    def file_id(self, path: str, source: str) -> int:
        row = self.db.execute("SELECT id FROM file WHERE path = ?", (path,)).fetchone()
        if row:
            return int(row[0])
        cur = self.db.execute("INSERT INTO file (path, source) VALUES (?, ?)", (path, source))
        return int(cur.lastrowid or 0)

    def file_record(self, path: str) -> dict | None:
        cur = self.db.execute("SELECT * FROM file WHERE path = ?", (path,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def record_file(self, fid: int, *, fingerprint: str, mtime: float, rows: int, problems: int, summary: str,
                    run_id: str) -> None:  # fmt: skip
        self.db.execute(
            "UPDATE file SET fingerprint=?, mtime=?, rows=?, problems=?, problem_summary=?, run_id=?, read_at=?, "
            "present=1 WHERE id=?",
            (fingerprint, mtime, rows, problems, summary, run_id, now(), fid),
        )

    def note_problems(self, path: str, count: int, summary: str) -> None:
        """Rows of a file the preflight refused (they have no key, so no row in ``value``)."""
        with self.transaction() as db:
            db.execute("UPDATE file SET problems = ?, problem_summary = ? WHERE path = ?", (count, summary, path))

    def has_unfinished(self, fid: int) -> bool:
        q = "SELECT 1 FROM value WHERE file_id = ? AND status IN ('pending', 'sent') LIMIT 1"
        return self.db.execute(q, (fid,)).fetchone() is not None

    def files_of(self, source: str) -> dict[str, int]:
        return {p: i for i, p in self.db.execute("SELECT id, path FROM file WHERE source = ?", (source,))}

    # -- the diff --

    def hashes(self, instance: str) -> pd.DataFrame:
        """``khash, l_vhash, l_file, l_unfinished`` of every value of an instance: integers only, read
        straight into numpy (no Python row objects), so a million values take a fraction of a second."""
        cur = self.db.execute(
            "SELECT khash, vhash, COALESCE(file_id, 0) * 2 + (status IN ('pending', 'sent')) FROM value "
            "WHERE instance = ? AND status != 'deleted'",
            (instance,),
        )
        flat = np.fromiter(chain.from_iterable(cur), dtype=np.int64)
        table = flat.reshape(-1, 3)
        return pd.DataFrame({"khash": table[:, 0], "l_vhash": table[:, 1], "l_file": table[:, 2] // 2,
                             "l_unfinished": table[:, 2] % 2 == 1})  # fmt: skip

    # -- marks --

    def mark_pending(self, instance: str, rows: pd.DataFrame, run_id: str) -> None:
        """Before sending: the new value, its provenance, ``pending``, one more attempt (one transaction)."""
        stamp = now()
        data = zip(
            *(rows[c] for c in ("de", "pe", "ou", "coc", "aoc", "khash", "vhash", "ds", "value", "comment",
                                "source", "file_id", "_file_row")),
            strict=True,
        )  # fmt: skip
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO value (instance, de, pe, ou, coc, aoc, khash, vhash, ds, value, comment, source, file_id,"
                " row, status, reason, attempts, run_id, updated, missing) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', NULL, 1, ?, ?, 0) "
                "ON CONFLICT (instance, de, pe, ou, coc, aoc) DO UPDATE SET khash=excluded.khash, "
                "vhash=excluded.vhash, ds=excluded.ds, value=excluded.value, comment=excluded.comment, "
                "source=excluded.source, file_id=excluded.file_id, row=excluded.row, status='pending', reason=NULL, "
                "attempts=attempts + 1, run_id=excluded.run_id, updated=excluded.updated, missing=0",
                ((instance, de, pe, ou, coc, aoc, int(k), int(v), ds, val, com, src, int(f), int(r), run_id, stamp)
                 for de, pe, ou, coc, aoc, k, v, ds, val, com, src, f, r in data),
            )  # fmt: skip

    def mark(self, instance: str, outcomes: Iterable[tuple[int, str, str | None]], run_id: str) -> None:
        """After DHIS2 answered (or the answer was lost): ``(khash, status, reason)`` per value."""
        stamp = now()
        with self.transaction() as db:
            db.executemany(
                "UPDATE value SET status = ?, reason = ?, run_id = ?, updated = ?, "
                "pushed = CASE WHEN ? IN ('confirmed', 'rejected') THEN ? ELSE pushed END "
                "WHERE instance = ? AND khash = ?",
                ((s, r, run_id, stamp, s, stamp, instance, int(k)) for k, s, r in outcomes),
            )

    def move(self, instance: str, rows: pd.DataFrame) -> None:
        """Unchanged values now read from another file (a re-sent workbook): keep the provenance right."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE value SET file_id = ?, row = ?, source = ?, missing = 0 WHERE instance = ? AND khash = ?",
                ((int(f), int(r), s, instance, int(k))
                 for f, r, s, k in zip(rows["file_id"], rows["_file_row"], rows["source"], rows["khash"], strict=True)),
            )  # fmt: skip

    def details(self, instance: str, khashes: np.ndarray) -> pd.DataFrame:
        """The key, data set, status and provenance of some values (by key hash), for reports and deletes."""
        columns = ["khash", "de", "pe", "ou", "coc", "aoc", "ds", "status", "file_id", "row"]
        rows = []
        for i in range(0, len(khashes), 500):
            part = [int(k) for k in khashes[i : i + 500]]
            rows += self.db.execute(
                f"SELECT {', '.join(columns)} FROM value WHERE instance = ? AND khash IN ({','.join('?' * len(part))})",
                (instance, *part),
            ).fetchall()
        return pd.DataFrame(rows, columns=columns)

    def flagged_missing(self, instance: str) -> pd.DataFrame:
        """Values flagged missing by earlier runs and still on the server."""
        cur = self.db.execute(
            "SELECT khash, de, pe, ou, coc, aoc, ds, status, file_id, row FROM value WHERE instance = ? "
            "AND missing = 1 AND status != 'deleted'",
            (instance,),
        )
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])

    def flag_missing(self, instance: str, khashes: Iterable[int], flag: bool = True) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE value SET missing = ? WHERE instance = ? AND khash = ?",
                           ((int(flag), instance, int(k)) for k in khashes))  # fmt: skip

    def forget(self, instance: str, khashes: Iterable[int], run_id: str) -> None:
        """Deleted on the server: the row stays, as an audit trail, with status ``deleted``."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE value SET status = 'deleted', reason = NULL, run_id = ?, updated = ?, pushed = ? "
                "WHERE instance = ? AND khash = ?",
                ((run_id, now(), now(), instance, int(k)) for k in khashes),
            )

    # -- org units, completeness, runs --

    def remember_org_units(self, instance: str, units: Iterable[tuple[str, str | None, str | None]]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO orgunit VALUES (?, ?, ?, ?)",
                           ((instance, uid, code, name) for uid, code, name in units))  # fmt: skip

    def complete_candidates(self, instance: str) -> list[tuple[str, str, str, str]]:
        """(data set, period, org unit, aoc) whose every ledgered value is confirmed and not yet registered."""
        return self.db.execute(
            "SELECT ds, pe, ou, aoc FROM value WHERE instance = ? AND status != 'deleted' GROUP BY ds, pe, ou, aoc "
            "HAVING SUM(status != 'confirmed') = 0 "
            "EXCEPT SELECT ds, pe, ou, aoc FROM completion WHERE instance = ? AND status = 'registered'",
            (instance, instance),
        ).fetchall()

    def record_completion(self, instance: str, items: Iterable[tuple[str, str, str, str, str, str | None]],
                          run_id: str) -> None:  # fmt: skip
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO completion VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((instance, ds, pe, ou, aoc, status, why, run_id, now()) for ds, pe, ou, aoc, status, why in items),
            )

    def start_run(self, run_id: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO run (run_id, started) VALUES (?, ?)", (run_id, now()))

    def finish_run(self, run_id: str, exit_code: int, summary: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE run SET finished = ?, exit_code = ?, summary = ? WHERE run_id = ?",
                       (now(), exit_code, summary, run_id))  # fmt: skip

    def counts(self, instance: str | None = None) -> dict[str, int]:
        q = "SELECT status, COUNT(*) FROM value" + (" WHERE instance = ?" if instance else "") + " GROUP BY status"
        return {s: int(n) for s, n in self.db.execute(q, (instance,) if instance else ())}

