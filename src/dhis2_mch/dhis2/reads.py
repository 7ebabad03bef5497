"""Reads: metadata objects by id or code in few bulk requests, org units, the default category model.

Nothing outside ``dhis2_mch.dhis2`` builds a URL: plan, deploy, export and push call these and get
plain metadata dicts (the package's own format) or small models back. ``in:[...]`` filters are
chunked so no URL grows past what Tomcat and proxies accept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import Field

from dhis2_mch.dhis2._envelopes import Model, shape_checked
from dhis2_mch.dhis2.identity import Me, SystemInfo
from dhis2_mch.dhis2.version import Version
from dhis2_mch.errors import InputError, UnexpectedResponse

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection

#: keep GET URLs below this many bytes: Tomcat's default header limit is 8 kB, and proxies vary
MAX_URL_BYTES = 6000

_UID = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")
_PLURAL = re.compile(r"^[a-z][A-Za-z]+$")


class DefaultCategoryModel(Model):
    """The instance's default category combo / category / option / option combo UIDs."""

    category_combo: str
    category: str
    category_option: str
    category_option_combo: str

    def substitutions(self) -> dict[str, str]:
        """DHIS2's standard default UIDs → this instance's (only those that differ)."""
        from dhis2_mch.model.types import DEFAULT_UIDS

        mine = {
            "categoryCombo": self.category_combo,
            "category": self.category,
            "categoryOption": self.category_option,
            "categoryOptionCombo": self.category_option_combo,
        }
        return {DEFAULT_UIDS[k]: v for k, v in mine.items() if DEFAULT_UIDS[k] != v}


class OrgUnit(Model):
    id: str
    code: str | None = None
    name: str | None = None
    short_name: str | None = Field(None, alias="shortName")
    path: str | None = None
    level: int | None = None
    parent_id: str | None = None
    opening_date: str | None = Field(None, alias="openingDate")
    closed_date: str | None = Field(None, alias="closedDate")


def system_info(conn: Connection) -> SystemInfo:
    """The server's ``/api/system/info`` (version, revision, build time, system name)."""
    return conn.system_info()


def server_version(conn: Connection) -> Version:
    """``Version(2, 40, 4)``; compare with ``>= (2, 41)``."""
    return conn.version


def me(conn: Connection) -> Me:
    """The authenticated user with their authorities."""
    return conn.me()


# ---------------------------------------------------------------------------------------------- reads


def _chunks(conn: Connection, path: str, base: Sequence[tuple[str, str]], prop: str, values: Sequence[str]):
    """``prop:in:[...]`` filters, as many values per request as keep the URL under ``MAX_URL_BYTES``."""
    prefix = len(f"{conn.api_url}/{path}?") + len(urlencode(base)) + len(f"&filter={prop}%3Ain%3A%5B%5D")
    chunk: list[str] = []
    size = prefix
    for value in values:
        cost = len(urlencode({"": value})) + 2  # the value, escaped, and an escaped comma
        if chunk and size + cost > MAX_URL_BYTES:
            yield [*base, ("filter", f"{prop}:in:[{','.join(chunk)}]")]
            chunk, size = [], prefix
        chunk.append(value)
        size += cost
    if chunk:
        yield [*base, ("filter", f"{prop}:in:[{','.join(chunk)}]")]


def _collection(conn: Connection, path: str, params: Sequence[tuple[str, str]], key: str) -> list[dict]:
    data = conn.get(path, params=params).data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise UnexpectedResponse(f"{conn.where}: GET /api/{path} did not answer with a `{key}` list.")
    return [o for o in data.get(key) or [] if isinstance(o, dict)]


@shape_checked("metadata read")
def fetch_objects(
    conn: Connection,
    plural: str,
    *,
    ids: Iterable[str] = (),
    codes: Iterable[str] = (),
    fields: str = ":owner",
) -> list[dict[str, Any]]:
    """The objects of one type that match any of ``ids`` or ``codes``, in a few bulk requests.

    Returns the server's JSON objects (``fields=:owner`` = what an import would write), each once,
    in server order. Unknown ids/codes are simply absent.
    """
    if not _PLURAL.match(plural):
        raise InputError(f"{plural!r} is not a DHIS2 metadata collection name (e.g. dataElements).")
    ids = list(dict.fromkeys(i for i in ids if i))
    bad = [i for i in ids if not _UID.match(i)]
    if bad:
        raise InputError(f"Not valid DHIS2 UIDs for {plural}: {', '.join(map(repr, bad[:5]))}.")
    codes = list(dict.fromkeys(c for c in codes if c))
    # a comma or bracket would split an in:[...] list: such codes are asked for one by one
    plain = [c for c in codes if not set(c) & set(",[]")]
    odd = [c for c in codes if set(c) & set(",[]")]
    base = [("fields", fields), ("paging", "false")]
    found: dict[str, dict] = {}
    queries: list[list[tuple[str, str]]] = [
        *_chunks(conn, plural, base, "id", ids),
        *_chunks(conn, plural, base, "code", plain),
        *([*base, ("filter", f"code:eq:{c}")] for c in odd),
    ]
    for params in queries:
        for obj in _collection(conn, plural, params, plural):
            found.setdefault(str(obj.get("id")), obj)
    return list(found.values())


