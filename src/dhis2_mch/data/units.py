"""Organisation units named in a file, found on the server: by code or UID, with hints where DHIS2 would
only say "not found".

Official codes after the 2025 reform are 2 digits for a province and 5 for a commune (``02809``);
Excel drops the leading zero of a code typed as a number (``2809``), so an unknown all-digit code is
tried again zero-padded and offered as "did you mean". A commune written by name (``Xã Si Ma Cai``)
is matched within the provinces the file's other rows belong to (``data/names.py``), and its code
suggested; a name is never used in place of a code, the row is rejected with the hint. In a row of a
period before 1 July 2025, names and codes are read by the reform hook (``legacy_hook``) instead: today's
code would be another territory there (``orgunits.reform_names``, ``orgunits.refuse_bare``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Literal

from dhis2_mch.data.names import NameIndex, Unit, name_key
from dhis2_mch.data.preflight import UnitAnswer
from dhis2_mch.dhis2 import api
from dhis2_mch.dhis2.connection import Connection
from dhis2_mch.model.uid import is_valid_uid

CODE_WIDTHS = (5, 2)  # commune, province
#: what a total row says in the org unit column of a report form (without diacritics)
TOTALS = frozenset({"tong", "tong cong", "cong", "tong so", "toan tinh", "toan huyen", "toan xa", "total",
                    "grand total", "tc"})  # fmt: skip


class ServerUnits:
    """Looks org unit texts up on one server, remembering what it found (UIDs, codes and names for messages)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.by_text: dict[str, api.OrgUnit] = {}
        self.labels: dict[str, str] = {}  # UID -> "code name"
        self.answers: dict[str, UnitAnswer] = {}  # texts that are not units, with why
        self._names: NameIndex | None = None

    def __call__(self, asked: list[str]) -> dict[str, UnitAnswer]:
        asked = [t for t in dict.fromkeys(asked) if t]
        texts = [t for t in asked if t not in self.by_text and t not in self.answers]
        padded = {t: [d.zfill(w) for w in CODE_WIDTHS if len(d) < w or (d != t and len(d) == w)]
                  for t in texts if (d := _digits(t)).isdigit()}  # fmt: skip
        codes = sorted({*texts, *(p for ps in padded.values() for p in ps)})
        found = api.org_units(self.conn, codes=codes, ids=[t for t in texts if is_valid_uid(t)]) if codes else []
        by_code = {u.code: u for u in found if u.code}
        by_id = {u.id: u for u in found}
        for u in found:
            self.labels[u.id] = f"{u.code} {u.name}" if u.code else (u.name or u.id)
        answers: dict[str, UnitAnswer] = {}
        unknown_names = []
        for t in texts:
            unit = by_code.get(t) or by_id.get(t)
            if unit is not None:
                self.by_text[t] = unit
                continue
            near = [by_code[p] for p in padded.get(t, []) if p in by_code]
            if near:
                answers[t] = UnitAnswer(None, f"no organisation unit with this code on {self.conn.where}; did you mean "
                                        + " or ".join(f"`{u.code}` ({u.name})" for u in near)
                                        + "? (Excel drops the leading zero of a code typed as a number: format the "
                                        "column as Text)")  # fmt: skip
            elif not _digits(t).isdigit() and not is_valid_uid(t):
                unknown_names.append(t)
            else:
                answers[t] = UnitAnswer(None, f"no organisation unit with this code on {self.conn.where}")
        if unknown_names:
            answers.update(self._by_name(unknown_names))
        self.answers.update(answers)
        return {t: UnitAnswer(self.by_text[t].id) if t in self.by_text else self.answers[t] for t in asked}

    def _by_name(self, texts: list[str]) -> dict[str, UnitAnswer]:
        """Names instead of codes: the code to write, found within the provinces of the file's coded rows."""
        index = self._index()
        provinces = {p for u in self.by_text.values() if (p := _province_of(u.path or ""))} or index.provinces()
        out = {}
        for t in texts:
            if (key := name_key(t)).prefix is None and key.bare in TOTALS:  # "Xã Tổng ..." is a commune
                out[t] = UnitAnswer(None, "a total row: DHIS2 adds the communes' values up itself (analytics), so "
                                    "leave totals out of the file")  # fmt: skip
                continue
            matches = [index.match(t, p) for p in sorted(provinces)]
            exact = [m for m in matches if m.status == "exact"]
            if len(exact) == 1:
                hint = exact[0].hint()
            elif exact:
                hint = f"`{t}` names units in several provinces: " + "; ".join(m.hint() for m in exact)
            else:
                ambiguous = [m for m in matches if m.status == "ambiguous"]
                hint = ambiguous[0].hint() if ambiguous else (matches[0].hint() if matches else f"no unit named `{t}`")
            out[t] = UnitAnswer(None, f"a name, not a code: {hint}")
        return out

    def _index(self) -> NameIndex:
        if self._names is None:
            units = api.list_objects(self.conn, "organisationUnits", fields="id,code,name,path,level")
            index = NameIndex()
            for u in units:
                province = _province_of(str(u.get("path") or ""))
                if u.get("code") and u.get("name") and province and province != u["id"]:
                    index.add(Unit(str(u["code"]), str(u["name"]), province, str(u["id"])))
            self._names = index
        return self._names


