"""``POST /api/metadata`` and ``GET /api/metadata``: DHIS2's metadata import, re-implemented on dicts.

The import follows dhis2-core's ObjectBundle pipeline as read in DefaultMetadataImportService,
ValidationFactory/ValidationRunner and the checks (``shared/dhis2/FACTS.md`` §1, notes §1–3):

1. objects are grouped per type in import order; objects of the default category model are dropped
   silently (``cleanDefaults``) and objects without ``id`` get a new UID;
2. checks run per type, in DHIS2's order: duplicate ids (E5004) → hooks (E4053: a program stage
   needs a program) → security (E3000) → creation (E5000, strategy CREATE) / update (E5001, UPDATE) →
   schema (E4014 bad UID, E4000 required, E4001 length) → uniqueness (E5003, against the database
   and earlier objects of the payload) → references (E5002);
3. every failing check adds the object's errors to its ObjectReport and counts it ``ignored`` once
   more (so an object failing two checks counts twice, as TypeReport.merge adds stats); the
   references check instead adds one ``ignored`` per type, and only with atomicMode=ALL, and does
   not remove the object (sample 02b: one program stage, ``total: 2``);
4. created/updated/deleted count the objects left; with errors and atomicMode=ALL nothing is stored,
   every count moves to ``ignored`` and status is ERROR; atomicMode=NONE stores the valid objects and
   says WARNING; VALIDATE stores nothing and returns the uncleaned report;
5. COMMIT reports are cleaned: type reports with total 0 go, importReportMode=ERRORS (the default)
   keeps only object reports with errors, and ``displayName`` stays only in DEBUG.

Category option combos: DHIS2 keeps the COCs a payload sends; for category combos it then has no
combination for, the sandbox generates them with the naming rule of ``model.categories`` (notes §2).
unverified: whether /api/metadata itself generates COCs in 2.38–2.42 (only /api/categoryCombos and
/api/maintenance are known to); the E5002 shape for references inside embedded objects without an
``id`` (the sandbox reports them on the owning object); the Java class named in E4000 ``errorKlass``
for properties not seen in a sample; the order of type reports (DHIS2 uses a HashMap; the sandbox
uses import order).
"""

from __future__ import annotations

import copy
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime

from dhis2_mch.model.categories import combinations, combo_name
from dhis2_mch.model.types import BY_NAME, BY_PLURAL, DEFAULT_UIDS, TYPES, MetadataType
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.sandbox import query
from dhis2_mch.sandbox.auth import has_authority
from dhis2_mch.sandbox.codes import message
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version

