"""Sharing in the authoring format: who may see the metadata and who may read and write data.

DHIS2 (2.36 and later, so every version 2.38–2.42) stores sharing as one block on each shareable
object, ``org.hisp.dhis.user.sharing.Sharing``::

    "sharing": {"public": "r-------", "external": false, "owner": <user uid>,
                "users": {<uid>: {"id": <uid>, "access": ...}}, "userGroups": {<uid>: {"id": <uid>, "access": ...}}}

Access strings are ``AccessStringHelper``'s eight characters: metadata read, metadata write, data
read, data write, then four unused dashes (``r-rw----`` = see the form, enter and read data). The
legacy ``publicAccess`` / ``userGroupAccesses`` properties of 2.35 and earlier are still read by
2.38–2.40 (``BaseIdentifiableObject.setPublicAccess`` writes into the block), but when both are sent
the result depends on the order Jackson meets them, so the compiler emits the block only. ``owner``
is left out: DHIS2 makes the importing user the owner.

Two ways to write it, both with **codes** of user groups:

* on any object, ``sharing: {public: r-------, userGroups: {MCH_UG_EMT_COMMUNE: r-rw----}}``;
* in a file's top-level ``sharing:`` list, rules that give one block to many objects of other files
  (``metadata/access/``): ``- objects: {dataSets: [EMT_MONTHLY], programs: [...]}`` plus ``public``,
  ``userGroups`` (and ``users``: UIDs of the instance's users). Rules for one object merge: the
  permissions a group gets are the union, and two different ``public`` strings are an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dhis2_mch.model import findings as f
from dhis2_mch.model.types import BY_PLURAL
from dhis2_mch.model.uid import is_valid_uid

if TYPE_CHECKING:
    from dhis2_mch.package.authoring.compiler import Compiler, Raw

ACCESS = re.compile(r"^[r-][w-][r-][w-]----$")
KEYS = ("public", "external", "userGroups", "users")


def block(compiler: Compiler, raw: Raw, value: Any, location: str | None = None) -> dict[str, Any] | None:
    """An authored sharing mapping → DHIS2's ``sharing`` block (user group codes → UIDs)."""
    where = location or raw.where("sharing")
    if not isinstance(value, Mapping):
        compiler.error(raw, f.BAD_VALUE, "sharing", "`sharing` must be a mapping with public and userGroups", where)
        return None
    for key in value:
        if key not in (*KEYS, "objects", "owner"):
            compiler.unknown_key(value, key, KEYS, "sharing block", raw)
    out: dict[str, Any] = {"external": bool(value.get("external", False)), "users": {}, "userGroups": {}}
    if value.get("public") is not None:
        out["public"] = _access(compiler, raw, "sharing.public", value["public"], where)
    for kind, target in (("userGroups", "userGroup"), ("users", "user")):
        given = value.get(kind) or {}
        if not isinstance(given, Mapping):
            compiler.error(raw, f.BAD_VALUE, f"sharing.{kind}", f"`sharing.{kind}` maps codes to access strings", where)
            continue
        for ident, access in given.items():
            uid = _uid(compiler, raw, kind, str(ident), target, where)
            checked = _access(compiler, raw, f"sharing.{kind}.{ident}", access, where)
            if uid and checked:
                out[kind][uid] = {"id": uid, "access": checked}
    # an empty map is left out, so a block compares equal to a server copy that has more grants (the
    # plan compares only what the package states) and a WHO object's own grants are not reported as changes
    return {k: v for k, v in out.items() if v != {}}


def _access(compiler: Compiler, raw: Raw, prop: str, value: Any, where: str | None) -> str | None:
    if isinstance(value, str) and ACCESS.match(value):
        return value
    compiler.error(raw, f.BAD_VALUE, prop,
                   f"`{value}` is not a DHIS2 access string: 8 characters, metadata read/write then data read/write "
                   "then four dashes (r-rw---- = see the form, read and enter data)", where)  # fmt: skip
    return None


def _uid(compiler: Compiler, raw: Raw, kind: str, ident: str, target: str, where: str | None) -> str | None:
    hit = compiler.index.get((target, ident))
    if hit is not None:
        return hit.uid
    if is_valid_uid(ident):
        return ident  # an object of the instance, named by UID
    what = "user group code" if kind == "userGroups" else "user UID"
    compiler.error(raw, "E5002", f"sharing.{kind}", f"Invalid reference `{ident}` in sharing: no {what} like it", where)
    return None


def collect(compiler: Compiler, doc: Mapping[str, Any], value: Any) -> None:
    """A file's top-level ``sharing:`` rules, applied by ``apply`` once every object is known."""
    if not isinstance(value, list):
        compiler.findings.append(
            f.error(f.BAD_VALUE, "sharing", None, None, "sharing",
                    "top-level `sharing` is a list of rules (objects: ..., public: ..., userGroups: ...)",
                    _where(doc, "sharing"))
        )  # fmt: skip
        return
    compiler.sharing_rules.extend(value)


def apply(compiler: Compiler) -> None:
    """Give every object named by a rule its block, merged with what it already has."""
    for rule in compiler.sharing_rules:
        objects = rule.get("objects") if isinstance(rule, Mapping) else None
        if not isinstance(objects, Mapping):
            compiler.findings.append(
                f.error(f.BAD_VALUE, "sharing", None, None, "objects",
                        "each sharing rule names its `objects`: {dataSets: [codes], programs: [codes], ...}",
                        _where(rule, "objects") if isinstance(rule, Mapping) else None)
            )  # fmt: skip
            continue
        for plural, codes in objects.items():
            mtype = BY_PLURAL.get(plural)
            for code in codes if isinstance(codes, list) else []:
                raw = compiler.index.get((mtype.name, str(code))) if mtype else None
                if raw is None:
                    compiler.findings.append(
                        f.error("E5002", mtype.name if mtype else plural, None, None, "sharing.objects",
                                f"sharing rule names {plural} `{code}`, which the package does not define",
                                _where(objects, plural))
                    )  # fmt: skip
                    continue
                given = block(compiler, raw, rule, _where(rule, "objects"))
                if given is not None:
                    raw.out["sharing"] = _merge(compiler, raw, raw.out.get("sharing"), given)


def _merge(compiler: Compiler, raw: Raw, have: dict[str, Any] | None, given: dict[str, Any]) -> dict[str, Any]:
    if not have:
        return given
    if "public" in have and "public" in given and have["public"] != given["public"]:
        compiler.error(raw, f.BAD_VALUE, "sharing.public",
                       f"two sharing rules give this object different public access "
                       f"({have['public']} and {given['public']})")  # fmt: skip
    out = {**have, "public": have.get("public", given.get("public"))}
    for kind in ("users", "userGroups"):
        merged = dict(have.get(kind) or {})
        for uid, entry in (given.get(kind) or {}).items():
            old = merged.get(uid, {}).get("access", "--------")
            access = "".join(a if a != "-" else b for a, b in zip(old, entry["access"], strict=True))
            merged[uid] = {"id": uid, "access": access}
        out[kind] = merged
    return {k: v for k, v in out.items() if v is not None}


def _where(data: Any, key: str) -> str | None:
    locate = getattr(data, "where", None)
    return locate(key) if locate is not None else None
