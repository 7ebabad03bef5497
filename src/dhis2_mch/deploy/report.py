"""Import results as people read them: counts per type, then each error with its code, object and property."""

from __future__ import annotations

from dhis2_mch.dhis2.reports import MetadataImportResult


def import_table(result: MetadataImportResult, title: str) -> str:
    lines = [f"{title}: {result.status}"]
    if result.types:
        lines.append(f"  {'type':<28}{'created':>9}{'updated':>9}{'ignored':>9}")
        for t in result.types:
            lines.append(f"  {t.plural:<28}{t.stats.created:>9}{t.stats.updated:>9}{t.stats.ignored:>9}")
    for error in result.errors:
        lines.append(f"  ! {error.describe()}")
    return "\n".join(lines)


def import_json(result: MetadataImportResult | None) -> dict | None:
    if result is None:
        return None
    return {
        "status": result.status,
        "http_status": result.http_status,
        "stats": result.stats.model_dump(),
        "types": {t.plural: t.stats.model_dump() for t in result.types},
        "errors": [
            {"code": e.code, "type": e.object_type, "id": e.uid or e.main_id, "property": e.property,
             "message": e.message}
            for e in result.errors
        ],
    }  # fmt: skip
