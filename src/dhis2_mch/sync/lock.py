"""One sync run at a time per ledger: a lock file holding the owner's pid and host.

Created with ``O_CREAT | O_EXCL`` (atomic on local file systems, Windows included). A lock left by a
process that no longer runs on this host (killed, machine rebooted) is stale and taken over, with a
warning; a lock held by a live process, or by another host (a shared folder), is respected.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import time
from pathlib import Path

from dhis2_mch.errors import Dhis2MchError

log = logging.getLogger(__name__)


class SyncBusy(Dhis2MchError):
    """Another sync run holds the ledger's lock (exit 1: this run did nothing)."""


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    def __init__(self, path: Path):
        self.path = path
        self.held = False

    def acquire(self) -> RunLock:
        me = {"pid": os.getpid(), "host": socket.gethostname()}
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                dead = owner is not None and owner.get("host") == me["host"] and not _alive(int(owner.get("pid", 0)))
                if dead or (owner is None and self._age() > 60):  # or killed between creating and writing it
                    log.warning("Removing the stale sync lock %s (process %s no longer runs).",
                                self.path, (owner or {}).get("pid", "unknown"))  # fmt: skip
                    self.path.unlink(missing_ok=True)
                    continue
                who = f"process {owner.get('pid')} on {owner.get('host')}" if owner else "an unreadable owner"
                raise SyncBusy(
                    f"Another sync run holds {self.path} ({who}); this run did nothing. If no sync is running "
                    "there, delete the file."
                ) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(me, fh)
            self.held = True
            return self
        raise SyncBusy(f"Could not take the sync lock {self.path}; try again.")

    def _owner(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def _age(self) -> float:
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return 0.0

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
