"""The sandbox's rules are its own: its runtime code imports nothing of the client's rules.

Otherwise a wrong rule in ``dhis2_mch.model`` or ``dhis2_mch.validate`` would be confirmed by the
sandbox and no test could see it (the agreement tests in ``test_agreement.py`` rely on this).
"""

from __future__ import annotations

import ast
from pathlib import Path

import dhis2_mch.sandbox
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.sandbox.seed import derive_uid as sandbox_derive_uid

FORBIDDEN = ("dhis2_mch.model", "dhis2_mch.validate", "dhis2_mch.data", "dhis2_mch.package", "dhis2_mch.deploy")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


def test_no_sandbox_module_imports_the_clients_rules():
    root = Path(dhis2_mch.sandbox.__file__).parent
    offending = {
        f"{path.name}: {name}" for path in root.glob("*.py") for name in _imports(path) if name.startswith(FORBIDDEN)
    }
    assert not offending


def test_the_seeds_uids_follow_the_projects_documented_scheme():
    # org units the project builds from the official codes must land on the seeded ones
    for kind, key in (("organisationUnit", "23053"), ("user", "hoathang"), ("userRole", "DATA_ENTRY")):
        assert sandbox_derive_uid(kind, key) == derive_uid(kind, key)


def test_the_seeded_pre_reform_units_are_the_ones_orgunits_build_writes():
    # the demo's "by June 2024" figures go on old Lào Cai: the seed must hold the very unit a build deploys
    from dhis2_mch.orgunits.build import build
    from dhis2_mch.sandbox.seed import org_units

    built = {u["code"]: u for u in build(["15"], with_legacy=True).payload()["organisationUnits"]}
    seeded = {u["code"]: u for _, u in org_units()}
    for code in ("PRE2025", "PRE2025-P10"):
        for key in ("id", "name", "shortName", "openingDate", "closedDate", "parent"):
            assert seeded[code][key] == built[code][key], (code, key)
