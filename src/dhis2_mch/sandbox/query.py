"""The read side of DHIS2's metadata API as pure functions: ``fields``, ``filter``, ``order``, paging.

Syntax from the DHIS2 developer docs (``web-api/metadata.md``, fields and filters):
- ``fields=id,name,categoryCombo[id,name]``, ``*``/``:all``/``:owner``/``:persisted`` (every stored
  property, references as ``{"id"}``), ``:identifiable``, ``:nameable``, ``!field`` to drop one,
  ``name~rename(label)``; a nested list on a reference expands the referenced object.
- ``filter=property:operator:value``, dotted paths through references and lists
  (``dataSetElements.dataSet.id:eq:X``), operators eq !eq ne ieq like !like $like !$like like$ !like$
  ilike !ilike $ilike !$ilike ilike$ !ilike$ gt ge lt le null !null empty !empty token !token in !in;
  several filters are ANDed unless ``rootJunction=OR``; on a list a filter matches if any element does.
- ``paging=false`` drops the ``pager``; else ``page`` (1) and ``pageSize`` (50).

unverified: the default order of a list (the sandbox sorts by name, then id) and the exact
``nextPage``/``prevPage`` URLs (present only when such a page exists).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from dhis2_mch.sandbox.klasses import BY_PLURAL

Resolver = Callable[[str], dict | None]

IDENTIFIABLE = ("id", "name", "code", "created", "lastUpdated", "lastUpdatedBy")
NAMEABLE = (*IDENTIFIABLE, "shortName", "description")
ALL_PRESETS = frozenset({"*", ":all", ":owner", ":persisted"})


# --- fields -------------------------------------------------------------------------------------


def parse_fields(text: str | None) -> list[tuple[str, list | None]]:
    """``"id,a[b,c[d]]"`` -> ``[("id", None), ("a", [("b", None), ("c", [("d", None)])])]``."""
    items: list[tuple[str, list | None]] = []
    text = (text or "").strip()
    i, name = 0, ""
    while i < len(text):
        ch = text[i]
        if ch in "[(":
            close = "]" if ch == "[" else ")"
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {ch: 1, close: -1}.get(text[j], 0)
                j += 1
            inner = text[i + 1 : j - 1]
            if ch == "[":
                items.append((name.strip(), parse_fields(inner)))
                name = ""
            else:  # a transformer argument such as ~rename(x): keep it in the name
                name += text[i:j]
            i = j
            continue
        if ch == ",":
            if name.strip():
                items.append((name.strip(), None))
            name = ""
        else:
            name += ch
        i += 1
    if name.strip():
        items.append((name.strip(), None))
    return items


def display_value(obj: dict, key: str):
    """DHIS2's computed ``display*`` properties (no translations in the sandbox)."""
    if key == "displayName":
        return obj.get("displayName") or obj.get("name")
    if key == "displayShortName":
        return obj.get("shortName") or obj.get("name")
    if key == "displayFormName":
        return obj.get("formName") or obj.get("name")
    if key == "displayDescription":
        return obj.get("description")
    return None


def apply_fields(obj: dict, spec: list[tuple[str, list | None]], resolve: Resolver | None = None) -> dict:
    """Project ``obj`` through a parsed ``fields`` spec; absent properties are left out (NON_NULL)."""
    out: dict = {}
    excluded = {name[1:] for name, _ in spec if name.startswith("!")}
    for name, sub in spec:
        if name.startswith("!"):
            continue
        if name in ALL_PRESETS:
            for k, v in obj.items():
                out.setdefault(k, v)
            continue
        if name in (":identifiable", ":nameable"):
            for k in IDENTIFIABLE if name == ":identifiable" else NAMEABLE:
                if obj.get(k) is not None:
                    out.setdefault(k, obj[k])
            continue
        key, _, transform = name.partition("~")
        label = transform[len("rename(") : -1] if transform.startswith("rename(") and transform.endswith(")") else key
        value = obj.get(key)
        if value is None:
            value = display_value(obj, key)
        if value is None:
            continue
        if sub is not None:
            value = _nested(value, sub, resolve)
        if transform == "size" and isinstance(value, list):
            value = len(value)
        out[label] = value
    for k in excluded:
        out.pop(k, None)
    return out


def _nested(value, sub, resolve: Resolver | None):
    if isinstance(value, list):
        return [_nested(v, sub, resolve) for v in value]
    if isinstance(value, dict):
        full = value
        if resolve and set(value) <= {"id", "code", "name"} and value.get("id"):
            full = resolve(value["id"]) or value
        return apply_fields(full, sub, resolve)
    return value