def list_objects(conn: Connection, plural: str, *, fields: str = "id,code,name,shortName") -> list[dict[str, Any]]:
    """Every object of one type, with a few fields (``paging=false``).

    What a plan needs to predict uniqueness clashes: names and codes are compared exactly, and an
    ``in:[...]`` filter cannot carry names with commas, so the whole (small) identity list is read.
    """
    if not _PLURAL.match(plural):
        raise InputError(f"{plural!r} is not a DHIS2 metadata collection name (e.g. dataElements).")
    return _collection(conn, plural, [("fields", fields), ("paging", "false")], plural)


@shape_checked("org unit read")
def root_org_units(conn: Connection) -> list[str]:
    """UIDs of the level-1 organisation units (the ``<OU_ROOT_UID>`` of WHO packages)."""
    params = [("fields", "id"), ("paging", "false"), ("filter", "level:eq:1")]
    return [str(o["id"]) for o in _collection(conn, "organisationUnits", params, "organisationUnits") if o.get("id")]


@shape_checked("default category model read")
def default_category_model(conn: Connection) -> DefaultCategoryModel:
    """The target's default category model, found by the name "default" (code "default" as a fallback)."""
    fields = "id,code,name,categories[id,code,name,categoryOptions[id,code,name]]"
    combos: list[dict] = []
    for by in ("name", "code"):
        params = [("fields", fields), ("paging", "false"), ("filter", f"{by}:eq:default")]
        combos = combos or _collection(conn, "categoryCombos", params, "categoryCombos")
    if len(combos) != 1:
        raise UnexpectedResponse(
            f"{conn.where}: expected exactly one default category combo, found {len(combos)}. The instance's "
            "category model needs repair (Data Administration → Maintenance) before metadata can be deployed."
        )
    combo = combos[0]
    categories = combo.get("categories") or []
    options = (categories[0].get("categoryOptions") or []) if len(categories) == 1 else []
    cocs = _collection(
        conn,
        "categoryOptionCombos",
        [("fields", "id,code,name"), ("paging", "false"), ("filter", f"categoryCombo.id:eq:{combo['id']}")],
        "categoryOptionCombos",
    )
    if len(categories) != 1 or len(options) != 1 or len(cocs) != 1:
        raise UnexpectedResponse(
            f"{conn.where}: the default category combo {combo['id']} has {len(categories)} categories, "
            f"{len(options)} options and {len(cocs)} option combos instead of one each. Repair the category model "
            "(Data Administration → Maintenance → category option combos) before deploying."
        )
    return DefaultCategoryModel(
        category_combo=combo["id"],
        category=categories[0]["id"],
        category_option=options[0]["id"],
        category_option_combo=cocs[0]["id"],
    )


@shape_checked("org unit read")
def org_units(
    conn: Connection,
    *,
    ids: Iterable[str] = (),
    codes: Iterable[str] = (),
    fields: str = "id,code,name,shortName,path,level,parent[id],openingDate,closedDate",
) -> list[OrgUnit]:
    """Organisation units by UID and/or code (a few bulk requests)."""
    found = fetch_objects(conn, "organisationUnits", ids=ids, codes=codes, fields=fields)
    return [OrgUnit.model_validate({**o, "parent_id": (o.get("parent") or {}).get("id")}) for o in found]


@shape_checked("org unit read")
def org_units_within(
    conn: Connection, root: str, *, fields: str = "id,code,name,shortName,path,level,parent[id]"
) -> list[OrgUnit]:
    """The unit ``root`` (a UID) and every unit below it: ``path`` holds each ancestor's UID
    (``OrganisationUnit.getPath``), so ``filter=path:like:<uid>`` is the subtree in one request."""
    if not _UID.match(root):
        raise InputError(f"{root!r} is not a DHIS2 UID.")
    params = [("fields", fields), ("paging", "false"), ("filter", f"path:like:{root}")]
    found = _collection(conn, "organisationUnits", params, "organisationUnits")
    return [OrgUnit.model_validate({**o, "parent_id": (o.get("parent") or {}).get("id")}) for o in found]
