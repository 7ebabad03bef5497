"""Pydantic models of the DHIS2 metadata types the programmes use.

Field names are DHIS2's own camelCase property names, so the model reads like the API docs and a
payload needs no alias mapping. Every model allows extra fields: a real export carries many
properties we do not type (style, sharing details, legend sets ...) and they must survive a
load → dump round trip unchanged. Validation is strict (no "true" → True coercion) for the same
reason. Enumerated properties (valueType, aggregationType ...) are plain strings here: the
validator judges them, so an unexpected value becomes a finding instead of a crash.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, validate_assignment=False)

    def dump(self) -> dict[str, Any]:
        """The object as DHIS2 JSON: only the properties it was given, in model order then extras."""
        return self.model_dump(mode="json", exclude_unset=True)


class Ref(Model):
    """A reference to another object, ``{"id": uid}`` in DHIS2 JSON."""

    id: str | None = None


class Translation(Model):
    locale: str
    property: str
    value: str


class IdentifiableObject(Model):
    id: str | None = None
    code: str | None = None
    name: str | None = None
    translations: list[Translation] | None = None
    attributeValues: list[dict[str, Any]] | None = None
    sharing: dict[str, Any] | None = None

    #: properties a ``translations`` entry can carry (NAME, SHORT_NAME ... as camelCase)
    TRANSLATABLE: ClassVar[tuple[str, ...]] = ("name",)


class NameableObject(IdentifiableObject):
    shortName: str | None = None
    description: str | None = None

    TRANSLATABLE = ("name", "shortName", "description")


class GenericObject(IdentifiableObject):
    """Any metadata type the package carries but dhis2-mch does not type (visualizations, users ...)."""


class Unparsed(GenericObject):
    """An object whose properties do not fit its type (a string where DHIS2 wants a boolean ...).

    Built with ``model_construct`` so it is kept verbatim and dumps back unchanged; the loader has
    already reported why, and the validator only runs identity checks on it.
    """


# ---- category model -------------------------------------------------------------------------------


class CategoryOption(NameableObject):
    formName: str | None = None
    startDate: str | None = None
    endDate: str | None = None
    organisationUnits: list[Ref] | None = None

    TRANSLATABLE = ("name", "shortName", "description", "formName")


class Category(NameableObject):
    dataDimensionType: str | None = None
    dataDimension: bool | None = None
    categoryOptions: list[Ref] | None = None


class CategoryCombo(IdentifiableObject):
    dataDimensionType: str | None = None
    skipTotal: bool | None = None
    categories: list[Ref] | None = None


class CategoryOptionCombo(IdentifiableObject):
    categoryCombo: Ref | None = None
    categoryOptions: list[Ref] | None = None
    ignoreApproval: bool | None = None


# ---- options --------------------------------------------------------------------------------------


class OptionSet(IdentifiableObject):
    valueType: str | None = None
    description: str | None = None
    options: list[Ref] | None = None

    TRANSLATABLE = ("name", "description")


class Option(IdentifiableObject):
    optionSet: Ref | None = None
    sortOrder: int | None = None
    description: str | None = None

    TRANSLATABLE = ("name", "description")


# ---- aggregate --------------------------------------------------------------------------------------


class DataElement(NameableObject):
    formName: str | None = None
    valueType: str | None = None
    domainType: str | None = None
    aggregationType: str | None = None
    categoryCombo: Ref | None = None
    optionSet: Ref | None = None
    commentOptionSet: Ref | None = None
    zeroIsSignificant: bool | None = None
    aggregationLevels: list[int] | None = None
    legendSets: list[Ref] | None = None
    url: str | None = None
    fieldMask: str | None = None

    TRANSLATABLE = ("name", "shortName", "description", "formName")


class DataSetElement(Model):
    dataElement: Ref | None = None
    dataSet: Ref | None = None
    categoryCombo: Ref | None = None


class DataSet(NameableObject):
    formName: str | None = None
    periodType: str | None = None
    categoryCombo: Ref | None = None
    dataSetElements: list[DataSetElement] | None = None
    organisationUnits: list[Ref] | None = None
    indicators: list[Ref] | None = None
    openFuturePeriods: int | None = None
    expiryDays: int | None = None
    timelyDays: int | None = None
    compulsoryFieldsCompleteOnly: bool | None = None
    fieldCombinationRequired: bool | None = None
    validCompleteOnly: bool | None = None
    noValueRequiresComment: bool | None = None
    legendSets: list[Ref] | None = None

    TRANSLATABLE = ("name", "shortName", "description", "formName")


class Section(IdentifiableObject):
    dataSet: Ref | None = None
    description: str | None = None
    sortOrder: int | None = None
    dataElements: list[Ref] | None = None
    indicators: list[Ref] | None = None

    TRANSLATABLE = ("name", "description")


class IndicatorType(IdentifiableObject):
    factor: int | None = None
    number: bool | None = None


class Indicator(NameableObject):
    formName: str | None = None
    indicatorType: Ref | None = None
    numerator: str | None = None
    numeratorDescription: str | None = None
    denominator: str | None = None
    denominatorDescription: str | None = None
    annualized: bool | None = None
    decimals: int | None = None
    legendSets: list[Ref] | None = None

    TRANSLATABLE = ("name", "shortName", "description", "formName", "numeratorDescription", "denominatorDescription")


class DataElementGroup(NameableObject):
    dataElements: list[Ref] | None = None


class IndicatorGroup(IdentifiableObject):
    description: str | None = None
    indicators: list[Ref] | None = None


# ---- organisation units --------------------------------------------------------------------------


class OrganisationUnit(NameableObject):
    parent: Ref | None = None
    openingDate: str | None = None
    closedDate: str | None = None
    path: str | None = None
    level: int | None = None


class OrganisationUnitGroup(NameableObject):
    organisationUnits: list[Ref] | None = None
    groupSets: list[Ref] | None = None
    color: str | None = None
    symbol: str | None = None


class OrganisationUnitGroupSet(NameableObject):
    organisationUnitGroups: list[Ref] | None = None
    compulsory: bool | None = None
    dataDimension: bool | None = None
    includeSubhierarchyInAnalytics: bool | None = None


# ---- tracker and events ---------------------------------------------------------------------------


class TrackedEntityType(NameableObject):
    trackedEntityTypeAttributes: list[dict[str, Any]] | None = None


class TrackedEntityAttribute(NameableObject):
    formName: str | None = None
    valueType: str | None = None
    aggregationType: str | None = None
    optionSet: Ref | None = None
    unique: bool | None = None
    confidential: bool | None = None

    TRANSLATABLE = ("name", "shortName", "description", "formName")


class ProgramTrackedEntityAttribute(Model):
    id: str | None = None
    trackedEntityAttribute: Ref | None = None
    program: Ref | None = None
    mandatory: bool | None = None
    displayInList: bool | None = None
    sortOrder: int | None = None


class Program(NameableObject):
    formName: str | None = None
    programType: str | None = None
    trackedEntityType: Ref | None = None
    categoryCombo: Ref | None = None
    programStages: list[Ref] | None = None
    programTrackedEntityAttributes: list[ProgramTrackedEntityAttribute] | None = None
    organisationUnits: list[Ref] | None = None
    programIndicators: list[Ref] | None = None

    TRANSLATABLE = ("name", "shortName", "description", "formName")


class ProgramStageDataElement(Model):
    id: str | None = None
    dataElement: Ref | None = None
    programStage: Ref | None = None
    compulsory: bool | None = None
    sortOrder: int | None = None
    allowFutureDate: bool | None = None
    displayInReports: bool | None = None


class ProgramStage(IdentifiableObject):
    description: str | None = None
    formName: str | None = None
    program: Ref | None = None
    repeatable: bool | None = None
    sortOrder: int | None = None
    executionDateLabel: str | None = None
    programStageDataElements: list[ProgramStageDataElement] | None = None

    TRANSLATABLE = ("name", "description", "formName")


class ProgramIndicator(NameableObject):
    program: Ref | None = None
    expression: str | None = None
    filter: str | None = None
    analyticsType: str | None = None
    aggregationType: str | None = None
    decimals: int | None = None
