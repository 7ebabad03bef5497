"""Codes → DHIS2 keys and 64-bit hashes, column by column: each text column is factorised once, every
decision (UID, option combo, data set, hash) is taken once per distinct text, then spread with numpy.

The key of a data value is dhis2-core's: data element, period, org unit, category option combo and
attribute option combo (``DataValue``, and ``DefaultDataValueSetService`` matches existing values on
them). Resolving the key before the preflight lets the ledger diff a million unchanged values without
checking them again; a row whose key does not resolve goes to the preflight, which says why.

Hashes: pandas' SipHash of each distinct string (``hash_array``, fixed key, so stable across runs and
machines), mixed per row with SplitMix64; stored as SQLite's signed 64-bit integers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pandas.util import hash_array

from dhis2_mch.data.catalogue import DEFAULT_COC, Catalogue
from dhis2_mch.model.periods import parse_period

KEY_COLUMNS = ("de", "pe", "ou", "coc", "aoc")


def _mix(parts: list[np.ndarray]) -> np.ndarray:
    """SplitMix64 over the parts' hashes, in order (wrapping uint64 arithmetic), as int64."""
    h = np.full(len(parts[0]), 0x6A09E667F3BCC908, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for part in parts:
            x = (h ^ part) + np.uint64(0x9E3779B97F4A7C15)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            h = x ^ (x >> np.uint64(31))
    return h.view(np.int64)


def _factor(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = column.factorize(use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def _pairs(a: np.ndarray, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct (a, b) pairs, and the pairs as (a code, b code) rows."""
    codes, uniques = pd.factorize(a.astype(np.int64) * nb + b)
    return codes, np.stack([uniques // nb, uniques % nb], axis=1) if len(uniques) else np.empty((0, 2), np.int64)


def _spread(values: list[str], codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the value of its code, that value's hash, and whether it is non-empty."""
    table = np.asarray(values, dtype=object)
    hashes = hash_array(table) if len(table) else np.empty(0, dtype=np.uint64)
    filled = np.asarray([v != "" for v in values], dtype=bool)
    return table[codes], hashes[codes], filled[codes]


def resolve(frame: pd.DataFrame, catalogue: Catalogue, org_units: Mapping[str, str]) -> pd.DataFrame:
    """Add ``de, pe, ou, coc, aoc`` (UIDs and the ISO period; empty where unresolved), ``ds``, ``resolved``,
    ``khash`` (the key) and ``vhash`` (value and comment as written)."""
    out = frame.copy()
    d_codes, d_uniq = _factor(out["dataElement"])
    c_codes, c_uniq = _factor(out["categoryOptionCombo"])
    p_codes, p_uniq = _factor(out["period"])
    o_codes, o_uniq = _factor(out["orgUnit"])
    a_codes, a_uniq = _factor(out["attributeOptionCombo"])
    infos = [catalogue.data_element(str(c)) for c in d_uniq]
    periods = [parse_period(str(t)) for t in p_uniq]

    de, h_de, ok_de = _spread([i.uid if i else "" for i in infos], d_codes)
    pe, h_pe, ok_pe = _spread([p.iso if p else "" for p in periods], p_codes)
    ou, h_ou, ok_ou = _spread([org_units.get(str(t), "") for t in o_uniq], o_codes)
    aoc, h_aoc, ok_aoc = _spread([DEFAULT_COC if t in ("", "default", DEFAULT_COC) else "" for t in a_uniq], a_codes)
    dc_codes, dc_pairs = _pairs(d_codes, c_codes, len(c_uniq))
    coc, h_coc, ok_coc = _spread([(catalogue.option_combo(info, str(c_uniq[c])) or "") if (info := infos[d]) else ""
                                  for d, c in dc_pairs], dc_codes)  # fmt: skip
    # the data set a value goes to: its element's data set of the period's type (the preflight's rule)
    dp_codes, dp_pairs = _pairs(d_codes, p_codes, len(p_uniq))
    data_sets = []
    for d, p in dp_pairs:
        info, period = infos[d], periods[p]
        match = [ds.uid for ds in info.data_sets if period and ds.period_type == period.type] if info else []
        data_sets.append(match[0] if match else "")
    ds = _spread(data_sets, dp_codes)[0]

    for name, values in (("de", de), ("pe", pe), ("ou", ou), ("coc", coc), ("aoc", aoc), ("ds", ds)):
        out[name] = pd.Series(values, index=out.index, dtype=object)  # object: no string inference per row
    out["resolved"] = ok_de & ok_pe & ok_ou & ok_coc & ok_aoc
    out["khash"] = _mix([h_de, h_pe, h_ou, h_coc, h_aoc])
    v_codes, v_uniq = _factor(out["value"])
    m_codes, m_uniq = _factor(out["comment"])
    out["vhash"] = _mix([_spread(list(v_uniq), v_codes)[1], _spread(list(m_uniq), m_codes)[1]])
    return out
