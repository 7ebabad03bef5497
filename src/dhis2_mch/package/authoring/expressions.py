"""Codes inside indicator and program indicator expressions → UIDs.

``#{F1000_U2_UNDERWEIGHT.MCH_SEX_F}`` becomes ``#{<uid>.<option combo uid>}``; an option combo is
written as its option codes joined by ``+`` (any order) or ``default``. A part that is already a
UID (an object outside the package) is left for the validator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dhis2_mch.model import expressions as grammar
from dhis2_mch.model import findings as f
from dhis2_mch.model.expressions import Token
from dhis2_mch.model.types import DEFAULT_UIDS
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.package.authoring.combos import Combos

if TYPE_CHECKING:
    from dhis2_mch.package.authoring.compiler import Compiler, Raw


def resolve(compiler: Compiler, raw: Raw, key: str, expr: Any, cocs: Combos) -> Any:
    """``expr`` with every code replaced by its object's UID; unresolvable codes are reported."""
    if not isinstance(expr, str):
        return expr
    is_pi = raw.mtype.name == "programIndicator"

    def replace(m: Token) -> str:
        prefix, parts = m.group(1), m.group(2).strip().split(".")
        kinds: list[str | None] | None
        if prefix == "#" and is_pi:
            kinds = ["programStage", "dataElement"]
        else:
            table: dict[str, list[str | None]] = {
                "#": ["dataElement", "coc", "coc"], "I": ["programIndicator"], "D": ["program", "dataElement"],
                "OUG": ["organisationUnitGroup"], "N": ["indicator"], "R": ["dataSet", None], "C": ["constant"],
                "A": ["program", "trackedEntityAttribute"] if len(parts) == 2 else ["trackedEntityAttribute"],
            }  # fmt: skip
            kinds = table.get(prefix)
        if kinds is None:
            return m.group(0)
        resolved = []
        for i, part in enumerate(parts):
            kind = kinds[i] if i < len(kinds) else None
            if kind == "coc":
                resolved.append(_coc(compiler, raw, key, m.group(0), parts[0], part, cocs))
            elif kind is None:
                resolved.append(part)
            else:
                resolved.append(_code(compiler, raw, key, m.group(0), kind, part))
        return f"{prefix}{{{'.'.join(resolved)}}}"

    return grammar.sub(expr, replace)


def _code(compiler: Compiler, raw: Raw, key: str, token: str, kind: str, part: str) -> str:
    uid = compiler.uid_of(kind, part)
    if uid is not None:
        return uid
    if not is_valid_uid(part):
        compiler.error(raw, f.BAD_EXPRESSION, key, f"`{token}`: no {kind} has the code `{part}`", raw.where(key))
    return part  # a UID (of an object outside the package) is left for the validator


def _coc(compiler: Compiler, raw: Raw, key: str, token: str, de_code: str, part: str, cocs: Combos) -> str:
    """An option combo written as its option codes joined by ``+`` (any order), or ``default``."""
    if part == "*":
        return part
    if part == "default":
        return DEFAULT_UIDS["categoryOptionCombo"]
    de = compiler.index.get(("dataElement", de_code))
    combo_uid = (de.out.get("categoryCombo") or {}).get("id") if de else None
    found = cocs.by_options.get((combo_uid, frozenset(p.strip() for p in part.split("+"))))
    if found is not None:
        return found
    if not is_valid_uid(part):
        compiler.error(raw, f.BAD_EXPRESSION, key,
                       f"`{token}`: `{part}` is not an option combination of the data element's category combo "
                       f"(write the option codes joined by +, one per category)", raw.where(key))  # fmt: skip
    return part


def operand_combo(compiler: Compiler, raw: Raw, key: str, operand: Any, cocs: Combos) -> str | None:
    """The option combo UID of ``DATA_ELEMENT.OPTION+OPTION`` (the aggregate cell a program indicator feeds)."""
    parts = operand.split(".") if isinstance(operand, str) else []
    if len(parts) != 2 or compiler.index.get(("dataElement", parts[0])) is None:
        compiler.error(raw, f.BAD_VALUE, key, f"`{key}` must be DATA_ELEMENT_CODE.OPTION+OPTION naming a data "
                       f"element of the package, got `{operand}`", raw.where(key))  # fmt: skip
        return None
    return _coc(compiler, raw, key, operand, parts[0], parts[1], cocs)
