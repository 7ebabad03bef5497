"""Each kind of defect DHIS2 would refuse is caught offline, with DHIS2's error code.

The base is a clean package (the example project, built); each test breaks one thing in a copy.
"""

import copy
from pathlib import Path

import pytest

from dhis2_mch.package.authoring import load_project
from dhis2_mch.package.jsonfile import metadata_from_dict
from dhis2_mch.validate import validate

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"


@pytest.fixture(scope="module")
def clean() -> dict:
    md, findings = load_project(EXAMPLE)
    assert findings == []
    return md.dump()


def run(payload: dict, version=(2, 40)):
    md, prior = metadata_from_dict(payload)
    return validate(md, version=version, prior=prior, conventions_check=False)


def first(payload, plural, code=None):
    return next(o for o in payload[plural] if code is None or o.get("code") == code)


def codes(findings):
    return sorted({(f.code, f.type, f.property.split("[")[0] if f.property else None) for f in findings})


def test_clean_package_has_no_findings(clean):
    assert run(clean) == []


def test_invalid_uid_E4014(clean):
    bad = copy.deepcopy(clean)
    first(bad, "indicatorTypes")["id"] = "1-not-a-uid"
    (f,) = [f for f in run(bad) if f.code == "E4014"]
    assert f.message == "Invalid UID `1-not-a-uid` for property `id`"


def test_missing_required_property_E4000(clean):
    bad = copy.deepcopy(clean)
    del first(bad, "dataElements", "EX_WEIGHED")["valueType"]
    (f,) = run(bad)
    assert (f.code, f.type, f.property, f.message) == (
        "E4000", "dataElement", "valueType", "Missing required property `valueType`"
    )  # fmt: skip


def test_missing_required_message_ends_with_a_dot_in_2_38(clean):
    bad = copy.deepcopy(clean)
    del first(bad, "dataElements", "EX_WEIGHED")["valueType"]
    assert run(bad, version=(2, 38))[0].message.endswith("`valueType`.")


def test_too_long_E4001_with_dhis2s_exact_text(clean):
    bad = copy.deepcopy(clean)
    first(bad, "dataElements", "EX_WEIGHED")["shortName"] = "x" * 55
    (f,) = run(bad)
    assert f.code == "E4001"
    assert f.message == "Maximum length of property `shortName`is 50, but given length was 55"


def test_code_too_long_E4001(clean):
    bad = copy.deepcopy(clean)
    first(bad, "categoryOptions")["code"] = "C" * 51
    assert codes(run(bad)) == [("E4001", "categoryOption", "code")]


def test_duplicate_uid_E5004(clean):
    bad = copy.deepcopy(clean)
    bad["indicators"][1]["id"] = bad["indicators"][0]["id"]
    assert ("E5004", "indicator", "id") in codes(run(bad))


def test_duplicate_unique_property_E5003_names_the_first_object(clean):
    bad = copy.deepcopy(clean)
    a, b = bad["dataElements"][0], bad["dataElements"][1]
    b["name"] = a["name"]
    (f,) = run(bad)
    assert (f.code, f.property, f.id) == ("E5003", "name", b["id"])
    assert f.message.endswith(f"already exists on object {a['id']}")


def test_uniqueness_is_per_type_as_dhis2_enforces_it(clean):
    same = copy.deepcopy(clean)
    same["indicators"][1]["name"] = same["indicators"][0]["name"]  # Indicator.name is not unique in DHIS2
    same["indicators"][1]["shortName"] = same["indicators"][0]["shortName"]
    assert run(same) == []
    same["programs"].append({**same["programs"][0], "id": "Abcdefghij1", "code": "OTHER"})  # nor is Program.name
    assert codes(run(same)) == []


def test_data_set_short_name_unique_only_from_2_40(clean):
    bad = copy.deepcopy(clean)
    twin = {**first(bad, "dataSets"), "id": "Abcdefghij2", "code": "EX_TWIN", "dataSetElements": []}
    bad["dataSets"].append(twin)
    assert ("E5003", "dataSet", "shortName") in codes(run(bad, version=(2, 40)))
    assert codes(run(bad, version=(2, 39))) == []


def test_dangling_reference_E5002(clean):
    bad = copy.deepcopy(clean)
    first(bad, "dataElements", "EX_WEIGHED")["categoryCombo"] = {"id": "Zzzzzzzzzzz"}
    (f,) = run(bad)
    assert (f.code, f.property) == ("E5002", "categoryCombo")
    assert f.message.startswith("Invalid reference [Zzzzzzzzzzz] (CategoryCombo) on object EX - Children weighed [")


def test_default_category_model_always_resolves(clean):
    ok = copy.deepcopy(clean)
    first(ok, "dataElements", "EX_WEIGHED")["categoryCombo"] = {"id": "bjDvmb4bfuf"}
    assert run(ok) == []


def test_program_stage_without_program_E4053(clean):
    bad = copy.deepcopy(clean)
    stage = first(bad, "programStages")
    del stage["program"]
    assert codes(run(bad)) == [("E4053", "programStage", "program")]
    assert run(bad)[0].message == f"Program stage `{stage['id']}` must reference a program"


