"""Typed calls the rest of dhis2-mch makes to DHIS2: reads in few bulk requests, and the three imports.

Nothing outside ``dhis2_mch.dhis2`` builds a URL or reads a raw response: plan/deploy/export and
push call these functions and get models (or plain metadata dicts, which are the package's own
format) back. Every write checks the user's authorities first, so a user without rights learns it
before anything is sent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from dhis2_mch.dhis2.connection import Connection, Me, RequestRejected, SystemInfo
from dhis2_mch.dhis2.jobs import PollPolicy, wait_for_job
from dhis2_mch.dhis2.reports import (
    DataValueImportResult,
    MetadataImportResult,
    TrackerImportResult,
    UnexpectedResponse,
    parse_data_value_import,
    parse_metadata_import,
    parse_tracker_import,
)
from dhis2_mch.dhis2.version import Version
from dhis2_mch.errors import InputError, ServerUnavailable

log = logging.getLogger(__name__)

#: keep GET URLs below this many bytes: Tomcat's default header limit is 8 kB, and proxies vary
MAX_URL_BYTES = 6000
#: metadata payloads above this go ``async=true`` so no proxy times out while DHIS2 works
ASYNC_THRESHOLD_BYTES = 5_000_000

_UID = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")
_PLURAL = re.compile(r"^[a-z][A-Za-z]+$")
_ID_SCHEME = re.compile(r"^(?i:uid|id|code|name|attribute:[a-zA-Z][a-zA-Z0-9]{10})$")

ImportMode = Literal["VALIDATE", "COMMIT"]
_CHOICES = {
    "import_mode": ("VALIDATE", "COMMIT"),
    "atomic_mode": ("ALL", "NONE"),
    "import_strategy": ("CREATE", "UPDATE", "CREATE_AND_UPDATE"),
    "report_mode": ("FULL", "ERRORS", "ERRORS_NOT_OWNER", "DEBUG"),
    "identifier": ("UID", "CODE"),
}

#: create authorities per type, used when the server's /api/schemas does not list them (names from
#: dhis2-core's schema descriptors); ALL passes every check.
CREATE_AUTHORITIES: dict[str, tuple[str, ...]] = {
    "categoryOptions": ("F_CATEGORY_OPTION_PUBLIC_ADD", "F_CATEGORY_OPTION_PRIVATE_ADD"),
    "categories": ("F_CATEGORY_PUBLIC_ADD", "F_CATEGORY_PRIVATE_ADD"),
    "categoryCombos": ("F_CATEGORY_COMBO_PUBLIC_ADD", "F_CATEGORY_COMBO_PRIVATE_ADD"),
    "categoryOptionCombos": ("F_CATEGORY_COMBO_PUBLIC_ADD", "F_CATEGORY_COMBO_PRIVATE_ADD"),
    "optionSets": ("F_OPTIONSET_PUBLIC_ADD", "F_OPTIONSET_PRIVATE_ADD"),
    "options": ("F_OPTIONSET_PUBLIC_ADD", "F_OPTIONSET_PRIVATE_ADD"),
    "organisationUnits": ("F_ORGANISATIONUNIT_ADD",),
    "organisationUnitGroups": ("F_ORGUNITGROUP_PUBLIC_ADD", "F_ORGUNITGROUP_PRIVATE_ADD"),
    "organisationUnitGroupSets": ("F_ORGUNITGROUPSET_PUBLIC_ADD", "F_ORGUNITGROUPSET_PRIVATE_ADD"),
    "dataElements": ("F_DATAELEMENT_PUBLIC_ADD", "F_DATAELEMENT_PRIVATE_ADD"),
    "dataElementGroups": ("F_DATAELEMENTGROUP_PUBLIC_ADD", "F_DATAELEMENTGROUP_PRIVATE_ADD"),
    "indicatorTypes": ("F_INDICATORTYPE_ADD",),
    "indicators": ("F_INDICATOR_PUBLIC_ADD", "F_INDICATOR_PRIVATE_ADD"),
    "indicatorGroups": ("F_INDICATORGROUP_PUBLIC_ADD", "F_INDICATORGROUP_PRIVATE_ADD"),
    "dataSets": ("F_DATASET_PUBLIC_ADD", "F_DATASET_PRIVATE_ADD"),
    "sections": ("F_SECTION_ADD",),
    "trackedEntityTypes": ("F_TRACKED_ENTITY_ADD",),
    "trackedEntityAttributes": ("F_TRACKED_ENTITY_ATTRIBUTE_PUBLIC_ADD", "F_TRACKED_ENTITY_ATTRIBUTE_PRIVATE_ADD"),
    "programs": ("F_PROGRAM_PUBLIC_ADD", "F_PROGRAM_PRIVATE_ADD"),
    "programStages": ("F_PROGRAMSTAGE_ADD",),
    "programIndicators": ("F_PROGRAM_INDICATOR_PUBLIC_ADD", "F_PROGRAM_INDICATOR_PRIVATE_ADD"),
}
DATA_VALUE_AUTHORITY = "F_DATAVALUE_ADD"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class DefaultCategoryModel(_Model):
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


class OrgUnit(_Model):
    id: str
    code: str | None = None
    name: str | None = None
    short_name: str | None = Field(None, alias="shortName")
    path: str | None = None
    level: int | None = None
    parent_id: str | None = None
    opening_date: str | None = Field(None, alias="openingDate")
    closed_date: str | None = Field(None, alias="closedDate")


class DataValue(_Model):
    data_element: str = Field(alias="dataElement")
    period: str
    org_unit: str = Field(alias="orgUnit")
    category_option_combo: str | None = Field(None, alias="categoryOptionCombo")
    attribute_option_combo: str | None = Field(None, alias="attributeOptionCombo")
    value: str | None = None
    stored_by: str | None = Field(None, alias="storedBy")
    created: str | None = None
    last_updated: str | None = Field(None, alias="lastUpdated")
    comment: str | None = None
    followup: bool | None = None
    deleted: bool | None = None


# ---------------------------------------------------------------------------------------------- identity


def system_info(conn: Connection) -> SystemInfo:
    """The server's ``/api/system/info`` (version, revision, build time, system name)."""
    return conn.system_info()


