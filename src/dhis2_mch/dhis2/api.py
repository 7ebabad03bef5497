"""The typed calls the rest of dhis2-mch makes to DHIS2, in one namespace (``from dhis2_mch.dhis2 import api``).

The code lives by kind of request: ``reads`` (objects, org units, default category model),
``authorities`` (who may import what), ``metadata``, ``datavalues`` and ``tracker`` (each import
with its report); this module gathers their public names so callers need one import. Every write
checks the user's authorities first, so a user without rights learns it before anything is sent.
"""

from __future__ import annotations

from dhis2_mch.dhis2.authorities import (
    CREATE_AUTHORITIES,
    DATA_VALUE_AUTHORITY,
    create_authorities,
    metadata_authority_gaps,
    require_data_value_import,
    require_metadata_import,
)
from dhis2_mch.dhis2.datavalues import DataValue, get_data_values, import_data_values
from dhis2_mch.dhis2.metadata import ASYNC_THRESHOLD_BYTES, ImportMode, import_metadata
from dhis2_mch.dhis2.reads import (
    MAX_URL_BYTES,
    DefaultCategoryModel,
    OrgUnit,
    default_category_model,
    fetch_objects,
    list_objects,
    me,
    org_units,
    org_units_within,
    root_org_units,
    server_version,
    system_info,
)
from dhis2_mch.dhis2.tracker import import_events

__all__ = [
    "ASYNC_THRESHOLD_BYTES",
    "CREATE_AUTHORITIES",
    "DATA_VALUE_AUTHORITY",
    "MAX_URL_BYTES",
    "DataValue",
    "DefaultCategoryModel",
    "ImportMode",
    "OrgUnit",
    "create_authorities",
    "default_category_model",
    "fetch_objects",
    "get_data_values",
    "import_data_values",
    "import_events",
    "import_metadata",
    "list_objects",
    "me",
    "metadata_authority_gaps",
    "org_units",
    "org_units_within",
    "require_data_value_import",
    "require_metadata_import",
    "root_org_units",
    "server_version",
    "system_info",
]
