"""The refusals of the field, per DHIS2 version, each beside the dhis2-core code it comes from.

Every test runs at 2.38, 2.40 and 2.42 (``dhis``), with the date pinned so that periods open and expire
predictably. References are to dhis2-core's branches 2.38 / 2.40 / 2.42.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
import requests
import responses

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.sandbox.mock import SandboxRouter
from dhis2_mch.sandbox.seed import PASSWORD, USER_UIDS
from sandbox import payloads as p

TODAY = date(2024, 5, 15)
VERSIONS = ["2.38", "2.40", "2.42"]
GROUP = derive_uid("userGroup", "T_HOA_THANG")


def shared_package(**data_set: object) -> dict:
    """The test package with the data set and the sex options shared for data entry with a group holding
    ``hoathang`` and ``hoathang_late`` (``hoathang_guest`` stays outside), as a deployment would."""
    pkg = copy.deepcopy(p.package())
    members = [p.ref(USER_UIDS["hoathang"]), p.ref(USER_UIDS["hoathang_late"])]
    pkg["userGroups"] = [{"id": GROUP, "code": "T_HOA_THANG", "name": "T Hòa Thắng data entry", "users": members}]
    access = {GROUP: {"id": GROUP, "access": "rwrw----"}}
    for option in pkg["categoryOptions"]:
        option["sharing"] = {"public": "rw------", "userGroups": access}
    pkg["dataSets"][0] |= {"sharing": {"public": "rw------", "userGroups": access}, **data_set}
    return pkg


@pytest.fixture(params=VERSIONS)
def dhis(request):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        router = SandboxRouter(request.param, today=TODAY).install(rsps, base_url="http://dhis2.test")
        router.minor = int(request.param.split(".")[1])
        yield router
        router.close()


def deploy(router, payload: dict, **params) -> requests.Response:
    return requests.post(f"{router.url}/api/metadata", json=payload, params=params, auth=router.auth)


def push(router, values: list[dict], user: str | None = None, envelope: dict | None = None, **params):
    auth = (user, PASSWORD) if user else router.auth
    body = {"dataSet": p.DATA_SET, **(envelope or {}), "dataValues": values}
    return requests.post(f"{router.url}/api/dataValueSets", params=params, json=body, auth=auth)


def conflicts(resp: requests.Response) -> list[dict]:
    return resp.json()["response"]["conflicts"]


# --- sharing ------------------------------------------------------------------------------------


def test_a_data_set_imported_without_sharing_gives_no_one_but_superusers_data_write(dhis):
    # DefaultMetadataImportService.preCreateBundleObject -> AclService.resetSharing: rw------ for a user who
    # may make it public; DataValueSetImportValidator.validateDataSetIsAccessibleByUser -> E7601, abort
    assert deploy(dhis, p.package()).status_code == 200
    assert dhis.get("dataSets", p.DATA_SET)["publicAccess"] == "rw------"
    resp = push(dhis, [p.value()], user="hoathang")
    body = resp.json()
    assert resp.status_code == 409 and body["status"] == "ERROR"
    assert body["response"]["description"] == "Import process was aborted"
    assert conflicts(resp) == [
        {
            "object": p.DATA_SET,
            "objects": {"dataSet": p.DATA_SET},
            "value": f"User does not have write access for DataSet: `{p.DATA_SET}`",
            "errorCode": "E7601",
            "property": "dataSet",
        }
    ]
    assert push(dhis, [p.value()]).status_code == 200  # admin: ALL


@pytest.mark.parametrize("shape", ["sharing block", "legacy userGroupAccesses"])
def test_data_write_through_a_user_group_lets_its_members_in_and_no_one_else(dhis, shape):
    # AclService.canDataWrite: public access, a group the user is in, or a user access (data write 'w' at [3])
    pkg = shared_package()
    if shape == "legacy userGroupAccesses":
        for obj in [*pkg["categoryOptions"], pkg["dataSets"][0]]:
            del obj["sharing"]
            obj["publicAccess"] = "rw------"
            obj["userGroupAccesses"] = [{"id": GROUP, "access": "rwrw----"}]
    assert deploy(dhis, pkg).status_code == 200
    ok = push(dhis, [p.value(), p.value(p.DE_COUNT, v="3", categoryOptionCombo=p.COC_FEMALE)], user="hoathang")
    assert ok.status_code == 200 and ok.json()["response"]["importCount"]["imported"] == 2
    assert push(dhis, [p.value()], user="hoathang_guest").json()["response"]["conflicts"][0]["errorCode"] == "E7601"


def test_an_option_combo_whose_options_the_user_may_not_write_is_not_found(dhis):
    # CategoryOptionComboAclCallable -> CategoryService.getCategoryOptionComboAcl returns null when an option
    # lacks data write: E7613 "not found or not accessible for writing data" (E7614 is never reached)
    pkg = shared_package()
    for option in pkg["categoryOptions"]:
        option["sharing"] = {"public": "rw------"}
    deploy(dhis, pkg)
    resp = push(dhis, [p.value(p.DE_COUNT, v="3", categoryOptionCombo=p.COC_FEMALE)], user="hoathang")
    [conflict] = conflicts(resp)
    assert conflict["errorCode"] == "E7613" and conflict["objects"] == {"categoryOptionCombo": p.COC_FEMALE}
    assert push(dhis, [p.value()], user="hoathang").status_code == 200  # the default option is rwrw----


# --- expiry, input periods, attribute options ------------------------------------------------------


def test_expiry_days_refuse_late_entry_without_f_edit_expired(dhis):
    # DataSet.isLocked: expiryDays > 0, the user lacks F_EDIT_EXPIRED, today after period end + expiryDays;
    # 2.39+ checkDataValueDataSetIsNotLocked over the target data sets, 2.38 checkDataValueTodayNotPastPeriodExpiry
    deploy(dhis, shared_package(expiryDays=10))
    late = p.value(period="202403")  # ended 2024-03-31, locked from 2024-04-11
    resp = push(dhis, [late, p.value(period="202405")], user="hoathang_late")
    [conflict] = conflicts(resp)
    assert conflict == {
        "object": "202403",
        "objects": {"period": "202403", "dataSet": p.DATA_SET},
        "value": f"Current date is past expiry days for period: `202403`  and data set: `{p.DATA_SET}`",
        "errorCode": "E7640",
        "property": "period",
        "indexes": [0],
    }
    assert resp.json()["response"]["importCount"]["imported"] == 1
    assert push(dhis, [late], user="hoathang").status_code == 200  # has F_EDIT_EXPIRED


def test_data_input_periods_close_a_period_outside_its_dates(dhis):
    # DataSet.isDataInputPeriodAndDateAllowed / DataInputPeriod.isPeriodAndDateValid -> E7643, then E7644
    inputs = [{"period": {"id": "202404"}, "openingDate": "2024-05-01", "closingDate": "2024-05-10"}]
    deploy(dhis, shared_package(dataInputPeriods=inputs))
    resp = push(dhis, [p.value(period="202404"), p.value(period="202403")])
    found = {(c["errorCode"], c["object"]) for c in conflicts(resp)}
    assert found == {("E7643", "202404"), ("E7643", "202403")}
    assert conflicts(resp)[0]["value"] == f"Period: `202404` is not open for this data set at this time: `{p.DATA_SET}`"
    inputs[0]["closingDate"] = "2024-05-31"
    deploy(dhis, shared_package(dataInputPeriods=inputs))
    assert push(dhis, [p.value(period="202404")]).status_code == 200


def test_attribute_options_outside_their_dates_refuse_the_period(dhis):
    # checkDataValuePeriodWithinAttrOptionComboRange: CategoryOptionCombo.getDateRange -> E7638
    option = {"id": derive_uid("categoryOption", "T_PROJ"), "code": "T_PROJ", "name": "Dự án", "shortName": "Dự án",
              "endDate": "2024-03-31T00:00:00.000", "sharing": {"public": "rwrw----"}}  # fmt: skip
    category = {"id": derive_uid("category", "T_PROJ"), "code": "T_PROJ", "name": "T project", "shortName": "T project",
                "dataDimensionType": "ATTRIBUTE", "categoryOptions": [p.ref(option["id"])]}  # fmt: skip
    combo = {"id": derive_uid("categoryCombo", "T_PROJ"), "code": "T_PROJ", "name": "T project",
             "dataDimensionType": "ATTRIBUTE", "categories": [p.ref(category["id"])]}  # fmt: skip
    pkg = shared_package(categoryCombo=p.ref(combo["id"]))
    pkg["categoryOptions"].append(option)
    pkg["categories"].append(category)
    pkg["categoryCombos"].append(combo)
    assert deploy(dhis, pkg).status_code == 200
    [aoc] = [c["id"] for c in dhis.objects("categoryOptionCombos") if c["categoryCombo"]["id"] == combo["id"]]
    values = [p.value(period="202404", attributeOptionCombo=aoc), p.value(period="202403", attributeOptionCombo=aoc)]
    resp = push(dhis, values)
    [conflict] = conflicts(resp)
    assert (conflict["errorCode"], conflict["objects"]) == ("E7638", {"period": "202404", "categoryOptionCombo": aoc})
    assert conflict["value"] == f"Period: `202404` is not within date range of attribute option combo: `{aoc}`"


# --- strict flags, storedBy, comments, texts ------------------------------------------------------


def test_strict_flags_refuse_only_what_each_names_and_never_abort(dhis):
    # checkDataValuePeriodType (E7632), checkDataValueStrictCategoryOptionCombos (E7634),
    # checkDataValueStrictOrgUnits (E7636); strictDataElements without a data set is not an abort
    deploy(dhis, shared_package())
    weekly = push(dhis, [p.value(period="2024W10")], strictPeriods="true")
    assert conflicts(weekly)[0]["errorCode"] == "E7632" and conflicts(weekly)[0]["objects"] == {
        "period": "2024W10",
        "dataElement": p.DE_NUMBER,
    }
    assert push(dhis, [p.value(period="2024W10")]).status_code == 200  # without the flag: any valid period
    foreign = push(dhis, [p.value(p.DE_NUMBER, categoryOptionCombo=p.COC_FEMALE)], strictCategoryOptionCombos="true")
    assert conflicts(foreign)[0]["errorCode"] == "E7634"
    unassigned = push(dhis, [p.value(ou=p.SONG_LUY)], strictOrganisationUnits="true")
    assert conflicts(unassigned)[0]["value"] == (
        f"Data element: `{p.DE_NUMBER}` must be assigned through data sets to organisation unit: `{p.SONG_LUY}`"
    )
    no_set = requests.post(
        f"{dhis.url}/api/dataValueSets", params={"strictDataElements": "true"}, auth=dhis.auth,
        json={"dataValues": [p.value()]},
    )  # fmt: skip
    assert no_set.status_code == 200 and no_set.json()["response"]["importCount"]["imported"] == 1


def test_stored_by_and_comment_limits_print_dhis2s_english_texts(dhis):
    # ValidationUtils.storedByIsValid (255) -> E7637, commentIsValid (50,000) -> E7620; I18n texts of
    # i18n_global.properties, the raw key in objects
    deploy(dhis, shared_package())
    resp = push(dhis, [p.value(storedBy="x" * 256), p.value(period="202403", comment="c" * 50001)])
    by_code = {c["errorCode"]: c for c in conflicts(resp)}
    assert by_code["E7637"]["value"] == "Invalid storedBy: Stored by is greater than max length"
    assert by_code["E7637"]["objects"] == {"storedBy": "stored_by_length_greater_than_max_length"}
    assert by_code["E7620"]["value"] == "Invalid comment: Comment is greater than max length"
    assert push(dhis, [p.value(storedBy="x" * 255)]).status_code == 200


def test_value_type_texts_are_translated_where_dhis2_has_a_translation(dhis):
    # ValidationUtils.valueIsValid keys; ImportConflict.createConflict prints I18n.getString(key), which is
    # the key itself where i18n_global.properties has no entry (value_not_zero_or_positive_integer)
    deploy(dhis, shared_package())
    resp = push(dhis, [p.value(v="abc"), p.value(p.DE_COUNT, v="-1", categoryOptionCombo=p.COC_FEMALE)])
    texts = {c["objects"]["dataElement"]: c["value"] for c in conflicts(resp)}
    if dhis.minor == 38:  # ErrorCode.E7619 in 2.38
        assert (
            texts[p.DE_NUMBER]
            == f"Value must match data element's `{p.DE_NUMBER}` type constraints: Data value is not numeric"
        )
    else:
        assert (
            texts[p.DE_NUMBER]
            == f"Value must match value type of data element `{p.DE_NUMBER}`: `Data value is not numeric`"
        )
    raw = "value_not_zero_or_positive_integer"  # no entry in i18n_global.properties: printed as the key
    assert texts[p.DE_COUNT].endswith(f"{raw}`" if dhis.minor > 38 else raw)


# --- target data sets and future periods ---------------------------------------------------------


def test_target_data_sets_are_those_assigned_to_the_org_unit_from_2_39(dhis):
    # 2.39+ ImportContext.getTargetDataSets keeps the element's data sets assigned to the org unit; 2.38
    # getApprovalDataSet takes the element's data set whatever the org unit
    deploy(dhis, shared_package())
    body = {"dataValues": [p.value(ou=p.SONG_LUY, period="202407")]}  # Sông Lũy: not assigned
    resp = requests.post(f"{dhis.url}/api/dataValueSets", json=body, auth=dhis.auth)
    if dhis.minor == 38:
        assert conflicts(resp)[0]["errorCode"] == "E7641"
        assert conflicts(resp)[0]["objects"] == {"period": "202407", "dataElement": p.DE_NUMBER}
    else:
        assert resp.status_code == 200


# --- completing ---------------------------------------------------------------------------------


def test_complete_date_needs_the_envelopes_org_unit_and_period(dhis):
    # DefaultDataValueSetService.handleComplete: ImportSummary.addConflict(object, "Must be provided to
    # complete data set") without error code; with both, dataSetComplete is the date
    deploy(dhis, shared_package())
    resp = push(dhis, [p.value()], envelope={"completeDate": "2024-05-01"})
    assert resp.status_code == 409 and resp.json()["response"]["status"] == "WARNING"
    assert conflicts(resp) == [{"object": "OrganisationUnit", "value": "Must be provided to complete data set"}]
    assert "dataSetComplete" not in resp.json()["response"]
    done = push(dhis, [p.value()], envelope={"completeDate": "2024-05-01", "orgUnit": p.HOA_THANG, "period": "202404"})
    assert done.json()["response"]["dataSetComplete"] == "2024-05-01"


# --- reads ----------------------------------------------------------------------------------------


def test_reads_need_data_read_sharing_and_the_users_view_hierarchy(dhis):
    # DefaultDataValueSetService.decideAccess (before validate): canDataRead -> E2010,
    # isInUserDataViewHierarchy -> E2012; answered 409 by CrudControllerAdvice (IllegalQueryException)
    deploy(dhis, shared_package())
    query = {"dataSet": p.DATA_SET, "period": "202404", "orgUnit": p.HOA_THANG}
    viewer = requests.get(f"{dhis.url}/api/dataValueSets", params=query, auth=("viewer", PASSWORD))
    assert viewer.status_code == 409 and viewer.json()["errorCode"] == "E2010"
    outside = requests.get(f"{dhis.url}/api/dataValueSets", params={**query, "orgUnit": p.SI_MA_CAI},
                           auth=("hoathang", PASSWORD))  # fmt: skip
    assert outside.json()["message"] == f"User is not allowed to view org unit: `{p.SI_MA_CAI}`"
    assert requests.get(f"{dhis.url}/api/dataValueSets", params=query, auth=("hoathang", PASSWORD)).status_code == 200


def test_unknown_filter_properties_and_operators_are_409_not_500(dhis):
    # DefaultJpaQueryParser (2.38/2.40) / DefaultQueryParser (2.42): QueryParserException -> 409
    url = f"{dhis.url}/api/dataElements"
    nope = requests.get(url, params={"filter": "nope:eq:1"}, auth=dhis.auth)
    assert (nope.status_code, nope.json()["message"]) == (409, "Unknown path property: nope")
    bad = requests.get(url, params={"filter": "name:is:x"}, auth=dhis.auth)
    assert (bad.status_code, bad.json()["message"]) == (409, "`is` is not a valid operator.")
    assert requests.get(url, params={"filter": "name"}, auth=dhis.auth).json()["message"] == "Invalid filter => name"
    ieq = requests.get(url, params={"filter": "name:ieq:x"}, auth=dhis.auth)
    assert ieq.status_code == (200 if dhis.minor >= 42 else 409)


# --- metadata -----------------------------------------------------------------------------------


def test_merge_mode_merge_keeps_omitted_properties_until_2_41(dhis):
    # DefaultMetadataImportService.getParamsFromMap parses mergeMode in 2.38-2.40 only
    de = p.data_element(p.DE_OTHER, "T_OTHER", description="kept?")
    deploy(dhis, {"dataElements": [de]})
    del de["description"]
    deploy(dhis, {"dataElements": [de]}, mergeMode="MERGE")
    kept = dhis.get("dataElements", p.DE_OTHER).get("description")
    assert kept == ("kept?" if dhis.minor <= 40 else None)


def test_security_check_tells_create_from_update(dhis):
    # SecurityCheck.runValidationCheck: E3000 for new objects, E3001 for persisted ones
    deploy(dhis, {"dataElements": [p.data_element(p.DE_OTHER, "T_OTHER")]})
    new = p.data_element(derive_uid("dataElement", "T_NEW"), "T_NEW")
    payload = {"dataElements": [p.data_element(p.DE_OTHER, "T_OTHER"), new]}
    refused = requests.post(f"{dhis.url}/api/metadata", json=payload, auth=("hoathang", PASSWORD))
    codes = {
        r["uid"]: [e["errorCode"] for e in r["errorReports"]]
        for t in refused.json()["response"]["typeReports"]
        for r in t["objectReports"]
    }
    assert codes == {p.DE_OTHER: ["E3001"], new["id"]: ["E3000"]}


def test_the_category_option_short_name_is_required_from_2_40(dhis):
    # CategoryOption.hbm.xml: shortName not-null from 2.40 -> DefaultSchemaValidator E4000
    option = {"id": p.FEMALE, "code": "T_FEMALE", "name": "Nữ"}
    resp = deploy(dhis, {"categoryOptions": [option]}, importMode="VALIDATE")
    errors = [e["errorCode"] for t in resp.json()["response"]["typeReports"] for r in t["objectReports"]
              for e in r["errorReports"]]  # fmt: skip
    assert errors == ([] if dhis.minor == 38 else ["E4000"])


# --- HTTP and honesty -----------------------------------------------------------------------------


def test_bodies_without_json_content_type_are_415_and_what_the_sandbox_lacks_is_501(dhis):
    # CrudControllerAdvice.httpMediaTypeNotSupportedExceptionHandler -> 415
    plain = requests.post(f"{dhis.url}/api/metadata", data=b"{}", headers={"Content-Type": "text/plain"},
                          auth=dhis.auth)  # fmt: skip
    assert (plain.status_code, plain.json()["message"]) == (415, "Content type 'text/plain' not supported")
    xml = requests.post(f"{dhis.url}/api/dataValueSets", data=b"<dataValueSet/>",
                        headers={"Content-Type": "application/xml"}, auth=dhis.auth)  # fmt: skip
    assert xml.status_code == 501 and xml.json()["message"].startswith("Not implemented by the sandbox")
    for method, path in (("DELETE", f"/api/dataElements/{p.DE_OTHER}"), ("GET", "/api/analytics"),
                         ("GET", "/api/apps"), ("GET", "/api/metadata.xml")):  # fmt: skip
        assert requests.request(method, dhis.url + path, auth=dhis.auth).status_code == 501, path
    assert requests.get(f"{dhis.url}/api/nothingLikeThis", auth=dhis.auth).status_code == 404


def test_without_credentials_dhis2_redirects_to_its_login_page(dhis):
    # DhisWebApiWebSecurityConfig entry points per version
    resp = requests.get(f"{dhis.url}/api/me", allow_redirects=False)
    expected = {38: "/dhis-web-commons/security/login.action", 40: "/dhis-web-commons/security/login.action",
                42: "/dhis-web-login/"}[dhis.minor]  # fmt: skip
    assert resp.status_code == 302 and resp.headers["Location"] == dhis.url + expected
