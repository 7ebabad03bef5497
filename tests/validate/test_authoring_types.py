"""Every metadata type a package carries beyond the aggregate core (program rules, validation rules,
predictors, legend sets, constants, sections, dashboards ...) can be written in the authoring format with
codes for references, compiles to DHIS2 JSON with UIDs, and validates clean."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.package.authoring import load_project
from dhis2_mch.validate import validate

PROJECT = """
categoryOptions:
  - {code: T_FEMALE, name: Female, shortName: Female}
categories:
  - {code: T_SEX, name: Sex, shortName: Sex, categoryOptions: [T_FEMALE]}
categoryCombos:
  - {code: T_SEX_CC, name: Sex combo, categories: [T_SEX]}
optionSets:
  - code: T_YES_NO
    name: Yes or no
    options:
      - {code: T_YES, name: "Yes"}
      - {code: T_NO, name: "No"}
legendSets:
  - code: T_LEGEND
    name: Coverage
    legends:
      - {name: Low, startValue: 0, endValue: 50, color: "#ff0000"}
      - {name: High, startValue: 50, endValue: 100, color: "#00ff00"}
constants:
  - {code: T_TARGET, name: Target, shortName: Target, value: 0.8}
userGroups:
  - {code: T_USERS, name: Test users}
dataElements:
  - {code: T_VISITS, name: Visits, shortName: Visits, categoryCombo: T_SEX_CC}
  - {code: T_TARGET_VISITS, name: Target visits, shortName: Target visits}
  - {code: T_EV_WEIGHT, name: Weight, shortName: Weight, domainType: TRACKER, valueType: NUMBER}
  - {code: T_EV_SMOKER, name: Smoker, shortName: Smoker, domainType: TRACKER, valueType: TEXT,
     optionSet: T_YES_NO}
trackedEntityAttributes:
  - {code: T_TEA_NAME, name: Name, shortName: Name}
trackedEntityTypes:
  - {code: T_PERSON, name: Person, shortName: Person, trackedEntityTypeAttributes: [T_TEA_NAME]}
programs:
  - code: T_PROGRAM
    name: Test programme
    shortName: Test programme
    trackedEntityType: T_PERSON
    programTrackedEntityAttributes: [T_TEA_NAME]
    programSections:
      - {code: T_PROG_SECTION, name: Identity, trackedEntityAttributes: [T_TEA_NAME]}
    programStages:
      - code: T_STAGE
        name: Visit
        programStageDataElements: [T_EV_WEIGHT, T_EV_SMOKER]
        programStageSections:
          - {code: T_STAGE_SECTION, name: Measures, dataElements: [T_EV_WEIGHT]}
programIndicators:
  - {code: T_PI, name: Weighed, shortName: Weighed, program: T_PROGRAM, expression: "#{T_STAGE.T_EV_WEIGHT}"}
programRuleVariables:
  - {code: T_PRV_WEIGHT, name: weight, program: T_PROGRAM, programRuleVariableSourceType: DATAELEMENT_CURRENT_EVENT,
     dataElement: T_EV_WEIGHT, valueType: NUMBER}
  - {code: T_PRV_NAME, name: name, program: T_PROGRAM, programRuleVariableSourceType: TEI_ATTRIBUTE,
     trackedEntityAttribute: T_TEA_NAME}
programRules:
  - code: T_RULE_HEAVY
    name: Warn on heavy weight
    program: T_PROGRAM
    programStage: T_STAGE
    condition: "#{weight} > 200"
    programRuleActions:
      - {code: T_ACTION_WARN, programRuleActionType: SHOWWARNING, dataElement: T_EV_WEIGHT,
         content: "Check the weight"}
      - {code: T_ACTION_HIDE, programRuleActionType: HIDESECTION, programStageSection: T_STAGE_SECTION}
validationRules:
  - code: T_VR_VISITS
    name: Visits within target
    operator: less_than_or_equal_to
    periodType: Monthly
    leftSide: {expression: "#{T_VISITS}", missingValueStrategy: NEVER_SKIP}
    rightSide: {expression: "#{T_TARGET_VISITS.default}", missingValueStrategy: NEVER_SKIP}
validationRuleGroups:
  - {code: T_VRG, name: Visit checks, validationRules: [T_VR_VISITS]}
predictors:
  - code: T_PRED
    name: Predicted target
    shortName: Predicted target
    output: T_TARGET_VISITS
    outputCombo: default
    periodType: Monthly
    generator: {expression: "avg(#{T_VISITS})"}
    organisationUnitDescendants: DESCENDANTS
    sequentialSampleCount: 3
    annualSampleCount: 0
