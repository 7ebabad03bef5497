"""Committing a validated metadata import: store, derive, and clean up as DHIS2's commit does.

From dhis2-core ``DefaultObjectBundleService.commit`` / ``handleCreates`` / ``handleUpdates`` /
``handleDeletes`` and ``DefaultMetadataImportService.preCreateBundleObject``:
- created objects keep ``created``, get ``lastUpdated``/``createdBy``/``lastUpdatedBy``; an object imported
  without ``publicAccess`` gets ``AclService.resetSharing``'s defaults (``sharing.with_defaults``); an
  update without sharing keeps the stored sharing;
- ``mergeMode=MERGE`` (parsed by ``getParamsFromMap`` in 2.38–2.40 only, dropped in 2.41) keeps the stored
  properties an update omits (``MergeService``, MergeMode.MERGE copies non-null values); REPLACE
  replaces the object;
- ``ReferencesCheck`` drops the references it could not resolve;
- org units get ``path`` and ``level`` from their parent (``OrganisationUnit.updatePath``);
- a category combo gets the option combos it lacks (``CategoryCombo.generateOptionCombosList``: the
  cartesian product of its categories' options in order, named "a, b");
- DELETE refuses an object data values refer to (E4030, the ``DataValueDeletionHandler`` veto).

unverified: whether /api/metadata itself generates option combos in 2.38–2.42 (``/api/categoryCombos``
and ``/api/maintenance`` are known to); whether an update without a sharing block resets sharing.
"""

from __future__ import annotations

from itertools import product

from dhis2_mch.sandbox import sharing
from dhis2_mch.sandbox.checks import ref_id
from dhis2_mch.sandbox.import_report import ImportState, Item, error_report, now_stamp
from dhis2_mch.sandbox.klasses import BY_PLURAL, DEFAULT_COMBO, new_uid

SHARING_KEYS = ("sharing", "publicAccess", "userAccesses", "userGroupAccesses", "user", "externalAccess")


class Commit(ImportState):
    """The commit, as methods of the import (``MetadataImport`` mixes them in)."""

    def _merged(self, plural: str, item: Item) -> dict:
        obj = dict(item.obj)
        existing = item.existing or {}
        if existing and self.params.merge_mode == "MERGE" and self.version.minor <= 40:
            obj = {**existing, **{k: v for k, v in obj.items() if v is not None}}
        if existing and not any(k in item.obj for k in SHARING_KEYS):
            obj.update({k: existing[k] for k in SHARING_KEYS if k in existing})
            return obj
        klass = BY_PLURAL.get(plural)
        authority = klass.create_authority if klass else None
        return sharing.with_defaults(plural, obj, self.user, self.granted, authority)

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
                    obj = self._merged(plural, item)
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
            parent = ref_id((unit or {}).get("parent"))
            if not parent or parent in seen or parent not in all_units:
                return f"/{uid}"
            return path_of(parent, seen | {uid}) + f"/{uid}"

        for unit in org_units:
            path = path_of(unit["id"])
            fixed.append(("organisationUnits", {**all_units[unit["id"]], "path": path, "level": path.count("/")}))
        self.store.save(fixed)

    def _generate_option_combos(self, combos: list[dict], stamp: str) -> None:
        """Add the COCs a category combo lacks: one per option combination, named "a, b"."""
        cocs = self.store.objects("categoryOptionCombos")
        new = []
        for combo in combos:
            if combo["id"] == DEFAULT_COMBO:
                continue
            categories = [self.store.get("categories", ref_id(c)) for c in combo.get("categories") or []]
            option_lists = []
            for cat in categories:
                found = [self.store.get("categoryOptions", ref_id(o)) for o in (cat or {}).get("categoryOptions") or []]
                opts = [o for o in found if o]
                if opts:
                    option_lists.append(opts)
            if not option_lists or len(option_lists) != len(categories):
                continue  # CategoryCombo.isValid(): every category needs an option
            have = {
                frozenset(ref_id(o) for o in c.get("categoryOptions") or [])
                for c in cocs.values()
                if ref_id(c.get("categoryCombo")) == combo["id"]
            }
            for options in product(*option_lists):
                key = frozenset(o["id"] for o in options)
                if key in have:
                    continue
                have.add(key)
                new.append(
                    (
                        "categoryOptionCombos",
                        {
                            "id": new_uid(),
                            "name": ", ".join(o.get("name", "") for o in options)[:255],
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
