"""Commune names typed in a workbook → org units of the mapping's province, on the instance.

The province (``within:``, its code or UID) is looked up on the server, then every unit below it in
one request; ``data.names`` decides which unit each written name is (never a unit of another
province). Ambiguous and unknown names get no UID: the preflight rejects their rows, with the reason
from here (the closest names).
"""

from __future__ import annotations

from dhis2_mch.data.names import NameIndex, NameMatch, Unit
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.errors import InputError
from dhis2_mch.model.uid import is_valid_uid


def match_names(
    conn: Connection, names: list[str], within: str
) -> tuple[dict[str, str], dict[str, tuple[str | None, str | None]], dict[str, NameMatch]]:
    """(name → UID for exact matches, UID → (code, name) of the province's units, name → its match)."""
    found = api.org_units(conn, codes=[within], ids=[within] if is_valid_uid(within) else [])
    if not found:
        raise InputError(
            f"{conn.where} has no organisation unit `{within}` (the province a mapping's `within:` names)."
        )
    province = found[0]
    units = api.org_units_within(conn, province.id)
    index = NameIndex([Unit(u.code or u.id, u.name or "", province.id, u.id) for u in units if u.id != province.id])
    matches = {name: index.match(name, province.id) for name in names}
    uids = {n: m.unit.uid for n, m in matches.items() if m.status == "exact" and m.unit and m.unit.uid}
    return uids, {u.id: (u.code, u.name) for u in units}, matches
