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

The target data set checks (E7640, E7641, E7643, E7644, and how the targets are chosen per
version) live in ``datavalue_targets``, with the state and lookups every check shares.

Not modelled (the sandbox has none of them): approvals (E7642), lock exceptions, file resources (E7645).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dhis2_mch.sandbox import periods, sharing
from dhis2_mch.sandbox import valuetypes as values
from dhis2_mch.sandbox.datavalue_targets import TargetChecks, Value, day_of, ref_id
from dhis2_mch.sandbox.klasses import DEFAULT_COC, DEFAULT_COMBO

if TYPE_CHECKING:
    from dhis2_mch.sandbox.datavalues import DataValueImport

__all__ = ["Checks", "Value"]


class Checks(TargetChecks):
    """The chain for one import; ``rejects(v)`` runs it and says whether the value is skipped."""

    def __init__(self, imp: DataValueImport):
        super().__init__(imp)
        self.chain: list[Callable[[Value], bool]] = [
            self.data_element, self.period, self.org_unit, self.coc, self.aoc, self.hierarchy,
            self.defined, self.valid, self.comment_ok, self.options,
            self.coc_fallback, self.aoc_fallback, self.strict_periods, self.strict_data_elements,
            self.strict_cocs, self.strict_aocs, self.strict_org_units, self.stored_by,
            self.aoc_dates, self.aoc_org_units, self.expired, self.future, self.input_periods,
            self.open_periods,
        ]  # fmt: skip
        self._writable_cocs: dict[str, bool] = {}  # ImportContext caches the ACL lookups per combo too

    def rejects(self, v: Value) -> bool:
        return any(check(v) for check in self.chain)

    # -- lookups --

    def _writable(self, coc: dict | None) -> dict | None:
        """CategoryOptionComboAclCallable: the combo, or None when an option lacks data write sharing."""
        if coc is None:
            return None
        if coc["id"] not in self._writable_cocs:
            imp = self.imp
            options = [self.store.get("categoryOptions", ref_id(ref)) for ref in coc.get("categoryOptions") or []]
            self._writable_cocs[coc["id"]] = all(
                sharing.can_data_write(imp.user, imp.granted, o, self.store) for o in options if o is not None
            )
        return coc if self._writable_cocs[coc["id"]] else None

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
        key = values.value_error(value, vt, self.minor, has_option_set=bool(ref_id(v.de.get("optionSet"))))
        if key is None:
            return False
        return self._conflict(v, "E7619", (v.raw_de, values.text(key, self.minor)), (v.raw_de, key))

    def comment_ok(self, v: Value) -> bool:
        key = values.comment_error(v.comment)
        return key is not None and self._conflict(v, "E7620", (values.text(key, self.minor),), (key,))

    def options(self, v: Value) -> bool:
        assert v.de is not None
        option_set = self.store.get("optionSets", ref_id(v.de.get("optionSet")))
        if option_set is None:
            return False
        codes = {
            o.get("code")
            for o in (self.store.get("options", ref_id(r)) for r in option_set.get("options") or [])
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
        holds = any(
            ref_id(e.get("dataElement")) == v.de["id"] for ds in targets for e in ds.get("dataSetElements") or []
        )
        return not holds and self._conflict(v, "E7633", (v.raw_de, ",".join(ds["id"] for ds in targets)))

    def _combo_cocs(self, combo_ids: set[str]) -> set[str]:
        return {
            uid
            for uid, c in self.store.objects("categoryOptionCombos").items()
            if ref_id(c.get("categoryCombo")) in combo_ids
        } | ({DEFAULT_COC} if DEFAULT_COMBO in combo_ids else set())

    def strict_cocs(self, v: Value) -> bool:
        assert v.de is not None and v.coc is not None
        if not self.imp.flags["strictCategoryOptionCombos"]:
            return False
        combos = {ref_id(v.de.get("categoryCombo")) or DEFAULT_COMBO}  # DataElement.getCategoryCombos
        for ds in self.data_sets_of(v.de):
            for e in ds.get("dataSetElements") or []:
                if ref_id(e.get("dataElement")) == v.de["id"] and ref_id(e.get("categoryCombo")):
                    combos.add(str(ref_id(e.get("categoryCombo"))))
        ok = v.coc["id"] in self._combo_cocs({c for c in combos if c})
        return not ok and self._conflict(v, "E7634", (v.raw_coc, v.raw_de))

    def strict_aocs(self, v: Value) -> bool:
        assert v.de is not None and v.aoc is not None
        if not self.imp.flags["strictAttributeOptionCombos"]:
            return False
        combos = {ref_id(ds.get("categoryCombo")) or DEFAULT_COMBO for ds in self.data_sets_of(v.de)}
        ok = v.aoc["id"] in self._combo_cocs({c for c in combos if c})
        return not ok and self._conflict(v, "E7635", (v.raw_aoc, v.raw_de))

    def strict_org_units(self, v: Value) -> bool:
        assert v.de is not None and v.ou is not None
        if not self.imp.flags["strictOrganisationUnits"]:
            return False
        ou_id = v.ou["id"]
        assigned = any(
            any(ref_id(o) == ou_id for o in ds.get("organisationUnits") or []) for ds in self.data_sets_of(v.de)
        )
        return not assigned and self._conflict(v, "E7636", (v.raw_ou, v.raw_de))

    def stored_by(self, v: Value) -> bool:
        key = values.stored_by_error(v.raw.get("storedBy") if isinstance(v.raw.get("storedBy"), str) else None)
        return key is not None and self._conflict(v, "E7637", (values.text(key, self.minor),), (key,))

    def _aoc_options(self, v: Value) -> list[dict]:
        assert v.aoc is not None
        return [
            o for o in (self.store.get("categoryOptions", ref_id(r)) for r in v.aoc.get("categoryOptions") or []) if o
        ]

    def aoc_dates(self, v: Value) -> bool:
        """CategoryOptionCombo.getDateRange(dataSet or dataElement): latest start, earliest (adjusted) end."""
        assert v.period is not None
        starts = [d for d in (day_of(o.get("startDate")) for o in self._aoc_options(v)) if d]
        ends = [d for d in (day_of(o.get("endDate")) for o in self._aoc_options(v)) if d]
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
        units = [ref_id(u) for o in self._aoc_options(v) for u in o.get("organisationUnits") or []]
        if not units:
            return False
        roots = [{"id": u} for u in units if u]
        return not self.imp.in_hierarchy(v.ou, roots) and self._conflict(v, "E7639", (v.raw_ou, v.raw_aoc))
