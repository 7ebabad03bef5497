"""The instance's own objects a package refers to: organisation units, their groups and group sets, user groups."""

from __future__ import annotations

from dhis2_mch.model.objects.base import IdentifiableObject, NameableObject, Ref

# ---- organisation units --------------------------------------------------------------------------


class OrganisationUnit(NameableObject):
    parent: Ref | None = None
    openingDate: str | None = None
    closedDate: str | None = None
    path: str | None = None
    level: int | None = None


class OrganisationUnitGroup(NameableObject):
    organisationUnits: list[Ref] | None = None
    groupSets: list[Ref] | None = None
    color: str | None = None
    symbol: str | None = None


class OrganisationUnitGroupSet(NameableObject):
    organisationUnitGroups: list[Ref] | None = None
    compulsory: bool | None = None
    dataDimension: bool | None = None
    includeSubhierarchyInAnalytics: bool | None = None


class UserGroup(IdentifiableObject):
    users: list[Ref] | None = None
    managedGroups: list[Ref] | None = None
    managedByGroups: list[Ref] | None = None
