"""The data dictionary as plain data: one sheet per object type, one row per object.

Built from the typed model, so it reads the authoring folder and a DHIS2 JSON export (a WHO package)
alike. Every text column comes twice, English and the translation locale side by side; references
are shown by code and name, never by UID, and indicator formulas are written out in words in both
languages. Writers (markdown.py, xlsx.py) only lay these rows out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dhis2_mch.docs.naming import BASE, Naming
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import CategoryOptionCombo, DataSet, Option, ProgramStage, Section, Unparsed


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


class _Builder(Naming):
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
        used_in: dict[str | None, list[str]] = {}
        for ds in self.md.of(DataSet):
            for dse in ds.dataSetElements or []:
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
        coc_count: dict[str | None, int] = {}
        for coc in self.md.of(CategoryOptionCombo):
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
            (s for s in self.md.of(Section) if s.dataSet is not None and s.dataSet.id == ds.id),
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
            stage = self.index.get(ref.id or "")
            if not isinstance(stage, ProgramStage):
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
            found = [self.index.get(r.id or "") for r in os.options or []]
            opts = sorted((o for o in found if isinstance(o, Option)), key=lambda o: (o.sortOrder or 0, o.code or ""))
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
