"""Model → the JSON that ``POST /api/metadata`` (and the Import/Export app) accepts.

Output is deterministic: collections in import order, objects by code, keys in model order, so two
builds of the same files are byte-identical and a diff of two builds shows only real changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dhis2_mch.errors import InputError
from dhis2_mch.model.metadata import Metadata

if TYPE_CHECKING:
    from dhis2_mch.project import Compiled


def to_json_bytes(md: Metadata) -> bytes:
    return (json.dumps(md.dump(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(md: Metadata, out: Path) -> int:
    """Write the build atomically (a half-written file is never left behind); returns bytes written."""
    data = to_json_bytes(md)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write the build ({exc.strerror or exc}).") from None
    return len(data)


@dataclass
class BuildResult:
    out: Path
    size: int
    counts: dict[str, int]
    warnings: int

    def as_json(self) -> dict:
        return {"out": str(self.out), "bytes": self.size, "objects": sum(self.counts.values()),
                "counts": self.counts, "warnings": self.warnings}  # fmt: skip

    def as_text(self) -> str:
        lines = [f"wrote {self.out} ({sum(self.counts.values())} objects, {self.size:,} bytes)"]
        lines += [f"  {plural:<28}{n:>5}" for plural, n in self.counts.items()]
        if self.warnings:
            lines.append(f"{self.warnings} warnings: run `dhis2-mch validate` to see them")
        return "\n".join(lines)


def build(compiled: Compiled, out: Path) -> BuildResult:
    """Write the build of ``compiled`` to ``out``; ``PackageInvalid`` (nothing written) when it has errors."""
    compiled.require_valid(f"nothing was written to {out}")
    md = compiled.metadata
    size = write(md, out)
    counts = {plural: len(objs) for plural, objs in md.objects.items() if objs}
    return BuildResult(out, size, counts, len(compiled.warnings))
