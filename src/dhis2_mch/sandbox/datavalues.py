"""``POST /api/dataValueSets`` as DHIS2 2.38–2.42 do it (``DefaultDataValueSetService.importDataValueSet``).

- The envelope (``DataValueSetImportValidator.abortDataSetImport``): E7600 unknown ``dataSet``, E7601 no
  data write sharing on it, E7603 unknown envelope ``orgUnit``, E7604 unknown or unwritable envelope
  ``attributeOptionCombo``; all four run, any conflict aborts (status ERROR, "Import process was aborted").
- ``completeDate`` (``getCompletionDate``, ``handleComplete``): registers the completion when the envelope
  names a data set, an org unit and a period; else a conflict without error code.
- Per value: the checks of ``datavalue_checks.py`` (those against the target data sets in
  ``datavalue_targets.py``), in DHIS2's order; the first one that fails rejects
  the value (``ignored`` + 1, its index in ``rejectedIndexes`` from 2.39).
- Conflicts group by (errorCode, objects) and merge their ``indexes`` (``ImportConflict`` grouping key);
  ``object`` is the first of ``objects``; ``objects`` keys are the schema singular names of the
  conflict's object types and, for an I18n argument, the property with the raw i18n key.
- Then (``importDataValue``): zero values of numeric, non-zero-significant, non-AVERAGE data elements are
  dropped silently and not counted; an unchanged value, comment and followup counts ``ignored``;
  importStrategy=DELETE soft-deletes (the row stays with deleted=true); CREATE over an existing value,
  or UPDATE/DELETE without one, is ignored and rejected without a conflict.
- ``dryRun`` counts as if it imported and stores nothing; ``atomicMode`` is not a parameter here.
- Status SUCCESS without conflicts, else WARNING; the HTTP answer is 409 for WARNING and ERROR
  (``WebMessageUtils.importSummary``).

Id schemes (``idScheme``, ``dataElementIdScheme``, ``orgUnitIdScheme``, ``categoryOptionComboIdScheme``,
``dataSetIdScheme``; in the payload or as parameters, the payload winning) accept UID/ID, CODE, NAME
and ATTRIBUTE:<uid>, case-insensitively (``IdScheme.from``).

unverified: ``idSchemes`` in the echoed importOptions prints non-default schemes as
``{"<param>": {"identifiableProperty": "CODE"}}``; the text of a failed ``completeDate`` parse beyond
"could not be parsed at index 0".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dhis2_mch.sandbox import sharing
from dhis2_mch.sandbox import valuetypes as values
from dhis2_mch.sandbox.datavalue_checks import Checks, Value
from dhis2_mch.sandbox.import_summary import (
    SCHEME_PARAMS,
    STRICT_FLAGS,
    Summary,
    failed_summary,
    flag,
    import_options,
    now_stamp,
    param,
    parse_scheme,
)
from dhis2_mch.sandbox.klasses import DEFAULT_COC
from dhis2_mch.sandbox.periods import Period
from dhis2_mch.sandbox.periods import parse as _parse
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version


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
            scheme = parse_scheme(p.get(key)) or parse_scheme(param(q, key))
            if scheme:
                self.schemes[key] = scheme
        strategy = p.get("strategy") or param(q, "importStrategy")
        self.strategy = (
            strategy if strategy in ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE") else "CREATE_AND_UPDATE"
        )
        dry = p.get("dryRun") if p.get("dryRun") is not None else param(q, "dryRun")
        self.dry_run = dry is True or str(dry).lower() == "true"
        self.flags = {f: flag(q, {}, f) for f in STRICT_FLAGS}
        self.force = flag(q, {}, "force") and "ALL" in self.granted  # InputUtils.canForceDataInput
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
            comment=None if dv.get("comment") is None else str(dv.get("comment")),  # raw, as getComment()
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
        comment = _trim(v.comment)  # createDataValue: trimToNull
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