def server_version(conn: Connection) -> Version:
    """``Version(2, 40, 4)``; compare with ``>= (2, 41)``."""
    return conn.version


def me(conn: Connection) -> Me:
    """The authenticated user with their authorities."""
    return conn.me()


def create_authorities(conn: Connection, plurals: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each metadata type, the authorities any one of which lets the user create it.

    Read from the server's ``/api/schemas`` (version-exact), falling back to ``CREATE_AUTHORITIES``.
    """
    plurals = list(dict.fromkeys(plurals))
    cache = conn.cache.get("create_authorities")
    if cache is None:
        cache = {}
        try:
            data = conn.get("schemas", params={"fields": "plural,authorities"}).data
        except (ServerUnavailable, RequestRejected) as exc:
            log.info("Could not read /api/schemas (%s); using the built-in authority table.", exc)
            data = None
        schemas = data.get("schemas") if isinstance(data, dict) else None
        for schema in schemas if isinstance(schemas, list) else []:
            names = [
                a
                for auth in schema.get("authorities") or []
                if str(auth.get("type", "")).startswith("CREATE")
                for a in auth.get("authorities") or []
            ]
            if schema.get("plural") and names:
                cache[schema["plural"]] = tuple(dict.fromkeys(names))
        conn.cache["create_authorities"] = cache
    return {p: cache.get(p) or CREATE_AUTHORITIES.get(p, ()) for p in plurals}


def metadata_authority_gaps(conn: Connection, plurals: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Types the user may not create, with the authorities that would allow it ({} = all fine)."""
    user = conn.me()
    if user.is_superuser:
        return {}
    needs = create_authorities(conn, plurals)
    return {p: alts for p, alts in needs.items() if alts and not user.has(*alts)}


def require_metadata_import(conn: Connection, plurals: Iterable[str]) -> Me:
    """Refuse (AuthError) before anything is sent if the user cannot create every type in the package.

    DHIS2 checks each type's create authority during the import (E3000); ``F_METADATA_IMPORT`` only
    opens the Import/Export app and is not what the API checks, so it is not required here.
    """
    user = conn.me()
    if user.is_superuser:
        return user
    needs = [alts for alts in create_authorities(conn, plurals).values() if alts]
    return conn.require_authorities(*needs, purpose="import this metadata")


def require_data_value_import(conn: Connection) -> Me:
    return conn.require_authorities(DATA_VALUE_AUTHORITY, purpose="import data values")


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


def root_org_units(conn: Connection) -> list[str]:
    """UIDs of the level-1 organisation units (the ``<OU_ROOT_UID>`` of WHO packages)."""
    params = [("fields", "id"), ("paging", "false"), ("filter", "level:eq:1")]
    return [str(o["id"]) for o in _collection(conn, "organisationUnits", params, "organisationUnits") if o.get("id")]


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


def get_data_values(
    conn: Connection,
    *,
    data_set: str | Sequence[str],
    periods: Iterable[str] = (),
    org_units: Iterable[str] = (),
    start_date: str | None = None,
    end_date: str | None = None,
    children: bool = False,
    id_scheme: str | None = None,
    include_deleted: bool = False,
) -> list[DataValue]:
    """Data values of a data set, for periods (or a date range) and org units; org units chunked by URL size."""
    data_sets = [data_set] if isinstance(data_set, str) else list(data_set)
    periods, units = list(periods), list(dict.fromkeys(org_units))
    if not data_sets or not units or not (periods or (start_date and end_date)):
        raise InputError("Reading data values needs a data set, at least one org unit, and periods or a date range.")
    base: list[tuple[str, str]] = [("dataSet", d) for d in data_sets] + [("period", p) for p in periods]
    base += [(k, v) for k, v in (("startDate", start_date), ("endDate", end_date)) if v]
    base += [("children", str(children).lower()), ("includeDeleted", str(include_deleted).lower())]
    if id_scheme:
        base.append(("idScheme", _id_scheme(id_scheme, "id_scheme")))
    values: list[DataValue] = []
    for params in _unit_chunks(conn, base, units):
        data = conn.get("dataValueSets", params=params).data
        if data is not None and not isinstance(data, dict):
            raise UnexpectedResponse(f"{conn.where}: GET /api/dataValueSets did not answer with a data value set.")
        values += [DataValue.model_validate(v) for v in (data or {}).get("dataValues") or []]
    return values


def _unit_chunks(conn: Connection, base: list[tuple[str, str]], units: list[str]) -> Iterator[list[tuple[str, str]]]:
    prefix = len(f"{conn.api_url}/dataValueSets?") + len(urlencode(base))
    chunk: list[str] = []
    size = prefix
    for unit in units:
        cost = len(urlencode({"orgUnit": unit})) + 1
        if chunk and size + cost > MAX_URL_BYTES:
            yield base + [("orgUnit", u) for u in chunk]
            chunk, size = [], prefix
        chunk.append(unit)
        size += cost
    if chunk:
        yield base + [("orgUnit", u) for u in chunk]


# ---------------------------------------------------------------------------------------------- writes


def _choice(name: str, value: str) -> str:
    value = str(value).upper()
    if value not in _CHOICES[name]:
        # DHIS2 silently falls back to the default for an unknown value (FACTS §1): refuse it here instead
        raise InputError(f"{name} must be one of {', '.join(_CHOICES[name])}, not {value!r}.")
    return value


def _id_scheme(value: str, name: str) -> str:
    if not _ID_SCHEME.match(value):
        raise InputError(f"{name} must be UID, CODE, NAME or ATTRIBUTE:<attribute uid>, not {value!r}.")
    return value.upper() if ":" not in value else "ATTRIBUTE:" + value.split(":", 1)[1]


def _serialise(payload: Mapping[str, Any] | bytes, what: str) -> tuple[bytes, Any]:
    """(body bytes, parsed payload): a dict is serialised once; bytes are parsed once to inspect them."""
    if isinstance(payload, bytes | bytearray):
        body = bytes(payload)
        try:
            parsed = json.loads(body)
        except ValueError as exc:
            raise InputError(f"The {what} payload is not valid JSON: {exc}.") from None
        return body, parsed
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), payload


