"""DHIS2's error codes and message texts, per version, and how data-value conflicts are shaped.

Texts are dhis2-core's ``dhis-api/.../feedback/ErrorCode.java`` of the 2.38, 2.40 and 2.42 branches:
the 2.39+ wording, with the final "." that 2.38 still had added
back for the codes that carried one. Arguments are substituted the way ``java.text.MessageFormat`` does
(``{0}``; numbers get a thousands separator: 50000 -> "50,000").

The data value conflicts' texts, properties and object types are ``ErrorCode`` and
``DataValueImportConflict`` / ``DataValueSetImportConflict`` of each branch (2.38: E7619 "data element's
... type constraints", E7633 "dataset", E7641 without the data set; 2.39+ as in TEMPLATES).
unverified: E4030's text (the DeletionHandler veto) is remembered, not read.
"""

from __future__ import annotations

from dhis2_mch.sandbox.versions import Version

# 2.39+ texts. 2.38 adds a final "." to the codes in DOTTED_IN_2_38.
TEMPLATES = {
    "E3000": "User `{0}` is not allowed to create objects of type {1}",
    "E3001": "User `{0}` is not allowed to update object `{1}`",
    "E3002": "User `{0}` is not allowed to delete object `{1}`",
    "E4000": "Missing required property `{0}`",
    "E4001": "Maximum length of property `{0}`is {1}, but given length was {2}",
    "E4014": "Invalid UID `{0}` for property `{1}`",
    "E4030": "Object could not be deleted because it is associated with another object: {0}",
    "E4053": "Program stage `{0}` must reference a program",
    "E5000": "Found matching object for reference, but import mode is CREATE. Identifier was {0}, and object was {1}",
    "E5001": "No matching object for reference. Identifier was {0}, and object was {1}",
    "E5002": "Invalid reference {0} on object {1} for association `{2}`",
    "E5003": "Property `{0}` with value `{1}` on object {2} already exists on object {3}",
    "E5004": "Id `{0}` for type `{1}` exists on more than 1 object in the payload, removing all but the first found",
    "E5005": "Properties `{0}` in objects `{1}` must be unique within the payload",
    # GET /api/dataValueSets (IllegalQueryException)
    "E2000": "Query parameters cannot be null",
    "E2001": "At least one data element, data set or data element group must be specified",
    "E2002": "At least one period, start/end dates, last updated or last updated duration must be specified",
    "E2003": "Both periods and start/end date cannot be specified",
    "E2004": "Start date must be before end date",
    "E2006": "At least one organisation unit or organisation unit group must be specified",
    "E2007": "Organisation unit children cannot be included for organisation unit groups",
    "E2008": "At least one organisation unit must be specified when children are included",
    "E2010": "User is not allowed to read data for data set: `{0}`",
    "E2011": "User is not allowed to read data for attribute option combo: `{0}`",
    "E2012": "User is not allowed to view org unit: `{0}`",
    # data value set import
    "E7600": "Data set not found or not accessible: `{0}`",
    "E7601": "User does not have write access for DataSet: `{0}`",
    "E7603": "Org unit not found or not accessible: `{0}`",
    "E7604": "Attribute option combo not found or not accessible: `{0}`",
    "E7610": "Data element not found or not accessible: `{0}`",
    "E7611": "Period not valid: `{0}`",
    "E7612": "Organisation unit not found or not accessible: `{0}`",
    "E7613": "Category option combo not found or not accessible for writing data: `{0}`",
    "E7614": "Category option combo: `{0}` option not accessible: `{1}`",
    "E7615": "Attribute option combo not found or not accessible for writing data: `{0}`",
    "E7616": "Attribute option combo: `{0}` option not accessible: `{1}`",
    "E7617": "Organisation unit: `{0}` not in hierarchy of current user: `{1}`",
    "E7618": "Data value or comment not specified for data element: `{0}`",
    "E7619": "Value must match value type of data element `{0}`: `{1}`",
    "E7620": "Invalid comment: {0}",
    "E7621": "Data value is not a valid option of the data element option set: `{0}`",
    "E7630": "Category option combo is required but is not specified",
    "E7631": "Attribute option combo is required but is not specified",
    "E7632": "Period type of period: `{0}` not valid for data element: `{1}`",
    "E7633": "Data element: `{0}` is not part of dataset(s): `{1}`",
    "E7634": "Category option combo: `{0}` must be part of category combo of data element: `{1}`",
    "E7635": "Attribute option combo: `{0}` must be part of category combo of data sets of data element: `{1}`",
    "E7636": "Data element: `{1}` must be assigned through data sets to organisation unit: `{0}`",
    "E7637": "Invalid storedBy: {0}",
    "E7638": "Period: `{0}` is not within date range of attribute option combo: `{1}`",
    "E7639": "Organisation unit: `{0}` is not valid for attribute option combo: `{1}`",
    "E7640": "Current date is past expiry days for period: `{0}`  and data set: `{1}`",
    "E7641": "Period: `{0}` is after latest open future period: `{3}` for data element: `{1}` and data set: `{2}`",
    "E7643": "Period: `{0}` is not open for this data set at this time: `{1}`",
    "E7644": "Period: `{0}` does not conform to the open periods of associated data sets",
}

