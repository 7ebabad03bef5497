"""``deploy``: the package onto one DHIS2, safely.

compiled package (valid for the server's version) → substitute the instance's defaults → plan
(stop on predicted conflicts) → ``importMode=VALIDATE`` on the server (stop on any error) → back up
what will be overwritten → ``COMMIT`` with ``atomicMode=ALL`` and ``CREATE_AND_UPDATE``. Never
DELETE; only objects that change are sent, so an unchanged package sends nothing at all.

``apply_plan`` does the same from a plan saved by ``plan --out`` after someone reviewed it: it
sends exactly that plan's objects, and refuses when the server changed since the plan was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dhis2_mch.deploy.backup import write_backup
from dhis2_mch.deploy.plan import UNCHANGED, UPDATE, Plan, make_plan
from dhis2_mch.deploy.planfile import SavedPlan, check_target, require_current
from dhis2_mch.deploy.remote import RemoteView
from dhis2_mch.deploy.report import import_json, import_table
from dhis2_mch.deploy.substitute import OU_ROOT_PLACEHOLDER, remaining_placeholders, substitute
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.reports import MetadataImportResult
from dhis2_mch.errors import InputError
from dhis2_mch.project import Compiled


def prepare(compiled: Compiled, conn: Connection) -> dict:
    """The package as this instance needs it: valid for its version, defaults and root substituted."""
    compiled = compiled.for_version(conn.version).require_valid("nothing was sent")
    source = compiled.source
    payload = {k: v for k, v in compiled.payload().items() if isinstance(v, list)}
    table = api.default_category_model(conn).substitutions()
    if OU_ROOT_PLACEHOLDER in str(payload):
        roots = api.root_org_units(conn)
        if len(roots) != 1:
            raise InputError(
                f"{source} uses {OU_ROOT_PLACEHOLDER}, but {conn.where} has {len(roots)} root organisation units; "
                "replace the placeholder in the package with the UID of the root you mean."
            )
        table[OU_ROOT_PLACEHOLDER] = roots[0]
    payload = substitute(payload, table)
    left = remaining_placeholders(payload)
    if left:
        raise InputError(f"{source}: placeholders {', '.join(left)} have no value on this instance; nothing was sent.")
    return payload


def plan(compiled: Compiled, conn: Connection) -> Plan:
    """What deploying ``compiled`` to ``conn`` would create and update, and what DHIS2 would refuse."""
    result = make_plan(prepare(compiled, conn), RemoteView(conn), conn.where)
    result.url, result.source = conn.base_url, compiled.source
    return result


@dataclass
class DeployResult:
    plan: Plan
    dry_run: bool
    validation: MetadataImportResult | None = None
    commit: MetadataImportResult | None = None
    backup: Path | None = None

    @property
    def outcome(self) -> str:
        if self.plan.conflicts:
            return "stopped: the plan found conflicts; nothing was sent"
        if not self.plan.changes:
            return "nothing to do: the server already matches the package; nothing was sent"
        if self.validation is not None and not self.validation.ok:
            return "stopped: DHIS2 refused the package in importMode=VALIDATE; nothing was written"
        if self.dry_run:
            return "dry run: DHIS2 validated the changes; nothing was written"
        if self.commit is not None and self.commit.ok:  # DHIS2's counts, which ok has checked against what was sent
            return f"deployed: {self.commit.stats.created} created, {self.commit.stats.updated} updated"
        if self.commit is not None and self.commit.unaccounted:
            return (
                f"failed: {self.commit.unaccounted}, although it said {self.commit.status}; check the server "
                "(e.g. with `plan`) before deploying again"
            )
        return "failed: DHIS2 refused the import (atomicMode=ALL, so nothing was written)"

    @property
    def ok(self) -> bool:
        return self.outcome.startswith(("nothing to do", "dry run", "deployed"))

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "outcome": self.outcome,
            "dry_run": self.dry_run,
            "plan": self.plan.as_json(),
            "validation": import_json(self.validation),
            "commit": import_json(self.commit),
            "backup": str(self.backup) if self.backup else None,
        }

    def as_text(self) -> str:
        parts = [self.plan.as_text()]
        if self.validation is not None:
            parts.append(import_table(self.validation, "Server validation (importMode=VALIDATE)"))
        if self.backup is not None:
            parts.append(f"Backup of the {self.plan.count(UPDATE)} objects to be updated: {self.backup}")
        if self.commit is not None:
            parts.append(import_table(self.commit, "Import (COMMIT, atomicMode=ALL)"))
        parts.append(self.outcome[0].upper() + self.outcome[1:] + ".")
        return "\n".join(parts)


def deploy(compiled: Compiled, conn: Connection, *, backup_dir: Path, dry_run: bool = False) -> DeployResult:
    """Plan, then apply that plan: ``backup_dir`` receives the server's copies of what is overwritten."""
    result = DeployResult(plan(compiled, conn), dry_run)
    return _apply(result, result.plan.to_send(), conn, backup_dir)


def apply_plan(saved: SavedPlan, conn: Connection, *, backup_dir: Path, dry_run: bool = False) -> DeployResult:
    """Apply exactly a plan saved by ``plan --out``; ``PlanOutdated`` (nothing sent) if the server moved on."""
    check_target(saved, conn.base_url, conn.version.short)
    current = make_plan(saved.payload, RemoteView(conn), conn.where)
    current.url, current.source = conn.base_url, saved.source
    require_current(saved, current)
    return _apply(DeployResult(current, dry_run), saved.to_send(), conn, backup_dir)


def _apply(result: DeployResult, send: dict, conn: Connection, backup_dir: Path) -> DeployResult:
    """VALIDATE, back up, COMMIT: the steps after a plan with changes and no conflicts."""
    if result.plan.conflicts or not result.plan.changes:
        return result
    dry_run = result.dry_run
    result.validation = api.import_metadata(conn, send, import_mode="VALIDATE")
    if not result.validation.ok or dry_run:
        return result
    if result.plan.count(UPDATE):
        result.backup = write_backup(result.plan.overwritten(), conn, backup_dir)
    result.commit = api.import_metadata(conn, send, import_mode="COMMIT", atomic_mode="ALL", check_authorities=False)
    return result


__all__ = ["UNCHANGED", "DeployResult", "apply_plan", "deploy", "plan", "prepare"]
