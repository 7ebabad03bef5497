"""POST/GET /api/dataValueSets: conflicts, counts and stored values as DHIS2 gives them."""

from __future__ import annotations

from datetime import date

import pytest
import requests
import responses

from dhis2_mch.sandbox.mock import SandboxRouter
from sandbox import payloads as p

TODAY = date(2024, 5, 15)  # Monthly data set with openFuturePeriods 1: 202405 is open, 202406 is not


@pytest.fixture
def dhis(request):
    """A 2.40 router (or the version given by indirect parametrisation) with the test package imported."""
    version = getattr(request, "param", "2.40")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        router = SandboxRouter(version, today=TODAY).install(rsps, base_url="http://dhis2.test")
        assert requests.post(f"{router.url}/api/metadata", json=p.package(), auth=router.auth).status_code == 200
        yield router
        router.close()


def push(router, values: list[dict], auth=None, **params) -> requests.Response:
    body = {"dataValues": values}
    return requests.post(f"{router.url}/api/dataValueSets", params=params, json=body, auth=auth or router.auth)


def stored(router, **match) -> list[dict]:
    return [v for v in router.data_values(include_deleted=True) if all(v[k] == x for k, x in match.items())]


def test_a_clean_push_is_200_and_stores_values(dhis):
    resp = push(dhis, [p.value(v="5"), p.value(p.DE_COUNT, v="3", categoryOptionCombo=p.COC_FEMALE)])
    assert resp.status_code == 200
    body = resp.json()
    assert (body["status"], body["message"]) == ("OK", "Import was successful.")
    summary = body["response"]
    assert list(summary) == [
        "responseType",
        "status",
        "importOptions",
        "description",
        "importCount",
        "conflicts",
        "rejectedIndexes",
        "dataSetComplete",
    ]
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
    assert {(v["de"], v["coc"], v["value"]) for v in stored(dhis)} == {
        (p.DE_NUMBER, "HllvX50cXC0", "5"),
        (p.DE_COUNT, p.COC_FEMALE, "3"),
    }


def test_unknown_element_period_org_unit_and_option_combo_give_dhis2s_conflicts(dhis):
    values = [
        p.value(v="1"),
        p.value("UnknownDe01"),
        p.value(period="2024M13"),
        p.value(ou="UnknownOu01"),
        p.value(categoryOptionCombo="UnknownCoc1"),
        p.value("UnknownDe01", period="202403"),
    ]
    resp = push(dhis, values)
    assert resp.status_code == 409
    body = resp.json()
    assert (body["status"], body["message"]) == (
        "WARNING",
        "One more conflicts encountered, please check import summary.",
    )
    summary = body["response"]
    assert summary["status"] == "WARNING" and summary["description"] == "Import process completed successfully"
    assert summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 5, "deleted": 0}
    assert summary["rejectedIndexes"] == [1, 2, 3, 4, 5]
    assert summary["conflicts"] == [
        {
            "object": "UnknownDe01",
            "objects": {"dataElement": "UnknownDe01"},
            "value": "Data element not found or not accessible: `UnknownDe01`",
            "errorCode": "E7610",
            "property": "dataElement",
            "indexes": [1, 5],
        },
        {
            "object": "2024M13",
            "objects": {"period": "2024M13"},
            "value": "Period not valid: `2024M13`",
            "errorCode": "E7611",
            "property": "period",
            "indexes": [2],
        },
        {
            "object": "UnknownOu01",
            "objects": {"organisationUnit": "UnknownOu01"},
            "value": "Organisation unit not found or not accessible: `UnknownOu01`",
            "errorCode": "E7612",
            "property": "orgUnit",
            "indexes": [3],
        },
        {
            "object": "UnknownCoc1",
            "objects": {"categoryOptionCombo": "UnknownCoc1"},
            "value": "Category option combo not found or not accessible for writing data: `UnknownCoc1`",
            "errorCode": "E7613",
            "property": "categoryOptionCombo",
            "indexes": [4],
        },
    ]
    assert len(stored(dhis)) == 1


