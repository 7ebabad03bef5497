"""The package's second edition: rules, targets, legends, the First 1000 days tracker and EM-THRIVE
training, as a DHIS2 integrator would check them in the built JSON."""

from __future__ import annotations

import re
import textwrap
from itertools import pairwise
from pathlib import Path

import pytest

from dhis2_mch.model.findings import BAD_EXPRESSION
from dhis2_mch.package import load
from dhis2_mch.package.authoring import load_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built() -> dict:
    md, findings = load(ROOT / "metadata")
    assert findings == []
    return md.dump()


def by_code(built: dict, plural: str) -> dict[str, dict]:
    return {o["code"]: o for o in built.get(plural, []) if "code" in o}


def uid_of(built: dict) -> dict[str, str]:
    return {o["id"]: o.get("code") for objs in built.values() if isinstance(objs, list) for o in objs if "id" in o}


def test_every_cannot_exceed_of_the_forms_is_a_validation_rule(built):
    codes = uid_of(built)
    rules = list(built["validationRules"])
    pairs = set()
    for rule in rules:
        left = {codes.get(u) for u in re.findall(r"#\{(\w{11})", rule["leftSide"]["expression"])}
        right = {codes.get(u) for u in re.findall(r"#\{(\w{11})", rule["rightSide"]["expression"])}
        pairs |= {(a, rule["operator"], b) for a in left for b in right}
    le, ge = "less_than_or_equal_to", "greater_than_or_equal_to"
    expected = [
        ("EMT_EPI_SESSIONS_PARENTING", le, "EMT_EPI_SESSIONS"),
        ("EMT_PRACTICE_SESSIONS", ge, "EMT_EPI_SESSIONS_PARENTING"),
        ("EMT_CAREGIVERS_PRACTISED", le, "EMT_CAREGIVERS_ATTENDED"),
        ("EMT_CAREGIVERS_FEEDBACK", le, "EMT_CAREGIVERS_ATTENDED"),
        ("EMT_TOPIC_SESSIONS", ge, "EMT_PRACTICE_SESSIONS"), ("F1000_U2_UNDERWEIGHT", le, "F1000_U2_WEIGHED"),
        ("F1000_U2_STUNTED", le, "F1000_U2_MEASURED"), ("F1000_U2_WASTED", le, "F1000_U2_MEASURED"),
        ("F1000_INF_EBF", le, "F1000_INF_FEEDING_ASSESSED"), ("F1000_CF_MAD", le, "F1000_CF_ASSESSED"),
        ("F1000_PERSONS_COUNSELLED", le, "F1000_COUNSELLING_SESSIONS"),
        ("F1000_DISTRICTS_COUNSELLING", le, "F1000_DISTRICTS_TOTAL"),
        ("NUT_NUT_EARLY_INIT_BF", le, "NUT_FAC_LB"), ("NUT_FAC_LB_WGT_<2500g", le, "NUT_FAC_LB"),
        ("F1000_MEAL_DEMO_SESSIONS", ge, "F1000_MEAL_DEMO_PARTICIPANTS"),
    ]  # fmt: skip
    assert [p for p in expected if p not in pairs] == []
    # growth monitoring is checked cell by cell: 4 age-sex cells x underweight, stunted, wasted
    assert (
        len([r for r in rules if r["code"].startswith(("F1000_VR_UNDERWEIGHT", "F1000_VR_STUNTED", "F1000_VR_WASTED"))])
        == 12
    )
    grouped = {r["id"] for g in built["validationRuleGroups"] for r in g["validationRules"]}
    assert grouped == {r["id"] for r in rules}


def test_targets_are_constants_that_name_their_decision(built):
    constants = by_code(built, "constants")
    values = {c: constants[c]["value"] for c in constants}
    assert values["MCH_TARGET_STUNTING"] == 20 and values["MCH_TARGET_UNDERWEIGHT"] == 11
    assert values["MCH_TARGET_UNDERWEIGHT_EM"] == 15 and values["MCH_TARGET_LOW_BIRTH_WEIGHT"] == 8
    assert values["MCH_TARGET_EARLY_BREASTFEEDING"] == 80 and values["MCH_TARGET_EXCLUSIVE_BREASTFEEDING"] == 25
    assert values["MCH_TARGET_COMPLEMENTARY_FEEDING"] == 70 and values["F1000_TARGET_REGION3_COVERAGE"] == 40
    for code, constant in constants.items():
        assert re.search(r"Decision (1896/QĐ-TTg|2869/QĐ-BYT)", constant["description"]), code


