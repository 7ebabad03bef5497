"""Sharing blocks: the access strings DHIS2's SecurityCheck verifies (``DefaultAclService.verifySharing``:
E3010 for an access string that is not ``[r-][w-][r-][w-]----``, E3011 for data access on a type that
has no data sharing) and the user groups and users ReferencesCheck.checkSharing resolves (E5002).

DHIS2 skips the access checks for a superuser (``haveOverrideAuthority``), and a package is normally
installed by one, so they are warnings saying who will be refused; user groups and users the package
does not carry are resolved on the server (MCH007), as ``plan`` checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dhis2_mch.model import findings as f
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.validate.context import Context

ACCESS = re.compile(r"[r-][w-][r-][w-]----")  # AccessStringHelper.validateAccessString
#: schema.isDataShareable(): the *SchemaDescriptor classes that set dataShareable
DATA_SHAREABLE = {"categoryOption", "dataSet", "program", "programStage", "relationshipType", "sqlView",
                  "trackedEntityType", "aggregateDataExchange"}  # fmt: skip


def check(ctx: Context) -> Iterator[Finding]:
    for mtype, obj in ctx.md.items():
        sharing = obj.sharing if not isinstance(obj, Unparsed) else None
        if not isinstance(sharing, dict):
            continue
        accesses: list[tuple[str, object]] = [("sharing.public", sharing.get("public"))]
        for kind, target in (("userGroups", "userGroup"), ("users", "user")):
            entries = sharing.get(kind) or {}
            if not isinstance(entries, dict):
                yield ctx.error(
                    f.BAD_VALUE,
                    mtype,
                    obj,
                    f"sharing.{kind}",
                    f"`sharing.{kind}` must map ids to {{id, access}} objects",
                )
                continue
            for key, entry in entries.items():
                uid = entry.get("id", key) if isinstance(entry, dict) else key
                accesses.append((f"sharing.{kind}.{key}", entry.get("access") if isinstance(entry, dict) else None))
                if not ctx.resolves(uid, target):
                    yield ctx.warning(
                        f.ON_SERVER,
                        mtype,
                        obj,
                        f"sharing.{kind}.{key}",
                        f"{target} [{uid}] is not in this package: it is resolved on the server (DHIS2 "
                        f"refuses the import with E5002 if the server has none; `plan` checks)",
                    )
        for where, access in accesses:
            if access is None:
                continue
            if not isinstance(access, str) or not ACCESS.fullmatch(access):
                if where != "sharing.public":
                    continue  # verifySharing validates the public access string only
                yield ctx.warning(
                    "E3010",
                    mtype,
                    obj,
                    where,
                    f"Invalid access string `{access}` (refused for a user without the ALL authority)",
                )
            elif mtype.name not in DATA_SHAREABLE and access[2:4] != "--":
                yield ctx.warning("E3011", mtype, obj, where,
                                  f"Data sharing is not enabled for type `{mtype.simple}`, but access string "
                                  f"`{access}` contains data sharing read or write (refused for a user without the "
                                  f"ALL authority)")  # fmt: skip
