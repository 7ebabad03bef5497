"""``/api/completeDataSetRegistrations``: register (POST) and list (GET) complete data set registrations.

Modelled on dhis2-core 2.39 (the same code in 2.38–2.42): ``CompleteDataSetRegistrationController``
and ``DefaultCompleteDataSetRegistrationExchangeService``:

- POST body ``{"completeDataSetRegistrations": [{dataSet, period, organisationUnit,
  attributeOptionCombo?, completed?, date?, storedBy?}]}``; identifiers are UIDs (idScheme default).
- per registration (``batchImport``): ``MetadataProperties.validate`` adds a conflict ``{object, value}``
  with the identifier as written: "Data set not found or not accessible", "Period not valid",
  "Organisation unit not found or not accessible"; then ``validateOrgUnitInUserHierarchy``:
  "Organisation unit is not in hierarchy of user: <username>" (object = org unit UID). An unknown or
  missing attribute option combo falls back to the default one. ``completed`` defaults to true.
- an existing registration (same data set, period, org unit, attribute option combo) is updated
  (``updated`` +1), a new one imported; ``finalizeSummary``: ignored = total - imported - updated,
  status ERROR when everything was ignored, else SUCCESS (never WARNING, even with conflicts);
  description "Import process complete."; the answer is ``WebMessageUtils.importSummary`` (200/409).
- GET ``?dataSet=..&period=..&orgUnit=..`` → ``{"completeDataSetRegistrations": [...]}``.

Not modelled: compulsory data element operands, data sharing, locking/expiry, notifications,
strict* options, id schemes other than UID, async.
"""

from __future__ import annotations

from datetime import datetime

from dhis2_mch.sandbox.klasses import DEFAULT_COC
from dhis2_mch.sandbox.periods import parse as parse_period
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version

TABLE = """CREATE TABLE IF NOT EXISTS complete_registrations (
    ds TEXT, pe TEXT, ou TEXT, aoc TEXT, date TEXT, stored_by TEXT, completed INTEGER,
    PRIMARY KEY (ds, pe, ou, aoc))"""


def _db(store: Store):
    db = store._db  # the sandbox's own SQLite database; one more table beside the data values
    db.execute(TABLE)
    return db


def register(store: Store, version: Version, payload: dict, user: dict) -> dict:
    """The ImportSummary of a POST (without the WebMessage envelope)."""
    db = _db(store)
    items = payload.get("completeDataSetRegistrations") or []
    conflicts: list[dict] = []
    imported = updated = 0
    roots = [ref.get("id") for ref in user.get("organisationUnits") or [] if isinstance(ref, dict)]
    now = datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    with store.transaction():
        for item in items if isinstance(items, list) else []:
            imported, updated = _one(store, version, db, item, user, roots, now, conflicts, imported, updated)
    total = len(items) if isinstance(items, list) else 0
    ignored = total - imported - updated
    body: dict = {
        "responseType": "ImportSummary",
        "status": "ERROR" if total == ignored else "SUCCESS",
        "description": "Import process complete.",
        "importCount": {"imported": imported, "updated": updated, "ignored": ignored, "deleted": 0},
        "conflicts": conflicts,
    }
    if version.rejected_indexes:
        body["rejectedIndexes"] = []
    return body


def _one(store: Store, version: Version, db, item, user: dict, roots: list, now: str, conflicts: list[dict],
         imported: int, updated: int) -> tuple[int, int]:  # fmt: skip
    item = item if isinstance(item, dict) else {}
    ds_id, pe_id, ou_id = (str(item.get(k) or "").strip() for k in ("dataSet", "period", "organisationUnit"))
    ds, period, ou = (
        store.get("dataSets", ds_id),
        parse_period(pe_id, version.minor),
        store.get("organisationUnits", ou_id),
    )
    problem = (
        (ds_id, "Data set not found or not accessible") if ds is None
        else (pe_id, "Period not valid") if period is None
        else (ou_id, "Organisation unit not found or not accessible") if ou is None
        else None
    )  # fmt: skip
    if problem is None and ou is not None and not any(r in (ou.get("path") or "").split("/") for r in roots):
        problem = (ou_id, f"Organisation unit is not in hierarchy of user: {user.get('username')}")
    if problem is not None:
        conflicts.append({"object": problem[0], "value": problem[1]})
        return imported, updated
    aoc = str(item.get("attributeOptionCombo") or "")
    aoc = aoc if store.get("categoryOptionCombos", aoc) else DEFAULT_COC
    key = (ds_id, period.iso if period else pe_id, ou_id, aoc)
    exists = db.execute("SELECT 1 FROM complete_registrations WHERE ds=? AND pe=? AND ou=? AND aoc=?", key)
    if exists.fetchone():
        updated += 1
    else:
        imported += 1
    completed = item.get("completed")
    db.execute(
        "INSERT OR REPLACE INTO complete_registrations VALUES (?, ?, ?, ?, ?, ?, ?)",
        (*key, item.get("date") or now, item.get("storedBy") or user.get("username"),
         0 if completed is False else 1),
    )  # fmt: skip
    return imported, updated


def export(store: Store, query: dict[str, list[str]]) -> dict:
    db = _db(store)
    rows = db.execute("SELECT ds, pe, ou, aoc, date, stored_by, completed FROM complete_registrations").fetchall()
    wanted = {k: set(query.get(k) or []) for k in ("dataSet", "period", "orgUnit")}
    out = []
    for ds, pe, ou, aoc, date, stored_by, completed in rows:
        if any(w and v not in w for w, v in ((wanted["dataSet"], ds), (wanted["period"], pe), (wanted["orgUnit"], ou))):
            continue
        out.append({"period": pe, "dataSet": ds, "organisationUnit": ou, "attributeOptionCombo": aoc, "date": date,
                    "storedBy": stored_by, "completed": bool(completed)})  # fmt: skip
    return {"completeDataSetRegistrations": out}
