"""The metadata import's parameters and report shapes: ImportParams, ErrorReport, ObjectReport, TypeReport.

From dhis2-core: ``DefaultMetadataImportService.getParamsFromMap`` (parameters; unknown enum values fall
back to the default, as ``Enums.getIfPresent(...).or(default)``), ``feedback/ErrorReport`` (Jackson
NON_NULL; ``args`` from 2.41), ``feedback/ObjectReport`` / ``TypeReport`` (``TypeReport.merge`` adds stats)
and ``PreheatIdentifier.getIdentifiersWithName`` (``"Name [uid] (Class)"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dhis2_mch.sandbox.codes import message
from dhis2_mch.sandbox.klasses import simple
from dhis2_mch.sandbox.store import Store
from dhis2_mch.sandbox.versions import Version


def now_stamp() -> str:
    now = datetime.now()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"


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
    merge_mode: str = "REPLACE"

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
            merge_mode=_enum(q, "mergeMode", ("REPLACE", "MERGE"), "REPLACE"),
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


class ImportState:
    """What one import holds while it runs; the checks, the commit and the orchestration share it."""

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

    def _fail(self, item: Item, errors: list[dict]) -> None:
        """An ObjectValidationCheck failure: report it, count it ignored once more, drop the object."""
        report = self.reports[item.plural]
        report.add(item, errors)
        report.ignored += 1
        item.removed = True
