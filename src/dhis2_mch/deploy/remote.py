"""The plan's view of a live server, over ``dhis2.api``: two bulk reads per type, cached."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection


class RemoteView:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.version = conn.version.short
        self.identities = cache(self._identities)

    def _identities(self, plural: str) -> list[dict]:
        return api.list_objects(self.conn, plural)

    def objects(self, plural: str, uids: Iterable[str]) -> dict[str, dict]:
        """``fields=:owner`` plus translations: what an import writes, to compare with what it would write;
        and ``lastUpdated``, asked for by name, which a saved plan keeps to notice later changes."""
        found = api.fetch_objects(self.conn, plural, ids=list(uids), fields=":owner,translations,lastUpdated")
        return {o["id"]: o for o in found if o.get("id")}

    def existing(self, plural: str, uids: Iterable[str]) -> set[str]:
        return {o["id"] for o in api.fetch_objects(self.conn, plural, ids=list(uids), fields="id")}