def test_org_unit_outside_the_users_hierarchy_is_e7617(dhis):
    from dhis2_mch.sandbox.seed import RESTRICTED_UID

    restricted = (dhis.restricted_username, dhis.restricted_password)
    resp = push(dhis, [p.value(ou=p.HOA_THANG), p.value(ou=p.SONG_LUY)], auth=restricted)
    [conflict] = resp.json()["response"]["conflicts"]
    assert conflict == {
        "object": p.SONG_LUY,
        "objects": {"organisationUnit": p.SONG_LUY, "user": RESTRICTED_UID},
        "value": f"Organisation unit: `{p.SONG_LUY}` not in hierarchy of current user: `{RESTRICTED_UID}`",
        "errorCode": "E7617",
        "property": "orgUnit",
        "indexes": [1],
    }
    assert [v["ou"] for v in stored(dhis)] == [p.HOA_THANG]


def test_values_are_checked_against_value_type_and_option_set(dhis):
    resp = push(
        dhis,
        [
            p.value(p.DE_COUNT, v="-2"),
            p.value(p.DE_NUMBER, v="1,5"),
            p.value(p.DE_TOPIC, v="C"),
            p.value(p.DE_TOPIC, v="A"),
            p.value(p.DE_NUMBER, v=None),
        ],
    )
    conflicts = {c["errorCode"] + ":" + c["object"]: c for c in resp.json()["response"]["conflicts"]}
    assert conflicts[f"E7619:{p.DE_COUNT}"]["objects"] == {
        "dataElement": p.DE_COUNT,
        "value": "value_not_zero_or_positive_integer",
    }
    assert conflicts[f"E7619:{p.DE_COUNT}"]["value"] == (
        f"Value must match value type of data element `{p.DE_COUNT}`: `value_not_zero_or_positive_integer`"
    )
    assert conflicts[f"E7619:{p.DE_NUMBER}"]["value"].endswith(": `Data value is not numeric`")
    assert conflicts[f"E7621:{p.DE_TOPIC}"]["indexes"] == [2]
    assert conflicts[f"E7618:{p.DE_NUMBER}"]["value"] == (
        f"Data value or comment not specified for data element: `{p.DE_NUMBER}`"
    )
    assert resp.json()["response"]["importCount"]["imported"] == 1


@pytest.mark.parametrize("dhis", ["2.38"], indirect=True)
def test_2_38_has_no_rejected_indexes_and_the_old_value_type_text(dhis):
    summary = push(dhis, [p.value(p.DE_COUNT, v="x")]).json()["response"]
    assert "rejectedIndexes" not in summary
    assert summary["conflicts"][0]["value"] == (
        f"Value must match data element's `{p.DE_COUNT}` type constraints: value_not_zero_or_positive_integer"
    )


def test_required_combos_and_strict_data_elements_only_when_asked(dhis):
    assert push(dhis, [p.value(p.DE_OTHER)]).status_code == 200  # in no data set: accepted by default
    resp = push(dhis, [p.value(p.DE_OTHER, period="202403")], requireCategoryOptionCombo="true")
    [conflict] = resp.json()["response"]["conflicts"]
    assert conflict == {
        "objects": {},
        "value": "Category option combo is required but is not specified",
        "errorCode": "E7630",
        "property": "categoryOptionCombo",
        "indexes": [0],
    }
    strict = requests.post(
        f"{dhis.url}/api/dataValueSets",
        params={"strictDataElements": "true"},
        auth=dhis.auth,
        json={"dataSet": p.DATA_SET, "dataValues": [p.value(p.DE_OTHER, period="202402")]},
    )
    [conflict] = strict.json()["response"]["conflicts"]
    assert conflict["errorCode"] == "E7633"
    # ErrorCode.E7633 reads "dataset(s)" from 2.39 on
    assert conflict["value"] == f"Data element: `{p.DE_OTHER}` is not part of dataset(s): `{p.DATA_SET}`"
    assert conflict["objects"] == {"dataElement": p.DE_OTHER, "dataSet": p.DATA_SET}


