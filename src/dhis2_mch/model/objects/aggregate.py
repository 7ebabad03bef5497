"""Aggregate data's types: the category model, option sets, data elements and sets, sections, indicators."""

from __future__ import annotations

from dhis2_mch.model.jackson import Model
from dhis2_mch.model.objects.base import IdentifiableObject, NameableObject, Ref

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
