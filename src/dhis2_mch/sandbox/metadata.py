"""``POST /api/metadata``: DHIS2's metadata import (ObjectBundle pipeline), re-implemented on dicts.

From dhis2-core ``DefaultMetadataImportService.importMetadata`` and ``DefaultObjectBundleService``:

1. objects are grouped per class in import order; objects of the default category model are dropped
   (``cleanDefaults``); objects without ``id`` get a new UID; with ``identifier=CODE`` an object is
   matched by code;
2. the checks of ``checks.py`` run per class, in DHIS2's order (``ValidationRunner``: every check sees
   every object, so an object failing two checks is counted ignored twice);
3. created/updated/deleted count the objects left; with errors and atomicMode=ALL nothing is stored,
   every count moves to ``ignored`` and status is ERROR; atomicMode=NONE stores the valid objects and
   says WARNING; VALIDATE stores nothing and returns the uncleaned report;
4. COMMIT reports are cleaned: type reports with total 0 go, importReportMode=ERRORS (the default)
   keeps only object reports with errors, ``displayName`` stays only in DEBUG.

The commit is ``commit.py``, the export ``export.py``, the report shapes ``import_report.py`` and the
rules ``klasses.py``. unverified: the order of type reports (DHIS2 uses a HashMap; the sandbox uses
import order).
"""

from __future__ import annotations

import copy

from dhis2_mch.sandbox.auth import has_authority
from dhis2_mch.sandbox.checks import Checks
from dhis2_mch.sandbox.commit import Commit
from dhis2_mch.sandbox.export import export
from dhis2_mch.sandbox.import_report import ImportParams, ImportResult, Item, TypeReport
from dhis2_mch.sandbox.klasses import BY_PLURAL, CATEGORY_MODEL, DEFAULT_UIDS, IMPORT_ORDER, KLASSES, new_uid, simple

__all__ = ["KLASSES", "ImportParams", "MetadataImport", "export", "simple"]


class MetadataImport(Checks, Commit):
    """One ``POST /api/metadata``: build with the request, then ``run()`` (under the store's lock)."""

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
        return obj.get("id") == DEFAULT_UIDS[plural] or (not obj.get("id") and obj.get("name") == "default")

    def _find_existing(self, plural: str, obj: dict) -> dict | None:
        if self.params.identifier == "CODE":
            return self.store.find(plural, "code", obj.get("code")) if obj.get("code") else None
        return self.store.get(plural, obj.get("id"))

    # -- checks, in DHIS2's order; each failure goes through _fail (or, for references, report.add) --

    def validate(self) -> None:
        strategy = self.params.import_strategy
        for plural, all_items in self.by_type.items():
            if not all_items:
                continue
            klass = BY_PLURAL.get(plural)
            items = self._duplicate_ids(all_items) if strategy != "DELETE" else list(all_items)
            persisted = [i for i in items if i.existing is not None]
            new = [i for i in items if i.existing is None]
            if strategy == "DELETE":
                self._delete_security(persisted)
                self._deletion(new)
                self.reports[plural].deleted += sum(1 for i in persisted if not i.removed)
                continue
            if self.params.skip_validation and has_authority(self.granted):
                selected = persisted + new
            else:
                self._hooks(items)
                self._security(persisted, new)
                if strategy == "CREATE" and persisted:
                    self._creation(persisted)
                    persisted = []
                if strategy == "UPDATE" and new:
                    self._update(new)
                    new = []
                selected = persisted + new
                if selected:
                    self._schema(klass, selected)
                    self._uniqueness(klass, selected)
                    self._references(klass, selected)
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
