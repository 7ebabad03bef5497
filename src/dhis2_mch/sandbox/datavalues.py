"""``POST /api/dataValueSets`` and ``GET /api/dataValueSets`` as DHIS2 2.38–2.42 do them.

Import, following DefaultDataValueSetService and DataValueSetImportValidator (FACTS §2, notes §3):

- Envelope checks abort the whole set (status ERROR, "Import process was aborted", nothing counted):
  E7600 unknown ``dataSet``, E7602 strictDataElements without a data set, E7603 unknown envelope
  ``orgUnit``, E7604 unknown envelope ``attributeOptionCombo``.
- Per value, the first failing check rejects it (``ignored`` + 1, index into ``rejectedIndexes``):
  E7610 data element, E7611 period, E7612 org unit, E7613 category option combo, E7615 attribute option
  combo, E7617 org unit outside the user's capture hierarchy, E7618 no value and no comment, E7619 value
  type, E7620 comment, E7621 option, E7630/E7631 COC/AOC required (only with
  requireCategoryOptionCombo / requireAttributeOptionCombo), E7633 data element not in the data set
  (only with strictDataElements), E7641 period after the latest open future period of a target data set.
- Conflicts group by (errorCode, objects) and merge their ``indexes``; ``object`` is the first value of
  ``objects``; ``property`` names the offending field (samples 03b/03c).
- Then: zero values of numeric, non-zero-significant, non-AVERAGE data elements are dropped silently and
  not counted; an existing value whose value, comment and followup are unchanged counts ``ignored``;
  importStrategy=DELETE soft-deletes (the row stays with deleted=true, FACTS §6); CREATE over an
  existing value, or UPDATE/DELETE without one, is ignored and rejected without a conflict.
- ``dryRun`` counts as if it imported and stores nothing. ``atomicMode`` is not honoured (FACTS §6).
- Status SUCCESS without conflicts, else WARNING; the HTTP answer is 409 for WARNING and ERROR.

Id schemes (``idScheme``, ``dataElementIdScheme``, ``orgUnitIdScheme``, ``categoryOptionComboIdScheme``,
``dataSetIdScheme``; in the payload or as parameters, the payload winning) accept UID/ID, CODE, NAME
and ATTRIBUTE:<uid>, case-insensitively (IdScheme.from).

unverified: E7640 (expiry days), approvals, locking, sharing-based E7601/E7614/E7616 and the strict
category option combo / org unit checks are not modelled; ``idSchemes`` in the echoed importOptions
prints non-default schemes as ``{"<param>": {"identifiableProperty": "CODE"}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dhis2_mch.sandbox import sharing
from dhis2_mch.sandbox import valuetypes as values
from dhis2_mch.sandbox.codes import conflict_keys, message
from dhis2_mch.sandbox.datavalue_checks import Checks, Value
from dhis2_mch.sandbox.klasses import DEFAULT_COC
from dhis2_mch.sandbox.periods import Period
from dhis2_mch.sandbox.periods import parse as _parse
from dhis2_mch.sandbox.store import Store
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


def _param(q: dict, key: str) -> str | None:
    value = q.get(key)
    return value[0] if value else None


def _flag(q: dict, payload: dict, key: str) -> bool:
    value = payload.get(key) if key in payload else _param(q, key)
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
    opts["dryRun"] = _flag(q, {}, "dryRun")
    if _param(q, "preheatCache") is not None:
        opts["preheatCache"] = _flag(q, {}, "preheatCache")
    opts["async"] = _flag(q, {}, "async")
    strategy = _param(q, "importStrategy")
    opts["importStrategy"] = (
        strategy if strategy in ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE") else "CREATE_AND_UPDATE"
    )
    merge = _param(q, "mergeMode")
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
        opts[key] = _flag(q, {}, key)
    opts["firstRowIsHeader"] = True
    for key in ("skipLastUpdated", "mergeDataValues", "skipCache"):
        opts[key] = _flag(q, {}, key)
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


@dataclass
class DataValueImport:
    store: Store
    version: Version
    q: dict
    payload: dict
    user: dict
    granted: list[str] = field(default_factory=list)
    today: date = field(default_factory=date.today)

    def __post_init__(self) -> None:
        p, q = self.payload, self.q
        self.summary = Summary(self.version)
        self.schemes: dict[str, tuple[str, str | None]] = {}
        for key in SCHEME_PARAMS:
            scheme = parse_scheme(p.get(key)) or parse_scheme(_param(q, key))
            if scheme:
                self.schemes[key] = scheme
        strategy = p.get("strategy") or _param(q, "importStrategy")
        self.strategy = (
            strategy if strategy in ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE") else "CREATE_AND_UPDATE"
        )
        dry = p.get("dryRun") if p.get("dryRun") is not None else _param(q, "dryRun")
        self.dry_run = dry is True or str(dry).lower() == "true"
        self.flags = {f: _flag(q, {}, f) for f in STRICT_FLAGS}
        self.force = _flag(q, {}, "force") and "ALL" in self.granted  # InputUtils.canForceDataInput
        self._maps: dict[str, dict[str, dict]] = {}
        self.data_set: dict | None = None
        self.outer_ou: dict | None = None
        self.outer_aoc: dict | None = None
        self.outer_period: Period | None = None

    # -- lookups by id scheme --

    def _scheme(self, specific: str) -> tuple[str, str | None]:
        return self.schemes.get(specific) or self.schemes.get("idScheme") or ("UID", None)

    def lookup(self, plural: str, scheme_key: str, ident: str | None) -> dict | None:
        if not ident:
            return None
        kind, attribute = self._scheme(scheme_key)
        if kind == "UID":
            return self.store.get(plural, ident)
        cache = self._maps.get(plural + scheme_key)
        if cache is None:
            cache = {}
            for obj in self.store.objects(plural).values():
                if kind == "ATTRIBUTE":
                    key = next(
                        (
                            v.get("value")
                            for v in obj.get("attributeValues") or []
                            if (v.get("attribute") or {}).get("id") == attribute
                        ),
                        None,
                    )
                else:
                    key = obj.get(kind.lower())
                if key is not None:
                    cache.setdefault(key, obj)
            self._maps[plural + scheme_key] = cache
        return cache.get(ident)

    @staticmethod
    def in_hierarchy(ou: dict, roots: list | None) -> bool:
        """OrganisationUnit.isDescendant: the unit or an ancestor is one of ``roots``."""
        path = (ou.get("path") or f"/{ou['id']}").split("/")
        return any(isinstance(r, dict) and r.get("id") in path for r in roots or [])

    # -- the import --

    def run(self) -> tuple[str, dict]:
        """Returns (status, ImportSummary body without responseType)."""
        p, s = self.payload, self.summary
        ds_id = _trim(p.get("dataSet"))
        self.data_set = self.lookup("dataSets", "dataSetIdScheme", ds_id)
        outer_ou_id = _trim(p.get("orgUnit"))
        self.outer_ou = self.lookup("organisationUnits", "orgUnitIdScheme", outer_ou_id)
        outer_aoc_id = _trim(p.get("attributeOptionCombo"))
        self.outer_aoc = self.lookup("categoryOptionCombos", "categoryOptionComboIdScheme", outer_aoc_id)
        if self.outer_aoc is not None and not self._aoc_writable(self.outer_aoc):
            self.outer_aoc = None  # CategoryOptionComboAclCallable
        self.outer_period = _parse(_trim(p.get("period")), self.version.minor)
        # DataValueSetImportValidator.abortDataSetImport: all four run, any conflict aborts
        if ds_id and self.data_set is None:
            s.conflict("E7600", (ds_id,), (ds_id,))
        if self.data_set is not None and not sharing.can_data_write(self.user, self.granted, self.data_set, self.store):
            s.conflict("E7601", (ds_id,), (ds_id,))
        if outer_ou_id and self.outer_ou is None:
            s.conflict("E7603", (outer_ou_id, ds_id), (outer_ou_id, ds_id))
        if outer_aoc_id and self.outer_aoc is None:
            s.conflict("E7604", (outer_aoc_id, ds_id), (outer_aoc_id, ds_id))
        if s.conflicts:
            return "ERROR", self._body("ERROR", "Import process was aborted", complete=None)
        try:
            complete = self._complete(_trim(p.get("completeDate")))
        except ValueError:  # LocalDate.parse throws; importDataValueSetSafely reports the failure
            return "ERROR", failed_summary(
                self.version, f"Text '{_trim(p.get('completeDate'))}' could not be parsed at index 0"
            )
        self.now = now_stamp()
        checks = Checks(self)
        rows = []
        for index, dv in enumerate(p.get("dataValues") or []):
            v = self._value(index, dv if isinstance(dv, dict) else {})
            if checks.rejects(v):
                s.reject(index)
                continue
            row = self._save(v)
            if row is not None:
                rows.append(row)
        if rows and not self.dry_run:
            self.store.put_values(rows)
        status = "WARNING" if s.conflicts else "SUCCESS"
        return status, self._body(status, "Import process completed successfully", complete=complete)

    def _aoc_writable(self, aoc: dict) -> bool:
        for ref in aoc.get("categoryOptions") or []:
            option = self.store.get("categoryOptions", (ref or {}).get("id"))
            if option is not None and not sharing.can_data_write(self.user, self.granted, option, self.store):
                return False
        return True

    def _complete(self, text: str | None) -> str | None:
        """DefaultDataValueSetService.getCompletionDate + handleComplete: the ``dataSetComplete`` to report.

        ``true`` is today, ``false`` or nothing is no completion, a future date is today; with a data set
        the registration needs the envelope's org unit and period, else a conflict without error code
        ("Must be provided to complete data set") and no ``dataSetComplete``."""
        day: date | None = None
        if text and text.lower() == "true":
            day = self.today
        elif text and text.lower() != "false":
            day = min(date.fromisoformat(text[:10]), self.today)  # a bad date fails the import (run_safely)
        if self.data_set is None or day is None:
            return "false"
        for missing, name in ((self.outer_ou, "OrganisationUnit"), (self.outer_period, "Period")):
            if missing is None:
                self.summary.legacy_conflict(name, "Must be provided to complete data set")
                return None
        assert self.outer_ou is not None and self.outer_period is not None
        aoc = DEFAULT_COC
        if self.version.minor >= 42 and self.outer_aoc is not None:
            aoc = self.outer_aoc["id"]
        self.store.complete(self.data_set["id"], self.outer_period.iso, self.outer_ou["id"], aoc, day.isoformat(),
                            str(self.user.get("username")))  # fmt: skip
        return day.isoformat()

    def _value(self, index: int, dv: dict) -> Value:
        raw_value = dv.get("value")
        if raw_value is not None and not isinstance(raw_value, str):
            raw_value = str(raw_value).lower() if isinstance(raw_value, bool) else str(raw_value)
        return Value(
            index,
            dv,
            raw_de=_trim(dv.get("dataElement")),
            raw_pe=_trim(dv.get("period")) or _trim(self.payload.get("period")),
            raw_ou=_trim(dv.get("orgUnit")) or _trim(self.payload.get("orgUnit")),
            raw_coc=_trim(dv.get("categoryOptionCombo")),
            raw_aoc=_trim(dv.get("attributeOptionCombo")),
            value=raw_value,
            comment=_trim(dv.get("comment")),
        )

    def _body(self, status: str, description: str, complete: str | None) -> dict:
        s = self.summary
        body: dict = {
            "status": status,
            "importOptions": import_options(self.q, self.schemes),
            "description": description,
            "importCount": {"imported": s.imported, "updated": s.updated, "ignored": s.ignored, "deleted": s.deleted},
            "conflicts": list(s.conflicts.values()),
        }
        if self.version.rejected_indexes:
            body["rejectedIndexes"] = list(s.rejected)
        if complete is not None:
            body["dataSetComplete"] = complete
        return body

    def _save(self, v: Value) -> dict | None:
        assert v.de and v.period and v.ou and v.coc and v.aoc
        index, dv, de, period, ou, coc, aoc = v.index, v.raw, v.de, v.period, v.ou, v.coc, v.aoc
        value = values.normalize_boolean(v.value, de.get("valueType"))
        comment = v.comment
        s = self.summary
        key = (de["id"], period.iso, ou["id"], coc["id"], aoc["id"])
        existing = self.store.get_value(*key)
        value = _trim(value)
        zero_dropped = values.zero_and_insignificant(value, de)
        if zero_dropped and (existing is None or self.strategy == "CREATE"):
            return None  # skipped, and (as DHIS2 replaces the summary's count) not counted at all
        followup = dv.get("followup") is True
        row = {
            "de": key[0],
            "pe": key[1],
            "ou": key[2],
            "coc": key[3],
            "aoc": key[4],
            "pe_start": period.start.isoformat(),
            "pe_end": period.end.isoformat(),
            "value": value,
            "comment": comment,
            "storedby": _trim(dv.get("storedBy")) or self.user.get("username"),
            "created": dv.get("created") or (existing or {}).get("created") or self.now,
            "lastupdated": dv.get("lastUpdated") or self.now,
            "followup": int(followup),
            "deleted": int(dv.get("deleted") is True),
        }
        if existing is not None and not existing["deleted"]:
            if self.strategy in ("CREATE_AND_UPDATE", "UPDATE"):
                if (value is None and comment is None) or row["deleted"] or zero_dropped:
                    s.deleted += 1
                    row["deleted"] = 1
                    row["value"] = existing["value"]
                    return row
                if (existing["value"], existing["comment"], bool(existing["followup"])) == (value, comment, followup):
                    s.ignored += 1
                    return None
                s.updated += 1
                return row
            if self.strategy == "DELETE":
                s.deleted += 1
                return {**existing, "deleted": 1, "lastupdated": self.now}
            s.reject(index)
            return None
        if self.strategy in ("CREATE_AND_UPDATE", "CREATE"):
            if value is None and comment is None:
                s.ignored += 1
                return None
            s.imported += 1
            return row
        s.reject(index)
        return None


def _trim(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