def test_legend_bands_follow_the_who_thresholds_without_gaps(built):
    legends = by_code(built, "legendSets")
    stunting = [(band["startValue"], band["endValue"]) for band in legends["MCH_LEGEND_STUNTING"]["legends"]]
    assert stunting == [(0, 2.5), (2.5, 10), (10, 20), (20, 30), (30, 100)]
    wasting = [band["endValue"] for band in legends["MCH_LEGEND_WASTING"]["legends"]]
    assert wasting[:4] == [2.5, 5, 10, 15]
    for code, legend_set in legends.items():
        bands = legend_set["legends"]
        assert all(a["endValue"] == b["startValue"] for a, b in pairwise(bands)), code
        assert len({b["id"] for b in bands}) == len(bands)
        assert all(any(t["locale"] == "vi" for t in b["translations"]) for b in bands), code


def test_the_tracker_follows_woman_and_child_with_four_stages_or_more(built):
    programs = by_code(built, "programs")
    tracker = programs["F1000_TRACKER"]
    assert tracker["programType"] == "WITH_REGISTRATION"
    stages = {s["id"]: s for s in built["programStages"]}
    names = [stages[s["id"]]["code"] for s in tracker["programStages"]]
    assert names == ["F1000_TR_STAGE_REGISTRATION", "F1000_TR_STAGE_PW_ASSESSMENT", "F1000_TR_STAGE_COUNSELLING",
                     "F1000_TR_STAGE_BIRTH", "F1000_TR_STAGE_GROWTH"]  # fmt: skip
    growth = stages[tracker["programStages"][-1]["id"]]
    assert growth["repeatable"] is True and growth["standardInterval"] == 90
    # no more personal data than the protocol needs: no name, phone or ID number
    attrs = {a["code"] for a in built["trackedEntityAttributes"]}
    assert attrs == {"F1000_TEA_HANDBOOK_NO", "F1000_TEA_BIRTH_YEAR", "F1000_TEA_ETHNICITY", "F1000_TEA_VILLAGE"}


def test_z_scores_are_assigned_by_dhis2_functions_and_shown_with_the_z_score_legend(built):
    codes = uid_of(built)
    actions = by_code(built, "programRuleActions")
    functions = {
        codes[actions[c]["dataElement"]["id"]]: actions[c]["data"]
        for c in ("F1000_PRA_WAZ", "F1000_PRA_LAZ", "F1000_PRA_WLZ")
    }
    assert "d2:zScoreWFA(" in functions["F1000_TR_WAZ"] and "d2:zScoreHFA(" in functions["F1000_TR_LAZ"]
    assert "d2:zScoreWFH(d2:round(" in functions["F1000_TR_WLZ"]
    assert all(
        a["programRuleActionType"] == "ASSIGN" for c, a in actions.items() if c in ("F1000_PRA_WAZ", "F1000_PRA_WLZ")
    )
    des = by_code(built, "dataElements")
    legend = by_code(built, "legendSets")["MCH_LEGEND_ZSCORE"]["id"]
    for code in ("F1000_TR_WAZ", "F1000_TR_LAZ", "F1000_TR_WLZ"):
        assert des[code]["legendSets"] == [{"id": legend}]
    # the variables the rules read exist (a misspelt one would be a build error, see below)
    variables = {v["name"] for v in built["programRuleVariables"]}
    assert {"F1000_PRV_CHILD_DOB", "F1000_PRV_CHILD_SEX", "F1000_PRV_CHILD_WEIGHT"} <= variables


def test_tracker_indicators_feed_cells_of_the_monthly_report(built):
    """Every tracker program indicator with an aggregate export names an option combo of a monthly element."""
    codes = uid_of(built)
    monthly = by_code(built, "dataSets")["F1000_MONTHLY"]
    in_monthly = {e["dataElement"]["id"] for e in monthly["dataSetElements"]}
    des = {d["id"]: d for d in built["dataElements"]}
    combos_of = {}
    for coc in built["categoryOptionCombos"]:
        combos_of.setdefault(coc["categoryCombo"]["id"], set()).add(coc["id"])
    exporting = [p for p in built["programIndicators"] if "aggregateExportCategoryOptionCombo" in p]
    assert len(exporting) >= 30
    fed = set()
    for pi in exporting:
        coc = pi["aggregateExportCategoryOptionCombo"]
        owners = [d for d in in_monthly if coc in combos_of.get(des[d]["categoryCombo"]["id"], {"HllvX50cXC0"})]
        assert owners, pi["code"]
        fed |= {codes[d] for d in owners if codes[d] in pi["description"]}
    assert {"F1000_U2_WEIGHED", "F1000_U2_UNDERWEIGHT", "F1000_U2_STUNTED", "F1000_U2_WASTED", "F1000_INF_EBF",
            "F1000_CF_MAD", "F1000_PW_ASSESSED", "NUT_FAC_LB"} <= fed  # fmt: skip


