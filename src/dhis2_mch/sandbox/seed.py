"""What a fresh sandbox holds: DHIS2's default category model, two users, and a small Vietnamese
org unit hierarchy for the demo.

- Category model with the fixed UIDs every DHIS2 database gets (DefaultCategoryService, FACTS §3).
- ``admin`` / ``district`` (the DHIS2 demo convention) with authority ALL, captures data everywhere;
  ``hoathang`` / ``district`` may only enter data (F_DATAVALUE_ADD) and only for Hòa Thắng, so it
  meets 403s and E7617.
- Việt Nam → Lâm Đồng (68) → Hòa Thắng (23053), Sông Lũy (23023); Lào Cai (15) → Si Ma Cai (02809),
  Bát Xát (02683), Mường Khương (02761), Bảo Yên (02947): the official codes of QĐ 19/2025/QĐ-TTg
  (``shared/domain/PROGRAMMES.md`` §3) as ``code``, levels 1–3. UIDs are dhis2-mch's deterministic
  ``derive_uid("organisationUnit", code)``, so an org unit file built by the project matches them.
"""

from __future__ import annotations

import hashlib

from dhis2_mch.sandbox.klasses import DEFAULT_UIDS

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ALPHANUMERIC = "0123456789" + _LETTERS


def derive_uid(type_name: str, key: str) -> str:
    """dhis2-mch's documented deterministic UID scheme (v1), written out here so that the sandbox needs
    nothing from the client: SHA-256 of ``"dhis2-mch/uid/v1" US type US key``, read big-endian, one letter
    then ten alphanumerics. A test holds it equal to the client's ``derive_uid``."""
    n = int.from_bytes(
        hashlib.sha256("\x1f".join(("dhis2-mch/uid/v1", type_name, key)).encode("utf-8")).digest(), "big"
    )
    n, first = divmod(n, 52)
    chars = [_LETTERS[first]]
    for _ in range(10):
        n, i = divmod(n, 62)
        chars.append(_ALPHANUMERIC[i])
    return "".join(chars)


ADMIN_UID = "xE7jOejl9FI"
RESTRICTED_UID = derive_uid("user", "hoathang")
SUPERUSER_ROLE_UID = "yrB6vc5Ip3r"
DATA_ENTRY_ROLE_UID = derive_uid("userRole", "DATA_ENTRY")
ADMIN_USERNAME, ADMIN_PASSWORD = "admin", "district"
RESTRICTED_USERNAME, RESTRICTED_PASSWORD = "hoathang", "district"

CREATED = "2025-07-01T00:00:00.000"
REFORM_DATE = "2025-07-01T00:00:00.000"

# code, name, parent code
ORG_UNITS = (
    ("VN", "Việt Nam", None),
    ("68", "Lâm Đồng", "VN"),
    ("23053", "Hòa Thắng", "68"),
    ("23023", "Sông Lũy", "68"),
    ("15", "Lào Cai", "VN"),
    ("02809", "Si Ma Cai", "15"),
    ("02683", "Bát Xát", "15"),
    ("02761", "Mường Khương", "15"),
    ("02947", "Bảo Yên", "15"),
)


def org_unit_uid(code: str) -> str:
    return derive_uid("organisationUnit", code)


def _stamp(obj: dict) -> dict:
    return {**obj, "created": CREATED, "lastUpdated": CREATED}


