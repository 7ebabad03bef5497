"""Read a DHIS2 metadata JSON file (an export, a WHO package, a build) into the typed model."""

from __future__ import annotations

import json
from pathlib import Path

from dhis2_mch.errors import InputError
from dhis2_mch.model import findings as f
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import Unparsed, ValidationError
from dhis2_mch.model.types import lookup


def read_json(path: Path):
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}.") from None


def load_metadata_json(path: Path) -> tuple[Metadata, list[f.Finding]]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: not a DHIS2 metadata file: expected a JSON object with collections such as "
            f'"dataElements": [...], found a JSON {type(data).__name__}.'
        )
    return metadata_from_dict(data)


def metadata_from_dict(data: dict) -> tuple[Metadata, list[f.Finding]]:
    """Type every object; one that does not fit its model is kept as-is and reported."""
    md = Metadata(key_order=list(data))
    findings: list[f.Finding] = []
    for key, value in data.items():
        if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            md.extras[key] = value
            continue
        mtype = lookup(key)
        objs = md.objects[key] = []
        for raw in value:
            try:
                objs.append(mtype.model.model_validate(raw))
            except ValidationError as exc:
                objs.append(Unparsed.model_construct(_fields_set=set(raw), **raw))
                findings.extend(
                    f.error(f.BAD_VALUE, mtype.name, raw.get("id"), raw.get("name"), prop, msg)
                    for prop, msg in pydantic_problems(exc)
                )
    return md, findings


def pydantic_problems(exc: ValidationError) -> list[tuple[str | None, str]]:
    """(property, message) per problem, e.g. ('zeroIsSignificant', 'expected a boolean, got "yes"')."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        prop = str(err["loc"][0]) if err["loc"] else None
        got = json.dumps(err.get("input"), ensure_ascii=False, default=str)
        if len(got) > 60:
            got = got[:57] + "..."
        out.append((prop, f"property `{loc}`: {err['msg'].lower()} (got {got})"))
    return out
