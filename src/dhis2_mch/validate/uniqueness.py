"""Duplicates inside the payload, per class as DHIS2 keeps them.

* E5004: the same UID twice in one type. DHIS2's DuplicateIdsCheck flags a repeat that follows its
  twin; a repeat further down passes validation and then fails on the database's unique uid column
  (create) or overwrites its twin (update), so every repeat is reported. One UID on objects of two
  types is fine: uid columns are unique per table.
* E5003: two objects of one type sharing a property DHIS2 keeps unique for that type in the version
  asked (UniquenessCheck fills its uniqueness map while walking the payload, so the second object gets
  E5003 naming the first). Values compare exactly, as Java's ``equals`` does.
"""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model.findings import Finding
from dhis2_mch.model.types import lookup
from dhis2_mch.validate.context import Context, ident


def check(ctx: Context) -> Iterator[Finding]:
    for plural, objs in ctx.md.objects.items():
        if not objs:
            continue
        mtype = lookup(plural)
        first_with_uid: dict[str, str] = {}
        for obj in objs:
            uid = obj.id
            if not isinstance(uid, str):
                continue
            if uid in first_with_uid:
                yield ctx.error(
                    "E5004", mtype, obj, "id",
                    f"Id `{uid}` for type `{mtype.simple}` exists on more than 1 object in the payload, "
                    f"removing all but the first found (first: {first_with_uid[uid]})",
                )  # fmt: skip
            else:
                first_with_uid[uid] = ident(mtype, obj)
        for prop in mtype.unique_properties(ctx.version):
            seen: dict[str, object] = {}
            for obj in objs:
                value = getattr(obj, prop, None)
                if not isinstance(value, str) or not value:
                    continue
                first = seen.get(value)
                if first is None:
                    seen[value] = obj
                elif getattr(first, "id", None) != obj.id:
                    yield ctx.error(
                        "E5003", mtype, obj, prop,
                        f"Property `{prop}` with value `{value}` on object {ident(mtype, obj)} "
                        f"already exists on object {getattr(first, 'id', None)}",
                    )  # fmt: skip
