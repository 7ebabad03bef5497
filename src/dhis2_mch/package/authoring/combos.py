"""Category option combos, generated for every category combo as DHIS2 would, but with stable UIDs.

DHIS2 generates a combo's option combos itself (``CategoryCombo.generateOptionCombosList``)
with random UIDs; dhis2-mch derives them from the combo's and the options' codes so that data pushed
by code, expressions written with option codes and re-deploys all agree on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dhis2_mch.model.categories import combinations, combo_name
from dhis2_mch.model.uid import derive_uid

if TYPE_CHECKING:
    from dhis2_mch.package.authoring.compiler import Raw


@dataclass
class Combos:
    #: (option combo as DHIS2 JSON, "file:line" of the combo's categories)
    objects: list[tuple[dict, str | None]] = field(default_factory=list)
    #: (combo UID, option codes) -> option combo UID
    by_options: dict[tuple[str | None, frozenset], str] = field(default_factory=dict)


def option_combos(raws: Iterable[Raw]) -> Combos:
    """Every combo's option combos with derived UIDs (``raws`` already converted)."""
    raws = list(raws)
    combos = Combos()
    by_uid = {raw.uid: raw for raw in raws}
    for raw in raws:
        if raw.mtype.name != "categoryCombo" or not raw.out.get("categories"):
            continue
        categories = [by_uid.get(r["id"]) for r in raw.out["categories"]]
        if any(c is None for c in categories):
            continue  # unresolved category: already reported
        option_lists = [[by_uid[r["id"]] for r in c.out.get("categoryOptions") or [] if r["id"] in by_uid]
                        for c in categories if c is not None]  # fmt: skip
        for options in combinations(option_lists):
            codes = [o.code or "" for o in options]
            coc: dict[str, Any] = {
                "id": derive_uid("categoryOptionCombo", raw.code or "", *codes),
                "name": combo_name([o.out.get("name") or o.code or "" for o in options]),
                "categoryCombo": {"id": raw.uid},
                "categoryOptions": [{"id": o.uid} for o in options],
            }
            vi = [_translation(o.out, "NAME", "vi") for o in options]
            if all(vi):
                coc["translations"] = [{"locale": "vi", "property": "NAME", "value": combo_name([v or "" for v in vi])}]
            combos.objects.append((coc, raw.where("categories")))
            combos.by_options[(raw.uid, frozenset(codes))] = coc["id"]
    return combos


def _translation(obj: dict, prop: str, locale: str) -> str | None:
    return next(
        (t["value"] for t in obj.get("translations", []) if t["property"] == prop and t["locale"] == locale), None
    )
