"""``orgunits build``: the hierarchy of the provinces asked for, as DHIS2 metadata objects.

The result is a ``Metadata`` like any package (so plan, deploy and backup treat it the same way)
plus what a person reviews before deploying: how many units of each kind, and the source release
the codes come from.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import OrganisationUnit
from dhis2_mch.orgunits import hierarchy, legacy, source


@dataclass
class OrgUnitBuild:
    provinces: list[str]
    old_provinces: list[str]
    units: list[OrganisationUnit]
    mapping: list[dict[str, str]] = field(default_factory=list)
    source_version: str = ""

    def metadata(self) -> Metadata:
        md = Metadata()
        for unit in self.units:
            md.add("organisationUnits", unit)
        return md

    def payload(self) -> dict[str, Any]:
        return {"organisationUnits": [u.dump() for u in self.units]}

    def counts(self) -> dict[str, Any]:
        cat = source.current()
        per_province = Counter(cat.communes[u.code].parent for u in self.units if u.code in cat.communes)
        legacy_units = [u for u in self.units if (u.code or "").startswith(hierarchy.LEGACY_PREFIX)]
        kinds = Counter((u.code or "")[len(hierarchy.LEGACY_PREFIX)] for u in legacy_units if u.code != "PRE2025")
        return {
            "communes": {p: per_province[p] for p in self.provinces},
            "stations": sum((u.code or "").startswith(hierarchy.STATION_PREFIX) for u in self.units),
            "legacy": {"provinces": kinds["P"], "districts": kinds["D"], "communes": kinds["X"]},
            "units": len(self.units),
        }

    def as_json(self) -> dict[str, Any]:
        cat = source.current()
        return {
            "source": {"package": source.SOURCE_PACKAGE, "version": self.source_version},
            "provinces": [{"code": p, "name": cat.provinces[p].name} for p in self.provinces],
            "legacy_provinces": [{"code": p, "name": source.legacy().provinces[p].name} for p in self.old_provinces],
            "counts": self.counts(),
            "mapping_rows": len(self.mapping),
        }

    def as_text(self) -> str:
        cat, old = source.current(), source.legacy()
        counts = self.counts()
        lines = [f"Org units from {source.SOURCE_PACKAGE} {self.source_version} (official codes of 1 July 2025):"]
        lines += [f"  {p} {cat.provinces[p].name}: {counts['communes'][p]} communes" for p in self.provinces]
        if counts["stations"]:
            lines.append(f"  {counts['stations']} commune health stations")
        if self.old_provinces:
            names = ", ".join(f"{p} {old.provinces[p].name}" for p in self.old_provinces)
            lc = counts["legacy"]
            lines.append(
                f"  legacy branch (closed 2025-06-30): {names}: {lc['provinces']} provinces, "
                f"{lc['districts']} districts, {lc['communes']} communes; {len(self.mapping)} old → new rows"
            )
        lines.append(f"  {counts['units']} organisation units in all")
        return "\n".join(lines)

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.payload(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path


def build(provinces: list[str], *, with_legacy: bool = True, stations: bool = False) -> OrgUnitBuild:
    """Việt Nam → the provinces → their communes; with the closed pre-reform branch of their predecessors."""
    codes = hierarchy.province_codes(provinces)
    units = hierarchy.current_units(codes, stations=stations)
    old = hierarchy.predecessor_provinces(codes) if with_legacy else []
    rows: list[dict[str, str]] = []
    if old:
        units += hierarchy.legacy_units(old)
        rows = legacy.mapping(old)
    return OrgUnitBuild(codes, old, units, rows, source.source_version())
