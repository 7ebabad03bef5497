"""Vietnamese organisation unit names, matched the way provincial staff write them.

A commune is written ``Xã Hòa Thắng``, ``xa Hoa Thang``, ``HÒA THẮNG``, ``Hoà Thắng`` (the old tone
placement), with NFD diacritics from a Mac, doubled spaces from Excel, or ``P. Hòa Thắng`` for a ward.
This module decides whether such a text names exactly one unit *of one province*, several (ambiguous),
or none (unknown, with the closest names as suggestions). Names are not unique across provinces
(``Phường Hòa Thắng`` 22591 is in Khánh Hòa, ``Xã Hòa Thắng`` 23053 in Lâm Đồng), and DHIS2 does not
make organisation unit names unique (``OrganisationUnit`` has no unique constraint on name in its
hibernate mapping), so a name is only ever looked up within one province.

Matching tries, in order, and stops at the first step that finds anything:

1. the name with its administrative prefix (tone placement, case, spaces and Unicode form ignored);
2. the name without its prefix (``Hòa Thắng`` finds ``Xã Hòa Thắng``), when the prefixes do not
   contradict each other (``Phường Hòa Thắng`` never finds ``Xã Hòa Thắng``);
3. steps 1 and 2 without diacritics (``Hoa Thang``), which may turn one name into several.

One unit at a step is a match; several are ambiguous and nothing later can settle it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Literal

#: combining marks that carry the tone of a Vietnamese syllable (NFD): grave, acute, tilde, hook above, dot below.
#: Their position inside the syllable varies between the old and new spelling rules (hoà / hòa, thuý / thúy).
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")

#: administrative prefixes of communes, wards and special zones after the 2025 reform (xã, phường, đặc khu),
#: of provinces (tỉnh, thành phố), the pre-reform thị trấn and districts (huyện, quận, thị xã, thành phố: names
#: of rows before the reform are matched among them, orgunits/reform_names.py), and the abbreviations
#: spreadsheets use. A prefix written without diacritics (``xa``) counts only when the whole word has none:
#: ``Xà Phiên`` is a name, not ``Xã Phiên``.
PREFIXES: dict[tuple[str, ...], str] = {
    ("xã",): "xã",
    ("phường",): "phường",
    ("thị", "trấn"): "thị trấn",
    ("đặc", "khu"): "đặc khu",
    ("thị", "xã"): "thị xã",
    ("huyện",): "huyện",
    ("quận",): "quận",
    ("thành", "phố"): "thành phố",
    ("tỉnh",): "tỉnh",
}
ABBREVIATIONS: dict[tuple[str, ...], str] = {
    ("x",): "xã",
    ("p",): "phường",
    ("tt",): "thị trấn",
    ("đk",): "đặc khu",
    ("dk",): "đặc khu",
    ("tx",): "thị xã",
    ("h",): "huyện",
    ("q",): "quận",
    ("tp",): "thành phố",
}
_LONGEST_PREFIX = max(len(k) for k in PREFIXES)
_SPLIT = re.compile(r"[\s\-_.,;:/()]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})

Status = Literal["exact", "ambiguous", "unknown"]


@dataclass(frozen=True)
class Unit:
    """An organisation unit that can be named: its code, its name, and the province it belongs to."""

    code: str
    name: str
    province: str  # any key naming the province (its code or UID), the same for all its units
    uid: str | None = None


@dataclass(frozen=True)
class NameMatch:
    """What a written name turned out to be within one province."""

    text: str
    status: Status
    unit: Unit | None = None  # when exact
    candidates: tuple[Unit, ...] = ()  # ambiguous: the units it could be; unknown: the closest names
    elsewhere: tuple[Unit, ...] = ()  # units of that name in other provinces (never a match, only a hint)
    how: str = ""  # exact: "as written", "without the prefix", "without diacritics", ...

    @property
    def certain(self) -> bool:
        """An exact match that changed no letter: a name written with *other* diacritics (``Sông Lủy`` for
        ``Sông Lũy``, a common hỏi/ngã slip) still matches, but a caller placing data may want it confirmed."""
        return self.status == "exact" and self.how != "with other diacritics"

    def hint(self) -> str:
        """One sentence for a message: the code to write instead of the name, or why there is none."""
        if self.status == "exact" and self.unit is not None:
            return f"`{self.text}` is {_show(self.unit)}: write its code `{self.unit.code}`"
        if self.status == "ambiguous":
            return f"`{self.text}` could be {_or(self.candidates)}: write the code of the one you mean"
        parts = [f"no unit named `{self.text}` in this province"]
        if self.candidates:
            parts.append(f"closest: {_or(self.candidates)}")
        if self.elsewhere:
            verb = "is in another province" if len(self.elsewhere) == 1 else "are in other provinces"
            parts.append(f"{_or(self.elsewhere)} {verb}")
        return "; ".join(parts)


def _show(unit: Unit) -> str:
    return f"{unit.name} ({unit.code})"


def _or(units: Iterable[Unit]) -> str:
    return " or ".join(_show(u) for u in units)


@dataclass(frozen=True)
class Key:
    """A name reduced to what matters: its prefix kind, its words with tones normalised, and without diacritics."""

    prefix: str | None
    words: str
    bare: str  # words without any diacritics (đ → d)


def name_key(text: str, *, strip_prefix: bool = True) -> Key:
    """Case, spacing, Unicode form, tone placement and punctuation removed; the prefix kept apart."""
    written = unicodedata.normalize("NFC", text.translate(_APOSTROPHES).casefold())
    words = [w for w in _SPLIT.split(written) if w]
    bare = [_strip_marks(w) for w in words]
    prefix = None
    for size in range(min(_LONGEST_PREFIX, len(words) - 1), 0, -1) if strip_prefix else ():
        kind = _prefix_kind(tuple(words[:size]), tuple(bare[:size]))
        if kind is not None:
            prefix, words, bare = kind, words[size:], bare[size:]
            break
    return Key(prefix, " ".join(_number(_tone_last(w)) for w in words), " ".join(_number(w) for w in bare))


def _prefix_kind(words: tuple[str, ...], bare: tuple[str, ...]) -> str | None:
    found = PREFIXES.get(words) or ABBREVIATIONS.get(words)
    if found is None and words == bare:  # written without diacritics: compare without them
        found = _BARE_PREFIXES.get(bare)
    return found


def _tone_last(word: str) -> str:
    """The word's tone mark moved to its end, so ``hoà`` and ``hòa`` give one key (not meant to be read)."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(ch for ch in decomposed if ch in TONES)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES)) + tones


