"""Completeness: register a data set complete for an org unit and period once all its values are confirmed,
so DHIS2's reporting-rate dashboards count the commune's report (dhis2-core ``CompleteDataSetRegistration``).

The ledger decides which (data set, period, org unit) qualify: every ledgered value of it is
``confirmed``, and it was not registered before. Registrations go in batches; the answer of each is
recorded in the ledger's ``completion`` table.
"""

from __future__ import annotations

from collections.abc import Sequence

from dhis2_mch.dhis2.completeness import Registration, register_complete
from dhis2_mch.dhis2.connection import Connection

BATCH = 500


def register(conn: Connection, candidates: Sequence[Registration]) -> list[tuple[str, str, str, str, str, str | None]]:
    out = []
    for i in range(0, len(candidates), BATCH):
        out += register_complete(conn, candidates[i : i + BATCH])
    return out
