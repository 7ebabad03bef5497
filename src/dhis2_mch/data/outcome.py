"""What happened to each input row: stored, rejected (with the reason) or not sent.

A row is *stored* only when DHIS2's counts for the chunk it travelled in confirm it; *rejected* when
the preflight or DHIS2 (a conflict pointing at it) refused it; *not sent* when it was held back
(the preflight found problems elsewhere and ``partial`` was off) or when the push stopped before its
chunk got an answer. Row ids are the labels of the input frame's index (for a file: the running row
number the reader gave it), so a caller such as the sync ledger can key its own records on them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

RowId = Hashable
Outcome = Literal["stored", "rejected", "not sent"]
OUTCOMES: tuple[Outcome, ...] = ("stored", "rejected", "not sent")


@dataclass(frozen=True)
class ChunkOutcome:
    """One chunk's answer from DHIS2, handed to ``on_chunk`` as soon as it returns (before the next is sent).

    ``rows`` are the input row ids of the values sent, in payload order; ``stored`` and ``rejected``
    split them (a row whose value DHIS2 refused is in ``rejected`` with the reason). ``dry_run``:
    DHIS2 checked but stored nothing, so ``stored`` means "would be stored".
    """

    number: int  # 1-based
    of: int  # chunks planned for this push
    data_set: str  # UID of the envelope's data set
    rows: Sequence[RowId]
    stored: Sequence[RowId]
    rejected: dict[RowId, str]
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    dry_run: bool = False


OnChunk = Callable[[ChunkOutcome], None]


class RowOutcomes:
    """Per input row: its outcome and, unless stored, why. Every row starts as not sent and moves once.

    Held as arrays (one byte per row, reasons only where given) so a million-row push keeps no Python
    object per row; positions are 0-based positions in the input frame, ``index`` maps them to row ids.
    """

    def __init__(self, index: pd.Index, reason: str = "not sent") -> None:
        self.index = index
        self.code = np.full(len(index), OUTCOMES.index("not sent"), dtype=np.int8)
        self.reasons: dict[int, str] = {}
        self.default_reason = {"not sent": reason, "rejected": "", "stored": ""}

    def set(self, positions: Sequence[int] | np.ndarray, outcome: Outcome, reason: str | None = None) -> None:
        positions = np.asarray(positions, dtype=np.int64)
        self.code[positions] = OUTCOMES.index(outcome)
        if reason is not None:
            self.reasons.update(dict.fromkeys(positions.tolist(), reason))
        else:
            for p in positions.tolist() if self.reasons else ():
                self.reasons.pop(p, None)

    def reject(self, parts: list[tuple[np.ndarray, str, np.ndarray, str]]) -> None:
        """Mark the rows of column-wise problems rejected, a row's reasons joined when it has several."""
        code = OUTCOMES.index("rejected")
        for positions, _column, reasons, _stage in parts:
            self.code[positions] = code
            for p, why in zip(positions.tolist(), reasons.tolist(), strict=True):
                known = self.reasons.get(p)
                self.reasons[p] = f"{known}; {why}" if known and why not in known else why

    def reason_array(self, positions: np.ndarray) -> np.ndarray:
        """The reason of each of ``positions`` (their outcome's default where none was given)."""
        defaults = np.asarray([self.default_reason[o] for o in OUTCOMES], dtype=object)
        out = defaults[self.code[positions]]
        for i, p in enumerate(positions.tolist()):
            given = self.reasons.get(p)
            if given:
                out[i] = given
        return out

    def unstored(self, why: str) -> RowOutcomes:
        """A copy where the stored rows are not sent (``why``): what a dry run leaves to push."""
        out = RowOutcomes(self.index, f"not sent: {why}")
        out.code = self.code.copy()
        out.code[out.code == OUTCOMES.index("stored")] = OUTCOMES.index("not sent")
        out.reasons = dict(self.reasons)
        return out

    def of(self, row: RowId) -> Outcome:
        return OUTCOMES[int(self.code[self._position(row)])]

    def reason(self, row: RowId) -> str:
        position = self._position(row)
        return self.reasons.get(position) or self.default_reason[OUTCOMES[int(self.code[position])]]

    def rows(self, outcome: Outcome) -> pd.Index:
        return self.index[self.code == OUTCOMES.index(outcome)]

    def positions(self, outcome: Outcome) -> np.ndarray:
        return np.flatnonzero(self.code == OUTCOMES.index(outcome))

    def counts(self) -> dict[str, int]:
        found = np.bincount(self.code, minlength=len(OUTCOMES))
        return {name: int(found[i]) for i, name in enumerate(OUTCOMES)}

    def frame(self) -> pd.DataFrame:
        """One row per input row: ``outcome`` and ``reason`` (empty when stored)."""
        names = pd.Categorical.from_codes(self.code, categories=pd.Index(OUTCOMES))
        reasons = [self.reasons.get(i) or self.default_reason[OUTCOMES[c]] for i, c in enumerate(self.code.tolist())]
        return pd.DataFrame({"outcome": names, "reason": reasons}, index=self.index)

    def _position(self, row: RowId) -> int:
        found = self.index.get_loc(row)
        if not isinstance(found, int):
            raise KeyError(f"row id {row!r} is not unique in the input")
        return found
