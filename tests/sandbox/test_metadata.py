"""POST/GET /api/metadata and the per-type GET endpoints, through the in-process router."""

from __future__ import annotations

import json

import pytest
import requests

from sandbox import payloads as p

WARNING_MESSAGE = "One or more errors occurred, please see full details in import report."


def post(router, payload: dict, **params) -> requests.Response:
    return requests.post(f"{router.url}/api/metadata", params=params, json=payload, auth=router.auth)


def errors_of(body: dict) -> list[dict]:
    return [e for t in body["response"]["typeReports"] for o in t["objectReports"] for e in o["errorReports"]]


def test_package_imports_then_updates(sandbox_mock):
    first = post(sandbox_mock, p.package())
    assert first.status_code == 200
    body = first.json()
    assert list(body) == ["httpStatus", "httpStatusCode", "status", "response"]
    assert body["response"]["stats"] == {"created": 16, "updated": 0, "deleted": 0, "ignored": 0, "total": 16}
    assert all(t["objectReports"] == [] for t in body["response"]["typeReports"])  # ERRORS report mode
    again = post(sandbox_mock, p.package()).json()["response"]["stats"]
    assert (again["created"], again["updated"]) == (0, 16)
    stored = {d["id"]: d for d in sandbox_mock.objects("dataElements")}
    assert stored[p.DE_COUNT]["categoryCombo"] == {"id": p.SEX_COMBO}


def test_option_combos_sent_are_kept_and_missing_ones_generated(sandbox_mock):
    post(sandbox_mock, p.package())
    cocs = [c for c in sandbox_mock.objects("categoryOptionCombos") if c["categoryCombo"]["id"] == p.SEX_COMBO]
    assert sorted((c["name"], c.get("code")) for c in cocs) == [("Nam", None), ("Nữ", "T_SEX_F")]
    assert next(c for c in cocs if c["name"] == "Nữ")["id"] == p.COC_FEMALE
    post(sandbox_mock, p.package())
    assert len([c for c in sandbox_mock.objects("categoryOptionCombos")]) == 3  # no duplicates on re-import


def test_missing_required_property_fails_with_e4000_and_atomic_all_stores_nothing(sandbox_mock):
    payload = p.package()
    del payload["dataElements"][1]["valueType"]
    resp = post(sandbox_mock, payload)
    assert resp.status_code == 409
    body = resp.json()
    assert (body["status"], body["message"], body["response"]["status"]) == ("WARNING", WARNING_MESSAGE, "ERROR")
    stats = body["response"]["stats"]
    assert stats["ignored"] == stats["total"] == 16 and stats["created"] == 0
    [error] = errors_of(body)
    assert error == {
        "message": "Missing required property `valueType`",
        "mainKlass": "org.hisp.dhis.dataelement.DataElement",
        "errorCode": "E4000",
        "errorKlass": "org.hisp.dhis.common.ValueType",
        "errorProperty": "valueType",
        "errorProperties": ["valueType"],
    }
    assert sandbox_mock.objects("dataElements") == [] and len(sandbox_mock.objects("categoryOptions")) == 1


def test_atomic_none_stores_the_valid_objects_and_says_warning(sandbox_mock):
    payload = p.package()
    payload["dataElements"][1]["shortName"] = "x" * 51
    resp = post(sandbox_mock, payload, atomicMode="NONE")
    assert resp.status_code == 409
    body = resp.json()
    assert (body["status"], body["response"]["status"]) == ("WARNING", "WARNING")
    de_report = next(t for t in body["response"]["typeReports"] if t["klass"].endswith("DataElement"))
    assert de_report["stats"] == {"created": 4, "updated": 0, "deleted": 0, "ignored": 1, "total": 5}
    [obj] = de_report["objectReports"]
    assert (obj["index"], obj["uid"]) == (1, p.DE_NUMBER)
    assert obj["errorReports"][0]["message"] == "Maximum length of property `shortName`is 50, but given length was 51"
    assert {d["id"] for d in sandbox_mock.objects("dataElements")} == {p.DE_COUNT, p.DE_TOPIC, p.DE_OTHER, p.DE_EVENT}


