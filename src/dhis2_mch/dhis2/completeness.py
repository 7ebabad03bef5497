"""``POST /api/completeDataSetRegistrations``: mark a data set complete for an org unit and period.

Payload and answer from dhis2-core (2.38–2.42): ``CompleteDataSetRegistrationController.
postCompleteRegistrationsJson`` reads ``{"completeDataSetRegistrations": [{dataSet, period,
organisationUnit, attributeOptionCombo, completed}]}`` (dxf2 ``CompleteDataSetRegistration``) and
answers ``WebMessageUtils.importSummary`` (the same ImportSummary as data value imports, so 409 when
every registration was ignored). ``DefaultCompleteDataSetRegistrationExchangeService.batchImport``
checks each registration (data set, period, org unit found; org unit in the user's hierarchy; the
attribute option combo) and adds a conflict ``{object, value}`` naming the offending identifier,
without ``indexes``; an existing registration is updated, so registering twice is harmless (it is
retried like the data value imports).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dhis2_mch.dhis2.api import DATA_VALUE_AUTHORITY
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.dhis2.reports import parse_data_value_import

Registration = tuple[str, str, str, str]  # data set, period, org unit, attribute option combo (UIDs)


def register_complete(
    conn: Connection, items: Sequence[Registration], *, completed: bool = True
) -> list[tuple[str, str, str, str, str, str | None]]:
    """Register each item complete; ``(ds, pe, ou, aoc, "registered" | "refused", reason)`` per item."""
    if not items:
        return []
    body = json.dumps(
        {"completeDataSetRegistrations": [
            {"dataSet": ds, "period": pe, "organisationUnit": ou, "attributeOptionCombo": aoc, "completed": completed}
            for ds, pe, ou, aoc in items
        ]},
        separators=(",", ":"),
    ).encode("utf-8")  # fmt: skip
    reply = conn.post("completeDataSetRegistrations", body, idempotent=True, accept=(409,),
                      authority=DATA_VALUE_AUTHORITY)  # fmt: skip
    result = parse_data_value_import(reply.data, reply.status)
    out = []
    for ds, pe, ou, aoc in items:
        why = [c.message for c in result.conflicts if c.object in (ds, pe, ou, aoc)]
        if result.aborted and not why:
            why = [c.message for c in result.conflicts] or [result.description or "refused"]
        out.append((ds, pe, ou, aoc, "refused" if why else "registered", "; ".join(why) or None))
    return out
