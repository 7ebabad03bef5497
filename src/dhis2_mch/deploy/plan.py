"""The plan: what a deploy would do to one DHIS2 instance, decided before anything is written.

Each object of the package is classified against the server's copy as create, update (with the
properties that change) or unchanged. Then the plan predicts what DHIS2 would refuse, using the
same rules as its import (model/types.py): a code or another unique property (per type and
version) already held by a different server object (E5003), and references neither the package nor
the server can resolve (E5002). Server objects the package does not contain are never sent, so
never touched; when one is in the way the conflict names it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from dhis2_mch.deploy.diff import Change, diff
from dhis2_mch.model.objects import IdentifiableObject
from dhis2_mch.model.types import BY_NAME, ORDER, lookup, walk_refs
from dhis2_mch.package.jsonfile import metadata_from_dict

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
MAX_CREATES_SHOWN = 5  # per type, in the text plan; updates are always listed in full


class ServerView(Protocol):
    """What the plan needs to know about the server; deploy.remote implements it over HTTP."""

    version: tuple[int, int]

    def identities(self, plural: str) -> list[dict]:
        """``id``, ``code``, ``name``, ``shortName`` of every object of a type on the server."""

    def objects(self, plural: str, uids: Iterable[str]) -> dict[str, dict]:
        """The server's full copy (owned properties) of the objects with these UIDs that exist."""

    def existing(self, plural: str, uids: Iterable[str]) -> set[str]:
        """Which of these UIDs exist on the server as objects of this type."""


@dataclass
class ObjectPlan:
    plural: str
    uid: str
    code: str | None
    name: str | None
    action: str
    changes: list[Change] = field(default_factory=list)
    remote: dict | None = field(default=None, repr=False)  # the server's copy, kept for the backup

    @property
    def type(self) -> str:
        return lookup(self.plural).name

    def as_json(self) -> dict:
        data: dict[str, Any] = {"type": self.type, "id": self.uid, "code": self.code, "name": self.name}
        data["action"] = self.action
        if self.changes:
            data["changes"] = [c.as_json() for c in self.changes]
        return data


@dataclass
class Conflict:
    code: str
    type: str
    id: str
    name: str | None
    property: str
    message: str
    server_object: str | None = None

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}

    def as_text(self) -> str:
        return f"{self.code} {self.type} '{self.name}' [{self.id}] {self.property}: {self.message}"


@dataclass
class Plan:
    target: str
    version: tuple[int, int]
    objects: list[ObjectPlan]
    conflicts: list[Conflict]
    payload: dict  # the substituted package payload the plan was made for
    url: str = ""  # the server's base URL (``target`` is how messages name it)
    source: str = ""  # the package the plan was made from

    def count(self, action: str) -> int:
        return sum(o.action == action for o in self.objects)

    @property
    def changes(self) -> int:
        return self.count(CREATE) + self.count(UPDATE)

    def to_send(self) -> dict:
        """The payload of only what changes, in the package's key order; unchanged objects are left alone."""
        wanted = {(o.plural, o.uid) for o in self.objects if o.action != UNCHANGED}
        out = {}
        for key, value in self.payload.items():
            if isinstance(value, list):
                kept = [obj for obj in value if (key, obj.get("id")) in wanted]
                if kept:
                    out[key] = kept
        return out

    def overwritten(self) -> dict[str, list[dict]]:
        """The server's copies of the objects an apply would update: what the backup keeps."""
        out: dict[str, list[dict]] = {}
        for o in self.objects:
            if o.action == UPDATE and o.remote is not None:
                out.setdefault(o.plural, []).append(o.remote)
        return out

    def per_type(self) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for o in self.objects:
            counts.setdefault(o.plural, Counter())[o.action] += 1
        return counts

    def as_json(self) -> dict:
        return {
            "target": self.target,
            "dhis2_version": ".".join(map(str, self.version)),
            "summary": {a: self.count(a) for a in (CREATE, UPDATE, UNCHANGED)} | {"conflicts": len(self.conflicts)},
            "types": {p: dict(c) for p, c in self.per_type().items()},
            "changes": [o.as_json() for o in self.objects if o.action != UNCHANGED],
            "conflicts": [c.as_json() for c in self.conflicts],
        }

    def as_text(self) -> str:
        version = ".".join(map(str, self.version))
        per_type = self.per_type()
        lines = [
            f"Plan for {self.target} (DHIS2 {version}): {self.count(CREATE)} to create, "
            f"{self.count(UPDATE)} to update, {self.count(UNCHANGED)} unchanged, {len(self.conflicts)} conflicts"
        ]
        for plural, counts in per_type.items():
            c, u, n = counts[CREATE], counts[UPDATE], counts[UNCHANGED]
            lines.append(f"  {plural:<28} create {c:>4}  update {u:>4}  unchanged {n:>4}")
        shown: Counter = Counter()
        for o in self.objects:
            if o.action == CREATE:
                shown[o.plural] += 1
                if shown[o.plural] <= MAX_CREATES_SHOWN:
                    lines.append(f"  + {o.type} {o.code or ''} '{o.name}' [{o.uid}]")
                elif shown[o.plural] == MAX_CREATES_SHOWN + 1:
                    more = per_type[o.plural][CREATE] - MAX_CREATES_SHOWN
                    lines.append(f"  + ... and {more} more {o.plural} (--format json lists them all)")
            elif o.action == UPDATE:
                lines.append(f"  ~ {o.type} {o.code or ''} '{o.name}' [{o.uid}]")
                lines += [f"      {c.as_text()}" for c in o.changes]
        if self.conflicts:
            lines.append("conflicts (DHIS2 would refuse these; nothing will be sent until they are resolved):")
            lines += [f"  ! {c.as_text()}" for c in self.conflicts]
        if not self.changes and not self.conflicts:
            lines.append("No changes: the server already matches the package.")
        return "\n".join(lines)


