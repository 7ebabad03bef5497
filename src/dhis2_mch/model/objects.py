"""The DHIS2 metadata types dhis2-mch knows, as declared properties.

Field names are DHIS2's own camelCase property names, so the model reads like the API docs and a
payload needs no alias mapping. Every object keeps the properties it was given, declared or not: a
real export carries many properties we do not type (style, sharing details ...) and they survive a
load → dump round trip unchanged. Declared properties are read the way DHIS2's JSON reader reads
them (``model/jackson.py``): what DHIS2 converts is converted, what it refuses is refused.
Enumerated properties (valueType, aggregationType ...) are plain texts here: the validator judges
them, so an unexpected value becomes a finding instead of a crash.
"""

from __future__ import annotations

from typing import Any, ClassVar

from dhis2_mch.model.jackson import Model, ValidationError

__all__ = ["Model", "ValidationError"]  # and every class below


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

    TRANSLATABLE: ClassVar[tuple[str, ...]] = ("name", "shortName", "description")


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


class CategoryOptionGroup(NameableObject):
    dataDimensionType: str | None = None
    categoryOptions: list[Ref] | None = None
    groupSets: list[Ref] | None = None


class CategoryOptionGroupSet(NameableObject):
    dataDimensionType: str | None = None
    dataDimension: bool | None = None
    categoryOptionGroups: list[Ref] | None = None


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


class TrackedEntityTypeAttribute(Model):
    """An attribute of a tracked entity type, embedded in it (TrackedEntityTypeAttribute.hbm.xml)."""

    id: str | None = None
    trackedEntityAttribute: Ref | None = None
    trackedEntityType: Ref | None = None
    displayInList: bool | None = None
    mandatory: bool | None = None
    searchable: bool | None = None


class TrackedEntityType(NameableObject):
    formName: str | None = None
    featureType: str | None = None
    trackedEntityTypeAttributes: list[TrackedEntityTypeAttribute] | None = None


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
    displayIncidentDate: bool | None = None
    onlyEnrollOnce: bool | None = None
    selectEnrollmentDatesInFuture: bool | None = None

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
    #: scheduling (ProgramStage.hbm.xml): days after enrollment for the first event, days between events
    minDaysFromStart: int | None = None
    standardInterval: int | None = None
    generatedByEnrollmentDate: bool | None = None
    autoGenerateEvent: bool | None = None

    TRANSLATABLE = ("name", "description", "formName")


class ProgramIndicator(NameableObject):
    program: Ref | None = None
    expression: str | None = None
    filter: str | None = None
    analyticsType: str | None = None
    aggregationType: str | None = None
    decimals: int | None = None
    legendSets: list[Ref] | None = None
    #: the option combo an aggregate data exchange writes the value to (ProgramIndicator.hbm.xml)
    aggregateExportCategoryOptionCombo: str | None = None
    analyticsPeriodBoundaries: list[dict[str, Any]] | None = None


class ProgramStageSection(IdentifiableObject):
    description: str | None = None
    formName: str | None = None
    programStage: Ref | None = None
    sortOrder: int | None = None
    dataElements: list[Ref] | None = None
    programIndicators: list[Ref] | None = None

    TRANSLATABLE = ("name", "description", "formName")


class ProgramSection(IdentifiableObject):
    description: str | None = None
    formName: str | None = None
    program: Ref | None = None
    sortOrder: int | None = None
    trackedEntityAttributes: list[Ref] | None = None

    TRANSLATABLE = ("name", "description", "formName")


# ---- program rules ---------------------------------------------------------------------------------


class ProgramRuleVariable(IdentifiableObject):
    program: Ref | None = None
    #: Java field ``sourceType``, JSON ``programRuleVariableSourceType`` (ProgramRuleVariable getter annotation)
    programRuleVariableSourceType: str | None = None
    trackedEntityAttribute: Ref | None = None
    dataElement: Ref | None = None
    programStage: Ref | None = None
    useCodeForOptionSet: bool | None = None
    valueType: str | None = None

    #: the name is the identifier rule expressions use (``#{name}``), not a text to translate
    TRANSLATABLE = ()


class ProgramRule(IdentifiableObject):
    description: str | None = None
    program: Ref | None = None
    programStage: Ref | None = None
    programRuleActions: list[Ref] | None = None
    condition: str | None = None
    priority: int | None = None

    TRANSLATABLE = ("name", "description")


class ProgramRuleAction(IdentifiableObject):
    programRule: Ref | None = None
    programRuleActionType: str | None = None
    dataElement: Ref | None = None
    trackedEntityAttribute: Ref | None = None
    programIndicator: Ref | None = None
    programStageSection: Ref | None = None
    programStage: Ref | None = None
    option: Ref | None = None
    optionGroup: Ref | None = None
    templateUid: str | None = None
    location: str | None = None
    content: str | None = None
    data: str | None = None

    TRANSLATABLE = ("content",)


# ---- validation rules and predictors ----------------------------------------------------------------


class Expression(Model):
    """A validation rule side or a predictor generator (Expression.hbm.xml: expression text not null)."""

    expression: str | None = None
    description: str | None = None
    missingValueStrategy: str | None = None
    slidingWindow: bool | None = None


class ValidationRule(NameableObject):
    instruction: str | None = None
    importance: str | None = None
    operator: str | None = None
    periodType: str | None = None
    leftSide: Expression | None = None
    rightSide: Expression | None = None
    skipFormValidation: bool | None = None
    organisationUnitLevels: list[int] | None = None

    TRANSLATABLE = ("name", "shortName", "description", "instruction")


class ValidationRuleGroup(IdentifiableObject):
    description: str | None = None
    validationRules: list[Ref] | None = None

    TRANSLATABLE = ("name", "description")


class Predictor(NameableObject):
    output: Ref | None = None
    outputCombo: Ref | None = None
    generator: Expression | None = None
    sampleSkipTest: Expression | None = None
    periodType: str | None = None
    organisationUnitLevels: list[Ref] | None = None
    organisationUnitDescendants: str | None = None
    sequentialSampleCount: int | None = None
    annualSampleCount: int | None = None
    sequentialSkipCount: int | None = None


class PredictorGroup(IdentifiableObject):
    description: str | None = None
    predictors: list[Ref] | None = None

    TRANSLATABLE = ("name", "description")


class Constant(NameableObject):
    value: float | None = None


# ---- legends, analytics and users ---------------------------------------------------------------------


class Legend(Model):
    """A band of a legend set, embedded in it (Legend.hbm.xml: name, startValue, endValue not null)."""

    id: str | None = None
    code: str | None = None
    name: str | None = None
    startValue: float | None = None
    endValue: float | None = None
    color: str | None = None
    image: str | None = None


class LegendSet(IdentifiableObject):
    symbolizer: str | None = None
    legends: list[Legend] | None = None


class Visualization(IdentifiableObject):
    type: str | None = None
    description: str | None = None
    title: str | None = None
    subtitle: str | None = None
    legendSet: Ref | None = None

    TRANSLATABLE = ("name", "description", "title", "subtitle")


class DashboardItem(Model):
    id: str | None = None
    type: str | None = None
    visualization: Ref | None = None
    eventVisualization: Ref | None = None
    eventChart: Ref | None = None
    eventReport: Ref | None = None
    map: Ref | None = None
    text: str | None = None


class Dashboard(IdentifiableObject):
    description: str | None = None
    dashboardItems: list[DashboardItem] | None = None

    TRANSLATABLE = ("name", "description")


class UserGroup(IdentifiableObject):
    users: list[Ref] | None = None
    managedGroups: list[Ref] | None = None
    managedByGroups: list[Ref] | None = None
