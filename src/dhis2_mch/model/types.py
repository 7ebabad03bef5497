"""What dhis2-mch knows about each DHIS2 metadata type, in one table.

Required and unique properties and maximum lengths are DHIS2's own, per version: generated from
dhis2-core's Hibernate mappings into ``model/schema_table.py`` (``scripts/dhis2_schema_table.py``
says how DHIS2's schema derives them). References say which property points at which type, so the
validator, the builder and the plan all walk the same graph. The table is in import dependency order,
which is also the order of the built JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dhis2_mch.model import objects as o
from dhis2_mch.model.schema_table import TABLE

#: The column lengths most types share (identifiableProperties.hbm and the Nameable mappings); the exact
#: lengths of each type and version are ``MetadataType.lengths(version)``.
DEFAULT_LENGTHS = {"code": 50, "name": 230, "shortName": 50, "formName": 230}

#: DHIS2 creates the default category model with these fixed UIDs (DefaultCategoryService);
#: every instance has them, so references to them always resolve.
DEFAULT_UIDS = {
    "categoryCombo": "bjDvmb4bfuf",
    "category": "GLevLNI9wkl",
    "categoryOption": "xYerKDKCefk",
    "categoryOptionCombo": "HllvX50cXC0",
}

#: Types whose objects belong to the target instance rather than to a metadata package: a reference to
#: one that the package does not carry is resolved on the server (``plan`` checks it there).
SERVER_TYPES = frozenset({"organisationUnit", "organisationUnitLevel", "userGroup", "user", "attribute"})


@dataclass(frozen=True)
class RefSpec:
    """``path`` walks the object (``a[].b`` = property b of every item of list a); ``target`` is a type name."""

    path: str
    target: str
    #: False for the inverse side of a link (hbm ``inverse="true"``): DHIS2's ReferencesCheck only walks
    #: owner properties, and the import stores the link from the other side
    owner: bool = True

    @property
    def on_server(self) -> bool:
        """True when the target normally lives on the instance, not in a package (org units, user groups ...)."""
        return self.target in SERVER_TYPES

    @property
    def property(self) -> str:
        return self.path.split("[]")[0].split(".")[0]


@dataclass(frozen=True)
class MetadataType:
    name: str
    plural: str
    klass: str
    model: type[o.IdentifiableObject]
    refs: tuple[RefSpec, ...] = ()
    #: per DHIS2 minor version: required, unique and lengths (``schema_table.TABLE[name]``)
    schema: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def simple(self) -> str:
        """The Java simple class name DHIS2 prints in messages (``DataElement``)."""
        return self.klass.rsplit(".", 1)[1]

    def _at(self, version: tuple[int, int]) -> dict[str, Any]:
        """The schema of the newest known version not after ``version`` (the oldest for older ones)."""
        if not self.schema:
            return {"required": (), "unique": ("code",), "lengths": {}}
        known = sorted(self.schema, key=_minor)
        best = known[0]
        for key in known:
            if _minor(key) <= version:
                best = key
        return self.schema[best]

    def required_properties(self, version: tuple[int, int]) -> tuple[str, ...]:
        """Properties DHIS2 reports E4000 for when null (DefaultSchemaValidator.validateProperty)."""
        return tuple(self._at(version)["required"])

    def unique_properties(self, version: tuple[int, int]) -> tuple[str, ...]:
        """Simple properties DHIS2's UniquenessCheck keeps unique per class (E5003), ``code`` first."""
        return tuple(self._at(version)["unique"])

    def lengths(self, version: tuple[int, int]) -> dict[str, int]:
        """Stored text properties and their column lengths (E4001 above them)."""
        return dict(self._at(version)["lengths"])


def _minor(key: str) -> tuple[int, int]:
    major, minor = key.split(".")
    return int(major), int(minor)


#: (type, path) of references on the inverse side of their link (``inverse="true"`` in the type's hbm.xml)
INVERSE = frozenset({("organisationUnitGroup", "groupSets[]"), ("categoryOptionGroup", "groupSets[]"),
                     ("dataElementGroup", "groupSets[]"), ("indicatorGroup", "groupSets[]")})  # fmt: skip


def _t(name: str, plural: str, klass: str, model: type[o.IdentifiableObject], refs: dict[str, str] | None = None):
    specs = tuple(RefSpec(p, t, (name, p) not in INVERSE) for p, t in (refs or {}).items())
    return MetadataType(name, plural, klass, model, refs=specs, schema=TABLE.get(name, {}))


