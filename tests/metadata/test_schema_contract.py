"""The programmes' build passes the official DHIS2 JSON Schemas (2.39.1 and 40.2.2) for every type it emits."""

import json
from pathlib import Path

import pytest

from dhis2_mch.package.authoring import load_project
from dhis2_mch.package.build import to_json_bytes
from support.schemas import errors, schema_name

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("folder", ["v2.39.1", "v40.2.2"])
def test_build_of_metadata_passes_the_official_schemas(shared_dir, folder):
    md, findings = load_project(ROOT / "metadata")
    assert [f for f in findings if f.severity == "error"] == []
    built = json.loads(to_json_bytes(md))
    schemas = shared_dir / "dhis2" / "schemas" / folder
    problems, checked = [], set()
    for plural, objects in built.items():
        if not isinstance(objects, list):
            continue
        name = schema_name(plural)
        if not (schemas / f"{name}.json").exists():
            name = name[0].lower() + name[1:]  # 2.39.1 spells the files in camelCase
        checked.add(plural)
        problems += [p for obj in objects for p in errors(schemas, name, obj)]
    assert problems == []
    assert {"dataElements", "dataSets", "indicators", "programs", "programStages", "categoryOptionCombos"} <= checked
