"""Expressions: indicator numerators and denominators, validation rule sides, predictor generators and
skip tests, program indicator expressions and filters, program rule conditions.

DHIS2 stores every expression as text at import (no object bundle hook parses them), so nothing here is
an error: a formula that does not parse, or names an object this package does not carry, is a warning
(MCH005) saying what analytics, the validation run or the rule engine will make of it. The grammar is
``model/expressions.py``; what each item names:

    #{de} #{de.coc} #{de.coc.aoc} #{de.*}   data element and option combos (indicators, rules, predictors)
    #{stage.de}  A{tea}  V{variable}        in program indicators
    #{variable}  A{variable}                in program rule conditions: a program rule variable's name
    I{pi}  D{program.de}  A{program.tea}  OUG{group}  R{dataSet.METRIC}  C{constant}  N{indicator}
"""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model import expressions as grammar
from dhis2_mch.model import findings as f
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.types import BY_NAME
from dhis2_mch.validate.context import Context

REPORTING_METRICS = {"REPORTING_RATE", "REPORTING_RATE_ON_TIME", "ACTUAL_REPORTS", "ACTUAL_REPORTS_ON_TIME",
                     "EXPECTED_REPORTS"}  # fmt: skip

#: item prefix -> the types its dot-separated parts name, in aggregate expressions
AGGREGATE_PARTS = {
    "#": ("dataElement", "categoryOptionCombo", "categoryOptionCombo"),
    "I": ("programIndicator",),
    "D": ("program", "dataElement"),
    "OUG": ("organisationUnitGroup",),
    "C": ("constant",),
    "N": ("indicator",),
}
PROGRAM_PARTS = {"#": ("programStage", "dataElement"), "A": ("trackedEntityAttribute",), "C": ("constant",),
                 "I": ("programIndicator",), "D": ("program", "dataElement")}  # fmt: skip
AFTERMATH = {
    "indicator": "analytics shows the indicator empty",
    "validationRule": "the validation rule run skips or misjudges it",
    "predictor": "the predictor produces nothing",
    "programIndicator": "analytics shows the program indicator empty",
    "programRule": "the rule engine cannot evaluate the rule",
}


def _sources(ctx: Context) -> Iterator[tuple[str, object, str, str]]:
    """(type name, object, property shown, expression) for every expression in the package."""
    for plural, props in (("indicators", ("numerator", "denominator")), ("programIndicators", ("expression", "filter")),
                          ("programRules", ("condition",))):  # fmt: skip
        for obj in ctx.md.of(plural):
            if not isinstance(obj, Unparsed):
                for prop in props:
                    expr = getattr(obj, prop)
                    if isinstance(expr, str) and expr.strip():
                        yield BY_NAME[plural[:-1]].name, obj, prop, expr
    for plural, props in (("validationRules", ("leftSide", "rightSide")),
                          ("predictors", ("generator", "sampleSkipTest"))):  # fmt: skip
        for obj in ctx.md.of(plural):
            if not isinstance(obj, Unparsed):
                for prop in props:
                    side = getattr(obj, prop)
                    expr = getattr(side, "expression", None) if side is not None else None
                    if isinstance(expr, str) and expr.strip():
                        yield plural[:-1], obj, f"{prop}.expression", expr


def check(ctx: Context) -> Iterator[Finding]:
    variables: dict[str | None, set[str]] = {}
    for prv in ctx.md.of("programRuleVariables"):
        if isinstance(prv.name, str):
            variables.setdefault(prv.program.id if prv.program else None, set()).add(prv.name)
    for type_name, obj, prop, expr in _sources(ctx):
        mtype = BY_NAME[type_name]
        after = AFTERMATH[type_name]
        for problem in grammar.problems(expr):
            yield ctx.warning(
                f.BAD_EXPRESSION,
                mtype,
                obj,
                prop,
                f"`{_short(expr)}` does not parse: {problem}; DHIS2 stores it as it is and {after}",
            )
        if type_name == "programRule":
            program = getattr(obj, "program", None)
            known = variables.get(program.id if program else None, set())
            problems = _rule_problems(expr, known)
        elif type_name == "programIndicator":
            problems = _item_problems(ctx, expr, PROGRAM_PARTS, program_indicator=True)
        else:
            problems = _item_problems(ctx, expr, AGGREGATE_PARTS, program_indicator=False)
        for problem in problems:
            yield ctx.warning(f.BAD_EXPRESSION, mtype, obj, prop,
                              f"{problem} (DHIS2 does not check expressions at import; if the server has no such "
                              f"object {after})")  # fmt: skip


def _short(expr: str) -> str:
    expr = " ".join(expr.split())
    return expr if len(expr) <= 80 else expr[:77] + "..."


def _item_problems(ctx: Context, expr: str, table: dict, *, program_indicator: bool) -> Iterator[str]:
    for item in grammar.items(expr):
        parts, prefix = item.parts, item.prefix
        if prefix == "R":
            ds, _, metric = item.body.partition(".")
            if not ctx.resolves(ds, "dataSet"):
                yield f"`{item.text}` names no data set of this package"
            elif metric not in REPORTING_METRICS:
                yield f"`{item.text}`: `{metric}` is not a reporting metric ({', '.join(sorted(REPORTING_METRICS))})"
            continue
        if prefix == "V":
            continue  # program variables (V{event_date} ...) are DHIS2's own names
        if prefix == "A" and not program_indicator:
            parts = parts[-1:]  # A{program.tea} or A{tea}: the attribute is what must exist
            kinds: tuple[str, ...] = ("trackedEntityAttribute",)
        else:
            kinds = table.get(prefix, ())
        if not kinds:
            yield f"`{item.text}`: `{prefix}{{}}` is not an item of this kind of expression"
            continue
        if len(parts) > len(kinds):
            yield f"`{item.text}` has {len(parts)} parts; `{prefix}{{}}` takes at most {len(kinds)}"
            continue
        for i, (part, kind) in enumerate(zip(parts, kinds, strict=False)):
            if i > 0 and kind == "categoryOptionCombo" and part == "*":
                continue
            if not ctx.resolves(part, kind):
                yield f"`{item.text}` names no {kind} [{part}] of this package"


def _rule_problems(expr: str, known: set[str]) -> Iterator[str]:
    """Program rule conditions name program rule variables of the rule's program: #{name}, A{name}."""
    for item in grammar.items(expr):
        if item.prefix in ("#", "A") and item.body not in known:
            yield f"`{item.text}` names no program rule variable of the rule's program"
