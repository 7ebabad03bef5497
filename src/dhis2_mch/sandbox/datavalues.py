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

from dhis2_mch.sandbox import valuetypes as values
from dhis2_mch.sandbox.codes import CONFLICTS, message
from dhis2_mch.sandbox.klasses import DEFAULT_COC
from dhis2_mch.sandbox.periods import FREQUENCY as FREQUENCY_ORDER
from dhis2_mch.sandbox.periods import Period
from dhis2_mch.sandbox.periods import future_period as latest_open_future_period
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
    opts["mergeMode"] = "REPLACE"
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
        prop, keys = CONFLICTS[code]
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
        self.force = _flag(q, {}, "force") and "ALL" in self.granted
        self._maps: dict[str, dict[str, dict]] = {}

    # -- lookups by id scheme --

    def _scheme(self, specific: str) -> tuple[str, str | None]:
        return self.schemes.get(specific) or self.schemes.get("idScheme") or ("UID", None)

    def _lookup(self, plural: str, scheme_key: str, ident: str | None) -> dict | None:
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

    # -- the import --

    def run(self) -> tuple[str, dict]:
        """Returns (status, ImportSummary body without responseType)."""
        p = self.payload
        ds_id = _trim(p.get("dataSet"))
        self.data_set = self._lookup("dataSets", "dataSetIdScheme", ds_id)
        outer_ou_id = _trim(p.get("orgUnit"))
        self.outer_ou = self._lookup("organisationUnits", "orgUnitIdScheme", outer_ou_id)
        outer_aoc_id = _trim(p.get("attributeOptionCombo"))
        self.outer_aoc = self._lookup("categoryOptionCombos", "categoryOptionComboIdScheme", outer_aoc_id)
        s = self.summary
        if ds_id and self.data_set is None:
            s.conflict("E7600", (ds_id,), (ds_id,))
        if self.data_set is None and self.flags["strictDataElements"]:
            s.conflict("E7602", (), ())
        if outer_ou_id and self.outer_ou is None:
            s.conflict("E7603", (outer_ou_id,), (outer_ou_id, ds_id))
        if outer_aoc_id and self.outer_aoc is None:
            s.conflict("E7604", (outer_aoc_id,), (outer_aoc_id, ds_id))
        if s.conflicts:
            return "ERROR", self._body("ERROR", "Import process was aborted", complete=None)
        self.capture_paths = self._capture_roots()
        self.now = now_stamp()
        rows = []
        for index, dv in enumerate(p.get("dataValues") or []):
            row = self._value(index, dv if isinstance(dv, dict) else {})
            if row is not None:
                rows.append(row)
        if rows and not self.dry_run:
            self.store.put_values(rows)
        status = "WARNING" if s.conflicts else "SUCCESS"
        complete = p.get("completeDate") if self.data_set is not None and p.get("completeDate") else "false"
        return status, self._body(status, "Import process completed successfully", complete=str(complete)[:10])

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

    def _capture_roots(self) -> list[str]:
        return [ref.get("id") for ref in self.user.get("organisationUnits") or [] if isinstance(ref, dict)]

    def _in_hierarchy(self, ou: dict) -> bool:
        path = ou.get("path") or f"/{ou['id']}"
        return any(f"/{root}" in path.split("/") or root in path.split("/") for root in self.capture_paths)

    def _target_data_sets(self, de: dict) -> list[dict]:
        if self.data_set is not None:
            return [self.data_set]
        return [
            ds
            for ds in self.store.objects("dataSets").values()
            if any((e.get("dataElement") or {}).get("id") == de["id"] for e in ds.get("dataSetElements") or [])
        ]

    def _value(self, index: int, dv: dict) -> dict | None:
        s = self.summary
        raw_de, raw_ou = _trim(dv.get("dataElement")), _trim(dv.get("orgUnit")) or _trim(self.payload.get("orgUnit"))
        raw_pe = _trim(dv.get("period")) or _trim(self.payload.get("period"))
        raw_coc, raw_aoc = _trim(dv.get("categoryOptionCombo")), _trim(dv.get("attributeOptionCombo"))
        raw_value, comment = dv.get("value"), _trim(dv.get("comment"))
        if raw_value is not None and not isinstance(raw_value, str):
            raw_value = str(raw_value).lower() if isinstance(raw_value, bool) else str(raw_value)

        de = self._lookup("dataElements", "dataElementIdScheme", raw_de)
        if de is None:
            return self._reject(index, "E7610", (raw_de,), (raw_de,))
        period = _parse(raw_pe, self.version.minor)
        if period is None:
            return self._reject(index, "E7611", (raw_pe,), (raw_pe,))
        ou = self.outer_ou or self._lookup("organisationUnits", "orgUnitIdScheme", raw_ou)
        if ou is None:
            return self._reject(index, "E7612", (raw_ou,), (raw_ou,))
        coc = self._lookup("categoryOptionCombos", "categoryOptionComboIdScheme", raw_coc)
        if coc is None and raw_coc:
            return self._reject(index, "E7613", (raw_coc,), (raw_coc,))
        aoc = self.outer_aoc or self._lookup("categoryOptionCombos", "categoryOptionComboIdScheme", raw_aoc)
        if aoc is None and raw_aoc:
            return self._reject(index, "E7615", (raw_aoc,), (raw_aoc,))
        if not self._in_hierarchy(ou):
            return self._reject(index, "E7617", (raw_ou, self.user["id"]), (raw_ou, self.user["id"]))
        deleted_flag = dv.get("deleted") is True
        if _trim(raw_value) is None and comment is None and not deleted_flag and self.strategy != "DELETE":
            return self._reject(index, "E7618", (raw_de,), (raw_de,))
        value_type = de.get("valueType")
        value = values.normalize_boolean(raw_value, value_type)
        key = values.value_error(value, value_type, self.version.minor, has_option_set=bool(de.get("optionSet")))
        if key is not None:
            return self._reject(index, "E7619", (raw_de, values.text(key, self.version.minor)), (raw_de, key))
        key = values.comment_error(comment)
        if key is not None:
            return self._reject(index, "E7620", (values.text(key, self.version.minor),), (key,))
        option_set = self.store.get("optionSets", (de.get("optionSet") or {}).get("id"))
        if option_set is not None and not self._valid_option(option_set, value, value_type):
            return self._reject(index, "E7621", (raw_de,), (raw_de,))
        if coc is None:
            if self.flags["requireCategoryOptionCombo"]:
                return self._reject(index, "E7630", (), ())
            coc = self.store.get("categoryOptionCombos", DEFAULT_COC)
        if aoc is None:
            if self.flags["requireAttributeOptionCombo"]:
                return self._reject(index, "E7631", (), ())
            aoc = self.store.get("categoryOptionCombos", DEFAULT_COC)
        targets = self._target_data_sets(de)
        if self.flags["strictDataElements"] and not any(
            (e.get("dataElement") or {}).get("id") == de["id"]
            for ds in targets
            for e in ds.get("dataSetElements") or []
        ):
            return self._reject(index, "E7633", (raw_de, self.data_set["id"]), (raw_de, self.data_set["id"]))
        if not self.force and self._after_open_future_periods(index, period, targets, raw_pe, raw_de):
            s.reject(index)
            return None
        return self._save(index, dv, de, period, ou, coc, aoc, value, comment)

    def _valid_option(self, option_set: dict, value: str | None, value_type: str | None) -> bool:
        codes = set()
        for ref in option_set.get("options") or []:
            option = self.store.get("options", (ref or {}).get("id"))
            if option and option.get("code") is not None:
                codes.add(option["code"])
        if value_type == "MULTI_TEXT":
            return value is not None and all(v in codes for v in value.split(","))
        return value in codes

    def _after_open_future_periods(self, index: int, period: Period, targets: list[dict], raw_pe, raw_de) -> bool:
        """E7641, checked against every target data set (strict), as checkDataValueTargetDataSets does."""
        failed = False
        for ds in targets:
            ptype = ds.get("periodType")
            if ptype not in FREQUENCY_ORDER:
                continue
            latest = latest_open_future_period(ptype, int(ds.get("openFuturePeriods") or 0), self.today)
            if period.is_after(latest):
                failed = True
                if self.version.minor == 38:
                    args = (raw_pe, raw_de, latest.iso)
                else:
                    args = (raw_pe, raw_de, ds["id"], latest.iso)
                self.summary.conflict("E7641", args, (raw_pe, raw_de), index)
        return failed

    def _reject(self, index: int, code: str, args: tuple, objects_args: tuple) -> None:
        self.summary.conflict(code, args, objects_args, index)
        self.summary.reject(index)
        return None

    def _save(self, index, dv, de, period, ou, coc, aoc, value, comment) -> dict | None:
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


