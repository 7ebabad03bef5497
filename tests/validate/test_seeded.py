"""Seeded defects: each kind DHIS2 refuses is reported with DHIS2's code, on the right object, as an error;
what DHIS2 accepts is at most a warning. The base is the example project, built clean; each case breaks one
thing in a copy (JSON, as another team's package would arrive)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.package.authoring import load_project
from dhis2_mch.package.jsonfile import metadata_from_dict
from dhis2_mch.validate import validate

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"
PROGRAM = derive_uid("program", "S_PROG")
STAGE = derive_uid("programStage", "S_STAGE")
DE_EV = derive_uid("dataElement", "S_EV")
DE_OTHER = derive_uid("dataElement", "S_OTHER")
TEA = derive_uid("trackedEntityAttribute", "S_TEA")
OPTION_SET = derive_uid("optionSet", "S_OS")


@pytest.fixture(scope="module")
def clean() -> dict:
    md, findings = load_project(EXAMPLE)
    assert findings == []
    return merged(md.dump(), _tracker())


def _tracker() -> dict:
    """A small event programme with rule variables, rules and actions, and an option set, all valid."""

    def de(uid, code):
        return {"id": uid, "code": code, "name": f"Seeded {code}", "shortName": code, "valueType": "TEXT",
                "domainType": "TRACKER", "aggregationType": "NONE"}  # fmt: skip

    rule = derive_uid("programRule", "S_RULE")
    return {
        "optionSets": [{"id": OPTION_SET, "code": "S_OS", "name": "Seeded set", "valueType": "TEXT",
                        "options": [{"id": derive_uid("option", "S_A")}, {"id": derive_uid("option", "S_B")}]}],
        "options": [{"id": derive_uid("option", "S_A"), "code": "A", "name": "Alpha", "optionSet": {"id": OPTION_SET}},
                    {"id": derive_uid("option", "S_B"), "code": "B", "name": "Beta", "optionSet": {"id": OPTION_SET}}],
        "dataElements": [de(DE_EV, "S_EV"), de(DE_OTHER, "S_OTHER")],
        "trackedEntityAttributes": [{"id": TEA, "code": "S_TEA", "name": "Seeded TEA", "shortName": "S TEA",
                                     "valueType": "TEXT", "aggregationType": "NONE"}],
        "programs": [{"id": PROGRAM, "code": "S_PROG", "name": "Seeded programme", "shortName": "Seeded",
                      "programType": "WITHOUT_REGISTRATION", "programStages": [{"id": STAGE}]}],
        "programStages": [{"id": STAGE, "code": "S_STAGE", "name": "Seeded stage", "program": {"id": PROGRAM},
                           "programStageDataElements": [{"dataElement": {"id": DE_EV}}]}],
        "programRuleVariables": [{"id": derive_uid("programRuleVariable", "S_V"), "name": "ev",
                                  "program": {"id": PROGRAM}, "programRuleVariableSourceType":
                                  "DATAELEMENT_CURRENT_EVENT", "dataElement": {"id": DE_EV}}],
        "programRules": [{"id": rule, "name": "Seeded rule", "program": {"id": PROGRAM}, "condition": "#{ev} == 'x'",
                          "programRuleActions": [{"id": derive_uid("programRuleAction", "S_ACT")}]}],
        "programRuleActions": [{"id": derive_uid("programRuleAction", "S_ACT"), "programRule": {"id": rule},
                                "programRuleActionType": "HIDEFIELD", "dataElement": {"id": DE_EV}}],
    }  # fmt: skip


def merged(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, objs in extra.items():
        out[key] = out.get(key, []) + objs
    return out


def findings(payload: dict, version=(2, 40)):
    md, prior = metadata_from_dict(payload)
    return validate(md, version=version, prior=prior)


def errors(payload: dict, version=(2, 40)) -> set[tuple[str, str, str | None, str | None]]:
    return {(f.code, f.type, f.id, (f.property or "").split("[")[0].split(".")[0] or None)
            for f in findings(payload, version) if f.severity == "error"}  # fmt: skip


def first(payload, plural, code=None):
    return next(o for o in payload[plural] if code is None or o.get("code") == code)


def test_the_seeded_base_is_clean(clean):
    assert [f.as_text() for f in findings(clean)] == []


@pytest.mark.parametrize(("plural", "prop"), [("dataElements", "shortName"), ("dataElements", "valueType"),
                                              ("indicators", "numerator"), ("dataSets", "periodType"),
                                              ("categories", "shortName"), ("optionSets", "valueType"),
                                              ("programRules", "program"), ("programRuleVariables", "name"),
                                              ("programRuleActions", "programRuleActionType")])  # fmt: skip
def test_missing_required_property_E4000(clean, plural, prop):
    bad = copy.deepcopy(clean)
    obj = first(bad, plural)
    if isinstance(obj.get(prop), dict):
        del obj[prop]  # a reference (an empty text is no object: Jackson refuses it, MCH002)
    else:
        obj[prop] = ""  # DHIS2's reader turns an empty text into null
    assert ("E4000", plural[:-1] if plural != "categories" else "category", obj["id"], prop) in errors(bad)


def test_short_names_of_groups_and_options_are_required_only_from_2_40(clean):
    bad = merged(clean, {"categoryOptions": [{"id": derive_uid("categoryOption", "S_CO"), "name": "Seeded CO"}]})
    uid = derive_uid("categoryOption", "S_CO")
    assert ("E4000", "categoryOption", uid, "shortName") in errors(bad, (2, 40))
    assert not {e for e in errors(bad, (2, 39)) if e[2] == uid}


@pytest.mark.parametrize(("prop", "limit"), [("name", 230), ("code", 50), ("shortName", 50)])
def test_over_long_texts_E4001(clean, prop, limit):
    bad = copy.deepcopy(clean)
    de = first(bad, "dataElements", "S_OTHER")
    de[prop] = "x" * (limit + 1)
    (f,) = [f for f in findings(bad) if f.code == "E4001"]
    assert (f.type, f.id, f.property, f.severity) == ("dataElement", DE_OTHER, prop, "error")
    assert f.message == f"Maximum length of property `{prop}`is {limit}, but given length was {limit + 1}"


def test_option_codes_may_be_230_long(clean):
    ok = copy.deepcopy(clean)
    first(ok, "options")["code"] = "C" * 230
    assert errors(ok) == set()


def test_bad_uid_E4014(clean):
    bad = copy.deepcopy(clean)
    first(bad, "indicatorTypes")["id"] = "1-not-a-uid"
    assert ("E4014", "indicatorType", "1-not-a-uid", "id") in errors(bad)


@pytest.mark.parametrize(("plural", "path"), [
    ("dataSets", ("dataSetElements", 0, "dataElement")),
    ("programStages", ("programStageDataElements", 0, "dataElement")),
    ("categoryCombos", ("categories", 0)),
    ("programRuleVariables", ("dataElement",)),
])  # fmt: skip
def test_dangling_references_E5002(clean, plural, path):
    """Offline a reference the package lacks is E5002 (a warning: the server may have it); one that is no
    UID, or names an object of another type, is an error: no server can resolve it."""
    for value, severity in (("Zzzzzzzzzzz", "warning"), ("<PLACEHOLDER>", "error"), (DE_OTHER if plural ==
                            "categoryCombos" else OPTION_SET, "error")):  # fmt: skip
        bad = copy.deepcopy(clean)
        obj = first(bad, plural)
        target = obj
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = {"id": value}
        hits = [f for f in findings(bad) if f.code == "E5002" and f.id == obj["id"]]
        assert [(f.type, f.property.split("[")[0], f.severity) for f in hits] == [
            (plural[:-1] if plural != "categories" else "category", path[0], severity)
        ], value


def test_duplicates_within_a_class_E5003_E5004_but_not_across_classes(clean):
    bad = copy.deepcopy(clean)
    twin = copy.deepcopy(first(bad, "dataElements", "S_OTHER"))
    bad["dataElements"].append(twin)  # same id, code, name: E5004 (the other properties are the same object)
    found = errors(bad)
    assert ("E5004", "dataElement", DE_OTHER, "id") in found
    renamed = copy.deepcopy(clean)
    other = copy.deepcopy(first(renamed, "dataElements", "S_OTHER"))
    other["id"] = derive_uid("dataElement", "S_OTHER2")
    renamed["dataElements"].append(other)
    assert {(e[0], e[3]) for e in errors(renamed) if e[2] == other["id"]} == {
        ("E5003", "code"),
        ("E5003", "name"),
        ("E5003", "shortName"),
    }
    shared = copy.deepcopy(clean)
    first(shared, "indicatorTypes")["id"] = DE_OTHER  # one UID on two types is fine
    assert errors(shared) == set()


def test_duplicate_option_code_in_a_set_E4028(clean):
    bad = copy.deepcopy(clean)
    seeded = [o for o in bad["options"] if o["optionSet"]["id"] == OPTION_SET]
    seeded[1]["code"] = "A"
    found = [f for f in findings(bad) if f.code == "E4028"]
    assert {(f.type, f.id, f.property, f.severity) for f in found} == {
        ("option", o["id"], "code", "error") for o in seeded
    }
    assert OPTION_SET in found[0].message


def test_program_rule_without_program_and_action_on_a_foreign_field(clean):
    bad = copy.deepcopy(clean)
    del bad["programRules"][0]["program"]
    bad["programRuleActions"][0]["dataElement"] = {"id": DE_OTHER}  # not in any stage of the programme
    found = errors(bad)
    assert ("E4000", "programRule", bad["programRules"][0]["id"], "program") in found
    again = copy.deepcopy(clean)
    again["programRuleActions"][0]["dataElement"] = {"id": DE_OTHER}
    assert ("E4047", "programRuleAction", again["programRuleActions"][0]["id"], "dataElement") in errors(again)


def test_program_rule_variables_unique_names_and_keywords_E4051_E4052(clean):
    bad = copy.deepcopy(clean)
    twin = {**bad["programRuleVariables"][0], "id": derive_uid("programRuleVariable", "S_V2")}
    bad["programRuleVariables"].append(twin)
    assert ("E4051", "programRuleVariable", twin["id"], "name") in errors(bad)
    kw = copy.deepcopy(clean)
    kw["programRuleVariables"][0]["name"] = "weight and height"
    assert ("E4052", "programRuleVariable", kw["programRuleVariables"][0]["id"], "name") in errors(kw)


def test_program_stage_without_program_E4053(clean):
    bad = copy.deepcopy(clean)
    del next(s for s in bad["programStages"] if s["id"] == STAGE)["program"]
    assert ("E4053", "programStage", STAGE, "program") in errors(bad, (2, 38))


@pytest.mark.parametrize(("value", "accepted"), [("true", True), ("TRUE", True), (1, True), ("yes", False),
                                                 (1.5, False)])  # fmt: skip
def test_booleans_read_as_jackson_reads_them(clean, value, accepted):
    payload = copy.deepcopy(clean)
    first(payload, "dataElements", "S_OTHER")["zeroIsSignificant"] = value
    bad = {e for e in errors(payload) if e[2] == DE_OTHER}
    assert (bad == set()) is accepted, bad


def test_numbers_read_as_jackson_reads_them(clean):
    ok = copy.deepcopy(clean)
    ds = first(ok, "dataSets")
    ds["timelyDays"] = 0.0  # a whole float for an int
    first(ok, "indicators")["numerator"] = -1  # a number for a text (WHO [CONFIG] indicators)
    assert errors(ok) == set()
    truncated = copy.deepcopy(ok)
    first(truncated, "dataSets")["expiryDays"] = 1.5
    warns = [f for f in findings(truncated) if f.code == "MCH008"]
    assert [(f.id, f.property, f.severity) for f in warns] == [(ds["id"], "expiryDays", "warning")]
    refused = copy.deepcopy(ok)
    first(refused, "dataSets")["expiryDays"] = "soon"
    assert ("MCH002", "dataSet", ds["id"], "expiryDays") in errors(refused)


def test_what_dhis2_accepts_is_at_most_a_warning(clean):
    lax = copy.deepcopy(clean)
    first(lax, "indicators")["numerator"] = "#{Zzzzzzzzzzz} + ("  # stored as text at import
    first(lax, "dataSets")["organisationUnits"] = [{"id": "OrgUnit0001"}]  # lives on the server
    first(lax, "dataSets")["sharing"] = {
        "public": "rw------",
        "userGroups": {"Grp00000001": {"id": "Grp00000001", "access": "r-------"}},
    }
    found = findings(lax)
    assert [f for f in found if f.severity == "error"] == []
    assert {f.code for f in found} >= {"MCH005", "MCH007"}


def test_the_inverse_side_of_a_link_is_never_refused(clean):
    """OrganisationUnitGroup.groupSets is ``inverse="true"``: DHIS2 stores the link from the group set."""
    group = {"id": derive_uid("organisationUnitGroup", "S_G"), "name": "G", "shortName": "G",
             "groupSets": [{"id": "Zzzzzzzzzzz"}]}  # fmt: skip
    lax = merged(clean, {"organisationUnitGroups": [group]})
    (f,) = [f for f in findings(lax) if f.code == "E5002"]
    assert f.severity == "warning" and "does not read this side of the link" in f.message
