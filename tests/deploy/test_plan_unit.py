"""The plan against a fake server (the ServerView protocol): its predictions of what DHIS2 would
refuse, and deploy's stop when DHIS2 refuses in importMode=VALIDATE; no HTTP for the plan itself."""

import json
from pathlib import Path

from dhis2_mch.deploy import apply
from dhis2_mch.deploy.plan import CREATE, UNCHANGED, UPDATE, make_plan
from dhis2_mch.project import Project

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"
COMBO = "Abcdefghij1"
DE = {"id": "Abcdefghij2", "code": "X_DE", "name": "X de", "shortName": "X de", "valueType": "NUMBER",
      "domainType": "AGGREGATE", "aggregationType": "SUM", "categoryCombo": {"id": COMBO}}  # fmt: skip


class FakeServer:
    version = (2, 40)

    def __init__(self, **objects: list[dict]):
        self.store = objects

    def identities(self, plural):
        return [{k: o.get(k) for k in ("id", "code", "name", "shortName")} for o in self.store.get(plural, [])]

    def objects(self, plural, uids):
        return {o["id"]: o for o in self.store.get(plural, []) if o["id"] in set(uids)}

    def existing(self, plural, uids):
        return {o["id"] for o in self.store.get(plural, []) if o["id"] in set(uids)}


def test_a_reference_neither_in_the_package_nor_on_the_server_is_e5002():
    plan = make_plan({"dataElements": [DE]}, FakeServer(), "fake")
    (conflict,) = plan.conflicts
    assert (conflict.code, conflict.property, conflict.id) == ("E5002", "categoryCombo", DE["id"])
    assert "not in the package and not on the server" in conflict.message


def test_a_reference_the_server_holds_is_fine():
    plan = make_plan({"dataElements": [DE]}, FakeServer(categoryCombos=[{"id": COMBO, "name": "c"}]), "fake")
    assert plan.conflicts == [] and [o.action for o in plan.objects] == [CREATE]


def test_update_unchanged_and_a_name_held_by_another_object():
    server = FakeServer(
        categoryCombos=[{"id": COMBO, "name": "c"}],
        dataElements=[
            {**DE, "name": "X old"},
            {"id": "Abcdefghij3", "code": "OTHER", "name": "Y de", "shortName": "Y"},
        ],
    )
    other = {**DE, "id": "Abcdefghij4", "code": "Y_DE", "name": "Y de", "shortName": "Y de 2"}
    plan = make_plan({"dataElements": [DE, other]}, server, "fake")
    assert [(o.code, o.action) for o in plan.objects] == [("X_DE", UPDATE), ("Y_DE", CREATE)]
    assert [c.as_json() for c in plan.objects[0].changes] == [{"property": "name", "before": "X old", "after": "X de"}]
    (clash,) = plan.conflicts
    assert (clash.code, clash.property, clash.server_object) == ("E5003", "name", "Abcdefghij3")
    assert make_plan({"dataElements": [DE]}, FakeServer(categoryCombos=server.store["categoryCombos"],
                                                        dataElements=[DE]), "fake").count(UNCHANGED) == 1  # fmt: skip


def test_deploy_stops_when_dhis2_refuses_in_validate_mode(sandbox, shared_dir, monkeypatch, tmp_path):
    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.dhis2.metadata import parse_metadata_import

    sample = shared_dir / "dhis2" / "samples" / "02b_metadata_409_atomicALL_E4000_E3012_E5002_v2.42.0-4.json"
    refusal = json.loads(sample.read_text(encoding="utf-8"))
    sent = []
    real = apply.api.import_metadata

    def import_metadata(conn, payload, *, import_mode="COMMIT", **kwargs):
        sent.append(import_mode)
        if import_mode == "VALIDATE":
            return parse_metadata_import(refusal, 409)
        return real(conn, payload, import_mode=import_mode, **kwargs)

    monkeypatch.setattr(apply.api, "import_metadata", import_metadata)
    compiled = Project.load(EXAMPLE).compile("2.40")
    with Connection(sandbox.url, token=sandbox.token) as conn:
        result = apply.deploy(compiled, conn, backup_dir=tmp_path)
    assert sent == ["VALIDATE"]
    assert not result.ok and result.outcome.startswith("stopped: DHIS2 refused the package in importMode=VALIDATE")
    assert sandbox.objects("dataElements") == []