def _metadata_collections(payload: Any) -> dict[str, list]:
    if not isinstance(payload, dict):
        raise InputError("A metadata payload is a JSON object of collections (dataElements, dataSets, ...).")
    return {k: v for k, v in payload.items() if isinstance(v, list)}


def import_metadata(
    conn: Connection,
    payload: Mapping[str, Any] | bytes,
    *,
    import_mode: ImportMode,
    atomic_mode: str = "ALL",
    import_strategy: str = "CREATE_AND_UPDATE",
    report_mode: str = "ERRORS",
    identifier: str = "UID",
    skip_sharing: bool = False,
    async_threshold_bytes: int | None = None,
    poll: PollPolicy | None = None,
    check_authorities: bool = True,
) -> MetadataImportResult:
    """``POST /api/metadata`` and return its report, whatever shape it comes in (sync, 409, or async job).

    Never deletes: importStrategy DELETE is refused. Payloads over ``async_threshold_bytes`` go
    ``async=true`` and the job is polled to its report. Retried on transient failures only when every
    object has a fixed ``id`` and the strategy is CREATE_AND_UPDATE/UPDATE (see ``connection``).
    ``async_threshold_bytes`` defaults to the profile's ``options.async_threshold_bytes``, else 5 MB.
    """
    if str(import_strategy).upper() == "DELETE":
        raise InputError("dhis2-mch never deletes metadata: importStrategy DELETE is refused.")
    params = {
        "importMode": _choice("import_mode", import_mode),
        "atomicMode": _choice("atomic_mode", atomic_mode),
        "importStrategy": _choice("import_strategy", import_strategy),
        "importReportMode": _choice("report_mode", report_mode),
        "identifier": _choice("identifier", identifier),
    }
    if skip_sharing:
        params["skipSharing"] = "true"
    body, parsed = _serialise(payload, "metadata")
    collections = _metadata_collections(parsed)
    if check_authorities:
        require_metadata_import(conn, [k for k, v in collections.items() if v])
    threshold = async_threshold_bytes or conn.async_threshold_bytes or ASYNC_THRESHOLD_BYTES
    use_async = len(body) > threshold
    fixed_ids = all(isinstance(o, dict) and o.get("id") for objs in collections.values() for o in objs)
    idempotent = not use_async and fixed_ids and params["importStrategy"] in ("CREATE_AND_UPDATE", "UPDATE")
    if use_async:
        params["async"] = "true"
    log.info("POST /api/metadata %s (%d bytes%s)", params["importMode"], len(body), ", async" if use_async else "")
    reply = conn.post("metadata", body, params=params, idempotent=idempotent, accept=(409,))
    result = parse_metadata_import(reply.data, reply.status)
    if result.job is not None:
        summary = wait_for_job(conn, result.job, poll)
        result = parse_metadata_import(summary).model_copy(update={"job": result.job})
    return result.model_copy(update={"import_mode": params["importMode"]})


