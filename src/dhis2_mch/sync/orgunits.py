"""The org unit column of each source → UIDs, in one lookup per instance and run.

``by: uid`` and ``by: code`` ask the server for the distinct values (a few bulk GETs); ``by: name``
matches the names typed in the workbook against the units of the mapping's province (``within:``).
What is found is remembered in the ledger (code and name beside the UID) for ``sync status``.
"""

from __future__ import annotations

import pandas as pd

from dhis2_mch.data.mapping import Mapping
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.sync.config import Source
from dhis2_mch.sync.ledger import Ledger


def lookup(conn: Connection, frame: pd.DataFrame, sources: list[Source], mappings: dict[str, Mapping],
           ledger: Ledger, instance: str) -> tuple[dict[str, str], dict[str, str]]:  # fmt: skip
    """(org unit text → UID, written name → why it matched nothing or what it was taken for). Texts that
    match nothing are absent from the first: the preflight rejects their rows, with the reason from the second."""
    by_source = {s.name: mappings[s.name].org_unit for s in sources}
    texts: dict[str, set[str]] = {"uid": set(), "code": set(), "name": set()}
    for name, group in frame.groupby("source"):
        texts[by_source[str(name)].by].update(group["orgUnit"].unique())
    found = api.org_units(conn, codes=sorted(texts["code"] - {""}),
                          ids=sorted(t for t in texts["uid"] | texts["code"] if is_valid_uid(t)))  # fmt: skip
    out = {u.code: u.id for u in found if u.code and u.code in texts["code"]}
    out |= {u.id: u.id for u in found}
    units = {u.id: (u.code, u.name) for u in found}
    hints: dict[str, str] = {}
    if texts["name"]:
        from dhis2_mch.sync.names import match_names

        for name, group in frame.groupby("source"):
            spec = by_source[str(name)]
            if spec.by == "name":
                matched, seen, matches = match_names(conn, sorted(set(group["orgUnit"].unique()) - {""}),
                                                     spec.within or "")  # fmt: skip
                out |= matched
                units |= seen
                hints |= {text: m.hint() for text, m in matches.items() if not m.certain}
    ledger.remember_org_units(instance, ((uid, code, name) for uid, (code, name) in units.items()))
    return out, hints
