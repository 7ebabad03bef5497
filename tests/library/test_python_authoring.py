"""Authoring from Python goes through the YAML compiler: codes, {en, vi} texts, inline children, defaults,
generated option combos, and findings that point at the script's line."""

import inspect
from pathlib import Path

from dhis2_mch.model.objects import (
    CategoryOptionCombo,
    DataElement,
    DataSet,
    Program,
    ProgramStage,
    Ref,
    Translation,
)
from dhis2_mch.model.types import DEFAULT_UIDS
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.project import Project

EXAMPLE = Path(__file__).parents[1] / "fixtures" / "example"

NEW_DE = {
    "code": "EX_MEASURED",
    "name": {"en": "EX - Children measured", "vi": "EX - Trẻ được đo"},
    "shortName": {"en": "EX children measured", "vi": "EX trẻ được đo"},
    "description": {"en": "Children under 2 measured this month.", "vi": "Số trẻ dưới 2 tuổi được đo trong tháng."},
    "categoryCombo": "EX_AGE_SEX",
}


def test_a_data_element_added_as_a_dict_joins_a_data_set():
    project = Project.load(EXAMPLE).add("dataElements", NEW_DE)
    project.get("dataSets", "EX_MONTHLY")["dataSetElements"].append("EX_MEASURED")
    compiled = project.compile("2.40")
    assert compiled.errors == [] and compiled.warnings == []
    uid = derive_uid("dataElement", "EX_MEASURED")
    (de,) = [d for d in compiled.metadata.of(DataElement) if d.code == "EX_MEASURED"]
    assert de.id == uid and de.name == "EX - Children measured"
    assert de.categoryCombo == Ref(id=compiled.uid("categoryCombos", "EX_AGE_SEX"))
    assert (de.domainType, de.valueType, de.aggregationType) == ("AGGREGATE", "INTEGER_ZERO_OR_POSITIVE", "SUM")
    assert Translation(locale="vi", property="SHORT_NAME", value="EX trẻ được đo") in (de.translations or [])
    (ds,) = compiled.metadata.of(DataSet)
    (dse,) = [d for d in ds.dataSetElements or [] if d.dataElement and d.dataElement.id == uid]
    assert dse.dataSet == Ref(id=ds.id)


def test_a_category_combo_built_in_python_gets_its_option_combos():
    project = Project.load(EXAMPLE)
    project.add("categoryOptions", {"code": "EX_RES_URBAN", "name": "Urban", "shortName": "Urban"})
    project.add("categoryOptions", {"code": "EX_RES_RURAL", "name": "Rural", "shortName": "Rural"})
    project.add("categories", {"code": "EX_RES", "name": "Residence", "shortName": "Residence",
                               "categoryOptions": ["EX_RES_URBAN", "EX_RES_RURAL"]})  # fmt: skip
    project.add(
        "categoryCombos", {"code": "EX_RES_SEX", "name": "Residence and sex", "categories": ["EX_RES", "EX_SEX"]}
    )
    compiled = project.compile()
    combo = compiled.uid("categoryCombos", "EX_RES_SEX")
    cocs = [c for c in compiled.metadata.of(CategoryOptionCombo) if c.categoryCombo == Ref(id=combo)]
    assert sorted(c.name for c in cocs) == ["Rural, Female", "Rural, Male", "Urban, Female", "Urban, Male"]
    assert {c.id for c in cocs} == {
        derive_uid("categoryOptionCombo", "EX_RES_SEX", r, s)
        for r in ("EX_RES_URBAN", "EX_RES_RURAL")
        for s in ("EX_SEX_FEMALE", "EX_SEX_MALE")
    }
    assert compiled.errors == []


def test_a_typed_object_goes_through_the_same_compiler():
    de = DataElement(
        code="EX_TYPED",
        name="EX - Typed in Python",
        shortName="EX typed",
        description="Written as a pydantic object.",
        translations=[Translation(locale="vi", property="NAME", value="EX - Viết bằng Python")],
    )
    compiled = Project.load(EXAMPLE).add("dataElements", de).compile()
    (out,) = [d for d in compiled.metadata.of(DataElement) if d.code == "EX_TYPED"]
    assert out.id == derive_uid("dataElement", "EX_TYPED")  # derived: the object had no id
    assert out.categoryCombo == Ref(id=DEFAULT_UIDS["categoryCombo"]) and out.aggregationType == "SUM"
    assert out.translations == [Translation(locale="vi", property="NAME", value="EX - Viết bằng Python")]
    # the conventions still apply: no Vietnamese short name or description
    assert {(w.code, w.id) for w in compiled.warnings} == {("MCH102", out.id)}


def test_a_whole_programme_in_python_with_inline_stages():
    project = Project.load(EXAMPLE)
    project.add("dataElements", {"code": "EX_EV_VISITED", "name": "EX - Home visited", "shortName": "EX visited",
                                 "domainType": "TRACKER", "valueType": "BOOLEAN"})  # fmt: skip
    project.add("programs", {
        "code": "EX_HOME_VISIT", "name": "EX - Home visit", "shortName": "EX home visit",
        "programStages": [{"code": "EX_HOME_VISIT_STAGE", "name": "EX - Home visit",
                           "programStageDataElements": ["EX_EV_VISITED"]}],
    })  # fmt: skip
    compiled = project.compile()
    assert [e for e in compiled.errors] == []
    (program,) = [p for p in compiled.metadata.of(Program) if p.code == "EX_HOME_VISIT"]
    (stage,) = [s for s in compiled.metadata.of(ProgramStage) if s.code == "EX_HOME_VISIT_STAGE"]
    assert program.programType == "WITHOUT_REGISTRATION" and program.programStages == [Ref(id=stage.id)]
    assert stage.program == Ref(id=program.id)
    (psde,) = stage.programStageDataElements or []
    assert psde.dataElement == Ref(id=derive_uid("dataElement", "EX_EV_VISITED"))


def test_a_problem_in_python_points_at_the_line_that_added_it():
    project = Project.load(EXAMPLE)
    line = inspect.currentframe().f_lineno + 1
    project.add("dataElements", {**NEW_DE, "categoryCombo": "EX_AGE_SXE"})
    (error,) = project.compile().errors
    assert error.location == f"{__file__}:{line}"
    assert error.code == "E5002" and "did you mean `EX_AGE_SEX`?" in error.message


def test_a_code_already_in_the_files_is_a_duplicate():
    project = Project.load(EXAMPLE).add("dataElements", {**NEW_DE, "code": "EX_WEIGHED"})
    (error,) = project.compile().errors
    assert error.code == "E5003" and "demo/aggregate.yaml" in error.message


def test_objects_authored_on_a_dhis2_json_package_refer_to_it_by_code(tmp_path):
    built = Project.load(EXAMPLE).compile().payload()
    project = Project.from_dict(built).add("dataElements", NEW_DE)
    compiled = project.compile()
    assert compiled.errors == []
    (de,) = [d for d in compiled.metadata.of(DataElement) if d.code == "EX_MEASURED"]
    assert de.categoryCombo == Ref(id=compiled.uid("categoryCombos", "EX_AGE_SEX"))
    assert compiled.metadata.count() == 26 + 1
