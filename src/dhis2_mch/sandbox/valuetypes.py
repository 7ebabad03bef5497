"""Data value checks per value type, per DHIS2 version, and the English texts DHIS2 prints for them.

From dhis2-core ``system/util/ValidationUtils`` and ``system/util/MathUtils``:
- ``valueIsValid(String, ValueType)``: empty -> valid; no type -> ``data_element_or_type_null_or_empty``;
  longer than 50,000 -> ``value_length_greater_than_max_length``; then one check per type. 2.38 checks
  LETTER, the numbers, BOOLEAN, TRUE_ONLY, DATE, DATETIME, COORDINATE, URL, FILE_RESOURCE/IMAGE; 2.39+ add
  PHONE_NUMBER (``value_not_phone_number``), EMAIL, TIME (``^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$``),
  USERNAME, ORGANISATION_UNIT (``value_not_valid_org_unit_uid``) and AGE;
- ``valueIsValid(String, DataElement, ...)``: MULTI_TEXT without an option set ->
  ``data_element_lacks_option_set`` (2.39+);
- ``MathUtils``: NUMBER ``^(-?0|-?[1-9]\\d*)(\\.\\d+)?$``; INTEGER ``^(0|-?[1-9]\\d*)$`` within Java int
  (commons ``IntegerValidator``), POSITIVE ``^[1-9]\\d*$``, ZERO_OR_POSITIVE ``(^0$)|(^[1-9]\\d*$)``,
  NEGATIVE ``^-[1-9]\\d*$``; UNIT_INTERVAL / PERCENTAGE numeric in 0..1 / 0..100; ``isZero``
  ``^0(\\.0*)?$``; ``isCoordinate`` ``[lng,lat]`` within ±180/±90;
- ``normalizeBoolean``: true|True|TRUE|t|T|1 -> "true", false|...|0 -> "false";
- ``commentIsValid`` (over 50,000 -> ``comment_length_greater_than_max_length``), ``storedByIsValid``
  (over 255 -> ``stored_by_length_greater_than_max_length``);
- ``dataValueIsZeroAndInsignificant``: numeric, zero, not zeroIsSignificant, not AVERAGE(_SUM_ORG_UNIT).

Texts: ``i18n_global.properties`` (dhis-service-core) of each branch; a key without an entry prints
raw, as ``I18n.getString`` returns the key (e.g. ``value_not_zero_or_positive_integer``).
unverified: EMAIL and URL use commons-validator in DHIS2; the sandbox approximates them with patterns.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MAX_LENGTH = 50000
STORED_BY_MAX = 255
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
NUMERIC = frozenset(
    {"NUMBER", "UNIT_INTERVAL", "PERCENTAGE", "INTEGER", "INTEGER_POSITIVE", "INTEGER_NEGATIVE",
     "INTEGER_ZERO_OR_POSITIVE"}
)  # fmt: skip

_NUMBER = re.compile(r"^(-?0|-?[1-9]\d*)(\.\d+)?$")
_INT = re.compile(r"^(0|-?[1-9]\d*)$")
_POS = re.compile(r"^[1-9]\d*$")
_ZPOS = re.compile(r"(^0$)|(^[1-9]\d*$)")
_NEG = re.compile(r"^-[1-9]\d*$")
_ZERO = re.compile(r"^0(\.0*)?$")
_TIME = re.compile(r"^([0-9]|0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$")
_PHONE = re.compile(r"^[0-9+\(\)#\.\s\/ext-]{6,50}$")
_USERNAME = re.compile(r"^(?=.{4,255}$)(?![-_.@])(?!.*[-_.@]{2})[-_.@a-zA-Z0-9]+(?<![-_.@])$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_UID = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")

TRUE_SPELLINGS = frozenset({"true", "True", "TRUE", "t", "T", "1"})
FALSE_SPELLINGS = frozenset({"false", "False", "FALSE", "f", "F", "0"})

# i18n_global.properties, 2.38 branch; 2.39+ add the two keys below it.
TEXTS_2_38 = {
    "data_element_or_type_null_or_empty": "Data element or type is null or empty",
    "value_length_greater_than_max_length": "Data value is greater than max length",
    "value_not_numeric": "Data value is not numeric",
    "value_not_unit_interval": "Data value is not a unit interval",
    "value_not_percentage": "Data value is not a percentage",
    "value_not_integer": "Data value is not an integer",
    "value_not_positive_integer": "Data value is not a positive integer",
    "value_not_negative_integer": "Data value is not a negative integer",
    "value_is_zero_and_not_zero_significant": "Data value is zero and not zero significant",
    "value_not_bool": "Data value is not a boolean",
    "value_not_true_only": "Data value is not true",
    "value_not_valid_date": "Data value is not a valid date",
    "stored_by_length_greater_than_max_length": "Stored by is greater than max length",
    "comment_length_greater_than_max_length": "Comment is greater than max length",
}
TEXTS_2_40 = TEXTS_2_38 | {
    "value_not_valid_option": (
        "Data value contains value(s) other than the valid options of the data element's option set"
    ),
    "value_not_valid_letter": "Data value is not a valid letter",
}


def text(key: str, minor: int) -> str:
    """I18n.getString: the English text of ``key``, or the key itself when the bundle has none."""
    return (TEXTS_2_38 if minor == 38 else TEXTS_2_40).get(key, key)


def normalize_boolean(value: str | None, value_type: str | None) -> str | None:
    """ValidationUtils.normalizeBoolean (BOOLEAN and TRUE_ONLY only)."""
    if value is None or value_type not in ("BOOLEAN", "TRUE_ONLY"):
        return value
    if value in TRUE_SPELLINGS:
        return "true"
    if value in FALSE_SPELLINGS:
        return "false"
    return value


def _int(value: str, pattern: re.Pattern[str]) -> bool:
    return pattern.match(value) is not None and INT_MIN <= int(value) <= INT_MAX


def _number(value: str) -> bool:
    return _NUMBER.match(value) is not None


def _date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _coordinate(value: str) -> bool:
    v = re.sub(r"\s+", "", value)
    if len(v) < 5 or not v.startswith("[") or not v.endswith("]") or v.count("[") != 1:
        return False
    try:
        lng, lat = (float(x) for x in v[1:-1].split(",")[:2])
    except ValueError:
        return False
    return -180 <= lng <= 180 and -90 <= lat <= 90


_CHECKS_2_38 = {
    "LETTER": (lambda v: len(v) == 1 and v.isalpha(), "value_not_valid_letter"),
    "NUMBER": (_number, "value_not_numeric"),
    "UNIT_INTERVAL": (lambda v: _number(v) and 0 <= float(v) <= 1, "value_not_unit_interval"),
    "PERCENTAGE": (lambda v: _number(v) and 0 <= float(v) <= 100, "value_not_percentage"),
    "INTEGER": (lambda v: _int(v, _INT), "value_not_integer"),
    "INTEGER_POSITIVE": (lambda v: _int(v, _POS), "value_not_positive_integer"),
    "INTEGER_NEGATIVE": (lambda v: _int(v, _NEG), "value_not_negative_integer"),
    "INTEGER_ZERO_OR_POSITIVE": (lambda v: _int(v, _ZPOS), "value_not_zero_or_positive_integer"),
    "BOOLEAN": (lambda v: v.lower() in ("true", "false"), "value_not_bool"),
    "TRUE_ONLY": (lambda v: v.lower() == "true", "value_not_true_only"),
    "DATE": (_date, "value_not_valid_date"),
    "DATETIME": (_datetime, "value_not_valid_datetime"),
    "COORDINATE": (_coordinate, "value_not_coordinate"),
    "URL": (lambda v: _URL.match(v) is not None, "value_not_url"),
    "FILE_RESOURCE": (lambda v: _UID.match(v) is not None, "value_not_valid_file_resource_uid"),
    "IMAGE": (lambda v: _UID.match(v) is not None, "value_not_valid_file_resource_uid"),
}
_CHECKS_2_39 = _CHECKS_2_38 | {
    "PHONE_NUMBER": (lambda v: _PHONE.match(v) is not None, "value_not_phone_number"),
    "EMAIL": (lambda v: _EMAIL.match(v) is not None, "value_not_valid_email"),
    "TIME": (lambda v: _TIME.match(v) is not None, "value_not_valid_time"),
    "USERNAME": (lambda v: _USERNAME.match(v) is not None, "value_not_valid_username"),
    "ORGANISATION_UNIT": (lambda v: _UID.match(v) is not None, "value_not_valid_org_unit_uid"),
    "AGE": (_date, "value_not_valid_age"),
}


def value_error(value: str | None, value_type: str | None, minor: int, *, has_option_set: bool = True) -> str | None:
    """ValidationUtils.valueIsValid for a data element: None when valid, else DHIS2's i18n key."""
    if minor >= 39 and value_type == "MULTI_TEXT" and not has_option_set:
        return "data_element_lacks_option_set"
    if value is None or not value.strip():
        return None
    if value_type is None:
        return "data_element_or_type_null_or_empty"
    if len(value) > MAX_LENGTH:
        return "value_length_greater_than_max_length"
    check = (_CHECKS_2_38 if minor == 38 else _CHECKS_2_39).get(value_type)
    if check is None:
        return None
    ok, key = check
    return None if ok(value) else key


def comment_error(comment: str | None) -> str | None:
    if comment is None or not comment.strip():
        return None
    return "comment_length_greater_than_max_length" if len(comment) > MAX_LENGTH else None


def stored_by_error(stored_by: str | None) -> str | None:
    if stored_by is None or not stored_by.strip():
        return None
    return "stored_by_length_greater_than_max_length" if len(stored_by) > STORED_BY_MAX else None


def zero_and_insignificant(value: str | None, data_element: dict) -> bool:
    return (
        data_element.get("valueType") in NUMERIC
        and value is not None
        and _ZERO.match(value) is not None
        and not data_element.get("zeroIsSignificant", False)
        and data_element.get("aggregationType") not in ("AVERAGE", "AVERAGE_SUM_ORG_UNIT")
    )