# Types the project does not model but real packages carry; DHIS2 imports them, so the sandbox keeps
# them (no type-specific checks). Any other top-level key is ignored, as DHIS2 ignores unknown keys.
EXTRA_KLASSES = {
    "attributes": "org.hisp.dhis.attribute.Attribute",
    "users": "org.hisp.dhis.user.User",
    "userRoles": "org.hisp.dhis.user.UserRole",
    "userGroups": "org.hisp.dhis.user.UserGroup",
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
KLASSES = {t.plural: t.klass for t in TYPES} | EXTRA_KLASSES
# DHIS2 imports in schema dependency order; the model table is in that order, extras go after.
IMPORT_ORDER = (
    [t.plural for t in TYPES[:7]] + ["users", "userRoles", "userGroups", "attributes"] + [t.plural for t in TYPES[7:]]
)
IMPORT_ORDER += [p for p in EXTRA_KLASSES if p not in IMPORT_ORDER]

CATEGORY_MODEL = ("categoryOptions", "categories", "categoryCombos", "categoryOptionCombos")
DEFAULT_BY_TYPE = {
    "categoryOptions": DEFAULT_UIDS["categoryOption"],
    "categories": DEFAULT_UIDS["category"],
    "categoryCombos": DEFAULT_UIDS["categoryCombo"],
    "categoryOptionCombos": DEFAULT_UIDS["categoryOptionCombo"],
}
EMBEDDED_KLASSES = {
    "dataSetElements": "org.hisp.dhis.dataset.DataSetElement",
    "programStageDataElements": "org.hisp.dhis.program.ProgramStageDataElement",
    "programTrackedEntityAttributes": "org.hisp.dhis.program.ProgramTrackedEntityAttribute",
}
# Java class of a required property, for E4000's errorKlass (String unless listed).
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
# Authority a non-superuser needs to create or update objects of a type (schema CREATE_PUBLIC; notes §4).
CREATE_AUTHORITIES = {
    "dataElements": "F_DATAELEMENT_PUBLIC_ADD",
    "dataSets": "F_DATASET_PUBLIC_ADD",
    "programs": "F_PROGRAM_PUBLIC_ADD",
    "programStages": "F_PROGRAMSTAGE_ADD",
    "sections": "F_SECTION_ADD",
    "categoryOptions": "F_CATEGORY_OPTION_PUBLIC_ADD",
    "categories": "F_CATEGORY_PUBLIC_ADD",
    "categoryCombos": "F_CATEGORY_COMBO_PUBLIC_ADD",
    "optionSets": "F_OPTIONSET_PUBLIC_ADD",
    "indicatorTypes": "F_INDICATORTYPE_ADD",
    "indicators": "F_INDICATOR_PUBLIC_ADD",
    "indicatorGroups": "F_INDICATORGROUP_PUBLIC_ADD",
    "dataElementGroups": "F_DATAELEMENTGROUP_PUBLIC_ADD",
    "organisationUnits": "F_ORGANISATIONUNIT_ADD",
    "organisationUnitGroups": "F_ORGUNITGROUP_PUBLIC_ADD",
    "organisationUnitGroupSets": "F_ORGUNITGROUPSET_PUBLIC_ADD",
    "trackedEntityAttributes": "F_TRACKED_ENTITY_ATTRIBUTE_PUBLIC_ADD",
    "trackedEntityTypes": "F_TRACKED_ENTITY_ADD",
    "programIndicators": "F_PROGRAM_INDICATOR_PUBLIC_ADD",
}

_UID_FIRST = string.ascii_letters
_UID_REST = string.ascii_letters + string.digits


def new_uid() -> str:
    """A random DHIS2 UID (CodeGenerator: a letter, then 10 letters or digits)."""
    return secrets.choice(_UID_FIRST) + "".join(secrets.choice(_UID_REST) for _ in range(10))


def now_stamp() -> str:
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now().microsecond // 1000:03d}"


def simple(klass: str) -> str:
    return klass.rsplit(".", 1)[-1]


# --- parameters ---------------------------------------------------------------------------------


def _enum(query_params: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
    """Enums.getIfPresent(...).or(default): exact spelling, anything else silently falls back."""
    value = (query_params.get(key) or [None])[0]
    return value if value in allowed else default


def _bool(query_params: dict, key: str, default: bool = False) -> bool:
    value = (query_params.get(key) or [None])[0]
    return default if value is None else value.lower() == "true"


@dataclass(frozen=True)
class ImportParams:
    import_mode: str = "COMMIT"
    identifier: str = "UID"
    import_strategy: str = "CREATE_AND_UPDATE"
    atomic_mode: str = "ALL"
    report_mode: str = "ERRORS"
    skip_sharing: bool = False
    skip_validation: bool = False
    async_: bool = False

    @classmethod
    def from_query(cls, q: dict) -> ImportParams:
        return cls(
            import_mode=_enum(q, "importMode", ("COMMIT", "VALIDATE"), "COMMIT"),
            identifier=_enum(q, "identifier", ("UID", "CODE"), "UID"),
            import_strategy=_enum(
                q, "importStrategy", ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"), "CREATE_AND_UPDATE"
            ),
            atomic_mode=_enum(q, "atomicMode", ("ALL", "NONE"), "ALL"),
            report_mode=_enum(q, "importReportMode", ("FULL", "ERRORS", "ERRORS_NOT_OWNER", "DEBUG"), "ERRORS"),
            skip_sharing=_bool(q, "skipSharing"),
            skip_validation=_bool(q, "skipValidation"),
            async_=_bool(q, "async"),
        )


# --- reports ------------------------------------------------------------------------------------


def error_report(
    version: Version,
    code: str,
    main_klass: str,
    args: tuple,
    *,
    main_id: str | None = None,
    error_klass: str | None = None,
    error_property: str | None = None,
) -> dict:
    """An ErrorReport as Jackson writes it (NON_NULL); ``args`` only from 2.41 (key order as sample 02b)."""
    report: dict = {"message": message(code, version, *args)}
    if version.error_report_args:
        report["args"] = [str(a) for a in args]
    report["mainKlass"] = main_klass
    if main_id is not None:
        report["mainId"] = main_id
    report["errorCode"] = code
    if error_klass is not None:
        report["errorKlass"] = error_klass
    if error_property is not None:
        report["errorProperty"] = error_property
    report["errorProperties"] = list(args)
    return report


@dataclass(eq=False)
class Item:
    """One payload object on its way through the checks."""

    plural: str
    klass: str
    index: int
    obj: dict
    existing: dict | None = None
    removed: bool = False
    #: (holder, property, reference) of references that did not resolve; dropped on commit as DHIS2 does
    dangling: list = field(default_factory=list)

    @property
    def uid(self) -> str:
        return self.obj["id"]


@dataclass
class TypeReport:
    plural: str
    klass: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    reports: dict[int, dict] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted + self.ignored

    def add(self, item: Item, errors: list[dict], *, display_name: bool = True) -> None:
        report = self.reports.get(item.index)
        if report is None:
            report = {"klass": item.klass, "index": item.index, "uid": item.uid}
            name = item.obj.get("displayName") or item.obj.get("name")
            if display_name and name is not None:
                report["displayName"] = name
            report["errorReports"] = []
            self.reports[item.index] = report
        report["errorReports"].extend(errors)

    def has_errors(self) -> bool:
        return any(r["errorReports"] for r in self.reports.values())

    def stats(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "ignored": self.ignored,
            "total": self.total,
        }

    def to_json(self) -> dict:
        return {
            "klass": self.klass,
            "stats": self.stats(),
            "objectReports": [self.reports[i] for i in sorted(self.reports)],
        }


@dataclass
class ImportResult:
    status: str
    type_reports: list[TypeReport]
    committed: bool

    def stats(self) -> dict:
        keys = ("created", "updated", "deleted", "ignored")
        totals = {k: sum(getattr(tr, k) for tr in self.type_reports) for k in keys}
        return {**totals, "total": sum(totals.values())}

    def report(self) -> dict:
        """The ImportReport body without ``responseType`` (the caller places it per version)."""
        return {"status": self.status, "stats": self.stats(), "typeReports": [t.to_json() for t in self.type_reports]}


def identifiers_with_name(obj: dict, klass: str, identifier: str = "UID") -> str:
    """PreheatIdentifier.getIdentifiersWithName: ``"Name [uid] (Class)"`` or ``"[uid] (Class)"``."""
    ident = obj.get("code") if identifier == "CODE" else obj.get("id")
    name = obj.get("displayName") or obj.get("name")
    prefix = f"{name} " if name else ""
    return f"{prefix}[{ident}] ({simple(klass)})"


# --- the import ---------------------------------------------------------------------------------


class MetadataImport:
    """One ``POST /api/metadata``: build with the request, then ``run()`` (under the store's lock)."""

    def __init__(
        self, store: Store, version: Version, params: ImportParams, payload: dict, user: dict, granted: list[str]
    ):
        self.store, self.version, self.params, self.payload = store, version, params, payload
        self.user, self.granted = user, granted
        self.by_type: dict[str, list[Item]] = {}
        self.reports: dict[str, TypeReport] = {}
        # (plural, uid) -> item and (plural, code) -> item for every payload object (DHIS2's preheat)
        self.preheat: dict[tuple[str, str], Item] = {}
        self.preheat_codes: dict[tuple[str, str], Item] = {}

    # -- bundle --

    def _bundle(self) -> None:
        for plural in IMPORT_ORDER:
            objs = self.payload.get(plural)
            if not isinstance(objs, list) or not objs:
                continue
            klass = KLASSES[plural]
            items = []
            for index, raw in enumerate(objs):
                if not isinstance(raw, dict):
                    continue
                obj = copy.deepcopy(raw)
                if self._is_default(plural, obj):
                    continue
                existing = self._find_existing(plural, obj)
                if existing is not None and self.params.identifier == "CODE":
                    obj["id"] = existing["id"]
                elif not obj.get("id"):
                    obj["id"] = new_uid()
                item = Item(plural, klass, index, obj, existing)
                items.append(item)
                self.preheat.setdefault((plural, item.uid), item)
                if obj.get("code"):
                    self.preheat_codes.setdefault((plural, obj["code"]), item)
            self.by_type[plural] = items
            self.reports[plural] = TypeReport(plural, klass)

    def _is_default(self, plural: str, obj: dict) -> bool:
        if plural not in CATEGORY_MODEL:
            return False
        return obj.get("id") == DEFAULT_BY_TYPE[plural] or (not obj.get("id") and obj.get("name") == "default")

    def _find_existing(self, plural: str, obj: dict) -> dict | None:
        if self.params.identifier == "CODE":
            return self.store.find(plural, "code", obj.get("code")) if obj.get("code") else None
        return self.store.get(plural, obj.get("id"))

    # -- checks, in DHIS2's order; each failure goes through _fail (or, for references, report.add) --

    def _fail(self, item: Item, errors: list[dict]) -> None:
        """An ObjectValidationCheck failure: report it, count it ignored once more, drop the object."""
        report = self.reports[item.plural]
        report.add(item, errors)
        report.ignored += 1
        item.removed = True

    def _duplicate_ids(self, items: list[Item]) -> list[Item]:
        seen: set[str] = set()
        kept = []
        for item in items:
            if item.uid in seen:
                self._fail(
                    item,
                    [error_report(self.version, "E5004", item.klass, (item.uid, simple(item.klass)), main_id=item.uid)],
                )
            else:
                seen.add(item.uid)
                kept.append(item)
        return kept

    def _hooks(self, items: list[Item]) -> None:
        for item in items:
            if item.plural == "programStages" and not _ref_id(item.obj.get("program")):
                self._fail(
                    item,
                    [
                        error_report(
                            self.version, "E4053", item.klass, (item.uid,), main_id=item.uid, error_property="program"
                        )
                    ],
                )

    def _security(self, items: list[Item]) -> None:
        if has_authority(self.granted, CREATE_AUTHORITIES.get(items[0].plural, "ALL")):
            return
        user_ident = identifiers_with_name(self.user, "org.hisp.dhis.user.User")
        for item in items:
            self._fail(item, [error_report(self.version, "E3000", item.klass, (user_ident, simple(item.klass)))])

    def _creation(self, persisted: list[Item]) -> None:
        for item in persisted:
            ident = identifiers_with_name(item.obj, item.klass, self.params.identifier)
            self._fail(
                item,
                [error_report(self.version, "E5000", item.klass, (self.params.identifier, ident), main_id=item.uid)],
            )

    def _update(self, new: list[Item]) -> None:
        for item in new:
            ident = identifiers_with_name(item.obj, item.klass, self.params.identifier)
            self._fail(
                item,
                [
                    error_report(
                        self.version,
                        "E5001",
                        item.klass,
                        (self.params.identifier, ident),
                        main_id=item.uid,
                        error_property="id",
                    )
                ],
            )

    def _schema(self, mtype: MetadataType | None, items: list[Item]) -> None:
        for item in items:
            errors = []
            if not is_valid_uid(item.uid):
                errors.append(
                    error_report(
                        self.version,
                        "E4014",
                        item.klass,
                        (item.uid, "id"),
                        error_klass="java.lang.String",
                        error_property="id",
                    )
                )
            if mtype is not None:
                for prop in sorted(set(mtype.required_properties(self.version.key)) | set(mtype.lengths)):
                    value = item.obj.get(prop)
                    if value is None:
                        if prop in mtype.required_properties(self.version.key):
                            errors.append(
                                error_report(
                                    self.version,
                                    "E4000",
                                    item.klass,
                                    (prop,),
                                    error_klass=PROPERTY_KLASSES.get(prop, "java.lang.String"),
                                    error_property=prop,
                                )
                            )
                    elif isinstance(value, str) and prop in mtype.lengths and len(value) > mtype.lengths[prop]:
                        errors.append(
                            error_report(
                                self.version,
                                "E4001",
                                item.klass,
                                (prop, mtype.lengths[prop], len(value)),
                                error_klass="java.lang.String",
                                error_property=prop,
                            )
                        )
            if errors:
                self._fail(item, errors)

    def _uniqueness(self, mtype: MetadataType | None, items: list[Item]) -> None:
        if mtype is None:
            return
        for prop in mtype.unique_properties(self.version.key):
            seen = {
                o.get(prop): uid for uid, o in self.store.objects(item_plural(items)).items() if o.get(prop) is not None
            }
            for item in items:
                value = item.obj.get(prop)
                if value is None:
                    continue
                owner = seen.get(value)
                if owner is None:
                    seen[value] = item.uid
                elif owner != item.uid:
                    args = (prop, value, identifiers_with_name(item.obj, item.klass), owner)
                    self._fail(
                        item,
                        [error_report(self.version, "E5003", item.klass, args, main_id=owner, error_property=prop)],
                    )

    def _references(self, mtype: MetadataType | None, items: list[Item]) -> None:
        report = self.reports[items[0].plural]
        any_error = False
        for item in items:
            errors = self._reference_errors(mtype, item)
            if errors:
                any_error = True
                report.add(item, errors)
        if any_error and self.params.atomic_mode == "ALL":
            report.ignored += 1

    def _resolves(self, target_plural: str, ref) -> bool:
        ref_id = _ref_id(ref)
        if ref_id in DEFAULT_UIDS.values():
            return True
        if ref_id:
            return (target_plural, ref_id) in self.preheat or self.store.get(target_plural, ref_id) is not None
        code = ref.get("code") if isinstance(ref, dict) else None
        if code and self.params.identifier == "CODE":
            return (target_plural, code) in self.preheat_codes or self.store.find(target_plural, "code", code)
        return True  # an empty reference is not a reference

    def _reference_errors(self, mtype: MetadataType | None, item: Item) -> list[dict]:
        errors = []
        owner_ident = identifiers_with_name(item.obj, item.klass)
        for spec in mtype.refs if mtype else ():
            target = BY_NAME[spec.target]
            for holder, prop, ref in _walk_refs(item.obj, spec.path):
                if _resolves_default(ref) or self._resolves(target.plural, ref):
                    continue
                item.dangling.append((holder, prop, ref))
                ref_ident = f"[{_ref_id(ref) or ref.get('code')}] ({simple(target.klass)})"
                if holder is not item.obj and holder.get("id"):
                    main_klass, main_id = EMBEDDED_KLASSES.get(spec.property, item.klass), holder["id"]
                    on = f"[{main_id}] ({simple(main_klass)})"
                else:
                    main_klass, main_id, on = item.klass, item.uid, owner_ident
                errors.append(
                    error_report(
                        self.version, "E5002", main_klass, (ref_ident, on, prop), main_id=main_id, error_property=prop
                    )
                )
        if not self.params.skip_sharing:
            sharing = item.obj.get("sharing") or {}
            for key, plural, prop in (
                ("userGroups", "userGroups", "userGroupAccesses"),
                ("users", "users", "userAccesses"),
            ):
                for uid in (sharing.get(key) or {}) if isinstance(sharing.get(key), dict) else ():
                    if not self._resolves(plural, {"id": uid}):
                        ref_ident = f"[{uid}] ({simple(KLASSES[plural])})"
                        errors.append(
                            error_report(
                                self.version,
                                "E5002",
                                item.klass,
                                (ref_ident, owner_ident, prop),
                                main_id=item.uid,
                                error_property=prop,
                            )
                        )
        for value in item.obj.get("attributeValues") or []:
            attribute = value.get("attribute") if isinstance(value, dict) else None
            if attribute and not self._resolves("attributes", attribute):
                ref_ident = f"[{_ref_id(attribute)}] (Attribute)"
                errors.append(
                    error_report(
                        self.version,
                        "E5002",
                        item.klass,
                        (ref_ident, owner_ident, "attributeValues"),
                        main_id=item.uid,
                        error_property="attributeValues",
                    )
                )
        return errors

    def _deletion(self, new: list[Item]) -> None:
        """DELETE: objects that do not exist cannot be deleted (E5001)."""
        self._update(new)

    # -- run --

    def validate(self) -> None:
        strategy = self.params.import_strategy
        for plural, all_items in self.by_type.items():
            if not all_items:
                continue
            mtype = BY_PLURAL.get(plural)
            items = self._duplicate_ids(all_items) if strategy != "DELETE" else list(all_items)
            persisted = [i for i in items if i.existing is not None]
            new = [i for i in items if i.existing is None]
            if strategy == "DELETE":
                self._security(items)
                self._deletion(new)
                self.reports[plural].deleted += sum(1 for i in persisted if not i.removed)
                continue
            if self.params.skip_validation and has_authority(self.granted):
                selected = persisted + new
            else:
                self._hooks(items)
                self._security(items)
                if strategy == "CREATE" and persisted:
                    self._creation(persisted)
                    persisted = []
                if strategy == "UPDATE" and new:
                    self._update(new)
                    new = []
                selected = persisted + new
                if selected:
                    self._schema(mtype, selected)
                    self._uniqueness(mtype, selected)
                    self._references(mtype, selected)
            report = self.reports[plural]
            report.created += sum(1 for i in new if not i.removed)
            report.updated += sum(1 for i in persisted if not i.removed)
            kept = {id(i) for i in persisted + new}
            for i in all_items:
                if id(i) not in kept:
                    i.removed = True

    def has_errors(self) -> bool:
        return any(r.has_errors() for r in self.reports.values())

    def run(self) -> ImportResult:
        self._bundle()
        self.validate()
        validation_errors = self.has_errors()
        reports = [self.reports[p] for p in self.by_type]
        if validation_errors and self.params.atomic_mode == "ALL":
            for r in reports:
                r.ignored, r.created, r.updated, r.deleted = r.total, 0, 0, 0
            return self._finish(ImportResult("ERROR", reports, committed=False))
        committed = False
        if self.params.import_mode == "COMMIT":
            self.commit()
            committed = True
        status = "WARNING" if self.has_errors() else "OK"
        return self._finish(ImportResult(status, reports, committed))

    def _finish(self, result: ImportResult) -> ImportResult:
        if self.params.import_mode == "VALIDATE":
            return result
        mode = self.params.report_mode
        kept = []
        for r in result.type_reports:
            if r.total == 0:
                continue
            if mode == "ERRORS":
                r.reports = {i: rep for i, rep in r.reports.items() if rep["errorReports"]}
            if mode != "DEBUG":
                for rep in r.reports.values():
                    rep.pop("displayName", None)
            kept.append(r)
        result.type_reports = kept
        return result

    # -- commit --

    def commit(self) -> None:
        stamp = now_stamp()
        user_ref = {"id": self.user["id"]}
        with self.store.transaction():
            if self.params.import_strategy == "DELETE":
                self._commit_deletes()
                return
            saved: list[tuple[str, dict]] = []
            for plural, items in self.by_type.items():
                for item in items:
                    if item.removed:
                        continue
                    _drop_dangling(item)
                    obj = dict(item.obj)
                    obj["created"] = (item.existing or {}).get("created") or obj.get("created") or stamp
                    obj["lastUpdated"] = stamp
                    obj.setdefault("createdBy", (item.existing or {}).get("createdBy") or user_ref)
                    obj["lastUpdatedBy"] = user_ref
                    obj.pop("displayName", None)
                    saved.append((plural, obj))
                    self.reports[plural].add(item, [], display_name=True)
            self.store.save(saved)
            self._fix_org_unit_paths([o for p, o in saved if p == "organisationUnits"])
            self._generate_option_combos([o for p, o in saved if p == "categoryCombos"], stamp)

    def _commit_deletes(self) -> None:
        doomed = []
        for plural, items in self.by_type.items():
            report = self.reports[plural]
            for item in items:
                if item.removed or item.existing is None:
                    continue
                column = {"dataElements": "de", "organisationUnits": "ou", "categoryOptionCombos": "coc"}.get(plural)
                if column and self.store.has_values_for(column, item.existing["id"]):
                    error = error_report(self.version, "E4030", item.klass, ("DataValue",))
                    report.add(item, [error])
                    report.ignored += 1
                    report.deleted -= 1
                    continue
                report.add(item, [])
                doomed.append((plural, item.existing["id"]))
        self.store.delete(doomed)

    def _fix_org_unit_paths(self, org_units: list[dict]) -> None:
        """DHIS2 derives ``path`` and ``level`` from the parent; do it for every saved org unit."""
        if not org_units:
            return
        all_units = self.store.objects("organisationUnits")
        fixed: list[tuple[str, dict]] = []

        def path_of(uid: str, seen: frozenset = frozenset()) -> str:
            unit = all_units.get(uid)
            parent = _ref_id((unit or {}).get("parent"))
            if not parent or parent in seen or parent not in all_units:
                return f"/{uid}"
            return path_of(parent, seen | {uid}) + f"/{uid}"

        for unit in org_units:
            path = path_of(unit["id"])
            fixed.append(("organisationUnits", {**all_units[unit["id"]], "path": path, "level": path.count("/")}))
        self.store.save(fixed)

    def _generate_option_combos(self, combos: list[dict], stamp: str) -> None:
        """Add the COCs a category combo lacks: one per option combination, named "a, b" (notes §2)."""
        cocs = self.store.objects("categoryOptionCombos")
        new = []
        for combo in combos:
            if combo["id"] == DEFAULT_UIDS["categoryCombo"]:
                continue
            categories = [self.store.get("categories", _ref_id(c)) for c in combo.get("categories") or []]
            option_lists = []
            for cat in categories:
                opts = [self.store.get("categoryOptions", _ref_id(o)) for o in (cat or {}).get("categoryOptions") or []]
                opts = [o for o in opts if o]
                if opts:
                    option_lists.append(opts)
            if not option_lists or len(option_lists) != len(categories):
                continue  # CategoryCombo.isValid(): every category needs an option
            have = {
                frozenset(_ref_id(o) for o in c.get("categoryOptions") or [])
                for c in cocs.values()
                if _ref_id(c.get("categoryCombo")) == combo["id"]
            }
            for options in combinations(option_lists):
                key = frozenset(o["id"] for o in options)
                if key in have:
                    continue
                have.add(key)
                new.append(
                    (
                        "categoryOptionCombos",
                        {
                            "id": new_uid(),
                            "name": combo_name([o.get("name", "") for o in options])[:255],
                            "categoryCombo": {"id": combo["id"]},
                            "categoryOptions": [{"id": o["id"]} for o in options],
                            "ignoreApproval": False,
                            "created": stamp,
                            "lastUpdated": stamp,
                        },
                    )
                )
        self.store.save(new)


def _drop_dangling(item: Item) -> None:
    """ReferencesCheck keeps only the references it found; a missing single reference becomes null."""
    for holder, prop, ref in item.dangling:
        value = holder.get(prop)
        if isinstance(value, list):
            holder[prop] = [r for r in value if r is not ref]
        elif value is ref:
            holder.pop(prop, None)


def item_plural(items: list[Item]) -> str:
    return items[0].plural


def _ref_id(ref) -> str | None:
    return ref.get("id") if isinstance(ref, dict) else None


def _resolves_default(ref) -> bool:
    return _ref_id(ref) in DEFAULT_UIDS.values()


def _walk_refs(obj: dict, path: str):
    """Yield ``(holder, property, ref)`` for every reference at ``path`` (``a[].b`` = b of each item of a)."""
    steps = path.replace("[]", ".[]").split(".")
    yield from _walk(obj, steps, obj, steps[0])


def _walk(value, steps, holder, prop):
    if value is None:
        return
    if not steps:
        if isinstance(value, dict):
            yield holder, prop, value
        return
    step, rest = steps[0], steps[1:]
    if step == "[]":
        if isinstance(value, list):
            for element in value:
                if isinstance(element, dict) and rest:
                    yield from _walk(element.get(rest[0]), rest[1:], element, rest[0])
                elif not rest and isinstance(element, dict):
                    yield holder, prop, element
        return
    if isinstance(value, dict):
        yield from _walk(value.get(step), rest, value, step)


# --- export -------------------------------------------------------------------------------------


def export(store: Store, version: Version, q: dict, resolve) -> dict:
    """``GET /api/metadata``: ``<type>=true`` selects types (default: all), ``fields`` (default
    ``:owner``), ``filter`` applied to every type, ``defaults=EXCLUDE`` drops the default category model."""
    wanted = [p for p in KLASSES if (q.get(p) or [""])[0].lower() == "true"]
    plurals = wanted or [p for p in IMPORT_ORDER if store.objects(p)]
    spec = query.parse_fields((q.get("fields") or [":owner"])[0])
    exclude_defaults = (q.get("defaults") or ["INCLUDE"])[0].upper() == "EXCLUDE"
    body: dict = {"system": {"id": "sandbox", "rev": version.revision, "version": version.full, "date": now_stamp()}}
    for plural in sorted(plurals):
        objs = list(store.objects(plural).values())
        if exclude_defaults:
            objs = [o for o in objs if o.get("id") not in DEFAULT_UIDS.values()]
        objs = query.filter_objects(objs, q.get("filter") or [], (q.get("rootJunction") or ["AND"])[0], resolve)
        body[plural] = [query.apply_fields(o, spec, resolve) for o in query.order_objects(objs, None)]
    return body
