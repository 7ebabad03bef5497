"""A unit written by *name* in a row of a period before 1 July 2025: the hint names the unit of that time.

For a commune written by name the push suggests the code to write, found among today's units
(data/units.py with data/names.py). For a period before the reform that may be the wrong unit:
communes were merged and codes and names reused (``Si Ma Cai`` was a district and a town then, and is
a commune now with the town's code 02809; ``Phố Ràng`` was a town and is part of Xã Bảo Yên now). So
a name in such a row is matched among the pre-reform provinces, districts and communes of the
official register (``source.legacy()``), within the pre-reform provinces the file's codes belong to
(all of them when the file has none), and the row is refused with the unit of that time (its
``PRE2025-`` code, and its code of that time for ``--pre-reform``), what it became, and what the name
means today when that is another unit. As for today's units, a name is never used in place of a code.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache

from dhis2_mch.data.names import NameIndex, NameMatch
from dhis2_mch.data.names import Unit as Named
from dhis2_mch.model.periods import parse_period
from dhis2_mch.model.uid import is_valid_uid
from dhis2_mch.orgunits import source
from dhis2_mch.orgunits.hierarchy import LEGACY_PREFIX, LEGACY_SUFFIX, legacy_code
from dhis2_mch.orgunits.legacy import REFORM, LegacyCodeError, legacy_unit
from dhis2_mch.orgunits.source import DISTRICT, PROVINCE, Unit

NATION = ""  # the one "province" of the national indexes, used when the file names no province
SHOWN = 6  # units listed at most in one message


def is_name(text: str) -> bool:
    """What a person writes instead of a code: letters, and not code-like (one word with digits, such as
    ``TYT-02947`` or a UID) nor a ``PRE2025-`` code in any case. ``Phường 1`` is a name."""
    if not any(ch.isalpha() for ch in text) or text.upper().startswith(LEGACY_PREFIX) or is_valid_uid(text):
        return False
    return any(ch.isspace() for ch in text) or not any(ch.isdigit() for ch in text)


class ReformNames:
    """Refuses a name in a row of a period before the reform, naming the unit of that time.

    ``texts`` gives the file's org unit texts when first needed (its codes say which provinces the
    names belong to); ``how`` is the push's reading of bare codes before the reform (``refuse`` or
    ``pre-reform``), ``choices`` how the user says so (push's options, or sync's key)."""

    def __init__(self, texts: Callable[[], Iterable[str]] | None, how: str, choices: str) -> None:
        self._texts = texts
        self.how = how
        self.option = ("set `before_reform: pre-reform` on the source" if "before_reform" in choices
                       else "push with --pre-reform")  # fmt: skip
        self._within: tuple[set[str], set[str]] | None = None

    def check(self, text: str, period: str) -> None:
        """Raises LegacyCodeError with the hint when ``text`` is a name and ``period`` is not after the reform."""
        text = text.strip()
        p = parse_period(period.strip()) if period else None
        if p is None or p.start >= REFORM or not is_name(text):
            return
        raise LegacyCodeError(self.reason(text, period, spans=p.end >= REFORM))

    def reason(self, text: str, period: str, *, spans: bool) -> str:
        """Why the row is refused: the unit(s) of that time the name may be, what they are now, the code to write."""
        then_provinces, now_provinces = self.within()
        written = _without_suffix(text)
        then = _match(_then_index(then_provinces is None), written, then_provinces)
        now = _match(_now_index(now_provinces is None), written, now_provinces)
        today = source.current().unit(now.unit.code) if now.status == "exact" and now.unit else None
        when = "spans" if spans else "is before"
        head = f"period {period} {when} the 1 July 2025 reform and this is a name, not a code"
        if then.status == "exact" and then.unit is not None:
            unit = _old(then.unit)
            became, successors = _became(unit)
            said = f"`{text}` was {_then(unit)} then{became}"
            if today is not None and today.code not in successors:
                said += f"; today `{text}` names {_now(today)}"
            if self.how == "pre-reform":
                write = f"write its code of that time, `{unit.code}` (or `{legacy_code(unit)}`)"
            else:
                write = (f"write the pre-reform unit's code `{legacy_code(unit)}`, or its code of that time "
                         f"`{unit.code}` and {self.option}")  # fmt: skip
        elif then.status == "ambiguous":
            said = f"`{text}` could be {_or(_then(_old(u)) for u in then.candidates)} then"
            if today is not None:
                said += f", and is {_now(today)} now"
            write = "write the pre-reform code (`PRE2025-…`) of the one you mean" + (
                ", or its code of that time" if self.how == "pre-reform" else "")  # fmt: skip
        else:
            said = f"no unit {_where(then_provinces)} was named `{text}` then"
            if then.elsewhere:
                said += f"; {_or(_then(_old(u)) for u in then.elsewhere)} elsewhere"
            elif then.candidates and today is None:
                said += f" (closest: {_or(_then(_old(u)) for u in then.candidates[:3])})"
            if today is not None:
                formed = _and(f"{u.name} ({legacy_code(u)})" for u in _predecessors(today.code))
                said += f"; `{text}` is {_now(today)} since 1 July 2025" + (f", formed from {formed}" if formed else "")
            write = "write the pre-reform code (`PRE2025-…`) of the unit of that time"
        if spans:
            write = ("report the months up to June 2025 (on the unit of that time, by its pre-reform code) and "
                     "those from July 2025 (on today's unit) as separate periods")  # fmt: skip
        return f"{head}: {said}; {write}"

    def within(self) -> tuple[set[str] | None, set[str] | None]:
        """(pre-reform provinces, today's provinces) the file's codes belong to, read either way (a bare
        ``15`` is Yên Bái then and Lào Cai now); None: the file has no codes, names are looked up nationally."""
        if self._within is None:
            old, new = source.legacy(), source.current()
            then: set[str] = set()
            now: set[str] = set()
            for text in self._texts() if self._texts is not None else ():
                text = str(text).strip()
                if (text.startswith(LEGACY_PREFIX) or text.isdigit()) and (u := legacy_unit(text)) is not None:
                    then.add(_old_province(u))
                if text.isdigit() and (n := new.unit(text)) is not None:
                    now.add(n.parent or n.code)
            then |= {p for n in now for p in _old_provinces_of(n)}
            now |= {n for p in then for n in _new_provinces_of(p)}
            self._within = (then & set(old.provinces), now & set(new.provinces))
        then, now = self._within
        return then or None, now or None


def _without_suffix(text: str) -> str:
    """``Thị trấn Phố Ràng (cũ)``, as DHIS2 shows the legacy unit, is the name ``Thị trấn Phố Ràng``."""
    suffix = LEGACY_SUFFIX.strip().casefold()
    written = unicodedata.normalize("NFC", text).strip()
    return written[: -len(suffix)].strip() if written.casefold().endswith(suffix) else text


def _where(provinces: set[str] | None) -> str:
    if provinces is None:
        return "in Việt Nam"
    return "of " + _or(source.legacy().provinces[p].name for p in sorted(provinces))


def _match(index: NameIndex, text: str, provinces: set[str] | None) -> NameMatch:
    """The name within the given provinces (as data/units.py does for today's units), or nationally."""
    if provinces is None:
        return index.match(text, NATION)
    matches = [index.match(text, p) for p in sorted(provinces)]
    exact = [m for m in matches if m.status == "exact"]
    if len(exact) == 1:
        return exact[0]
    if exact:
        return NameMatch(text, "ambiguous", candidates=tuple(m.unit for m in exact if m.unit))
    ambiguous = [m for m in matches if m.status == "ambiguous"]
    if ambiguous:
        return ambiguous[0]
    closest = tuple(u for m in matches for u in m.candidates)[:SHOWN]
    elsewhere = {u for m in matches for u in m.elsewhere if u.province not in provinces}
    return NameMatch(text, "unknown", candidates=closest, elsewhere=tuple(sorted(elsewhere, key=_code))[:SHOWN])


def _code(u: Named) -> str:
    return u.code


def _old(named: Named) -> Unit:
    """The register's pre-reform unit behind an entry of ``_then_index`` (keyed by its ``PRE2025-`` code)."""
    unit = legacy_unit(named.code)
    assert unit is not None, named
    return unit


def _or(texts: Iterable[str], word: str = "or") -> str:
    shown = list(texts)
    more = f" {word} {len(shown) - SHOWN} more" if len(shown) > SHOWN else ""
    return f" {word} ".join(shown[:SHOWN]) + more


def _and(texts: Iterable[str]) -> str:
    return _or(texts, "and")


def _then(unit: Unit) -> str:
    """``Thị trấn Phố Ràng (PRE2025-X02947, Huyện Bảo Yên, Tỉnh Lào Cai)``: a name repeats across the country."""
    old = source.legacy()
    above = []
    parent = unit.parent
    while parent:
        up = old.districts.get(parent) or old.provinces[parent]
        above.append(up.name)
        parent = up.parent
    return f"{unit.name} ({', '.join([legacy_code(unit), *above])})"


def _now(unit: Unit) -> str:
    return f"{unit.name} ({unit.code})"


def _became(unit: Unit) -> tuple[str, set[str]]:
    """``, now part of Xã Bảo Yên (02947)`` and the codes of today's units it went to."""
    new = source.current()
    if unit.level == PROVINCE:
        codes = _new_provinces_of(unit.code)
        return ", now part of " + _or(_now(new.provinces[c]) for c in sorted(codes)), set(codes)
    lines = _successors().get(unit.code, [])
    if not lines:
        return ", a district: districts were abolished on 1 July 2025" if unit.level == DISTRICT else "", set()
    units = [new.communes[s.new] for s in lines]
    if len(lines) > 1:
        return ", now divided between " + _and(_now(u) for u in units), {u.code for u in units}
    verb = "part of " if lines[0].merged else ""
    return f", now {verb}{_now(units[0])}", {units[0].code}


def _old_province(unit: Unit) -> str:
    old = source.legacy()
    while unit.parent:
        unit = old.districts.get(unit.parent) or old.provinces[unit.parent]
    return unit.code


@cache
def _successors() -> dict[str, list[source.Successor]]:
    by_old: dict[str, list[source.Successor]] = defaultdict(list)
    for s in source.successors():
        by_old[s.old].append(s)
    return by_old


@cache
def _predecessor_table() -> dict[str, list[str]]:
    by_new: dict[str, list[str]] = defaultdict(list)
    for s in source.successors():
        by_new[s.new].append(s.old)
    return by_new


def _predecessors(new_code: str) -> list[Unit]:
    return [u for c in _predecessor_table().get(new_code, []) if (u := legacy_unit(c)) is not None]


@cache
def _province_links() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """old province → today's provinces its units went to, and the reverse."""
    old, new = source.legacy(), source.current()
    forward: dict[str, set[str]] = defaultdict(set)
    backward: dict[str, set[str]] = defaultdict(set)
    for s in source.successors():
        unit = old.communes.get(s.old) or old.districts[s.old]
        p, n = _old_province(unit), new.communes[s.new].parent or ""
        forward[p].add(n)
        backward[n].add(p)
    return forward, backward


def _new_provinces_of(old_province: str) -> set[str]:
    return _province_links()[0].get(old_province, set())


def _old_provinces_of(new_province: str) -> set[str]:
    return _province_links()[1].get(new_province, set())


@cache
def _then_index(national: bool) -> NameIndex:
    """The pre-reform provinces, districts and communes, by name within their province (or nationally)."""
    old = source.legacy()
    index = NameIndex()
    for unit in (*old.provinces.values(), *old.districts.values(), *old.communes.values()):
        index.add(Named(legacy_code(unit), unit.name, NATION if national else _old_province(unit)))
    return index


@cache
def _now_index(national: bool) -> NameIndex:
    """Today's provinces and communes, by name within their province (or nationally)."""
    new = source.current()
    index = NameIndex()
    for unit in (*new.provinces.values(), *new.communes.values()):
        index.add(Named(unit.code, unit.name, NATION if national else (unit.parent or unit.code)))
    return index