def _digits(text: str) -> str:
    """``2809.0`` (a code that went through a number: a script's float, a spreadsheet's General format) as
    ``2809``; other texts as they are."""
    whole, dot, zeros = text.partition(".")
    return whole if dot and whole.isdigit() and zeros and not zeros.strip("0") else text


def _province_of(path: str) -> str | None:
    """The level-2 ancestor (the province) from a unit's path ``/country/province/commune``."""
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) >= 2 else None


#: what a bare official code means in a row of a period before 1 July 2025, when the reform reused codes
BeforeReform = Literal["refuse", "pre-reform", "current"]
BEFORE_REFORM: tuple[BeforeReform, ...] = ("refuse", "pre-reform", "current")


def legacy_hook(
    before_reform: BeforeReform = "refuse", choices: str | None = None, within: Iterable[str] | None = None
) -> Callable[[str, str], str] | None:
    """The one place push learns about the reform. ``(code, period) -> code`` of the unit a row belongs to,
    or raises with why: ``refuse`` rejects a bare code of a pre-reform period, naming both its meanings
    (``dhis2_mch.orgunits.refuse_bare``); ``pre-reform`` puts it on the pre-reform unit
    (``resolve_legacy``); ``current`` needs no hook (codes are today's, and so are names).

    With ``refuse`` and ``pre-reform``, a *name* in a row of a pre-reform period is refused with the unit of
    that time (``orgunits.reform_names``), matched within the pre-reform provinces of the codes in
    ``within`` (the file's orgUnit column, read only when a name needs it), not with today's code."""
    if before_reform not in BEFORE_REFORM:
        raise ValueError(f"before_reform: {before_reform!r} is not one of {', '.join(BEFORE_REFORM)}")
    if before_reform == "current":
        return None
    from dhis2_mch.orgunits import refuse_bare, resolve_legacy
    from dhis2_mch.orgunits.legacy import PUSH_CHOICES
    from dhis2_mch.orgunits.reform_names import ReformNames

    codes = resolve_legacy if before_reform == "pre-reform" else refuse_bare if choices is None else partial(
        refuse_bare, choices=choices)  # fmt: skip
    names = ReformNames(None if within is None else partial(_distinct, within), before_reform, choices or PUSH_CHOICES)

    def hook(text: str, period: str) -> str:
        names.check(text, period)
        return codes(text, period)

    return hook


def _distinct(texts: Iterable[str]) -> list[str]:
    """The distinct texts of a column (its categories when categorical: no pass over the rows)."""
    categories = getattr(getattr(texts, "cat", None), "categories", None)
    return [str(t) for t in (categories if categories is not None else dict.fromkeys(texts))]
