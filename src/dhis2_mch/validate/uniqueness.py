"""Duplicates inside the payload: the same UID twice (E5004), or two objects of one type sharing a
property DHIS2 keeps unique for that type. DHIS2's UniquenessCheck fills its uniqueness map as it
walks the payload, so the second object gets E5003 naming the first, the same code as a clash with
a stored object. Which properties are unique differs per type and version (model/types.py)."""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model.findings import Finding
from dhis2_mch.model.types import lookup
from dhis2_mch.validate.context import Context, ident


def check(ctx: Context) -> Iterator[Finding]:
    first_with_uid: dict[str, str] = {}
    for mtype, obj in ctx.md.items():
        if not isinstance(obj.id, str):
            continue
        if obj.id in first_with_uid:
            yield ctx.error(
                "E5004", mtype, obj, "id",
                f"Id `{obj.id}` for type `{mtype.simple}` exists on more than 1 object in the payload, "
                f"removing all but the first found (first: {first_with_uid[obj.id]})",
            )  # fmt: skip
        else:
            first_with_uid[obj.id] = ident(mtype, obj)

    for plural, objs in ctx.md.objects.items():
        if not objs:
            continue
        mtype = lookup(plural)
        for prop in mtype.unique_properties(ctx.version):
            seen: dict[str, object] = {}
            for obj in objs:
                value = getattr(obj, prop, None)
                if not isinstance(value, str) or not value:
                    continue
                if value in seen:
                    yield ctx.error(
                        "E5003", mtype, obj, prop,
                        f"Property `{prop}` with value `{value}` on object {ident(mtype, obj)} "
                        f"already exists on object {seen[value].id}",
                    )  # fmt: skip
                else:
                    seen[value] = obj
