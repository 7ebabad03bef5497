"""What the package says about each aggregate data element: its UID, value type, option combos and
the one data set (and so the period type) it is reported in. Built once from the typed model; the
files name everything by code, the server needs UIDs."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

from dhis2_mch.model.metadata import Metadata
from dhis2_mch.model.objects import (
    CategoryOption,
    CategoryOptionCombo,
    DataElement,
    DataSet,
    Option,
    Program,
    ProgramStage,
    Ref,
)
from dhis2_mch.model.types import DEFAULT_UIDS

DEFAULT_COC = DEFAULT_UIDS["categoryOptionCombo"]


@dataclass(frozen=True)
class DataSetInfo:
    uid: str
    code: str | None
    period_type: str
    open_future_periods: int


@dataclass(frozen=True)
class DataElementInfo:
    uid: str
    code: str
    name: str | None
    value_type: str | None
    aggregation_type: str | None
    zero_is_significant: bool
    combo: str
    data_sets: tuple[DataSetInfo, ...]
    option_codes: frozenset[str] | None = None

    def as_dict(self) -> dict:
        """The keys ``model.values.zero_and_insignificant`` reads."""
        return {
            "valueType": self.value_type,
            "zeroIsSignificant": self.zero_is_significant,
            "aggregationType": self.aggregation_type,
        }


@dataclass
class Catalogue:
    data_elements: dict[str, DataElementInfo] = field(default_factory=dict)  # by code and by UID
    #: (combo UID, frozenset of option codes) -> option combo UID
    option_combos: dict[tuple[str, frozenset[str]], str] = field(default_factory=dict)
    #: combo UID -> its option combos' UIDs (to accept a UID written directly)
    combo_members: dict[str, set[str]] = field(default_factory=dict)
    #: code or UID of a data element captured in a program (events), not aggregate -> the program's name
    event_elements: dict[str, str] = field(default_factory=dict)
    #: UID -> how a person knows the object (code, or option codes for an option combo): for DHIS2's messages
    labels: dict[str, str] = field(default_factory=dict)
    #: option_combos keyed by case-folded option codes (built on first use; ambiguous foldings left out)
    folded: dict[tuple[str, frozenset[str]], str] = field(default_factory=dict)

    def data_element(self, code: str) -> DataElementInfo | None:
        return self.data_elements.get(code)

    def suggest(self, code: str) -> str:
        codes = [key for key, info in self.data_elements.items() if key == info.code]
        same = [c for c in codes if c.casefold() == code.casefold()]  # codes are case-sensitive in DHIS2
        close = same or get_close_matches(code, codes, n=1, cutoff=0.75)
        return f"; did you mean `{close[0]}`?" if close else ""

    def unknown_element(self, code: str) -> str:
        """Why ``code`` is not pushable here: an event data element, a typo, or nothing like it."""
        program = self.event_elements.get(code)
        if program is not None:
            return (
                f"an event data element of the program {program}: its values are captured as events, one per "
                "session or visit, not pushed as aggregate values (leave it out of this file)"
            )
        return f"no aggregate data element with this code in the package{self.suggest(code)}"

    def option_combo(self, de: DataElementInfo, text: str) -> str | None:
        """``default``, an empty cell, option codes joined by ``+`` (any order), or the option combo's UID."""
        text = text.strip()
        if text.casefold() in ("", "default"):
            return DEFAULT_COC if de.combo == DEFAULT_UIDS["categoryCombo"] else None
        found = self.option_combos.get((de.combo, frozenset(p.strip() for p in text.split("+"))))
        if found:
            return found
        if text in self.combo_members.get(de.combo, ()):
            return text
        # option codes in another case (``mch_ben_pregnant``, ``f``): the package's codes never differ by case alone
        return self._folded().get((de.combo, frozenset(p.strip().casefold() for p in text.split("+"))))

    def _folded(self) -> dict[tuple[str, frozenset[str]], str]:
        if not self.folded:
            seen: dict[tuple[str, frozenset[str]], set[str]] = {}
            for (combo, codes), uid in self.option_combos.items():
                seen.setdefault((combo, frozenset(c.casefold() for c in codes)), set()).add(uid)
            self.folded.update({k: next(iter(v)) for k, v in seen.items() if len(v) == 1})
        return self.folded

    def combo_choices(self, de: DataElementInfo) -> list[str]:
        return sorted("+".join(sorted(opts)) for combo, opts in self.option_combos if combo == de.combo)


def build_catalogue(package: Metadata | Any) -> Catalogue:
    """From a ``Metadata`` or a compiled package (anything with ``.metadata``)."""
    md: Metadata = package if isinstance(package, Metadata) else package.metadata
    cat = Catalogue()
    option_code = {o.id: o.code for o in md.of(CategoryOption) if o.id}
    for coc in md.of(CategoryOptionCombo):
        if coc.categoryCombo is None or not coc.id:
            continue
        codes = frozenset(option_code.get(_id(r)) or _id(r) for r in coc.categoryOptions or [])
        combo = _id(coc.categoryCombo)
        cat.option_combos[(combo, frozenset(c for c in codes if c))] = coc.id
        cat.combo_members.setdefault(combo, set()).add(coc.id)
        cat.labels[coc.id] = "+".join(sorted(c for c in codes if c))
    cat.labels[DEFAULT_COC] = "default"
    programs = {p.id: p.name or p.code or p.id for p in md.of(Program) if p.id}
    codes_of = {de.id: de.code for de in md.of(DataElement) if de.id and de.code}
    for stage in md.of(ProgramStage):
        program = programs.get(_id(stage.program), "") if stage.program else ""
        for psde in stage.programStageDataElements or []:
            if psde.dataElement is not None:
                cat.event_elements[_id(psde.dataElement)] = program
                code = codes_of.get(_id(psde.dataElement))
                if code:
                    cat.event_elements[code] = program
    options_of_set: dict[str, set[str]] = {}
    for opt in md.of(Option):
        if opt.optionSet is not None and opt.code:
            options_of_set.setdefault(_id(opt.optionSet), set()).add(opt.code)
    sets_of_de: dict[str, list[DataSetInfo]] = {}
    for ds in md.of(DataSet):
        if not ds.id:
            continue
        cat.labels[ds.id] = ds.code or ds.name or ds.id
        ds_info = DataSetInfo(ds.id, ds.code, ds.periodType or "", ds.openFuturePeriods or 0)
        for dse in ds.dataSetElements or []:
            if dse.dataElement is not None:
                sets_of_de.setdefault(_id(dse.dataElement), []).append(ds_info)
    for de in md.of(DataElement):
        if not de.id or not de.code:
            continue
        cat.labels[de.id] = de.code
        if de.domainType != "AGGREGATE" or de.id not in sets_of_de:
            continue
        info = DataElementInfo(
            uid=de.id,
            code=de.code,
            name=de.name,
            value_type=de.valueType,
            aggregation_type=de.aggregationType,
            zero_is_significant=bool(de.zeroIsSignificant),
            combo=_id(de.categoryCombo) or DEFAULT_UIDS["categoryCombo"],
            data_sets=tuple(sets_of_de[de.id]),
            option_codes=frozenset(options_of_set.get(_id(de.optionSet), ())) if de.optionSet else None,
        )
        cat.data_elements[de.code] = info
        cat.data_elements[de.id] = info
    return cat


def _id(ref: Ref | None) -> str:
    return (ref.id or "") if ref is not None else ""