def test_validate_mode_stores_nothing_and_still_answers_409_on_errors(sandbox_mock):
    ok = post(sandbox_mock, p.package(), importMode="VALIDATE")
    assert ok.status_code == 200 and ok.json()["response"]["stats"]["created"] == 16
    assert sandbox_mock.objects("dataElements") == []
    payload = p.package()
    payload["dataElements"][0]["id"] = "not-a-uid"
    bad = post(sandbox_mock, payload, importMode="VALIDATE")
    assert bad.status_code == 409 and bad.json()["status"] == "WARNING"
    report = next(o for t in bad.json()["response"]["typeReports"] for o in t["objectReports"])
    assert report["displayName"] == "T - T_COUNT"  # VALIDATE returns the uncleaned report
    assert report["errorReports"][0]["message"] == "Invalid UID `not-a-uid` for property `id`"
    assert report["errorReports"][0]["errorCode"] == "E4014"


def test_unique_properties_clash_with_the_database_and_within_the_payload(sandbox_mock):
    post(sandbox_mock, p.package())
    clash = p.data_element("Aaaaaaaaaa1", "T_NEW")
    clash["name"] = "T - T_COUNT"  # DataElement.name is unique
    twin = p.data_element("Aaaaaaaaaa2", "T_TWIN")
    twin2 = p.data_element("Aaaaaaaaaa3", "T_TWIN2", shortName=twin["shortName"])
    body = post(sandbox_mock, {"dataElements": [clash, twin, twin2]}).json()
    errors = errors_of(body)
    assert [(e["errorCode"], e["errorProperty"], e["mainId"]) for e in errors] == [
        ("E5003", "name", p.DE_COUNT),
        ("E5003", "shortName", "Aaaaaaaaaa2"),
    ]
    assert errors[0]["message"] == (
        f"Property `name` with value `T - T_COUNT` on object T - T_COUNT [Aaaaaaaaaa1] (DataElement) "
        f"already exists on object {p.DE_COUNT}"
    )


def test_invalid_reference_is_e5002_and_counts_once_per_type(sandbox_mock):
    de = p.data_element("Bbbbbbbbbb1", "T_REF", categoryCombo={"id": "Missing0001"})
    body = post(sandbox_mock, {"dataElements": [de, p.data_element("Bbbbbbbbbb2", "T_REF2")]}).json()
    [error] = errors_of(body)
    assert error["message"] == (
        "Invalid reference [Missing0001] (CategoryCombo) on object T - T_REF [Bbbbbbbbbb1] (DataElement) "
        "for association `categoryCombo`"
    )
    assert (error["mainId"], error["errorProperty"]) == ("Bbbbbbbbbb1", "categoryCombo")
    # ReferencesCheck adds one "ignored" per type and does not remove the object; atomic ALL then moves all
    assert body["response"]["stats"] == {"created": 0, "updated": 0, "deleted": 0, "ignored": 3, "total": 3}


def test_create_and_update_strategies(sandbox_mock):
    post(sandbox_mock, p.package())
    created = post(sandbox_mock, {"dataElements": [p.data_element(p.DE_OTHER, "T_OTHER")]}, importStrategy="CREATE")
    error = errors_of(created.json())[0]
    assert (created.status_code, error["errorCode"]) == (409, "E5000")
    assert error["message"] == (
        "Found matching object for reference, but import mode is CREATE. Identifier was UID, and object was "
        f"T - T_OTHER [{p.DE_OTHER}] (DataElement)"
    )
    updated = post(sandbox_mock, {"dataElements": [p.data_element("Cccccccccc1", "T_C")]}, importStrategy="UPDATE")
    assert [e["errorCode"] for e in errors_of(updated.json())] == ["E5001"]


def test_program_stage_without_program_is_e4053(sandbox_mock):
    body = post(sandbox_mock, {"programStages": [{"id": "Ddddddddddd", "name": "Orphan"}]}).json()
    assert [(e["errorCode"], e["message"]) for e in errors_of(body)] == [
        ("E4053", "Program stage `Ddddddddddd` must reference a program")
    ]