TEMPLATES_2_38 = {
    "E7619": "Value must match data element's `{0}` type constraints: {1}",
    "E7641": "Period: `{0}` is after latest open future period: `{2}` for data element: `{1}`",
    "E7633": "Data element: `{0}` is not part of dataset: `{1}`",
}

DOTTED_IN_2_38 = frozenset(
    {"E3000", "E3001", "E3002", "E4000", "E4001", "E4053", "E5000", "E5001", "E5002", "E5003", "E5004"}
)


def java_format(template: str, args: tuple) -> str:
    """``MessageFormat.format``: ``{n}`` placeholders; ints with a thousands separator."""
    out = template
    for i, arg in enumerate(args):
        text = f"{arg:,}" if isinstance(arg, int) and not isinstance(arg, bool) else str(arg)
        out = out.replace("{" + str(i) + "}", text)
    return out


def message(code: str, version: Version, *args) -> str:
    """The text DHIS2 ``version`` prints for error ``code`` with ``args``."""
    template = TEMPLATES_2_38.get(code) if version.minor == 38 else None
    template = template or TEMPLATES[code]
    if version.dotted_messages and code in DOTTED_IN_2_38:
        template += "."
    return java_format(template, args)


# Data value conflicts: code -> (conflict ``property``, the ``objects`` keys its arguments fill, in order).
# ImportConflict.createConflict: an identifiable type adds objects[<schema singular>], an I18n argument adds
# objects[property] = the raw i18n key.
CONFLICTS = {
    "E7600": ("dataSet", ("dataSet",)),
    "E7601": ("dataSet", ("dataSet",)),
    "E7603": ("orgUnit", ("organisationUnit", "dataSet")),
    "E7604": ("attributeOptionCombo", ("categoryOptionCombo", "dataSet")),
    "E7610": ("dataElement", ("dataElement",)),
    "E7611": ("period", ("period",)),
    "E7612": ("orgUnit", ("organisationUnit",)),
    "E7613": ("categoryOptionCombo", ("categoryOptionCombo",)),
    "E7614": ("categoryOptionCombo", ("categoryOptionCombo", "categoryOption")),
    "E7615": ("attributeOptionCombo", ("categoryOptionCombo",)),
    "E7616": ("attributeOptionCombo", ("categoryOptionCombo", "categoryOption")),
    "E7617": ("orgUnit", ("organisationUnit", "user")),
    "E7618": ("value", ("dataElement",)),
    "E7619": ("value", ("dataElement", "value")),
    "E7620": ("comment", ("comment",)),
    "E7621": ("value", ("dataElement",)),
    "E7630": ("categoryOptionCombo", ()),
    "E7631": ("attributeOptionCombo", ()),
    "E7632": (None, ("period", "dataElement")),
    "E7633": ("dataElement", ("dataElement", "dataSet")),
    "E7634": ("categoryOptionCombo", ("categoryOptionCombo", "dataElement")),
    "E7635": ("attributeOptionCombo", ("categoryOptionCombo", "dataElement")),
    "E7636": ("orgUnit", ("organisationUnit", "dataElement")),
    "E7637": ("storedBy", ("storedBy",)),
    "E7638": ("period", ("period", "categoryOptionCombo")),
    "E7639": ("orgUnit", ("organisationUnit", "categoryOptionCombo")),
    "E7640": ("period", ("period", "dataSet")),
    "E7641": ("period", ("period", "dataElement", "dataSet")),  # 2.38: no DataSet type (see conflict_keys)
    "E7643": ("period", ("period", "dataSet")),
    "E7644": ("period", ("period",)),
}


def conflict_keys(code: str, version: Version) -> tuple[str | None, tuple[str, ...]]:
    """DataValueImportConflict's property and object types for ``code`` in ``version``."""
    prop, keys = CONFLICTS[code]
    if code == "E7641" and version.minor == 38:
        keys = ("period", "dataElement")
    return prop, keys
