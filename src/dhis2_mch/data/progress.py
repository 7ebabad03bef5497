"""Progress of a long read or push on a terminal: rows read, values sent, chunk n of m.

One line rewritten in place on stderr, at most a few times a second; nothing at all when stderr is
not a terminal (a cron job's log, ``--format json`` piped into a file), so output stays unchanged.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None, *, every: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self._last = 0.0
        self._shown = False

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None) -> Progress | None:
        stream = stream or sys.stderr
        return cls(stream) if getattr(stream, "isatty", lambda: False)() else None

    def read(self, rows: int) -> None:
        self._say(f"reading: {rows:,} rows")

    def checked(self, rows: int) -> None:
        self._say(f"checked {rows:,} rows", force=True)

    def sent(self, values: int, total: int, chunk: int, chunks: int) -> None:
        self._say(f"sending: {values:,} of {total:,} values, chunk {chunk} of {chunks}", force=chunk == chunks)

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    def _say(self, text: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        self.stream.write(f"\r\033[K{text}")
        self.stream.flush()
        self._shown = True
