"""Real WHO/UiO packages that DHIS2 imports at their own version validate with 0 errors there.

Every file in the shared corpus (aggregate, tracker and dashboard packages, DHIS2 2.36-2.42) plus the
Nutrition and EPI Big Catch-Up packages: an "error" must mean "DHIS2 refuses this", so a package DHIS2
imports may only get warnings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dhis2_mch.dhis2.version import parse_version
from dhis2_mch.package.jsonfile import load_metadata_json
from dhis2_mch.validate import validate


def corpus(shared: Path) -> list[Path]:
    packages = shared / "dhis2" / "packages"
    return sorted((packages / "corpus").glob("*.json")) + sorted(packages.glob("*/metadata.json"))


def own_version(path: Path) -> tuple[int, int]:
    return parse_version(json.loads(path.read_bytes())["package"]["DHIS2Version"]).short


def test_every_real_package_has_no_errors_at_its_own_version(shared_dir):
    paths = corpus(shared_dir)
    assert len(paths) >= 11, [p.name for p in paths]
    failures = {}
    for path in paths:
        md, prior = load_metadata_json(path)
        errors = [x for x in validate(md, version=own_version(path), prior=prior) if x.severity == "error"]
        if errors:
            failures[f"{path.parent.name}/{path.name}"] = [x.as_text() for x in errors[:5]]
    assert failures == {}


@pytest.mark.parametrize("name", ["TB_CS_240.json", "NCD_CR.json", "IDS_MPOX_CIF.json"])
def test_tracker_packages_are_checked_not_skipped(shared_dir, name):
    """The program rule families are typed and walked (a typo in one of them would be found)."""
    path = shared_dir / "dhis2" / "packages" / "corpus" / name
    md, _ = load_metadata_json(path)
    assert md.of("programRuleActions") and all(
        type(a).__name__ == "ProgramRuleAction" for a in md.of("programRuleActions")
    )
    rule = md.of("programRules")[0]
    data = md.dump()
    data["programRules"][0]["program"] = None
    from dhis2_mch.package.jsonfile import metadata_from_dict

    broken, prior = metadata_from_dict(data)
    found = validate(broken, version=own_version(path), prior=prior)
    assert ("E4000", "programRule", rule.id, "program") in {(x.code, x.type, x.id, x.property) for x in found}
