"""A real export must survive load → dump unchanged: nothing a WHO package carries may be lost."""

import json

import pytest

from dhis2_mch.package.jsonfile import load_metadata_json, metadata_from_dict

PACKAGES = ["NUT_AGG_2.40", "IMM_BCU_2.40"]


@pytest.mark.parametrize("package", PACKAGES)
def test_who_package_round_trips_unchanged(shared_dir, package):
    path = shared_dir / "dhis2" / "packages" / package / "metadata.json"
    md, findings = load_metadata_json(path)
    assert findings == []
    assert md.dump() == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "sample",
    [
        "08a_core2.40_testfixture_program_WITH_REGISTRATION_payload.json",
        "08b_pkg_RMS000_event_program_WITHOUT_REGISTRATION_excerpt.json",
    ],
)
def test_program_payloads_round_trip_unchanged(shared_dir, sample):
    path = shared_dir / "dhis2" / "samples" / sample
    md, findings = load_metadata_json(path)
    assert findings == []
    assert md.dump() == json.loads(path.read_text(encoding="utf-8"))


def test_object_with_wrong_json_type_is_kept_verbatim_and_reported():
    raw = {"dataElements": [{"id": "abcdefghijk", "name": "X", "zeroIsSignificant": "yes", "style": {"c": 1}}]}
    md, findings = metadata_from_dict(raw)
    assert md.dump() == raw
    assert [(f.code, f.property) for f in findings] == [("MCH002", "zeroIsSignificant")]
    assert '"yes"' in findings[0].message
