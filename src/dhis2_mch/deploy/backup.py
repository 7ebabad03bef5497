"""Backups of what a deploy is about to overwrite, as importable DHIS2 metadata JSON.

Written before the COMMIT, from the server's own copies fetched for the plan: importing the file
(``POST /api/metadata`` or the Import/Export app) puts those objects back as they were.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from dhis2_mch.errors import InputError

DEFAULT_DIR = Path("build/backups")


def write_backup(objects: dict[str, list[dict]], target: str, folder: Path = DEFAULT_DIR) -> Path:
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(target).netloc or "server")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{host}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(objects, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the backup ({exc.strerror or exc}); nothing was imported.") from None
    return path