def import_data_values(
    conn: Connection,
    payload: bytes | Mapping[str, Any],
    *,
    dry_run: bool,
    id_scheme: str | None = None,
    data_element_id_scheme: str | None = None,
    org_unit_id_scheme: str | None = None,
    category_option_combo_id_scheme: str | None = None,
    data_set_id_scheme: str | None = None,
    import_strategy: Literal["CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"] = "CREATE_AND_UPDATE",
    async_: bool = False,
    options: Mapping[str, str | bool] | None = None,
    poll: PollPolicy | None = None,
    check_authorities: bool = True,
) -> DataValueImportResult:
    """``POST /api/dataValueSets`` (JSON bytes, serialised once by the caller) and return its ImportSummary.

    A 409 is a result (conflicts), not an error: DHIS2 answers 409 even when it imported part of the
    values. ``options`` passes further ImportOptions (``skipAudit``, ``strictPeriods`` ...).
    """
    strategy = str(import_strategy).upper()
    if strategy not in ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"):
        raise InputError(f"import_strategy must be CREATE, UPDATE, CREATE_AND_UPDATE or DELETE, not {strategy!r}.")
    params: dict[str, str] = {"dryRun": str(bool(dry_run)).lower(), "importStrategy": strategy}
    for key, value, name in (
        ("idScheme", id_scheme, "id_scheme"),
        ("dataElementIdScheme", data_element_id_scheme, "data_element_id_scheme"),
        ("orgUnitIdScheme", org_unit_id_scheme, "org_unit_id_scheme"),
        ("categoryOptionComboIdScheme", category_option_combo_id_scheme, "category_option_combo_id_scheme"),
        ("dataSetIdScheme", data_set_id_scheme, "data_set_id_scheme"),
    ):
        if value:
            params[key] = _id_scheme(value, name)
    for key, value in (options or {}).items():
        params[key] = str(value).lower() if isinstance(value, bool) else str(value)
    if async_:
        params["async"] = "true"
    body = payload if isinstance(payload, bytes) else _serialise(payload, "data value")[0]
    if check_authorities:
        require_data_value_import(conn)
    log.info("POST /api/dataValueSets (%d bytes, dryRun=%s, async=%s)", len(body), params["dryRun"], async_)
    reply = conn.post(
        "dataValueSets", body, params=params, idempotent=not async_, accept=(409,), authority=DATA_VALUE_AUTHORITY
    )
    result = parse_data_value_import(reply.data, reply.status)
    if result.job is not None:
        summary = wait_for_job(conn, result.job, poll)
        result = parse_data_value_import(summary).model_copy(update={"job": result.job})
    return result


