"""Tracker and event types: tracked entity types and attributes, programs, stages, sections, program
indicators, and program rules with their variables and actions."""

from __future__ import annotations

from typing import Any

from dhis2_mch.model.jackson import Model
from dhis2_mch.model.objects.base import IdentifiableObject, NameableObject, Ref

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
