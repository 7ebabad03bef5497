"""The data dictionary as plain data: one sheet per object type, one row per object.

Built from the typed model, so it reads the authoring folder and a DHIS2 JSON export (a WHO package)
alike. Every text column comes twice, English and the translation locale side by side; references
are shown by code and name, never by UID, and indicator formulas are written out in words in both
languages. Writers (markdown.py, xlsx.py) only lay these rows out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import IdentifiableObject, Unparsed
from dhis2_mch.model.translations import translation_property
from dhis2_mch.model.types import DEFAULT_UIDS

BASE = "en"
TOKEN = re.compile(r"(#|[A-Z]{1,3})\{([^{}]*)\}")
DEFAULT_NAMES = {uid: "default" for uid in DEFAULT_UIDS.values()}

#: words used inside the readable formulas, per locale (English for any locale not listed)
WORDS = {
    "en": {"events": "number of events", "count_in": "number of org units in", "reporting": "reporting rate",
           "all": "all", "none": "none"},
    "vi": {"events": "số sự kiện", "count_in": "số đơn vị thuộc nhóm", "reporting": "tỷ lệ báo cáo",
           "all": "tất cả", "none": "không có"},
}  # fmt: skip


@dataclass
class Sheet:
    """One object type: ``rows`` are dicts keyed by ``columns`` (values are text or numbers)."""

    name: str  # sheet title (Excel allows 31 characters)
    plural: str  # the DHIS2 collection it lists
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Dictionary:
    title: str
    package: dict[str, Any]
    locale: str
    sheets: list[Sheet]

    def counts(self) -> dict[str, int]:
        return {s.name: len(s.rows) for s in self.sheets}


def build(md: Metadata, locale: str = "vi") -> Dictionary:
    """The data dictionary of ``md`` with ``locale`` beside English."""
    return _Builder(md, locale).build()


class _Builder:
    def __init__(self, md: Metadata, locale: str) -> None:
        self.md, self.locale = md, locale
        self.index: dict[str, IdentifiableObject] = {obj.id: obj for _, obj in md.items() if obj.id}
        self.words = {lc: WORDS.get(lc, WORDS[BASE]) for lc in (BASE, locale)}

    # ---- texts -----------------------------------------------------------------------------------

    def text(self, obj: IdentifiableObject | None, prop: str, locale: str = BASE) -> str:
        """A translatable text in ``locale`` ('' when missing); English is the property itself."""
        if obj is None:
            return ""
        base = getattr(obj, prop, None)
        if locale == BASE:
            return base if isinstance(base, str) else ""
        wanted = translation_property(prop)
        for t in obj.translations or []:
            if t.property == wanted and t.locale == locale:
                return t.value
        return ""

    def pair(self, obj, prop: str, label: str) -> dict[str, str]:
        """``{"Label (en)": ..., "Label (vi)": ...}`` for one translatable property."""
        return {
            f"{label} ({BASE})": self.text(obj, prop),
            f"{label} ({self.locale})": self.text(obj, prop, self.locale),
        }

    def cols(self, *labels: str) -> list[str]:
        return [f"{label} ({lc})" for label in labels for lc in (BASE, self.locale)]

    def name(self, uid: str | None, locale: str = BASE) -> str:
        """Display name of a referenced object in ``locale`` (English, then code, then UID as fallbacks)."""
        if uid is None:
            return ""
        obj = self.index.get(uid)
        if obj is None:
            return DEFAULT_NAMES.get(uid, uid)
        return self.text(obj, "name", locale) or self.text(obj, "name") or obj.code or uid

    def code(self, uid: str | None) -> str:
        if uid is None:
            return ""
        obj = self.index.get(uid)
        if obj is None:
            return DEFAULT_NAMES.get(uid, uid)
        return obj.code or uid

    def labelled(self, uid: str | None, locale: str = BASE) -> str:
        """``CODE - name`` of a referenced object."""
        code, name = self.code(uid), self.name(uid, locale)
        return name if code == name else f"{code} - {name}"

    # ---- sheets ----------------------------------------------------------------------------------

    def build(self) -> Dictionary:
        pkg = self.md.extras.get("package")
        package = dict(pkg) if isinstance(pkg, dict) else {}
        title = str(package.get("name") or package.get("code") or "DHIS2 metadata")
        sheets = [
            self.data_elements(),
            self.category_combos(),
            self.category_options(),
            self.data_sets(),
            self.indicators(),
            self.program_indicators(),
            self.programs(),
            self.option_sets(),
            self.org_unit_groups(),
        ]
        return Dictionary(title, package, self.locale, sheets)

    def _sheet(self, name: str, plural: str, columns: list[str], row: Callable[[Any], dict[str, Any]]) -> Sheet:
        objs = sorted(self.md.of(plural), key=lambda o: (o.code or "", str(o.name or ""), o.id or ""))
        return Sheet(name, plural, columns, [self._unparsed(o) if isinstance(o, Unparsed) else row(o) for o in objs])

    def _unparsed(self, obj) -> dict[str, Any]:
        """An object the loader could not type (already reported by validate): what can be said of it."""
        return {"Code": obj.code or obj.id, f"Name ({BASE})": obj.name if isinstance(obj.name, str) else ""}

    def data_elements(self) -> Sheet:
        used_in: dict[str, list[str]] = {}
        for ds in self.md.of("dataSets"):
            for dse in getattr(ds, "dataSetElements", None) or []:
                if dse.dataElement is not None:
                    used_in.setdefault(dse.dataElement.id, []).append(ds.code or ds.id or "")
        for stage in self.md.of("programStages"):
            for psde in getattr(stage, "programStageDataElements", None) or []:
                if psde.dataElement is not None:
                    used_in.setdefault(psde.dataElement.id, []).append(stage.code or stage.id or "")
        columns = ["Code", *self.cols("Name", "Short name", "Form name", "Description"), "Domain",
                   "Value type", "Aggregation", "Zero is significant", *self.cols("Disaggregation"), "Option set",
                   "Used in"]  # fmt: skip

        def row(de) -> dict[str, Any]:
            combo = de.categoryCombo.id if de.categoryCombo else None
            return {
                "Code": de.code or de.id,
                **self.pair(de, "name", "Name"),
                **self.pair(de, "shortName", "Short name"),
                **self.pair(de, "formName", "Form name"),
                **self.pair(de, "description", "Description"),
                "Domain": de.domainType or "",
                "Value type": de.valueType or "",
                "Aggregation": de.aggregationType or "",
                "Zero is significant": "yes" if de.zeroIsSignificant else "no",
                f"Disaggregation ({BASE})": self.name(combo),
                f"Disaggregation ({self.locale})": self.name(combo, self.locale),
                "Option set": self.code(de.optionSet.id) if de.optionSet else "",
                "Used in": "\n".join(sorted(used_in.get(de.id, []))),
            }

        return self._sheet("Data elements", "dataElements", columns, row)

    def _combo_categories(self, combo, locale: str) -> str:
        lines = []
        for cat_ref in combo.categories or []:
            cat = self.index.get(cat_ref.id)
            options = [self.name(r.id, locale) for r in (getattr(cat, "categoryOptions", None) or [])]
            lines.append(f"{self.name(cat_ref.id, locale)}: {', '.join(options)}")
        return "\n".join(lines)

    def category_combos(self) -> Sheet:
        coc_count: dict[str, int] = {}
        for coc in self.md.of("categoryOptionCombos"):
            if coc.categoryCombo is not None:
                coc_count[coc.categoryCombo.id] = coc_count.get(coc.categoryCombo.id, 0) + 1
        columns = ["Code", *self.cols("Name", "Categories and options"), "Option combos", "Data dimension type"]

        def row(combo) -> dict[str, Any]:
            return {
                "Code": combo.code or combo.id,
                **self.pair(combo, "name", "Name"),
                f"Categories and options ({BASE})": self._combo_categories(combo, BASE),
                f"Categories and options ({self.locale})": self._combo_categories(combo, self.locale),
                "Option combos": coc_count.get(combo.id, 0),
                "Data dimension type": combo.dataDimensionType or "",
            }

        return self._sheet("Category combos", "categoryCombos", columns, row)

    def category_options(self) -> Sheet:
        in_categories: dict[str, list[str]] = {}
        for cat in self.md.of("categories"):
            for ref in getattr(cat, "categoryOptions", None) or []:
                in_categories.setdefault(ref.id, []).append(cat.code or cat.id or "")
        columns = ["Code", *self.cols("Name", "Short name", "Description"), "Categories"]

        def row(opt) -> dict[str, Any]:
            return {
                "Code": opt.code or opt.id,
                **self.pair(opt, "name", "Name"),
                **self.pair(opt, "shortName", "Short name"),
                **self.pair(opt, "description", "Description"),
                "Categories": "\n".join(in_categories.get(opt.id, [])),
            }

        return self._sheet("Category options", "categoryOptions", columns, row)

    def _sections(self, ds, locale: str) -> str:
        sections = sorted(
            (s for s in self.md.of("sections") if s.dataSet is not None and s.dataSet.id == ds.id),
            key=lambda s: (s.sortOrder or 0, s.code or ""),
        )
        lines = []
        for s in sections:
            lines.append(f"{self.text(s, 'name', locale) or self.text(s, 'name')}:")
            lines += [f"  {self.labelled(r.id, locale)}" for r in s.dataElements or []]
        return "\n".join(lines)

    def data_sets(self) -> Sheet:
        columns = ["Code", *self.cols("Name", "Short name", "Description"), "Period type", "Data elements",
                   *self.cols("Sections")]  # fmt: skip

        def row(ds) -> dict[str, Any]:
            elements = [self.labelled(e.dataElement.id) for e in ds.dataSetElements or [] if e.dataElement]
            return {
                "Code": ds.code or ds.id,
                **self.pair(ds, "name", "Name"),
                **self.pair(ds, "shortName", "Short name"),
                **self.pair(ds, "description", "Description"),
                "Period type": ds.periodType or "",
                "Data elements": "\n".join(elements),
                f"Sections ({BASE})": self._sections(ds, BASE),
                f"Sections ({self.locale})": self._sections(ds, self.locale),
            }

        return self._sheet("Data sets", "dataSets", columns, row)

    # ---- expressions -----------------------------------------------------------------------------

    def expression(self, expr: str | None, locale: str | None, program_indicator: bool = False) -> str:
        """``expr`` with UIDs replaced by codes (``locale`` None) or by bracketed names in ``locale``."""
        if not isinstance(expr, str):
            return ""
        words = self.words.get(locale or BASE, WORDS[BASE])

        def replace(m: re.Match) -> str:
            prefix, parts = m.group(1), m.group(2).strip().split(".")
            if locale is None:
                if prefix == "#" and not program_indicator and len(parts) > 1:
                    return f"#{{{'.'.join([self.code(parts[0]), *(self._coc_codes(p) for p in parts[1:])])}}}"
                return f"{prefix}{{{'.'.join(self.code(p) for p in parts)}}}"
            if prefix == "V":
                return f"[{words['events']}]" if parts == ["event_count"] else f"[{m.group(2)}]"
            if prefix == "OUG":
                return f"[{words['count_in']}: {self.name(parts[0], locale)}]"
            if prefix == "R":
                return f"[{self.name(parts[0], locale)}: {words['reporting']}]"
            if prefix == "#" and not program_indicator and len(parts) > 1:
                combos = [words["all"] if p == "*" else self.name(p, locale) for p in parts[1:]]
                combos = [c for c in combos if c != "default"]
                shown = f" ({', '.join(combos)})" if combos else ""
                return f"[{self.name(parts[0], locale)}{shown}]"
            return "[" + " › ".join(self.name(p, locale) for p in parts) + "]"

        return " ".join(TOKEN.sub(replace, expr).split())

    def _coc_codes(self, uid: str) -> str:
        if uid == "*" or uid in DEFAULT_NAMES:
            return "*" if uid == "*" else "default"
        coc = self.index.get(uid)
        if coc is None or not getattr(coc, "categoryOptions", None):
            return self.code(uid)
        return "+".join(self.code(r.id) for r in coc.categoryOptions)

    def indicators(self) -> Sheet:
        groups: dict[str, list[str]] = {}
        for g in self.md.of("indicatorGroups"):
            for ref in getattr(g, "indicators", None) or []:
                groups.setdefault(ref.id, []).append(g.code or g.id or "")
        columns = ["Code", *self.cols("Name", "Short name", "Description"), "Indicator type", "Factor",
                   "Numerator (codes)", *self.cols("Numerator", "Numerator description"),
                   "Denominator (codes)", *self.cols("Denominator", "Denominator description"), "Groups"]  # fmt: skip

        def row(ind) -> dict[str, Any]:
            itype = self.index.get(ind.indicatorType.id) if ind.indicatorType else None
            out = {
                "Code": ind.code or ind.id,
                **self.pair(ind, "name", "Name"),
                **self.pair(ind, "shortName", "Short name"),
                **self.pair(ind, "description", "Description"),
                "Indicator type": self.name(ind.indicatorType.id) if ind.indicatorType else "",
                "Factor": getattr(itype, "factor", None) if itype is not None else None,
            }
            for part in ("numerator", "denominator"):
                label = part.capitalize()
                expr = getattr(ind, part)
                out[f"{label} (codes)"] = self.expression(expr, None)
                out[f"{label} ({BASE})"] = self.expression(expr, BASE)
                out[f"{label} ({self.locale})"] = self.expression(expr, self.locale)
                out.update(self.pair(ind, f"{part}Description", f"{label} description"))
            out["Groups"] = "\n".join(groups.get(ind.id, []))
            return out

        return self._sheet("Indicators", "indicators", columns, row)

    def program_indicators(self) -> Sheet:
        columns = ["Code", *self.cols("Name", "Short name", "Description"), "Program", "Aggregation",
                   "Expression (codes)", *self.cols("Expression"), "Filter (codes)", *self.cols("Filter")]  # fmt: skip

        def row(pi) -> dict[str, Any]:
            out = {
                "Code": pi.code or pi.id,
                **self.pair(pi, "name", "Name"),
                **self.pair(pi, "shortName", "Short name"),
                **self.pair(pi, "description", "Description"),
                "Program": self.labelled(pi.program.id) if pi.program else "",
                "Aggregation": pi.aggregationType or "",
            }
            for part in ("expression", "filter"):
                label = part.capitalize()
                expr = getattr(pi, part)
                out[f"{label} (codes)"] = self.expression(expr, None, program_indicator=True)
                out[f"{label} ({BASE})"] = self.expression(expr, BASE, program_indicator=True)
                out[f"{label} ({self.locale})"] = self.expression(expr, self.locale, program_indicator=True)
            return out

        return self._sheet("Program indicators", "programIndicators", columns, row)

    # ---- programs, option sets, groups -----------------------------------------------------------

    def _stages(self, program, locale: str) -> str:
        lines = []
        for ref in program.programStages or []:
            stage = self.index.get(ref.id)
            if stage is None:
                lines.append(self.code(ref.id))
                continue
            lines.append(f"{self.text(stage, 'name', locale) or self.text(stage, 'name')}:")
            for psde in sorted(stage.programStageDataElements or [], key=lambda p: p.sortOrder or 0):
                if psde.dataElement is None:
                    continue
                star = " *" if psde.compulsory else ""
                lines.append(f"  {self.labelled(psde.dataElement.id, locale)}{star}")
        return "\n".join(lines)

    def programs(self) -> Sheet:
        columns = ["Code", *self.cols("Name", "Short name", "Description"), "Program type",
                   *self.cols("Stages and data elements")]  # fmt: skip

        def row(p) -> dict[str, Any]:
            return {
                "Code": p.code or p.id,
                **self.pair(p, "name", "Name"),
                **self.pair(p, "shortName", "Short name"),
                **self.pair(p, "description", "Description"),
                "Program type": p.programType or "",
                f"Stages and data elements ({BASE})": self._stages(p, BASE),
                f"Stages and data elements ({self.locale})": self._stages(p, self.locale),
            }

        return self._sheet("Programs", "programs", columns, row)

    def option_sets(self) -> Sheet:
        columns = ["Code", *self.cols("Name", "Description"), "Value type", *self.cols("Options")]

        def options(os, locale: str) -> str:
            opts = [self.index.get(r.id) for r in os.options or []]
            opts = sorted((o for o in opts if o is not None), key=lambda o: (o.sortOrder or 0, o.code or ""))
            return "\n".join(f"{o.code}: {self.text(o, 'name', locale) or self.text(o, 'name')}" for o in opts)

        def row(os) -> dict[str, Any]:
            return {
                "Code": os.code or os.id,
                **self.pair(os, "name", "Name"),
                **self.pair(os, "description", "Description"),
                "Value type": os.valueType or "",
                f"Options ({BASE})": options(os, BASE),
                f"Options ({self.locale})": options(os, self.locale),
            }

        return self._sheet("Option sets", "optionSets", columns, row)

    def org_unit_groups(self) -> Sheet:
        group_sets: dict[str, list[str]] = {}
        for gs in self.md.of("organisationUnitGroupSets"):
            for ref in getattr(gs, "organisationUnitGroups", None) or []:
                group_sets.setdefault(ref.id, []).append(self.labelled(gs.id))
        columns = ["Code", *self.cols("Name", "Short name", "Description"), "Group sets", "Members in package"]

        def row(g) -> dict[str, Any]:
            return {
                "Code": g.code or g.id,
                **self.pair(g, "name", "Name"),
                **self.pair(g, "shortName", "Short name"),
                **self.pair(g, "description", "Description"),
                "Group sets": "\n".join(group_sets.get(g.id, [])),
                "Members in package": len(g.organisationUnits or []),
            }

        return self._sheet("Org unit groups", "organisationUnitGroups", columns, row)
