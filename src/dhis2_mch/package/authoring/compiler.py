"""Authored documents → the typed model: codes become references, ``{en, vi}`` texts become a text and
its translations, inline children get their parent's link, DHIS2's defaults fill in, option combos
are generated and codes in expressions become UIDs.

The format is DHIS2's own JSON vocabulary with three conveniences (see ``metadata/README.md``):

* objects refer to each other by **code** (``categoryCombo: MCH_SEX``) instead of ``{"id": uid}``;
  indicator expressions too (``#{F1000_U2_UNDERWEIGHT}``); UIDs are derived from codes
  (``model/uid.py``) unless pinned with ``id:``;
* translatable texts are written ``name: {en: ..., vi: ...}`` beside each other;
* children that only exist inside a parent are written inline (an option set's options, a data
  set's sections, a program's stages), and DHIS2's defaults are filled in (``tables.py``,
  overridable per file under ``defaults:``).

Problems in the content become findings with ``file:line``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from dhis2_mch.model import findings as f
from dhis2_mch.model.enums import NUMERIC_VALUE_TYPES
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import IdentifiableObject, ValidationError
from dhis2_mch.model.translations import translation_property
from dhis2_mch.model.types import BY_NAME, DEFAULT_UIDS, ORDER, MetadataType
from dhis2_mch.model.uid import derive_uid
from dhis2_mch.package.authoring import analytics, expressions, rules, sharing
from dhis2_mch.package.authoring.combos import option_combos
from dhis2_mch.package.authoring.tables import (
    BASE_LOCALE,
    EMBEDDED,
    EXPRESSIONS,
    INLINE,
    NESTED,
    NESTED_ITEM_REFS,
    SHORTHAND,
)  # fmt: skip
from dhis2_mch.package.jsonfile import pydantic_problems


def where(data: Mapping[str, Any], key: str | None = None) -> str | None:
    """``file:line`` of ``data`` (or of its ``key``) when it was read from a file."""
    locate = getattr(data, "where", None)
    return locate(key) if locate is not None else None


@dataclass
class Raw:
    """One authored object before conversion: its mapping, where it sits, and its identity."""

    mtype: MetadataType
    data: Mapping[str, Any]
    defaults: dict[str, Any]
    code: str | None
    uid: str | None
    parent: Raw | None = None
    position: int = 0
    children: dict[str, list[Raw]] = field(default_factory=dict)
    out: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return _base(self.data.get("name"))

    def where(self, key: str | None = None) -> str | None:
        return where(self.data, key)


class Compiler:
    """Collects authored objects (``identify``), then turns them into one ``Metadata`` (``finish``)."""

    def __init__(self, known: Metadata | None = None) -> None:
        self.raws: list[Raw] = []
        self.findings: list[f.Finding] = []
        self.index: dict[tuple[str, str], Raw] = {}  # (type name, code) -> object
        self.package: dict[str, Any] | None = None
        self.sharing_rules: list[Any] = []  # top-level ``sharing:`` rules (authoring/sharing.py)
        #: (type name, code) -> UID of typed objects already in the package (read from DHIS2 JSON), so
        #: objects authored on top of them can refer to them by code
        self.known: dict[tuple[str, str], str] = {
            (mtype.name, obj.code): obj.id for mtype, obj in (known.items() if known else ()) if obj.code and obj.id
        }

    def uid_of(self, target: str, code: str) -> str | None:
        """The UID of the ``target`` object with this code, authored here or already in the package."""
        hit = self.index.get((target, code))
        return hit.uid if hit is not None else self.known.get((target, code))

    # ---- identity ----------------------------------------------------------------------------------

    def identify(
        self, mtype: MetadataType, data: Mapping[str, Any], defaults: dict[str, dict],
        parent: Raw | None, position: int,
    ) -> Raw | None:  # fmt: skip
        """Register one object under its code, with its UID (pinned, or derived from type and code)."""
        code = data.get("code")
        if not isinstance(code, str) or not code.strip():
            self.findings.append(
                f.error("E4000", mtype.name, data.get("id"), _base(data.get("name")), "code",
                        "Missing required property `code` (dhis2-mch derives the UID from it)", where(data))
            )  # fmt: skip
            return None
        code = code.strip()
        pinned = data.get("id")
        if pinned is not None:
            uid = pinned
        elif mtype.name == "option" and parent is not None:
            uid = derive_uid("option", parent.code or "", code)
        else:
            uid = derive_uid(mtype.name, code)
        raw = Raw(mtype, data, defaults.get(mtype.plural, {}), code, uid, parent, position)
        key = (mtype.name, f"{parent.code if parent else ''}/{code}" if mtype.name == "option" else code)
        if key in self.index:
            first = self.index[key]
            self.findings.append(
                f.error("E5003", mtype.name, uid, raw.name, "code",
                        f"Property `code` with value `{code}` already exists on the {mtype.name} at "
                        f"{first.where('code')}; codes are unique per type", where(data, "code"))
            )  # fmt: skip
            return None
        self.index[key] = raw
        self.raws.append(raw)
        return raw

    # ---- converting ------------------------------------------------------------------------------

    def finish(self) -> tuple[Metadata, list[f.Finding]]:
        for raw in self.raws:
            self._convert(raw)
        sharing.apply(self)
        cocs = option_combos(self.raws)
        for raw in self.raws:
            for key in [k for k in raw.out if (raw.mtype.plural, k) in EXPRESSIONS]:
                value = raw.out[key]
                if isinstance(value, dict):  # {expression: ...}: a validation rule side, a predictor generator
                    value = {**value, "expression": expressions.resolve(self, raw, key, value.get("expression"), cocs)}
                else:
                    value = expressions.resolve(self, raw, key, value, cocs)
                raw.out[key] = value
            if raw.mtype.plural == "programIndicators" and "aggregateExport" in raw.data:
                raw.out["aggregateExportCategoryOptionCombo"] = expressions.operand_combo(
                    self, raw, "aggregateExport", raw.data["aggregateExport"], cocs
                )
        rules.check(self)

        md = Metadata()
        if self.package is not None:
            md.extras["package"] = self.package
            md.key_order.append("package")
        typed: list[tuple[Raw, IdentifiableObject]] = []
        for raw in self.raws:
            try:
                typed.append((raw, raw.mtype.model.model_validate(raw.out)))
            except ValidationError as exc:
                for prop, msg in pydantic_problems(exc):
                    self.error(raw, f.BAD_VALUE, prop, msg)
        for raw, obj in sorted(typed, key=lambda t: (ORDER[t[0].mtype.plural], t[0].code or "", t[0].uid or "")):
            md.add(raw.mtype.plural, obj, raw.where())
        for coc, origin in cocs.objects:
            md.add("categoryOptionCombos", BY_NAME["categoryOptionCombo"].model.model_validate(coc), origin)
        md.key_order.sort(key=lambda k: -1 if k == "package" else ORDER.get(k, len(ORDER)))
        return md, self.findings

    def _convert(self, raw: Raw) -> None:
        mtype, data = raw.mtype, raw.data
        model_fields = mtype.model.model_fields
        out: dict[str, Any] = {"id": raw.uid, "code": raw.code}
        translations: list[dict[str, str]] = []
        simple_refs = {s.path: s.target for s in mtype.refs if "." not in s.path}
        for key, value in {**raw.defaults, **data}.items():
            if key in ("id", "code") or (mtype.plural, key) in INLINE or key in SHORTHAND.get(mtype.plural, ()):
                continue
            if (mtype.plural, key) in EMBEDDED:
                out[key] = getattr(analytics, EMBEDDED[(mtype.plural, key)])(self, raw, value)
            elif key in mtype.model.TRANSLATABLE:
                out[key] = self._translatable(raw, key, value, translations)
            elif key in simple_refs:
                out[key] = self._ref(raw, key, value, simple_refs[key])
            elif key + "[]" in simple_refs:
                out[key] = self._refs(raw, key, value, simple_refs[key + "[]"])
            elif (mtype.plural, key) in NESTED:
                out[key] = self._nested(raw, key, value)
            elif key == "sharing":
                out[key] = sharing.block(self, raw, value)
            elif key in model_fields and key != "translations":
                out[key] = value
            else:
                allowed = [k for k in model_fields if k != "translations"]
                allowed += [k for (p, k) in INLINE if p == mtype.plural]
                allowed += list(SHORTHAND.get(mtype.plural, ()))
                self.unknown_key(data, key, allowed, mtype.name, raw)
        if mtype.plural == "visualizations":
            analytics.visualization(self, raw, out)
        if mtype.plural == "programRuleVariables" and "name" not in out:
            out["name"] = raw.code  # the name rule expressions use: #{F1000_PRV_WEIGHT}
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
            self.error(raw, f.BAD_VALUE, key,
                       f"`{key}` must be a text or a mapping of locales with `{BASE_LOCALE}` (e.g. en: ..., vi: ...)",
                       raw.where(key))  # fmt: skip
            return None
        for locale, text in value.items():
            if not isinstance(text, str) or not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z]{2,4})?", str(locale)):
                self.error(raw, f.BAD_VALUE, key,
                           f"`{key}.{locale}` must be a locale code (vi, fr, pt_BR) mapping to a text",
                           raw.where(key))  # fmt: skip
                continue
            if locale != BASE_LOCALE:
                translations.append(
                    {"locale": locale, "property": translation_property(key), "value": _clean(key, text)}
                )
        base = value.get(BASE_LOCALE)
        return _clean(key, base) if isinstance(base, str) else None

    def translatable(self, raw: Raw, key: str, value: Any, translations: list) -> str | None:
        """A text written plain or as ``{en: ..., vi: ...}``; other locales go to ``translations``."""
        return self._translatable(raw, key, value, translations)

    def reference(self, raw: Raw, key: str, value: Any, target: str) -> dict | None:
        """``{"id": uid}`` of the ``target`` object with code ``value`` (reported when there is none)."""
        return self._ref(raw, key, value, target)

    def _ref(self, raw: Raw, key: str, value: Any, target: str) -> dict | None:
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            return {"id": value["id"]}  # explicit UID of an object that lives on the instance
        if isinstance(value, str):
            if value == "default" and target in DEFAULT_UIDS:
                return {"id": DEFAULT_UIDS[target]}
            uid = self.uid_of(target, value)
            if uid is not None:
                return {"id": uid}
            codes = [c for (t, c) in [*self.index, *self.known] if t == target]
            close = get_close_matches(value, codes, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            self.error(raw, "E5002", key, f"Invalid reference `{value}` for association `{key}`: "
                       f"no {target} has this code{hint}", raw.where(key))  # fmt: skip
            return None
        self.error(raw, f.BAD_VALUE, key, f"`{key}` must be the code of a {target}", raw.where(key))
        return None

    def _refs(self, raw: Raw, key: str, value: Any, target: str) -> list | None:
        if not isinstance(value, list):
            self.error(raw, f.BAD_VALUE, key, f"`{key}` must be a list of {target} codes", raw.where(key))
            return None
        return [r for r in (self._ref(raw, key, v, target) for v in value) if r is not None]

    def _nested(self, raw: Raw, key: str, value: Any) -> list | None:
        item_key, target = NESTED[(raw.mtype.plural, key)]
        if not isinstance(value, list):
            self.error(raw, f.BAD_VALUE, key, f"`{key}` must be a list", raw.where(key))
            return None
        items: list[dict[str, Any]] = []
        for given in value:
            entry = {item_key: given} if isinstance(given, str) else dict(given) if isinstance(given, dict) else None
            if entry is None or item_key not in entry:
                self.error(raw, f.BAD_VALUE, key, f"each `{key}` item is a {target} code or a mapping "
                           f"with `{item_key}`", raw.where(key))  # fmt: skip
                continue
            code = entry[item_key]
            item: dict[str, Any] = {item_key: self._ref(raw, key, code, target)}
            if item[item_key] is None:
                continue
            for k, v in entry.items():
                if k in NESTED_ITEM_REFS:
                    item[k] = self._ref(raw, key, v, NESTED_ITEM_REFS[k])
                elif k != item_key:
                    item[k] = v
            if key == "programStageDataElements":
                item = {"id": derive_uid("programStageDataElement", raw.code or "", code), **item}
                item.setdefault("sortOrder", len(items) + 1)
                item.setdefault("compulsory", False)
            elif key == "programTrackedEntityAttributes":
                item = {"id": derive_uid("programTrackedEntityAttribute", raw.code or "", code), **item}
                item.setdefault("sortOrder", len(items) + 1)
            elif key == "trackedEntityTypeAttributes":
                item = {"id": derive_uid("trackedEntityTypeAttribute", raw.code or "", code), **item}
            items.append(item)
        return items

    # ---- findings ------------------------------------------------------------------------------------

    def error(self, raw: Raw, code: str, prop: str | None, message: str, location: str | None = None) -> None:
        self.findings.append(f.error(code, raw.mtype.name, raw.uid, raw.name, prop, message, location or raw.where()))

    def unknown_key(
        self, data: Mapping[str, Any], key: str, allowed: Iterable[str], type_name: str, raw: Raw | None
    ) -> None:
        close = get_close_matches(key, list(allowed), n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        what = "collection" if raw is None else f"key for a {type_name}"
        self.findings.append(
            f.error(f.UNKNOWN_KEY, type_name, raw.uid if raw else None, raw.name if raw else None, key,
                    f"unknown {what} `{key}`{hint}", where(data, key))
        )  # fmt: skip


def _clean(key: str, text: str) -> str:
    """DHIS2 stores spaces verbatim: collapse them in names (a stray double space makes a "new" name)."""
    return text.strip() if key == "description" else " ".join(text.split())


def _base(value: Any) -> str | None:
    return value.get(BASE_LOCALE) if isinstance(value, dict) else value if isinstance(value, str) else None
