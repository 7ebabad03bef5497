"""Adopt an instance's existing organisation units instead of creating duplicates.

An instance that already has "Lâm Đồng" (made by hand, or imported from an older list) must not
get a second Lâm Đồng beside it. Before a deploy, every built unit is matched against the server's
units, parents first:

1. the same UID (made by dhis2-mch before): it is ours, nothing to adopt;
2. the same official code: adopted, unless the server's unit under that code has another name, as
   province 15 has on an instance that kept the pre-reform provinces (15 = Yên Bái): that is the
   code-reuse trap, reported and never adopted (DHIS2 would refuse the new unit's code, E5003);
3. the same name under the same (adopted) parent, compared without case, Unicode form, tone
   placement or the kind prefix (``Lâm Đồng`` = ``Tỉnh Lâm Đồng``): adopted and given its code.
   Names are compared only under one parent (the same commune name exists in several provinces),
   never for the legacy branch (its names are those of the new units that replaced them), and
   a name that fits several units is reported, not guessed.

An adopted unit keeps its UID, name, short name, dates and parent on the server: the build takes the
server's copy (``fields=:owner``, everything an import would replace) and only adds the code when it
lacks one, so the plan shows exactly that change and nothing of the instance's is lost. Every unit
that refers to an adopted one (children's ``parent``) is pointed at the server's UID.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dhis2_mch.data.names import name_key
from dhis2_mch.model.objects import OrganisationUnit, Ref
from dhis2_mch.orgunits.hierarchy import LEGACY_PREFIX, LEGACY_ROOT_CODE, LEGACY_SUFFIX

#: kind prefixes of provinces and districts (communes' are handled by data.names)
_KINDS = ("thành phố", "tỉnh", "thủ đô", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường", "đặc khu")


@dataclass(frozen=True)
class Adoption:
    code: str
    name: str  # our name
    server_id: str
    server_name: str
    by: str  # "code" or "name"

    def as_json(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Refusal:
    code: str
    name: str
    server_id: str
    server_name: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass
class AdoptionReport:
    adopted: list[Adoption] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    remap: dict[str, str] = field(default_factory=dict)  # our UID -> the server's

    def as_json(self) -> dict[str, Any]:
        return {"adopted": [a.as_json() for a in self.adopted], "refused": [r.as_json() for r in self.refused]}

    def as_text(self) -> str:
        lines = []
        if self.adopted:
            lines.append(f"Adopted {len(self.adopted)} existing organisation units (kept their UIDs, names and dates):")
            lines += [f"  = {a.code} {a.name} ← {a.server_name} [{a.server_id}] (same {a.by})" for a in self.adopted]
        for r in self.refused:
            lines.append(f"  ! {r.code} {r.name}: not adopted: {r.reason}")
        return "\n".join(lines)


def comparable(name: str) -> str:
    """A name without case, Unicode form, tone placement, the legacy suffix or its kind prefix."""
    text = name.removesuffix(LEGACY_SUFFIX)
    key = name_key(text, strip_prefix=False).words
    for kind in sorted((name_key(k, strip_prefix=False).words for k in _KINDS), key=len, reverse=True):
        if key.startswith(kind + " "):
            return key[len(kind) + 1 :]
    return key


def adopt(
    units: list[OrganisationUnit],
    server_units: Iterable[dict[str, Any]],
    owner_copy: Callable[[list[str]], dict[str, dict[str, Any]]],
) -> tuple[list[OrganisationUnit], AdoptionReport]:
    """The units to deploy, with server units adopted; ``owner_copy(uids)`` reads ``:owner`` copies."""
    server = [s for s in server_units if s.get("id")]
    by_id = {s["id"]: s for s in server}
    by_code = {s["code"]: s for s in server if s.get("code")}
    by_parent_name: dict[tuple[str | None, str], list[dict[str, Any]]] = {}
    for s in server:
        parent = (s.get("parent") or {}).get("id")
        by_parent_name.setdefault((parent, comparable(s.get("name") or "")), []).append(s)

    report = AdoptionReport()
    matched: dict[str, dict[str, Any]] = {}  # our uid -> the server unit adopted
    for unit in units:  # parents come before their children in a build
        assert unit.id is not None and unit.code is not None and unit.name is not None
        parent = report.remap.get(unit.parent.id, unit.parent.id) if unit.parent and unit.parent.id else None
        found = by_code.get(unit.code)
        if found is not None and found["id"] == unit.id:
            continue
        if found is not None:
            if comparable(found.get("name") or "") != comparable(unit.name):
                report.refused.append(
                    Refusal(
                        unit.code, unit.name, found["id"], found.get("name") or "",
                        f"the server's unit with code {unit.code} is named '{found.get('name')}': an old unit under "
                        f"a code the reform gave to another territory? Recode it (legacy codes are "
                        f"{LEGACY_PREFIX}<P|D|X><old code>) before deploying; DHIS2 would refuse the code (E5003).",
                    )
                )  # fmt: skip
                continue
            if unit.id in by_id:  # ours already, and another unit holds the code: the plan shows E5003
                continue
            how = "code"
        elif unit.id in by_id or unit.code.startswith(LEGACY_ROOT_CODE):
            continue
        else:
            candidates = by_parent_name.get((parent, comparable(unit.name)), [])
            if parent is None and not candidates:  # the instance's root, whatever its name
                candidates = [s for s in server if not (s.get("parent") or {}).get("id")]
                if len(candidates) != 1:
                    continue
                how = "sole root"
            else:
                how = "name"
            coded = parent is not None and any(s.get("code") for s in candidates)  # a root keeps its own code
            if len(candidates) > 1 or coded:
                shown = ", ".join(f"{s.get('name')} [{s['id']}] code {s.get('code') or '-'}" for s in candidates)
                report.refused.append(
                    Refusal(unit.code, unit.name, candidates[0]["id"], candidates[0].get("name") or "",
                            f"the server has {shown} under the same parent: give the one you mean code {unit.code} "
                            "(or remove the others' codes) and deploy again")
                )  # fmt: skip
                continue
            if not candidates:
                continue
            found = candidates[0]
        matched[unit.id] = found
        report.remap[unit.id] = found["id"]
        report.adopted.append(Adoption(unit.code, unit.name, found["id"], found.get("name") or "", how))

    copies = owner_copy(sorted({s["id"] for s in matched.values()})) if matched else {}
    out: list[OrganisationUnit] = []
    for unit in units:
        if unit.id in matched:
            copy = dict(copies.get(report.remap[unit.id]) or matched[unit.id])
            copy["code"] = copy.get("code") or unit.code
            out.append(OrganisationUnit.model_validate(_owner_fields(copy), strict=False))
        elif unit.parent and unit.parent.id in report.remap:
            out.append(unit.model_copy(update={"parent": Ref(id=report.remap[unit.parent.id])}))
        else:
            out.append(unit)
    return out, report


def _owner_fields(copy: dict[str, Any]) -> dict[str, Any]:
    """The server copy without what DHIS2 computes (path, level) or manages (created, lastUpdated ...)."""
    drop = {"path", "level", "created", "lastUpdated", "createdBy", "lastUpdatedBy", "href", "children", "ancestors"}
    return {k: v for k, v in copy.items() if k not in drop}
