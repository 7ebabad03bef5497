"""``POST /api/tracker`` for events of programs without registration (``TrackerImportController``).

``async`` defaults to true: the answer is 200 "Tracker job added" with a job id, polled at
``/api/tracker/jobs/{id}`` (notifications) and ``/api/tracker/jobs/{id}/report`` (the report).
``async=false`` answers the bare ImportReport, HTTP 409 if and only if its status is ERROR.

Per event, in this order: E1030/E1032 (exists / does not exist, by importStrategy), E1011 org unit,
E1010 program, E1123 missing programStage (an event program's only stage is used when omitted), E1013
program stage, E1089 stage not in program, E1031 occurredAt missing, E1029 org unit not assigned to the
program, E1000 org unit outside the user's capture scope, then per data value E1304 unknown data
element, E1305 not in the stage, E1302 invalid value, E1125 not an option; E1303 a compulsory data
element missing on a COMPLETED event. atomicMode=ALL (default) stores nothing when any event fails;
OBJECT stores the valid ones. Texts: the 2.38–2.40 TrackerErrorCode wording up to 2.40, the 2.41+
ValidationCode wording after (the notes bracket 2.40/2.41 between the two: unverified which applies).

Only ``events`` are imported; ``trackedEntities``, ``enrollments`` and ``relationships`` are not modelled
(unverified: the bundleReport of a failed import; the sandbox leaves it out).
"""

from __future__ import annotations

from datetime import datetime

from dhis2_mch.sandbox import valuetypes as values
from dhis2_mch.sandbox.klasses import is_uid as is_valid_uid
from dhis2_mch.sandbox.klasses import new_uid
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version

# code -> (2.38–2.40 text, 2.41+ text)
TEXTS = {
    "E1000": (
        "User: `{0}`, has no write access to OrganisationUnit: `{1}`.",
        "User: `{0}` has no capture scope access to OrganisationUnit: `{1}`.",
    ),
    "E1010": ("Could not find Program: `{0}`, linked to Event.",) * 2,
    "E1011": ("Could not find OrganisationUnit: `{0}`, linked to Event.",) * 2,
    "E1013": ("Could not find ProgramStage: `{0}`, linked to Event.",) * 2,
    "E1029": (
        "Event OrganisationUnit: `{0}`, and Program: `{1}`, don't match.",
        "Event OrganisationUnit: `{0}` and Program: `{1}`, do not match.",
    ),
    "E1030": ("Event: `{0}`, already exists.", "Event: `{0}` already exists."),
    "E1031": ("Event OccurredAt date is missing.", "Event occurredAt date is missing."),
    "E1032": ("Event: `{0}`, do not exist.", "Event: `{0}` do not exist."),
    "E1089": (
        "Event: `{0}`, references a Program Stage `{1}` that does not belong to Program `{2}`.",
        "Event: `{0}` references ProgramStage `{1}` which do not belong to Program `{2}`.",
    ),
    "E1123": ("Missing required event property: `{0}`.",) * 2,
    "E1125": (
        "Value {0} is not a valid option for {1} {2} in option set {3}",
        "Value `{0}` is not a valid option code in OptionSet `{1}`.",
    ),
    "E1302": ("DataElement `{0}` is not valid: `{1}`", "DataElement `{0}` is not valid: `{1}`."),
    "E1303": ("Mandatory DataElement `{0}` is not present",) * 2,
    "E1304": ("DataElement `{0}` is not a valid data element", "DataElement `{0}` is not a valid DataElement."),
    "E1305": (
        "DataElement `{0}` is not part of `{1}` program stage",
        "DataElement `{0}` is not part of ProgramStage `{1}`.",
    ),
}

TRACKER_TYPES = ("EVENT", "ENROLLMENT", "RELATIONSHIP", "TRACKED_ENTITY")


def text(code: str, version: Version, *args) -> str:
    template = TEXTS[code][1 if version.minor >= 41 else 0]
    for i, arg in enumerate(args):
        template = template.replace("{" + str(i) + "}", str(arg))
    return template


