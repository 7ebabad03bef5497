"""Indicator and program indicator expressions: every object they name must exist.

DHIS2 stores an expression as text and only finds a dangling ``#{uid}`` when analytics runs, months
later, as a silently empty indicator. Here each reference is resolved against the package and
DHIS2's default category model:

    #{de} #{de.coc} #{de.coc.aoc} #{de.*}   data element (and option combos)
    I{pi}   program indicator        D{program.de}   program data element
    A{program.tea} / A{tea}          OUG{group}      organisation unit group (count)
    R{dataSet.METRIC}  reporting rate   C{constant}  N{indicator}
    in program indicators: #{stage.de}, A{tea}, V{variable}
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dhis2_mch.model import findings as f
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.types import BY_NAME
from dhis2_mch.validate.context import Context

TOKEN = re.compile(r"(#|[A-Z]{1,3})\{([^{}]*)\}")
REPORTING_METRICS = {"REPORTING_RATE", "REPORTING_RATE_ON_TIME", "ACTUAL_REPORTS", "ACTUAL_REPORTS_ON_TIME",
                     "EXPECTED_REPORTS"}  # fmt: skip
PROGRAM_VARIABLES_PREFIX = "V"

# token prefix -> the types its dot-separated parts name, for indicators ("*" allowed in option combo parts)
INDICATOR_PARTS = {
    "#": ("dataElement", "categoryOptionCombo", "categoryOptionCombo"),
    "I": ("programIndicator",),
    "D": ("program", "dataElement"),
    "OUG": ("organisationUnitGroup",),
    "C": ("constant",),
    "N": ("indicator",),
}


def check(ctx: Context) -> Iterator[Finding]:
    ind_t = BY_NAME["indicator"]
    for ind in ctx.md.of("indicators"):
        if isinstance(ind, Unparsed):
            continue
        for prop in ("numerator", "denominator"):
            expr = getattr(ind, prop)
            if isinstance(expr, str):
                for problem in indicator_problems(ctx, expr):
                    yield ctx.error(f.BAD_EXPRESSION, ind_t, ind, prop, problem)
    pi_t = BY_NAME["programIndicator"]
    for pi in ctx.md.of("programIndicators"):
        if isinstance(pi, Unparsed):
            continue
        for prop in ("expression", "filter"):
            expr = getattr(pi, prop)
            if isinstance(expr, str):
                for problem in program_indicator_problems(ctx, expr):
                    yield ctx.error(f.BAD_EXPRESSION, pi_t, pi, prop, problem)


def _structure(expr: str) -> Iterator[str]:
    rest = TOKEN.sub("0", expr)
    if "{" in rest or "}" in rest:
        yield f"unbalanced or misplaced braces in `{expr.strip()}`"
    depth = 0
    for ch in rest:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        yield f"unbalanced parentheses in `{expr.strip()}`"


def indicator_problems(ctx: Context, expr: str) -> Iterator[str]:
    yield from _structure(expr)
    for m in TOKEN.finditer(expr):
        prefix, body = m.group(1), m.group(2).strip()
        if prefix == "R":
            ds, _, metric = body.partition(".")
            if not ctx.resolves(ds, "dataSet"):
                yield f"`{m.group(0)}` names no data set of this package"
            elif metric not in REPORTING_METRICS:
                yield f"`{m.group(0)}`: unknown reporting metric `{metric}`"
            continue
        if prefix == "A":
            *parts, tea = body.split(".")
            if not ctx.resolves(tea, "trackedEntityAttribute"):
                yield f"`{m.group(0)}` names no tracked entity attribute of this package"
            continue
        kinds = INDICATOR_PARTS.get(prefix)
        if kinds is None:
            yield f"`{m.group(0)}`: unknown expression item `{prefix}{{}}`"
            continue
        parts = body.split(".")
        if len(parts) > len(kinds):
            yield f"`{m.group(0)}` has too many parts for `{prefix}{{}}`"
            continue
        yield from _resolve_parts(ctx, m.group(0), parts, kinds)


def _resolve_parts(ctx: Context, token: str, parts: list[str], kinds: tuple[str, ...]) -> Iterator[str]:
    for i, (part, kind) in enumerate(zip(parts, kinds, strict=False)):
        if i > 0 and kind == "categoryOptionCombo" and part == "*":
            continue
        if kind == "constant" and part not in ctx.index:
            yield f"`{token}` names no constant of this package"
            continue
        if kind != "constant" and not ctx.resolves(part, kind):
            yield f"`{token}` names no {kind} `{part}` in this package"


def program_indicator_problems(ctx: Context, expr: str) -> Iterator[str]:
    yield from _structure(expr)
    for m in TOKEN.finditer(expr):
        prefix, body = m.group(1), m.group(2).strip()
        if prefix == "#":
            parts = body.split(".")
            if len(parts) != 2:
                yield f"`{m.group(0)}` must be #{{programStage.dataElement}}"
                continue
            yield from _resolve_parts(ctx, m.group(0), parts, ("programStage", "dataElement"))
        elif prefix == "A" and not ctx.resolves(body, "trackedEntityAttribute"):
            yield f"`{m.group(0)}` names no tracked entity attribute of this package"
        elif prefix == "C" and body not in ctx.index:
            yield f"`{m.group(0)}` names no constant of this package"
