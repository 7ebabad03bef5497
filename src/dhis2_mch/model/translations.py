"""How DHIS2 names a translated property: ``shortName`` is stored as ``SHORT_NAME`` in an object's
``translations`` (``TranslationProperty`` in dhis2-core, keyed by the property's upper snake case).

The authoring loader writes translations, the validator checks them and the data dictionary reads
them, so the spelling lives here, below all three."""

from __future__ import annotations

import re


def translation_property(prop: str) -> str:
    """shortName -> SHORT_NAME, the spelling DHIS2 uses in ``translations``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", prop).upper()