predictorGroups:
  - {code: T_PRED_GROUP, name: Targets, predictors: [T_PRED]}
visualizations:
  - {code: T_VIS, name: Visits by month, type: COLUMN, legendSet: T_LEGEND}
dashboards:
  - code: T_DASH
    name: Visits
    dashboardItems: [{type: VISUALIZATION, visualization: {id: %s}}]
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple:
    root = tmp_path_factory.mktemp("types")
    text = PROJECT % derive_uid("visualization", "T_VIS")
    (root / "all.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    md, findings = load_project(Path(root))
    return md, findings, md.dump()


def test_every_type_compiles_without_findings(built):
    md, findings, _ = built
    assert findings == []
    assert [x for x in validate(md, version=(2, 40), conventions_check=False)] == []


def test_references_written_as_codes_become_uids(built):
    _, _, out = built
    uid = {o["code"]: o["id"] for plural in out for o in out[plural] if isinstance(o, dict) and "code" in o}
    prv_n, prv_w = out["programRuleVariables"]  # the build sorts objects by code
    assert prv_w["dataElement"] == {"id": uid["T_EV_WEIGHT"]} and prv_w["program"] == {"id": uid["T_PROGRAM"]}
    assert prv_n["trackedEntityAttribute"] == {"id": uid["T_TEA_NAME"]}
    (rule,) = out["programRules"]
    assert rule["programStage"] == {"id": uid["T_STAGE"]}
    assert rule["programRuleActions"] == [{"id": uid["T_ACTION_WARN"]}, {"id": uid["T_ACTION_HIDE"]}]
    actions = {a["code"]: a for a in out["programRuleActions"]}
    assert actions["T_ACTION_HIDE"]["programStageSection"] == {"id": uid["T_STAGE_SECTION"]}
    assert all(a["programRule"] == {"id": uid["T_RULE_HEAVY"]} for a in actions.values())
    assert "sortOrder" not in actions["T_ACTION_WARN"]
    (stage,) = out["programStages"]
    assert stage["programStageSections"] == [{"id": uid["T_STAGE_SECTION"]}]
    (section,) = out["programStageSections"]
    assert section["programStage"] == {"id": uid["T_STAGE"]} and section["sortOrder"] == 1
    (program,) = out["programs"]
    assert program["programSections"] == [{"id": uid["T_PROG_SECTION"]}]
    (tet,) = out["trackedEntityTypes"]
    assert tet["trackedEntityTypeAttributes"][0]["trackedEntityAttribute"] == {"id": uid["T_TEA_NAME"]}
    (vr,) = out["validationRules"]
    assert vr["leftSide"]["expression"] == f"#{{{uid['T_VISITS']}}}"
    assert vr["rightSide"]["expression"] == f"#{{{uid['T_TARGET_VISITS']}.HllvX50cXC0}}"
    assert out["validationRuleGroups"][0]["validationRules"] == [{"id": uid["T_VR_VISITS"]}]
    (pred,) = out["predictors"]
    assert pred["output"] == {"id": uid["T_TARGET_VISITS"]} and pred["outputCombo"] == {"id": "HllvX50cXC0"}
    assert pred["generator"]["expression"] == f"avg(#{{{uid['T_VISITS']}}})"
    assert out["predictorGroups"][0]["predictors"] == [{"id": uid["T_PRED"]}]
    # DHIS2 2.38+ reads a chart's legend from `legend` (LegendDefinitions), not `legendSet`
    assert out["visualizations"][0]["legend"]["set"] == {"id": uid["T_LEGEND"]}
    assert [x["name"] for x in out["legendSets"][0]["legends"]] == ["Low", "High"]
    assert out["constants"][0]["value"] == 0.8
    json.dumps(out)  # the build is plain JSON


def test_missing_program_on_a_rule_and_bad_code_are_reported(tmp_path):
    (tmp_path / "rules.yaml").write_text(textwrap.dedent("""
        programRules:
          - {code: T_ORPHAN, name: Orphan rule, condition: "true"}
        predictors:
          - {code: T_PRED, name: P, shortName: P, output: T_NOWHERE, periodType: Monthly,
             organisationUnitDescendants: DESCENDANTS, sequentialSampleCount: 1, annualSampleCount: 0}
    """), encoding="utf-8")  # fmt: skip
    md, findings = load_project(tmp_path)
    assert [(x.code, x.type, x.property) for x in findings] == [("E5002", "predictor", "output")]
    found = validate(md, version=(2, 40), prior=findings, conventions_check=False)
    assert ("E4000", "programRule", "program") in {(x.code, x.type, x.property) for x in found}