# --- export -------------------------------------------------------------------------------------


def export_values(store: Store, version: Version, q: dict, user: dict) -> tuple[int, dict]:
    """``GET /api/dataValueSets``: (HTTP status, body). Validation as DataValueSetService.validate:
    every failing check overwrites the error, so the last one is reported (notes §6)."""
    data_sets = [store.get("dataSets", d) or store.find("dataSets", "code", d) for d in q.get("dataSet", [])]
    data_elements = q.get("dataElement", [])
    periods = q.get("period", [])
    start, end = _param(q, "startDate"), _param(q, "endDate")
    org_units = q.get("orgUnit", [])
    children = (_param(q, "children") or "false").lower() == "true"
    groups = q.get("orgUnitGroup", [])
    error = None
    if not q.get("dataSet") and not data_elements and not q.get("dataElementGroup"):
        error = "E2001"
    if not periods and not (start and end) and not _param(q, "lastUpdated") and not _param(q, "lastUpdatedDuration"):
        error = "E2002"
    if periods and (start or end):
        error = "E2003"
    if start and end and start > end:
        error = "E2004"
    if not org_units and not groups:
        error = "E2006"
    if children and groups:
        error = "E2007"
    if children and not org_units:
        error = "E2008"
    if error:
        return 409, {
            "httpStatus": "Conflict",
            "httpStatusCode": 409,
            "status": "ERROR",
            "message": message(error, version),
            "errorCode": error,
        }

    de_ids = {d for d in data_elements}
    for ds in data_sets:
        for element in (ds or {}).get("dataSetElements") or []:
            de_ids.add((element.get("dataElement") or {}).get("id"))
    ou_ids = []
    for ident in org_units:
        ou = store.get("organisationUnits", ident) or store.find("organisationUnits", "code", ident)
        if ou is None:
            continue
        if children:
            ou_ids += [
                o["id"] for o in store.objects("organisationUnits").values() if ou["id"] in (o.get("path") or "")
            ]
        else:
            ou_ids.append(ou["id"])
    where = [f"de IN ({','.join('?' * len(de_ids))})", f"ou IN ({','.join('?' * len(ou_ids))})"]
    params: list = [*de_ids, *ou_ids]
    if periods:
        isos = [p.iso for p in (_parse(x, version.minor) for x in periods) if p]
        where.append(f"pe IN ({','.join('?' * len(isos))})")
        params += isos
    else:
        where.append("pe_start >= ? AND pe_end <= ?")
        params += [start or "0000-01-01", end or "9999-12-31"]
    if (_param(q, "includeDeleted") or "false").lower() != "true":
        where.append("deleted = 0")
    rows = store.query_values(" AND ".join(where), tuple(params)) if de_ids and ou_ids else []
    include_deleted = (_param(q, "includeDeleted") or "false").lower() == "true"
    out = []
    for r in rows:
        value = {
            "dataElement": r["de"],
            "period": r["pe"],
            "orgUnit": r["ou"],
            "categoryOptionCombo": r["coc"],
            "attributeOptionCombo": r["aoc"],
            "value": r["value"],
            "storedBy": r["storedby"],
            "created": _stamp(r["created"]),
            "lastUpdated": _stamp(r["lastupdated"]),
            "comment": r["comment"],
            "followup": bool(r["followup"]),
        }
        if include_deleted:
            value["deleted"] = bool(r["deleted"])
        out.append(value)
    return 200, {"dataValues": out}


def _stamp(value: str | None) -> str | None:
    """Timestamps as the recorded 2.40 GET prints them: ``2010-03-13T00:00:00.000+0000``."""
    if not value:
        return value
    return value if value.endswith("+0000") else value + "+0000"
