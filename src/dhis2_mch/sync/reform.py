"""Rows of periods before 1 July 2025 in a source: which unit a bare code means, as the source says.

The reform reused codes (province 15 was Yên Bái and is Lào Cai now; commune 02947 was Thị trấn Phố
Ràng and is the larger Xã Bảo Yên), so a source's ``before_reform`` key chooses, like push's options:
``refuse`` (the default: the row is not sent, its reason names both meanings), ``pre-reform`` (the unit
of that time: the code becomes its ``PRE2025-`` code before the lookup) or ``current`` (today's unit).
Decided once per distinct (choice, code, period), then spread over the rows.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from dhis2_mch.data.columns import column_codes, distinct
from dhis2_mch.data.units import BeforeReform, legacy_hook
from dhis2_mch.errors import InputError

COLUMN = "_before_reform"
#: how a sync user chooses, for the refusal's reason
CHOICES = (
    "set `before_reform: pre-reform` (codes as they were before the reform) or `before_reform: current` "
    "(today's unit, deliberately) on the source in the sync configuration"
)


def place(frame: pd.DataFrame, choices: dict[str, str]) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with ``orgUnit`` rewritten where ``pre-reform`` places a row on its pre-reform unit, and the
    source's choice in ``_before_reform``; plus, per row, whether the push must judge it (refused, or
    belonging to no unit): its key is left unresolved so that push's preflight rejects it with the reason."""
    choice = frame["source"].astype(str).map(choices).fillna("refuse").astype(str)
    frame = frame.assign(**{COLUMN: choice.to_numpy()})
    if not len(frame):
        return frame, np.zeros(0, dtype=bool)
    # each column's distinct texts once, then their combinations (a MultiIndex of a million strings: ~1 s)
    hows, how_codes = column_codes(frame, COLUMN)
    units, unit_codes = column_codes(frame, "orgUnit")
    periods, period_codes = column_codes(frame, "period")
    keys, codes = distinct(how_codes, unit_codes, period_codes)
    texts, held = [], []
    # one hook per choice, not per key: a hook builds its own name index
    hooks = {how: legacy_hook(cast(BeforeReform, how), CHOICES) for how in hows}
    for h, u, p in keys:
        hook, text, period = hooks[hows[h]], units[u], periods[p]
        try:
            texts.append(hook(text, period) if hook is not None and text else text)
            held.append(False)
        except InputError:
            texts.append(text)
            held.append(True)
    frame["orgUnit"] = np.asarray(texts, dtype=object)[codes]
    return frame, np.asarray(held, dtype=bool)[codes]