def category_model() -> list[tuple[str, dict]]:
    opt, cat, combo, coc = (
        DEFAULT_UIDS[k] for k in ("categoryOptions", "categories", "categoryCombos", "categoryOptionCombos")
    )
    return [
        # DefaultCategoryService: the default option is shared rwrw---- (CATEGORY_OPTION_DEFAULT), so that
        # every user may write data with the default combo; the others rw------ (no data sharing)
        (
            "categoryOptions",
            _stamp(
                {"id": opt, "code": "default", "name": "default", "shortName": "default", "publicAccess": "rwrw----"}
            ),
        ),
        (
            "categories",
            _stamp(
                {
                    "id": cat,
                    "code": "default",
                    "name": "default",
                    "shortName": "default",
                    "dataDimensionType": "DISAGGREGATION",
                    "dataDimension": False,
                    "categoryOptions": [{"id": opt}],
                    "publicAccess": "rw------",
                }
            ),
        ),
        (
            "categoryCombos",
            _stamp(
                {
                    "id": combo,
                    "code": "default",
                    "name": "default",
                    "dataDimensionType": "DISAGGREGATION",
                    "skipTotal": False,
                    "categories": [{"id": cat}],
                    "publicAccess": "rw------",
                }
            ),
        ),
        (
            "categoryOptionCombos",
            _stamp(
                {
                    "id": coc,
                    "code": "default",
                    "name": "default",
                    "categoryCombo": {"id": combo},
                    "categoryOptions": [{"id": opt}],
                    "ignoreApproval": False,
                }
            ),
        ),
    ]


def org_units() -> list[tuple[str, dict]]:
    by_code: dict[str, dict] = {}
    out = []
    for code, name, parent_code in ORG_UNITS:
        uid = org_unit_uid(code)
        parent = by_code.get(parent_code) if parent_code else None
        obj = {
            "id": uid,
            "code": code,
            "name": name,
            "shortName": name,
            "openingDate": "1975-04-30T00:00:00.000" if code == "VN" else REFORM_DATE,
            "level": (parent["level"] + 1) if parent else 1,
            "path": f"{parent['path'] if parent else ''}/{uid}",
        }
        if parent:
            obj["parent"] = {"id": parent["id"]}
        by_code[code] = obj
        out.append(("organisationUnits", _stamp(obj)))
    return out


def users() -> list[tuple[str, dict]]:
    root, hoa_thang = org_unit_uid("VN"), org_unit_uid("23053")
    return [
        ("userRoles", _stamp({"id": SUPERUSER_ROLE_UID, "name": "Superuser", "authorities": ["ALL"]})),
        (
            "userRoles",
            _stamp(
                {
                    "id": DATA_ENTRY_ROLE_UID,
                    "name": "Data entry",
                    "authorities": ["F_DATAVALUE_ADD", "F_DATAVALUE_DELETE"],
                }
            ),
        ),
        (
            "users",
            _stamp(
                {
                    "id": ADMIN_UID,
                    "username": ADMIN_USERNAME,
                    "firstName": "Sandbox",
                    "surname": "Admin",
                    "name": "Sandbox Admin",
                    "userRoles": [{"id": SUPERUSER_ROLE_UID}],
                    "organisationUnits": [{"id": root}],
                    "dataViewOrganisationUnits": [{"id": root}],
                    "teiSearchOrganisationUnits": [],
                    "userGroups": [],
                }
            ),
        ),
        (
            "users",
            _stamp(
                {
                    "id": RESTRICTED_UID,
                    "username": RESTRICTED_USERNAME,
                    "firstName": "Cán bộ",
                    "surname": "Hòa Thắng",
                    "name": "Cán bộ Hòa Thắng",
                    "userRoles": [{"id": DATA_ENTRY_ROLE_UID}],
                    "organisationUnits": [{"id": hoa_thang}],
                    "dataViewOrganisationUnits": [{"id": hoa_thang}],
                    "teiSearchOrganisationUnits": [],
                    "userGroups": [],
                }
            ),
        ),
    ]


def seed_objects() -> list[tuple[str, dict]]:
    return category_model() + org_units() + users()


def seed(store) -> None:
    """Fill an empty store (a file ``--db`` keeps what it has, so a restart loses nothing)."""
    if not store.is_empty:
        return
    with store.transaction():
        store.save(seed_objects())
        store.set_password(ADMIN_USERNAME, ADMIN_UID, ADMIN_PASSWORD)
        store.set_password(RESTRICTED_USERNAME, RESTRICTED_UID, RESTRICTED_PASSWORD)