def test_future_periods_beyond_the_data_sets_window_are_e7641_and_409_even_when_all_ignored(dhis):
    resp = push(dhis, [p.value(period="202406"), p.value(period="202407")])
    assert resp.status_code == 409
    summary = resp.json()["response"]
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    first = summary["conflicts"][0]
    # DataValueImportConflict.PERIOD_AFTER_DATA_ELEMENT_PERIODS names the data set too from 2.39
    assert first["objects"] == {"period": "202406", "dataElement": p.DE_NUMBER, "dataSet": p.DATA_SET}
    assert first["property"] == "period"
    assert first["value"] == (
        f"Period: `202406` is after latest open future period: `202405` for data element: `{p.DE_NUMBER}` "
        f"and data set: `{p.DATA_SET}`"
    )
    assert push(dhis, [p.value(period="202405")]).status_code == 200
    assert push(dhis, [p.value(p.DE_OTHER, period="209912")]).status_code == 200  # no data set, no window


def test_zero_unchanged_update_and_soft_delete(dhis):
    count = lambda r: r.json()["response"]["importCount"]  # noqa: E731
    assert count(push(dhis, [p.value(p.DE_COUNT, v="0")])) == {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    assert stored(dhis, de=p.DE_COUNT) == []  # zero is not significant: dropped, not even counted
    assert count(push(dhis, [p.value(p.DE_NUMBER, v="0")]))["imported"] == 1  # zeroIsSignificant
    assert count(push(dhis, [p.value(p.DE_NUMBER, v="0")])) == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 0}
    assert count(push(dhis, [p.value(p.DE_NUMBER, v="7")]))["updated"] == 1
    deleted = push(dhis, [p.value(p.DE_NUMBER, v="7")], importStrategy="DELETE")
    assert count(deleted)["deleted"] == 1
    [row] = stored(dhis, de=p.DE_NUMBER)
    assert (row["deleted"], row["value"]) == (1, "7")  # soft delete: the row stays
    again = push(dhis, [p.value(p.DE_NUMBER, v="7")], importStrategy="DELETE")
    assert count(again)["ignored"] == 1 and again.json()["response"]["rejectedIndexes"] == [0]
    blocked = requests.post(
        f"{dhis.url}/api/metadata",
        params={"importStrategy": "DELETE"},
        auth=dhis.auth,
        json={"dataElements": [{"id": p.DE_NUMBER}]},
    )
    assert blocked.status_code == 409
    errors = [
        e for t in blocked.json()["response"]["typeReports"] for o in t["objectReports"] for e in o["errorReports"]
    ]
    assert [e["errorCode"] for e in errors] == ["E4030"]
    assert dhis.get("dataElements", p.DE_NUMBER) is not None


def test_dry_run_counts_but_stores_nothing(dhis):
    resp = push(dhis, [p.value()], dryRun="true")
    assert resp.json()["response"]["importCount"]["imported"] == 1
    assert resp.json()["response"]["importOptions"]["dryRun"] is True
    assert stored(dhis) == []


def test_id_schemes_by_code_and_name_are_case_insensitive(dhis):
    values = [{"dataElement": "T_NUMBER", "period": "202403", "orgUnit": "23053", "value": "4"}]
    resp = push(dhis, values, dataElementIdScheme="code", orgUnitIdScheme="CODE")
    assert resp.status_code == 200, resp.json()["response"]["conflicts"]
    by_name = [{"dataElement": "T - T_NUMBER", "period": "202402", "orgUnit": "Hòa Thắng", "value": "6"}]
    assert push(dhis, by_name, idScheme="Name").status_code == 200
    assert {(v["de"], v["ou"], v["value"]) for v in stored(dhis)} == {
        (p.DE_NUMBER, p.HOA_THANG, "4"),
        (p.DE_NUMBER, p.HOA_THANG, "6"),
    }


def test_unknown_data_set_aborts_the_whole_set(dhis):
    resp = requests.post(
        f"{dhis.url}/api/dataValueSets", auth=dhis.auth, json={"dataSet": "NoSuchDs001", "dataValues": [p.value()]}
    )
    assert resp.status_code == 409
    body = resp.json()
    assert (body["status"], body["message"]) == ("ERROR", "An error occurred, please check import summary.")
    summary = body["response"]
    assert summary["description"] == "Import process was aborted" and stored(dhis) == []
    assert summary["conflicts"] == [
        {
            "object": "NoSuchDs001",
            "objects": {"dataSet": "NoSuchDs001"},
            "value": "Data set not found or not accessible: `NoSuchDs001`",
            "errorCode": "E7600",
            "property": "dataSet",
        }
    ]


