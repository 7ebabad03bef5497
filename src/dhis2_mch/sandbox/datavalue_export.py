"""``GET /api/dataValueSets``: the user's data, after DHIS2's access decision and query validation.

From dhis2-core ``DefaultDataValueSetService`` (2.38, 2.40, 2.42):
- ``getFromUrl``: data sets, data elements, org units and attribute option combos named in the query
  are looked up (by UID, or code); unknown ones are dropped, so a query naming only unknown data sets
  fails E2001 like one naming none;
- ``exportDataValueSetJson`` calls ``decideAccess`` first: every data set needs data read sharing
  (``AclService.canDataRead``, E2010), every attribute option combo data read on all its options (E2011),
  every org unit must lie in the user's data view hierarchy (``isInUserDataViewHierarchy``: the view
  org units, or the capture ones when there are none; no superuser exemption; E2012);
- then ``validate``: E2001 … E2008, each failing check overwriting the previous one, so the last wins;
- an ``IllegalQueryException`` answers 409 with the error code (``CrudControllerAdvice``).
"""

from __future__ import annotations

from dhis2_mch.sandbox import sharing
from dhis2_mch.sandbox.codes import message
from dhis2_mch.sandbox.periods import parse
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version


def _param(q: dict, key: str) -> str | None:
    value = q.get(key)
    return value[0] if value else None


def _find(store: Store, plural: str, ident: str) -> dict | None:
    return store.get(plural, ident) or store.find(plural, "code", ident)


def _illegal(version: Version, code: str, *args: object) -> tuple[int, dict]:
    return 409, {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "ERROR",
        "message": message(code, version, *args),
        "errorCode": code,
    }


def _in_view(user: dict, ou: dict) -> bool:
    roots = user.get("dataViewOrganisationUnits") or user.get("organisationUnits") or []
    path = (ou.get("path") or f"/{ou['id']}").split("/")
    return any(isinstance(r, dict) and r.get("id") in path for r in roots)


def export_values(store: Store, version: Version, q: dict, user: dict, granted: list[str]) -> tuple[int, dict]:
    """(HTTP status, body) of ``GET /api/dataValueSets``."""
    data_sets = [d for d in (_find(store, "dataSets", i) for i in q.get("dataSet", [])) if d]
    data_elements = [d for d in (_find(store, "dataElements", i) for i in q.get("dataElement", [])) if d]
    org_units = [o for o in (_find(store, "organisationUnits", i) for i in q.get("orgUnit", [])) if o]
    aocs = [c for c in (_find(store, "categoryOptionCombos", i) for i in q.get("attributeOptionCombo", [])) if c]
    for ds in data_sets:
        if not sharing.can_data_read(user, granted, ds, store):
            return _illegal(version, "E2010", ds["id"])
    for aoc in aocs:
        options = [store.get("categoryOptions", (r or {}).get("id")) for r in aoc.get("categoryOptions") or []]
        if not all(sharing.can_data_read(user, granted, o, store) for o in options if o):
            return _illegal(version, "E2011", aoc["id"])
    for ou in org_units:
        if not _in_view(user, ou):
            return _illegal(version, "E2012", ou["id"])

    periods = q.get("period", [])
    start, end = _param(q, "startDate"), _param(q, "endDate")
    children = (_param(q, "children") or "false").lower() == "true"
    groups = q.get("orgUnitGroup", [])
    error = None
    if not data_sets and not data_elements and not q.get("dataElementGroup"):
        error = "E2001"
    if not periods and not (start and end) and not _param(q, "lastUpdated") and not _param(q, "lastUpdatedDuration"):
        error = "E2002"
    if periods and (start or end):
        error = "E2003"
    if start and end and start > end:
        error = "E2004"
    if not org_units and not groups:
        error = "E2006"
    if children and groups:
        error = "E2007"
    if children and not org_units:
        error = "E2008"
    if error:
        return _illegal(version, error)

    de_ids = {d["id"] for d in data_elements}
    for ds in data_sets:
        for element in ds.get("dataSetElements") or []:
            de_ids.add((element.get("dataElement") or {}).get("id"))
    ou_ids = []
    for ou in org_units:
        if children:
            ou_ids += [
                o["id"] for o in store.objects("organisationUnits").values() if ou["id"] in (o.get("path") or "")
            ]
        else:
            ou_ids.append(ou["id"])
    where = [f"de IN ({','.join('?' * len(de_ids))})", f"ou IN ({','.join('?' * len(ou_ids))})"]
    params: list = [*de_ids, *ou_ids]
    if periods:
        isos = [p.iso for p in (parse(x, version.minor) for x in periods) if p]
        where.append(f"pe IN ({','.join('?' * len(isos))})")
        params += isos
    else:
        where.append("pe_start >= ? AND pe_end <= ?")
        params += [start or "0000-01-01", end or "9999-12-31"]
    if aocs:
        where.append(f"aoc IN ({','.join('?' * len(aocs))})")
        params += [c["id"] for c in aocs]
    include_deleted = (_param(q, "includeDeleted") or "false").lower() == "true"
    if not include_deleted:
        where.append("deleted = 0")
    rows = store.query_values(" AND ".join(where), tuple(params)) if de_ids and ou_ids else []
    out = []
    for r in rows:
        value = {
            "dataElement": r["de"],
            "period": r["pe"],
            "orgUnit": r["ou"],
            "categoryOptionCombo": r["coc"],
            "attributeOptionCombo": r["aoc"],
            "value": r["value"],
            "storedBy": r["storedby"],
            "created": _stamp(r["created"]),
            "lastUpdated": _stamp(r["lastupdated"]),
            "comment": r["comment"],
            "followup": bool(r["followup"]),
        }
        if include_deleted:
            value["deleted"] = bool(r["deleted"])
        out.append(value)
    return 200, {"dataValues": out}


def _stamp(value: str | None) -> str | None:
    """Timestamps as the recorded 2.40 GET prints them: ``2010-03-13T00:00:00.000+0000``."""
    if not value:
        return value
    return value if value.endswith("+0000") else value + "+0000"