TYPES: tuple[MetadataType, ...] = (
    _t("userGroup", "userGroups", "org.hisp.dhis.user.UserGroup", o.UserGroup,
       {"users[]": "user", "managedGroups[]": "userGroup"}),
    _t("legendSet", "legendSets", "org.hisp.dhis.legend.LegendSet", o.LegendSet),
    _t("constant", "constants", "org.hisp.dhis.constant.Constant", o.Constant),
    _t("categoryOption", "categoryOptions", "org.hisp.dhis.category.CategoryOption", o.CategoryOption,
       {"organisationUnits[]": "organisationUnit"}),
    _t("category", "categories", "org.hisp.dhis.category.Category", o.Category,
       {"categoryOptions[]": "categoryOption"}),
    _t("categoryCombo", "categoryCombos", "org.hisp.dhis.category.CategoryCombo", o.CategoryCombo,
       {"categories[]": "category"}),
    _t("categoryOptionCombo", "categoryOptionCombos", "org.hisp.dhis.category.CategoryOptionCombo",
       o.CategoryOptionCombo, {"categoryCombo": "categoryCombo", "categoryOptions[]": "categoryOption"}),
    _t("categoryOptionGroup", "categoryOptionGroups", "org.hisp.dhis.category.CategoryOptionGroup",
       o.CategoryOptionGroup, {"categoryOptions[]": "categoryOption", "groupSets[]": "categoryOptionGroupSet"}),
    _t("categoryOptionGroupSet", "categoryOptionGroupSets", "org.hisp.dhis.category.CategoryOptionGroupSet",
       o.CategoryOptionGroupSet, {"categoryOptionGroups[]": "categoryOptionGroup"}),
    _t("optionSet", "optionSets", "org.hisp.dhis.option.OptionSet", o.OptionSet, {"options[]": "option"}),
    _t("option", "options", "org.hisp.dhis.option.Option", o.Option, {"optionSet": "optionSet"}),
    _t("organisationUnit", "organisationUnits", "org.hisp.dhis.organisationunit.OrganisationUnit",
       o.OrganisationUnit, {"parent": "organisationUnit"}),
    _t("organisationUnitGroup", "organisationUnitGroups",
       "org.hisp.dhis.organisationunit.OrganisationUnitGroup", o.OrganisationUnitGroup,
       {"organisationUnits[]": "organisationUnit", "groupSets[]": "organisationUnitGroupSet"}),
    _t("organisationUnitGroupSet", "organisationUnitGroupSets",
       "org.hisp.dhis.organisationunit.OrganisationUnitGroupSet", o.OrganisationUnitGroupSet,
       {"organisationUnitGroups[]": "organisationUnitGroup"}),
    _t("dataElement", "dataElements", "org.hisp.dhis.dataelement.DataElement", o.DataElement,
       {"categoryCombo": "categoryCombo", "optionSet": "optionSet", "commentOptionSet": "optionSet",
        "legendSets[]": "legendSet"}),
    _t("dataElementGroup", "dataElementGroups", "org.hisp.dhis.dataelement.DataElementGroup",
       o.DataElementGroup, {"dataElements[]": "dataElement"}),
    _t("indicatorType", "indicatorTypes", "org.hisp.dhis.indicator.IndicatorType", o.IndicatorType),
    _t("indicator", "indicators", "org.hisp.dhis.indicator.Indicator", o.Indicator,
       {"indicatorType": "indicatorType", "legendSets[]": "legendSet"}),
    _t("indicatorGroup", "indicatorGroups", "org.hisp.dhis.indicator.IndicatorGroup", o.IndicatorGroup,
       {"indicators[]": "indicator"}),
    _t("dataSet", "dataSets", "org.hisp.dhis.dataset.DataSet", o.DataSet,
       {"categoryCombo": "categoryCombo", "dataSetElements[].dataElement": "dataElement",
        "dataSetElements[].categoryCombo": "categoryCombo", "indicators[]": "indicator",
        "organisationUnits[]": "organisationUnit", "legendSets[]": "legendSet"}),
    _t("section", "sections", "org.hisp.dhis.dataset.Section", o.Section,
       {"dataSet": "dataSet", "dataElements[]": "dataElement", "indicators[]": "indicator"}),
    _t("trackedEntityAttribute", "trackedEntityAttributes",
       "org.hisp.dhis.trackedentity.TrackedEntityAttribute", o.TrackedEntityAttribute,
       {"optionSet": "optionSet", "legendSets[]": "legendSet"}),
    _t("trackedEntityType", "trackedEntityTypes", "org.hisp.dhis.trackedentity.TrackedEntityType",
       o.TrackedEntityType, {"trackedEntityTypeAttributes[].trackedEntityAttribute": "trackedEntityAttribute"}),
    _t("program", "programs", "org.hisp.dhis.program.Program", o.Program,
       {"trackedEntityType": "trackedEntityType", "categoryCombo": "categoryCombo",
        "programStages[]": "programStage",
        "programTrackedEntityAttributes[].trackedEntityAttribute": "trackedEntityAttribute",
        "organisationUnits[]": "organisationUnit"}),
    _t("programStage", "programStages", "org.hisp.dhis.program.ProgramStage", o.ProgramStage,
       {"program": "program", "programStageDataElements[].dataElement": "dataElement"}),
    _t("programIndicator", "programIndicators", "org.hisp.dhis.program.ProgramIndicator",
       o.ProgramIndicator, {"program": "program", "legendSets[]": "legendSet"}),
    _t("programStageSection", "programStageSections", "org.hisp.dhis.program.ProgramStageSection",
       o.ProgramStageSection, {"programStage": "programStage", "dataElements[]": "dataElement",
                               "programIndicators[]": "programIndicator"}),
    _t("programSection", "programSections", "org.hisp.dhis.program.ProgramSection", o.ProgramSection,
       {"program": "program", "trackedEntityAttributes[]": "trackedEntityAttribute"}),
    _t("programRuleVariable", "programRuleVariables", "org.hisp.dhis.programrule.ProgramRuleVariable",
       o.ProgramRuleVariable, {"program": "program", "trackedEntityAttribute": "trackedEntityAttribute",
                               "dataElement": "dataElement", "programStage": "programStage"}),
    _t("programRule", "programRules", "org.hisp.dhis.programrule.ProgramRule", o.ProgramRule,
       {"program": "program", "programStage": "programStage", "programRuleActions[]": "programRuleAction"}),
    _t("programRuleAction", "programRuleActions", "org.hisp.dhis.programrule.ProgramRuleAction",
       o.ProgramRuleAction, {"programRule": "programRule", "dataElement": "dataElement",
                             "trackedEntityAttribute": "trackedEntityAttribute",
                             "programIndicator": "programIndicator", "programStageSection": "programStageSection",
                             "programStage": "programStage", "option": "option"}),
    _t("validationRule", "validationRules", "org.hisp.dhis.validation.ValidationRule", o.ValidationRule),
    _t("validationRuleGroup", "validationRuleGroups", "org.hisp.dhis.validation.ValidationRuleGroup",
       o.ValidationRuleGroup, {"validationRules[]": "validationRule"}),
    _t("predictor", "predictors", "org.hisp.dhis.predictor.Predictor", o.Predictor,
       {"output": "dataElement", "outputCombo": "categoryOptionCombo",
        "organisationUnitLevels[]": "organisationUnitLevel"}),
    _t("predictorGroup", "predictorGroups", "org.hisp.dhis.predictor.PredictorGroup", o.PredictorGroup,
       {"predictors[]": "predictor"}),
    _t("visualization", "visualizations", "org.hisp.dhis.visualization.Visualization", o.Visualization,
       {"legendSet": "legendSet"}),
    _t("dashboard", "dashboards", "org.hisp.dhis.dashboard.Dashboard", o.Dashboard,
       {"dashboardItems[].visualization": "visualization"}),
)  # fmt: skip

BY_NAME: dict[str, MetadataType] = {t.name: t for t in TYPES}
BY_PLURAL: dict[str, MetadataType] = {t.plural: t for t in TYPES}
ORDER: dict[str, int] = {t.plural: i for i, t in enumerate(TYPES)}


def generic(plural: str) -> MetadataType:
    """A stand-in entry for a collection key dhis2-mch does not type (visualizations, users ...)."""
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return MetadataType(singular, plural, "org.hisp.dhis." + singular[0].upper() + singular[1:], o.GenericObject)


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
