"""Validation rules, predictors, constants, legend sets, visualizations and dashboards."""

from __future__ import annotations

from dhis2_mch.model.jackson import Model
from dhis2_mch.model.objects.base import IdentifiableObject, NameableObject, Ref

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


# ---- legends and analytics ---------------------------------------------------------------------


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
