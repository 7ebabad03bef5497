"""How the data dictionary names things: translatable texts in English and the translation locale,
referenced objects by code and name (never by UID), and indicator formulas written out in words.

The formula grammar here (prefix → kinds of object) mirrors DHIS2's expression syntax
(``org.hisp.dhis.parser.expression``: ``#{}``, ``I{}``, ``D{}``, ``A{}``, ``OUG{}``, ``N{}``, ``R{}``,
``V{}``) and goes once ``model/expressions.py`` holds the project's one tokenizer.
"""

from __future__ import annotations

from dhis2_mch.model import expressions as grammar
from dhis2_mch.model.expressions import Token
from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import CategoryOptionCombo, IdentifiableObject
from dhis2_mch.model.translations import translation_property
from dhis2_mch.model.types import DEFAULT_UIDS

BASE = "en"
DEFAULT_NAMES = {uid: "default" for uid in DEFAULT_UIDS.values()}

#: words used inside the readable formulas, per locale (English for any locale not listed)
WORDS = {
    "en": {"events": "number of events", "count_in": "number of org units in", "reporting": "reporting rate",
           "all": "all", "none": "none"},
    "vi": {"events": "số sự kiện", "count_in": "số đơn vị thuộc nhóm", "reporting": "tỷ lệ báo cáo",
           "all": "tất cả", "none": "không có"},
}  # fmt: skip


class Naming:
    """Texts, names and codes of the objects of one package, in English and ``locale``."""

    def __init__(self, md: Metadata, locale: str) -> None:
        self.md, self.locale = md, locale
        self.index: dict[str, IdentifiableObject] = {obj.id: obj for _, obj in md.items() if obj.id}
        self.words = {lc: WORDS.get(lc, WORDS[BASE]) for lc in (BASE, locale)}

    # ---- texts -----------------------------------------------------------------------------------

    def text(self, obj: IdentifiableObject | None, prop: str, locale: str = BASE) -> str:
        """A translatable text in ``locale`` ('' when missing); English is the property itself."""
        if obj is None:
            return ""
        base = getattr(obj, prop, None)
        if locale == BASE:
            return base if isinstance(base, str) else ""
        wanted = translation_property(prop)
        for t in obj.translations or []:
            if t.property == wanted and t.locale == locale:
                return t.value
        return ""

    def pair(self, obj, prop: str, label: str) -> dict[str, str]:
        """``{"Label (en)": ..., "Label (vi)": ...}`` for one translatable property."""
        return {
            f"{label} ({BASE})": self.text(obj, prop),
            f"{label} ({self.locale})": self.text(obj, prop, self.locale),
        }

    def cols(self, *labels: str) -> list[str]:
        return [f"{label} ({lc})" for label in labels for lc in (BASE, self.locale)]

    def name(self, uid: str | None, locale: str = BASE) -> str:
        """Display name of a referenced object in ``locale`` (English, then code, then UID as fallbacks)."""
        if uid is None:
            return ""
        obj = self.index.get(uid)
        if obj is None:
            return DEFAULT_NAMES.get(uid, uid)
        return self.text(obj, "name", locale) or self.text(obj, "name") or obj.code or uid

    def code(self, uid: str | None) -> str:
        if uid is None:
            return ""
        obj = self.index.get(uid)
        if obj is None:
            return DEFAULT_NAMES.get(uid, uid)
        return obj.code or uid

    def labelled(self, uid: str | None, locale: str = BASE) -> str:
        """``CODE - name`` of a referenced object."""
        code, name = self.code(uid), self.name(uid, locale)
        return name if code == name else f"{code} - {name}"

    # ---- expressions -----------------------------------------------------------------------------

    def expression(self, expr: str | None, locale: str | None, program_indicator: bool = False) -> str:
        """``expr`` with UIDs replaced by codes (``locale`` None) or by bracketed names in ``locale``."""
        if not isinstance(expr, str):
            return ""
        words = self.words.get(locale or BASE, WORDS[BASE])

        def replace(m: Token) -> str:
            prefix, parts = m.group(1), m.group(2).strip().split(".")
            if locale is None:
                if prefix == "#" and not program_indicator and len(parts) > 1:
                    return f"#{{{'.'.join([self.code(parts[0]), *(self._coc_codes(p) for p in parts[1:])])}}}"
                return f"{prefix}{{{'.'.join(self.code(p) for p in parts)}}}"
            if prefix == "V":
                return f"[{words['events']}]" if parts == ["event_count"] else f"[{m.group(2)}]"
            if prefix == "OUG":
                return f"[{words['count_in']}: {self.name(parts[0], locale)}]"
            if prefix == "R":
                return f"[{self.name(parts[0], locale)}: {words['reporting']}]"
            if prefix == "#" and not program_indicator and len(parts) > 1:
                combos = [words["all"] if p == "*" else self.name(p, locale) for p in parts[1:]]
                combos = [c for c in combos if c != "default"]
                shown = f" ({', '.join(combos)})" if combos else ""
                return f"[{self.name(parts[0], locale)}{shown}]"
            return "[" + " › ".join(self.name(p, locale) for p in parts) + "]"

        return " ".join(grammar.sub(expr, replace).split())

    def _coc_codes(self, uid: str) -> str:
        if uid == "*" or uid in DEFAULT_NAMES:
            return "*" if uid == "*" else "default"
        coc = self.index.get(uid)
        if not isinstance(coc, CategoryOptionCombo) or not coc.categoryOptions:
            return self.code(uid)
        return "+".join(self.code(r.id) for r in coc.categoryOptions)
