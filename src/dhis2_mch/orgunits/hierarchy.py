"""Official units → DHIS2 organisationUnits: Việt Nam → province → commune (→ health station), and
the pre-reform units as a closed branch of their own.

Every unit carries its official code as DHIS2 ``code`` and its Vietnamese name; the UID is
``derive_uid("organisationUnit", code)`` (model/uid.py), so the same build is the same objects on
every instance and a second deploy changes nothing. DHIS2 computes ``path`` and ``level`` itself
(OrganisationUnit.updatePath/getLevel in dhis2-core), so they are not sent.

Why a closed branch under Việt Nam and not a second root: DHIS2 packages (and dhis2-mch's deploy)
resolve ``<OU_ROOT_UID>`` only on an instance with exactly one root, and national users' capture
and view roots then see history without a second assignment. The branch's codes carry the prefix
``PRE2025-`` and a letter for the level (``PRE2025-P15`` Yên Bái, ``PRE2025-D087`` Huyện Bảo Yên,
``PRE2025-X02947`` Thị trấn Phố Ràng), so they can never equal a post-reform code: all of those are
bare digits, and several were reused with another territory (15 was Yên Bái and is now Lào Cai;
02947 was Thị trấn Phố Ràng and is now Xã Bảo Yên). Names end in " (cũ)" ("former"), as Vietnamese
usage writes them, so a legacy unit and the new unit of the same name are told apart on screen.

Province 15 is not a continuing unit. New Lào Cai (15) took Yên Bái's code with a territory that was
two provinces, so it opens on 1 July 2025 like every new unit; pre-reform figures of the province
(the Lào Cai article's "by June 2024" totals) belong on old Lào Cai, ``PRE2025-P10``, and ``15``
read in a pre-reform period is Yên Bái (``resolve_legacy``).

DHIS2's data value import does not look at opening or closed dates (no such check in
DataValueSetImportValidator, 2.38–2.42); the data entry apps do, so a legacy unit is open from
LEGACY_OPENING (the register carries no founding dates: this is the earliest period historical
data may need, not a founding date) and closed on 30 June 2025.
"""

from __future__ import annotations

from collections.abc import Iterable

from dhis2_mch.errors import InputError
from dhis2_mch.model.objects import OrganisationUnit, Ref
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.orgunits import source
from dhis2_mch.orgunits.source import COMMUNE, DISTRICT, PROVINCE, Unit

# Dates as DHIS2 returns them from /api/organisationUnits, so a re-deploy compares equal.
OPENING = "2025-07-01T00:00:00.000"  # Nghị quyết 202/2025/QH15 and 1654–1687/NQ-UBTVQH15 take effect
CLOSED = "2025-06-30T00:00:00.000"
LEGACY_OPENING = "2000-01-01T00:00:00.000"
ROOT_OPENING = "1975-04-30T00:00:00.000"

ROOT_CODE, ROOT_NAME = "VN", "Việt Nam"
LEGACY_PREFIX = "PRE2025-"
LEGACY_ROOT_CODE = "PRE2025"
LEGACY_ROOT_NAME = "Đơn vị hành chính trước 1/7/2025"
LEGACY_ROOT_SHORT = "ĐVHC trước 1/7/2025"
LEGACY_SUFFIX = " (cũ)"
LEVEL_LETTER = {PROVINCE: "P", DISTRICT: "D", COMMUNE: "X"}
STATION_PREFIX = "TYT-"
SHORT_NAME_MAX = 50  # OrganisationUnit.shortName, hbm length 50


def uid(code: str) -> str:
    return derive_uid("organisationUnit", code)


def legacy_code(unit: Unit) -> str:
    return f"{LEGACY_PREFIX}{LEVEL_LETTER[unit.level]}{unit.code}"


