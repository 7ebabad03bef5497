"""How DHIS2 names a translated property: ``shortName`` is written ``SHORT_NAME`` in the ``property`` of
an object's ``translations`` entries (NAME, SHORT_NAME, DESCRIPTION, FORM_NAME in every metadata export
and in the DHIS2 developer guide's "Translations" section): the property's upper snake case.

The authoring loader writes translations, the validator checks them and the data dictionary reads
them, so the spelling lives here, below all three."""

from __future__ import annotations

import re


def translation_property(prop: str) -> str:
    """shortName -> SHORT_NAME, the spelling DHIS2 uses in ``translations``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", prop).upper()
