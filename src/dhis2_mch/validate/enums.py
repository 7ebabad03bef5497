"""Enumerated properties must hold a value the target DHIS2 version knows: Jackson reads a Java enum
by its exact constant name and fails the whole payload on any other text (``EnumDeserializer``,
``READ_UNKNOWN_ENUM_VALUES_AS_NULL`` and ``ACCEPT_CASE_INSENSITIVE_ENUMS`` off in
``JacksonObjectMapperConfig``)."""

from __future__ import annotations

from collections.abc import Iterator
from difflib import get_close_matches

from dhis2_mch.model import enums
from dhis2_mch.model import findings as f
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.validate.context import Context

# property -> allowed values for a version; checked on every typed object that has the property
ALLOWED = {
    "valueType": enums.value_types,
    "aggregationType": enums.aggregation_types,
    "domainType": lambda _v: enums.DOMAIN_TYPES,
    "periodType": enums.period_types,
    "programType": lambda _v: enums.PROGRAM_TYPES,
    "dataDimensionType": lambda _v: enums.DATA_DIMENSION_TYPES,
    "programRuleActionType": lambda _v: enums.PROGRAM_RULE_ACTION_TYPES,
    "programRuleVariableSourceType": lambda _v: enums.PROGRAM_RULE_VARIABLE_SOURCES,
    "operator": lambda _v: enums.OPERATORS,
    "importance": lambda _v: enums.IMPORTANCES,
    "organisationUnitDescendants": lambda _v: enums.ORGANISATION_UNIT_DESCENDANTS,
}


def check(ctx: Context) -> Iterator[Finding]:
    allowed = {prop: sorted(fn(ctx.version)) for prop, fn in ALLOWED.items()}
    props_of: dict[type, list[str]] = {}
    for mtype, obj in ctx.md.items():
        if isinstance(obj, Unparsed):
            continue
        klass = type(obj)
        if klass not in props_of:
            props_of[klass] = [p for p in allowed if p in klass.model_fields]
        for prop in props_of[klass]:
            values = allowed[prop]
            value = getattr(obj, prop)
            if value is not None and value not in values:
                by_upper = {v.upper(): v for v in values}
                close = get_close_matches(str(value).upper(), list(by_upper), n=1, cutoff=0.6)
                hint = f"; did you mean {by_upper[close[0]]}?" if close else f"; one of {', '.join(values)}"
                version = ".".join(map(str, ctx.version))
                yield ctx.error(
                    f.UNKNOWN_ENUM, mtype, obj, prop, f"`{value}` is not a {prop} DHIS2 {version} knows{hint}"
                )
