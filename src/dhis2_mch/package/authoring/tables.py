"""The authoring format's vocabulary, as tables: which collections a file may hold, which children are
written inline, DHIS2's defaults, which nested lists name their items by code, and which properties
hold expressions.

Everything the reader and the compiler do per type is driven from here, so a new metadata type or an
expression-bearing property is a row, not a code path.
"""

from __future__ import annotations

from typing import Any

BASE_LOCALE = "en"

#: collections a file may define at top level
TOP_LEVEL = (
    "categoryOptions", "categories", "categoryCombos", "optionSets", "dataElements", "dataElementGroups",
    "indicatorTypes", "indicators", "indicatorGroups", "dataSets", "organisationUnitGroups",
    "organisationUnitGroupSets", "trackedEntityTypes", "trackedEntityAttributes", "programs",
    "programIndicators", "programStageSections", "programSections", "programRuleVariables", "programRules",
    "programRuleActions", "legendSets", "constants", "validationRules", "validationRuleGroups", "predictors",
    "predictorGroups", "visualizations", "dashboards", "userGroups", "categoryOptionGroups",
    "categoryOptionGroupSets",
)  # fmt: skip

#: (parent collection, key) -> child collection written inline in the parent
INLINE = {
    ("optionSets", "options"): "options",
    ("dataSets", "sections"): "sections",
    ("programs", "programStages"): "programStages",
    ("programs", "programSections"): "programSections",
    ("programStages", "programStageSections"): "programStageSections",
    ("programRules", "programRuleActions"): "programRuleActions",
}

#: DHIS2's defaults, filled in where the author wrote nothing (a file's ``defaults:`` overrides them)
BUILTIN_DEFAULTS: dict[str, dict[str, Any]] = {
    "categories": {"dataDimensionType": "DISAGGREGATION", "dataDimension": True},
    "categoryCombos": {"dataDimensionType": "DISAGGREGATION", "skipTotal": False},
    "dataElements": {
        "domainType": "AGGREGATE",
        "valueType": "INTEGER_ZERO_OR_POSITIVE",
        "zeroIsSignificant": False,
        "categoryCombo": "default",
    },
    "dataSets": {"categoryCombo": "default", "openFuturePeriods": 0, "expiryDays": 0, "timelyDays": 15},
    "indicators": {"annualized": False},
    "indicatorTypes": {"number": False},
    "optionSets": {"valueType": "TEXT"},
    "programs": {"categoryCombo": "default"},
    "programStages": {"repeatable": False},
    "trackedEntityAttributes": {"valueType": "TEXT", "aggregationType": "NONE"},
    "programIndicators": {"analyticsType": "EVENT"},
}

#: nested lists whose items are a code or a mapping naming one: key -> (item reference key, target type)
NESTED = {
    ("dataSets", "dataSetElements"): ("dataElement", "dataElement"),
    ("programStages", "programStageDataElements"): ("dataElement", "dataElement"),
    ("programs", "programTrackedEntityAttributes"): ("trackedEntityAttribute", "trackedEntityAttribute"),
    ("trackedEntityTypes", "trackedEntityTypeAttributes"): ("trackedEntityAttribute", "trackedEntityAttribute"),
}
NESTED_ITEM_REFS = {"categoryCombo": "categoryCombo"}  # other references an item may carry

#: (collection, property) holding an indicator or program indicator expression with codes in it
EXPRESSIONS = {("indicators", "numerator"), ("indicators", "denominator"),
               ("programIndicators", "expression"), ("programIndicators", "filter"),
               # {expression: ...} objects: a validation rule's sides, a predictor's generator and skip test
               ("validationRules", "leftSide"), ("validationRules", "rightSide"),
               ("predictors", "generator"), ("predictors", "sampleSkipTest")}  # fmt: skip

#: lists of embedded children compiled by a function of ``analytics.py`` (derived UIDs, translated names)
EMBEDDED = {("legendSets", "legends"): "legends", ("dashboards", "dashboardItems"): "dashboard_items"}

#: keys a collection accepts that are not DHIS2 properties but shorthands expanded by ``analytics.py``
SHORTHAND = {
    "visualizations": ("data", "periods", "orgUnits", "orgUnitLevels", "columns", "rows", "filters", "legendSet",
                       "targetLine", "targetLineValue", "baseLineValue", "rangeAxisMinValue", "rangeAxisMaxValue",
                       "hideEmptyRowItems", "showData", "sortOrder", "topLimit", "percentStackedValues",
                       "cumulativeValues"),
    # the aggregate cell a program indicator feeds, "DATA_ELEMENT.OPTION+OPTION" -> aggregateExportCategoryOptionCombo
    "programIndicators": ("aggregateExport",),
}  # fmt: skip

#: (collection, property) holding a program rule expression: ``#{name}`` / ``A{name}`` name program rule
#: variables of the rule's program (DHIS2's own syntax; the variables' names are checked, not replaced)
RULE_EXPRESSIONS = {("programRules", "condition"), ("programRuleActions", "data")}
