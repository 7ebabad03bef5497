"""The checks of ``POST /api/dataValueSets`` against a value's *target data sets*, and what every check shares.

Target data sets (``DataValueSetImportValidator.checkDataValueTargetDataSets``, 2.39+): the envelope
data set, else the element's data sets assigned to the org unit whose category combo is the attribute
combo's (``ImportContext.getTargetDataSets``); none -> nothing to check. A check passes as soon as one
target passes, unless it is strict (strictDataSetLocking / strictDataSetInputPeriods; E7641 is always
strict). 2.38 checks one data set instead (``getApprovalDataSet``: the envelope's, else the element's
data set of highest frequency) and E7641 against the element's own latest open period. ``force=true``
by a superuser skips the target checks and E7644 (``InputUtils.canForceDataInput``).

E7640 expired (``DataSet.isLocked``: expiryDays > 0, no F_EDIT_EXPIRED, today after period end +
expiryDays), E7641 after the latest open future period, E7643 not within a data input period; E7644 no
data set of the element allows the period now. The rest of the chain, and its order, is in
``datavalue_checks``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dhis2_mch.sandbox import periods
from dhis2_mch.sandbox.klasses import DEFAULT_COMBO
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


def ref_id(ref: Any) -> str | None:
    return ref.get("id") if isinstance(ref, dict) else ref if isinstance(ref, str) else None


def frequency(ds: dict) -> int:
    """DataSetFrequencyComparator: highest collection frequency (shortest period) first."""
    return periods.FREQUENCY.get(str(ds.get("periodType")), 999)


def day_of(text: Any) -> date | None:
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


class TargetChecks:
    """The import's state every check reads, the lookups they share, and the target data set checks."""

    def __init__(self, imp: DataValueImport):
        self.imp, self.store, self.minor = imp, imp.store, imp.version.minor
        self._data_sets_of: dict[str, list[dict]] = {}
        self._latest: dict[str, Period] = {}  # ImportContext.getDataSetLatestFuturePeriodMap

    def _conflict(self, v: Value, code: str, args: tuple, objects: tuple | None = None) -> bool:
        self.imp.summary.conflict(code, args, args if objects is None else objects, v.index)
        return True

    def data_sets_of(self, de: dict) -> list[dict]:
        """DataElement.getDataSets: every data set holding the element."""
        if de["id"] not in self._data_sets_of:
            self._data_sets_of[de["id"]] = [
                ds
                for ds in self.store.objects("dataSets").values()
                if any(ref_id(e.get("dataElement")) == de["id"] for e in ds.get("dataSetElements") or [])
            ]
        return self._data_sets_of[de["id"]]

    def targets(self, v: Value) -> list[dict]:
        assert v.de is not None and v.ou is not None and v.aoc is not None
        if self.imp.data_set is not None:
            return [self.imp.data_set]
        if self.minor == 38:  # ImportContext.getApprovalDataSet -> DataElement.getApprovalDataSet
            ordered = sorted(self.data_sets_of(v.de), key=frequency)
            return ordered[:1]
        aoc_combo = ref_id(v.aoc.get("categoryCombo")) or DEFAULT_COMBO
        return [
            ds
            for ds in self.data_sets_of(v.de)
            if any(ref_id(o) == v.ou["id"] for o in ds.get("organisationUnits") or [])
            and (ref_id(ds.get("categoryCombo")) or DEFAULT_COMBO) == aoc_combo
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

    # -- target data sets --

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
            mine = sorted(self.data_sets_of(v.de), key=frequency)
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
            iso = ref_id(raw) if isinstance(raw, dict) else raw
            p = periods.parse(iso, self.minor) if isinstance(iso, str) else None
            if p is None or (p.start, p.end, p.type) != (period.start, period.end, period.type):
                continue
            opening, closing = day_of(dip.get("openingDate")), day_of(dip.get("closingDate"))
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
