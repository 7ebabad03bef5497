"""References between objects: every ``{"id": ...}`` a typed property holds must name an object of
the right type in the package or DHIS2's default category model (E5002); program stages need a
program (E4053); aggregate data sets take AGGREGATE data elements and program stages TRACKER ones;
category combos and option combos must add up."""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model import findings as f
from dhis2_mch.model.enums import DOMAIN_TYPES
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.types import BY_NAME, DEFAULT_UIDS, walk_refs
from dhis2_mch.validate.context import Context, ident


def check(ctx: Context) -> Iterator[Finding]:
    for mtype, obj in ctx.md.items():
        if isinstance(obj, Unparsed):
            continue
        for spec in mtype.refs:
            target = BY_NAME[spec.target]
            for where, ref in walk_refs(obj, spec.path):
                if not ctx.resolves(ref.id, spec.target):
                    shown = f"[{ref.id}] ({target.simple})" if ref.id else f"{ref.dump()} ({target.simple})"
                    yield ctx.error(
                        "E5002", mtype, obj, where,
                        f"Invalid reference {shown} on object {ident(mtype, obj)} for association `{spec.property}`",
                    )  # fmt: skip
    yield from _program_stages(ctx)
    yield from _domains(ctx)
    yield from _category_model(ctx)


def _program_stages(ctx: Context) -> Iterator[Finding]:
    stage_t = BY_NAME["programStage"]
    for stage in ctx.md.of("programStages"):
        if not isinstance(stage, Unparsed) and (stage.program is None or not stage.program.id):
            yield ctx.error("E4053", stage_t, stage, "program", f"Program stage `{stage.id}` must reference a program")


def _domains(ctx: Context) -> Iterator[Finding]:
    def domain_of(uid):
        hit = ctx.index.get(uid)
        return getattr(hit[1], "domainType", None) if hit and hit[0].name == "dataElement" else None

    for mtype, path, wanted in (
        (BY_NAME["dataSet"], "dataSetElements[].dataElement", "AGGREGATE"),
        (BY_NAME["programStage"], "programStageDataElements[].dataElement", "TRACKER"),
    ):
        for obj in ctx.md.of(mtype.plural):
            if isinstance(obj, Unparsed):
                continue
            for where, ref in walk_refs(obj, path):
                domain = domain_of(ref.id)
                if domain in DOMAIN_TYPES and domain != wanted:  # an unknown domainType is enums.py's finding
                    de = ctx.index[ref.id][1]
                    yield ctx.error(
                        f.WRONG_DOMAIN, mtype, obj, where,
                        f"data element {ident(BY_NAME['dataElement'], de)} has domainType {domain}; "
                        f"a {mtype.simple} can only hold {wanted} data elements",
                    )  # fmt: skip


def _category_model(ctx: Context) -> Iterator[Finding]:
    cat_t, combo_t, coc_t = BY_NAME["category"], BY_NAME["categoryCombo"], BY_NAME["categoryOptionCombo"]
    for cat in ctx.md.of("categories"):
        if not isinstance(cat, Unparsed) and not cat.categoryOptions:
            yield ctx.error(f.CATEGORY_MODEL, cat_t, cat, "categoryOptions", "a category needs at least one option")
    for combo in ctx.md.of("categoryCombos"):
        if not isinstance(combo, Unparsed) and not combo.categories and combo.id != DEFAULT_UIDS["categoryCombo"]:
            yield ctx.error(
                f.CATEGORY_MODEL, combo_t, combo, "categories", "a category combo needs at least one category"
            )

    seen: dict[tuple[str, frozenset], str] = {}
    for coc in ctx.md.of("categoryOptionCombos"):
        if isinstance(coc, Unparsed) or coc.categoryCombo is None:
            continue
        hit = ctx.index.get(coc.categoryCombo.id)
        options = frozenset(r.id for r in coc.categoryOptions or [])
        key = (coc.categoryCombo.id, options)
        if key in seen:
            yield ctx.error(
                f.CATEGORY_MODEL, coc_t, coc, "categoryOptions",
                f"same category options as option combo [{seen[key]}] of the same category combo",
            )  # fmt: skip
        seen.setdefault(key, coc.id)
        if not hit or hit[0].name != "categoryCombo":
            continue
        combo = hit[1]
        for cat_ref in combo.categories or []:
            cat_hit = ctx.index.get(cat_ref.id)
            if not cat_hit:
                continue
            cat_options = {r.id for r in cat_hit[1].categoryOptions or []}
            if len(cat_options & options) != 1:
                yield ctx.error(
                    f.CATEGORY_MODEL, coc_t, coc, "categoryOptions",
                    f"must hold exactly one option of category {ident(cat_t, cat_hit[1])} "
                    f"of its combo {ident(combo_t, combo)}, holds {len(cat_options & options)}",
                )  # fmt: skip