# --- filters ------------------------------------------------------------------------------------


# DefaultJpaQueryParser.getRestriction (2.38–2.41) / DefaultQueryParser (2.42, adds ieq and !empty)
OPERATORS = frozenset(
    {"eq", "!eq", "ne", "neq", "gt", "lt", "gte", "ge", "lte", "le", "like", "!like", "$like", "!$like", "like$",
     "!like$", "ilike", "!ilike", "startsWith", "$ilike", "!$ilike", "token", "!token", "endsWith", "ilike$",
     "!ilike$", "in", "!in", "null", "!null", "empty"}
)  # fmt: skip
OPERATORS_2_42 = OPERATORS | {"ieq", "!empty"}
ALIASES = {"gte": "ge", "lte": "le", "startsWith": "$like", "endsWith": "like$", "neq": "!eq", "ne": "!eq"}
# properties every identifiable/nameable schema has (BaseIdentifiableObject, BaseNameableObject)
IDENTIFIABLE_PROPERTIES = frozenset(
    {"id", "code", "name", "displayName", "created", "lastUpdated", "createdBy", "lastUpdatedBy", "href",
     "shortName", "displayShortName", "description", "displayDescription", "formName", "displayFormName",
     "translations", "attributeValues", "sharing", "publicAccess", "user", "access", "favorite", "favorites",
     "externalAccess", "userAccesses", "userGroupAccesses",
     # properties of the classes dhis2-mch reads, present on their schemas even where no object has them yet
     "level", "path", "parent", "children", "openingDate", "closedDate", "valueType", "domainType",
     "aggregationType", "zeroIsSignificant", "categoryCombo", "categoryOptions", "categories", "optionSet",
     "options", "periodType", "dataSetElements", "organisationUnits", "dataElements", "programType", "program",
     "programStages", "dataDimensionType", "username", "userCredentials", "userRoles", "userGroups", "users",
     "legendSets", "groupSets", "dataSet", "indicatorType", "numerator", "denominator"}
)  # fmt: skip
_UID = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")


def filter_error(filters: list[str], known: set[str] | frozenset[str], minor: int) -> str | None:
    """The QueryParserException message DHIS2 gives for the first bad filter, or None (answered 409).

    "Invalid filter => f" without an operator; "Unknown path property: p" for a property the class does
    not have (a UID is an attribute filter); "`op` is not a valid operator." (DefaultJpaQueryParser.parse,
    getRestriction). ``known`` approximates the schema: the identifiable properties, the class's
    properties in ``klasses.py`` and every property a stored object of the class carries."""
    operators = OPERATORS_2_42 if minor >= 42 else OPERATORS
    for text in filters:
        split = text.split(":")
        if len(split) < 2:
            return f"Invalid filter => {text}"
        path, op = split[0], split[1]
        if path != "identifiable" and path.split(".")[0] not in known and not _UID.match(path[path.find(".") + 1 :]):
            return f"Unknown path property: {path}"
        if op not in operators:
            return f"`{op}` is not a valid operator."
    return None


def parse_filter(text: str) -> tuple[str, str, str | None]:
    path, _, rest = text.partition(":")
    op, sep, value = rest.partition(":")
    return path, op, (value if sep else None)


def _values(obj, path: list[str], resolve: Resolver | None) -> list:
    """Every value at the dotted ``path``, flattening lists and following ``{"id"}`` references."""
    current = [obj]
    for step in path:
        nxt = []
        for item in current:
            item_list = item if isinstance(item, list) else [item]
            for it in item_list:
                if not isinstance(it, dict):
                    continue
                if step not in it and resolve and it.get("id") and set(it) <= {"id", "code", "name"}:
                    it = resolve(it["id"]) or it
                v = it.get(step)
                if v is None and step.startswith("display"):
                    v = display_value(it, step)
                if isinstance(v, list) and step != path[-1]:
                    nxt.extend(v)
                else:
                    nxt.append(v)
        current = nxt
    return current


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _compare(a, b: str) -> float | None:
    try:
        return float(_text(a)) - float(b)
    except ValueError:
        ta = _text(a)
        return None if ta is None else (ta > b) - (ta < b)


