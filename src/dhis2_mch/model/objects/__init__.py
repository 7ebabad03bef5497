"""The DHIS2 metadata types dhis2-mch knows, as declared properties.

Field names are DHIS2's own camelCase property names, so the model reads like the API docs and a
payload needs no alias mapping. Every object keeps the properties it was given, declared or not: a
real export carries many properties we do not type (style, sharing details ...) and they survive a
load → dump round trip unchanged. Declared properties are read the way DHIS2's JSON reader reads
them (``model/jackson.py``): what DHIS2 converts is converted, what it refuses is refused.
Enumerated properties (valueType, aggregationType ...) are plain texts here: the validator judges
them, so an unexpected value becomes a finding instead of a crash.

One module per family of types (base, aggregate, organisation, tracker, analytics); this package
re-exports them all, so ``from dhis2_mch.model.objects import DataElement`` and ``objects.DataElement``
name every type.
"""

from __future__ import annotations

from dhis2_mch.model.jackson import Model, ValidationError
from dhis2_mch.model.objects.aggregate import (
    Category,
    CategoryCombo,
    CategoryOption,
    CategoryOptionCombo,
    CategoryOptionGroup,
    CategoryOptionGroupSet,
    DataElement,
    DataElementGroup,
    DataSet,
    DataSetElement,
    Indicator,
    IndicatorGroup,
    IndicatorType,
    Option,
    OptionSet,
    Section,
)
from dhis2_mch.model.objects.analytics import (
    Constant,
    Dashboard,
    DashboardItem,
    Expression,
    Legend,
    LegendSet,
    Predictor,
    PredictorGroup,
    ValidationRule,
    ValidationRuleGroup,
    Visualization,
)
from dhis2_mch.model.objects.base import (
    GenericObject,
    IdentifiableObject,
    NameableObject,
    Ref,
    Translation,
    Unparsed,
)
from dhis2_mch.model.objects.organisation import (
    OrganisationUnit,
    OrganisationUnitGroup,
    OrganisationUnitGroupSet,
    UserGroup,
)
from dhis2_mch.model.objects.tracker import (
    Program,
    ProgramIndicator,
    ProgramRule,
    ProgramRuleAction,
    ProgramRuleVariable,
    ProgramSection,
    ProgramStage,
    ProgramStageDataElement,
    ProgramStageSection,
    ProgramTrackedEntityAttribute,
    TrackedEntityAttribute,
    TrackedEntityType,
    TrackedEntityTypeAttribute,
)

__all__ = [
    "Category",
    "CategoryCombo",
    "CategoryOption",
    "CategoryOptionCombo",
    "CategoryOptionGroup",
    "CategoryOptionGroupSet",
    "Constant",
    "Dashboard",
    "DashboardItem",
    "DataElement",
    "DataElementGroup",
    "DataSet",
    "DataSetElement",
    "Expression",
    "GenericObject",
    "IdentifiableObject",
    "Indicator",
    "IndicatorGroup",
    "IndicatorType",
    "Legend",
    "LegendSet",
    "Model",
    "NameableObject",
    "Option",
    "OptionSet",
    "OrganisationUnit",
    "OrganisationUnitGroup",
    "OrganisationUnitGroupSet",
    "Predictor",
    "PredictorGroup",
    "Program",
    "ProgramIndicator",
    "ProgramRule",
    "ProgramRuleAction",
    "ProgramRuleVariable",
    "ProgramSection",
    "ProgramStage",
    "ProgramStageDataElement",
    "ProgramStageSection",
    "ProgramTrackedEntityAttribute",
    "Ref",
    "Section",
    "TrackedEntityAttribute",
    "TrackedEntityType",
    "TrackedEntityTypeAttribute",
    "Translation",
    "Unparsed",
    "UserGroup",
    "ValidationError",
    "ValidationRule",
    "ValidationRuleGroup",
    "Visualization",
]
