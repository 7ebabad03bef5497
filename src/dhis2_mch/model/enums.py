"""DHIS2 enumerations, per version (dhis2-core dhis-api ValueType.java,
AggregationType.java, PeriodTypeEnum). The model keeps these properties as plain strings so that a
real export with a value we do not know still loads; the validator judges them against these sets."""

from __future__ import annotations

VALUE_TYPES = frozenset(
    {
        "TEXT", "LONG_TEXT", "MULTI_TEXT", "LETTER", "PHONE_NUMBER", "EMAIL", "BOOLEAN", "TRUE_ONLY",
        "DATE", "DATETIME", "TIME", "NUMBER", "UNIT_INTERVAL", "PERCENTAGE", "INTEGER",
        "INTEGER_POSITIVE", "INTEGER_NEGATIVE", "INTEGER_ZERO_OR_POSITIVE", "TRACKER_ASSOCIATE",
        "USERNAME", "COORDINATE", "ORGANISATION_UNIT", "REFERENCE", "AGE", "URL", "FILE_RESOURCE",
        "IMAGE", "GEOJSON",
    }
)  # fmt: skip
NUMERIC_VALUE_TYPES = frozenset(
    {
        "NUMBER", "UNIT_INTERVAL", "PERCENTAGE", "INTEGER", "INTEGER_POSITIVE", "INTEGER_NEGATIVE",
        "INTEGER_ZERO_OR_POSITIVE",
    }
)  # fmt: skip

AGGREGATION_TYPES = frozenset(
    {
        "SUM", "AVERAGE", "AVERAGE_SUM_ORG_UNIT", "LAST", "LAST_AVERAGE_ORG_UNIT", "LAST_LAST_ORG_UNIT",
        "LAST_IN_PERIOD", "LAST_IN_PERIOD_AVERAGE_ORG_UNIT", "FIRST", "FIRST_AVERAGE_ORG_UNIT",
        "FIRST_FIRST_ORG_UNIT", "COUNT", "STDDEV", "VARIANCE", "MIN", "MAX", "NONE", "CUSTOM", "DEFAULT",
        "MIN_SUM_ORG_UNIT", "MAX_SUM_ORG_UNIT",
    }
)  # fmt: skip

DOMAIN_TYPES = frozenset({"AGGREGATE", "TRACKER"})

PERIOD_TYPES = frozenset(
    {
        "Daily", "Weekly", "WeeklyWednesday", "WeeklyThursday", "WeeklySaturday", "WeeklySunday",
        "BiWeekly", "Monthly", "BiMonthly", "Quarterly", "QuarterlyNov", "SixMonthly", "SixMonthlyApril",
        "SixMonthlyNov", "Yearly", "FinancialApril", "FinancialJuly", "FinancialOct", "FinancialNov",
        "FinancialSep",
    }
)  # fmt: skip

PROGRAM_TYPES = frozenset({"WITH_REGISTRATION", "WITHOUT_REGISTRATION"})
DATA_DIMENSION_TYPES = frozenset({"DISAGGREGATION", "ATTRIBUTE"})


def value_types(version: tuple[int, int]) -> frozenset[str]:
    """MULTI_TEXT arrived in 2.39."""
    return VALUE_TYPES if version >= (2, 39) else VALUE_TYPES - {"MULTI_TEXT"}


def aggregation_types(version: tuple[int, int]) -> frozenset[str]:
    """MIN_SUM_ORG_UNIT and MAX_SUM_ORG_UNIT arrived in 2.40."""
    if version >= (2, 40):
        return AGGREGATION_TYPES
    return AGGREGATION_TYPES - {"MIN_SUM_ORG_UNIT", "MAX_SUM_ORG_UNIT"}


def period_types(version: tuple[int, int]) -> frozenset[str]:
    """FinancialSep arrived in 2.42."""
    return PERIOD_TYPES if version >= (2, 42) else PERIOD_TYPES - {"FinancialSep"}


# Program rules, validation rules and predictors (dhis2-core dhis-api: ProgramRuleActionType,
# ProgramRuleVariableSourceType, expression.Operator, validation.Importance, OrganisationUnitDescendants,
# expression.MissingValueStrategy; the same constants in 2.36 through 2.42).
PROGRAM_RULE_ACTION_TYPES = frozenset(
    {
        "DISPLAYTEXT", "DISPLAYKEYVALUEPAIR", "HIDEFIELD", "HIDESECTION", "HIDEPROGRAMSTAGE", "ASSIGN",
        "SHOWWARNING", "WARNINGONCOMPLETE", "SHOWERROR", "ERRORONCOMPLETE", "CREATEEVENT", "SETMANDATORYFIELD",
        "SENDMESSAGE", "SCHEDULEMESSAGE", "HIDEOPTION", "SHOWOPTIONGROUP", "HIDEOPTIONGROUP",
    }
)  # fmt: skip
#: ProgramRuleVariableSourceType.getDataTypes() / getAttributeTypes()
PROGRAM_RULE_VARIABLE_DATA_SOURCES = frozenset(
    {"DATAELEMENT_NEWEST_EVENT_PROGRAM_STAGE", "DATAELEMENT_NEWEST_EVENT_PROGRAM", "DATAELEMENT_CURRENT_EVENT",
     "DATAELEMENT_PREVIOUS_EVENT"}
)  # fmt: skip
PROGRAM_RULE_VARIABLE_SOURCES = PROGRAM_RULE_VARIABLE_DATA_SOURCES | {"CALCULATED_VALUE", "TEI_ATTRIBUTE"}
OPERATORS = frozenset(
    {"equal_to", "not_equal_to", "greater_than", "greater_than_or_equal_to", "less_than", "less_than_or_equal_to",
     "compulsory_pair", "exclusive_pair"}
)  # fmt: skip
IMPORTANCES = frozenset({"HIGH", "MEDIUM", "LOW"})
ORGANISATION_UNIT_DESCENDANTS = frozenset({"SELECTED", "DESCENDANTS"})
MISSING_VALUE_STRATEGIES = frozenset({"SKIP_IF_ANY_VALUE_MISSING", "SKIP_IF_ALL_VALUES_MISSING", "NEVER_SKIP"})
