"""A plan saved for review (``plan --out plan.json``) and applied later as it is (``deploy --plan``).

The file holds what the plan was made for (server URL, DHIS2 version, package), the exact payload
(defaults and root already substituted for that server), every object's planned action and the
``lastUpdated`` of the server's copy it was compared with, and the predicted conflicts; plus the
plan as ``plan --format json`` shows it, for people. A fingerprint of the payload catches a file
edited after the review.

Before applying, the server is planned again from the saved payload: any object created, deleted
or updated on the server since (a different ``lastUpdated``), any planned change that now differs,
and any new conflict is named, and nothing is sent. Terraform's saved plans work the same way
("Saved plan is stale").
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dhis2_mch.deploy.plan import UNCHANGED, Plan
from dhis2_mch.errors import InputError, ValidationFailed
from dhis2_mch.model.types import lookup

FORMAT_VERSION = 1
MAX_SHOWN = 20


class PlanOutdated(ValidationFailed):
    """The server changed since the saved plan was made (or the plan does not fit it): nothing was sent."""


class SavedObject(BaseModel):
    model_config = ConfigDict(extra="ignore")

    plural: str
    id: str
    code: str | None = None
    name: str | None = None
    action: str
    changes: list[dict[str, Any]] = []
    lastUpdated: str | None = None  # of the server's copy the plan compared with; None = not on the server


class SavedPlan(BaseModel):
    """The machine-read part of a plan file (the pydantic model at the file boundary)."""

    model_config = ConfigDict(extra="ignore")

    format_version: int
    url: str
    dhis2_version: str
    source: str = ""
    created: str = ""
    fingerprint: str
    objects: list[SavedObject]
    conflicts: list[dict[str, Any]] = []
    payload: dict[str, Any]

    def to_send(self) -> dict[str, list[dict]]:
        """The payload of only what the plan creates or updates, in the payload's key order."""
        wanted = {(o.plural, o.id) for o in self.objects if o.action != UNCHANGED}
        out = {}
        for key, value in self.payload.items():
            kept = [obj for obj in value if (key, obj.get("id")) in wanted] if isinstance(value, list) else []
            if kept:
                out[key] = kept
        return out


def fingerprint(payload: dict) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_document(plan: Plan) -> dict[str, Any]:
    """What ``plan --out`` writes: the plan for people (``plan``) and for ``deploy --plan``."""
    return {
        "format_version": FORMAT_VERSION,
        "url": plan.url,
        "dhis2_version": ".".join(map(str, plan.version)),
        "source": plan.source,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "fingerprint": fingerprint(plan.payload),
        "plan": plan.as_json(),
        "objects": [
            {
                "plural": o.plural,
                "id": o.uid,
                "code": o.code,
                "name": o.name,
                "action": o.action,
                "changes": [c.as_json() for c in o.changes],
                "lastUpdated": (o.remote or {}).get("lastUpdated"),
            }
            for o in plan.objects
        ],
        "conflicts": [c.as_json() for c in plan.conflicts],
        "payload": plan.payload,
    }


def write_plan(plan: Plan, out: Path) -> Path:
    """Save ``plan`` for review; written atomically."""
    data = json.dumps(plan_document(plan), ensure_ascii=False, indent=2) + "\n"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(data, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the plan ({exc.strerror or exc}).") from None
    return out


def read_plan(path: Path) -> SavedPlan:
    """A plan file written by ``plan --out``; InputError when it is not one, or was edited since."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the plan ({exc.strerror or exc}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a plan file written by `dhis2-mch plan --out` ({exc}).") from None
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        found = data.get("format_version") if isinstance(data, dict) else None
        raise InputError(
            f"{path}: not a plan file of this dhis2-mch (format_version {found!r}, expected {FORMAT_VERSION}); "
            "make the plan again with `dhis2-mch plan --out`."
        )
    try:
        saved = SavedPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{path}: not a valid plan file: `{where}`: {first['msg'].lower()}.") from None
    if fingerprint(saved.payload) != saved.fingerprint:
        raise InputError(
            f"{path}: the payload was edited after the plan was made (its fingerprint no longer matches); "
            "a reviewed plan is applied as it was written: make the plan again with `dhis2-mch plan --out`."
        )
    return saved


def check_target(saved: SavedPlan, url: str, version: tuple[int, int]) -> None:
    """Refuse a plan made for another server, another DHIS2 version, or one that found conflicts."""
    problems = []
    if saved.url.rstrip("/") != url.rstrip("/"):
        problems.append(f"it was made for {saved.url}, not {url}")
    running = ".".join(map(str, version))
    if saved.dhis2_version != running:
        problems.append(f"it was made for DHIS2 {saved.dhis2_version}, the server now runs {running}")
    if saved.conflicts:
        problems.append(f"it found {len(saved.conflicts)} conflicts that DHIS2 would refuse")
    if problems:
        raise PlanOutdated(f"The saved plan cannot be applied: {'; '.join(problems)}. Nothing was sent.")


def changes_since(saved: SavedPlan, current: Plan) -> list[str]:
    """What differs between the saved plan and the same payload planned against the server now."""
    now = {(o.plural, o.uid): o for o in current.objects}
    out = []
    for s in saved.objects:
        label = f"{lookup(s.plural).name} {s.code + ' ' if s.code else ''}'{s.name}' [{s.id}]"
        o = now.get((s.plural, s.id))
        if o is None:  # cannot happen with the same payload; said rather than assumed
            out.append(f"{label}: no longer planned")
            continue
        seen = (o.remote or {}).get("lastUpdated")
        if s.action == "create" and o.action != "create":
            out.append(f"{label}: created on the server since the plan (the plan would create it)")
        elif s.action != "create" and o.action == "create":
            out.append(f"{label}: deleted from the server since the plan")
        elif seen != s.lastUpdated:
            out.append(f"{label}: updated on the server at {seen} (the plan saw {s.lastUpdated})")
        elif o.action != s.action or [c.as_json() for c in o.changes] != s.changes:
            out.append(f"{label}: the planned change differs now ({s.action} → {o.action})")
    known = {json.dumps(c, sort_keys=True) for c in saved.conflicts}
    out += [f"new conflict: {c.as_text()}" for c in current.conflicts if json.dumps(c.as_json(), sort_keys=True)
            not in known]  # fmt: skip
    return out


def require_current(saved: SavedPlan, current: Plan) -> None:
    """``PlanOutdated`` naming what changed, unless the server is as the saved plan saw it."""
    changed = changes_since(saved, current)
    if changed:
        shown = "\n".join(f"  {c}" for c in changed[:MAX_SHOWN])
        more = f"\n  ... and {len(changed) - MAX_SHOWN} more" if len(changed) > MAX_SHOWN else ""
        raise PlanOutdated(
            f"{current.target} changed since the plan was made ({saved.created}), so the reviewed plan no longer "
            f"describes what a deploy would do; nothing was sent. Make and review a new plan "
            f"(`dhis2-mch plan --out`). What changed:\n{shown}{more}"
        )
