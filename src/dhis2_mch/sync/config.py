"""``config/sync.yaml``: where the ledger and the run log live, and which files feed which instance.

Relative paths are taken from the directory the command runs in (the project folder: the scheduler
examples in ``scripts/`` change to it first). Errors name ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dhis2_mch.errors import InputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Source(_Strict):
    name: str
    files: list[str]
    """glob patterns (``inbox/lam-dong/*.xlsx``); files are read oldest first, so a re-sent file wins"""
    mapping: Path
    instance: str | None = None
    """a profile of the instances file; none: ``--url`` / ``DHIS2_URL`` and the environment's credentials"""
    before_reform: Literal["refuse", "pre-reform", "current"] = "refuse"
    """rows of periods before 1 July 2025 keyed by a bare code (the reform reused codes): refused, placed on
    the pre-reform unit (``PRE2025-`` codes), or on today's unit deliberately"""

    @model_validator(mode="before")
    @classmethod
    def _one_glob(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("files"), str):
            return {**data, "files": [data["files"]]}
        return data


class Retries(_Strict):
    """After the connection's own retries of one request: how often a run tries a chunk again."""

    attempts: int = Field(3, ge=1, le=20)
    delay: float = Field(30.0, ge=0, le=3600)
    request_attempts: int = Field(4, ge=1, le=10)
    """the connection's tries of one request (connection errors, 429/502/503/504, honouring Retry-After)"""
    backoff: float = Field(1.0, ge=0, le=60)
    """the connection's first wait between tries, doubled each time"""


class SyncConfig(_Strict):
    ledger: Path = Path("build/sync/ledger.sqlite")
    log: Path = Path("build/sync/runs.jsonl")
    metadata: Path | None = None
    """the package the mappings' codes refer to (default: the programmes' package, ``metadata/``)"""
    chunk_size: int = Field(500, ge=1, le=100_000)
    retries: Retries = Retries()
    complete: bool = False
    """register each data set complete for an org unit and period once all its values are confirmed"""
    delete_missing: bool = False
    """delete on the server the values that vanished from their source (otherwise only reported)"""
    sources: list[Source]
    path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _names(self) -> SyncConfig:
        names = [s.name for s in self.sources]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"source names must be unique: {', '.join(dup)}")
        if not self.sources:
            raise ValueError("no sources")
        return self

    @property
    def lock(self) -> Path:
        return self.ledger.with_name(self.ledger.name + ".lock")


def load_config(path: Path) -> SyncConfig:
    from dhis2_mch.data.mapping import yaml_line
    from dhis2_mch.package.yamlio import read_yaml

    if not path.is_file():
        raise InputError(f"{path}: no such sync configuration (copy config/sync.example.yaml and edit it).")
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(f"{path}: a sync configuration is a mapping with `sources:` (see config/sync.example.yaml).")
    try:
        return SyncConfig.model_validate({**raw, "path": path})
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:5]:
            loc = [str(p) for p in err["loc"]]
            line = yaml_line(raw, loc)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = f"unknown key `{loc[-1]}`"
            problems.append(f"{path}:{line}: {'.'.join(loc) or '(top)'}: {msg}")
        raise InputError("; ".join(problems) + ".") from None
