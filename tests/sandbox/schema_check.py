"""Contract checks of sandbox responses against the official DHIS2 JSON Schemas (../shared/dhis2/schemas).

v2.39.1 is used for DHIS2 2.39 (and 2.38, which has no schema of its own), v40.2.2 for 2.40 and later.
The generated schemas disagree with real DHIS2 answers in a few places; each patch below is needed for
a real response in ../shared/dhis2/samples or recorded/ to pass, which ``test_fidelity`` proves by
validating those real responses with the same checker:

- WebMessage requires ``errorCode`` and types ``response`` as a WebMessage; real success messages carry
  no errorCode and ``response`` is an ImportReport/ImportSummary/... (checked on its own here);
- ErrorReport types ``errorProperties`` items and ``value`` as objects; DHIS2 sends strings (sample 02b);
- Notification requires ``dataType``, JobConfiguration ``schedulingType`` ..., ImportOptions
  ``notificationLevel`` and ``mergeMode``; DHIS2 omits them (04a/04b, 03a, 04c);
- DataValue types ``comment`` as a string; a real GET sends ``null`` (recorded 2.40 GET).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

NAMES = {
    "v40.2.2": {
        "WebMessage": "WebMessage",
        "ImportReport": "ImportReport",
        "ImportSummary": "ImportSummary",
        "JobConfiguration": "JobConfiguration",
        "Notification": "Notification",
        "TrackerImportReport": "TrackerImportReport",
        "TrackerJob": None,
        "SystemInfo": "SystemInfo",
        "MeDto": "MeDto",
        "Pager": "Pager",
        "DataValue": "DataValue",
    },
    "v2.39.1": {
        "WebMessage": "webMessage",
        "ImportReport": "importReportWebMessageResponse",
        "ImportSummary": "importSummary",
        "JobConfiguration": "jobConfigurationWebMessageResponse",
        "Notification": "notification",
        "TrackerImportReport": "trackerImportReport",
        "TrackerJob": "trackerJobWebMessageResponse",
        "SystemInfo": "systemInfo",
        "MeDto": None,
        "Pager": "pager",
        "DataValue": "dataValue",
    },
}


def _patch(name: str, schema: dict) -> dict:
    schema = copy.deepcopy(schema)
    props = schema.get("properties", {})
    if name in ("WebMessage", "webMessage"):
        schema["required"] = ["status"]
        props.pop("response", None)
    if name in ("ErrorReport", "errorReport"):
        props["errorProperties"] = {"type": "array"}
        props["value"] = {}
    if name in ("Notification", "JobConfiguration", "ImportOptions"):
        schema.pop("required", None)
    if name in ("DataValue", "dataValue") and "comment" in props:
        props["comment"] = {"type": ["string", "null"]}
    return schema


@cache
def _registry(folder: Path) -> Registry:
    resources = []
    for path in folder.glob("*.json"):
        schema = _patch(path.stem, json.loads(path.read_text(encoding="utf-8")))
        resources.append((path.name, Resource.from_contents(schema, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def _validator(folder: Path, name: str) -> Draft202012Validator:
    schema = _registry(folder).contents(f"{name}.json")
    return Draft202012Validator(schema, registry=_registry(folder))


def folder_for(schemas_dir: Path, minor: int) -> Path:
    return schemas_dir / ("v2.39.1" if minor <= 39 else "v40.2.2")


def errors(schemas_dir: Path, minor: int, kind: str, instance) -> list[str]:
    """Schema violations of ``instance`` read as ``kind`` (a key of NAMES) for DHIS2 2.<minor>."""
    folder = folder_for(schemas_dir, minor)
    name = NAMES[folder.name][kind]
    if name is None:
        return []
    return [
        f"{kind} {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(folder, name).iter_errors(instance)
    ]


def response_kind(body: dict) -> str | None:
    """What a WebMessage ``response`` is, by its responseType (or shape, where DHIS2 prints none)."""
    rtype = (body.get("responseType") or "").removesuffix("WebMessageResponse")
    if rtype:
        return rtype
    if "jobType" in body:
        return "JobConfiguration"
    if "location" in body:
        return "TrackerJob"
    return None


def message_errors(schemas_dir: Path, minor: int, body: dict) -> list[str]:
    """A WebMessage: the envelope, then its ``response`` against the schema of its own type."""
    found = errors(schemas_dir, minor, "WebMessage", body)
    response = body.get("response")
    if isinstance(response, dict):
        kind = response_kind(response)
        if kind in NAMES["v40.2.2"]:
            found += errors(schemas_dir, minor, kind, response)
    return found