@pytest.mark.parametrize(
    ("plural", "prop", "value"),
    [
        ("dataElements", "valueType", "INTEGER_POSITIV"),
        ("dataElements", "aggregationType", "TOTAL"),
        ("dataElements", "domainType", "EVENT"),
        ("dataSets", "periodType", "Monthy"),
    ],
)
def test_unknown_enumeration_value(clean, plural, prop, value):
    bad = copy.deepcopy(clean)
    first(bad, plural)[prop] = value
    (f,) = run(bad)
    assert (f.code, f.property) == ("MCH003", prop)


def test_enumerations_follow_the_version(clean):
    md = copy.deepcopy(clean)
    first(md, "dataElements", "EX_EV_TOPIC")["valueType"] = "MULTI_TEXT"
    assert run(md, version=(2, 39)) == []
    assert codes(run(md, version=(2, 38))) == [("MCH003", "dataElement", "valueType")]


def test_data_set_element_must_be_aggregate(clean):
    bad = copy.deepcopy(clean)
    first(bad, "dataElements", "EX_WEIGHED")["domainType"] = "TRACKER"
    assert codes(run(bad)) == [("MCH004", "dataSet", "dataSetElements")]


def test_program_stage_data_element_must_be_tracker(clean):
    bad = copy.deepcopy(clean)
    first(bad, "dataElements", "EX_EV_CAREGIVERS")["domainType"] = "AGGREGATE"
    assert codes(run(bad)) == [("MCH004", "programStage", "programStageDataElements")]


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("#{Zzzzzzzzzzz}", "names no dataElement [Zzzzzzzzzzz]"),
        ("#{%(de)s.Zzzzzzzzzzz}", "names no categoryOptionCombo [Zzzzzzzzzzz]"),
        ("I{Zzzzzzzzzzz}", "names no programIndicator"),
        ("D{Zzzzzzzzzzz.%(de)s}", "names no program"),
        ("OUG{Zzzzzzzzzzz}", "names no organisationUnitGroup"),
        ("#{%(de)s", "is not closed with `}`"),
        ("(#{%(de)s}", "`(` not closed"),
        ("#{%(de)s} + 'a}' }", "a brace outside an item"),
    ],
)
def test_indicator_expression_problems_are_warnings(clean, expression, fragment):
    """DHIS2 stores expressions as text at import, so each problem is a warning saying what follows."""
    bad = copy.deepcopy(clean)
    ind = first(bad, "indicators", "EX_UNDERWEIGHT_PCT")
    de = first(bad, "dataElements", "EX_WEIGHED")["id"]
    ind["numerator"] = expression % {"de": de}
    found = run(bad)
    assert {(f.code, f.severity, f.id) for f in found} == {("MCH005", "warning", ind["id"])}
    assert any(fragment in f.message for f in found), [f.message for f in found]


def test_valid_expression_forms_pass(clean):
    ok = copy.deepcopy(clean)
    de = first(ok, "dataElements", "EX_WEIGHED")["id"]
    pi = first(ok, "programIndicators")["id"]
    first(ok, "indicators", "EX_UNDERWEIGHT_PCT")["numerator"] = f"#{{{de}.*}} + I{{{pi}}} + #{{{de}.HllvX50cXC0}}"
    assert run(ok) == []


def test_category_combo_with_missing_category_and_empty_category(clean):
    bad = copy.deepcopy(clean)
    first(bad, "categoryCombos")["categories"].append({"id": "Zzzzzzzzzzz"})
    first(bad, "categories", "EX_SEX")["categoryOptions"] = []
    found = codes(run(bad))
    assert ("E5002", "categoryCombo", "categories") in found
    assert ("MCH006", "category", "categoryOptions") in found


def test_option_combo_must_take_one_option_per_category(clean):
    bad = copy.deepcopy(clean)
    coc = bad["categoryOptionCombos"][0]
    coc["categoryOptions"] = coc["categoryOptions"][:1]
    assert ("MCH006", "categoryOptionCombo", "categoryOptions") in codes(run(bad))


def test_conventions_are_warnings_not_errors(clean):
    md = copy.deepcopy(clean)
    de = first(md, "dataElements", "EX_WEIGHED")
    de["code"] = "ex_weighed"
    del de["description"]
    de["translations"] = [t for t in de["translations"] if t["property"] != "SHORT_NAME"]
    typed, _ = metadata_from_dict(md)
    assert validate(typed) == []  # a DHIS2 JSON package: the project's conventions are not its rules
    found = validate(typed, conventions_check=True)
    assert {f.severity for f in found} == {"warning"}
    assert sorted(f.code for f in found) == ["MCH101", "MCH102", "MCH103"]
    assert next(f for f in found if f.code == "MCH102").message == "no `vi` translation of shortName"


@pytest.mark.parametrize("package", ["NUT_AGG_2.40", "IMM_BCU_2.40"])
def test_who_packages_have_no_errors(shared_dir, package):
    from dhis2_mch.package.jsonfile import load_metadata_json

    md, prior = load_metadata_json(shared_dir / "dhis2" / "packages" / package / "metadata.json")
    found = validate(md, prior=prior)
    assert [f for f in found if f.severity == "error"] == []
    assert md.count() > 200
