"""The YAML authoring format: codes become UIDs, translations sit beside the text, defaults fill in,
and every problem names its file and line."""

import textwrap
from pathlib import Path

import pytest

from dhis2_mch.errors import InputError
from dhis2_mch.model.types import DEFAULT_UIDS
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.package.authoring import load_project

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"


def project(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        path = tmp_path / "metadata" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path / "metadata"


def by_code(md, plural):
    return {o.code: o for o in md.of(plural)}


CATEGORY = """
    categoryOptions:
      - {code: A_F, name: Female, shortName: Female}
      - {code: A_M, name: Male, shortName: Male}
    categories:
      - {code: A_SEX, name: Sex, shortName: Sex, categoryOptions: [A_F, A_M]}
    categoryCombos:
      - {code: A_SEX_CC, name: Sex, categories: [A_SEX]}
"""


def test_example_loads_without_findings_and_with_derived_uids():
    md, findings = load_project(EXAMPLE)
    assert findings == []
    weighed = by_code(md, "dataElements")["EX_WEIGHED"]
    assert weighed.id == derive_uid("dataElement", "EX_WEIGHED")
    assert weighed.categoryCombo.id == derive_uid("categoryCombo", "EX_AGE_SEX")
    assert weighed.domainType == "AGGREGATE" and weighed.aggregationType == "SUM"
    assert weighed.zeroIsSignificant is False
    assert {(t.locale, t.property, t.value) for t in weighed.translations} >= {("vi", "NAME", "EX - Trẻ được cân")}


def test_option_combos_are_generated_like_dhis2_names_them():
    md, _ = load_project(EXAMPLE)
    names = sorted(c.name for c in md.of("categoryOptionCombos"))
    assert names == ["0-11 months, Female", "0-11 months, Male", "12-23 months, Female", "12-23 months, Male"]
    girls = next(c for c in md.of("categoryOptionCombos") if c.name == "0-11 months, Female")
    assert girls.translations[0].value == "0-11 tháng, Nữ"


def test_expressions_refer_by_code_and_option_codes():
    md, _ = load_project(EXAMPLE)
    ind = by_code(md, "indicators")["EX_UNDERWEIGHT_GIRLS_0_11_PCT"]
    de = derive_uid("dataElement", "EX_UNDERWEIGHT")
    coc = derive_uid("categoryOptionCombo", "EX_AGE_SEX", "EX_AGE_0_11M", "EX_SEX_FEMALE")
    assert ind.numerator == f"#{{{de}.{coc}}}"
    pi = md.of("programIndicators")[0]
    stage, de = derive_uid("programStage", "EX_SESSION_STAGE"), derive_uid("dataElement", "EX_EV_CAREGIVERS")
    assert pi.expression == f"#{{{stage}.{de}}}"


def test_inline_children_are_linked_both_ways():
    md, _ = load_project(EXAMPLE)
    program = md.of("programs")[0]
    stage = md.of("programStages")[0]
    assert program.programStages[0].id == stage.id and stage.program.id == program.id
    assert program.programType == "WITHOUT_REGISTRATION"
    psde = stage.programStageDataElements
    assert [(p.compulsory, p.sortOrder) for p in psde] == [(True, 1), (False, 2)]
    topic = by_code(md, "optionSets")["EX_TOPIC"]
    options = md.of("options")
    assert [o.id for o in topic.options] == [derive_uid("option", "EX_TOPIC", c) for c in ("FEEDING", "PLAY")]
    assert {o.optionSet.id for o in options} == {topic.id}


def test_defaults_builtin_and_per_file(tmp_path):
    root = project(
        tmp_path,
        a=CATEGORY
        + """
    defaults:
      dataElements: {domainType: TRACKER, valueType: TEXT}
    dataElements:
      - {code: A_TEXT, name: A text, shortName: A text}
      - {code: A_NUM, name: A number, shortName: A number, valueType: INTEGER}
        """,
        b="""
    dataElements:
      - {code: B_COUNT, name: B count, shortName: B count, categoryCombo: A_SEX_CC}
        """,
    )
    md, findings = load_project(root)
    assert findings == []
    des = by_code(md, "dataElements")
    assert (des["A_TEXT"].domainType, des["A_TEXT"].aggregationType) == ("TRACKER", "NONE")
    assert (des["A_NUM"].valueType, des["A_NUM"].aggregationType) == ("INTEGER", "SUM")
    assert des["B_COUNT"].domainType == "AGGREGATE"
    assert des["A_TEXT"].categoryCombo.id == DEFAULT_UIDS["categoryCombo"]


def test_codes_that_yaml_1_1_would_turn_into_booleans_stay_strings(tmp_path):
    root = project(
        tmp_path, a="optionSets:\n  - code: YESNO\n    name: Yes no\n    options:\n      - {code: NO, name: 'No'}\n"
    )
    md, findings = load_project(root)
    assert findings == []
    assert md.of("options")[0].code == "NO"


def test_pinned_uid_is_kept(tmp_path):
    root = project(tmp_path, a="indicatorTypes:\n  - {code: PCT, id: Xk3KzPl9Qmn, name: Percent, factor: 100}\n")
    md, _ = load_project(root)
    assert md.of("indicatorTypes")[0].id == "Xk3KzPl9Qmn"


def test_unknown_key_names_file_line_and_suggests(tmp_path):
    root = project(tmp_path, a="dataElements:\n  - code: X\n    name: X\n    shortname: X\n")
    _, findings = load_project(root)
    (f,) = findings
    assert (f.code, f.property, f.location) == (
        "MCH001",
        "shortname",
        "metadata/a.yaml:4".replace("metadata", str(root)),
    )
    assert "did you mean `shortName`?" in f.message


def test_unknown_collection_is_reported_with_suggestion(tmp_path):
    root = project(tmp_path, a="dataElement:\n  - code: X\n")
    _, findings = load_project(root)
    assert findings[0].code == "MCH001" and "did you mean `dataElements`?" in findings[0].message


def test_reference_to_missing_code_is_reported_with_suggestion(tmp_path):
    root = project(
        tmp_path, a=CATEGORY + "    dataElements:\n      - {code: X, name: X, shortName: X, categoryCombo: A_SEX_C}\n"
    )
    _, findings = load_project(root)
    (f,) = findings
    assert f.code == "E5002" and f.property == "categoryCombo"
    assert "no categoryCombo has this code; did you mean `A_SEX_CC`?" in f.message
    assert f.location.endswith("a.yaml:10")


def test_expression_with_unknown_code_is_reported(tmp_path):
    root = project(
        tmp_path,
        a="""
    indicatorTypes: [{code: PCT, name: Percent, factor: 100}]
    indicators:
      - {code: I, name: I, shortName: I, indicatorType: PCT, numerator: "#{NOPE}", denominator: "1"}
        """,
    )
    _, findings = load_project(root)
    assert [(f.code, f.property) for f in findings] == [("MCH005", "numerator")]
    assert "no dataElement has the code `NOPE`" in findings[0].message


def test_duplicate_code_names_both_places(tmp_path):
    root = project(
        tmp_path, a="indicatorTypes:\n  - {code: PCT, name: A, factor: 1}\n  - {code: PCT, name: B, factor: 1}\n"
    )
    md, findings = load_project(root)
    assert len(md.of("indicatorTypes")) == 1
    (f,) = findings
    assert f.code == "E5003" and "a.yaml:2" in f.message and f.location.endswith("a.yaml:3")


def test_object_without_code_is_reported(tmp_path):
    root = project(tmp_path, a="indicatorTypes:\n  - {name: Percent, factor: 100}\n")
    _, findings = load_project(root)
    assert [(f.code, f.property) for f in findings] == [("E4000", "code")]


def test_translation_mapping_needs_english(tmp_path):
    root = project(tmp_path, a="indicatorTypes:\n  - {code: PCT, name: {vi: Phần trăm}, factor: 100}\n")
    _, findings = load_project(root)
    assert findings[0].code == "MCH002" and "`en`" in findings[0].message


def test_wrong_value_type_is_reported_with_its_line(tmp_path):
    root = project(tmp_path, a="indicatorTypes:\n  - code: PCT\n    name: Percent\n    factor: a hundred\n")
    _, findings = load_project(root)
    assert [(f.code, f.property) for f in findings] == [("MCH002", "factor")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dataElements:\n  - code: [unclosed\n", "a.yaml:3:1: malformed YAML"),
        ("dataElements:\n  - code: A\n    code: B\n", "a.yaml:3:5: malformed YAML: duplicate key `code`"),
        ("- just\n- a list\n", "expected a mapping of collections"),
        ("dataElements: {code: A}\n", "`dataElements` must be a list"),
    ],
)
def test_malformed_files_stop_with_file_and_line(tmp_path, text, expected):
    root = project(tmp_path, a=text)
    with pytest.raises(InputError) as exc:
        load_project(root)
    assert expected in str(exc.value)


def test_empty_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"no \.yaml files"):
        load_project(tmp_path)
