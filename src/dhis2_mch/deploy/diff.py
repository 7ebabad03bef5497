"""Compare a package object with the server's copy, property by property, ignoring server noise.

Only properties the package states are compared: DHIS2 adds many defaults and computed fields to
what it returns, and those are not the package's business. Collections are compared as multisets
(DHIS2's exports return members such as dataSetElements or options in varying order: Hibernate
sets, e.g. ``DataSet.dataSetElements``), text is
compared after the whitespace normalisation the build applies. Known limit: a change of order
alone (categories of a combo) is not seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

#: fields DHIS2 manages itself: never part of a difference. ``sharing`` is compared when the package
#: states it (metadata/access/): only the keys it states, so the owner DHIS2 records is not a change
#: (the legacy publicAccess / userGroupAccesses mirror the block in 2.38–2.40 and stay noise).
NOISE = frozenset(
    {
        "created", "lastUpdated", "createdBy", "lastUpdatedBy", "href", "access", "user", "favorites",
        "favorite", "displayName", "displayShortName", "displayDescription", "displayFormName",
        "publicAccess", "externalAccess", "userAccesses", "userGroupAccesses", "attributeValues",
        "dimensionItem", "dimensionItemType", "version",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    property: str
    before: Any
    after: Any

    def as_json(self) -> dict:
        return {"property": self.property, "before": self.before, "after": self.after}

    def as_text(self) -> str:
        return f"{self.property}: {_short(self.before)} → {_short(self.after)}"


def diff(local: dict, remote: dict) -> list[Change]:
    """What applying ``local`` would change on ``remote`` (empty when they agree)."""
    return [
        Change(prop, remote.get(prop), wanted)
        for prop, wanted in local.items()
        if prop not in NOISE and prop != "id" and not same(wanted, remote.get(prop))
    ]


def same(wanted: Any, have: Any) -> bool:
    """True when the server's value already is what the package states.

    Only what the package states counts, recursively: the server's copy of a program stage data
    element carries a dozen defaults the package never mentions. Empty and absent are alike.
    """
    if _empty(wanted) or _empty(have):
        return _empty(wanted) and _empty(have)
    if isinstance(wanted, str) and isinstance(have, str):
        return " ".join(wanted.split()) == " ".join(have.split())
    if isinstance(wanted, dict) and isinstance(have, dict):
        if "id" in wanted and set(wanted) <= REF_KEYS:
            return wanted["id"] == have.get("id")
        return all(same(v, have.get(k)) for k, v in wanted.items() if k not in NOISE)
    if isinstance(wanted, list) and isinstance(have, list):
        if len(wanted) != len(have):
            return False
        remote: dict[Any, list] = {}
        for item in have:
            remote.setdefault(_item_key(item), []).append(item)
        return all(any(same(w, r) for r in remote.get(_item_key(w), [])) for w in wanted)
    return type(wanted) is type(have) and wanted == have


REF_KEYS = frozenset({"id", "name", "code", "displayName"})


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _item_key(item: Any) -> tuple:
    """How members of a collection are matched: by id, by the object they hold, or by value."""
    if isinstance(item, dict):
        if "id" in item:
            return ("id", item["id"])
        for holder in ("dataElement", "trackedEntityAttribute"):
            if isinstance(item.get(holder), dict):
                return (holder, item[holder].get("id"))
        if "locale" in item and "property" in item:
            return ("translation", item["locale"], item["property"])
    return ("value", json.dumps(item, sort_keys=True, default=str, ensure_ascii=False))


def _short(value: Any, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
