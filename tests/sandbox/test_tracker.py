"""POST /api/tracker for events of a program without registration."""

from __future__ import annotations

import pytest
import requests
import responses

from dhis2_mch.sandbox.mock import SandboxRouter
from sandbox import payloads as p


@pytest.fixture
def dhis(request):
    version, delay = getattr(request, "param", ("2.40", 0.0))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        router = SandboxRouter(version).install(rsps, base_url="http://dhis2.test")
        router.sandbox.jobs.delay = delay
        assert requests.post(f"{router.url}/api/metadata", json=p.package(), auth=router.auth).status_code == 200
        yield router
        router.close()


def event(uid: str = "Evt00000001", ou: str = p.HOA_THANG, value="12", **extra) -> dict:
    return {
        "event": uid,
        "program": p.PROGRAM,
        "programStage": p.STAGE,
        "orgUnit": ou,
        "occurredAt": "2024-04-10",
        "status": "COMPLETED",
        "dataValues": [{"dataElement": p.DE_EVENT, "value": value}],
        **extra,
    }


def post(router, events: list[dict], **params) -> requests.Response:
    return requests.post(f"{router.url}/api/tracker", params=params, json={"events": events}, auth=router.auth)


def test_sync_import_answers_the_bare_report(dhis):
    resp = post(dhis, [event(), event("Evt00000002", ou=p.SI_MA_CAI)], **{"async": "false"})
    assert resp.status_code == 200
    report = resp.json()
    assert list(report) == ["status", "validationReport", "stats", "bundleReport"]
    assert report["stats"] == {"created": 2, "updated": 0, "deleted": 0, "ignored": 0, "total": 2}
    events = report["bundleReport"]["typeReportMap"]["EVENT"]
    assert [o["uid"] for o in events["objectReports"]] == ["Evt00000001", "Evt00000002"]
    assert {e["event"] for e in dhis.events()} == {"Evt00000001", "Evt00000002"}
    again = post(dhis, [event(value="13")], **{"async": "false"}).json()
    assert again["stats"]["updated"] == 1


def test_invalid_events_are_409_with_tracker_error_reports_and_nothing_stored(dhis):
    bad = [
        event(),
        event("Evt00000002", ou=p.SONG_LUY),
        event("Evt00000003", value="x"),
        event("Evt00000004", occurredAt=None),
        event("Evt00000005", status="COMPLETED", dataValues=[]),
    ]
    resp = post(dhis, bad, **{"async": "false"})
    assert resp.status_code == 409
    report = resp.json()
    assert report["status"] == "ERROR" and "bundleReport" not in report
    assert report["stats"] == {"created": 0, "updated": 0, "deleted": 0, "ignored": 5, "total": 5}
    errors = {(e["uid"], e["errorCode"]): e for e in report["validationReport"]["errorReports"]}
    assert set(errors) == {
        ("Evt00000002", "E1029"),
        ("Evt00000003", "E1302"),
        ("Evt00000004", "E1031"),
        ("Evt00000005", "E1303"),
    }
    assert errors[("Evt00000002", "E1029")] == {
        "message": f"Event OrganisationUnit: `{p.SONG_LUY}`, and Program: `{p.PROGRAM}`, don't match.",
        "errorCode": "E1029",
        "trackerType": "EVENT",
        "uid": "Evt00000002",
    }
    assert dhis.events() == []
    partial = post(dhis, bad, atomicMode="OBJECT", **{"async": "false"})
    assert partial.status_code == 409 and partial.json()["stats"]["created"] == 1


@pytest.mark.parametrize("dhis", [("2.42", 0.3)], indirect=True)
def test_async_job_is_polled_and_2_42_report_is_404_until_done(dhis):
    resp = post(dhis, [event()])
    body = resp.json()
    assert (resp.status_code, body["message"]) == (200, "Tracker job added")
    job_id = body["response"]["id"]
    assert body["response"]["location"] == f"{dhis.url}/api/tracker/jobs/{job_id}"
    assert list(body["response"])[-1] == "responseType"
    early = requests.get(f"{dhis.url}/api/tracker/jobs/{job_id}/report", auth=dhis.auth)
    assert early.status_code == 404 and early.json()["message"] == f"Summary for job {job_id} does not exist"
    dhis.jobs.wait_all()
    notes = requests.get(f"{dhis.url}/api/tracker/jobs/{job_id}", auth=dhis.auth).json()
    assert notes[0]["completed"] is True and notes[0]["category"] == "TRACKER_IMPORT_JOB"
    report = requests.get(f"{dhis.url}/api/tracker/jobs/{job_id}/report", auth=dhis.auth).json()
    assert report["status"] == "OK" and report["stats"]["created"] == 1
    errors = post(dhis, [event("Evt00000009", ou=p.SONG_LUY)], **{"async": "false"}).json()
    assert errors["validationReport"]["errorReports"][0]["message"] == (
        f"Event OrganisationUnit: `{p.SONG_LUY}` and Program: `{p.PROGRAM}`, do not match."
    )
