"""The per-value checks of ``POST /api/dataValueSets``, in the order dhis2-core registers them.

From ``DataValueSetImportValidator.init`` (2.38, 2.40, 2.42); ``skipDataValue`` stops at the first check
that adds a conflict, and the value is counted ignored and its index rejected:

validations  E7610 data element, E7611 period, E7612 org unit, E7613 option combo not found or not
             writable (``CategoryOptionComboAclCallable``: any of its options without data write
             sharing makes the lookup null, so E7614 is unreachable), E7615 the same for the attribute
             combo, E7617 org unit outside the user's capture hierarchy, E7618 neither value nor comment
             (unless deleted / strategy DELETE), E7619 value type, E7620 comment, E7621 option code;
constraints  E7630/E7631 option combos required, else the default; E7632 strictPeriods (the period type
             of one of the element's data sets); E7633 strictDataElements (the envelope data set, else
             all the element's data sets, contains it); E7634 strictCategoryOptionCombos (a combo of
             the element's category combos); E7635 strictAttributeOptionCombos (a combo of its data
             sets' category combos); E7636 strictOrganisationUnits (a data set assigned to the org unit
             holds the element); E7637 storedBy over 255; E7638 period outside the attribute options'
             start/end dates; E7639 org unit outside the attribute options' org units; then, per
             target data set, E7640 expired (``DataSet.isLocked``: expiryDays > 0, no F_EDIT_EXPIRED,
             today after period end + expiryDays), E7641 after the latest open future period, E7643
             not within a data input period; finally E7644 no data set of the element allows the
             period now.

Target data sets (``checkDataValueTargetDataSets``, 2.39+): the envelope data set, else the element's
data sets assigned to the org unit whose category combo is the attribute combo's
(``ImportContext.getTargetDataSets``); none -> nothing to check. A check passes as soon as one target
passes, unless it is strict (strictDataSetLocking / strictDataSetInputPeriods; E7641 is always strict).
2.38 checks one data set instead (``getApprovalDataSet``: the envelope's, else the element's data set of
highest frequency) and E7641 against the element's own latest open period. ``force=true`` by a
superuser skips the target checks and E7644 (``InputUtils.canForceDataInput``).

Not modelled (the sandbox has none of them): approvals (E7642), lock exceptions, file resources (E7645).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dhis2_mch.sandbox import periods, sharing
from dhis2_mch.sandbox import valuetypes as values
from dhis2_mch.sandbox.klasses import DEFAULT_COC, DEFAULT_COMBO
from dhis2_mch.sandbox.periods import Period

if TYPE_CHECKING:
    from dhis2_mch.sandbox.datavalues import DataValueImport


@dataclass
class Value:
    """ImportContext.DataValueContext: one payload value and what it resolved to."""

    index: int
    raw: dict
    raw_de: str | None
    raw_pe: str | None
    raw_ou: str | None
    raw_coc: str | None
    raw_aoc: str | None
    value: str | None
    comment: str | None
    de: dict | None = None
    period: Period | None = None
    ou: dict | None = None
    coc: dict | None = None
    aoc: dict | None = None


def _id(ref: Any) -> str | None:
    return ref.get("id") if isinstance(ref, dict) else ref if isinstance(ref, str) else None


def _frequency(ds: dict) -> int:
    """DataSetFrequencyComparator: highest collection frequency (shortest period) first."""
    return periods.FREQUENCY.get(str(ds.get("periodType")), 999)


def _day(text: Any) -> date | None:
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


class Checks:
    """The chain for one import; ``rejects(v)`` runs it and says whether the value is skipped."""

    def __init__(self, imp: DataValueImport):
        self.imp, self.store, self.minor = imp, imp.store, imp.version.minor
        self.chain: list[Callable[[Value], bool]] = [
            self.data_element, self.period, self.org_unit, self.coc, self.aoc, self.hierarchy,
            self.defined, self.valid, self.comment_ok, self.options,
            self.coc_fallback, self.aoc_fallback, self.strict_periods, self.strict_data_elements,
            self.strict_cocs, self.strict_aocs, self.strict_org_units, self.stored_by,
            self.aoc_dates, self.aoc_org_units, self.expired, self.future, self.input_periods,
            self.open_periods,
        ]  # fmt: skip
        self._data_sets_of: dict[str, list[dict]] = {}
        self._writable_cocs: dict[str, bool] = {}
        self._latest: dict[str, Period] = {}  # ImportContext caches the ACL lookups per combo too

    def rejects(self, v: Value) -> bool:
        return any(check(v) for check in self.chain)

    def _conflict(self, v: Value, code: str, args: tuple, objects: tuple | None = None) -> bool:
        self.imp.summary.conflict(code, args, args if objects is None else objects, v.index)
        return True

    # -- lookups --

    def data_sets_of(self, de: dict) -> list[dict]:
        """DataElement.getDataSets: every data set holding the element."""
        if de["id"] not in self._data_sets_of:
            self._data_sets_of[de["id"]] = [
                ds
                for ds in self.store.objects("dataSets").values()
                if any(_id(e.get("dataElement")) == de["id"] for e in ds.get("dataSetElements") or [])
            ]
        return self._data_sets_of[de["id"]]

    def _writable(self, coc: dict | None) -> dict | None:
        """CategoryOptionComboAclCallable: the combo, or None when an option lacks data write sharing."""
        if coc is None:
            return None
        if coc["id"] not in self._writable_cocs:
            imp = self.imp
            options = [self.store.get("categoryOptions", _id(ref)) for ref in coc.get("categoryOptions") or []]
            self._writable_cocs[coc["id"]] = all(
                sharing.can_data_write(imp.user, imp.granted, o, self.store) for o in options if o is not None
            )
        return coc if self._writable_cocs[coc["id"]] else None

    def targets(self, v: Value) -> list[dict]:
        assert v.de is not None and v.ou is not None and v.aoc is not None
        if self.imp.data_set is not None:
            return [self.imp.data_set]
        if self.minor == 38:  # ImportContext.getApprovalDataSet -> DataElement.getApprovalDataSet
            ordered = sorted(self.data_sets_of(v.de), key=_frequency)
            return ordered[:1]
        aoc_combo = _id(v.aoc.get("categoryCombo")) or DEFAULT_COMBO
        return [
            ds
            for ds in self.data_sets_of(v.de)
            if any(_id(o) == v.ou["id"] for o in ds.get("organisationUnits") or [])
            and (_id(ds.get("categoryCombo")) or DEFAULT_COMBO) == aoc_combo
        ]

    def _per_target(self, v: Value, strict: bool, check: Callable[[dict], tuple | None], code: str) -> bool:
        """checkDataValueTargetDataSets: stage conflicts, pass on the first clean data set unless strict."""
        if self.imp.force:
            return False
        staged = []
        for ds in self.targets(v):
            args = check(ds)
            if args is None:
                if not strict:
                    return False
                continue
            staged.append(args)
        for args in staged:
            self._conflict(v, code, args)
        return bool(staged)

    # -- validations --

    def data_element(self, v: Value) -> bool:
        v.de = self.imp.lookup("dataElements", "dataElementIdScheme", v.raw_de)
        return v.de is None and self._conflict(v, "E7610", (v.raw_de,))

    def period(self, v: Value) -> bool:
        v.period = self.imp.outer_period or periods.parse(v.raw_pe, self.minor)
        return v.period is None and self._conflict(v, "E7611", (v.raw_pe,))

    def org_unit(self, v: Value) -> bool:
        v.ou = self.imp.outer_ou or self.imp.lookup("organisationUnits", "orgUnitIdScheme", v.raw_ou)
        return v.ou is None and self._conflict(v, "E7612", (v.raw_ou,))

    def coc(self, v: Value) -> bool:
        v.coc = self._writable(self.imp.lookup("categoryOptionCombos", "categoryOptionComboIdScheme", v.raw_coc))
        return v.coc is None and bool(v.raw_coc) and self._conflict(v, "E7613", (v.raw_coc,))

    def aoc(self, v: Value) -> bool:
        if self.imp.outer_aoc is not None:
            v.aoc = self.imp.outer_aoc
            return False
        v.aoc = self._writable(self.imp.lookup("categoryOptionCombos", "categoryOptionComboIdScheme", v.raw_aoc))
        return v.aoc is None and bool(v.raw_aoc) and self._conflict(v, "E7615", (v.raw_aoc,))

    def hierarchy(self, v: Value) -> bool:
        assert v.ou is not None
        if self.imp.in_hierarchy(v.ou, self.imp.user.get("organisationUnits")):
            return False
        return self._conflict(v, "E7617", (v.raw_ou, self.imp.user["id"]))

    def defined(self, v: Value) -> bool:
        deleted = v.raw.get("deleted") is True
        if v.value is None and v.comment is None and not deleted and self.imp.strategy != "DELETE":
            return self._conflict(v, "E7618", (v.raw_de,))
        return False

    def valid(self, v: Value) -> bool:
        assert v.de is not None
        vt = v.de.get("valueType")
        value = values.normalize_boolean(v.value, vt)
        key = values.value_error(value, vt, self.minor, has_option_set=bool(_id(v.de.get("optionSet"))))
        if key is None:
            return False
        return self._conflict(v, "E7619", (v.raw_de, values.text(key, self.minor)), (v.raw_de, key))

    def comment_ok(self, v: Value) -> bool:
        key = values.comment_error(v.comment)
        return key is not None and self._conflict(v, "E7620", (values.text(key, self.minor),), (key,))

    def options(self, v: Value) -> bool:
        assert v.de is not None
        option_set = self.store.get("optionSets", _id(v.de.get("optionSet")))
        if option_set is None:
            return False
        codes = {
            o.get("code")
            for o in (self.store.get("options", _id(r)) for r in option_set.get("options") or [])
            if o and o.get("code") is not None
        }
        if v.de.get("valueType") == "MULTI_TEXT" and self.minor >= 39:
            ok = v.value is not None and all(part in codes for part in v.value.split(","))
        else:
            ok = v.value in codes
        return not ok and self._conflict(v, "E7621", (v.raw_de,))

    # -- constraints --

    def coc_fallback(self, v: Value) -> bool:
        if v.coc is not None:
            return False
        if self.imp.flags["requireCategoryOptionCombo"]:
            return self._conflict(v, "E7630", ())
        v.coc = self.store.get("categoryOptionCombos", DEFAULT_COC) or {"id": DEFAULT_COC}
        return False

    def aoc_fallback(self, v: Value) -> bool:
        if v.aoc is not None:
            return False
        if self.imp.flags["requireAttributeOptionCombo"]:
            return self._conflict(v, "E7631", ())
        v.aoc = self.store.get("categoryOptionCombos", DEFAULT_COC) or {"id": DEFAULT_COC}
        return False

    def strict_periods(self, v: Value) -> bool:
        assert v.de is not None and v.period is not None
        if not self.imp.flags["strictPeriods"]:
            return False
        types = {ds.get("periodType") for ds in self.data_sets_of(v.de)}
        return v.period.type not in types and self._conflict(v, "E7632", (v.raw_pe, v.raw_de))

    def strict_data_elements(self, v: Value) -> bool:
        assert v.de is not None
        if not self.imp.flags["strictDataElements"]:
            return False
        targets = [self.imp.data_set] if self.imp.data_set is not None else self.data_sets_of(v.de)
        holds = any(_id(e.get("dataElement")) == v.de["id"] for ds in targets for e in ds.get("dataSetElements") or [])
        return not holds and self._conflict(v, "E7633", (v.raw_de, ",".join(ds["id"] for ds in targets)))

    def _combo_cocs(self, combo_ids: set[str]) -> set[str]:
        return {
            uid
            for uid, c in self.store.objects("categoryOptionCombos").items()
            if _id(c.get("categoryCombo")) in combo_ids
        } | ({DEFAULT_COC} if DEFAULT_COMBO in combo_ids else set())

    def strict_cocs(self, v: Value) -> bool:
        assert v.de is not None and v.coc is not None
        if not self.imp.flags["strictCategoryOptionCombos"]:
            return False
        combos = {_id(v.de.get("categoryCombo")) or DEFAULT_COMBO}  # DataElement.getCategoryCombos
        for ds in self.data_sets_of(v.de):
            for e in ds.get("dataSetElements") or []:
                if _id(e.get("dataElement")) == v.de["id"] and _id(e.get("categoryCombo")):
                    combos.add(str(_id(e.get("categoryCombo"))))
        ok = v.coc["id"] in self._combo_cocs({c for c in combos if c})
        return not ok and self._conflict(v, "E7634", (v.raw_coc, v.raw_de))

    def strict_aocs(self, v: Value) -> bool:
        assert v.de is not None and v.aoc is not None
        if not self.imp.flags["strictAttributeOptionCombos"]:
            return False
        combos = {_id(ds.get("categoryCombo")) or DEFAULT_COMBO for ds in self.data_sets_of(v.de)}
        ok = v.aoc["id"] in self._combo_cocs({c for c in combos if c})
        return not ok and self._conflict(v, "E7635", (v.raw_aoc, v.raw_de))

    def strict_org_units(self, v: Value) -> bool:
        assert v.de is not None and v.ou is not None
        if not self.imp.flags["strictOrganisationUnits"]:
            return False
        ou_id = v.ou["id"]
        assigned = any(
            any(_id(o) == ou_id for o in ds.get("organisationUnits") or []) for ds in self.data_sets_of(v.de)
        )
        return not assigned and self._conflict(v, "E7636", (v.raw_ou, v.raw_de))

    def stored_by(self, v: Value) -> bool:
        key = values.stored_by_error(v.raw.get("storedBy") if isinstance(v.raw.get("storedBy"), str) else None)
        return key is not None and self._conflict(v, "E7637", (values.text(key, self.minor),), (key,))

    def _aoc_options(self, v: Value) -> list[dict]:
        assert v.aoc is not None
        return [o for o in (self.store.get("categoryOptions", _id(r)) for r in v.aoc.get("categoryOptions") or []) if o]

    def aoc_dates(self, v: Value) -> bool:
        """CategoryOptionCombo.getDateRange(dataSet or dataElement): latest start, earliest (adjusted) end."""
        assert v.period is not None
        starts = [d for d in (_day(o.get("startDate")) for o in self._aoc_options(v)) if d]
        ends = [d for d in (_day(o.get("endDate")) for o in self._aoc_options(v)) if d]
        if ends:  # CategoryOption.getAdjustedEndDate: + the data set's openPeriodsAfterCoEndDate periods
            ds = self.imp.data_set
            extra = int((ds or {}).get("openPeriodsAfterCoEndDate") or 0)
            end = min(ends)
            if ds is not None and extra and ds.get("periodType") in periods.FREQUENCY:
                end = periods.shifted(periods.containing(ds["periodType"], end), extra).end
            ends = [end]
        outside = (starts and max(starts) > v.period.end) or (ends and ends[0] < v.period.start)
        return bool(outside) and self._conflict(v, "E7638", (v.raw_pe, v.raw_aoc))

    def aoc_org_units(self, v: Value) -> bool:
        assert v.ou is not None
        units = [_id(u) for o in self._aoc_options(v) for u in o.get("organisationUnits") or []]
        if not units:
            return False
        roots = [{"id": u} for u in units if u]
        return not self.imp.in_hierarchy(v.ou, roots) and self._conflict(v, "E7639", (v.raw_ou, v.raw_aoc))

    def expired(self, v: Value) -> bool:
        assert v.period is not None
        if "ALL" in self.imp.granted or "F_EDIT_EXPIRED" in self.imp.granted:
            return False
        period, today = v.period, self.imp.today

        def locked(ds: dict) -> tuple | None:
            days = int(ds.get("expiryDays") or 0)
            if days == 0:  # DataSet.NO_EXPIRY
                return None
            return (v.raw_pe, ds["id"]) if today > period.end + timedelta(days=days) else None

        return self._per_target(v, self.imp.flags["strictDataSetLocking"], locked, "E7640")

    def future(self, v: Value) -> bool:
        assert v.de is not None and v.period is not None
        period, today = v.period, self.imp.today
        if self.minor == 38:  # DataElement.getLatestOpenFuturePeriod: its data set of highest frequency
            if self.imp.force or not self.targets(v):
                return False
            mine = sorted(self.data_sets_of(v.de), key=_frequency)
            if not mine or mine[0].get("periodType") not in periods.FREQUENCY:
                return False
            n = max(int(d.get("openFuturePeriods") or 0) for d in mine)
            latest = periods.future_period(mine[0]["periodType"], n, today)
            if not period.is_after(latest):
                return False
            return self._conflict(v, "E7641", (v.raw_pe, v.raw_de, latest.iso), (v.raw_pe, v.raw_de))

        def after(ds: dict) -> tuple | None:
            if ds.get("periodType") not in periods.FREQUENCY:
                return None
            latest = self._latest.get(ds["id"])  # ImportContext.getDataSetLatestFuturePeriodMap
            if latest is None:
                latest = periods.future_period(ds["periodType"], int(ds.get("openFuturePeriods") or 0), today)
                self._latest[ds["id"]] = latest
            return (v.raw_pe, v.raw_de, ds["id"], latest.iso) if period.is_after(latest) else None

        return self._per_target(v, True, after, "E7641")

    def _input_period_ok(self, ds: dict, period: Period) -> bool:
        """DataSet.isDataInputPeriodAndDateAllowed: no input periods, or one for this period open today."""
        inputs = ds.get("dataInputPeriods") or []
        if not inputs:
            return True
        today = self.imp.today
        for dip in inputs:
            raw = dip.get("period")
            iso = _id(raw) if isinstance(raw, dict) else raw
            p = periods.parse(iso, self.minor) if isinstance(iso, str) else None
            if p is None or (p.start, p.end, p.type) != (period.start, period.end, period.type):
                continue
            opening, closing = _day(dip.get("openingDate")), _day(dip.get("closingDate"))
            if (opening is None or today >= opening) and (closing is None or today <= closing):
                return True
        return False

    def input_periods(self, v: Value) -> bool:
        assert v.period is not None
        period = v.period

        def closed(ds: dict) -> tuple | None:
            return None if self._input_period_ok(ds, period) else (v.raw_pe, ds["id"])

        return self._per_target(v, self.imp.flags["strictDataSetInputPeriods"], closed, "E7643")

    def open_periods(self, v: Value) -> bool:
        assert v.de is not None and v.period is not None
        if self.imp.force:
            return False
        data_sets = self.data_sets_of(v.de)
        period = v.period
        if not data_sets or any(self._input_period_ok(ds, period) for ds in data_sets):
            return False
        return self._conflict(v, "E7644", (v.raw_pe,))
