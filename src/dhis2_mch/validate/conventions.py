"""The project's own conventions, reported as warnings: upper-case codes, a translation in the
project locale (vi) for every translatable text, a description on what people count."""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model import findings as f
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.translations import translation_property
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.validate.context import Context

DESCRIBED_TYPES = {"dataElement", "indicator", "dataSet", "program", "programIndicator", "trackedEntityAttribute"}


def check(ctx: Context) -> Iterator[Finding]:
    for mtype, obj in ctx.md.items():
        if isinstance(obj, Unparsed):
            continue
        # a code is the project's to choose only where the UID derives from it; an object pinned to
        # another package's UID (WHO's NUT_FAC_LB_WGT_<2500g) keeps that package's code as it is
        if isinstance(obj.code, str) and obj.code != obj.code.upper() and _owned(mtype.name, obj.id, obj.code):
            yield ctx.warning(f.CODE_CASE, mtype, obj, "code", f"code `{obj.code}` is not upper case")
        translated = {t.property for t in obj.translations or [] if t.locale == ctx.locale}
        missing = [
            prop
            for prop in obj.TRANSLATABLE
            if isinstance(getattr(obj, prop, None), str) and translation_property(prop) not in translated
        ]
        if missing:
            yield ctx.warning(
                f.NO_TRANSLATION, mtype, obj, missing[0],
                f"no `{ctx.locale}` translation of {', '.join(missing)}",
            )  # fmt: skip
        if mtype.name in DESCRIBED_TYPES and not getattr(obj, "description", None):
            yield ctx.warning(f.NO_DESCRIPTION, mtype, obj, "description", "no description")


def _owned(type_name: str, uid: str | None, code: str) -> bool:
    """Whether the package chose this code: its UID derives from it (dhis2-mch's scheme, model/uid.py)."""
    if type_name in ("option", "categoryOptionCombo") or not code.strip():
        return True  # UIDs derive from parent and child codes: nothing to tell from the code alone
    return uid in (derive_uid(type_name, code), derive_uid(type_name, code.upper()))