def make_plan(payload: dict, server: ServerView, target: str) -> Plan:
    """Compare a built, substituted payload with the server."""
    collections = {k: v for k, v in payload.items() if isinstance(v, list) and v}
    objects: list[ObjectPlan] = []
    conflicts: list[Conflict] = []
    in_package = {obj["id"] for objs in collections.values() for obj in objs if obj.get("id")}
    for plural in sorted(collections, key=lambda p: ORDER.get(p, len(ORDER))):
        local = collections[plural]
        mtype = lookup(plural)
        identities = server.identities(plural)
        remote = server.objects(plural, [o["id"] for o in local])
        for obj in local:
            uid = obj["id"]
            if uid in remote:
                changes = diff(obj, remote[uid])
                action = UPDATE if changes else UNCHANGED
            else:
                changes, action = [], CREATE
            objects.append(ObjectPlan(plural, uid, obj.get("code"), obj.get("name"), action, changes, remote.get(uid)))
            if action != UNCHANGED:
                conflicts += _unique_clashes(mtype, obj, identities, server.version)
    conflicts += _unresolved_references(collections, in_package, server)
    return Plan(target, server.version, objects, conflicts, payload)


def _unique_clashes(mtype, obj: dict, identities: list[dict], version) -> list[Conflict]:
    out = []
    for prop in mtype.unique_properties(version):
        value = obj.get(prop)
        if not value:
            continue
        holder = next((s for s in identities if s.get(prop) == value and s.get("id") != obj["id"]), None)
        if holder is None:
            continue
        held_by = f"{holder.get('name') or ''} [{holder['id']}]".strip()
        hint = f"the server's {mtype.name} {held_by} is not part of this package and will not be touched; " + (
            f"to adopt it, pin `id: {holder['id']}` on this object in metadata/, or choose another code"
            if prop == "code"
            else f"rename this object's {prop}, or adopt the server's object by pinning `id: {holder['id']}`"
        )
        out.append(
            Conflict(
                "E5003", mtype.name, obj["id"], obj.get("name"), prop,
                f"Property `{prop}` with value `{value}` already exists on object {holder['id']}: {hint}",
                holder["id"],
            )
        )  # fmt: skip
    return out


def _unresolved_references(collections: dict, in_package: set[str], server: ServerView) -> list[Conflict]:
    """References to objects that are neither in the package nor on the server (E5002)."""
    wanted: dict[str, set[str]] = {}
    sites: list[tuple[str, IdentifiableObject, str, str, str]] = []
    md, _ = metadata_from_dict(collections)
    for mtype, typed in md.items():
        for spec in (s for s in mtype.refs if s.owner):  # DHIS2 ignores the inverse side of a link
            for where, ref in walk_refs(typed, spec.path):
                if ref.id and ref.id not in in_package:
                    target = BY_NAME[spec.target].plural if spec.target in BY_NAME else spec.target + "s"
                    wanted.setdefault(target, set()).add(ref.id)
                    sites.append((mtype.name, typed, where, target, ref.id))
        # what the validator leaves to the server (MCH007): sharing user groups, attributes of attribute values
        sharing = typed.sharing if isinstance(typed.sharing, dict) else {}
        for key, entry in (sharing.get("userGroups") or {}).items():
            uid = entry.get("id", key) if isinstance(entry, dict) else key
            if isinstance(uid, str) and uid not in in_package:
                wanted.setdefault("userGroups", set()).add(uid)
                sites.append((mtype.name, typed, f"sharing.userGroups.{key}", "userGroups", uid))
        for i, value in enumerate(typed.attributeValues or []):
            uid = (value.get("attribute") or {}).get("id") if isinstance(value, dict) else None
            if isinstance(uid, str) and uid not in in_package:
                wanted.setdefault("attributes", set()).add(uid)
                sites.append((mtype.name, typed, f"attributeValues[{i}].attribute", "attributes", uid))
    found = {plural: server.existing(plural, uids) for plural, uids in wanted.items()}
    return [
        Conflict(
            "E5002",
            type_name,
            obj.id or "",
            obj.name,
            where,
            f"Invalid reference [{uid}] ({lookup(target).simple}) on object {obj.name} [{obj.id}]: "
            f"not in the package and not on the server",
        )
        for type_name, obj, where, target, uid in sites
        if uid not in found[target]
    ]
