"""UIDs, required properties and lengths: DHIS2's schema validation (E4014, E4000, E4001)."""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.validate.context import Context

# Child objects that carry their own UID inside a parent (DHIS2 validates them too).
NESTED_IDS = ("programStageDataElements", "programTrackedEntityAttributes")


def check(ctx: Context) -> Iterator[Finding]:
    for mtype, obj in ctx.md.items():
        if obj.id is not None and not is_valid_uid(obj.id):
            yield ctx.error("E4014", mtype, obj, "id", f"Invalid UID `{obj.id}` for property `id`")
        for child_prop in NESTED_IDS:
            for child in getattr(obj, child_prop, None) or []:
                if child.id is not None and not is_valid_uid(child.id):
                    yield ctx.error("E4014", mtype, obj, child_prop, f"Invalid UID `{child.id}` for property `id`")
        if isinstance(obj, Unparsed):
            continue
        for prop in mtype.required_properties(ctx.version):
            # DHIS2 skips empty strings here (StringUtils.isEmpty), and never requires a category-model reference
            if getattr(obj, prop, None) is None:
                yield ctx.error("E4000", mtype, obj, prop, f"Missing required property `{prop}`")
        for prop, limit in mtype.lengths.items():
            value = getattr(obj, prop, None)
            if isinstance(value, str) and len(value) > limit:  # DHIS2 counts UTF-16 units; Vietnamese is BMP
                yield ctx.error(
                    "E4001", mtype, obj, prop,
                    f"Maximum length of property `{prop}`is {limit}, but given length was {len(value)}",
                )  # fmt: skip
