"""Every DHIS2 import answer (real samples, then small inline bodies) parses into the right counts and errors."""

from __future__ import annotations

import pytest
from dhis2_fakes import sample

from dhis2_mch.cli import exit_code
from dhis2_mch.dhis2.reports import (
    UnexpectedResponse,
    parse_data_value_import,
    parse_metadata_import,
    parse_notifications,
    parse_object_report,
    parse_tracker_import,
    plural_for_klass,
)
from dhis2_mch.errors import ServerUnavailable

# ---------------------------------------------------------------------------------------------- real samples


def test_01_wrapped_success_with_full_object_reports():
    result = parse_metadata_import(sample("01"), 200)
    assert (result.status, result.http_status, result.ok) == ("OK", 200, True)
    assert (result.stats.updated, result.stats.total, result.stats.created) == (1, 1, 0)
    assert result.by_type["users"].stats.updated == 1
    assert result.by_klass["org.hisp.dhis.user.User"].plural == "users"
    assert result.errors == []


def test_02a_success_with_the_2_42_0_responsetype_spelling_last():
    result = parse_metadata_import(sample("02a"), 200)
    assert result.ok and result.stats.created == 49 and result.stats.total == 49
    assert result.by_type["dataElements"].stats.created == 28
    assert result.by_type["trackedEntityTypes"].klass == "org.hisp.dhis.trackedentity.TrackedEntityType"
    assert result.by_type["options"].stats.created == 5
    assert sum(t.stats.created for t in result.types) == 49


def test_02b_409_atomic_all_every_error_with_its_object():
    result = parse_metadata_import(sample("02b"), 409)
    # the envelope says WARNING, the report says ERROR: the report wins
    assert result.status == "ERROR" and not result.ok
    assert result.http_status == 409
    assert result.message.startswith("One or more errors occurred")
    assert (result.stats.created, result.stats.updated, result.stats.ignored, result.stats.total) == (0, 0, 49, 49)
    assert result.by_type["dataElements"].stats.ignored == 27
    assert [e.code for e in result.errors] == ["E4000", "E3012", "E5002", "E4000"]

    tet = result.errors[0]
    assert (tet.plural, tet.uid, tet.index, tet.property) == ("trackedEntityTypes", "ER5qgJDCfUh", 0, "shortName")
    assert tet.klass == "org.hisp.dhis.trackedentity.TrackedEntityType" and tet.error_klass == "java.lang.String"
    assert tet.display_name == "FCA:Facility" and tet.args == ["shortName"]

    ref = result.errors[2]
    assert (ref.plural, ref.uid, ref.main_id, ref.property) == (
        "programStages",
        "VdBma23iRTw",
        "xH7ytgsoJ3d",
        "dataElement",
    )
    assert ref.main_klass == "org.hisp.dhis.program.ProgramStageDataElement"
    assert ref.properties == ["[jmUQ1B95ZP9] (DataElement)", "[xH7ytgsoJ3d] (ProgramStageDataElement)", "dataElement"]
    assert ref.describe().startswith("E5002 ProgramStage VdBma23iRTw (#0) dataElement: Invalid reference")

    de = result.errors[3]
    assert (de.plural, de.uid, de.property) == ("dataElements", "Wno4M1rmwHr", "valueType")


def test_06_legacy_unwrapped_report():
    result = parse_metadata_import(sample("06"), 200)
    assert result.ok and result.stats.created == 3
    assert result.by_type["dataElements"].stats.created == 2
    assert result.by_type["indicators"].stats.created == 1
    assert result.import_params["importStrategy"] == "CREATE_AND_UPDATE"


def test_03a_data_values_success():
    result = parse_data_value_import(sample("03a"), 200)
    assert result.status == "SUCCESS" and result.ok and result.http_status == 200
    assert result.dry_run is True
    assert result.conflicts == [] and result.rejected_indexes == []


@pytest.mark.parametrize(
    ("name", "code", "prop", "objects_key"),
    [("03b", "E7610", "dataElement", "dataElement"), ("03c", "E7612", "orgUnit", "organisationUnit")],
)
def test_03bc_409_warning_partial_import_with_conflicts(name, code, prop, objects_key):
    result = parse_data_value_import(sample(name), 409)
    assert result.status == "WARNING" and not result.ok and not result.aborted
    assert result.http_status == 409
    assert (result.imported, result.updated, result.ignored, result.deleted) == (1, 0, 2, 0)
    assert result.rejected_indexes == [1, 2]
    assert [c.error_code for c in result.conflicts] == [code, code]
    first = result.conflicts[0]
    assert first.property == prop and first.indexes == [1] and objects_key in first.objects
    assert "not found or not accessible" in first.message
    assert first.describe().startswith(f"{code} {prop} INVALID_1")


