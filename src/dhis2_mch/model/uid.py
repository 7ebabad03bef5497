"""Deterministic DHIS2 UIDs.

A DHIS2 UID matches ``^[a-zA-Z][a-zA-Z0-9]{10}$`` (core CodeGenerator). Servers generate them at
random, which means the same package imported twice into two instances gets different UIDs, and a
re-import without UIDs duplicates everything. dhis2-mch instead derives every UID from what the
object *is*:

    digest = SHA-256("dhis2-mch/uid/v1" + "\\x1f" + type + "\\x1f" + key)     (UTF-8)
    n      = the digest read as a big-endian integer
    uid[0] = LETTERS[n mod 52];  n //= 52                          LETTERS = A-Z then a-z
    uid[i] = ALPHANUMERIC[n mod 62];  n //= 62   for i = 1..10      ALPHANUMERIC = 0-9, A-Z, a-z

``type`` is the DHIS2 singular type name (``dataElement``), ``key`` the object's code, or for objects
that are only unique inside a parent, the parent's code and the object's code joined by ``/``
(``optionSet/option``, ``categoryCombo/option/option``). The first character is always a letter
and the rest alphanumerics, so the result is always a valid UID. 52 * 62**10 ≈ 4.4e19 values: for
a package of 10,000 objects the chance of any collision is about 1e-12, and the validator checks
for duplicates anyway. The algorithm and its salt never change: same input, same UID, forever
(tests pin known values).
"""

from __future__ import annotations

import hashlib
import re

UID_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALPHANUMERIC = "0123456789" + LETTERS
SALT = "dhis2-mch/uid/v1"


def is_valid_uid(value: object) -> bool:
    return isinstance(value, str) and UID_PATTERN.fullmatch(value) is not None


def derive_uid(type_name: str, *key: str) -> str:
    """The UID of the object of DHIS2 type ``type_name`` identified by ``key`` (code, or parent/child codes)."""
    if not key or any(not k for k in key):
        raise ValueError(f"a {type_name} UID needs a non-empty key, got {key!r}")
    material = "\x1f".join((SALT, type_name, "/".join(key))).encode("utf-8")
    n = int.from_bytes(hashlib.sha256(material).digest(), "big")
    n, first = divmod(n, 52)
    chars = [LETTERS[first]]
    for _ in range(10):
        n, i = divmod(n, 62)
        chars.append(ALPHANUMERIC[i])
    return "".join(chars)
