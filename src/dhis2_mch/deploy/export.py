"""``export``: the package's objects as the server has them now, as importable metadata JSON.

The round trip of a deploy, and the way to adopt a change someone made in the web UI: export,
compare with the build, carry the change into metadata/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.errors import InputError
from dhis2_mch.files import write_text
from dhis2_mch.model.types import ORDER
from dhis2_mch.project import Compiled

#: what the server adds that an import neither needs nor should carry between instances
SERVER_FIELDS = frozenset(
    {"created", "lastUpdated", "createdBy", "lastUpdatedBy", "href", "access", "favorites", "favorite", "user",
     "displayName", "displayShortName", "displayDescription", "displayFormName", "publicAccess", "userAccesses",
     "userGroupAccesses"}
)  # fmt: skip


@dataclass
class ExportResult:
    out: Path
    counts: dict[str, int]
    missing: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"out": str(self.out), "counts": self.counts, "missing": self.missing}

    def as_text(self) -> str:
        lines = [f"wrote {self.out} ({sum(self.counts.values())} objects from the server)"]
        lines += [f"  {p:<28}{n:>5}" for p, n in self.counts.items()]
        for plural, uids in self.missing.items():
            lines.append(
                f"  not on the server: {len(uids)} {plural} ({', '.join(uids[:5])}{' ...' if len(uids) > 5 else ''})"
            )
        return "\n".join(lines)


def export(compiled: Compiled, conn: Connection, out: Path) -> ExportResult:
    """The server's copies of ``compiled``'s objects (by UID), written to ``out`` as importable JSON."""
    md = compiled.metadata
    exported: dict[str, list[dict]] = {}
    missing: dict[str, list[str]] = {}
    for plural in sorted(md.objects, key=lambda p: ORDER.get(p, len(ORDER))):
        uids = [o.id for o in md.of(plural) if o.id]
        if not uids:
            continue
        found = {o["id"]: o for o in api.fetch_objects(conn, plural, ids=uids, fields=":owner,translations")}
        objs = [_clean(found[u]) for u in uids if u in found]
        if objs:
            exported[plural] = objs
        if len(objs) < len(uids):
            missing[plural] = [u for u in uids if u not in found]
    try:
        write_text(out, json.dumps(exported, ensure_ascii=False, indent=2) + "\n")  # whole or not at all
    except OSError as exc:
        raise InputError(f"{out}: cannot write the export ({exc.strerror or exc}).") from None
    return ExportResult(out, {p: len(v) for p, v in exported.items()}, missing)


def _clean(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in SERVER_FIELDS}