def test_04a_async_data_value_acceptance_is_a_job():
    result = parse_data_value_import(sample("04a"), 200)
    assert result.status == "PENDING"
    assert (result.job.id, result.job.job_type, result.job.kind) == ("YR1UxOUXmzT", "DATAVALUE_IMPORT", "system")


def test_04b_task_notifications():
    notes = parse_notifications(sample("04b"))
    assert len(notes) == 1 and notes[0].completed and notes[0].message == "Import done"


def test_04c_bare_task_summary():
    result = parse_data_value_import(sample("04c"))
    assert result.status == "SUCCESS" and result.updated == 431 and result.imported == 0
    assert result.http_status is None


def test_05a_tracker_async_acceptance():
    result = parse_tracker_import(sample("05a"), 200)
    assert result.status == "PENDING"
    assert (result.job.id, result.job.kind, result.job.job_type) == ("cHh2OCTJvRw", "tracker", "TRACKER_IMPORT_JOB")


def test_05b_tracker_report_ok():
    result = parse_tracker_import(sample("05b"), 200)
    assert result.ok and result.stats.created == 3
    assert result.by_type["EVENT"].created == 1 and result.by_type["RELATIONSHIP"].total == 0


def test_05c_tracker_validation_errors():
    result = parse_tracker_import(sample("05c"), 409)
    assert result.status == "ERROR" and not result.ok
    (error,) = result.errors
    assert (error.code, error.tracker_type, error.uid) == ("E1005", "TRACKED_ENTITY", "Kj6vYde4LHh")


def test_07_single_object_report_masks_the_token_key():
    result = parse_object_report(sample("07"), 201)
    assert result.ok and result.uid == "jJYrtIVP7qU" and result.http_status == 201
    key = sample("07")["response"]["key"]
    assert result.key.get_secret_value() == key
    assert key not in repr(result) and key not in result.model_dump_json()


# ---------------------------------------------------------------------------------------------- inline shapes

REPORT = {
    "responseType": "ImportReport",
    "status": "OK",
    "stats": {"created": 2, "updated": 1, "deleted": 0, "ignored": 0, "total": 3},
    "typeReports": [
        {
            "klass": "org.hisp.dhis.category.Category",
            "stats": {"created": 2, "updated": 1, "deleted": 0, "ignored": 0, "total": 3},
            "objectReports": [],
        }
    ],
}


def test_wrapped_200_inline_and_unknown_keys_ignored():
    body = {"httpStatus": "OK", "httpStatusCode": 200, "status": "OK", "response": REPORT, "newKey2044": {"x": 1}}
    body["response"] = {**REPORT, "timings": [1, 2], "typeReports": [{**REPORT["typeReports"][0], "extra": True}]}
    result = parse_metadata_import(body)
    assert result.ok and result.changed == 3
    assert result.by_type["categories"].stats.updated == 1


def test_409_e5003_inline():
    body = {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "WARNING",
        "message": "One or more errors occurred, please see full details in import report.",
        "response": {
            "responseType": "ImportReport",
            "status": "ERROR",
            "stats": {"created": 0, "updated": 0, "deleted": 0, "ignored": 1, "total": 1},
            "typeReports": [
                {
                    "klass": "org.hisp.dhis.dataelement.DataElement",
                    "stats": {"created": 0, "updated": 0, "deleted": 0, "ignored": 1, "total": 1},
                    "objectReports": [
                        {
                            "klass": "org.hisp.dhis.dataelement.DataElement",
                            "index": 3,
                            "uid": "Abcdefghij1",
                            "errorReports": [
                                {
                                    "message": "Property `shortName` with value `ANC 1` on object ANC 1 [Abcdefghij1] "
                                    "(DataElement) already exists on object Xyzxyzxyz12",
                                    "mainKlass": "org.hisp.dhis.dataelement.DataElement",
                                    "mainId": "Xyzxyzxyz12",
                                    "errorCode": "E5003",
                                    "errorProperty": "shortName",
                                    "value": "ANC 1",
                                }
                            ],
                        }
                    ],
                }
            ],
        },
    }
    (error,) = parse_metadata_import(body).errors
    assert (error.code, error.uid, error.main_id, error.index, error.value) == (
        "E5003",
        "Abcdefghij1",
        "Xyzxyzxyz12",
        3,
        "ANC 1",
    )


def test_webmessage_error_without_report():
    body = {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "ERROR", "message": "Only one Metadata package"}
    result = parse_metadata_import(body)
    assert result.status == "ERROR" and result.errors[0].message == "Only one Metadata package"


