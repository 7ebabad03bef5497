"""What dhis2-mch knows about each DHIS2 metadata type, in one table.

Uniqueness, lengths and required properties are DHIS2's own (Hibernate mappings and schema
annotations, see ``shared/dhis2/FACTS.md`` §3); references say which property points at which type,
so the validator, the builder and the plan all walk the same graph. The table is in import
dependency order, which is also the order of the built JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dhis2_mch.model import objects as o

DEFAULT_LENGTHS = {"code": 50, "name": 230, "shortName": 50, "formName": 230}

#: DHIS2 creates the default category model with these fixed UIDs (DefaultCategoryService);
#: every instance has them, so references to them always resolve.
DEFAULT_UIDS = {
    "categoryCombo": "bjDvmb4bfuf",
    "category": "GLevLNI9wkl",
    "categoryOption": "xYerKDKCefk",
    "categoryOptionCombo": "HllvX50cXC0",
}


@dataclass(frozen=True)
class RefSpec:
    """``path`` walks the object (``a[].b`` = property b of every item of list a); ``target`` is a type name."""

    path: str
    target: str

    @property
    def property(self) -> str:
        return self.path.split("[]")[0].split(".")[0]


@dataclass(frozen=True)
class MetadataType:
    name: str
    plural: str
    klass: str
    model: type[o.IdentifiableObject]
    required: tuple[str, ...] = ("name",)
    #: unique properties besides id; ``code`` is unique on every type unless code_unique is False
    unique: tuple[str, ...] = ()
    #: unique properties that only became unique in a later version: property -> (major, minor)
    unique_since: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: required properties that only became required in a later version
    required_since: dict[str, tuple[int, int]] = field(default_factory=dict)
    code_unique: bool = True
    lengths: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LENGTHS))
    refs: tuple[RefSpec, ...] = ()

    @property
    def simple(self) -> str:
        """The Java simple class name DHIS2 prints in messages (``DataElement``)."""
        return self.klass.rsplit(".", 1)[1]

    def required_properties(self, version: tuple[int, int]) -> tuple[str, ...]:
        return tuple(p for p in self.required if version >= self.required_since.get(p, (0, 0)))

    def unique_properties(self, version: tuple[int, int]) -> tuple[str, ...]:
        props = [p for p in self.unique if version >= self.unique_since.get(p, (0, 0))]
        if self.code_unique:
            props.insert(0, "code")
        return tuple(props)


def _t(name, plural, klass, model, **kw) -> MetadataType:
    refs = tuple(RefSpec(p, t) for p, t in kw.pop("refs", {}).items())
    return MetadataType(name, plural, klass, model, refs=refs, **kw)


# Required (E4000) = hbm not-null on a nullable property; unique (E5003) = hbm unique="true". Sources per
# row: /work/notes research summarised in FACTS §3 and dhis2-core hbm.xml files (CategoryOption.hbm.xml ...).
TYPES: tuple[MetadataType, ...] = (
    _t("userGroup", "userGroups", "org.hisp.dhis.user.UserGroup", o.UserGroup,
       required=("name",), lengths={"code": 50, "name": 230}),
    _t("legendSet", "legendSets", "org.hisp.dhis.legend.LegendSet", o.LegendSet,
       required=("name",), unique=("name",), lengths={"code": 50, "name": 230}),
    _t("constant", "constants", "org.hisp.dhis.constant.Constant", o.Constant,
       required=("name", "shortName"), required_since={"shortName": (2, 40)}, unique=("name", "shortName"),
       lengths={"code": 50, "name": 230, "shortName": 50}),
    _t("categoryOption", "categoryOptions", "org.hisp.dhis.category.CategoryOption", o.CategoryOption,
       required=("name",), unique=("name", "shortName"),
       refs={"organisationUnits[]": "organisationUnit"}),
    _t("category", "categories", "org.hisp.dhis.category.Category", o.Category,
       required=("name", "shortName", "dataDimensionType"), unique=("name", "shortName"),
       refs={"categoryOptions[]": "categoryOption"}),
    _t("categoryCombo", "categoryCombos", "org.hisp.dhis.category.CategoryCombo", o.CategoryCombo,
       required=("name", "dataDimensionType"), unique=("name",),
       refs={"categories[]": "category"}),
    _t("categoryOptionCombo", "categoryOptionCombos", "org.hisp.dhis.category.CategoryOptionCombo",
       o.CategoryOptionCombo, required=(), lengths={"code": 50},
       refs={"categoryCombo": "categoryCombo", "categoryOptions[]": "categoryOption"}),
    # CategoryOptionGroup.hbm.xml / CategoryOptionGroupSet.hbm.xml: name and shortName unique; a group's
    # dataDimensionType has a Java default (WHO's exports omit it and import), a set's is written
    _t("categoryOptionGroup", "categoryOptionGroups", "org.hisp.dhis.category.CategoryOptionGroup",
       o.CategoryOptionGroup, required=("name", "shortName"), unique=("name", "shortName"),
       refs={"categoryOptions[]": "categoryOption", "groupSets[]": "categoryOptionGroupSet"}),
    _t("categoryOptionGroupSet", "categoryOptionGroupSets", "org.hisp.dhis.category.CategoryOptionGroupSet",
       o.CategoryOptionGroupSet, required=("name", "shortName", "dataDimensionType"), unique=("name", "shortName"),
       refs={"categoryOptionGroups[]": "categoryOptionGroup"}),
    _t("optionSet", "optionSets", "org.hisp.dhis.option.OptionSet", o.OptionSet,
       required=("name", "valueType"), unique=("name",), refs={"options[]": "option"}),
    _t("option", "options", "org.hisp.dhis.option.Option", o.Option,
       required=("name", "code"), code_unique=False,
       lengths={"code": 230, "name": 230}, refs={"optionSet": "optionSet"}),
    _t("organisationUnit", "organisationUnits", "org.hisp.dhis.organisationunit.OrganisationUnit",
       o.OrganisationUnit, required=("name", "shortName", "openingDate"),
       refs={"parent": "organisationUnit"}),
    _t("organisationUnitGroup", "organisationUnitGroups",
       "org.hisp.dhis.organisationunit.OrganisationUnitGroup", o.OrganisationUnitGroup,
       required=("name",), unique=("name", "shortName"),
       refs={"organisationUnits[]": "organisationUnit", "groupSets[]": "organisationUnitGroupSet"}),
    _t("organisationUnitGroupSet", "organisationUnitGroupSets",
       "org.hisp.dhis.organisationunit.OrganisationUnitGroupSet", o.OrganisationUnitGroupSet,
       required=("name", "shortName"), unique=("name", "shortName"),
       refs={"organisationUnitGroups[]": "organisationUnitGroup"}),
    _t("dataElement", "dataElements", "org.hisp.dhis.dataelement.DataElement", o.DataElement,
       required=("name", "shortName", "valueType", "domainType", "aggregationType"),
       unique=("name", "shortName"),
       refs={"categoryCombo": "categoryCombo", "optionSet": "optionSet", "commentOptionSet": "optionSet",
             "legendSets[]": "legendSet"}),
    _t("dataElementGroup", "dataElementGroups", "org.hisp.dhis.dataelement.DataElementGroup",
       o.DataElementGroup, required=("name", "shortName"), unique=("name", "shortName"),
       refs={"dataElements[]": "dataElement"}),
    _t("indicatorType", "indicatorTypes", "org.hisp.dhis.indicator.IndicatorType", o.IndicatorType,
       required=("name",), unique=("name",)),
    _t("indicator", "indicators", "org.hisp.dhis.indicator.Indicator", o.Indicator,
       required=("name", "shortName", "indicatorType", "numerator", "denominator"),
       lengths={"code": 50, "name": 230, "shortName": 50},
       refs={"indicatorType": "indicatorType", "legendSets[]": "legendSet"}),
    _t("indicatorGroup", "indicatorGroups", "org.hisp.dhis.indicator.IndicatorGroup", o.IndicatorGroup,
       required=("name",), refs={"indicators[]": "indicator"}),
    _t("dataSet", "dataSets", "org.hisp.dhis.dataset.DataSet", o.DataSet,
       required=("name", "periodType", "shortName"), required_since={"shortName": (2, 40)},
       unique=("shortName",), unique_since={"shortName": (2, 40)},
       lengths={"code": 50, "name": 230, "shortName": 50},
       refs={"categoryCombo": "categoryCombo", "dataSetElements[].dataElement": "dataElement",
             "dataSetElements[].categoryCombo": "categoryCombo", "indicators[]": "indicator",
             "organisationUnits[]": "organisationUnit"}),
    _t("section", "sections", "org.hisp.dhis.dataset.Section", o.Section,
       required=("name", "dataSet"),
       refs={"dataSet": "dataSet", "dataElements[]": "dataElement", "indicators[]": "indicator"}),
    _t("trackedEntityType", "trackedEntityTypes", "org.hisp.dhis.trackedentity.TrackedEntityType",
       o.TrackedEntityType, required=("name", "shortName"), required_since={"shortName": (2, 42)},
       unique=("name", "shortName"), unique_since={"shortName": (2, 42)},
       lengths={"code": 50, "name": 230, "shortName": 255},
       refs={"trackedEntityTypeAttributes[].trackedEntityAttribute": "trackedEntityAttribute"}),
    _t("trackedEntityAttribute", "trackedEntityAttributes",
       "org.hisp.dhis.trackedentity.TrackedEntityAttribute", o.TrackedEntityAttribute,
       required=("name", "shortName", "valueType", "aggregationType"), unique=("name", "shortName"),
       lengths={"code": 50, "name": 230, "shortName": 50},
       refs={"optionSet": "optionSet"}),
    _t("program", "programs", "org.hisp.dhis.program.Program", o.Program,
       required=("name", "shortName", "programType"), lengths={"code": 50, "name": 230, "shortName": 50},
       refs={"trackedEntityType": "trackedEntityType", "categoryCombo": "categoryCombo",
             "programStages[]": "programStage",
             "programTrackedEntityAttributes[].trackedEntityAttribute": "trackedEntityAttribute",
             "organisationUnits[]": "organisationUnit"}),
    _t("programStage", "programStages", "org.hisp.dhis.program.ProgramStage", o.ProgramStage,
       required=("name",), lengths={"code": 50, "name": 230},
       refs={"program": "program", "programStageDataElements[].dataElement": "dataElement"}),
    _t("programIndicator", "programIndicators", "org.hisp.dhis.program.ProgramIndicator",
       o.ProgramIndicator, required=("name", "shortName", "program", "analyticsType"),
       unique=("name", "shortName"), lengths={"code": 50, "name": 230, "shortName": 50},
       refs={"program": "program", "legendSets[]": "legendSet"}),
    _t("programStageSection", "programStageSections", "org.hisp.dhis.program.ProgramStageSection",
       o.ProgramStageSection, required=("name", "sortOrder"), lengths={"code": 50, "name": 230},
       refs={"programStage": "programStage", "dataElements[]": "dataElement",
             "programIndicators[]": "programIndicator"}),
    _t("programSection", "programSections", "org.hisp.dhis.program.ProgramSection", o.ProgramSection,
       required=("name", "sortOrder"), lengths={"code": 50, "name": 230},
       refs={"program": "program", "trackedEntityAttributes[]": "trackedEntityAttribute"}),
    # ProgramRuleVariable.valueType is not-null in the mapping but defaults to TEXT in the Java class.
    _t("programRuleVariable", "programRuleVariables", "org.hisp.dhis.programrule.ProgramRuleVariable",
       o.ProgramRuleVariable, required=("name", "program", "programRuleVariableSourceType"),
       lengths={"code": 50, "name": 230},
       refs={"program": "program", "trackedEntityAttribute": "trackedEntityAttribute",
             "dataElement": "dataElement", "programStage": "programStage"}),
    _t("programRule", "programRules", "org.hisp.dhis.programrule.ProgramRule", o.ProgramRule,
       required=("name", "program"), lengths={"code": 50, "name": 230},
       refs={"program": "program", "programStage": "programStage"}),
    # No name column; programRuleActionEvaluationTime is not-null but defaults to ALWAYS in the Java class.
    _t("programRuleAction", "programRuleActions", "org.hisp.dhis.programrule.ProgramRuleAction",
       o.ProgramRuleAction, required=("programRuleActionType",), lengths={"code": 50},
       refs={"programRule": "programRule", "dataElement": "dataElement",
             "trackedEntityAttribute": "trackedEntityAttribute", "programIndicator": "programIndicator",
             "programStageSection": "programStageSection", "programStage": "programStage", "option": "option"}),
    _t("validationRule", "validationRules", "org.hisp.dhis.validation.ValidationRule", o.ValidationRule,
       required=("name", "operator", "periodType"), unique=("name", "shortName"),
       unique_since={"shortName": (2, 42)}, lengths={"code": 50, "name": 230, "shortName": 50}),
    _t("validationRuleGroup", "validationRuleGroups", "org.hisp.dhis.validation.ValidationRuleGroup",
       o.ValidationRuleGroup, required=("name",), unique=("name",), lengths={"code": 50, "name": 230},
       refs={"validationRules[]": "validationRule"}),
    # Predictor.shortName exists from 2.39 (Predictor.hbm.xml); the sample counts are not-null Integers.
    _t("predictor", "predictors", "org.hisp.dhis.predictor.Predictor", o.Predictor,
       required=("name", "shortName", "output", "periodType", "organisationUnitDescendants",
                 "sequentialSampleCount", "annualSampleCount"),
       required_since={"shortName": (2, 39)}, unique=("name", "shortName"), unique_since={"shortName": (2, 39)},
       lengths={"code": 50, "name": 230, "shortName": 50},
       refs={"output": "dataElement", "outputCombo": "categoryOptionCombo"}),
    _t("predictorGroup", "predictorGroups", "org.hisp.dhis.predictor.PredictorGroup", o.PredictorGroup,
       required=("name",), unique=("name",), lengths={"code": 50, "name": 230},
       refs={"predictors[]": "predictor"}),
    _t("visualization", "visualizations", "org.hisp.dhis.visualization.Visualization", o.Visualization,
       required=("name", "type"), lengths={"code": 50, "name": 230}, refs={"legendSet": "legendSet"}),
    _t("dashboard", "dashboards", "org.hisp.dhis.dashboard.Dashboard", o.Dashboard,
       required=("name",), lengths={"code": 50, "name": 230}),
)  # fmt: skip

BY_NAME: dict[str, MetadataType] = {t.name: t for t in TYPES}
BY_PLURAL: dict[str, MetadataType] = {t.plural: t for t in TYPES}
ORDER: dict[str, int] = {t.plural: i for i, t in enumerate(TYPES)}


def generic(plural: str) -> MetadataType:
    """A stand-in entry for a collection key dhis2-mch does not type (visualizations, users ...)."""
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return MetadataType(
        singular, plural, "org.hisp.dhis." + singular[0].upper() + singular[1:], o.GenericObject, required=()
    )


def lookup(plural: str) -> MetadataType:
    return BY_PLURAL.get(plural) or generic(plural)


def walk_refs(obj: o.Model, path: str) -> Iterator[tuple[str, o.Ref]]:
    """Yield ``(location, ref)`` for every reference at ``path`` in ``obj`` (``a[].b`` style paths)."""
    yield from _walk(obj, path.replace("[]", ".[]").split("."), "")


def _walk(value, steps: list[str], where: str) -> Iterator[tuple[str, o.Ref]]:
    if value is None:
        return
    if not steps:
        if isinstance(value, o.Ref):
            yield where, value
        return
    step, rest = steps[0], steps[1:]
    if step == "[]":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _walk(item, rest, f"{where}[{i}]")
        return
    yield from _walk(getattr(value, step, None), rest, f"{where}.{step}" if where else step)
