"""Offline validation of a metadata package, mirroring the checks DHIS2 runs on import.

One module per family of rules; each exposes ``check(ctx) -> Iterator[Finding]``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dhis2_mch.model.findings import Finding, errors_of, warnings_of
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.validate import (
    conventions,
    enums,
    expressions,
    identity,
    options,
    programrules,
    references,
    sharing,
    uniqueness,
)
from dhis2_mch.validate.context import Context

RULES = (identity, uniqueness, enums, references, options, programrules, sharing, expressions)


@dataclass
class Report:
    objects: int
    findings: list[Finding] = field(default_factory=list)
    source: str = ""
    version: tuple[int, int] | None = None

    @property
    def errors(self) -> list[Finding]:
        return errors_of(self.findings)

    @property
    def warnings(self) -> list[Finding]:
        return warnings_of(self.findings)

    def as_json(self) -> dict:
        return {
            "errors": [x.as_json() for x in self.errors],
            "warnings": [x.as_json() for x in self.warnings],
            "objects": self.objects,
        }

    def as_text(self, max_warnings_per_code: int = 5) -> str:
        errors, warnings = self.errors, self.warnings
        at = f" (DHIS2 {self.version[0]}.{self.version[1]})" if self.version else ""
        lines = [f"{self.source}: {self.objects} objects, {len(errors)} errors, {len(warnings)} warnings{at}"]
        if errors:
            lines.append("errors:")
            lines += [f"  {x.as_text()}" for x in errors]
        if warnings:
            lines.append("warnings:")
            counts = Counter(x.code for x in warnings)
            shown: Counter = Counter()
            for x in warnings:
                if shown[x.code] < max_warnings_per_code:
                    lines.append(f"  {x.as_text()}")
                elif shown[x.code] == max_warnings_per_code:
                    lines.append(f"  ... and {counts[x.code] - max_warnings_per_code} more {x.code} warnings")
                shown[x.code] += 1
        return "\n".join(lines)


def declared_version(md: Metadata) -> str | None:
    """The DHIS2 version a package says it was built on (``package.DHIS2Version`` of a WHO package)."""
    package = md.extras.get("package")
    version = package.get("DHIS2Version") if isinstance(package, dict) else None
    return version if isinstance(version, str) and version.strip() else None


def validate(
    md: Metadata,
    *,
    version: tuple[int, int] = (2, 40),
    locale: str = "vi",
    conventions_check: bool | None = None,
    prior: list[Finding] | None = None,
) -> list[Finding]:
    """All findings for ``md``: ``prior`` ones (from loading) first, then each rule family's.

    A property the loader already reported (an unresolved code leaves it empty) is not reported
    again by the rules (as a missing required property): one problem, one finding. The project's own
    conventions (``conventions.py``) apply to authored packages (objects with a ``file:line``), or
    when ``conventions_check`` asks; never by default to a DHIS2 JSON package from another team.
    """
    ctx = Context(md, version=version, locale=locale)
    found = list(prior or [])
    seen = {(x.type, x.id, x.property) for x in found if x.severity == "error"}
    if conventions_check is None:
        conventions_check = bool(md.origins)
    for rule in (*RULES, conventions) if conventions_check else RULES:
        found.extend(x for x in rule.check(ctx) if (x.type, x.id, x.property) not in seen)
    return found