def short_name(name: str) -> str:
    """``name`` within DHIS2's 50 characters, cut at a word boundary when it must be cut."""
    if len(name) <= SHORT_NAME_MAX:
        return name
    cut = name[: SHORT_NAME_MAX - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _unit(code: str, name: str, parent: str | None, opening: str, closed: str | None = None) -> OrganisationUnit:
    fields: dict = {"id": uid(code), "code": code, "name": name, "shortName": short_name(name), "openingDate": opening}
    if closed:
        fields["closedDate"] = closed
    if parent:
        fields["parent"] = Ref(id=uid(parent))
    return OrganisationUnit(**fields)


def root() -> OrganisationUnit:
    return _unit(ROOT_CODE, ROOT_NAME, None, ROOT_OPENING)


def province_codes(requested: Iterable[str]) -> list[str]:
    """The requested post-reform province codes, checked (``8`` → ``08``), in the order given."""
    provinces = source.current().provinces
    out: list[str] = []
    for raw in requested:
        code = raw.strip().zfill(2)
        if code not in provinces:
            known = ", ".join(f"{c} {u.name}" for c, u in sorted(provinces.items()))
            raise InputError(f"--province {raw}: not a province code of 1 July 2025. The 34 codes: {known}.")
        if code not in out:
            out.append(code)
    return out


def current_units(provinces: list[str], *, stations: bool = False) -> list[OrganisationUnit]:
    """Việt Nam, the provinces asked for, and every one of their communes (and health stations)."""
    cat = source.current()
    units = [root()]
    for p in provinces:
        units.append(_unit(p, cat.provinces[p].name, ROOT_CODE, OPENING))
        for commune in sorted((c for c in cat.communes.values() if c.parent == p), key=lambda c: c.code):
            units.append(_unit(commune.code, commune.name, p, OPENING))
            if stations:
                units.append(_unit(STATION_PREFIX + commune.code, station_name(commune), commune.code, OPENING))
    return units


def station_name(commune: Unit) -> str:
    """ "Trạm Y tế xã Hòa Thắng": the commune health station, its kind in lower case as written."""
    rest = commune.name[len(commune.kind) :].strip()
    return f"Trạm Y tế {commune.kind.lower()} {rest}"


def predecessor_provinces(provinces: list[str]) -> list[str]:
    """Pre-reform province codes whose communes went into these provinces (Lâm Đồng ← 60, 67, 68)."""
    new_communes = {c.code for c in source.current().communes.values() if c.parent in provinces}
    old = source.legacy()
    found: set[str] = set()
    for s in source.successors():
        if s.new in new_communes:
            unit = old.communes.get(s.old) or old.districts[s.old]
            district = old.districts[unit.parent] if unit.level == COMMUNE and unit.parent else unit
            found.add(district.parent or "")
    return sorted(found - {""})


def legacy_units(old_provinces: list[str]) -> list[OrganisationUnit]:
    """The closed pre-reform branch: its container, then province → district → commune."""
    old = source.legacy()
    units = [
        OrganisationUnit(
            id=uid(LEGACY_ROOT_CODE), code=LEGACY_ROOT_CODE, name=LEGACY_ROOT_NAME, shortName=LEGACY_ROOT_SHORT,
            openingDate=LEGACY_OPENING, closedDate=CLOSED, parent=Ref(id=uid(ROOT_CODE)),
        )
    ]  # fmt: skip
    for p in old_provinces:
        province = old.provinces[p]
        units.append(_legacy(province, LEGACY_ROOT_CODE))
        for district in sorted((d for d in old.districts.values() if d.parent == p), key=lambda d: d.code):
            units.append(_legacy(district, legacy_code(province)))
            communes = sorted((c for c in old.communes.values() if c.parent == district.code), key=lambda c: c.code)
            units += [_legacy(c, legacy_code(district)) for c in communes]
    return units


def _legacy(unit: Unit, parent_code: str) -> OrganisationUnit:
    return _unit(legacy_code(unit), unit.name + LEGACY_SUFFIX, parent_code, LEGACY_OPENING, CLOSED)
