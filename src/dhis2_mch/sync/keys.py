"""Codes → DHIS2 keys and 64-bit hashes, column by column (a dictionary lookup per distinct text).

The key of a data value is dhis2-core's: data element, period, org unit, category option combo and
attribute option combo (``DataValue``, and ``DefaultDataValueSetService`` matches existing values on
them). Resolving the key before the preflight lets the ledger diff a million unchanged values without
checking them again; a row whose key does not resolve goes to the preflight, which says why.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dhis2_mch.data.catalogue import DEFAULT_COC, Catalogue
from dhis2_mch.model.periods import parse_period

KEY_COLUMNS = ("de", "pe", "ou", "coc", "aoc")


def _hash(frame: pd.DataFrame) -> pd.Series:
    """pandas' SipHash of the row (fixed key, so stable across runs), as SQLite's signed 64-bit integer."""
    hashed = pd.util.hash_pandas_object(frame, index=False, categorize=True)
    return pd.Series(hashed.to_numpy().view(np.int64), index=frame.index)


def resolve(frame: pd.DataFrame, catalogue: Catalogue, org_units: Mapping[str, str]) -> pd.DataFrame:
    """Add ``de, pe, ou, coc, aoc`` (UIDs and the ISO period; empty where unresolved), ``ds``, ``resolved``,
    ``khash`` (the key) and ``vhash`` (value and comment as written)."""
    out = frame.copy()
    infos = {c: catalogue.data_element(c) for c in out["dataElement"].unique()}
    out["de"] = out["dataElement"].map({c: (i.uid if i else "") for c, i in infos.items()})
    groups = out.groupby(["dataElement", "categoryOptionCombo"], sort=False)
    by_group = [
        (catalogue.option_combo(info, text) or "") if (info := infos.get(code)) else ""
        for code, text in groups.size().index
    ]
    out["coc"] = np.asarray(by_group, dtype=object)[groups.ngroup().to_numpy()] if by_group else ""
    aoc_text = out["attributeOptionCombo"]
    out["aoc"] = np.where(aoc_text.isin(["", "default", DEFAULT_COC]), DEFAULT_COC, "")
    periods = {text: parse_period(text) for text in out["period"].unique()}
    out["pe"] = out["period"].map({t: (p.iso if p else "") for t, p in periods.items()})
    # the data set a value goes to: its element's data set of the period's type (the preflight's rule)
    pairs = out.groupby(["dataElement", "period"], sort=False)
    data_sets = []
    for code, text in pairs.size().index:
        info, period = infos.get(code), periods.get(text)
        match = [ds.uid for ds in info.data_sets if period and ds.period_type == period.type] if info else []
        data_sets.append(match[0] if match else "")
    out["ds"] = np.asarray(data_sets, dtype=object)[pairs.ngroup().to_numpy()] if data_sets else ""
    out["ou"] = out["orgUnit"].map(dict(org_units)).fillna("").astype(str)
    resolved = np.ones(len(out), dtype=bool)
    for column in KEY_COLUMNS:
        resolved &= (out[column] != "").to_numpy()
    out["resolved"] = resolved
    out["khash"] = _hash(out[list(KEY_COLUMNS)])
    out["vhash"] = _hash(out[["value", "comment"]])
    return out
