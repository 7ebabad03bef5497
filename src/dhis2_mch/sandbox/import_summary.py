"""The ImportSummary of ``POST /api/dataValueSets`` being built: options echoed, conflicts grouped.

``ImportOptions`` (the echoed ``importOptions``, key order of a recorded 2.40.9 answer), ``ImportSummary``
and ``ImportConflict`` (conflicts grouped by error code and objects, indexes merged) of dhis2-core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dhis2_mch.sandbox.codes import conflict_keys, message
from dhis2_mch.sandbox.versions import Version

SCHEME_PARAMS = (
    "idScheme",
    "dataElementIdScheme",
    "orgUnitIdScheme",
    "categoryOptionComboIdScheme",
    "dataSetIdScheme",
    "attributeOptionComboIdScheme",
)
STRICT_FLAGS = (
    "strictPeriods",
    "strictDataElements",
    "strictCategoryOptionCombos",
    "strictAttributeOptionCombos",
    "strictOrganisationUnits",
    "strictDataSetApproval",
    "strictDataSetLocking",
    "strictDataSetInputPeriods",
    "requireCategoryOptionCombo",
    "requireAttributeOptionCombo",
)


def param(q: dict, key: str) -> str | None:
    value = q.get(key)
    return value[0] if value else None


def flag(q: dict, payload: dict, key: str) -> bool:
    value = payload.get(key) if key in payload else param(q, key)
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true" if value is not None else False


def parse_scheme(text: str | None) -> tuple[str, str | None] | None:
    """IdScheme.from: None for no scheme; ("UID"|"CODE"|"NAME"|"ATTRIBUTE", attribute uid)."""
    if not text:
        return None
    upper = str(text).upper()
    if upper.startswith("ATTRIBUTE:") and len(text) == 21:
        return ("ATTRIBUTE", str(text)[10:])
    if upper in ("UID", "ID", "UUID"):
        return ("UID", None)
    if upper in ("CODE", "NAME"):
        return (upper, None)
    return ("UID", None)


def now_stamp() -> str:
    now = datetime.now()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"


def import_options(q: dict, schemes: dict[str, tuple[str, str | None]]) -> dict:
    """The ``importOptions`` DHIS2 echoes (key order of sample 03a, 2.40.9)."""
    opts: dict = {"idSchemes": {k: {"identifiableProperty": v[0]} for k, v in schemes.items()}}
    opts["dryRun"] = flag(q, {}, "dryRun")
    if param(q, "preheatCache") is not None:
        opts["preheatCache"] = flag(q, {}, "preheatCache")
    opts["async"] = flag(q, {}, "async")
    strategy = param(q, "importStrategy")
    opts["importStrategy"] = (
        strategy if strategy in ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE") else "CREATE_AND_UPDATE"
    )
    merge = param(q, "mergeMode")
    opts["mergeMode"] = merge if merge in ("REPLACE", "MERGE", "NONE") else "REPLACE"
    opts["reportMode"] = "FULL"
    for key in (
        "skipExistingCheck",
        "sharing",
        "skipNotifications",
        "skipAudit",
        "datasetAllowsPeriods",
        *STRICT_FLAGS,
        "skipPatternValidation",
        "ignoreEmptyCollection",
        "force",
    ):
        opts[key] = flag(q, {}, key)
    opts["firstRowIsHeader"] = True
    for key in ("skipLastUpdated", "mergeDataValues", "skipCache"):
        opts[key] = flag(q, {}, key)
    return opts


def failed_summary(version: Version, reason: str) -> dict:
    """``new ImportSummary(ERROR, "The import process failed: " + message)``: nothing else filled in."""
    body: dict = {
        "status": "ERROR",
        "description": f"The import process failed: {reason}",
        "importCount": {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0},
        "conflicts": [],
    }
    if version.rejected_indexes:
        body["rejectedIndexes"] = []
    return body


@dataclass
class Summary:
    """An ImportSummary being built: counts, grouped conflicts, rejected indexes."""

    version: Version
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: dict[tuple, dict] = field(default_factory=dict)
    rejected: list[int] = field(default_factory=list)

    def conflict(self, code: str, args: tuple, objects_args: tuple, index: int | None = None) -> None:
        prop, keys = conflict_keys(code, self.version)
        objects = {k: str(v) for k, v in zip(keys, objects_args, strict=False) if v is not None}
        key = (code, tuple(objects.values()))
        found = self.conflicts.get(key)
        if found is None:
            found = {}
            if objects:
                found["object"] = next(iter(objects.values()))
            found["objects"] = objects
            found["value"] = message(code, self.version, *args)
            found["errorCode"] = code
            if prop is not None:
                found["property"] = prop
            if index is not None:
                found["indexes"] = []
            self.conflicts[key] = found
        if index is not None and index not in found.setdefault("indexes", []):
            found["indexes"].append(index)

    def legacy_conflict(self, obj: str, text: str) -> None:
        """ImportSummary.addConflict(object, value): no error code, no objects, no indexes."""
        self.conflicts[("", obj, text)] = {"object": obj, "value": text}

    def reject(self, index: int) -> None:
        self.ignored += 1
        if index not in self.rejected:
            self.rejected.append(index)
