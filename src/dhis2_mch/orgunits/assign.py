"""``orgunits assign``: who reports what, and who may enter it, on one instance.

Nothing in the package says which communes run EM-THRIVE or have a First 1000 days model, nor who
the commune staff are: those are per instance. ``assign`` reads them from plain files and deploys
the programmes' package with them filled in, through the same plan → VALIDATE → backup → COMMIT:

- ``config/orgunits/members/<GROUP CODE>.txt``: the members of a group, one per line, ``#`` starts a
  comment (so a name may follow the code). For an org unit group, official commune codes of 1 July
  2025 (``MCH_REGION3_COMMUNES``: codes of the communes *before* the reform, as Decision 861/QĐ-TTg
  lists them, placed on their legacy units); for a user group, usernames.
- ``config/orgunits/assignments.yaml``: for each data set and program, the group whose communes
  get it, or ``level: province`` (the provinces built and their pre-reform predecessors: history is
  entered on the unit that existed then).

Assignments and memberships are **added** to what the server already has, never taken away: a
data set or group sent without an org unit someone assigned by hand would lose it (DHIS2 replaces an
object's collections on import). Removing is done in the Maintenance app.

The interim Region III classification of the new communes (REVIEW of the package: until a list for
the merged communes is published, a new commune counts as Region III when it took in a former
Region III commune) is derived here from the old → new table: an exclusive group set with two
groups covering every new commune built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhis2_mch.errors import InputError
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import (
    IdentifiableObject,
    OrganisationUnit,
    OrganisationUnitGroup,
    OrganisationUnitGroupSet,
    Ref,
    Translation,
)
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.orgunits import hierarchy, source
from dhis2_mch.orgunits.legacy import legacy_unit

REGION3_GROUP = "MCH_REGION3_COMMUNES"
KV3_SET, KV3_IN, KV3_OUT = "MCH_GS_KV3_2025", "MCH_KV3_2025_INTERIM", "MCH_KV3_2025_OTHER"


@dataclass
class Members:
    """Group code → members as written, with where each was read (for messages)."""

    by_group: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path | None) -> Members:
        out = cls()
        if folder is None or not folder.is_dir():
            return out
        for path in sorted(folder.glob("*.txt")):
            rows = []
            for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
                text = line.split("#", 1)[0].split()
                if text:
                    rows.append((text[0], f"{path}:{n}"))
            out.by_group[path.stem] = rows
        return out


def read_assignments(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    from dhis2_mch.package.yamlio import read_yaml

    if not path.is_file():
        raise InputError(f"{path}: no such file; it says which data sets and programs go to which org units.")
    doc = read_yaml(path, str(path)) or {}
    out: dict[str, dict[str, dict[str, str]]] = {}
    for plural in ("dataSets", "programs"):
        rules = doc.get(plural) or {}
        if not isinstance(rules, dict):
            raise InputError(f"{path}: `{plural}` maps codes to {{group: CODE}} or {{level: province}}.")
        for code, rule in rules.items():
            if not isinstance(rule, dict) or not ({"group", "level"} & set(rule)):
                raise InputError(f"{path}: `{plural}.{code}` needs `group: <org unit group code>` or `level: province`")
        out[plural] = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in rules.items()}
    return out


def _translated(vi: str, en: str) -> dict[str, Any]:
    return {"name": en, "shortName": en[:50], "translations": [
        Translation(locale="vi", property="NAME", value=vi),
        Translation(locale="vi", property="SHORT_NAME", value=vi[:50]),
    ]}  # fmt: skip


def region3_group_set(communes: list[OrganisationUnit], region3_legacy: set[str]) -> list[IdentifiableObject]:
    """Two exclusive groups over the new communes: took in a former Region III commune, or not."""
    took_in: set[str] = set()
    for s in source.successors():
        if s.old in region3_legacy:
            took_in.add(s.new)
    inside = [Ref(id=c.id) for c in communes if c.code in took_in]
    outside = [Ref(id=c.id) for c in communes if c.code not in took_in]
    set_uid = derive_uid("organisationUnitGroupSet", KV3_SET)
    groups = [
        OrganisationUnitGroup(
            id=derive_uid("organisationUnitGroup", code), code=code, organisationUnits=members,
            groupSets=[Ref(id=set_uid)], **_translated(vi, en),
        )
        for code, members, vi, en in (
            (KV3_IN, inside, "Xã khu vực III (tạm tính, từ xã cũ)", "Region III (interim, from former communes)"),
            (KV3_OUT, outside, "Xã khác (tạm tính)", "Other communes (interim)"),
        )
    ]  # fmt: skip
    group_set = OrganisationUnitGroupSet(
        id=set_uid, code=KV3_SET, compulsory=True, dataDimension=True,
        organisationUnitGroups=[Ref(id=g.id) for g in groups],
        description="Interim classification of the communes of 1 July 2025: Region III when the commune took in "
        "at least one former Region III commune (Decision 861/QĐ-TTg), until a list for the new communes is published.",
        **_translated("MCH - Khu vực III sau sáp nhập (tạm tính)", "MCH - Region III after the 2025 merger (interim)"),
    )  # fmt: skip
    return [*groups, group_set]


def unit_for(code: str, where: str, group: str, units: dict[str, OrganisationUnit]) -> OrganisationUnit:
    """The built unit a member line names: a new commune, or (Region III) a pre-reform commune."""
    if group == REGION3_GROUP and not code.startswith(hierarchy.LEGACY_PREFIX):
        old = legacy_unit(code)
        code = hierarchy.legacy_code(old) if old is not None else code
    found = units.get(code)
    if found is None:
        what = "pre-reform commune" if group == REGION3_GROUP else "commune or province of 1 July 2025"
        raise InputError(
            f"{where}: `{code}` is not a {what} of the provinces being assigned (--province); "
            "check the code (commune codes have 5 digits, with their leading zero)."
        )
    return found


def apply_assignments(
    md: Metadata, units: list[OrganisationUnit], provinces: list[str], old_provinces: list[str],
    members: Members, rules: dict[str, dict[str, dict[str, str]]], users: dict[str, str],
    server: dict[tuple[str, str], list[str]],
) -> dict[str, Any]:  # fmt: skip
    """Fill in group members, user group members and data set / program org units on ``md``.

    ``units`` are the built (and adopted) units; ``users`` maps usernames to UIDs; ``server`` holds
    what the server already assigns, ``(plural, uid) -> [member uid]``, kept in every union.
    """
    by_code = {u.code: u for u in units if u.code}
    summary: dict[str, Any] = {"groups": {}, "dataSets": {}, "programs": {}, "userGroups": {}}
    groups = {g.code: g for g in md.of("organisationUnitGroups")}
    user_groups = {g.code: g for g in md.of("userGroups")}
    group_members: dict[str, list[str]] = {}
    for group, rows in members.by_group.items():
        if group in user_groups:
            target = user_groups[group]
            missing = [(name, where) for name, where in rows if name not in users]
            if missing:
                name, where = missing[0]
                raise InputError(f"{where}: no user `{name}` on the server (user group {group}).")
            ids = [users[name] for name, _ in rows]
            refs = _union(server.get(("userGroups", target.id or ""), []), ids)
            target.users = [Ref(id=i) for i in refs]
            summary["userGroups"][group] = len(ids)
            continue
        if group not in groups:
            known = ", ".join(sorted(str(k) for k in (*groups, *user_groups)))
            raise InputError(f"{rows[0][1] if rows else group}: no group `{group}` in the package (known: {known}).")
        ids = [unit_for(code, where, group, by_code).id or "" for code, where in rows]
        group_members[group] = ids
        g = groups[group]
        g.organisationUnits = [Ref(id=i) for i in _union(server.get(("organisationUnitGroups", g.id or ""), []), ids)]
        summary["groups"][group] = len(ids)

    province_ids = [by_code[p].id or "" for p in provinces]
    province_ids += [by_code[f"{hierarchy.LEGACY_PREFIX}P{p}"].id or "" for p in old_provinces]
    for plural, table in rules.items():
        objects = {o.code: o for o in md.of(plural)}
        for code, rule in table.items():
            obj = objects.get(code)
            if obj is None:
                raise InputError(f"assignments: {plural} `{code}` is not in the package.")
            if rule.get("level") == "province":
                ids = province_ids
            elif rule.get("group") in groups:
                ids = group_members.get(rule["group"], [])
            else:
                raise InputError(f"assignments: {plural}.{code}: unknown group `{rule.get('group')}`.")
            refs = _union(server.get((plural, obj.id or ""), []), ids)
            obj.organisationUnits = [Ref(id=i) for i in refs]
            summary[plural][code] = len(ids)

    region3 = members.by_group.get(REGION3_GROUP)
    if region3:
        legacy_codes = {u.code for u in (legacy_unit(c) for c, _ in region3) if u is not None}
        communes = [u for u in units if u.code and u.code.isdigit() and len(u.code) == 5]
        for obj in region3_group_set(communes, legacy_codes):
            if isinstance(obj, OrganisationUnitGroup):
                md.add("organisationUnitGroups", obj)
                summary.setdefault("region3_interim", {})[obj.code] = len(obj.organisationUnits or [])
            else:
                md.add("organisationUnitGroupSets", obj)
    return summary


def _union(have: list[str], add: list[str]) -> list[str]:
    return list(dict.fromkeys([*have, *add]))
