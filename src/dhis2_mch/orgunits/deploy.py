"""Org units, assignments and access onto a server through the package's own plan → deploy machinery.

Nothing here talks HTTP beyond reading the server's units for adoption (``dhis2.api``): the objects
are handed to ``deploy.apply`` like any package, so they get the same offline validation, plan
(create / update with a field diff / unchanged, E5003 and E5002 predicted), ``importMode=VALIDATE``,
backup of what will be overwritten, and atomic COMMIT of only what changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhis2_mch.deploy.apply import DeployResult
from dhis2_mch.deploy.plan import Plan
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import OrganisationUnit
from dhis2_mch.orgunits.adopt import AdoptionReport, adopt


def server_units(conn: Connection) -> list[dict[str, Any]]:
    """Every org unit's identity and parent (one request; a country's units are a few thousand rows)."""
    return api.list_objects(conn, "organisationUnits", fields="id,code,name,shortName,parent[id]")


def adopt_on(units: list[OrganisationUnit], conn: Connection) -> tuple[list[OrganisationUnit], AdoptionReport]:
    def owner_copy(uids: list[str]) -> dict[str, dict[str, Any]]:
        return {o["id"]: o for o in api.fetch_objects(conn, "organisationUnits", ids=uids, fields=":owner")}

    return adopt(units, server_units(conn), owner_copy)


@dataclass
class Outcome:
    """A plan or deploy of org-unit metadata, with what was adopted from the instance."""

    adoption: AdoptionReport
    plan: Plan | None = None
    deploy: DeployResult | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        if self.deploy is not None:
            return self.deploy.ok
        return self.plan is not None and not self.plan.conflicts

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, **self.extra, **self.adoption.as_json()}
        if self.deploy is not None:
            out["deploy"] = self.deploy.as_json()
        elif self.plan is not None:
            out["plan"] = self.plan.as_json()
        return out

    def as_text(self) -> str:
        parts = [t for t in (self.adoption.as_text(),) if t]
        if self.deploy is not None:
            parts.append(self.deploy.as_text())
        elif self.plan is not None:
            parts.append(self.plan.as_text())
        return "\n".join(parts)


def send(
    md: Metadata, conn: Connection, *, plan_only: bool = False, dry_run: bool = False, backup_dir: Path,
    source: str = "the organisation units",
) -> tuple[Plan | None, DeployResult | None]:  # fmt: skip
    """Plan or deploy ``md`` with the package machinery (the one place that hands objects to it)."""
    from dhis2_mch.deploy import apply
    from dhis2_mch.project import Project

    compiled = Project.from_metadata(md, source=source).compile(conn.version)
    if plan_only:
        return apply.plan(compiled, conn), None
    return None, apply.deploy(compiled, conn, dry_run=dry_run, backup_dir=backup_dir)


def hierarchy_metadata(units: list[OrganisationUnit]) -> Metadata:
    md = Metadata()
    for unit in units:
        md.add("organisationUnits", unit)
    return md


def deploy_hierarchy(
    provinces: list[str], conn: Connection, *, with_legacy: bool = True, stations: bool = False,
    plan_only: bool = False, dry_run: bool = False, backup_dir: Path = Path("build/backups"),
) -> Outcome:  # fmt: skip
    """Build the provinces' hierarchy, adopt the instance's existing units, then plan or deploy it."""
    from dhis2_mch.orgunits.build import build

    built = build(provinces, with_legacy=with_legacy, stations=stations)
    units, report = adopt_on(built.units, conn)
    plan, result = send(hierarchy_metadata(units), conn, plan_only=plan_only, dry_run=dry_run, backup_dir=backup_dir)
    return Outcome(report, plan, result, {"build": built.as_json()})


def _server_members(conn: Connection, md: Metadata) -> dict[tuple[str, str], list[str]]:
    """What the server already assigns: org units of data sets, programs and groups; users of user groups."""
    out: dict[tuple[str, str], list[str]] = {}
    for plural, prop in (("dataSets", "organisationUnits"), ("programs", "organisationUnits"),
                         ("organisationUnitGroups", "organisationUnits"), ("userGroups", "users")):  # fmt: skip
        ids = [o.id for o in md.of(plural) if o.id]
        for found in api.fetch_objects(conn, plural, ids=ids, fields=f"id,{prop}[id]") if ids else []:
            out[(plural, found["id"])] = [r["id"] for r in found.get(prop) or [] if isinstance(r, dict) and r.get("id")]
    return out


def assign(
    provinces: list[str], conn: Connection, *, members_dir: Path | None, assignments: Path,
    metadata: Path | None = None, plan_only: bool = False, dry_run: bool = False,
    backup_dir: Path = Path("build/backups"),
) -> Outcome:  # fmt: skip
    """The programmes' package with this instance's assignments and members, and the org units they
    need, planned or deployed as one."""
    from dhis2_mch.orgunits.assign import Members, apply_assignments, read_assignments
    from dhis2_mch.orgunits.build import build
    from dhis2_mch.project import Project

    rules = read_assignments(assignments)
    members = Members.read(members_dir)
    md = Project.load(metadata).compile(conn.version).require_valid("nothing was sent").metadata
    built = build(provinces)
    units, report = adopt_on(built.units, conn)
    usernames = {g.code for g in md.of("userGroups")} & set(members.by_group)
    users = {u["username"]: u["id"] for u in api.list_objects(conn, "users", fields="id,username")} if usernames else {}
    summary = apply_assignments(
        md, units, built.provinces, built.old_provinces, members, rules, users, _server_members(conn, md)
    )
    for unit in units:
        md.add("organisationUnits", unit)
    plan, result = send(md, conn, plan_only=plan_only, dry_run=dry_run, backup_dir=backup_dir,
                        source="the programmes' package with this instance's assignments")  # fmt: skip
    return Outcome(report, plan, result, {"assigned": summary, "build": built.as_json()})
