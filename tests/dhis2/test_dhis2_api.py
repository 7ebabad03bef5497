"""The typed calls: bulk reads within URL limits, the default category model, the three imports and their jobs."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from dhis2_fakes import API, add_me, recording, sample

from dhis2_mch.cli import exit_code
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.jobs import JobFailed, JobTimeout, PollPolicy, wait_for_job
from dhis2_mch.dhis2.reports import parse_data_value_import, parse_metadata_import
from dhis2_mch.errors import AuthError, HTTPStatusError, InputError, ServerUnavailable


def query(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def uid(i: int) -> str:
    return f"a{i:010d}"


# ---------------------------------------------------------------------------------------------- reads


def test_fetch_objects_in_few_requests_under_the_url_limit(rsps, conn):
    ids = [uid(i) for i in range(1500)]

    def answer(request):
        (flt,) = parse_qs(urlsplit(request.url).query)["filter"]
        wanted = re.fullmatch(r"id:in:\[(.*)\]", flt).group(1).split(",")
        objects = [{"id": i, "name": f"DE {i}"} for i in wanted if int(i[1:]) % 2 == 0]  # half exist
        return 200, {}, json.dumps({"dataElements": objects})

    rsps.add_callback("GET", f"{API}/dataElements", callback=answer)
    found = api.fetch_objects(conn, "dataElements", ids=[*ids, ids[0]])
    assert len(found) == 750 and {o["id"] for o in found} == set(ids[::2])
    assert 2 <= len(rsps.calls) <= 5
    for call in rsps.calls:
        assert len(call.request.url) <= api.MAX_URL_BYTES
        q = query(call)
        assert q["fields"] == [":owner"] and q["paging"] == ["false"]
    asked = [i for c in rsps.calls for i in re.findall(r"a\d{10}", query(c)["filter"][0])]
    assert sorted(asked) == sorted(ids)  # each id asked once


def test_fetch_objects_by_code_and_by_id_deduplicated(rsps, conn):
    rsps.get(f"{API}/dataSets", json={"dataSets": [{"id": uid(1), "code": "MCH_MONTHLY"}]})
    found = api.fetch_objects(conn, "dataSets", ids=[uid(1)], codes=["MCH_MONTHLY", "ODD,CODE"], fields="id,code")
    assert found == [{"id": uid(1), "code": "MCH_MONTHLY"}]
    filters = [query(c)["filter"][0] for c in rsps.calls]
    assert filters == [f"id:in:[{uid(1)}]", "code:in:[MCH_MONTHLY]", "code:eq:ODD,CODE"]


def test_fetch_objects_refuses_bad_input_before_any_request(rsps, conn):
    with pytest.raises(InputError, match="Not valid DHIS2 UIDs"):
        api.fetch_objects(conn, "dataElements", ids=["short"])
    with pytest.raises(InputError, match="collection name"):
        api.fetch_objects(conn, "../users", ids=[uid(1)])
    assert len(rsps.calls) == 0


def test_fetch_objects_without_the_collection_key_is_a_server_problem(rsps, conn):
    rsps.get(f"{API}/dataElements", json={"pager": {}})
    rsps.get(f"{API}/dataElements", json={"dataElements": "nope"})
    with pytest.raises(ServerUnavailable, match="`dataElements` list"):
        api.fetch_objects(conn, "dataElements", ids=[uid(1)])


def _default_model(rsps, combo="bjDvmb4bfuf", cat="GLevLNI9wkl", opt="xYerKDKCefk", coc="HllvX50cXC0"):
    rsps.get(
        f"{API}/categoryCombos",
        json={"categoryCombos": [{"id": combo, "name": "default", "categories": [
            {"id": cat, "name": "default", "categoryOptions": [{"id": opt, "name": "default"}]}]}]},
    )  # fmt: skip
    rsps.get(f"{API}/categoryOptionCombos", json={"categoryOptionCombos": [{"id": coc, "name": "default"}]})


def test_default_category_model_standard(rsps, conn):
    _default_model(rsps)
    model = api.default_category_model(conn)
    assert model.category_combo == "bjDvmb4bfuf" and model.category_option_combo == "HllvX50cXC0"
    assert model.substitutions() == {}
    assert query(rsps.calls[0])["filter"] == ["name:eq:default"]
    assert query(rsps.calls[1])["filter"] == ["categoryCombo.id:eq:bjDvmb4bfuf"]


def test_default_category_model_of_an_old_database(rsps, conn):
    _default_model(rsps, combo="p0KPaWEg3cf", coc="Prlt0C1RF0s")
    model = api.default_category_model(conn)
    assert model.substitutions() == {"bjDvmb4bfuf": "p0KPaWEg3cf", "HllvX50cXC0": "Prlt0C1RF0s"}


def test_broken_default_category_model(rsps, conn):
    rsps.get(f"{API}/categoryCombos", json={"categoryCombos": []})
    rsps.get(f"{API}/categoryCombos", json={"categoryCombos": []})
    with pytest.raises(ServerUnavailable, match="exactly one default category combo, found 0"):
        api.default_category_model(conn)


def test_org_units_by_code(rsps, conn):
    rsps.get(f"{API}/organisationUnits", json={"organisationUnits": [
        {"id": uid(7), "code": "VN_01", "name": "Hà Nội", "level": 2, "path": f"/{uid(1)}/{uid(7)}",
         "parent": {"id": uid(1)}}]})  # fmt: skip
    (unit,) = api.org_units(conn, codes=["VN_01"])
    assert (unit.id, unit.code, unit.name, unit.parent_id, unit.level) == (uid(7), "VN_01", "Hà Nội", uid(1), 2)


def test_get_data_values_from_a_real_2_40_answer(rsps, conn):
    path = recording("openhexa-toolbox_2.40_data_value_sets_get_period.yaml")
    body = yaml.safe_load(path.read_text())["responses"][0]["response"]["body"]
    rsps.get(f"{API}/dataValueSets", body=body, content_type="application/json")
    values = api.get_data_values(conn, data_set="QX4ZTUbOt3a", periods=["202201"], org_units=["JQr6TJx5KE3"])
    assert values and all(v.period == "202201" and v.data_element for v in values)
    q = query(rsps.calls[0])
    assert q["dataSet"] == ["QX4ZTUbOt3a"] and q["orgUnit"] == ["JQr6TJx5KE3"] and q["children"] == ["false"]


def test_get_data_values_chunks_org_units(rsps, conn):
    rsps.get(f"{API}/dataValueSets", json={})
    units = [uid(i) for i in range(800)]
    assert api.get_data_values(conn, data_set=uid(0), periods=["202401"], org_units=units) == []
    assert len(rsps.calls) > 1 and all(len(c.request.url) <= api.MAX_URL_BYTES for c in rsps.calls)
    assert sum(len(query(c)["orgUnit"]) for c in rsps.calls) == 800
    with pytest.raises(InputError):
        api.get_data_values(conn, data_set=uid(0), org_units=units)  # no period


# ---------------------------------------------------------------------------------------------- metadata import

PAYLOAD = {"dataElements": [{"id": uid(1), "name": "ANC 1", "shortName": "ANC 1"}], "system": {"rev": "x"}}


def test_import_metadata_sends_the_parameters_and_parses_a_409(rsps, conn):
    add_me(rsps)
    rsps.post(f"{API}/metadata", status=409, json=sample("02b"))
    result = api.import_metadata(conn, PAYLOAD, import_mode="VALIDATE")
    assert result.status == "ERROR" and result.import_mode == "VALIDATE" and len(result.errors) == 4
    post = rsps.calls[-1]
    assert {k: v[0] for k, v in query(post).items()} == {
        "importMode": "VALIDATE",
        "atomicMode": "ALL",
        "importStrategy": "CREATE_AND_UPDATE",
        "importReportMode": "ERRORS",
        "identifier": "UID",
    }
    assert json.loads(post.request.body) == PAYLOAD


def test_import_metadata_sends_bytes_unchanged(rsps, conn):
    add_me(rsps)
    rsps.post(f"{API}/metadata", json=sample("01"))
    body = json.dumps(PAYLOAD, indent=1).encode()
    assert api.import_metadata(conn, body, import_mode="COMMIT").ok
    assert rsps.calls[-1].request.body == body


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"import_strategy": "DELETE"}, "never deletes"),
        ({"import_strategy": "delete"}, "never deletes"),
        ({"atomic_mode": "SOME"}, "atomic_mode must be one of ALL, NONE"),
        ({"report_mode": "VERBOSE"}, "report_mode"),
        ({"identifier": "AUTO"}, "identifier must be one of UID, CODE"),
    ],
)
def test_import_metadata_refuses_before_sending(rsps, conn, kwargs, message):
    with pytest.raises(InputError, match=message):
        api.import_metadata(conn, PAYLOAD, import_mode="COMMIT", **kwargs)
    assert len(rsps.calls) == 0


def test_import_metadata_checks_create_authorities_first(rsps, conn):
    add_me(rsps, authorities=["F_METADATA_IMPORT", "F_DATASET_PUBLIC_ADD"])
    rsps.get(f"{API}/schemas", json={"schemas": [
        {"plural": "dataElements", "authorities": [
            {"type": "CREATE_PUBLIC", "authorities": ["F_DATAELEMENT_PUBLIC_ADD"]},
            {"type": "CREATE_PRIVATE", "authorities": ["F_DATAELEMENT_PRIVATE_ADD"]},
            {"type": "DELETE", "authorities": ["F_DATAELEMENT_DELETE"]}]}]})  # fmt: skip
    with pytest.raises(AuthError) as info:
        api.import_metadata(conn, PAYLOAD, import_mode="VALIDATE")
    assert "F_DATAELEMENT_PUBLIC_ADD or F_DATAELEMENT_PRIVATE_ADD" in str(info.value)
    assert "F_DATAELEMENT_DELETE" not in str(info.value)
    assert not [c for c in rsps.calls if c.request.method == "POST"]


def test_create_authorities_fall_back_to_the_built_in_table(rsps, conn):
    add_me(rsps, authorities=["F_DATAELEMENT_PRIVATE_ADD"])
    rsps.get(f"{API}/schemas", status=404, body="")
    assert api.metadata_authority_gaps(conn, ["dataElements", "dataSets"]) == {
        "dataSets": ("F_DATASET_PUBLIC_ADD", "F_DATASET_PRIVATE_ADD")
    }


def test_import_metadata_with_fixed_ids_is_retried(rsps, conn, sleeps):
    add_me(rsps)
    rsps.post(f"{API}/metadata", status=502)
    rsps.post(f"{API}/metadata", json=sample("01"))
    assert api.import_metadata(conn, PAYLOAD, import_mode="COMMIT").ok
    assert len(sleeps) == 1


def test_import_metadata_without_ids_is_not_retried(rsps, conn, sleeps):
    add_me(rsps)
    rsps.post(f"{API}/metadata", status=502)
    with pytest.raises(HTTPStatusError, match="HTTP 502") as info:
        api.import_metadata(conn, {"dataElements": [{"name": "no id"}]}, import_mode="COMMIT")
    assert sleeps == [] and info.value.may_have_applied and info.value.status == 502


def _job_flow(rsps, job_type, job_id, summary):
    tasks = f"{API}/system/tasks/{job_type}/{job_id}"
    rsps.get(tasks, json=[])
    rsps.get(tasks, json=[{"uid": "n1", "level": "INFO", "message": "Importing", "completed": False}])
    rsps.get(tasks, json=[{"uid": "n2", "level": "INFO", "message": "Import complete", "completed": True}])
    summaries = f"{API}/system/taskSummaries/{job_type}/{job_id}"
    rsps.get(summaries, body="")
    rsps.get(summaries, json=summary)


def test_large_metadata_goes_async_and_is_polled_to_its_report(rsps, conn, sleeps):
    add_me(rsps)
    rsps.post(f"{API}/metadata", json={
        "httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "message": "Initiated METADATA_IMPORT (Jb5tS0jJXnE)",
        "response": {"id": "Jb5tS0jJXnE", "jobType": "METADATA_IMPORT",
                     "relativeNotifierEndpoint": "/api/system/tasks/METADATA_IMPORT/Jb5tS0jJXnE"}})  # fmt: skip
    _job_flow(rsps, "METADATA_IMPORT", "Jb5tS0jJXnE", sample("06"))
    sent = {
        "dataElements": [{"id": uid(i), "name": f"DE {i}", "shortName": f"DE {i}"} for i in (1, 2)],
        "indicators": [{"id": uid(3), "name": "IND", "shortName": "IND"}],
    }  # what sample 06 reports: 2 data elements and 1 indicator created
    result = api.import_metadata(conn, sent, import_mode="COMMIT", async_threshold_bytes=10)
    assert result.ok and result.stats.created == 3 and result.job.id == "Jb5tS0jJXnE"
    post = next(c for c in rsps.calls if c.request.method == "POST")
    assert query(post)["async"] == ["true"]
    # status: none yet, running, completed (+ an empty summary), then the summary: 3 waits, backing off
    assert sleeps == [1.0, 1.5, 2.25]


def test_job_timeout_says_it_may_still_finish(rsps, conn, sleeps):
    note = {"uid": "n1", "level": "INFO", "message": "Importing dataElements", "completed": False}
    rsps.get(f"{API}/system/tasks/METADATA_IMPORT/Jb5tS0jJXnE", json=[note])
    job = parse_metadata_import({"httpStatus": "OK", "status": "OK", "response": {
        "id": "Jb5tS0jJXnE", "jobType": "METADATA_IMPORT"}}).job  # fmt: skip
    clock = iter(range(0, 10_000, 7))
    conn.clock = lambda: next(clock)
    with pytest.raises(JobTimeout) as info:
        wait_for_job(conn, job, PollPolicy(max_wait=60))
    message = str(info.value)
    assert "did not finish within 60 s" in message and "may still finish on the server" in message
    assert '"Importing dataElements"' in message and "/api/system/tasks/METADATA_IMPORT/Jb5tS0jJXnE" in message
    assert exit_code(info.value) == 3


def test_job_that_fails_without_a_report(rsps, conn, sleeps):
    note = {"uid": "n1", "level": "ERROR", "message": "Process failed: disk full", "completed": True}
    rsps.get(f"{API}/system/tasks/DATAVALUE_IMPORT/YR1UxOUXmzT", json=[note])
    rsps.get(f"{API}/system/taskSummaries/DATAVALUE_IMPORT/YR1UxOUXmzT", body="")
    job = parse_data_value_import(sample("04a")).job
    with pytest.raises(JobFailed, match="ended with an error: Process failed: disk full"):
        wait_for_job(conn, job)


# ---------------------------------------------------------------------------------------------- data values

DATA = b'{"dataSet":"QX4ZTUbOt3a","dataValues":[{"dataElement":"x","period":"202401","orgUnit":"y","value":"1"}]}'


def test_import_data_values_409_is_a_result(rsps, conn):
    add_me(rsps, authorities=["F_DATAVALUE_ADD"])
    rsps.post(f"{API}/dataValueSets", status=409, json=sample("03b"))
    result = api.import_data_values(conn, DATA, dry_run=True, org_unit_id_scheme="code", data_element_id_scheme="CODE")
    assert (result.imported, result.ignored, result.rejected_indexes) == (1, 2, [1, 2])
    post = rsps.calls[-1]
    assert post.request.body == DATA
    q = {k: v[0] for k, v in query(post).items()}
    assert q == {"dryRun": "true", "importStrategy": "CREATE_AND_UPDATE", "orgUnitIdScheme": "CODE",
                 "dataElementIdScheme": "CODE"}  # fmt: skip


def test_import_data_values_needs_f_datavalue_add_before_sending(rsps, conn):
    add_me(rsps, authorities=["F_DATASET_PUBLIC_ADD"])
    with pytest.raises(AuthError, match="may not import data values: missing the authority F_DATAVALUE_ADD"):
        api.import_data_values(conn, DATA, dry_run=False)
    assert not [c for c in rsps.calls if c.request.method == "POST"]


def test_import_data_values_async_with_the_documented_job_answers(rsps, conn, sleeps):
    add_me(rsps)
    rsps.post(f"{API}/dataValueSets", json=sample("04a"))
    rsps.get(f"{API}/system/tasks/DATAVALUE_IMPORT/YR1UxOUXmzT", json=sample("04b"))
    rsps.get(f"{API}/system/taskSummaries/DATAVALUE_IMPORT/YR1UxOUXmzT", json=sample("04c"))
    result = api.import_data_values(conn, DATA, dry_run=False, async_=True)
    assert result.updated == 431 and result.job.job_type == "DATAVALUE_IMPORT"
    assert query(rsps.calls[1])["async"] == ["true"]


def test_import_data_values_bad_id_scheme(rsps, conn):
    with pytest.raises(InputError, match="UID, CODE, NAME or ATTRIBUTE"):
        api.import_data_values(conn, DATA, dry_run=True, id_scheme="external")


# ---------------------------------------------------------------------------------------------- events


EVENTS = [{"event": uid(9), "program": uid(2), "programStage": uid(3), "orgUnit": uid(4), "occurredAt": "2024-01-31",
           "status": "COMPLETED", "dataValues": [{"dataElement": uid(5), "value": "3"}]}]  # fmt: skip


def test_import_events_sync_and_409_errors(rsps, conn, sleeps):
    rsps.post(f"{API}/tracker", status=503)
    rsps.post(f"{API}/tracker", status=409, json={"status": "ERROR", **sample("05c")})
    result = api.import_events(conn, EVENTS)
    assert result.status == "ERROR" and result.errors[0].code == "E1005"
    assert len(sleeps) == 1  # every event has its UID: safe to send again
    q = {k: v[0] for k, v in query(rsps.calls[-1]).items()}
    assert q["async"] == "false" and q["importStrategy"] == "CREATE_AND_UPDATE" and q["importMode"] == "COMMIT"
    assert json.loads(rsps.calls[-1].request.body) == {"events": EVENTS}


def test_import_events_without_uids_not_retried(rsps, conn, sleeps):
    rsps.post(f"{API}/tracker", status=503)
    with pytest.raises(ServerUnavailable):
        api.import_events(conn, [{k: v for k, v in EVENTS[0].items() if k != "event"}])
    assert sleeps == []


def test_import_events_async_polls_the_tracker_job(rsps, conn, sleeps):
    rsps.post(f"{API}/tracker", json=sample("05a"))
    rsps.get(f"{API}/tracker/jobs/cHh2OCTJvRw", json=[{"uid": "n", "level": "INFO", "completed": True}])
    rsps.get(f"{API}/tracker/jobs/cHh2OCTJvRw/report", status=404, json={"message": "Summary for job does not exist"})
    rsps.get(f"{API}/tracker/jobs/cHh2OCTJvRw/report", json=sample("05b"))
    result = api.import_events(conn, EVENTS, async_=True)
    assert result.ok and result.stats.created == 3 and result.job.kind == "tracker"


def _summary(imported: int, ignored: int = 0) -> dict:
    return {
        "httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "message": "Import was successful.",
        "response": {"responseType": "ImportSummary", "status": "SUCCESS",
                     "importCount": {"imported": imported, "updated": 0, "ignored": ignored, "deleted": 0}},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("values", "imported", "ok"),
    [
        (["1", "2", "3"], 3, True),
        (["1", "2", "3"], 0, False),  # "SUCCESS, 0 imported" after 3 values: not what was asked
        (["0", "0.0", "7"], 1, True),  # DHIS2 skips zeros that are not significant without counting them
        (["0", "5", "7"], 1, False),  # one zero may vanish, not two other values
    ],
)
def test_data_value_counts_must_account_for_what_was_sent(rsps, conn, values, imported, ok):
    add_me(rsps, authorities=["F_DATAVALUE_ADD"])
    rsps.post(f"{API}/dataValueSets", json=_summary(imported))
    rows = [{"dataElement": "x", "period": "202401", "orgUnit": "y", "value": v} for v in values]
    for payload in ({"dataValues": rows}, json.dumps({"dataValues": rows}).encode()):
        result = api.import_data_values(conn, payload, dry_run=False)
        assert result.sent == 3 and result.ok is ok
        assert (result.unaccounted is None) is ok
        if not ok:
            assert f"DHIS2 counted {imported} value" in result.unaccounted and "for the 3 sent" in result.unaccounted


def test_metadata_commit_counts_must_account_for_what_was_sent(rsps, conn):
    add_me(rsps)
    zero = {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
            "response": {"status": "OK", "stats": {"created": 0, "updated": 0, "deleted": 0, "ignored": 0, "total": 0},
                         "typeReports": []}}  # fmt: skip
    rsps.post(f"{API}/metadata", json=zero)
    rsps.post(f"{API}/metadata", json=zero)
    committed = api.import_metadata(conn, PAYLOAD, import_mode="COMMIT")
    assert committed.status == "OK" and not committed.ok
    assert (
        committed.unaccounted == "DHIS2 counted 0 objects (0 created, 0 updated, 0 deleted, 0 ignored) for the 1 sent"
    )
    # importMode=VALIDATE counts nothing in DHIS2 (DefaultObjectBundleService.commit returns first): not held to it
    assert api.import_metadata(conn, PAYLOAD, import_mode="VALIDATE").ok
