"""What the validator leaves to the server (a warning offline), ``plan`` confirms against it: a user group
of a sharing block, an attribute of an attribute value, an org unit level of a predictor."""

from __future__ import annotations

from dhis2_mch.deploy.plan import make_plan
from dhis2_mch.package.jsonfile import metadata_from_dict
from dhis2_mch.validate import validate

GROUP, ATTRIBUTE, LEVEL, DE = "Grp00000001", "Att00000001", "Lvl00000001", "Abcdefghij2"
PAYLOAD = {
    "dataElements": [{"id": DE, "code": "X_DE", "name": "X de", "shortName": "X de", "valueType": "NUMBER",
                      "domainType": "AGGREGATE", "aggregationType": "SUM",
                      "sharing": {"public": "rw------", "userGroups": {GROUP: {"id": GROUP, "access": "r-------"}}},
                      "attributeValues": [{"value": "1", "attribute": {"id": ATTRIBUTE}}]}],
    "predictors": [{"id": "Prd00000001", "name": "P", "shortName": "P", "output": {"id": DE}, "periodType": "Monthly",
                    "generator": {"expression": f"#{{{DE}}}"}, "organisationUnitDescendants": "DESCENDANTS",
                    "sequentialSampleCount": 1, "annualSampleCount": 0, "organisationUnitLevels": [{"id": LEVEL}]}],
}  # fmt: skip


class FakeServer:
    version = (2, 40)

    def __init__(self, **objects: list[dict]):
        self.store = objects

    def identities(self, plural):
        return []

    def objects(self, plural, uids):
        return {}

    def existing(self, plural, uids):
        return {o["id"] for o in self.store.get(plural, []) if o["id"] in set(uids)}


def test_offline_they_are_warnings_with_the_reason():
    md, prior = metadata_from_dict(PAYLOAD)
    found = validate(md, version=(2, 40), prior=prior)
    assert [f for f in found if f.severity == "error"] == []
    on_server = {(f.code, f.property) for f in found if "resolved on the server" in f.message}
    assert on_server == {("MCH007", f"sharing.userGroups.{GROUP}"), ("MCH007", "attributeValues[0].attribute"),
                         ("MCH007", "organisationUnitLevels[0]")}  # fmt: skip


def test_plan_turns_the_missing_ones_into_e5002():
    plan = make_plan(PAYLOAD, FakeServer(), "fake")
    assert {(c.code, c.type, c.property) for c in plan.conflicts} == {
        ("E5002", "dataElement", f"sharing.userGroups.{GROUP}"),
        ("E5002", "dataElement", "attributeValues[0].attribute"),
        ("E5002", "predictor", "organisationUnitLevels[0]"),
    }
    held = FakeServer(
        userGroups=[{"id": GROUP}], attributes=[{"id": ATTRIBUTE}], organisationUnitLevels=[{"id": LEVEL}]
    )
    assert make_plan(PAYLOAD, held, "fake").conflicts == []
