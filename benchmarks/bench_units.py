"""Synthetic communes for the benchmarks' sandboxes: as many as a million values need, after the reform."""

from __future__ import annotations

from typing import Any


def add_communes(sb: Any, codes: list[str], province_code: str = "15", data_set: str | None = None) -> None:
    """Communes with these codes under the province (Lào Cai by default) in the sandbox's store, open since
    1 July 2025; ``data_set`` (a code): assigned to them as well."""
    from dhis2_mch.model.uid import derive_uid
    from dhis2_mch.sandbox.seed import org_unit_uid

    province = sb.store.get("organisationUnits", org_unit_uid(province_code))
    assert province is not None
    units = []
    for code in codes:
        uid = derive_uid("organisationUnit", f"bench-{code}")
        units.append(("organisationUnits", {
            "id": uid, "code": code, "name": f"Xã {code}", "shortName": f"Xã {code}", "level": 3,
            "path": f"{province['path']}/{uid}", "parent": {"id": province["id"]},
            "openingDate": "2025-07-01T00:00:00.000", "created": "2025-07-01T00:00:00.000",
            "lastUpdated": "2025-07-01T00:00:00.000",
        }))  # fmt: skip
    saved: list[tuple[str, dict]] = list(units)
    if data_set is not None:
        found = next(ds for ds in sb.store.objects("dataSets").values() if ds.get("code") == data_set)
        refs = [*(found.get("organisationUnits") or []), *({"id": u["id"]} for _, u in units)]
        saved.append(("dataSets", {**found, "organisationUnits": refs}))
    with sb.store.transaction():
        sb.store.save(saved)