def import_events(
    conn: Connection,
    events: Sequence[Mapping[str, Any]] | bytes,
    *,
    import_strategy: Literal["CREATE", "UPDATE", "CREATE_AND_UPDATE"] = "CREATE_AND_UPDATE",
    atomic_mode: Literal["ALL", "OBJECT"] = "OBJECT",
    validate_only: bool = False,
    async_: bool = False,
    id_scheme: str | None = None,
    poll: PollPolicy | None = None,
) -> TrackerImportResult:
    """``POST /api/tracker`` with events (a list, or the JSON bytes of ``{"events": [...]}``).

    Synchronous by default (``async=false``: the tracker endpoint is async unless told otherwise);
    ``validate_only`` = importMode VALIDATE. Retried only when every event has its UID and the
    strategy is not CREATE.
    """
    strategy = str(import_strategy).upper()
    if strategy not in ("CREATE", "UPDATE", "CREATE_AND_UPDATE"):
        raise InputError(f"import_strategy must be CREATE, UPDATE or CREATE_AND_UPDATE, not {strategy!r}.")
    atomic = str(atomic_mode).upper()
    if atomic not in ("ALL", "OBJECT"):
        raise InputError(f"atomic_mode must be ALL or OBJECT, not {atomic!r}.")
    if isinstance(events, bytes):
        body, parsed = _serialise(events, "event")
        items = parsed.get("events") if isinstance(parsed, dict) else None
        if not isinstance(items, list):
            raise InputError('An event payload is a JSON object {"events": [...]}.')
    else:
        items = list(events)
        body = _serialise({"events": items}, "event")[0]
    params = {
        "async": str(bool(async_)).lower(),
        "importStrategy": strategy,
        "atomicMode": atomic,
        "importMode": "VALIDATE" if validate_only else "COMMIT",
        "reportMode": "ERRORS",
    }
    if id_scheme:
        params["idScheme"] = _id_scheme(id_scheme, "id_scheme")
    fixed = all(isinstance(e, dict) and e.get("event") for e in items)
    idempotent = not async_ and fixed and strategy != "CREATE"
    reply = conn.post("tracker", body, params=params, idempotent=idempotent, accept=(409,))
    result = parse_tracker_import(reply.data, reply.status)
    if result.job is not None:
        report = wait_for_job(conn, result.job, poll)
        result = parse_tracker_import(report).model_copy(update={"job": result.job})
    return result