def _match_one(v, op: str, value: str | None) -> bool:
    text = _text(v)
    arg = value or ""
    if op in ("eq",):
        return text == arg
    if op in ("!eq", "ne", "neq"):
        return text != arg
    if op == "ieq":
        return text.lower() == arg.lower()
    if op == "like":
        return arg in text
    if op == "$like":
        return text.startswith(arg)
    if op == "like$":
        return text.endswith(arg)
    if op == "ilike":
        return arg.lower() in text.lower()
    if op == "$ilike":
        return text.lower().startswith(arg.lower())
    if op == "ilike$":
        return text.lower().endswith(arg.lower())
    if op == "in":
        return text in _list_arg(arg)
    if op == "token":
        return all(t in text.lower() for t in arg.lower().split())
    if op in ("gt", "ge", "lt", "le"):
        diff = _compare(v, arg)
        if diff is None or v is None:
            return False
        return {"gt": diff > 0, "ge": diff >= 0, "lt": diff < 0, "le": diff <= 0}[op]
    raise ValueError(f"Unsupported operator: {op}")


def _list_arg(arg: str) -> set[str]:
    arg = arg.strip()
    if arg.startswith("[") and arg.endswith("]"):
        arg = arg[1:-1]
    return {a.strip() for a in arg.split(",")}


def matches(obj: dict, text: str, resolve: Resolver | None = None) -> bool:
    path, op, value = parse_filter(text)
    op = ALIASES.get(op, op)
    if path == "identifiable":
        return any(matches(obj, f"{p}:{op}:{value or ''}", resolve) for p in ("id", "code", "name", "shortName"))
    if path == "displayName":
        path = "name"
    found = _values(obj, path.split("."), resolve)
    if op == "null":
        return all(v is None for v in found)
    if op == "!null":
        return any(v is not None for v in found)
    if op in ("empty", "!empty"):
        empty = all(v in (None, [], "") for v in found)
        return empty if op == "empty" else not empty
    if op.startswith("!") and op not in ("!eq",):
        return not any(v is not None and _match_one(v, op[1:], value) for v in found)
    if op == "!eq":
        return not any(_match_one(v, "eq", value) for v in found)
    return any(v is not None and _match_one(v, op, value) for v in found)


def filter_objects(objs: list[dict], filters: list[str], junction: str = "AND", resolve: Resolver | None = None):
    if not filters:
        return list(objs)
    combine = any if junction.upper() == "OR" else all
    return [o for o in objs if combine(matches(o, f, resolve) for f in filters)]


# --- order and paging ---------------------------------------------------------------------------


def order_objects(objs: list[dict], order: str | None) -> list[dict]:
    if not order:
        return sorted(objs, key=lambda o: (_text(o.get("name")), _text(o.get("id"))))
    out = list(objs)
    for part in reversed([p for p in order.split(",") if p]):
        prop, _, direction = part.partition(":")
        direction = direction or "asc"
        fold = direction.startswith("i")

        def key(o: dict, prop: str = prop, fold: bool = fold) -> tuple[bool, str]:
            return (o.get(prop) is None, _text(o.get(prop)).lower() if fold else _text(o.get(prop)))

        out.sort(key=key, reverse=direction.endswith("desc"))
    return out


def page(objs: list, *, paging: bool, page_no: int, page_size: int, link: Callable[[int], str] | None = None):
    """``(items, pager)``; ``pager`` is None when ``paging`` is false (DHIS2 then omits the key)."""
    if not paging:
        return objs, None
    page_size = max(page_size, 1)
    total = len(objs)
    page_count = max(math.ceil(total / page_size), 1)
    page_no = max(page_no, 1)
    items = objs[(page_no - 1) * page_size : page_no * page_size]
    pager: dict = {"page": page_no, "pageCount": page_count, "total": total, "pageSize": page_size}
    if link and page_no < page_count:
        pager["nextPage"] = link(page_no + 1)
    if link and 1 < page_no <= page_count:
        pager["prevPage"] = link(page_no - 1)
    return items, pager


def known_properties(plural: str, objs: list[dict]) -> set[str]:
    """What ``filter`` may name on ``plural``: see ``query.filter_error``."""
    props = set(IDENTIFIABLE_PROPERTIES)
    klass = BY_PLURAL.get(plural)
    if klass is not None:
        props |= set(klass.required) | set(klass.unique) | set(klass.lengths)
        props |= {path.split("[")[0].split(".")[0] for path, _ in klass.refs}
    for obj in objs:
        props.update(obj)
    return props