def _param(q: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = (q.get(key) or [None])[0]
    value = value.upper() if isinstance(value, str) else value
    return value if value in allowed else default


def _stats(created=0, updated=0, deleted=0, ignored=0) -> dict:
    return {
        "created": created,
        "updated": updated,
        "deleted": deleted,
        "ignored": ignored,
        "total": created + updated + deleted + ignored,
    }


class TrackerImport:
    def __init__(self, store: Store, version: Version, q: dict, payload: dict, user: dict):
        self.store, self.version, self.payload, self.user = store, version, payload, user
        self.import_mode = _param(q, "importMode", ("COMMIT", "VALIDATE"), "COMMIT")
        self.strategy = _param(
            q, "importStrategy", ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"), "CREATE_AND_UPDATE"
        )
        self.atomic = _param(q, "atomicMode", ("ALL", "OBJECT"), "ALL")
        self.report_mode = _param(q, "reportMode", ("FULL", "ERRORS", "WARNINGS"), "ERRORS")

    def _error(self, code: str, uid: str, *args) -> dict:
        report: dict = {
            "message": text(code, self.version, *args),
            "errorCode": code,
            "trackerType": "EVENT",
            "uid": uid,
        }
        if self.version.minor >= 42:
            report["args"] = [str(a) for a in args]
        return report

    def _capture_ok(self, ou: dict) -> bool:
        roots = [r.get("id") for r in self.user.get("organisationUnits") or [] if isinstance(r, dict)]
        parts = (ou.get("path") or f"/{ou['id']}").split("/")
        return any(root in parts for root in roots)

    def _check(self, event: dict) -> list[dict]:
        uid = event["event"]
        exists = self.store.get_event(uid) is not None
        if self.strategy == "CREATE" and exists:
            return [self._error("E1030", uid, uid)]
        if self.strategy in ("UPDATE", "DELETE") and not exists:
            return [self._error("E1032", uid, uid)]
        if self.strategy == "DELETE":
            return []
        errors = []
        ou = self.store.get("organisationUnits", event.get("orgUnit"))
        if ou is None:
            errors.append(self._error("E1011", uid, event.get("orgUnit")))
        program = self.store.get("programs", event.get("program"))
        if program is None:
            errors.append(self._error("E1010", uid, event.get("program")))
        stage_id = event.get("programStage")
        if not stage_id and program is not None:
            stages = program.get("programStages") or []
            if program.get("programType") == "WITHOUT_REGISTRATION" and len(stages) == 1:
                stage_id = event["programStage"] = stages[0].get("id")
            else:
                errors.append(self._error("E1123", uid, "programStage"))
        stage = self.store.get("programStages", stage_id) if stage_id else None
        if stage_id and stage is None:
            errors.append(self._error("E1013", uid, stage_id))
        if errors:
            return errors
        assert stage is not None and program is not None and ou is not None  # E1013 / E1010 / E1011 above
        if (stage.get("program") or {}).get("id") != program["id"]:
            errors.append(self._error("E1089", uid, uid, stage["id"], program["id"]))
        if not event.get("occurredAt") and event.get("status", "ACTIVE") != "SCHEDULE":
            errors.append(self._error("E1031", uid))
        assigned = {r.get("id") for r in program.get("organisationUnits") or [] if isinstance(r, dict)}
        if ou["id"] not in assigned:
            errors.append(self._error("E1029", uid, ou["id"], program["id"]))
        if not self._capture_ok(ou):
            errors.append(self._error("E1000", uid, self.user.get("username"), ou["id"]))
        stage_des = {(e.get("dataElement") or {}).get("id"): e for e in stage.get("programStageDataElements") or []}
        present = set()
        for dv in event.get("dataValues") or []:
            de_id = dv.get("dataElement")
            de = self.store.get("dataElements", de_id)
            if de is None:
                errors.append(self._error("E1304", uid, de_id))
                continue
            if de_id not in stage_des:
                errors.append(self._error("E1305", uid, de_id, stage["id"]))
                continue
            value = values.normalize_boolean(
                None if dv.get("value") is None else str(dv.get("value")), de.get("valueType")
            )
            if value is not None:
                present.add(de_id)
            key = values.value_error(value, de.get("valueType"), self.version.minor)
            if key:
                errors.append(self._error("E1302", uid, de_id, key))
                continue
            option_set = self.store.get("optionSets", (de.get("optionSet") or {}).get("id"))
            if option_set is not None and value is not None:
                codes = {
                    (self.store.get("options", (o or {}).get("id")) or {}).get("code")
                    for o in option_set.get("options") or []
                }
                if value not in codes:
                    args = (
                        (value, option_set["id"])
                        if self.version.minor >= 41
                        else (value, "DataElement", de_id, option_set["id"])
                    )
                    errors.append(self._error("E1125", uid, *args))
        if event.get("status") == "COMPLETED":
            for de_id, psde in stage_des.items():
                if psde.get("compulsory") and de_id not in present:
                    errors.append(self._error("E1303", uid, de_id))
        return errors

    def run(self) -> tuple[str, dict]:
        """(status, bare tracker ImportReport)."""
        events = [dict(e) for e in self.payload.get("events") or [] if isinstance(e, dict)]
        for event in events:
            if not event.get("event") or not is_valid_uid(event["event"]):
                event["event"] = new_uid()
        errors_by_event = {e["event"]: self._check(e) for e in events}
        error_reports = [r for errs in errors_by_event.values() for r in errs]
        valid = [e for e in events if not errors_by_event[e["event"]]]
        if error_reports and self.atomic == "ALL":
            valid = []
        created = updated = deleted = 0
        object_reports = []
        if self.import_mode == "COMMIT" and valid:
            stamp = datetime.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            stored = []
            for event in valid:
                existing = self.store.get_event(event["event"])
                if self.strategy == "DELETE":
                    stored.append({**(existing or {}), "deleted": True, "updatedAt": stamp})
                    deleted += 1
                else:
                    event.setdefault("status", "ACTIVE")
                    event["createdAt"] = (existing or {}).get("createdAt") or stamp
                    event["updatedAt"] = stamp
                    event.setdefault("storedBy", self.user.get("username"))
                    stored.append(event)
                    created, updated = (created, updated + 1) if existing else (created + 1, updated)
                object_reports.append({"trackerType": "EVENT", "uid": event["event"], "errorReports": []})
            self.store.put_events(stored)
        ignored = len(events) - created - updated - deleted
        status = "ERROR" if error_reports else "OK"
        report: dict = {
            "status": status,
            "validationReport": {"errorReports": error_reports, "warningReports": []},
            "stats": _stats(created, updated, deleted, ignored),
        }
        if created or updated or deleted:
            type_reports = {t: {"trackerType": t, "stats": _stats(), "objectReports": []} for t in TRACKER_TYPES}
            type_reports["EVENT"] = {
                "trackerType": "EVENT",
                "stats": _stats(created, updated, deleted, 0),
                "objectReports": object_reports,
            }
            report["bundleReport"] = {"typeReportMap": type_reports}
        if self.report_mode == "FULL":
            report["timingsStats"] = {"timers": {}}
        return status, report
