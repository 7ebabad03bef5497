"""Shorthands for the analytics objects: legends inside a legend set, visualizations, dashboard items.

DHIS2's own JSON for these is long and UID-heavy (a chart's data items, layout, relative periods and
user org units are a few dozen properties). The authoring format lets a visualization say what it
shows in a few keys, with codes, and compiles them to the properties DHIS2 2.38-2.42 read (names as in
dhis2-core's ``Visualization`` / ``BaseAnalyticalObject`` JSON properties and the 2.39/2.40 schemas):

```yaml
visualizations:
  - code: F1000_VIS_STUNTING
    name: {en: ..., vi: ...}
    type: LINE
    data: [F1000_IND_STUNTED, F1000_IND_UNDERWEIGHT]   # indicator, data element or program indicator codes
    periods: [last12Months]                            # relativePeriods keys
    orgUnits: [USER_ORGUNIT]                           # and/or USER_ORGUNIT_CHILDREN, USER_ORGUNIT_GRANDCHILDREN
    columns: [dx]                                       # layout: dx, pe, ou in columns, rows, filters
    rows: [pe]
    filters: [ou]
    legendSet: F1000_LEGEND_STUNTING                    # -> legend: {set, strategy: FIXED, style: FILL}
    targetLine: F1000_TARGET_STUNTING                   # a constant: its value and name as the target line
```

Embedded children (a legend set's legends, a dashboard's items) get UIDs derived from the parent's code
and their own code, like option combos, so a re-deploy updates them instead of adding new ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dhis2_mch.model import findings as f
from dhis2_mch.model.uid import derive_uid

if TYPE_CHECKING:
    from dhis2_mch.package.authoring.compiler import Compiler, Raw

#: relativePeriods keys of dhis2-core's RelativePeriods (the 2.39.1 / 40.2.2 schema ``relativePeriods``)
RELATIVE_PERIODS = frozenset({
    "thisDay", "yesterday", "last3Days", "last7Days", "last14Days", "last30Days", "last60Days", "last90Days",
    "last180Days", "thisWeek", "lastWeek", "last4Weeks", "last12Weeks", "last52Weeks", "thisMonth", "lastMonth",
    "last3Months", "last6Months", "last12Months", "monthsThisYear", "monthsLastYear", "thisBimonth",
    "lastBimonth", "last6BiMonths", "biMonthsThisYear", "thisQuarter", "lastQuarter", "last4Quarters",
    "quartersThisYear", "quartersLastYear", "thisSixMonth", "lastSixMonth", "last2SixMonths", "thisYear",
    "lastYear", "last5Years", "last10Years", "thisFinancialYear", "lastFinancialYear", "last5FinancialYears",
})  # fmt: skip
USER_ORG_UNITS = {
    "USER_ORGUNIT": "userOrganisationUnit",
    "USER_ORGUNIT_CHILDREN": "userOrganisationUnitChildren",
    "USER_ORGUNIT_GRANDCHILDREN": "userOrganisationUnitGrandChildren",
}
DIMENSIONS = ("dx", "pe", "ou")
LAYOUT = {"columns": "columnDimensions", "rows": "rowDimensions", "filters": "filterDimensions"}
#: data item types by the type of the object a code names (DataDimensionItemType)
DATA_ITEM_TYPES = {"indicator": "INDICATOR", "dataElement": "DATA_ELEMENT", "programIndicator": "PROGRAM_INDICATOR"}
#: plain visualization properties passed through as written (numbers, flags, enumerations)
PASS_THROUGH = ("targetLineValue", "baseLineValue", "rangeAxisMinValue", "rangeAxisMaxValue", "hideEmptyRowItems",
                "showData", "sortOrder", "topLimit", "percentStackedValues", "cumulativeValues")  # fmt: skip
#: read-only properties DHIS2 computes for a dashboard item and exports (as the WHO packages' items carry
#: them); its 40.2.2 schema lists them as required, and DHIS2 ignores them on import
COMPUTED_ITEM = {"shape": "NORMAL", "contentCount": 1, "interpretationCount": 0, "interpretationLikeCount": 0}
#: a dashboard is 60 grid units wide; items without a size are placed two to a row
ITEM_WIDTH, ITEM_HEIGHT = 29, 20


def legends(compiler: Compiler, raw: Raw, value: Any) -> list[dict[str, Any]] | None:
    """A legend set's bands: ``{code, name: {en, vi}, startValue, endValue, color}`` each."""
    if not isinstance(value, list):
        compiler.error(raw, f.BAD_VALUE, "legends", "`legends` must be a list of bands", raw.where("legends"))
        return None
    out = []
    for item in value:
        if not isinstance(item, dict):
            compiler.error(raw, f.BAD_VALUE, "legends", "each legend is a mapping", raw.where("legends"))
            continue
        translations: list[dict[str, str]] = []
        band: dict[str, Any] = {}
        for key, given in item.items():
            band[key] = compiler.translatable(raw, key, given, translations) if key == "name" else given
        key_code = band.get("code") or band.get("name")
        if not isinstance(key_code, str) or not key_code:
            compiler.error(raw, f.BAD_VALUE, "legends", "each legend needs a `code` or a `name`", raw.where("legends"))
            continue
        band = {"id": derive_uid("legend", raw.code or "", key_code), **band}
        if translations:
            band["translations"] = translations
        out.append(band)
    return out


