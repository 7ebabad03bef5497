"""References between objects (DHIS2's ReferencesCheck, E5002), program stages without a program
(ProgramStageObjectBundleHook, E4053), and two things DHIS2 does not check but a package should get
right (data element domains, option combos), as warnings.

DHIS2 resolves a reference against the payload and then the target server's database, per class.
Offline only the payload is known, so a reference the package does not carry is a warning with the
reason: an organisation unit, user group, user, attribute or org unit level normally lives on the
server (MCH007); anything else is E5002 unless the server has it. ``plan`` checks both against the
server. A reference DHIS2 can never resolve is an error: one without an id, or whose UID names an object
of another type in the package, or is no UID at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model import findings as f
from dhis2_mch.model.enums import DOMAIN_TYPES
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.types import BY_NAME, DEFAULT_UIDS, MetadataType, RefSpec, walk_refs
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.validate.context import Context, ident


def check(ctx: Context) -> Iterator[Finding]:
    for mtype, obj in ctx.md.items():
        if isinstance(obj, Unparsed):
            continue
        for spec in mtype.refs:
            for where, ref in walk_refs(obj, spec.path):
                uid = ref.id
                if not ctx.resolves(uid, spec.target):
                    yield _unresolved(ctx, mtype, obj, spec, where, uid, ref.dump())
        for i, value in enumerate(obj.attributeValues or []):
            attribute = value.get("attribute") if isinstance(value, dict) else None
            uid = attribute.get("id") if isinstance(attribute, dict) else None
            if isinstance(uid, str) and not ctx.resolves(uid, "attribute"):
                yield ctx.warning(
                    f.ON_SERVER, mtype, obj, f"attributeValues[{i}].attribute",
                    f"attribute [{uid}] is not in this package: it is resolved on the server (DHIS2 refuses the "
                    f"import with E5002 if the server has no such attribute; `plan` checks)",
                )  # fmt: skip
    yield from _program_stages(ctx)
    yield from _domains(ctx)
    yield from _category_model(ctx)


def _unresolved(ctx, mtype: MetadataType, obj, spec: RefSpec, where: str, uid, raw) -> Finding:
    target = BY_NAME[spec.target].simple if spec.target in BY_NAME else spec.target[0].upper() + spec.target[1:]
    shown = f"[{uid}] ({target})" if uid else f"{raw} ({target})"
    base = f"Invalid reference {shown} on object {ident(mtype, obj)} for association `{spec.property}`"
    if not spec.owner:
        return ctx.warning(
            "E5002", mtype, obj, where,
            f"{base}: DHIS2 does not read this side of the link at import (the {spec.target} lists its members), "
            f"so it ignores the reference",
        )  # fmt: skip
    if not isinstance(uid, str) or not uid:
        return ctx.error("E5002", mtype, obj, where, f"{base}: the reference has no id")
    others = ctx.types_of(uid)
    if others:
        return ctx.error("E5002", mtype, obj, where, f"{base}: [{uid}] is a {', '.join(others)} in this package")
    if spec.on_server:
        reason = "a placeholder to replace before import" if not is_valid_uid(uid) else "resolved on the server"
        return ctx.warning(
            f.ON_SERVER, mtype, obj, where,
            f"{spec.target} [{uid}] is not in this package: {reason} (DHIS2 refuses the import with E5002 if the "
            f"server has none; `plan` checks)",
        )  # fmt: skip
    if not is_valid_uid(uid):
        return ctx.error("E5002", mtype, obj, where, f"{base}: `{uid}` is not a UID, so no server can have it")
    return ctx.warning(
        "E5002", mtype, obj, where,
        f"{base}: not in this package, so DHIS2 looks for it on the target server and refuses the import if it "
        f"is not there (`plan` checks)",
    )  # fmt: skip


def _program_stages(ctx: Context) -> Iterator[Finding]:
    if ctx.version < (2, 38):  # ProgramStageObjectBundleHook.validate checks the program from 2.38
        return
    stage_t = BY_NAME["programStage"]
    for stage in ctx.md.of("programStages"):
        if not isinstance(stage, Unparsed) and (stage.program is None or not stage.program.id):
            yield ctx.error("E4053", stage_t, stage, "program", f"Program stage `{stage.id}` must reference a program")


def _domains(ctx: Context) -> Iterator[Finding]:
    """DHIS2 accepts a TRACKER data element in a data set (no hook checks it); data entry then hides it."""
    de_t = BY_NAME["dataElement"]
    for mtype, path, wanted in (
        (BY_NAME["dataSet"], "dataSetElements[].dataElement", "AGGREGATE"),
        (BY_NAME["programStage"], "programStageDataElements[].dataElement", "TRACKER"),
    ):
        for obj in ctx.md.of(mtype.plural):
            if isinstance(obj, Unparsed):
                continue
            for where, ref in walk_refs(obj, path):
                de = ctx.get(ref.id, "dataElement")
                domain = getattr(de, "domainType", None) if de is not None else None
                if de is not None and domain in DOMAIN_TYPES and domain != wanted:
                    yield ctx.warning(
                        f.WRONG_DOMAIN, mtype, obj, where,
                        f"data element {ident(de_t, de)} has domainType {domain}; a {mtype.simple} is meant for "
                        f"{wanted} data elements (DHIS2 stores it, but its forms and analytics ignore it)",
                    )  # fmt: skip


def _category_model(ctx: Context) -> Iterator[Finding]:
    """DHIS2's metadata import does not check option combos against their combo (it regenerates them)."""
    cat_t, combo_t, coc_t = BY_NAME["category"], BY_NAME["categoryCombo"], BY_NAME["categoryOptionCombo"]
    for cat in ctx.md.of("categories"):
        if not isinstance(cat, Unparsed) and not cat.categoryOptions:
            yield ctx.warning(f.CATEGORY_MODEL, cat_t, cat, "categoryOptions", "a category without options")
    for combo in ctx.md.of("categoryCombos"):
        if not isinstance(combo, Unparsed) and not combo.categories and combo.id != DEFAULT_UIDS["categoryCombo"]:
            yield ctx.warning(f.CATEGORY_MODEL, combo_t, combo, "categories", "a category combo without categories")

    seen: dict[tuple[str, frozenset], str | None] = {}
    for coc in ctx.md.of("categoryOptionCombos"):
        if isinstance(coc, Unparsed) or coc.categoryCombo is None or coc.categoryCombo.id is None:
            continue
        combo_id = coc.categoryCombo.id
        options = frozenset(r.id for r in coc.categoryOptions or [])
        key = (combo_id, options)
        if key in seen:
            yield ctx.warning(
                f.CATEGORY_MODEL, coc_t, coc, "categoryOptions",
                f"same category options as option combo [{seen[key]}] of the same category combo "
                f"(DHIS2 keeps one option combo per combination and regenerates the rest)",
            )  # fmt: skip
        seen.setdefault(key, coc.id)
        its_combo = ctx.get(combo_id, "categoryCombo")
        if its_combo is None:
            continue
        for cat_ref in its_combo.categories or []:
            its_cat = ctx.get(cat_ref.id, "category")
            if its_cat is None:
                continue
            cat_options = {r.id for r in its_cat.categoryOptions or []}
            if len(cat_options & options) != 1:
                yield ctx.warning(
                    f.CATEGORY_MODEL, coc_t, coc, "categoryOptions",
                    f"holds {len(cat_options & options)} options of category {ident(cat_t, its_cat)} of its combo "
                    f"{ident(combo_t, its_combo)} instead of one (DHIS2 does not check this at import)",
                )  # fmt: skip
