"""What a fresh sandbox holds: DHIS2's default category model, five users, and a small Vietnamese
org unit hierarchy for the demo.

- Category model with the fixed UIDs every DHIS2 database gets (DefaultCategoryService); the default
  category option is shared ``rwrw----`` (AccessStringHelper.CATEGORY_OPTION_DEFAULT).
- Users, all with the password ``district`` (the DHIS2 demo convention): ``admin`` (authority ALL,
  captures everywhere) and the four of ``USERS`` (Hòa Thắng data entry with and without F_EDIT_EXPIRED,
  one no sharing will name, and a read-only Lâm Đồng viewer). No user group is seeded: a deployment
  gives data write access through its own groups and sharing, as on a real DHIS2.
- Việt Nam → Lâm Đồng (68) → Hòa Thắng (23053), Sông Lũy (23023); Lào Cai (15) → Si Ma Cai (02809),
  Bát Xát (02683), Mường Khương (02761), Bảo Yên (02947): the official codes of QĐ 19/2025/QĐ-TTg
  as ``code``, levels 1–3; and the closed pre-reform branch the demo's "by June 2024" figures need:
  Việt Nam → PRE2025 → old Lào Cai (PRE2025-P10), as ``dhis2-mch orgunits build`` writes them. UIDs
  are dhis2-mch's deterministic ``derive_uid("organisationUnit", code)``, so an org unit file built by
  the project matches them.
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
RESTRICTED_UID = derive_uid("user", "hoathang")  # USER_UIDS["hoathang"]
SUPERUSER_ROLE_UID = "yrB6vc5Ip3r"
DATA_ENTRY_ROLE_UID = derive_uid("userRole", "DATA_ENTRY")
LATE_ROLE_UID = derive_uid("userRole", "DATA_ENTRY_NO_LATE")
READ_ONLY_ROLE_UID = derive_uid("userRole", "READ_ONLY")
PASSWORD = "district"
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


# the closed pre-reform branch, as ``dhis2-mch orgunits build`` writes it (code, name, short name, parent
# code): the branch root under Việt Nam and old Lào Cai (province 10 before 1 July 2025), which the seed
# figures of "by June 2024" are about. Open from 2000-01-01, closed 2025-06-30.
LEGACY_UNITS = (
    ("PRE2025", "Đơn vị hành chính trước 1/7/2025", "ĐVHC trước 1/7/2025", "VN"),
    ("PRE2025-P10", "Tỉnh Lào Cai (cũ)", "Tỉnh Lào Cai (cũ)", "PRE2025"),
)
LEGACY_OPENING = "2000-01-01T00:00:00.000"
LEGACY_CLOSED = "2025-06-30T00:00:00.000"


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
    legacy = [(code, name, short, parent) for code, name, short, parent in LEGACY_UNITS]
    for code, name, short, parent_code in [(c, n, n, p) for c, n, p in ORG_UNITS] + legacy:
        uid = org_unit_uid(code)
        parent = by_code.get(parent_code) if parent_code else None
        closed = code.startswith("PRE2025")
        obj = {
            "id": uid,
            "code": code,
            "name": name,
            "shortName": short,
            "openingDate": "1975-04-30T00:00:00.000" if code == "VN" else LEGACY_OPENING if closed else REFORM_DATE,
            "level": (parent["level"] + 1) if parent else 1,
            "path": f"{parent['path'] if parent else ''}/{uid}",
        }
        if closed:
            obj["closedDate"] = LEGACY_CLOSED
        if parent:
            obj["parent"] = {"id": parent["id"]}
        by_code[code] = obj
        out.append(("organisationUnits", _stamp(obj)))
    return out


# username -> (name, role, capture org unit code, data view org unit code, what the user is for)
USERS = {
    "hoathang": ("Cán bộ Hòa Thắng", DATA_ENTRY_ROLE_UID, "23053", "23053",
                 "data entry for Hòa Thắng; may enter data after the expiry days (F_EDIT_EXPIRED); write "
                 "access to data sets and category options comes from the sharing a deploy gives it"),
    "hoathang_late": ("Cán bộ Hòa Thắng (no late entry)", LATE_ROLE_UID, "23053", "23053",
                      "data entry for Hòa Thắng without F_EDIT_EXPIRED: E7640 past a data set's expiry days"),
    "hoathang_guest": ("Khách Hòa Thắng", DATA_ENTRY_ROLE_UID, "23053", "23053",
                       "data entry for Hòa Thắng that no sharing names (in no user group): E7601 / E7613"),
    "viewer": ("Người xem Lâm Đồng", READ_ONLY_ROLE_UID, None, "68",
               "reads Lâm Đồng's data (needs data read sharing: E2010), may not write (403)"),
}  # fmt: skip
USER_UIDS = {username: derive_uid("user", username) for username in USERS}


def users() -> list[tuple[str, dict]]:
    root = org_unit_uid("VN")
    roles = [
        ("userRoles", _stamp({"id": SUPERUSER_ROLE_UID, "name": "Superuser", "authorities": ["ALL"]})),
        ("userRoles", _stamp({"id": DATA_ENTRY_ROLE_UID, "name": "Data entry",
                              "authorities": ["F_DATAVALUE_ADD", "F_DATAVALUE_DELETE", "F_EDIT_EXPIRED"]})),
        ("userRoles", _stamp({"id": LATE_ROLE_UID, "name": "Data entry (no late entry)",
                              "authorities": ["F_DATAVALUE_ADD", "F_DATAVALUE_DELETE"]})),
        ("userRoles", _stamp({"id": READ_ONLY_ROLE_UID, "name": "Read only", "authorities": ["M_dhis-web-dashboard"]})),
    ]  # fmt: skip
    admin = {
        "id": ADMIN_UID, "username": ADMIN_USERNAME, "firstName": "Sandbox", "surname": "Admin",
        "name": "Sandbox Admin",
        "userRoles": [{"id": SUPERUSER_ROLE_UID}], "organisationUnits": [{"id": root}],
        "dataViewOrganisationUnits": [{"id": root}], "teiSearchOrganisationUnits": [], "userGroups": [],
    }  # fmt: skip
    people = [("users", _stamp(admin))]
    for username, (name, role, capture, view, _why) in USERS.items():
        first, _, last = name.partition(" ")
        people.append(("users", _stamp({
            "id": USER_UIDS[username], "username": username, "firstName": first, "surname": last, "name": name,
            "userRoles": [{"id": role}],
            "organisationUnits": [{"id": org_unit_uid(capture)}] if capture else [],
            "dataViewOrganisationUnits": [{"id": org_unit_uid(view)}] if view else [],
            "teiSearchOrganisationUnits": [], "userGroups": [],
        })))  # fmt: skip
    return roles + people


def seed_objects() -> list[tuple[str, dict]]:
    return category_model() + org_units() + users()


def seed(store) -> None:
    """Fill an empty store (a file ``--db`` keeps what it has, so a restart loses nothing); a store from an
    older sandbox gets the seeded users, roles and default sharing it lacks, and nothing else."""
    if not store.is_empty:
        _upgrade(store)
        return
    with store.transaction():
        store.save(seed_objects())
        store.set_password(ADMIN_USERNAME, ADMIN_UID, ADMIN_PASSWORD)
        for username, uid in USER_UIDS.items():
            store.set_password(username, uid, PASSWORD)


def _upgrade(store) -> None:
    with store.transaction():
        missing = [(plural, obj) for plural, obj in users() if store.get(plural, obj["id"]) is None]
        store.save(missing)
        for username, uid in USER_UIDS.items():
            if store.get("users", uid) is not None and not store.has_credentials(username):
                store.set_password(username, uid, PASSWORD)
        option = store.get("categoryOptions", DEFAULT_UIDS["categoryOptions"])
        if option is not None and not option.get("publicAccess"):
            store.save([("categoryOptions", {**option, "publicAccess": "rwrw----"})])
