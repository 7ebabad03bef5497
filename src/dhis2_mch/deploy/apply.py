"""``deploy``: the package onto one DHIS2, safely.

validate offline → substitute the instance's defaults → plan (stop on predicted conflicts) →
``importMode=VALIDATE`` on the server (stop on any error) → back up what will be overwritten →
``COMMIT`` with ``atomicMode=ALL`` and ``CREATE_AND_UPDATE``. Never DELETE; only objects that
change are sent, so an unchanged package sends nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dhis2_mch.deploy.backup import DEFAULT_DIR, write_backup
from dhis2_mch.deploy.plan import CREATE, UNCHANGED, UPDATE, Plan, make_plan
from dhis2_mch.deploy.remote import RemoteView
from dhis2_mch.deploy.report import import_json, import_table
from dhis2_mch.deploy.substitute import OU_ROOT_PLACEHOLDER, remaining_placeholders, substitute
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.reports import MetadataImportResult
from dhis2_mch.errors import InputError, ValidationFailed
from dhis2_mch.validate.run import check


def prepare(source: Path, conn: Connection) -> dict:
    """The package as this instance needs it: validated for its version, defaults and root substituted."""
    md, report = check(source, version=conn.version.short)
    if report.errors:
        shown = "\n".join(f"  {e.as_text()}" for e in report.errors[:10])
        more = f"\n  ... and {len(report.errors) - 10} more" if len(report.errors) > 10 else ""
        raise ValidationFailed(
            f"{source}: {len(report.errors)} validation errors for DHIS2 {conn.version}; "
            f"nothing was sent:\n{shown}{more}"
        )
    payload = {k: v for k, v in md.dump().items() if isinstance(v, list)}
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


def plan(source: Path, conn: Connection) -> Plan:
    return make_plan(prepare(source, conn), RemoteView(conn), conn.where)


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
        if self.commit is not None and self.commit.ok:
            return f"deployed: {self.plan.count(CREATE)} created, {self.plan.count(UPDATE)} updated"
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


def deploy(source: Path, conn: Connection, *, dry_run: bool = False, backup_dir: Path = DEFAULT_DIR) -> DeployResult:
    result = DeployResult(plan(source, conn), dry_run)
    if result.plan.conflicts or not result.plan.changes:
        return result
    send = result.plan.to_send()
    result.validation = api.import_metadata(conn, send, import_mode="VALIDATE")
    if not result.validation.ok or dry_run:
        return result
    if result.plan.count(UPDATE):
        result.backup = write_backup(result.plan.overwritten(), conn.where, backup_dir)
    result.commit = api.import_metadata(conn, send, import_mode="COMMIT", atomic_mode="ALL", check_authorities=False)
    return result


__all__ = ["UNCHANGED", "DeployResult", "deploy", "plan", "prepare"]
