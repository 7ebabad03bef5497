"""Backups of what a deploy is about to overwrite, as importable DHIS2 metadata JSON.

Written before the COMMIT, from the server's own copies fetched for the plan: importing the file
(``POST /api/metadata`` or the Import/Export app) puts those objects back as they were. Each backup
is named by the instance (its profile name, else its host) and the UTC time, e.g.
``staging-20261201T150102Z.json``, and written atomically: a backup is either whole or absent.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dhis2_mch.errors import InputError
from dhis2_mch.files import write_text

DEFAULT_DIR = Path("build/backups")


def backup_name(target: Any, now: datetime | None = None) -> str:
    """``<instance or host>-<UTC time>``: ``target`` is a Connection (its profile name, else its host) or a URL."""
    name = getattr(target, "name", None) or urlsplit(getattr(target, "base_url", None) or str(target)).netloc
    safe = re.sub(r"[^A-Za-z0-9.-]+", "_", name or "").strip("._") or "dhis2"
    return f"{safe}-{(now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')}"


def write_backup(objects: dict[str, list[dict]], target: Any, folder: Path = DEFAULT_DIR) -> Path:
    """Write ``objects`` to ``folder/<instance>-<time>.json`` (a numbered suffix if that name is taken)."""
    stem = backup_name(target)
    path = folder / f"{stem}.json"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.json"
    try:
        write_text(path, json.dumps(objects, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the backup ({exc.strerror or exc}); nothing was imported.") from None
    return path
