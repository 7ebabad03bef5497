"""The base of every DHIS2 metadata type: references, translations, identifiable and nameable objects."""

from __future__ import annotations

from typing import Any, ClassVar

from dhis2_mch.model.jackson import Model


class Ref(Model):
    """A reference to another object, ``{"id": uid}`` in DHIS2 JSON."""

    id: str | None = None


class Translation(Model):
    locale: str
    property: str
    value: str


class IdentifiableObject(Model):
    id: str | None = None
    code: str | None = None
    name: str | None = None
    translations: list[Translation] | None = None
    attributeValues: list[dict[str, Any]] | None = None
    sharing: dict[str, Any] | None = None

    #: properties a ``translations`` entry can carry (NAME, SHORT_NAME ... as camelCase)
    TRANSLATABLE: ClassVar[tuple[str, ...]] = ("name",)


class NameableObject(IdentifiableObject):
    shortName: str | None = None
    description: str | None = None

    TRANSLATABLE: ClassVar[tuple[str, ...]] = ("name", "shortName", "description")


class GenericObject(IdentifiableObject):
    """Any metadata type the package carries but dhis2-mch does not type (visualizations, users ...)."""


class Unparsed(GenericObject):
    """An object whose properties do not fit its type (a string where DHIS2 wants a boolean ...).

    Built with ``model_construct`` so it is kept verbatim and dumps back unchanged; the loader has
    already reported why, and the validator only runs identity checks on it.
    """
