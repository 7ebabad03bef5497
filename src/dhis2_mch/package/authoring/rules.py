"""Program rule expressions: every variable they name must exist in the rule's program.

DHIS2's program rule syntax names program rule variables, not data elements: ``#{name}`` (a data
element or attribute variable), ``A{name}`` (an attribute variable), ``d2:hasValue('name')``. The
authoring format gives a variable its code as its name unless a name is written, so rules read
``#{F1000_PRV_WEIGHT}``. DHIS2 itself only finds a misspelt variable when the rule runs in a capture
app (it evaluates to nothing, silently: dhis2-rule-engine's ``RuleVariableValue`` map simply has no
entry); here it is an error with ``file:line`` at build time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import get_close_matches
from typing import TYPE_CHECKING

from dhis2_mch.model import findings as f
from dhis2_mch.package.authoring.tables import RULE_EXPRESSIONS

if TYPE_CHECKING:
    from dhis2_mch.package.authoring.compiler import Compiler, Raw

#: ``#{name}``, ``A{name}`` and the quoted variable of d2 functions taking a variable name
VARIABLE = re.compile(
    r"(?:[#A])\{([^{}]+)\}|d2:(?:hasValue|countIfValue|count|countIfZeroPos|lastEventDate)\(\s*'([^']+)'"
)


def check(compiler: Compiler) -> None:
    """Report rule conditions and action expressions that name no variable of their program."""
    names: dict[str | None, set[str]] = defaultdict(set)
    for raw in compiler.raws:
        if raw.mtype.name == "programRuleVariable" and isinstance(raw.out.get("name"), str):
            names[_program_of(raw)].add(raw.out["name"])
    for raw in compiler.raws:
        for key in [k for k in raw.out if (raw.mtype.plural, k) in RULE_EXPRESSIONS]:
            expr = raw.out[key]
            if not isinstance(expr, str):
                continue
            known = names.get(_program_of(raw), set())
            for m in VARIABLE.finditer(expr):
                name = (m.group(1) or m.group(2)).strip()
                if name not in known:
                    close = get_close_matches(name, sorted(known), n=1)
                    hint = f"; did you mean `{close[0]}`?" if close else ""
                    compiler.error(raw, f.BAD_EXPRESSION, key, f"`{m.group(0)}`: the program has no program rule "
                                   f"variable named `{name}`{hint}", raw.where(key))  # fmt: skip


def _program_of(raw: Raw) -> str | None:
    """The UID of the program a variable, rule or action (through its rule) belongs to."""
    node: Raw | None = raw
    while node is not None:
        program = node.out.get("program")
        if isinstance(program, dict):
            return program.get("id")
        node = node.parent
    return None
