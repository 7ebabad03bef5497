"""Writing files so that a crash, a full disk or Ctrl-C never leaves half a file behind.

``atomic_write(path)`` hands out a temporary file in the same folder; only when the block ends
without an error is it flushed to disk and renamed over ``path`` (``os.replace`` is atomic on POSIX
and Windows). Until then the previous file, if any, is untouched; on an error the temporary file
is removed. Backups, exports and rejected-rows files are written this way, because each is what a
person reaches for after something went wrong.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """``with atomic_write(path) as f: f.write(...)``: all of the new content at ``path``, or none of it.

    ``mode`` is ``"w"`` (text, with ``encoding`` and ``newline``) or ``"wb"``. The folder is created
    when missing. The new file gets the usual permissions for a new file (umask), not the
    temporary file's private ones.
    """
    if mode not in ("w", "wb"):
        raise ValueError("atomic_write writes whole files: mode is 'w' or 'wb'")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        binary = mode == "wb"
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _umask() -> int:
    """The process umask, read without changing it where the system says it (Linux), else by a quick swap."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """``path.write_text(text)``, atomically."""
    with atomic_write(path, encoding=encoding) as f:
        f.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """``path.write_bytes(data)``, atomically."""
    with atomic_write(path, "wb") as f:
        f.write(data)
    return Path(path)
