"""What a user must hold to import: one table of create authorities, read from the server when it says.

DHIS2 checks each type's create authority during a metadata import (E3000, core SecurityCheck) and
``F_DATAVALUE_ADD`` for data values; checking first means nothing is half-sent for lack of rights.
The sandbox keeps its own copy of these rules on purpose (it must be able to disagree).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dhis2_mch.dhis2.identity import Me
from dhis2_mch.errors import HTTPStatusError, UnexpectedResponse

if TYPE_CHECKING:
    from dhis2_mch.dhis2.connection import Connection

log = logging.getLogger(__name__)

DATA_VALUE_AUTHORITY = "F_DATAVALUE_ADD"

#: create authorities per type, used when the server's /api/schemas does not list them (names from
#: dhis2-core's schema descriptors); ALL passes every check.
CREATE_AUTHORITIES: dict[str, tuple[str, ...]] = {
    "categoryOptions": ("F_CATEGORY_OPTION_PUBLIC_ADD", "F_CATEGORY_OPTION_PRIVATE_ADD"),
    "categories": ("F_CATEGORY_PUBLIC_ADD", "F_CATEGORY_PRIVATE_ADD"),
    "categoryCombos": ("F_CATEGORY_COMBO_PUBLIC_ADD", "F_CATEGORY_COMBO_PRIVATE_ADD"),
    "categoryOptionCombos": ("F_CATEGORY_COMBO_PUBLIC_ADD", "F_CATEGORY_COMBO_PRIVATE_ADD"),
    "optionSets": ("F_OPTIONSET_PUBLIC_ADD", "F_OPTIONSET_PRIVATE_ADD"),
    "options": ("F_OPTIONSET_PUBLIC_ADD", "F_OPTIONSET_PRIVATE_ADD"),
    "organisationUnits": ("F_ORGANISATIONUNIT_ADD",),
    "organisationUnitGroups": ("F_ORGUNITGROUP_PUBLIC_ADD", "F_ORGUNITGROUP_PRIVATE_ADD"),
    "organisationUnitGroupSets": ("F_ORGUNITGROUPSET_PUBLIC_ADD", "F_ORGUNITGROUPSET_PRIVATE_ADD"),
    "dataElements": ("F_DATAELEMENT_PUBLIC_ADD", "F_DATAELEMENT_PRIVATE_ADD"),
    "dataElementGroups": ("F_DATAELEMENTGROUP_PUBLIC_ADD", "F_DATAELEMENTGROUP_PRIVATE_ADD"),
    "indicatorTypes": ("F_INDICATORTYPE_ADD",),
    "indicators": ("F_INDICATOR_PUBLIC_ADD", "F_INDICATOR_PRIVATE_ADD"),
    "indicatorGroups": ("F_INDICATORGROUP_PUBLIC_ADD", "F_INDICATORGROUP_PRIVATE_ADD"),
    "dataSets": ("F_DATASET_PUBLIC_ADD", "F_DATASET_PRIVATE_ADD"),
    "sections": ("F_SECTION_ADD",),
    "trackedEntityTypes": ("F_TRACKED_ENTITY_ADD",),
    "trackedEntityAttributes": ("F_TRACKED_ENTITY_ATTRIBUTE_PUBLIC_ADD", "F_TRACKED_ENTITY_ATTRIBUTE_PRIVATE_ADD"),
    "programs": ("F_PROGRAM_PUBLIC_ADD", "F_PROGRAM_PRIVATE_ADD"),
    "programStages": ("F_PROGRAMSTAGE_ADD",),
    "programIndicators": ("F_PROGRAM_INDICATOR_PUBLIC_ADD", "F_PROGRAM_INDICATOR_PRIVATE_ADD"),
}


def create_authorities(conn: Connection, plurals: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each metadata type, the authorities any one of which lets the user create it.

    Read from the server's ``/api/schemas`` (version-exact), falling back to ``CREATE_AUTHORITIES``.
    """
    plurals = list(dict.fromkeys(plurals))
    cache = conn.cache.get("create_authorities")
    if cache is None:
        cache = {}
        try:
            data = conn.get("schemas", params={"fields": "plural,authorities"}).data
        except (HTTPStatusError, UnexpectedResponse) as exc:  # not the deadline: that must stop the command
            log.info("Could not read /api/schemas (%s); using the built-in authority table.", exc)
            data = None
        schemas = data.get("schemas") if isinstance(data, dict) else None
        for schema in schemas if isinstance(schemas, list) else []:
            names = [
                a
                for auth in schema.get("authorities") or []
                if str(auth.get("type", "")).startswith("CREATE")
                for a in auth.get("authorities") or []
            ]
            if schema.get("plural") and names:
                cache[schema["plural"]] = tuple(dict.fromkeys(names))
        conn.cache["create_authorities"] = cache
    return {p: cache.get(p) or CREATE_AUTHORITIES.get(p, ()) for p in plurals}


def metadata_authority_gaps(conn: Connection, plurals: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Types the user may not create, with the authorities that would allow it ({} = all fine)."""
    user = conn.me()
    if user.is_superuser:
        return {}
    needs = create_authorities(conn, plurals)
    return {p: alts for p, alts in needs.items() if alts and not user.has(*alts)}


def require_metadata_import(conn: Connection, plurals: Iterable[str]) -> Me:
    """Refuse (AuthError) before anything is sent if the user cannot create every type in the package.

    DHIS2 checks each type's create authority during the import (E3000); ``F_METADATA_IMPORT`` only
    opens the Import/Export app and is not what the API checks, so it is not required here.
    """
    user = conn.me()
    if user.is_superuser:
        return user
    needs = [alts for alts in create_authorities(conn, plurals).values() if alts]
    return conn.require_authorities(*needs, purpose="import this metadata")


def require_data_value_import(conn: Connection) -> Me:
    return conn.require_authorities(DATA_VALUE_AUTHORITY, purpose="import data values")
