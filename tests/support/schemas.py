"""Contract checks against the official DHIS2 JSON Schemas in ../shared/dhis2/schemas.

The schemas come from dhis2-json-schema-generator: their top-level ``required`` lists name
primitive and computed properties (a category option combo's ``aggregationType``, a data set's
``formType``) that DHIS2 fills in itself and that real exports, the WHO packages included, do not
carry. So a payload is checked with the top-level ``required`` removed: property names, JSON types,
enumerations and nested ``{"id": uid}`` shapes are what the contract is about. (Contracts of the
sandbox's *responses*, which need other corrections to the generated schemas, are in
tests/sandbox/schema_check.py.)
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


@cache
def registry(folder: Path) -> Registry:
    resources = []
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(schema, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(folder: Path, name: str, keep_required: bool = False) -> Draft202012Validator:
    schema = dict(json.loads((folder / f"{name}.json").read_text(encoding="utf-8")))
    if not keep_required:
        schema.pop("required", None)
    return Draft202012Validator(schema, registry=registry(folder))


def schema_name(plural: str) -> str:
    """dataElements -> DataElement, categories -> Category."""
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return singular[0].upper() + singular[1:]


def errors(folder: Path, name: str, instance, keep_required: bool = False) -> list[str]:
    v = validator(folder, name, keep_required)
    return [f"{name} {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(instance)]
