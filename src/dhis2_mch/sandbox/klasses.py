"""The sandbox's own table of DHIS2 metadata classes: required, unique, lengths, references, authorities.

Written from dhis2-core (branches 2.38, 2.40, 2.42), never from dhis2-mch's model, so that a wrong rule
in the client's validator cannot be confirmed by the sandbox:

- required (E4000) = a Hibernate ``not-null="true"`` property (``<Class>.hbm.xml``), which
  ``HibernatePropertyIntrospector`` turns into ``Property.required`` and
  ``DefaultSchemaValidator.validateProperty`` checks; references to the default category model classes are
  skipped there (``Preheat.isDefaultClass``), so a data element without ``categoryCombo`` is accepted;
- unique (E5003) = ``unique="true"`` in the same mappings (``UniquenessCheck``); ``code`` is unique on every
  identifiable class (``identifiableProperties.hbm``) except Option (``Option.hbm.xml``: ``unique="false"``);
- lengths (E4001) = the mappings' ``length`` (``DefaultSchemaValidator.validateString``);
- version differences read from the mappings: CategoryOption, OrganisationUnitGroup and DataElementGroup
  ``shortName`` became ``not-null`` in 2.40; DataSet ``shortName`` became ``not-null unique`` in 2.40;
  TrackedEntityType gained a ``not-null unique`` ``shortName`` in 2.42;
- create authorities (E3000) = the schema descriptors' ``CREATE_PUBLIC`` / ``CREATE`` authorities
  (``<Class>Schema`` descriptors, e.g. ``DataElementSchemaDescriptor``: ``F_DATAELEMENT_PUBLIC_ADD``);
- data-shareable classes (``Schema.isDataShareable``): DataSet, CategoryOption, Program, ProgramStage,
  TrackedEntityType.

unverified: the create authority of the few types whose descriptor was not read (the sandbox asks for
``ALL`` there); the import order of the types the project does not model (DHIS2 sorts by schema
dependencies; the sandbox keeps the order below).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field

# DefaultCategoryService creates these with fixed UIDs on every new database.
DEFAULT_UIDS = {
    "categoryOptions": "xYerKDKCefk",
    "categories": "GLevLNI9wkl",
    "categoryCombos": "bjDvmb4bfuf",
    "categoryOptionCombos": "HllvX50cXC0",
}
DEFAULT_COC = DEFAULT_UIDS["categoryOptionCombos"]
DEFAULT_COMBO = DEFAULT_UIDS["categoryCombos"]
CATEGORY_MODEL = tuple(DEFAULT_UIDS)

# CodeGenerator.isValidUid / generateUid
UID_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")
_UID_FIRST = string.ascii_letters
_UID_REST = string.ascii_letters + string.digits


def is_uid(value: object) -> bool:
    return isinstance(value, str) and UID_PATTERN.fullmatch(value) is not None


def new_uid() -> str:
    """CodeGenerator.generateUid: a letter, then 10 letters or digits."""
    return secrets.choice(_UID_FIRST) + "".join(secrets.choice(_UID_REST) for _ in range(10))


ALWAYS = 38  # the oldest version the sandbox plays

NAME, SHORT, CODE, FORM = ("name", 230), ("shortName", 50), ("code", 50), ("formName", 230)


@dataclass(frozen=True)
class Klass:
    """One metadata class. ``required``/``unique`` map a property to the first minor version it applies in."""

    plural: str
    klass: str
    required: dict[str, int] = field(default_factory=dict)
    unique: dict[str, int] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=lambda: dict((CODE, NAME)))
    #: (path, target plural); ``a[].b`` = property b of every element of list a
    refs: tuple[tuple[str, str], ...] = ()
    create_authority: str | None = None
    code_unique: bool = True
    data_shareable: bool = False

    @property
    def simple(self) -> str:
        return self.klass.rsplit(".", 1)[-1]

    def required_in(self, minor: int) -> tuple[str, ...]:
        return tuple(p for p, since in self.required.items() if minor >= since)

    def unique_in(self, minor: int) -> tuple[str, ...]:
        props = [p for p, since in self.unique.items() if minor >= since]
        return ("code", *props) if self.code_unique else tuple(props)


def _k(plural, klass, required=(), unique=(), lengths=(CODE, NAME), refs=(), **kw) -> Klass:
    req = {p: ALWAYS for p in required} if not isinstance(required, dict) else required
    uniq = {p: ALWAYS for p in unique} if not isinstance(unique, dict) else unique
    return Klass(plural, klass, req, uniq, dict(lengths), tuple(refs), **kw)


# In the schema dependency order DHIS2 imports them (SchemaService.getMetadataSchemas sorted by
# SchemaUtils dependencies); each row cites its mapping file.
TABLE: tuple[Klass, ...] = (
    # CategoryOption.hbm.xml: name not-null unique 230; shortName unique 50, not-null from 2.40
    _k("categoryOptions", "org.hisp.dhis.category.CategoryOption",
       {"name": ALWAYS, "shortName": 40}, ("name", "shortName"), (CODE, NAME, SHORT, FORM),
       (("organisationUnits[]", "organisationUnits"),),
       create_authority="F_CATEGORY_OPTION_PUBLIC_ADD", data_shareable=True),
    # Category.hbm.xml: name, shortName not-null unique; dataDimensionType not-null
    _k("categories", "org.hisp.dhis.category.Category", ("name", "shortName", "dataDimensionType"),
       ("name", "shortName"), (CODE, NAME, SHORT), (("categoryOptions[]", "categoryOptions"),),
       create_authority="F_CATEGORY_PUBLIC_ADD"),
    # CategoryCombo.hbm.xml: name not-null unique; dataDimensionType not-null
    _k("categoryCombos", "org.hisp.dhis.category.CategoryCombo", ("name", "dataDimensionType"), ("name",),
       refs=(("categories[]", "categories"),), create_authority="F_CATEGORY_COMBO_PUBLIC_ADD"),
    # CategoryOptionCombo.hbm.xml: name nullable; categoryCombo not-null but a default-model class
    _k("categoryOptionCombos", "org.hisp.dhis.category.CategoryOptionCombo", lengths=(CODE,),
       refs=(("categoryCombo", "categoryCombos"), ("categoryOptions[]", "categoryOptions"))),
    # OptionSet.hbm.xml: name not-null unique; valueType not-null
    _k("optionSets", "org.hisp.dhis.option.OptionSet", ("name", "valueType"), ("name",),
       refs=(("options[]", "options"),), create_authority="F_OPTIONSET_PUBLIC_ADD"),
    # Option.hbm.xml: code not-null unique="false" length 230; name not-null 230
    _k("options", "org.hisp.dhis.option.Option", ("name", "code"), (), (("code", 230), NAME, FORM),
       (("optionSet", "optionSets"),), code_unique=False, create_authority="F_OPTIONSET_PUBLIC_ADD"),
    # OrganisationUnit.hbm.xml: name, shortName not-null, not unique; openingDate not-null
    _k("organisationUnits", "org.hisp.dhis.organisationunit.OrganisationUnit",
       ("name", "shortName", "openingDate"), (), (CODE, NAME, SHORT),
       (("parent", "organisationUnits"),), create_authority="F_ORGANISATIONUNIT_ADD"),
    # OrganisationUnitGroup.hbm.xml: name not-null unique; shortName unique, not-null from 2.40
    _k("organisationUnitGroups", "org.hisp.dhis.organisationunit.OrganisationUnitGroup",
       {"name": ALWAYS, "shortName": 40}, ("name", "shortName"), (CODE, NAME, SHORT),
       (("organisationUnits[]", "organisationUnits"), ("groupSets[]", "organisationUnitGroupSets")),
       create_authority="F_ORGUNITGROUP_PUBLIC_ADD"),
    # OrganisationUnitGroupSet.hbm.xml: name, shortName not-null unique
    _k("organisationUnitGroupSets", "org.hisp.dhis.organisationunit.OrganisationUnitGroupSet",
       ("name", "shortName"), ("name", "shortName"), (CODE, NAME, SHORT),
       (("organisationUnitGroups[]", "organisationUnitGroups"),), create_authority="F_ORGUNITGROUPSET_PUBLIC_ADD"),
    # DataElement.hbm.xml: name, shortName not-null unique; valueType, domainType, aggregationType not-null
    _k("dataElements", "org.hisp.dhis.dataelement.DataElement",
       ("name", "shortName", "valueType", "domainType", "aggregationType"), ("name", "shortName"),
       (CODE, NAME, SHORT, FORM),
       (("categoryCombo", "categoryCombos"), ("optionSet", "optionSets"), ("commentOptionSet", "optionSets")),
       create_authority="F_DATAELEMENT_PUBLIC_ADD"),
    # DataElementGroup.hbm.xml: name not-null unique; shortName unique, not-null from 2.40
    _k("dataElementGroups", "org.hisp.dhis.dataelement.DataElementGroup",
       {"name": ALWAYS, "shortName": 40}, ("name", "shortName"), (CODE, NAME, SHORT),
       (("dataElements[]", "dataElements"),), create_authority="F_DATAELEMENTGROUP_PUBLIC_ADD"),
    # IndicatorType.hbm.xml: name not-null unique
    _k("indicatorTypes", "org.hisp.dhis.indicator.IndicatorType", ("name",), ("name",),
       create_authority="F_INDICATORTYPE_ADD"),
    # Indicator.hbm.xml: name, shortName not-null not unique; numerator, denominator not-null;
    # indicatorType many-to-one not-null
    _k("indicators", "org.hisp.dhis.indicator.Indicator",
       ("name", "shortName", "indicatorType", "numerator", "denominator"), (), (CODE, NAME, SHORT, FORM),
       (("indicatorType", "indicatorTypes"),), create_authority="F_INDICATOR_PUBLIC_ADD"),
    # IndicatorGroup.hbm.xml: name not-null, not unique
    _k("indicatorGroups", "org.hisp.dhis.indicator.IndicatorGroup", ("name",),
       refs=(("indicators[]", "indicators"),), create_authority="F_INDICATORGROUP_PUBLIC_ADD"),
    # DataSet.hbm.xml: name not-null not unique; shortName from 2.40 not-null unique; periodType not-null
    _k("dataSets", "org.hisp.dhis.dataset.DataSet", {"name": ALWAYS, "periodType": ALWAYS, "shortName": 40},
       {"shortName": 40}, (CODE, NAME, SHORT, FORM),
       (("categoryCombo", "categoryCombos"), ("dataSetElements[].dataElement", "dataElements"),
        ("dataSetElements[].categoryCombo", "categoryCombos"), ("indicators[]", "indicators"),
        ("organisationUnits[]", "organisationUnits")),
       create_authority="F_DATASET_PUBLIC_ADD", data_shareable=True),
    # Section.hbm.xml: name not-null (unique with the data set); dataSet many-to-one not-null
    _k("sections", "org.hisp.dhis.dataset.Section", ("name", "dataSet"),
       refs=(("dataSet", "dataSets"), ("dataElements[]", "dataElements"), ("indicators[]", "indicators")),
       create_authority="F_SECTION_ADD"),
    # TrackedEntityType.hbm.xml: name not-null unique; shortName not-null unique from 2.42
    _k("trackedEntityTypes", "org.hisp.dhis.trackedentity.TrackedEntityType",
       {"name": ALWAYS, "shortName": 42}, {"name": ALWAYS, "shortName": 42}, (CODE, NAME, SHORT, FORM),
       create_authority="F_TRACKED_ENTITY_ADD", data_shareable=True),
    # TrackedEntityAttribute.hbm.xml: name, shortName not-null unique; valueType, aggregationType not-null
    _k("trackedEntityAttributes", "org.hisp.dhis.trackedentity.TrackedEntityAttribute",
       ("name", "shortName", "valueType", "aggregationType"), ("name", "shortName"), (CODE, NAME, SHORT, FORM),
       (("optionSet", "optionSets"),), create_authority="F_TRACKED_ENTITY_ATTRIBUTE_PUBLIC_ADD"),
    # Program.hbm.xml: name, shortName not-null not unique; programType not-null
    _k("programs", "org.hisp.dhis.program.Program", ("name", "shortName", "programType"), (),
       (CODE, NAME, SHORT, FORM),
       (("trackedEntityType", "trackedEntityTypes"), ("categoryCombo", "categoryCombos"),
        ("programStages[]", "programStages"),
        ("programTrackedEntityAttributes[].trackedEntityAttribute", "trackedEntityAttributes"),
        ("organisationUnits[]", "organisationUnits")),
       create_authority="F_PROGRAM_PUBLIC_ADD", data_shareable=True),
    # ProgramStage.hbm.xml: name not-null 230
    _k("programStages", "org.hisp.dhis.program.ProgramStage", ("name",), (), (CODE, NAME, FORM),
       (("program", "programs"), ("programStageDataElements[].dataElement", "dataElements")),
       create_authority="F_PROGRAMSTAGE_ADD", data_shareable=True),
    # ProgramIndicator.hbm.xml: name, shortName not-null unique; analyticsType not-null; program not-null
    _k("programIndicators", "org.hisp.dhis.program.ProgramIndicator",
       ("name", "shortName", "program", "analyticsType"), ("name", "shortName"), (CODE, NAME, SHORT, FORM),
       (("program", "programs"),), create_authority="F_PROGRAM_INDICATOR_PUBLIC_ADD"),
)  # fmt: skip

# Classes the sandbox stores without class-specific rules (real packages carry them; DHIS2 imports them).
# Any other top-level key is ignored, as DHIS2's MetadataImportParams ignores unknown collections.
OTHER = {
    "users": "org.hisp.dhis.user.User",
    "userRoles": "org.hisp.dhis.user.UserRole",
    "userGroups": "org.hisp.dhis.user.UserGroup",
    "attributes": "org.hisp.dhis.attribute.Attribute",
    "categoryOptionGroups": "org.hisp.dhis.category.CategoryOptionGroup",
    "categoryOptionGroupSets": "org.hisp.dhis.category.CategoryOptionGroupSet",
    "dataElementGroupSets": "org.hisp.dhis.dataelement.DataElementGroupSet",
    "indicatorGroupSets": "org.hisp.dhis.indicator.IndicatorGroupSet",
    "optionGroups": "org.hisp.dhis.option.OptionGroup",
    "optionGroupSets": "org.hisp.dhis.option.OptionGroupSet",
    "legendSets": "org.hisp.dhis.legend.LegendSet",
    "constants": "org.hisp.dhis.constant.Constant",
    "dataEntryForms": "org.hisp.dhis.dataentryform.DataEntryForm",
    "validationRules": "org.hisp.dhis.validation.ValidationRule",
    "validationRuleGroups": "org.hisp.dhis.validation.ValidationRuleGroup",
    "validationNotificationTemplates": "org.hisp.dhis.validation.notification.ValidationNotificationTemplate",
    "predictors": "org.hisp.dhis.predictor.Predictor",
    "predictorGroups": "org.hisp.dhis.predictor.PredictorGroup",
    "programRules": "org.hisp.dhis.programrule.ProgramRule",
    "programRuleVariables": "org.hisp.dhis.programrule.ProgramRuleVariable",
    "programRuleActions": "org.hisp.dhis.programrule.ProgramRuleAction",
    "programSections": "org.hisp.dhis.program.ProgramSection",
    "programStageSections": "org.hisp.dhis.program.ProgramStageSection",
    "programNotificationTemplates": "org.hisp.dhis.program.notification.ProgramNotificationTemplate",
    "relationshipTypes": "org.hisp.dhis.relationship.RelationshipType",
    "sqlViews": "org.hisp.dhis.sqlview.SqlView",
    "reports": "org.hisp.dhis.report.Report",
    "documents": "org.hisp.dhis.document.Document",
    "visualizations": "org.hisp.dhis.visualization.Visualization",
    "eventVisualizations": "org.hisp.dhis.eventvisualization.EventVisualization",
    "eventReports": "org.hisp.dhis.eventreport.EventReport",
    "eventCharts": "org.hisp.dhis.eventchart.EventChart",
    "maps": "org.hisp.dhis.mapping.Map",
    "dashboards": "org.hisp.dhis.dashboard.Dashboard",
    "jobConfigurations": "org.hisp.dhis.scheduling.JobConfiguration",
}

BY_PLURAL: dict[str, Klass] = {k.plural: k for k in TABLE}
KLASSES: dict[str, str] = {k.plural: k.klass for k in TABLE} | OTHER
IMPORT_ORDER: list[str] = [k.plural for k in TABLE[:7]] + ["users", "userRoles", "userGroups", "attributes"]
IMPORT_ORDER += [k.plural for k in TABLE[7:]]
IMPORT_ORDER += [p for p in OTHER if p not in IMPORT_ORDER]

EMBEDDED_KLASSES = {
    "dataSetElements": "org.hisp.dhis.dataset.DataSetElement",
    "programStageDataElements": "org.hisp.dhis.program.ProgramStageDataElement",
    "programTrackedEntityAttributes": "org.hisp.dhis.program.ProgramTrackedEntityAttribute",
}
# Java class of a property, for E4000/E4001 ``errorKlass`` (``java.lang.String`` unless listed).
PROPERTY_KLASSES = {
    "valueType": "org.hisp.dhis.common.ValueType",
    "domainType": "org.hisp.dhis.dataelement.DataElementDomain",
    "aggregationType": "org.hisp.dhis.analytics.AggregationType",
    "periodType": "org.hisp.dhis.period.PeriodType",
    "dataDimensionType": "org.hisp.dhis.common.DataDimensionType",
    "programType": "org.hisp.dhis.program.ProgramType",
    "openingDate": "java.util.Date",
    "indicatorType": "org.hisp.dhis.indicator.IndicatorType",
    "dataSet": "org.hisp.dhis.dataset.DataSet",
    "program": "org.hisp.dhis.program.Program",
    "analyticsType": "org.hisp.dhis.program.AnalyticsType",
}


def simple(klass: str) -> str:
    """The Java simple class name DHIS2 prints in messages (``DataElement``)."""
    return klass.rsplit(".", 1)[-1]


def create_authority(plural: str) -> str:
    """The authority a non-superuser needs to create objects of ``plural`` (``ALL`` where unread)."""
    k = BY_PLURAL.get(plural)
    return (k.create_authority if k else None) or "ALL"
