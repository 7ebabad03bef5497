"""UIDs, required properties and lengths: DHIS2's UidFormatCheck (E4014) and SchemaCheck
(``DefaultSchemaValidator``: E4000 for a required property that is null, E4001 for a stored text
longer than its column), with the required and stored properties of the version asked
(``model/schema_table.py``). Values are judged as DHIS2's JSON reader leaves them: ``""`` is null,
a number given for a text is its text."""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model import findings as f
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.validate.context import Context

# Child objects that carry their own UID inside a parent; an invalid one does not fit DHIS2's uid column.
NESTED_IDS = ("programStageDataElements", "programTrackedEntityAttributes", "trackedEntityTypeAttributes")


def check(ctx: Context) -> Iterator[Finding]:
    schemas: dict[str, tuple[tuple[str, ...], dict[str, int]]] = {}
    for mtype, obj in ctx.md.items():
        uid = obj.id
        if uid is not None and not is_valid_uid(uid):
            yield ctx.error("E4014", mtype, obj, "id", f"Invalid UID `{uid}` for property `id`")
        for child_prop in NESTED_IDS:
            if child_prop in type(obj).model_fields:
                for child in getattr(obj, child_prop, None) or []:
                    if child.id is not None and not is_valid_uid(child.id):
                        yield ctx.error("E4014", mtype, obj, child_prop, f"Invalid UID `{child.id}` for property `id`")
        if isinstance(obj, Unparsed):
            continue
        if mtype.name not in schemas:
            schemas[mtype.name] = (mtype.required_properties(ctx.version), mtype.lengths(ctx.version))
        required, lengths = schemas[mtype.name]
        for prop in required:
            if getattr(obj, prop, None) is None:
                yield ctx.error("E4000", mtype, obj, prop, f"Missing required property `{prop}`")
        for prop, limit in lengths.items():
            value = getattr(obj, prop, None)
            if isinstance(value, str) and len(value) > limit:
                size = len(value.encode("utf-16-le")) // 2  # Java counts UTF-16 units
                if size > limit:
                    yield ctx.error(
                        "E4001", mtype, obj, prop,
                        f"Maximum length of property `{prop}`is {limit}, but given length was {size}",
                    )  # fmt: skip
        for prop, note in obj.notes:
            yield ctx.warning(f.CONVERTED, mtype, obj, prop, f"{note} when it reads `{prop}`")