def test_em_thrive_training_and_the_three_supervision_skills(built):
    programs = by_code(built, "programs")
    assert "EMT_TRAINING" in programs
    stages = {s["id"]: s for s in built["programStages"]}
    des = {d["id"]: d["code"] for d in built["dataElements"]}
    course = {des[p["dataElement"]["id"]] for s in programs["EMT_TRAINING"]["programStages"]
              for p in stages[s["id"]]["programStageDataElements"]}  # fmt: skip
    assert {"EMT_TR_PRE_SCORE", "EMT_TR_POST_SCORE", "EMT_TR_TRAINEES_FEMALE", "EMT_TR_LEVEL"} <= course
    checklist = {des[p["dataElement"]["id"]] for s in programs["EMT_SUPERVISION_VISIT"]["programStages"]
                 for p in stages[s["id"]]["programStageDataElements"]}  # fmt: skip
    assert {
        "EMT_SV_SKILL_FACILITATING",
        "EMT_SV_SKILL_INTERACTING",
        "EMT_SV_SKILL_SCENARIOS",
        "EMT_SV_CG_ASKED",
    } <= checklist


def test_ethnic_groups_are_the_official_54_with_gso_codes(built):
    option_sets = by_code(built, "optionSets")
    options = {o["id"]: o for o in built["options"]}
    codes = [options[o["id"]]["code"] for o in option_sets["MCH_ETHNIC_GROUP"]["options"]]
    assert codes[:54] == [f"{n:02d}" for n in range(1, 55)]
    names = [options[o["id"]]["name"] for o in option_sets["MCH_ETHNIC_GROUP"]["options"]]
    assert names[:3] == ["Kinh", "Tày", "Thái"] and "Khmer" in names and "Chăm" in names and "Raglai" in names


def test_a_misspelt_rule_variable_is_a_build_error_with_its_line(tmp_path):
    (tmp_path / "rules.yaml").write_text(textwrap.dedent("""
        dataElements:
          - {code: T_W, name: W, shortName: W, domainType: TRACKER, valueType: NUMBER}
        programs:
          - code: T_P
            name: P
            shortName: P
            programStages: [{code: T_S, name: S, programStageDataElements: [T_W]}]
        programRuleVariables:
          - {code: T_WEIGHT, program: T_P, programRuleVariableSourceType: DATAELEMENT_CURRENT_EVENT, dataElement: T_W}
        programRules:
          - code: T_R
            name: R
            program: T_P
            condition: "#{T_WIEGHT} > 200"
    """), encoding="utf-8")  # fmt: skip
    _, findings = load_project(tmp_path)
    assert [(x.code, x.property) for x in findings] == [(BAD_EXPRESSION, "condition")]
    assert "T_WIEGHT" in findings[0].message and "did you mean `T_WEIGHT`" in findings[0].message
    assert findings[0].location.endswith("rules.yaml:15")


def test_each_programme_has_a_province_and_a_commune_dashboard_of_real_charts(built):
    dashboards = by_code(built, "dashboards")
    assert {"EMT_DASH_PROVINCE", "EMT_DASH_COMMUNE", "F1000_DASH_PROVINCE", "F1000_DASH_COMMUNE"} <= set(dashboards)
    charts = {v["id"]: v for v in built["visualizations"]}
    data_items = {o["id"] for p in ("indicators", "dataElements", "programIndicators") for o in built[p]}
    for code, dashboard in dashboards.items():
        items = dashboard["dashboardItems"]
        assert len(items) >= 3 and len({i["id"] for i in items}) == len(items), code
        for item in items:
            chart = charts[item["visualization"]["id"]]
            assert chart["dataDimensionItems"] and chart["relativePeriods"], chart["code"]
            for d in chart["dataDimensionItems"]:
                kind = d["dataDimensionItemType"]
                key = {
                    "INDICATOR": "indicator",
                    "DATA_ELEMENT": "dataElement",
                    "PROGRAM_INDICATOR": "programIndicator",
                }[kind]
                assert d[key]["id"] in data_items
            # commune views follow the user's own unit only
            if code.endswith("_COMMUNE"):
                assert chart.get("userOrganisationUnit") is True and "userOrganisationUnitChildren" not in chart
        if code.endswith("_PROVINCE"):  # and province views compare the user's communes
            by_commune = [i for i in items if charts[i["visualization"]["id"]].get("userOrganisationUnitChildren")]
            assert len(by_commune) >= 3, code
    stunting = by_code(built, "visualizations")["F1000_VIS_P_STUNTING"]
    assert (
        stunting["targetLineValue"] == 20
        and stunting["legend"]["set"]["id"] == by_code(built, "legendSets")["MCH_LEGEND_STUNTING"]["id"]
    )
