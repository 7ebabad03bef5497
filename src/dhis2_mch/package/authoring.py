"""Load the YAML authoring format (``metadata/``) into the typed model.

The format is DHIS2's own JSON vocabulary with three conveniences (see ``metadata/README.md``):

* objects refer to each other by **code** (``categoryCombo: MCH_SEX``) instead of ``{"id": uid}``;
  indicator expressions too (``#{F1000_U2_UNDERWEIGHT}``); UIDs are derived from codes
  (``model/uid.py``) unless pinned with ``id:``;
* translatable texts are written ``name: {en: ..., vi: ...}`` beside each other;
* children that only exist inside a parent are written inline (an option set's options, a data
  set's sections, a program's stages), and DHIS2's defaults are filled in (built-in ones below,
  overridable per file under ``defaults:``).

Problems in the content become findings with ``file:line``; only an unreadable or malformed file
stops the load (InputError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dhis2_mch.errors import InputError
from dhis2_mch.model.categories import combinations, combo_name
from dhis2_mch.model.enums import NUMERIC_VALUE_TYPES
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.types import BY_NAME, BY_PLURAL, DEFAULT_UIDS, ORDER, MetadataType
from dhis2_mch.model.uid import derive_uid, is_valid_uid
from dhis2_mch.package.jsonfile import pydantic_problems
from dhis2_mch.package.yamlio import LocatedDict, read_yaml
from dhis2_mch.validate import findings as f
from dhis2_mch.validate.conventions import translation_property

BASE_LOCALE = "en"

#: collections a file may define at top level
TOP_LEVEL = (
    "categoryOptions", "categories", "categoryCombos", "optionSets", "dataElements", "dataElementGroups",
    "indicatorTypes", "indicators", "indicatorGroups", "dataSets", "organisationUnitGroups",
    "organisationUnitGroupSets", "trackedEntityTypes", "trackedEntityAttributes", "programs",
    "programIndicators", "programStageSections", "programSections", "programRuleVariables", "programRules",
    "programRuleActions", "legendSets", "constants", "validationRules", "validationRuleGroups", "predictors",
    "predictorGroups", "visualizations", "dashboards", "userGroups",
)  # fmt: skip

#: (parent collection, key) -> child collection written inline in the parent
INLINE = {
    ("optionSets", "options"): "options",
    ("dataSets", "sections"): "sections",
    ("programs", "programStages"): "programStages",
    ("programs", "programSections"): "programSections",
    ("programStages", "programStageSections"): "programStageSections",
    ("programRules", "programRuleActions"): "programRuleActions",
}

#: DHIS2's defaults, filled in where the author wrote nothing (a file's ``defaults:`` overrides them)
BUILTIN_DEFAULTS: dict[str, dict[str, Any]] = {
    "categories": {"dataDimensionType": "DISAGGREGATION", "dataDimension": True},
    "categoryCombos": {"dataDimensionType": "DISAGGREGATION", "skipTotal": False},
    "dataElements": {
        "domainType": "AGGREGATE",
        "valueType": "INTEGER_ZERO_OR_POSITIVE",
        "zeroIsSignificant": False,
        "categoryCombo": "default",
    },
    "dataSets": {"categoryCombo": "default", "openFuturePeriods": 0, "expiryDays": 0, "timelyDays": 15},
    "indicators": {"annualized": False},
    "indicatorTypes": {"number": False},
    "optionSets": {"valueType": "TEXT"},
    "programs": {"categoryCombo": "default"},
    "programStages": {"repeatable": False},
    "trackedEntityAttributes": {"valueType": "TEXT", "aggregationType": "NONE"},
    "programIndicators": {"analyticsType": "EVENT"},
}

#: nested lists whose items are a code or a mapping naming one: key -> (item reference key, target type)
NESTED = {
    ("dataSets", "dataSetElements"): ("dataElement", "dataElement"),
    ("programStages", "programStageDataElements"): ("dataElement", "dataElement"),
    ("programs", "programTrackedEntityAttributes"): ("trackedEntityAttribute", "trackedEntityAttribute"),
    ("trackedEntityTypes", "trackedEntityTypeAttributes"): ("trackedEntityAttribute", "trackedEntityAttribute"),
}
NESTED_ITEM_REFS = {"categoryCombo": "categoryCombo"}  # other references an item may carry

EXPRESSIONS = {("indicators", "numerator"), ("indicators", "denominator"),
               ("programIndicators", "expression"), ("programIndicators", "filter"),
               # {expression: ...} objects: a validation rule's sides, a predictor's generator and skip test
               ("validationRules", "leftSide"), ("validationRules", "rightSide"),
               ("predictors", "generator"), ("predictors", "sampleSkipTest")}  # fmt: skip
TOKEN = re.compile(r"(#|[A-Z]{1,3})\{([^{}]*)\}")


@dataclass
class Raw:
    """One authored object before conversion: its mapping, where it sits, and its identity."""

    mtype: MetadataType
    data: LocatedDict
    defaults: dict[str, Any]
    code: str | None
    uid: str | None
    parent: Raw | None = None
    position: int = 0
    children: dict[str, list[Raw]] = field(default_factory=dict)
    out: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        name = self.data.get("name")
        return name.get(BASE_LOCALE) if isinstance(name, dict) else name


def load_project(root: Path) -> tuple[Metadata, list[f.Finding]]:
    """Every ``*.yaml`` under ``root`` (sorted by path), as one package."""
    if not root.is_dir():
        raise InputError(f"{root}: not a folder of metadata YAML files.")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise InputError(f"{root}: no .yaml files found; expected the metadata authoring format here.")
    loader = _Loader()
    for path in files:
        loader.read_file(path, _display(path))
    return loader.finish()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Loader:
    def __init__(self) -> None:
        self.raws: list[Raw] = []
        self.findings: list[f.Finding] = []
        self.index: dict[tuple[str, str], Raw] = {}  # (type name, code) -> object
        self.package: dict[str, Any] | None = None

    # ---- reading ---------------------------------------------------------------------------------

    def read_file(self, path: Path, display: str) -> None:
        doc = read_yaml(path, display)
        if doc is None:
            return
        if not isinstance(doc, LocatedDict):
            raise InputError(
                f"{display}: expected a mapping of collections (dataElements:, dataSets: ...) at the top, "
                f"found a {type(doc).__name__}."
            )
        defaults = self._file_defaults(doc)
        for key, value in doc.items():
            if key in ("defaults", "package"):
                if key == "package":
                    self._read_package(doc, value)
                continue
            if key not in TOP_LEVEL:
                self._unknown_key(doc, key, (*TOP_LEVEL, "defaults", "package"), "file", None)
                continue
            self._read_collection(doc, key, value, BY_PLURAL[key], defaults, parent=None)

    def _file_defaults(self, doc: LocatedDict) -> dict[str, dict]:
        given = doc.get("defaults") or {}
        if not isinstance(given, dict):
            raise InputError(f"{doc.where('defaults')}: `defaults` must map collections to default properties.")
        merged = {k: dict(v) for k, v in BUILTIN_DEFAULTS.items()}
        for plural, props in given.items():
            if plural not in BY_PLURAL or not isinstance(props, dict):
                raise InputError(
                    f"{given.where(plural)}: `defaults.{plural}` must be a known collection "
                    f"(dataElements, dataSets ...) mapping to properties."
                )
            merged.setdefault(plural, {}).update(props)
        return merged

    def _read_package(self, doc: LocatedDict, value: Any) -> None:
        if not isinstance(value, dict):
            raise InputError(f"{doc.where('package')}: `package` must be a mapping (code, name, version ...).")
        if self.package is not None:
            raise InputError(f"{doc.where('package')}: a second `package` block; keep one, in metadata/package.yaml.")
        self.package = dict(value)

    def _read_collection(self, doc, key, items, mtype, defaults, parent: Raw | None) -> list[Raw]:
        if not isinstance(items, list):
            raise InputError(f"{doc.where(key)}: `{key}` must be a list of objects (each starting with `- `).")
        out = []
        for position, data in enumerate(items):
            if not isinstance(data, LocatedDict):
                raise InputError(f"{doc.where(key)}: item {position + 1} of `{key}` is not a mapping.")
            raw = self._identify(mtype, data, defaults, parent, position)
            if raw is None:
                continue
            for (parent_plural, child_key), child_plural in INLINE.items():
                if parent_plural == mtype.plural and child_key in data:
                    raw.children[child_key] = self._read_collection(
                        data, child_key, data[child_key], BY_PLURAL[child_plural], defaults, parent=raw
                    )
            out.append(raw)
        return out

    def _identify(self, mtype, data, defaults, parent, position) -> Raw | None:
        code = data.get("code")
        if not isinstance(code, str) or not code.strip():
            self.findings.append(
                f.error("E4000", mtype.name, data.get("id"), _base(data.get("name")), "code",
                        "Missing required property `code` (dhis2-mch derives the UID from it)", data.where())
            )  # fmt: skip
            return None
        code = code.strip()
        pinned = data.get("id")
        if pinned is not None:
            uid = pinned
        elif mtype.name == "option":
            uid = derive_uid("option", parent.code, code)
        else:
            uid = derive_uid(mtype.name, code)
        raw = Raw(mtype, data, defaults.get(mtype.plural, {}), code, uid, parent, position)
        key = (mtype.name, f"{parent.code}/{code}" if mtype.name == "option" else code)
        if key in self.index:
            first = self.index[key]
            self.findings.append(
                f.error("E5003", mtype.name, uid, raw.name, "code",
                        f"Property `code` with value `{code}` already exists on the {mtype.name} at "
                        f"{first.data.where('code')}; codes are unique per type", data.where("code"))
            )  # fmt: skip
            return None
        self.index[key] = raw
        self.raws.append(raw)
        return raw

    # ---- converting ------------------------------------------------------------------------------

    def finish(self) -> tuple[Metadata, list[f.Finding]]:
        for raw in self.raws:
            self._convert(raw)
        cocs = self._option_combos()
        for raw in self.raws:
            for key in [k for k in raw.out if (raw.mtype.plural, k) in EXPRESSIONS]:
                value = raw.out[key]
                if isinstance(value, dict):
                    raw.out[key] = {**value, "expression": self._expression(raw, key, value.get("expression"), cocs)}
                else:
                    raw.out[key] = self._expression(raw, key, value, cocs)

        md = Metadata()
        if self.package is not None:
            md.extras["package"] = self.package
            md.key_order.append("package")
        typed = []
        for raw in self.raws:
            try:
                typed.append((raw, raw.mtype.model.model_validate(raw.out)))
            except ValidationError as exc:
                for prop, msg in pydantic_problems(exc):
                    self._error(raw, f.BAD_VALUE, prop, msg)
        for raw, obj in sorted(typed, key=lambda t: (ORDER[t[0].mtype.plural], t[0].code or "", t[0].uid)):
            md.add(raw.mtype.plural, obj, raw.data.where())
        for obj, origin in cocs.objects:
            md.add("categoryOptionCombos", BY_NAME["categoryOptionCombo"].model.model_validate(obj), origin)
        md.key_order.sort(key=lambda k: -1 if k == "package" else ORDER.get(k, len(ORDER)))
        return md, self.findings

    def _convert(self, raw: Raw) -> None:
        mtype, data = raw.mtype, raw.data
        model_fields = mtype.model.model_fields
        out: dict[str, Any] = {"id": raw.uid, "code": raw.code}
        translations: list[dict[str, str]] = []
        simple_refs = {s.path: s.target for s in mtype.refs if "." not in s.path}
        for key, value in {**raw.defaults, **data}.items():
            if key in ("id", "code") or (mtype.plural, key) in INLINE:
                continue
            if key in mtype.model.TRANSLATABLE:
                out[key] = self._translatable(raw, key, value, translations)
            elif key in simple_refs:
                out[key] = self._ref(raw, key, value, simple_refs[key])
            elif key + "[]" in simple_refs:
                out[key] = self._refs(raw, key, value, simple_refs[key + "[]"])
            elif (mtype.plural, key) in NESTED:
                out[key] = self._nested(raw, key, value)
            elif key in model_fields and key != "translations":
                out[key] = value
            else:
                allowed = [k for k in model_fields if k != "translations"]
                allowed += [k for (p, k) in INLINE if p == mtype.plural]
                self._unknown_key(data, key, allowed, mtype.name, raw)
        if translations:
            out["translations"] = sorted(translations, key=lambda t: (t["property"], t["locale"]))
        self._derived(raw, out)
        raw.out = {k: v for k, v in out.items() if v is not None}

    def _derived(self, raw: Raw, out: dict[str, Any]) -> None:
        """Defaults that depend on other properties, and the links between parents and inline children."""
        name = raw.mtype.name
        if name in ("dataElement", "trackedEntityAttribute") and "aggregationType" not in out:
            out["aggregationType"] = "SUM" if out.get("valueType") in NUMERIC_VALUE_TYPES else "NONE"
        if name == "program" and "programType" not in out:
            out["programType"] = "WITH_REGISTRATION" if out.get("trackedEntityType") else "WITHOUT_REGISTRATION"
        if name == "dataSet":
            for dse in out.get("dataSetElements") or []:
                dse["dataSet"] = {"id": raw.uid}
        if name == "programStage":
            for psde in out.get("programStageDataElements") or []:
                psde["programStage"] = {"id": raw.uid}
        if name == "program":
            for ptea in out.get("programTrackedEntityAttributes") or []:
                ptea["program"] = {"id": raw.uid}
        parent_ref = {"option": "optionSet", "section": "dataSet", "programStage": "program",
                      "programSection": "program", "programStageSection": "programStage",
                      "programRuleAction": "programRule"}.get(name)  # fmt: skip
        if parent_ref and raw.parent is not None:
            out[parent_ref] = {"id": raw.parent.uid}
            if "sortOrder" in raw.mtype.model.model_fields:
                out.setdefault("sortOrder", raw.position + 1)
        for child_key, children in raw.children.items():
            out[child_key] = [{"id": c.uid} for c in children]

    def _translatable(self, raw: Raw, key: str, value: Any, translations: list) -> str | None:
        if isinstance(value, str) or value is None:
            return _clean(key, value) if isinstance(value, str) else None
        if not isinstance(value, dict) or BASE_LOCALE not in value:
            self._error(raw, f.BAD_VALUE, key,
                        f"`{key}` must be a text or a mapping of locales with `{BASE_LOCALE}` (e.g. en: ..., vi: ...)",
                        raw.data.where(key))  # fmt: skip
            return None
        for locale, text in value.items():
            if not isinstance(text, str) or not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z]{2,4})?", str(locale)):
                self._error(raw, f.BAD_VALUE, key,
                            f"`{key}.{locale}` must be a locale code (vi, fr, pt_BR) mapping to a text",
                            raw.data.where(key))  # fmt: skip
                continue
            if locale != BASE_LOCALE:
                translations.append(
                    {"locale": locale, "property": translation_property(key), "value": _clean(key, text)}
                )
        base = value.get(BASE_LOCALE)
        return _clean(key, base) if isinstance(base, str) else None

    def _ref(self, raw: Raw, key: str, value: Any, target: str) -> dict | None:
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return {"id": value["id"]}  # explicit UID of an object that lives on the instance
        if isinstance(value, str):
            if value == "default" and target in DEFAULT_UIDS:
                return {"id": DEFAULT_UIDS[target]}
            hit = self.index.get((target, value))
            if hit is not None:
                return {"id": hit.uid}
            codes = [c for (t, c) in self.index if t == target]
            close = get_close_matches(value, codes, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            self._error(raw, "E5002", key, f"Invalid reference `{value}` for association `{key}`: "
                        f"no {target} has this code{hint}", raw.data.where(key))  # fmt: skip
            return None
        self._error(raw, f.BAD_VALUE, key, f"`{key}` must be the code of a {target}", raw.data.where(key))
        return None

    def _refs(self, raw: Raw, key: str, value: Any, target: str) -> list | None:
        if not isinstance(value, list):
            self._error(raw, f.BAD_VALUE, key, f"`{key}` must be a list of {target} codes", raw.data.where(key))
            return None
        return [r for r in (self._ref(raw, key, v, target) for v in value) if r is not None]

    def _nested(self, raw: Raw, key: str, value: Any) -> list | None:
        item_key, target = NESTED[(raw.mtype.plural, key)]
        if not isinstance(value, list):
            self._error(raw, f.BAD_VALUE, key, f"`{key}` must be a list", raw.data.where(key))
            return None
        items = []
        for entry in value:
            entry = {item_key: entry} if isinstance(entry, str) else dict(entry) if isinstance(entry, dict) else None
            if entry is None or item_key not in entry:
                self._error(raw, f.BAD_VALUE, key, f"each `{key}` item is a {target} code or a mapping "
                            f"with `{item_key}`", raw.data.where(key))  # fmt: skip
                continue
            code = entry[item_key]
            item = {item_key: self._ref(raw, key, code, target)}
            if item[item_key] is None:
                continue
            for k, v in entry.items():
                if k in NESTED_ITEM_REFS:
                    item[k] = self._ref(raw, key, v, NESTED_ITEM_REFS[k])
                elif k != item_key:
                    item[k] = v
            if key == "programStageDataElements":
                item = {"id": derive_uid("programStageDataElement", raw.code, code), **item}
                item.setdefault("sortOrder", len(items) + 1)
                item.setdefault("compulsory", False)
            elif key == "programTrackedEntityAttributes":
                item = {"id": derive_uid("programTrackedEntityAttribute", raw.code, code), **item}
                item.setdefault("sortOrder", len(items) + 1)
            elif key == "trackedEntityTypeAttributes":
                item = {"id": derive_uid("trackedEntityTypeAttribute", raw.code, code), **item}
            items.append(item)
        return items

    # ---- category option combos --------------------------------------------------------------------

    def _option_combos(self) -> _Combos:
        """Generate every combo's option combos with derived UIDs, as DHIS2 would (but stable)."""
        combos = _Combos()
        by_uid = {raw.uid: raw for raw in self.raws}
        for raw in self.raws:
            if raw.mtype.name != "categoryCombo" or not raw.out.get("categories"):
                continue
            categories = [by_uid.get(r["id"]) for r in raw.out["categories"]]
            if any(c is None for c in categories):
                continue  # unresolved category: already reported
            option_lists = [[by_uid[r["id"]] for r in c.out.get("categoryOptions") or [] if r["id"] in by_uid]
                            for c in categories]  # fmt: skip
            for options in combinations(option_lists):
                codes = [o.code for o in options]
                coc = {
                    "id": derive_uid("categoryOptionCombo", raw.code, *codes),
                    "name": combo_name([o.out.get("name") or o.code for o in options]),
                    "categoryCombo": {"id": raw.uid},
                    "categoryOptions": [{"id": o.uid} for o in options],
                }
                vi = [_translation(o.out, "NAME", "vi") for o in options]
                if all(vi):
                    coc["translations"] = [{"locale": "vi", "property": "NAME", "value": combo_name(vi)}]
                combos.objects.append((coc, raw.data.where("categories")))
                combos.by_options[(raw.uid, frozenset(codes))] = coc["id"]
        return combos

    # ---- expressions ---------------------------------------------------------------------------------

    def _expression(self, raw: Raw, key: str, expr: Any, cocs: _Combos) -> Any:
        if not isinstance(expr, str):
            return expr
        is_pi = raw.mtype.name == "programIndicator"

        def replace(m: re.Match) -> str:
            prefix, parts = m.group(1), m.group(2).strip().split(".")
            if prefix == "#" and is_pi:
                kinds = ["programStage", "dataElement"]
            else:
                kinds = {"#": ["dataElement", "coc", "coc"], "I": ["programIndicator"], "D": ["program", "dataElement"],
                         "OUG": ["organisationUnitGroup"], "N": ["indicator"], "R": ["dataSet", None],
                         "A": ["program", "trackedEntityAttribute"] if len(parts) == 2 else ["trackedEntityAttribute"],
                         }.get(prefix)  # fmt: skip
            if kinds is None:
                return m.group(0)
            resolved = []
            for i, part in enumerate(parts):
                kind = kinds[i] if i < len(kinds) else None
                if kind == "coc":
                    resolved.append(self._coc(raw, key, m.group(0), parts[0], part, cocs))
                elif kind is None:
                    resolved.append(part)
                else:
                    resolved.append(self._code_in_expression(raw, key, m.group(0), kind, part))
            return f"{prefix}{{{'.'.join(resolved)}}}"

        return TOKEN.sub(replace, expr)

    def _code_in_expression(self, raw, key, token, kind, part) -> str:
        hit = self.index.get((kind, part))
        if hit is not None:
            return hit.uid
        if not is_valid_uid(part):
            self._error(raw, f.BAD_EXPRESSION, key, f"`{token}`: no {kind} has the code `{part}`", raw.data.where(key))
        return part  # a UID (of an object outside the package) is left for the validator

    def _coc(self, raw, key, token, de_code, part, cocs: _Combos) -> str:
        """An option combo written as its option codes joined by ``+`` (any order), or ``default``."""
        if part == "*":
            return part
        if part == "default":
            return DEFAULT_UIDS["categoryOptionCombo"]
        de = self.index.get(("dataElement", de_code))
        combo_uid = (de.out.get("categoryCombo") or {}).get("id") if de else None
        found = cocs.by_options.get((combo_uid, frozenset(p.strip() for p in part.split("+"))))
        if found is not None:
            return found
        if not is_valid_uid(part):
            self._error(raw, f.BAD_EXPRESSION, key,
                        f"`{token}`: `{part}` is not an option combination of the data element's category combo "
                        f"(write the option codes joined by +, one per category)", raw.data.where(key))  # fmt: skip
        return part

    # ---- findings ------------------------------------------------------------------------------------

    def _error(self, raw: Raw, code: str, prop: str | None, message: str, where: str | None = None) -> None:
        self.findings.append(f.error(code, raw.mtype.name, raw.uid, raw.name, prop, message, where or raw.data.where()))

    def _unknown_key(self, data: LocatedDict, key: str, allowed, type_name: str, raw: Raw | None) -> None:
        close = get_close_matches(key, list(allowed), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        what = "collection" if raw is None else f"key for a {type_name}"
        self.findings.append(
            f.error(f.UNKNOWN_KEY, type_name, raw.uid if raw else None, raw.name if raw else None, key,
                    f"unknown {what} `{key}`{hint}", data.where(key))
        )  # fmt: skip


@dataclass
class _Combos:
    objects: list[tuple[dict, str]] = field(default_factory=list)
    by_options: dict[tuple[str, frozenset], str] = field(default_factory=dict)


def _clean(key: str, text: str) -> str:
    """DHIS2 stores spaces verbatim: collapse them in names (a stray double space makes a "new" name)."""
    return text.strip() if key == "description" else " ".join(text.split())


def _base(value: Any) -> str | None:
    return value.get(BASE_LOCALE) if isinstance(value, dict) else value if isinstance(value, str) else None


def _translation(obj: dict, prop: str, locale: str) -> str | None:
    return next(
        (t["value"] for t in obj.get("translations", []) if t["property"] == prop and t["locale"] == locale), None
    )
