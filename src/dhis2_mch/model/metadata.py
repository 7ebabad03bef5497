"""A metadata package in memory: typed objects grouped by DHIS2 collection key.

Whether it came from YAML authoring files or from a DHIS2 JSON export, everything downstream
(validation, build, plan, docs) sees this one shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from dhis2_mch.model.objects import IdentifiableObject
from dhis2_mch.model.types import ORDER, TYPES, MetadataType, lookup

T = TypeVar("T", bound=IdentifiableObject)

#: model class -> collection key (DataElement -> dataElements)
PLURAL_OF: dict[type[IdentifiableObject], str] = {t.model: t.plural for t in TYPES}


@dataclass
class Metadata:
    #: plural collection key -> objects, in the order they were read
    objects: dict[str, list[IdentifiableObject]] = field(default_factory=dict)
    #: top-level entries that are not object collections (the WHO ``package`` block, ``system`` ...)
    extras: dict[str, Any] = field(default_factory=dict)
    #: top-level key order of the source file, so a JSON package dumps back as it came
    key_order: list[str] = field(default_factory=list)
    #: uid -> "file:line" of the authoring file that defined the object
    origins: dict[str, str] = field(default_factory=dict)

    def add(self, plural: str, obj: IdentifiableObject, origin: str | None = None) -> None:
        self.objects.setdefault(plural, []).append(obj)
        if plural not in self.key_order:
            self.key_order.append(plural)
        if origin and obj.id:
            self.origins[obj.id] = origin

    def items(self) -> Iterator[tuple[MetadataType, IdentifiableObject]]:
        """Every object with its type, collections in import order."""
        for plural in sorted(self.objects, key=lambda p: (ORDER.get(p, len(ORDER)), p)):
            mtype = lookup(plural)
            for obj in self.objects[plural]:
                yield mtype, obj

    @overload
    def of(self, kind: type[T]) -> list[T]: ...
    @overload
    def of(self, kind: str) -> list[IdentifiableObject]: ...
    def of(self, kind: type[T] | str) -> list[T] | list[IdentifiableObject]:
        """``md.of(DataElement)``: the collection's objects, typed (a new list; objects that did not fit
        their model are left out). ``md.of("dataElements")``: the collection itself, any object in it."""
        if isinstance(kind, str):
            return self.objects.get(kind, [])
        plural = PLURAL_OF.get(kind)
        if plural is None:
            raise TypeError(f"{kind.__name__} is not one of the typed DHIS2 metadata classes")
        return [obj for obj in self.objects.get(plural, []) if isinstance(obj, kind)]

    def count(self) -> int:
        return sum(len(v) for v in self.objects.values())

    def by_uid(self) -> dict[str, tuple[MetadataType, IdentifiableObject]]:
        return {obj.id: (mtype, obj) for mtype, obj in self.items() if obj.id}

    def dump(self) -> dict[str, Any]:
        """DHIS2 metadata JSON, top-level keys in the order they were read."""
        out: dict[str, Any] = {}
        for key in self.key_order:
            if key in self.objects:
                out[key] = [obj.dump() for obj in self.objects[key]]
            elif key in self.extras:
                out[key] = self.extras[key]
        return out