def test_user_without_authority_gets_e3000_per_object(sandbox_mock):
    from dhis2_mch.sandbox.seed import RESTRICTED_UID

    resp = requests.post(
        f"{sandbox_mock.url}/api/metadata",
        json={"dataElements": [p.data_element("Eeeeeeeeee1", "X")]},
        auth=(sandbox_mock.restricted_username, sandbox_mock.restricted_password),
    )
    assert resp.status_code == 409
    # SecurityCheck.runValidationCheck passes the user's and the object's identifiers as the two arguments,
    # so DHIS2 names the object where the template says "type"
    assert errors_of(resp.json())[0]["message"] == (
        f"User `Cán bộ Hòa Thắng [{RESTRICTED_UID}] (User)` is not allowed to create objects of type "
        "T - X [Eeeeeeeeee1] (DataElement)"
    )
    assert sandbox_mock.get("dataElements", "Eeeeeeeeee1") is None


def test_texts_and_args_differ_per_version(sandbox_factory):
    payload = {
        "dataElements": [
            {
                "id": "Fffffffffff",
                "name": "No short name",
                "valueType": "NUMBER",
                "domainType": "AGGREGATE",
                "aggregationType": "SUM",
            }
        ]
    }
    messages = {}
    for version in ("2.38", "2.41", "2.42.3"):
        sb = sandbox_factory(version)
        resp = requests.post(f"{sb.url}/api/metadata", json=payload, auth=sb.auth)
        assert resp.status_code == 409
        [error] = errors_of(resp.json())
        messages[version] = (error["message"], "args" in error, list(resp.json()["response"])[-1])
    assert messages["2.38"] == ("Missing required property `shortName`.", False, "typeReports")
    assert messages["2.41"] == ("Missing required property `shortName`", True, "typeReports")
    assert messages["2.42.3"] == ("Missing required property `shortName`", True, "responseType")


def test_legacy_version_path_answers_the_bare_report(sandbox_mock):
    payload = p.package()
    del payload["dataElements"][0]["name"]
    resp = requests.post(f"{sandbox_mock.url}/api/37/metadata", json=payload, auth=sandbox_mock.auth)
    assert resp.status_code == 200
    assert resp.json()["status"] == "ERROR" and "httpStatus" not in resp.json()
    assert requests.post(f"{sandbox_mock.url}/api/40/metadata", json=payload, auth=sandbox_mock.auth).status_code == 409


def test_full_report_mode_lists_every_object(sandbox_mock):
    package = p.package()
    body = post(sandbox_mock, {k: package[k] for k in ("optionSets", "options")}, importReportMode="FULL").json()
    option_sets, options = body["response"]["typeReports"]
    assert option_sets["objectReports"] == [
        {"klass": "org.hisp.dhis.option.OptionSet", "index": 0, "uid": p.OPTION_SET, "errorReports": []}
    ]
    assert [o["index"] for o in options["objectReports"]] == [0, 1]


def test_delete_strategy_removes_objects(sandbox_mock):
    post(sandbox_mock, p.package())
    resp = post(sandbox_mock, {"dataElements": [{"id": p.DE_OTHER}]}, importStrategy="DELETE")
    assert resp.status_code == 200 and resp.json()["response"]["stats"]["deleted"] == 1
    assert sandbox_mock.get("dataElements", p.DE_OTHER) is None


def test_async_import_runs_as_a_job(sandbox_mock):
    resp = post(sandbox_mock, p.package(), **{"async": "true"})
    body = resp.json()
    assert (resp.status_code, body["message"]) == (200, "Initiated metadataImport")
    job = body["response"]
    assert job["relativeNotifierEndpoint"] == f"/api/system/tasks/METADATA_IMPORT/{job['id']}"
    sandbox_mock.jobs.wait_all()
    tasks = requests.get(f"{sandbox_mock.url}/api/system/tasks/METADATA_IMPORT/{job['id']}", auth=sandbox_mock.auth)
    assert tasks.json()[0]["completed"] is True
    summary = requests.get(
        f"{sandbox_mock.url}/api/system/taskSummaries/METADATA_IMPORT/{job['id']}", auth=sandbox_mock.auth
    ).json()
    assert summary["status"] == "OK" and summary["stats"]["created"] == 16


