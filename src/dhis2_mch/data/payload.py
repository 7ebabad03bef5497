"""Accepted rows → one data value set per data set, serialised once.

FACTS §6: always send ``dataSet`` on the envelope, one envelope per data set (from 2.43 a value
set without it aborts when a data element is in several data sets). Each envelope remembers the
source row of every value, so DHIS2's conflict indexes can be mapped back to the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from dhis2_mch.data.readers import POS, ROW

KEYS = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "comment")


@dataclass
class Envelope:
    data_set: str
    body: bytes
    rows: list[int]  # source row of dataValues[i]
    positions: list[int]  # position in the input frame of dataValues[i]

    @property
    def size(self) -> int:
        return len(self.rows)


def envelopes(
    accepted: pd.DataFrame, substitutions: dict[str, str] | None = None, chunk_size: int | None = None
) -> list[Envelope]:
    """``substitutions``: package UIDs → this instance's (its default option combo may differ).

    At most ``chunk_size`` values per envelope (one data set per envelope, several envelopes per data set)."""
    table = substitutions or {}
    out = []
    for ds, whole in accepted.groupby("ds", sort=True):
        size = chunk_size or len(whole)
        for start in range(0, len(whole), size):
            group = whole.iloc[start : start + size]
            columns = (
                group["de"], group["period"], group["ou"], group["coc"].replace(table), group["aoc"].replace(table),
                group["send"], group["comment"],
            )  # fmt: skip
            values = [{k: v for k, v in zip(KEYS, row, strict=True) if v} for row in zip(*columns, strict=True)]
            body = json.dumps({"dataSet": ds, "dataValues": values}, ensure_ascii=False, separators=(",", ":"))
            out.append(Envelope(str(ds), body.encode("utf-8"), list(group[ROW]), [int(p) for p in group[POS]]))
    return out
