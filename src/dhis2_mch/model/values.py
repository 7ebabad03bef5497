"""Data value checks per value type, as DHIS2 ``ValidationUtils.valueIsValid`` makes them.

Each check returns None for a valid value or DHIS2's i18n key (``value_not_numeric`` ...). The key goes
into a conflict's ``objects.value``; the message prints its translation where DHIS2 has one, else the raw
key (``value_not_zero_or_positive_integer`` has no entry in ``i18n_global.properties`` and prints raw).

Regexes are dhis2-core's ``MathUtils`` (``isInteger``, ``isPositiveInteger`` ...).
Unverified: the keys for TIME, EMAIL, PHONE_NUMBER and
ORGANISATION_UNIT (checked in newer cores only), and which keys have an English translation beyond the
three seen in real responses (numeric, integer, percentage).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dhis2_mch.model.uid import is_valid_uid

MAX_LENGTH = 50000
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

_INTEGER = re.compile(r"^(0|-?[1-9]\d*)$")
_POSITIVE = re.compile(r"^[1-9]\d*$")
_ZERO_OR_POSITIVE = re.compile(r"(^0$)|(^[1-9]\d*$)")
_NEGATIVE = re.compile(r"^-[1-9]\d*$")
_NUMBER = re.compile(r"^(-?0|-?[1-9]\d*)(\.\d+)?$")
_PHONE = re.compile(r"^[0-9+\(\)#\.\s\/ext-]{6,50}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_COORDINATE = re.compile(r"^\[\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*\]$")

TRUE_VARIANTS = frozenset({"true", "True", "TRUE", "t", "T", "1"})
FALSE_VARIANTS = frozenset({"false", "False", "FALSE", "f", "F", "0"})

NUMERIC_TYPES = frozenset(
    {
        "NUMBER",
        "UNIT_INTERVAL",
        "PERCENTAGE",
        "INTEGER",
        "INTEGER_POSITIVE",
        "INTEGER_NEGATIVE",
        "INTEGER_ZERO_OR_POSITIVE",
    }
)

TRANSLATIONS = {
    "value_not_numeric": "Data value is not numeric",
    "value_not_integer": "Data value is not an integer",
    "value_not_percentage": "Data value is not a percentage",
}


def translate(key: str) -> str:
    return TRANSLATIONS.get(key, key)


def normalize_boolean(value: str | None, value_type: str | None) -> str | None:
    """BOOLEAN/TRUE_ONLY spellings DHIS2 accepts, stored as "true"/"false"."""
    if value is None or value_type not in ("BOOLEAN", "TRUE_ONLY"):
        return value
    if value in FALSE_VARIANTS and value_type != "TRUE_ONLY":
        return "false"
    if value in TRUE_VARIANTS:
        return "true"
    return value


def _is_int(value: str, pattern: re.Pattern) -> bool:
    return bool(pattern.match(value)) and INT_MIN <= int(value) <= INT_MAX


def _is_number(value: str) -> bool:
    return len(value) < 250 and bool(_NUMBER.match(value))


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return False
    return len(value) == 10


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def value_error(value: str | None, value_type: str | None) -> str | None:
    """None if ``value`` is valid for ``value_type``, else DHIS2's i18n key for the problem."""
    if value is None or not value.strip():
        return None
    if value_type is None:
        return "data_element_or_type_null_or_empty"
    if len(value) > MAX_LENGTH:
        return "value_length_greater_than_max_length"
    checks = {
        "LETTER": (lambda v: len(v) == 1 and v.isalpha(), "value_not_valid_letter"),
        "NUMBER": (_is_number, "value_not_numeric"),
        "UNIT_INTERVAL": (lambda v: _is_number(v) and 0 <= float(v) <= 1, "value_not_unit_interval"),
        "PERCENTAGE": (lambda v: _is_number(v) and 0 <= float(v) <= 100, "value_not_percentage"),
        "INTEGER": (lambda v: _is_int(v, _INTEGER), "value_not_integer"),
        "INTEGER_POSITIVE": (lambda v: _is_int(v, _POSITIVE), "value_not_positive_integer"),
        "INTEGER_NEGATIVE": (lambda v: _is_int(v, _NEGATIVE), "value_not_negative_integer"),
        "INTEGER_ZERO_OR_POSITIVE": (lambda v: _is_int(v, _ZERO_OR_POSITIVE), "value_not_zero_or_positive_integer"),
        "BOOLEAN": (lambda v: v.lower() in ("true", "false"), "value_not_bool"),
        "TRUE_ONLY": (lambda v: v.lower() == "true", "value_not_true_only"),
        "DATE": (_is_date, "value_not_valid_date"),
        "DATETIME": (_is_datetime, "value_not_valid_datetime"),
        "TIME": (lambda v: bool(_TIME.match(v)), "value_not_valid_time"),
        "COORDINATE": (lambda v: bool(_COORDINATE.match(v)), "value_not_coordinate"),
        "URL": (lambda v: bool(_URL.match(v)), "value_not_url"),
        "EMAIL": (lambda v: bool(_EMAIL.match(v)), "value_not_valid_email"),
        "PHONE_NUMBER": (lambda v: bool(_PHONE.match(v)), "value_not_valid_phone_number"),
        "FILE_RESOURCE": (is_valid_uid, "value_not_valid_file_resource_uid"),
        "IMAGE": (is_valid_uid, "value_not_valid_file_resource_uid"),
        "ORGANISATION_UNIT": (is_valid_uid, "value_not_valid_org_unit"),
    }
    check = checks.get(value_type)
    if check is None:
        return None
    ok, key = check
    return None if ok(value) else key


def is_zero(value: str | None) -> bool:
    """MathUtils.isZero: the value parses as a number equal to 0 ("0", "0.0", "-0")."""
    if value is None:
        return False
    try:
        return float(value) == 0
    except ValueError:
        return False


def zero_and_insignificant(value: str | None, data_element: dict) -> bool:
    """ValidationUtils.dataValueIsZeroAndInsignificant: such values are not stored (``DefaultDataValueSetService``)."""
    return (
        data_element.get("valueType") in NUMERIC_TYPES
        and is_zero(value)
        and not data_element.get("zeroIsSignificant", False)
        and data_element.get("aggregationType") not in ("AVERAGE", "AVERAGE_SUM_ORG_UNIT")
    )