def test_get_types_with_fields_filters_and_paging(sandbox_mock):
    post(sandbox_mock, p.package())
    base, auth = sandbox_mock.url, sandbox_mock.auth
    listed = requests.get(f"{base}/api/dataElements", params={"pageSize": 2}, auth=auth).json()
    assert listed["pager"]["total"] == 5 and listed["pager"]["pageCount"] == 3 and "nextPage" in listed["pager"]
    assert list(listed["dataElements"][0]) == ["id", "displayName"]
    full = requests.get(
        f"{base}/api/dataElements",
        auth=auth,
        params={
            "paging": "false",
            "fields": "id,code,categoryCombo[code,categories[code]]",
            "filter": "code:in:[T_COUNT,T_OTHER]",
        },
    ).json()
    assert "pager" not in full
    assert sorted(full["dataElements"], key=lambda d: d["code"]) == [
        {"id": p.DE_COUNT, "code": "T_COUNT", "categoryCombo": {"code": "T_SEX", "categories": [{"code": "T_SEX"}]}},
        {
            "id": p.DE_OTHER,
            "code": "T_OTHER",
            "categoryCombo": {"code": "default", "categories": [{"code": "default"}]},
        },
    ]
    nested = requests.get(
        f"{base}/api/dataSets",
        auth=auth,
        params={"filter": f"dataSetElements.dataElement.id:eq:{p.DE_TOPIC}", "fields": "code"},
    ).json()
    assert nested["dataSets"] == [{"code": "T_MONTHLY"}]
    one = requests.get(f"{base}/api/dataElements/{p.DE_TOPIC}.json", auth=auth).json()
    assert one["optionSet"] == {"id": p.OPTION_SET} and one["name"] == "T - T_TOPIC"
    missing = requests.get(f"{base}/api/dataElements/Xxxxxxxxxxx", auth=auth)
    assert (
        missing.status_code == 404
        and missing.json()["message"] == "DataElement with id Xxxxxxxxxxx could not be found."
    )


def test_org_units_are_seeded_with_official_codes(sandbox_mock):
    body = requests.get(
        f"{sandbox_mock.url}/api/organisationUnits",
        auth=sandbox_mock.auth,
        params={"paging": "false", "fields": "code,name,level,parent[code]", "filter": "level:eq:3"},
    ).json()
    got = sorted((o["code"], o["name"], o["parent"]["code"]) for o in body["organisationUnits"])
    assert got == [
        ("02683", "Bát Xát", "15"),
        ("02761", "Mường Khương", "15"),
        ("02809", "Si Ma Cai", "15"),
        ("02947", "Bảo Yên", "15"),
        ("23023", "Sông Lũy", "68"),
        ("23053", "Hòa Thắng", "68"),
        ("PRE2025-P10", "Tỉnh Lào Cai (cũ)", "PRE2025"),  # the closed pre-reform branch: old Lào Cai
    ]


def test_metadata_export_selects_types_and_fields(sandbox_mock):
    post(sandbox_mock, p.package())
    body = requests.get(
        f"{sandbox_mock.url}/api/metadata",
        auth=sandbox_mock.auth,
        params={"dataSets": "true", "optionSets": "true", "fields": "id,code"},
    ).json()
    assert list(body) == ["system", "dataSets", "optionSets"]
    assert body["dataSets"] == [{"id": p.DATA_SET, "code": "T_MONTHLY"}]


@pytest.mark.parametrize("package", ["NUT_AGG_2.40", "IMM_BCU_2.40"])
def test_who_packages_import_cleanly_users_and_roles_included(sandbox_mock, shared_dir, package):
    payload = json.loads((shared_dir / "dhis2/packages" / package / "metadata.json").read_text(encoding="utf-8"))
    resp = post(sandbox_mock, payload)
    assert resp.status_code == 200, errors_of(resp.json())[:3]
    stats = resp.json()["response"]["stats"]
    assert stats["ignored"] == 0 and stats["created"] > 200
    assert {u["username"] for u in sandbox_mock.objects("users")} >= {"package_admin", "admin"}
    assert post(sandbox_mock, payload).json()["response"]["stats"]["created"] == 0  # idempotent re-import
