"""``GET /api/metadata``: the stored objects of the selected classes, through ``fields`` and ``filter``.

``<type>=true`` selects classes (default: every class holding objects), ``fields`` defaults to
``:owner``, ``filter`` applies to every class, ``defaults=EXCLUDE`` drops the default category model
(``MetadataExportParams``, ``DefaultMetadataExportService``).
"""

from __future__ import annotations

from dhis2_mch.sandbox import query
from dhis2_mch.sandbox.import_report import now_stamp
from dhis2_mch.sandbox.klasses import DEFAULT_UIDS, IMPORT_ORDER, KLASSES
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version


class FilterError(ValueError):
    """A ``filter`` DHIS2's query parser refuses (answered 409 with the message)."""


def export(store: Store, version: Version, q: dict, resolve: query.Resolver) -> dict:
    wanted = [p for p in KLASSES if (q.get(p) or [""])[0].lower() == "true"]
    plurals = wanted or [p for p in IMPORT_ORDER if store.objects(p)]
    spec = query.parse_fields((q.get("fields") or [":owner"])[0])
    exclude_defaults = (q.get("defaults") or ["INCLUDE"])[0].upper() == "EXCLUDE"
    body: dict = {"system": {"id": "sandbox", "rev": version.revision, "version": version.full, "date": now_stamp()}}
    for plural in sorted(plurals):
        objs = list(store.objects(plural).values())
        problem = query.filter_error(q.get("filter") or [], query.known_properties(plural, objs), version.minor)
        if problem is not None:
            raise FilterError(problem)
        if exclude_defaults:
            objs = [o for o in objs if o.get("id") not in DEFAULT_UIDS.values()]
        objs = query.filter_objects(objs, q.get("filter") or [], (q.get("rootJunction") or ["AND"])[0], resolve)
        body[plural] = [query.apply_fields(o, spec, resolve) for o in query.order_objects(objs, None)]
    return body
