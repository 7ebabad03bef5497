"""Every import report DHIS2 answers with, as typed results (names gathered from the per-import modules).

``metadata`` (``MetadataImportResult``), ``datavalues`` (``DataValueImportResult``, ``Conflict``),
``tracker`` (``TrackerImportResult``) and ``jobs`` (``Notification``) hold the models and their
parsers; ``_envelopes`` the shapes they share. A body that matches no known shape raises
``UnexpectedResponse``.
"""

from __future__ import annotations

from dhis2_mch.dhis2._envelopes import JobRef, Stats
from dhis2_mch.dhis2.datavalues import Conflict, DataValueImportResult, parse_data_value_import
from dhis2_mch.dhis2.jobs import Notification, parse_notifications
from dhis2_mch.dhis2.metadata import (
    MetadataError,
    MetadataImportResult,
    ObjectResult,
    TypeResult,
    parse_metadata_import,
    parse_object_report,
    plural_for_klass,
)
from dhis2_mch.dhis2.tracker import TrackerError, TrackerImportResult, parse_tracker_import
from dhis2_mch.errors import UnexpectedResponse

__all__ = [
    "Conflict",
    "DataValueImportResult",
    "JobRef",
    "MetadataError",
    "MetadataImportResult",
    "Notification",
    "ObjectResult",
    "Stats",
    "TrackerError",
    "TrackerImportResult",
    "TypeResult",
    "UnexpectedResponse",
    "parse_data_value_import",
    "parse_metadata_import",
    "parse_notifications",
    "parse_object_report",
    "parse_tracker_import",
    "plural_for_klass",
]
