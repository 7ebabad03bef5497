"""Sharing: who may write metadata, and who may read or write data, for one stored object.

From dhis2-core ``security/acl``:
- access strings (``AccessStringHelper``): 8 characters, ``[0]`` metadata read, ``[1]`` metadata write,
  ``[2]`` data read, ``[3]`` data write (``rwrw----`` = everything public); ``DEFAULT`` is ``--------``,
  ``READ_WRITE`` ``rw------``;
- ``DefaultAclService.resetSharing`` (called by ``DefaultMetadataImportService.preCreateBundleObject`` when
  an imported object has no ``publicAccess``): ``--------``, or ``rw------`` when the user may make the
  class public (``canMakePublic``: a superuser, or the class's ``CREATE_PUBLIC`` authority) and the class
  is not default-private; the owner is the importing user; no user or group accesses. So metadata
  imported without a sharing block gives no one data access but superusers;
- ``DefaultAclService.canDataWrite`` / ``canDataRead``: a superuser (``ALL``) always; else the object's
  public access, a user group access of a group the user belongs to, or a user access to the user,
  with data write (data read: read or write) — the owner is NOT considered for data;
- ``canUpdate`` (metadata): the class's update/create authority and ``checkOwner`` (owner is the user or
  unset) or metadata write through public, group or user access.

Both shapes DHIS2 accepts on import are read: the ``sharing`` block (``public``, ``owner``,
``users``/``userGroups`` as ``{uid: {id, access}}``) and the legacy ``publicAccess``, ``user``,
``userAccesses``/``userGroupAccesses`` lists (``{id or userUid/userGroupUid, access}``); the block wins.
Group membership is the union of the user's ``userGroups`` and the groups whose ``users`` list the user
(DHIS2 keeps one many-to-many; an import may set either side).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dhis2_mch.sandbox.store import Store

DEFAULT = "--------"
READ_WRITE = "rw------"
METADATA_READ, METADATA_WRITE, DATA_READ, DATA_WRITE = range(4)
# classes that carry sharing (Schema.isShareable); COCs, options and sections do not
NOT_SHAREABLE = frozenset({"categoryOptionCombos", "options", "sections", "users", "userRoles"})


@dataclass
class Sharing:
    public: str | None = None
    owner: str | None = None
    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)


def _access_map(value: Any, id_keys: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    for entry in items:
        if not isinstance(entry, dict):
            continue
        uid = next((entry[k] for k in id_keys if isinstance(entry.get(k), str)), None)
        if uid:
            out[uid] = str(entry.get("access") or DEFAULT)
    return out


def read(obj: dict) -> Sharing:
    """The sharing an object carries, from its ``sharing`` block and the legacy properties."""
    found = obj.get("sharing")
    block: dict = found if isinstance(found, dict) else {}
    legacy_owner = obj.get("user")
    s = Sharing(
        public=block.get("public") or obj.get("publicAccess"),
        owner=block.get("owner") or (legacy_owner.get("id") if isinstance(legacy_owner, dict) else None),
        users=_access_map(obj.get("userAccesses"), ("id", "userUid")),
        groups=_access_map(obj.get("userGroupAccesses"), ("id", "userGroupUid")),
    )
    s.users |= _access_map(block.get("users"), ("id",))
    s.groups |= _access_map(block.get("userGroups"), ("id",))
    return s


def with_defaults(plural: str, obj: dict, user: dict, granted: list[str], public_authority: str | None) -> dict:
    """``obj`` as DHIS2 stores it: resetSharing's defaults where the import gave no public access."""
    if plural in NOT_SHAREABLE:
        return obj
    s = read(obj)
    if s.public is None:
        may_make_public = "ALL" in granted or (public_authority is not None and public_authority in granted)
        s.public = READ_WRITE if may_make_public else DEFAULT
    s.owner = s.owner or user.get("id")
    return {
        **obj,
        "publicAccess": s.public,
        "sharing": {
            "owner": s.owner,
            "external": False,
            "public": s.public,
            "users": {uid: {"id": uid, "access": a} for uid, a in s.users.items()},
            "userGroups": {uid: {"id": uid, "access": a} for uid, a in s.groups.items()},
        },
    }


def user_groups(user: dict, store: Store) -> set[str]:
    groups = {ref.get("id") for ref in user.get("userGroups") or [] if isinstance(ref, dict)}
    for uid, group in store.objects("userGroups").items():
        if any(isinstance(r, dict) and r.get("id") == user.get("id") for r in group.get("users") or []):
            groups.add(uid)
    return {g for g in groups if g}


def _enabled(access: str | None, position: int) -> bool:
    """AccessStringHelper.isEnabled: the permission's character is set."""
    return bool(access) and len(str(access)) > position and str(access)[position] in "rw"


def _granted(s: Sharing, user: dict, groups: set[str], position: int) -> bool:
    if _enabled(s.public, position):
        return True
    if any(_enabled(a, position) for g, a in s.groups.items() if g in groups):
        return True
    return _enabled(s.users.get(str(user.get("id"))), position)


def can_data_write(user: dict, granted: list[str], obj: dict, store: Store) -> bool:
    if "ALL" in granted:
        return True
    return _granted(read(obj), user, user_groups(user, store), DATA_WRITE)


def can_data_read(user: dict, granted: list[str], obj: dict, store: Store) -> bool:
    if "ALL" in granted:
        return True
    s, groups = read(obj), user_groups(user, store)
    return _granted(s, user, groups, DATA_READ) or _granted(s, user, groups, DATA_WRITE)


def can_write_metadata(user: dict, obj: dict, store: Store, granted: list[str] | None = None) -> bool:
    """The sharing half of canUpdate/canDelete (the caller checks the authority)."""
    if granted is not None and "ALL" in granted:
        return True
    s = read(obj)
    if s.public is None and s.owner is None and not s.users and not s.groups:
        return True  # an object stored without sharing (the seed): nothing restricts it
    if s.owner is None or s.owner == user.get("id"):
        return True
    return _granted(s, user, user_groups(user, store), METADATA_WRITE)
