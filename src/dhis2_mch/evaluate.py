"""Offline evaluation of the package's indicators and validation rules on a values file.

The sandbox has no analytics, so nothing else computes an indicator before a real DHIS2 does. This
evaluates the compiled expressions (UIDs, as DHIS2 stores them) on the long-format values a push reads,
for one org unit and one period, with DHIS2's semantics:

* ``#{de}`` is the data element's total over its option combos, ``#{de.coc}`` one cell, ``#{de.*}`` the
  total; ``C{constant}`` the constant's value; ``OUG{group}`` the number of the group's members (given,
  since members are per-instance data); ``if(test, a, b)``, arithmetic and comparisons;
* an indicator is ``numerator / denominator * factor`` (IndicatorType), rounded to its ``decimals``;
  an expression whose items are all missing has no value, a missing item next to present ones counts
  as 0 (dhis2-core ``DataHandler`` / ``ExpressionService`` with ``MissingValueStrategy``
  SKIP_IF_ALL_VALUES_MISSING, the indicator default);
* a validation rule compares its two sides with its operator, skipping as its sides'
  ``missingValueStrategy`` say (NEVER_SKIP, SKIP_IF_ANY_VALUE_MISSING, SKIP_IF_ALL_VALUES_MISSING).

Aggregation over periods or org units is not done: values are read at the org unit and period asked.
"""

from __future__ import annotations

import ast
import csv
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dhis2_mch.errors import InputError
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import (
    CategoryOptionCombo,
    Constant,
    DataElement,
    IdentifiableObject,
    Indicator,
    IndicatorType,
    ValidationRule,
)  # fmt: skip

DEFAULT_COC = "HllvX50cXC0"
ITEM = re.compile(r"(#|C|OUG)\{([^{}]*)\}")
OPERATORS = {
    "equal_to": operator.eq, "not_equal_to": operator.ne, "greater_than": operator.gt,
    "greater_than_or_equal_to": operator.ge, "less_than": operator.lt, "less_than_or_equal_to": operator.le,
}  # fmt: skip
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Eq: operator.eq, ast.NotEq: operator.ne}  # fmt: skip


@dataclass(frozen=True)
class Violation:
    """A validation rule whose sides do not compare as it requires."""

    rule: str
    left: float
    operator: str
    right: float


@dataclass
class Values:
    """Values by (org unit, period) → {(data element UID, option combo UID): number}."""

    cells: dict[tuple[str, str], dict[tuple[str, str], float]] = field(default_factory=dict)


