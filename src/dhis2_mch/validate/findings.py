"""Moved to ``dhis2_mch.model.findings`` (the loader produces findings too, and must not depend on the
validator); this alias keeps imports written before the move working."""

from dhis2_mch.model.findings import *  # noqa: F403
from dhis2_mch.model.findings import Finding, Severity, describe, error, warning  # noqa: F401