def test_user_without_data_entry_authority_gets_403(dhis):
    from dhis2_mch.sandbox.seed import DATA_ENTRY_ROLE_UID

    role = {"userRoles": [{"id": DATA_ENTRY_ROLE_UID, "name": "Data entry", "authorities": []}]}
    assert requests.post(f"{dhis.url}/api/metadata", json=role, auth=dhis.auth).status_code == 200
    resp = push(dhis, [p.value()], auth=(dhis.restricted_username, dhis.restricted_password))
    assert resp.status_code == 403
    assert resp.json() == {
        "httpStatus": "Forbidden",
        "httpStatusCode": 403,
        "status": "ERROR",
        "message": "Access is denied",
    }


def test_legacy_path_and_2_42_response_type_placement(dhis):
    legacy = requests.post(
        f"{dhis.url}/api/37/dataValueSets", json={"dataValues": [p.value("UnknownDe01")]}, auth=dhis.auth
    )
    assert legacy.status_code == 200 and legacy.json()["responseType"] == "ImportSummary"
    assert legacy.json()["status"] == "WARNING"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        router = SandboxRouter("2.42.1").install(rsps, base_url="http://dhis42.test")
        summary = push(router, [p.value("UnknownDe01")]).json()["response"]
        assert list(summary)[-1] == "responseType" and summary["responseType"] == "ImportSummary"
        router.close()


def test_async_push_is_a_job_with_tasks_and_a_summary(dhis):
    resp = push(dhis, [p.value()], **{"async": "true"})
    body = resp.json()
    assert (resp.status_code, body["message"]) == (200, "Initiated dataValueImport")
    job = body["response"]
    assert (job["jobType"], job["relativeNotifierEndpoint"]) == (
        "DATAVALUE_IMPORT",
        f"/api/system/tasks/DATAVALUE_IMPORT/{job['id']}",
    )
    dhis.jobs.wait_all()
    tasks = requests.get(f"{dhis.url}{job['relativeNotifierEndpoint']}", auth=dhis.auth).json()
    assert tasks[0]["message"] == "Import done" and tasks[0]["completed"] is True and not tasks[-1]["completed"]
    summary = requests.get(f"{dhis.url}/api/system/taskSummaries/DATAVALUE_IMPORT/{job['id']}", auth=dhis.auth)
    assert summary.json()["importCount"]["imported"] == 1 and summary.json()["responseType"] == "ImportSummary"
    assert requests.get(f"{dhis.url}/api/system/taskSummaries/DATAVALUE_IMPORT/Nojob000001", auth=dhis.auth).text == ""


def test_get_data_value_sets(dhis):
    push(
        dhis,
        [
            p.value(v="5", comment="ok"),
            p.value(p.DE_COUNT, v="2", categoryOptionCombo=p.COC_FEMALE),
            p.value(ou=p.SONG_LUY, v="9"),
        ],
    )
    params = {"dataSet": p.DATA_SET, "period": "202404", "orgUnit": p.HOA_THANG}
    body = requests.get(f"{dhis.url}/api/dataValueSets", params=params, auth=dhis.auth).json()
    assert sorted(v["value"] for v in body["dataValues"]) == ["2", "5"]
    assert list(body["dataValues"][0]) == [
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
        "storedBy",
        "created",
        "lastUpdated",
        "comment",
        "followup",
    ]
    children = requests.get(
        f"{dhis.url}/api/dataValueSets", auth=dhis.auth, params={**params, "orgUnit": "68", "children": "true"}
    ).json()
    assert sorted(v["value"] for v in children["dataValues"]) == ["2", "5", "9"]
    bad = requests.get(f"{dhis.url}/api/dataValueSets", params={"dataSet": p.DATA_SET}, auth=dhis.auth)
    assert bad.status_code == 409 and bad.json()["errorCode"] == "E2006"  # the last failing check wins
    assert bad.json()["message"] == "At least one organisation unit or organisation unit group must be specified"
