"""Pre-reform rows on pre-reform units: ``resolve_legacy(code, period)`` and the old → new table.

A value is keyed by an org unit code and a period. Codes of the two registers overlap with
different meanings: province 15 was Yên Bái until 30 June 2025 and is Lào Cai since; a new
commune inherited the code of one of the communes it absorbed (02947 was Thị trấn Phố Ràng, now
Xã Bảo Yên, a larger territory). A bare code is therefore read in the register in force during
its period: a period that ends by 30 June 2025 names a pre-reform unit, and the value goes to
that unit's legacy copy (``PRE2025-…``), never to the new unit that reuses the code. A period
that straddles 1 July 2025 (the year 2025, a quarter such as 2025Q3 does not) cannot be placed
on either register and is refused.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from dhis2_mch.errors import InputError
from dhis2_mch.model.periods import parse_period
from dhis2_mch.orgunits import source
from dhis2_mch.orgunits.hierarchy import LEGACY_PREFIX, LEVEL_LETTER, legacy_code
from dhis2_mch.orgunits.source import COMMUNE, DISTRICT, PROVINCE, Unit

REFORM = date(2025, 7, 1)
_BY_DIGITS = {2: PROVINCE, 3: DISTRICT, 5: COMMUNE}
#: Excel drops the leading zeros of a code typed as a number (``02947`` → ``2947``)
LEADING_ZERO = "Excel drops the leading zero of a code typed as a number: format the column as Text"

MAPPING_COLUMNS = (
    "old_code", "legacy_code", "old_name", "old_district", "old_province",
    "new_code", "new_name", "new_province", "divided", "default", "merged",
)  # fmt: skip


class LegacyCodeError(InputError):
    """A code that cannot be placed for its period (unknown before the reform, or a straddling period)."""


def legacy_unit(code: str) -> Unit | None:
    """The pre-reform unit behind a legacy code (``PRE2025-X02947``) or a bare old code (``02947``)."""
    old = source.legacy()
    if code.startswith(LEGACY_PREFIX):
        rest = code[len(LEGACY_PREFIX) :]
        level = next((lv for lv, letter in LEVEL_LETTER.items() if rest[:1] == letter), None)
        table = {PROVINCE: old.provinces, DISTRICT: old.districts, COMMUNE: old.communes}.get(level or "", {})
        return table.get(rest[1:])
    level = _BY_DIGITS.get(len(code)) if code.isdigit() else None
    return {PROVINCE: old.provinces, DISTRICT: old.districts, COMMUNE: old.communes}.get(level or "", {}).get(code)


def padded(code: str) -> list[Unit]:
    """The pre-reform units a code that lost its leading zeros in Excel may have been: ``2947`` → commune
    02947, ``1`` → commune 00001, district 001 or province 01. A text that starts with 0 lost nothing."""
    if not code.isdigit() or code.startswith("0"):
        return []
    return [u for w in sorted(_BY_DIGITS, reverse=True) if len(code) < w and (u := legacy_unit(code.zfill(w)))]


def _did_you_mean(code: str, *, now: bool = False) -> str:
    """``; did you mean `02947` (Thị trấn Phố Ràng, PRE2025-X02947)? (Excel ...)``, or nothing; ``now``: with
    what the code names today, as ``refuse_bare`` says it."""
    near = padded(code)
    if not near:
        return ""
    current = source.current()

    def show(u: Unit) -> str:
        if not now:
            return f"`{u.code}` ({u.name}, {legacy_code(u)})"
        today = current.unit(u.code)
        now_ = f" and is {today.name} now" if today else ""
        return f"`{u.code}`, which was {u.name} ({legacy_code(u)}) then{now_}"

    return f"; did you mean {' or '.join(show(u) for u in near)}? ({LEADING_ZERO})"


def resolve_legacy(code: str, period: str) -> str:
    """The org unit code a value for ``period`` keyed ``code`` belongs to.

    - ``PRE2025-…`` codes are returned as given (checked against the register);
    - bare official codes for periods ending by 30 June 2025 → the legacy unit's code;
    - periods from 1 July 2025, UIDs, names and unparsable periods → ``code`` unchanged (the push's
      own checks judge those);
    - a period spanning 1 July 2025, or a bare code no unit had before it → LegacyCodeError.
    """
    code = code.strip()
    if code.startswith(LEGACY_PREFIX):
        if legacy_unit(code) is None:
            raise LegacyCodeError(f"orgUnit {code}: no pre-reform unit has this legacy code.")
        return code
    p = parse_period(period.strip()) if period else None
    if not code.isdigit() or p is None or p.start >= REFORM:
        return code
    if p.end >= REFORM:
        raise LegacyCodeError(
            f"orgUnit {code}, period {period}: the period spans the reform of 1 July 2025, when districts were "
            "abolished and communes merged, so its values belong to no single unit. Report the months up to "
            "June 2025 on the pre-reform unit and those from July 2025 on the new one."
        )
    unit = legacy_unit(code)
    if unit is None:
        new = source.current().unit(code)
        also = f" (since 1 July 2025, {code} is {new.name})" if new else ""
        raise LegacyCodeError(
            f"orgUnit {code}, period {period}: no administrative unit had code {code} before 1 July 2025{also}"
            f"{_did_you_mean(code)}. "
            f"Values for periods before the reform go on the unit that existed then: give its pre-reform code, "
            f"or its legacy code {LEGACY_PREFIX}<P|D|X><code>."
        )
    return legacy_code(unit)


#: how a caller chooses what a bare code of a period before the reform means (push's options, sync's key)
PUSH_CHOICES = (
    "push with --pre-reform (codes as they were before the reform) or --current-units (today's unit, deliberately)"
)


def refuse_bare(code: str, period: str, choices: str = PUSH_CHOICES) -> str:
    """The default: a bare official code for a period that ends by 30 June 2025 (or spans 1 July 2025) is
    ambiguous, since codes were reused by the reform, so it is refused, naming both meanings. UIDs, names,
    ``PRE2025-`` codes and periods from 1 July 2025 are returned unchanged (resolved like any code)."""
    code = code.strip()
    p = parse_period(period.strip()) if period else None
    if not code.isdigit() or p is None or p.start >= REFORM:
        return code
    old, new = legacy_unit(code), source.current().unit(code)
    then = f"was {old.name} ({legacy_code(old)})" if old else "named no unit"
    now = f"is {new.name} now" if new else "names no unit now"
    when = "spans" if p.end >= REFORM else "is before"
    near = padded(code) if old is None and new is None else []
    example = legacy_code(old) if old else " or ".join(legacy_code(u) for u in near) or LEGACY_PREFIX + "P…"
    write = (
        f"write the pre-reform unit's code ({example})"
        if p.end < REFORM
        else "report the months up to June 2025 and those from July 2025 as separate periods"
    )
    hint = _did_you_mean(code, now=True) if near else ""
    raise LegacyCodeError(
        f"period {period} {when} the 1 July 2025 reform: code {code} {then} then and {now}{hint}; {write}, or {choices}"
    )


def mapping(old_provinces: list[str] | None = None) -> list[dict[str, str]]:
    """The old → new table, one row per (old unit, new unit) pair, for the given old provinces (all if None)."""
    old, new = source.legacy(), source.current()
    rows = []
    for s in source.successors():
        unit = old.communes.get(s.old) or old.districts[s.old]
        district = old.districts[unit.parent] if unit.level == COMMUNE and unit.parent else unit
        province = old.provinces[district.parent or ""]
        if old_provinces is not None and province.code not in old_provinces:
            continue
        successor = new.communes[s.new]
        rows.append(
            {
                "old_code": unit.code, "legacy_code": legacy_code(unit), "old_name": unit.name,
                "old_district": district.name if unit.level == COMMUNE else "", "old_province": province.name,
                "new_code": successor.code, "new_name": successor.name,
                "new_province": new.provinces[successor.parent or ""].name,
                "divided": _flag(s.divided), "default": _flag(s.default), "merged": _flag(s.merged),
            }
        )  # fmt: skip
    return rows


def _flag(value: bool) -> str:
    return "true" if value else "false"


def write_mapping(rows: list[dict[str, str]], path: Path) -> Path:
    """The table as CSV (UTF-8 with BOM, so Excel on Vietnamese Windows opens it readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=MAPPING_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)
    return path