def visualization(compiler: Compiler, raw: Raw, out: dict[str, Any]) -> None:
    """Expand a visualization's shorthand keys into DHIS2's properties (in ``out``)."""
    data = raw.data
    items = []
    for code in _list(compiler, raw, "data"):
        item = _data_item(compiler, raw, code)
        if item is not None:
            items.append(item)
    if "data" in data:
        out["dataDimensionItems"] = items
    periods = _list(compiler, raw, "periods")
    for period in periods:
        if period not in RELATIVE_PERIODS:
            compiler.error(raw, f.BAD_VALUE, "periods", f"`{period}` is not a DHIS2 relative period "
                           f"(last12Months, thisYear, last4Quarters ...)", raw.where("periods"))  # fmt: skip
    if periods:
        out["relativePeriods"] = {p: True for p in sorted(periods) if p in RELATIVE_PERIODS}
    for unit in _list(compiler, raw, "orgUnits"):
        if unit in USER_ORG_UNITS:
            out[USER_ORG_UNITS[unit]] = True
        else:
            compiler.error(
                raw,
                f.BAD_VALUE,
                "orgUnits",
                f"`{unit}` must be one of {', '.join(USER_ORG_UNITS)} "
                "(the package ships no org units; views follow the user's own)",
                raw.where("orgUnits"),
            )
    levels = _list(compiler, raw, "orgUnitLevels")
    if levels:
        out["organisationUnitLevels"] = levels
    placed: list[str] = []
    for key, prop in LAYOUT.items():
        dims = _list(compiler, raw, key)
        for dim in dims:
            if dim not in DIMENSIONS or dim in placed:
                compiler.error(raw, f.BAD_VALUE, key, f"`{dim}`: each of dx, pe, ou goes in one of columns, rows, "
                               "filters", raw.where(key))  # fmt: skip
            placed.append(dim)
        if key in data:
            out[prop] = dims
    if "legendSet" in data:
        ref = compiler.reference(raw, "legendSet", data["legendSet"], "legendSet")
        if ref is not None:
            out["legend"] = {"set": ref, "strategy": "FIXED", "style": "FILL", "showKey": True}
    if "targetLine" in data:
        target = compiler.index.get(("constant", data["targetLine"])) if isinstance(data["targetLine"], str) else None
        if target is None:
            compiler.error(raw, "E5002", "targetLine", f"`targetLine`: no constant has the code `{data['targetLine']}`",
                           raw.where("targetLine"))  # fmt: skip
        else:
            out["targetLineValue"] = target.data.get("value")
            label = target.data.get("shortName") or target.data.get("name")
            out["targetLineLabel"] = label.get("en") if isinstance(label, dict) else label
    for key in PASS_THROUGH:
        if key in data:
            out[key] = data[key]


def dashboard_items(compiler: Compiler, raw: Raw, value: Any) -> list[dict[str, Any]] | None:
    """A dashboard's items: a visualization code, or ``{visualization: CODE, width, height}``."""
    if not isinstance(value, list):
        compiler.error(raw, f.BAD_VALUE, "dashboardItems", "`dashboardItems` must be a list",
                       raw.where("dashboardItems"))  # fmt: skip
        return None
    out: list[dict[str, Any]] = []
    x = y = row_height = 0
    for given in value:
        entry = {"visualization": given} if isinstance(given, str) else dict(given) if isinstance(given, dict) else {}
        code = entry.pop("visualization", None)
        if isinstance(code, dict) and isinstance(code.get("id"), str):
            code = {"id": code["id"]}  # a visualization that lives on the instance, by UID
        elif not isinstance(code, str):
            compiler.error(raw, f.BAD_VALUE, "dashboardItems", "each item is a visualization code or a mapping "
                           "with `visualization`", raw.where("dashboardItems"))  # fmt: skip
            continue
        ref = compiler.reference(raw, "dashboardItems", code, "visualization")
        if ref is None:
            continue
        width, height = int(entry.pop("width", ITEM_WIDTH)), int(entry.pop("height", ITEM_HEIGHT))
        if x + width > 60:
            x, y, row_height = 0, y + row_height, 0
        key = code if isinstance(code, str) else code["id"]
        item = {"id": derive_uid("dashboardItem", raw.code or "", key), "type": "VISUALIZATION",
                "visualization": ref, "x": x, "y": y, "width": width, "height": height,
                **COMPUTED_ITEM, **entry}  # fmt: skip
        x, row_height = x + width + 1, max(row_height, height)
        out.append(item)
    return out


def _data_item(compiler: Compiler, raw: Raw, code: Any) -> dict[str, Any] | None:
    for kind, item_type in DATA_ITEM_TYPES.items():
        hit = compiler.index.get((kind, code)) if isinstance(code, str) else None
        if hit is not None:
            return {"dataDimensionItemType": item_type, kind: {"id": hit.uid}}
    compiler.error(raw, "E5002", "data", f"`{code}`: no indicator, data element or program indicator has this code",
                   raw.where("data"))  # fmt: skip
    return None


def _list(compiler: Compiler, raw: Raw, key: str) -> list[Any]:
    value = raw.data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        compiler.error(raw, f.BAD_VALUE, key, f"`{key}` must be a list", raw.where(key))
        return []
    return list(value)