def _strip_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number(word: str) -> str:
    """``Phường 01`` and ``Phường 1`` are one ward."""
    return str(int(word)) if word.isdigit() else word


@dataclass
class NameIndex:
    """The units of one or more provinces, looked up by name within one province at a time."""

    units: list[Unit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._keys: dict[Unit, Key] = {}
        self._by_words: dict[tuple[str, str], list[Unit]] = {}
        self._by_bare: dict[tuple[str, str], list[Unit]] = {}
        self._by_bare_anywhere: dict[str, list[Unit]] = {}
        for unit in self.units:
            self._add(unit)

    def add(self, unit: Unit) -> None:
        self.units.append(unit)
        self._add(unit)

    def _add(self, unit: Unit) -> None:
        key = name_key(unit.name)
        self._keys[unit] = key
        self._by_words.setdefault((unit.province, key.words), []).append(unit)
        self._by_bare.setdefault((unit.province, key.bare), []).append(unit)
        self._by_bare_anywhere.setdefault(key.bare, []).append(unit)

    def provinces(self) -> set[str]:
        return {u.province for u in self.units}

    def match(self, text: str, province: str) -> NameMatch:
        """Which unit of ``province`` the written name ``text`` is (see the module docstring for the steps)."""
        key = name_key(text)
        if not key.words:
            return NameMatch(text, "unknown")
        found = self._find(text, key, province)
        if found is None and key.prefix is not None:  # ``Xa Phien`` may be ``Xà Phiên`` rather than ``Xã Phiên``
            found = self._find(text, name_key(text, strip_prefix=False), province)
        if found is not None:
            return found
        closest, elsewhere = self._closest(key, province), self._elsewhere(key, province)
        return NameMatch(text, "unknown", candidates=closest, elsewhere=elsewhere)

    def _find(self, text: str, key: Key, province: str) -> NameMatch | None:
        steps = (
            ("as written", self._by_words.get((province, key.words), []), True),
            ("without the prefix", self._by_words.get((province, key.words), []), False),
            ("without diacritics", self._by_bare.get((province, key.bare), []), True),
            ("without diacritics or prefix", self._by_bare.get((province, key.bare), []), False),
        )
        for how, found, same_prefix in steps:
            fits = [u for u in found if self._prefix_fits(key.prefix, self._keys[u].prefix, same_prefix)]
            if len(fits) == 1:
                if how.startswith("without diacritics") and key.words != key.bare:
                    how = "with other diacritics"
                return NameMatch(text, "exact", unit=fits[0], how=how)
            if fits:
                return NameMatch(text, "ambiguous", candidates=tuple(_sorted(fits)), how=how)
        return None

    @staticmethod
    def _prefix_fits(written: str | None, official: str | None, same: bool) -> bool:
        if same:
            return written == official
        return written is None or official is None or written == official

    def _closest(self, key: Key, province: str, n: int = 3) -> tuple[Unit, ...]:
        bare = {self._keys[u].bare: u for u in self.units if u.province == province}
        close = get_close_matches(key.bare, list(bare), n=n, cutoff=0.6)
        return tuple(bare[c] for c in close)

    def _elsewhere(self, key: Key, province: str) -> tuple[Unit, ...]:
        return tuple(_sorted(u for u in self._by_bare_anywhere.get(key.bare, []) if u.province != province))


def _sorted(units: Iterable[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (u.province, u.code))


_BARE_PREFIXES = {tuple(_strip_marks(w) for w in k): v for k, v in {**PREFIXES, **ABBREVIATIONS}.items()}
