"""The object-bundle validation checks of ``POST /api/metadata``, in DHIS2's order.

From dhis2-core ``dxf2/metadata/objectbundle/validation``: ``DuplicateIdsCheck`` (E5004),
``ProgramStageObjectBundleHook`` via the hooks (E4053), ``SecurityCheck`` (E3000 on create when
``AclService.canCreate`` fails, E3001 on update when ``canUpdate`` fails: no update/create authority,
or no metadata write through owner, public, group or user sharing), ``CreationCheck`` (E5000),
``UpdateCheck`` (E5001), ``SchemaCheck`` -> ``DefaultSchemaValidator`` (E4014 bad UID, E4000 required,
E4001 length, empty strings skipped), ``UniquenessCheck`` (E5003 against the database and earlier
objects of the payload) and ``ReferencesCheck`` (E5002, also for sharing users/user groups and attribute
values). A failing check adds the object's errors and counts it ``ignored`` once more
(``TypeReport.merge``); references count once per type and only with atomicMode=ALL. The rules come
from ``klasses.py``, never from the client's model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dhis2_mch.sandbox import sharing
from dhis2_mch.sandbox.auth import has_authority
from dhis2_mch.sandbox.import_report import ImportState, Item, error_report, identifiers_with_name
from dhis2_mch.sandbox.klasses import (
    DEFAULT_UIDS,
    EMBEDDED_KLASSES,
    KLASSES,
    PROPERTY_KLASSES,
    Klass,
    create_authority,
    is_uid,
    simple,
)


class Checks(ImportState):
    """The checks, as methods of the import (``MetadataImport`` mixes them in)."""

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
            if item.plural == "programStages" and not ref_id(item.obj.get("program")):
                self._fail(
                    item,
                    [
                        error_report(
                            self.version, "E4053", item.klass, (item.uid,), main_id=item.uid, error_property="program"
                        )
                    ],
                )

    def _security(self, persisted: list[Item], new: list[Item]) -> None:
        """SecurityCheck: E3000 for objects to create, E3001 for objects to update (UPDATE first)."""
        user_ident = identifiers_with_name(self.user, "org.hisp.dhis.user.User")
        authority = create_authority((persisted or new)[0].plural) if persisted or new else "ALL"
        may_create = has_authority(self.granted, authority)
        if self.params.import_strategy in ("UPDATE", "CREATE_AND_UPDATE"):
            for item in persisted:
                if not (
                    may_create and sharing.can_write_metadata(self.user, item.existing or {}, self.store, self.granted)
                ):
                    ident = identifiers_with_name(item.obj, item.klass)
                    self._fail(item, [error_report(self.version, "E3001", item.klass, (user_ident, ident))])
        if self.params.import_strategy in ("CREATE", "CREATE_AND_UPDATE"):
            for item in new:
                if not may_create:
                    ident = identifiers_with_name(item.obj, item.klass)
                    self._fail(item, [error_report(self.version, "E3000", item.klass, (user_ident, ident))])

    def _delete_security(self, persisted: list[Item]) -> None:
        user_ident = identifiers_with_name(self.user, "org.hisp.dhis.user.User")
        if not persisted:
            return
        may = has_authority(self.granted, create_authority(persisted[0].plural))
        for item in persisted:
            if not (may and sharing.can_write_metadata(self.user, item.existing or {}, self.store, self.granted)):
                ident = identifiers_with_name(item.obj, item.klass)
                self._fail(item, [error_report(self.version, "E3002", item.klass, (user_ident, ident))])

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

    def _schema(self, klass: Klass | None, items: list[Item]) -> None:
        for item in items:
            errors = []
            if not is_uid(item.uid):
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
            if klass is not None:
                required = klass.required_in(self.version.minor)
                for prop in sorted(set(required) | set(klass.lengths)):
                    value = item.obj.get(prop)
                    if value is None:
                        if prop in required:
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
                    elif isinstance(value, str) and prop in klass.lengths and len(value) > klass.lengths[prop]:
                        errors.append(
                            error_report(
                                self.version,
                                "E4001",
                                item.klass,
                                (prop, klass.lengths[prop], len(value)),
                                error_klass="java.lang.String",
                                error_property=prop,
                            )
                        )
            if errors:
                self._fail(item, errors)

    def _uniqueness(self, klass: Klass | None, items: list[Item]) -> None:
        if klass is None:
            return
        for prop in klass.unique_in(self.version.minor):
            seen = {
                o.get(prop): uid for uid, o in self.store.objects(items[0].plural).items() if o.get(prop) is not None
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

    def _references(self, klass: Klass | None, items: list[Item]) -> None:
        report = self.reports[items[0].plural]
        any_error = False
        for item in items:
            errors = self._reference_errors(klass, item)
            if errors:
                any_error = True
                report.add(item, errors)
        if any_error and self.params.atomic_mode == "ALL":
            report.ignored += 1

    def _resolves(self, target_plural: str, ref: Any) -> bool:
        rid = ref_id(ref)
        if rid in DEFAULT_UIDS.values():
            return True
        if rid:
            return (target_plural, rid) in self.preheat or self.store.get(target_plural, rid) is not None
        code = ref.get("code") if isinstance(ref, dict) else None
        if code and self.params.identifier == "CODE":
            return (target_plural, code) in self.preheat_codes or self.store.find(
                target_plural, "code", code
            ) is not None
        return True  # an empty reference is not a reference

    def _reference_errors(self, klass: Klass | None, item: Item) -> list[dict]:
        errors = []
        owner_ident = identifiers_with_name(item.obj, item.klass)
        for path, target in klass.refs if klass else ():
            for holder, prop, ref in walk_refs(item.obj, path):
                if ref_id(ref) in DEFAULT_UIDS.values() or self._resolves(target, ref):
                    continue
                item.dangling.append((holder, prop, ref))
                ref_ident = f"[{ref_id(ref) or ref.get('code')}] ({simple(KLASSES[target])})"
                if holder is not item.obj and holder.get("id"):
                    main_klass, main_id = (
                        EMBEDDED_KLASSES.get(path.split("[")[0].split(".")[0], item.klass),
                        holder["id"],
                    )
                    on = f"[{main_id}] ({simple(main_klass)})"
                else:
                    main_klass, main_id, on = item.klass, item.uid, owner_ident
                errors.append(
                    error_report(
                        self.version, "E5002", main_klass, (ref_ident, on, prop), main_id=main_id, error_property=prop
                    )
                )
        if not self.params.skip_sharing:
            shared = sharing.read(item.obj)
            for accesses, plural, prop in (
                (shared.groups, "userGroups", "userGroupAccesses"),
                (shared.users, "users", "userAccesses"),
            ):
                for uid in accesses:
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
                ref_ident = f"[{ref_id(attribute)}] (Attribute)"
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


def ref_id(ref: Any) -> str | None:
    return ref.get("id") if isinstance(ref, dict) else None


def walk_refs(obj: dict, path: str) -> Iterator[tuple[dict, str, dict]]:
    """Yield ``(holder, property, ref)`` for every reference at ``path`` (``a[].b`` = b of each item of a)."""
    steps = path.replace("[]", ".[]").split(".")
    yield from _walk(obj, steps, obj, steps[0])


def _walk(value: Any, steps: list[str], holder: dict, prop: str) -> Iterator[tuple[dict, str, dict]]:
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