@pytest.mark.parametrize(
    "body",
    [
        # 2.38–2.40: "Initiated metadataImport", no responseType
        {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK",
            "message": "Initiated metadataImport",
            "response": {"name": "metadataImport", "id": "Jb5tS0jJXnE", "jobType": "METADATA_IMPORT"},
        },
        # 2.42.5+: responseType JobConfiguration, type only in the notifier endpoint
        {
            "httpStatus": "OK",
            "httpStatusCode": 200,
            "status": "OK",
            "message": "Initiated METADATA_IMPORT (Jb5tS0jJXnE)",
            "response": {
                "id": "Jb5tS0jJXnE",
                "relativeNotifierEndpoint": "/api/system/tasks/METADATA_IMPORT/Jb5tS0jJXnE",
                "responseType": "JobConfiguration",
            },
        },
    ],
)
def test_metadata_async_acceptance(body):
    result = parse_metadata_import(body, 200)
    assert result.status == "PENDING" and result.job.job_type == "METADATA_IMPORT" and result.job.id == "Jb5tS0jJXnE"


def test_data_value_409_error_aborted():
    body = {
        "httpStatus": "Conflict",
        "httpStatusCode": 409,
        "status": "ERROR",
        "message": "An error occurred, please check import summary.",
        "response": {
            "responseType": "ImportSummary",
            "status": "ERROR",
            "description": "Import process was aborted",
            "importCount": {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0},
            "conflicts": [
                {"object": "Nope1234567", "objects": {"dataSet": "Nope1234567"}, "value": "Data set not found or "
                 "not accessible: `Nope1234567`", "errorCode": "E7600", "property": "dataSet"}
            ],
        },
    }  # fmt: skip
    result = parse_data_value_import(body, 409)
    assert result.aborted and result.conflicts[0].error_code == "E7600" and result.conflicts[0].indexes == []


def test_legacy_conflict_without_code_or_indexes():
    body = {"responseType": "ImportSummary", "status": "WARNING", "importCount": {"imported": 1, "ignored": 1},
            "conflicts": [{"object": "2023W60", "value": "Period not valid"}]}  # fmt: skip
    result = parse_data_value_import(body)
    assert result.imported == 1 and result.conflicts[0].message == "Period not valid"


def test_plural_for_klass_outside_the_model_table():
    assert plural_for_klass("org.hisp.dhis.category.Category") == "categories"
    assert plural_for_klass("org.hisp.dhis.dataentryform.DataEntryForm") == "dataEntryForms"
    assert plural_for_klass("org.hisp.dhis.user.UserRole") == "userRoles"
    assert plural_for_klass("org.hisp.dhis.legend.LegendSet") == "legendSets"


@pytest.mark.parametrize("body", [[], "OK", {"foo": 1}, {"httpStatus": "OK", "response": {"weird": True}}])
def test_unrecognised_shapes_are_a_server_problem(body):
    with pytest.raises(UnexpectedResponse) as info:
        parse_metadata_import(body)
    assert isinstance(info.value, ServerUnavailable) and exit_code(info.value) == 3
    assert "shape dhis2-mch does not recognise" in str(info.value)
    with pytest.raises(UnexpectedResponse):
        parse_data_value_import(body)
    with pytest.raises(UnexpectedResponse):
        parse_tracker_import(body)


def test_notifications_newest_first_and_keyed_by_id():
    older = {"uid": "a", "level": "INFO", "time": "2024-01-01T10:00:00.000", "message": "start", "completed": False}
    newer = {"uid": "b", "level": "INFO", "time": "2024-01-01T10:00:05.000", "message": "done", "completed": True}
    assert [n.uid for n in parse_notifications([older, newer])] == ["b", "a"]
    assert [n.uid for n in parse_notifications({"Jb5tS0jJXnE": [newer, older]})] == ["b", "a"]
    assert parse_notifications(None) == []


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (parse_data_value_import, {"responseType": "ImportSummary", "status": "SUCCESS", "importCount": [1, 2]}),
        (parse_data_value_import, {"responseType": "ImportSummary", "conflicts": 3}),
        (parse_metadata_import, {"status": "OK", "stats": {"created": "many"}, "typeReports": []}),
        (parse_metadata_import, {"status": "OK", "stats": {}, "typeReports": [{"klass": "x", "objectReports": 5}]}),
    ],
)
def test_answers_that_break_the_parser_are_unexpected_not_a_crash(parse, body):
    with pytest.raises(UnexpectedResponse, match="shape dhis2-mch does not recognise"):
        parse(body)