class Evaluator:
    """Indicators and validation rules of one compiled package, evaluated on given values."""

    def __init__(self, md: Metadata, groups: Mapping[str, int] | None = None) -> None:
        self.md = md
        objs = {o.id: o for _, o in md.items()}
        self.by_code: dict[tuple[str, str], IdentifiableObject] = {(t.name, o.code): o for t, o in md.items() if o.code}
        self.constants = {o.id: float(o.value) for o in md.of(Constant) if o.id and o.value is not None}
        self.factors = {t.id: (t.factor or 1) for t in md.of(IndicatorType) if t.id}
        #: org unit group UID -> member count (members are per-instance, so the caller says how many)
        self.groups = {self.uid("organisationUnitGroup", code): n for code, n in (groups or {}).items()}
        self.combos: dict[tuple[str, frozenset[str]], str] = {}
        for coc in md.of(CategoryOptionCombo):
            options = frozenset(objs[r.id].code or "" for r in coc.categoryOptions or [] if r.id in objs)
            if coc.categoryCombo and coc.categoryCombo.id and coc.id:
                self.combos[(coc.categoryCombo.id, options)] = coc.id

    def uid(self, type_name: str, code: str) -> str:
        obj = self.by_code.get((type_name, code))
        if obj is None or obj.id is None:
            raise InputError(f"no {type_name} has the code `{code}` in the package.")
        return obj.id

    # ---- values ---------------------------------------------------------------------------------------

    def read_values(self, path: Path) -> Values:
        """The long-format values file the pusher reads (orgUnit, period, dataElement, categoryOptionCombo, value)."""
        values = Values()
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise InputError(f"{path}: cannot read the values file ({exc.strerror or exc}).") from None
        for number, row in enumerate(rows, start=2):
            de = self.by_code.get(("dataElement", row.get("dataElement", "")))
            if not isinstance(de, DataElement) or de.id is None:
                raise InputError(f"{path}:{number}: column dataElement: no data element has the code "
                                 f"`{row.get('dataElement')}`.")  # fmt: skip
            coc = self._combo(de, row.get("categoryOptionCombo") or "default")
            if coc is None:
                raise InputError(f"{path}:{number}: column categoryOptionCombo: `{row.get('categoryOptionCombo')}` "
                                 f"is not an option combination of {de.code}.")  # fmt: skip
            try:
                number_value = float(row["value"])
            except (TypeError, ValueError):
                raise InputError(f"{path}:{number}: column value: `{row.get('value')}` is not a number.") from None
            values.cells.setdefault((row["orgUnit"], row["period"]), {})[(de.id, coc)] = number_value
        return values

    def _combo(self, de: DataElement, written: str) -> str | None:
        if written == "default":
            return DEFAULT_COC
        combo = de.categoryCombo.id if de.categoryCombo else None
        return self.combos.get((combo or "", frozenset(p.strip() for p in written.split("+"))))

    # ---- expressions -------------------------------------------------------------------------------------

    def expression(self, text: str, cells: Mapping[tuple[str, str], float]) -> tuple[float | None, int, int]:
        """(value, items present, items in all) of a compiled expression on one org unit-period's cells."""
        present = total = 0

        def item(m: re.Match) -> str:
            nonlocal present, total
            kind, ref = m.group(1), m.group(2)
            if kind == "C":
                return repr(self.constants.get(ref, 0.0))
            if kind == "OUG":
                return repr(float(self.groups.get(ref, 0)))
            total += 1
            de, _, coc = ref.partition(".")
            found = [v for (d, c), v in cells.items() if d == de and (coc in ("", "*") or c == coc)]
            if found:
                present += 1
            return repr(sum(found))

        source = ITEM.sub(item, text)
        try:
            value = _evaluate(ast.parse(_python(source), mode="eval").body)
        except ZeroDivisionError:
            value = None
        return value, present, total

    def indicator(self, code: str, values: Values, org_unit: str, period: str) -> float | None:
        """The value DHIS2's analytics would show for the indicator at the org unit and period."""
        ind = self.by_code.get(("indicator", code))
        if not isinstance(ind, Indicator):
            raise InputError(f"no indicator has the code `{code}` in the package.")
        cells = values.cells.get((org_unit, period), {})
        num, num_present, num_items = self.expression(ind.numerator or "0", cells)
        den, den_present, den_items = self.expression(ind.denominator or "1", cells)
        if (num_items and not num_present) or (den_items and not den_present) or num is None or not den:
            return None
        factor = self.factors.get(ind.indicatorType.id or "", 1) if ind.indicatorType else 1
        value = num / den * factor
        return round(value, ind.decimals) if ind.decimals is not None else value

    def validate(self, values: Values, org_unit: str, period: str, period_type: str) -> list[Violation]:
        """Violations of the package's validation rules of ``period_type`` at the org unit and period."""
        cells = values.cells.get((org_unit, period), {})
        out = []
        for rule in self.md.of(ValidationRule):
            if rule.periodType != period_type or rule.leftSide is None or rule.rightSide is None:
                continue
            sides = []
            for side in (rule.leftSide, rule.rightSide):
                value, present, items = self.expression(side.expression or "0", cells)
                strategy = side.missingValueStrategy or "SKIP_IF_ALL_VALUES_MISSING"
                skip = (strategy == "SKIP_IF_ANY_VALUE_MISSING" and present < items) or (
                    strategy == "SKIP_IF_ALL_VALUES_MISSING" and items and not present
                )
                sides.append(None if skip else value)
            left, right = sides
            if left is None or right is None:
                continue
            if not OPERATORS[rule.operator or "equal_to"](left, right):
                out.append(Violation(rule.code or rule.id or "", left, rule.operator or "", right))
        return out


def _python(source: str) -> str:
    """DHIS2's expression syntax as a Python expression (``&&``, ``||``, ``!``, ``if(`` → a call)."""
    text = source.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"\bif\s*\(", "_if(", text)  # `if` is a Python keyword
    return re.sub(r"!(?!=)", " not ", text)


def _evaluate(node: ast.AST) -> float:
    """A small, closed arithmetic evaluator: numbers, + - * /, comparisons, and/or/not, if()."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return float(not _evaluate(node.operand))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        return float(_COMPARE[type(node.ops[0])](_evaluate(node.left), _evaluate(node.comparators[0])))
    if isinstance(node, ast.BoolOp):
        results = [_evaluate(v) for v in node.values]
        return float(all(results) if isinstance(node.op, ast.And) else any(results))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_if" and len(node.args) == 3:
        return _evaluate(node.args[1]) if _evaluate(node.args[0]) else _evaluate(node.args[2])
    raise InputError(f"expression part `{ast.unparse(node)}` is not supported by the offline evaluator.")


def report(md: Metadata, path: Path, org_unit: str, period: str, groups: Mapping[str, int] | None = None) -> dict:
    """Every indicator with a value and every broken validation rule at ``org_unit`` and ``period``."""
    from dhis2_mch.model.periods import parse_period

    parsed = parse_period(period)
    if parsed is None:
        raise InputError(f"period `{period}`: not a DHIS2 period (202406, 2024Q2, 2024S1, 2024 ...).")
    evaluator = Evaluator(md, groups)
    values = evaluator.read_values(path)
    indicators = {}
    for ind in md.of(Indicator):
        value = evaluator.indicator(ind.code or "", values, org_unit, period) if ind.code else None
        if value is not None:
            indicators[ind.code] = value
    violations = evaluator.validate(values, org_unit, period, parsed.type)
    return {"orgUnit": org_unit, "period": period, "indicators": indicators,
            "violations": [vars(v) for v in violations]}  # fmt: skip
